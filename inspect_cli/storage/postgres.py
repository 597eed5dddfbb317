"""The bureau's backend: a PostgreSQL database (psycopg 3, ``pip install 'inspect-cli[postgres]'``).

Selected by a ``postgresql://USER@HOST/DB`` ledger (``--ledger`` or ``INSPECT_LEDGER``). Everything
lives in the schema ``inspect`` of that database:

- one table per record table, ``(n bigserial, id text PRIMARY KEY, data jsonb, <columns>)``: ``data``
  is the record; the hot query fields (hazards' site, status, severity, deadline…) are *generated*
  columns (``GENERATED ALWAYS AS … STORED``, so they can never disagree with the record) with
  indexes; ``n`` keeps insertion order. Strings compare in the "C" collation (code-point order,
  as Python compares them), whatever the database's locale.
- ``_meta``: the ledger's metadata (format, schema, layout version);
- ``_evidence``: evidence files by content name (``ab/abcdef….jpg``) as ``bytea``, so that one
  ``pg_dump`` backs up everything.

A command is one transaction. Writes run in READ COMMITTED; the first read of a record in a
write transaction takes a transaction-scoped lock on that record's key (an advisory lock on
table + id: it also locks a record that does not exist yet, such as the first document number
of a year), so two inspectors changing the same hazard, or taking the next number of the same
kind, queue one behind the other instead of failing. Waiting is bounded by
``INSPECT_LOCK_TIMEOUT`` (then exit 7, nothing changed). Reads run in one READ ONLY, REPEATABLE
READ transaction: a consistent snapshot that works for the ``inspect_reader`` role and on a
hot-standby replica.

Events, case events, issued documents and completed inspections' answers are append-only:
:mod:`.pgschema` grants the writer role no UPDATE/DELETE on them and installs triggers that
refuse such a change to anyone, the owner included, outside ``inspect ledger upgrade``.
The layout is created by ``inspect ledger init`` (or the first write of a database user
allowed to create it) and changed only by ``inspect ledger upgrade``.
"""
from __future__ import annotations

import json
from contextlib import contextmanager
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Any, Iterable, Iterator, Optional
from urllib.parse import urlsplit, urlunsplit

from ..errors import LedgerBusy, LedgerError, LedgerUnavailable
from .interface import Where, count_records, group_value, matches, standard_tables
from .pglayout import (APPEND_ONLY, COLUMNS, EVIDENCE_TABLE, LAYOUT_VERSION, META_ID, META_TABLE, SCHEMA,
                       create_schema, create_table, held_tables, ident, new_meta)

if TYPE_CHECKING:
    import psycopg

URL_PREFIXES = ("postgresql://", "postgres://")
_SCALAR = (str, int, float, bool, type(None))
_BATCH = 1000  # keys or records per statement of the batched reads and writes
_BATCH_BYTES = 1_000_000  # and at most about this much JSON text per statement written


def is_url(text: Optional[str]) -> bool:
    return bool(text) and str(text).lower().startswith(URL_PREFIXES)


def redact(url: str) -> str:
    """The URL without its password (for messages and ``ledger info``)."""
    parts = urlsplit(url)
    if parts.password is None:
        return url
    host = parts.hostname or ""
    netloc = f"{parts.username}:***@{host}" if parts.username else host
    if parts.port:
        netloc += f":{parts.port}"
    return urlunsplit((parts.scheme, netloc, parts.path, parts.query, parts.fragment))


def driver() -> Any:
    """psycopg, imported on first use (it costs ~60 ms: file ledgers never load it)."""
    try:
        import psycopg
    except ImportError:
        raise LedgerUnavailable("a postgresql:// ledger needs the PostgreSQL driver: "
                                "pip install 'inspect-cli[postgres]' (psycopg 3)") from None
    return psycopg




def _jsonb(value: Any) -> Any:
    from psycopg.types.json import Jsonb

    return Jsonb(value, dumps=_dumps)


def _dumps(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def _num(v: Any) -> bool:
    return isinstance(v, (int, float)) and not isinstance(v, bool)


class PgStore:
    """The tables of one transaction on one connection."""

    def __init__(self, conn: "psycopg.Connection[Any]", writable: bool, held: Optional[set[str]] = None) -> None:
        self.conn = conn
        self.writable = writable
        # the schema's tables: those an earlier transaction of this process saw (a table is never
        # dropped), read again once if a table is asked for that was not there then
        self.held = set(held) if held is not None else held_tables(conn)
        self._fresh = held is None
        self._locked: set[tuple[str, str]] = set()

    def has(self, table: str) -> bool:
        if table not in self.held and not self._fresh:
            self.held |= held_tables(self.conn)
            self._fresh = True
        return table in self.held

    def tables(self) -> list[str]:
        if not self._fresh:
            self.held |= held_tables(self.conn)
            self._fresh = True
        return standard_tables(self.held)

    def items(self, table: str) -> list[tuple[str, dict[str, Any]]]:
        return [kv for batch in self.iter_items(table) for kv in batch]

    def iter_items(self, table: str, batch: int = 2000) -> Iterator[list[tuple[str, dict[str, Any]]]]:
        """Every ``(key, record)`` in insertion order, ``batch`` at a time (a server-side cursor:
        memory stays bounded however large the table)."""
        if not self.has(table):
            return
        with self.conn.cursor(name=f"items_{table}") as cur:
            cur.itersize = batch
            cur.execute(f"SELECT id, data FROM {ident(table)} ORDER BY n")
            while True:
                rows = cur.fetchmany(batch)
                if not rows:
                    return
                yield [(r[0], r[1]) for r in rows]

    # locks -----------------------------------------------------------------
    def lock(self, table: str, id: str) -> None:
        """This transaction's lock on one record key (also when the record does not exist yet)."""
        if not self.writable or (table, id) in self._locked or table == "settings":
            return
        self.conn.execute("SELECT pg_advisory_xact_lock(hashtextextended(%s, 0))", (f"{table}/{id}",))
        self._locked.add((table, id))

    def lock_many(self, table: str, ids: Iterable[str]) -> None:
        """:meth:`lock` on many keys in one round trip, taken in key order (two commands locking
        overlapping sets take them in the same order instead of deadlocking)."""
        if not self.writable or table == "settings":
            return
        wanted = sorted({str(i) for i in ids} - {k for t, k in self._locked if t == table})
        for i in range(0, len(wanted), _BATCH):
            chunk = wanted[i:i + _BATCH]
            self.conn.execute("SELECT count(pg_advisory_xact_lock(k)) FROM (SELECT hashtextextended(x, 0) AS k "
                              "FROM unnest(%b::text[]) AS x ORDER BY x COLLATE \"C\") AS keys",
                              ([f"{table}/{k}" for k in chunk],))
            self._locked.update((table, k) for k in chunk)

    # writing ---------------------------------------------------------------
    def _ensure(self, table: str) -> None:
        if not self.has(table):
            try:
                create_table(self.conn, table)
            except Exception as e:
                raise LedgerError(f"the ledger has no table {table!r} and this database user cannot create it ({e}); "
                                  "run inspect ledger upgrade as the ledger's owner") from None
            self.held.add(table)

    def put(self, table: str, id: str, record: dict[str, Any]) -> None:
        self.put_many(table, [(id, record)])

    def put_many(self, table: str, records: Iterable[tuple[str, dict[str, Any]]]) -> None:
        """Insert or replace records, up to :data:`_BATCH` per statement (one round trip each)."""
        self.put_json(table, ((k, _dumps(r)) for k, r in records))

    def put_json(self, table: str, records: Iterable[tuple[str, str]]) -> None:
        """:meth:`put_many` of records given as their JSON text."""
        self._ensure(table)
        rows: dict[str, str] = {}
        append_only = table in APPEND_ONLY
        for k, text in records:
            k = str(k)
            if append_only and k in rows:
                if json.loads(rows[k]) != json.loads(text):  # the first one is what would be kept
                    raise LedgerError(f"{table} {k} cannot be changed: a recorded {table[:-1]} is permanent; "
                                      "nothing was changed")
                continue
            rows[k] = text  # a key given twice: its last record, in its first place (as one put each)
        for chunk in _chunks(rows):
            # binary parameters: the text format would escape every quote of every record
            values = "SELECT k, d::jsonb FROM unnest(%b::text[], %b::text[]) WITH ORDINALITY AS r(k, d, o) ORDER BY o"
            params = (chunk, [rows[k] for k in chunk])
            if append_only:
                # never an UPDATE (the writer role may not): a record already there must be equal
                cur = self.conn.execute(f"INSERT INTO {ident(table)} (id, data) {values} ON CONFLICT (id) DO NOTHING",
                                        params)
                if cur.rowcount != len(chunk):
                    self._same_as_stored(table, {k: json.loads(rows[k]) for k in chunk})
                continue
            self.conn.execute(f"INSERT INTO {ident(table)} (id, data) {values} "
                              "ON CONFLICT (id) DO UPDATE SET data = EXCLUDED.data", params)

    def _same_as_stored(self, table: str, wanted: dict[str, Any]) -> None:
        stored = dict(self.conn.execute(f"SELECT id, data FROM {ident(table)} WHERE id = ANY(%s)",
                                        (list(wanted),)).fetchall())
        changed = [k for k, v in wanted.items() if k in stored and stored[k] != v]
        if changed:
            raise LedgerError(f"{table} {', '.join(changed[:3])} cannot be changed: a recorded {table[:-1]} is "
                              "permanent; nothing was changed")

    # reading ---------------------------------------------------------------
    def get(self, table: str, id: str) -> Optional[dict[str, Any]]:
        if not self.has(table):
            return None
        self.lock(table, id)
        row = self.conn.execute(f"SELECT data FROM {ident(table)} WHERE id = %s", (id,)).fetchone()
        return row[0] if row else None

    def get_many(self, table: str, ids: Iterable[str]) -> dict[str, dict[str, Any]]:
        """The records of ``ids`` that exist, by key, locked as :meth:`get` locks them, in one
        round trip per :data:`_BATCH` keys."""
        return {k: json.loads(v) for k, v in self.get_many_json(table, ids).items()}

    def get_many_json(self, table: str, ids: Iterable[str]) -> dict[str, str]:
        """:meth:`get_many` with each record as its JSON text (decoded only if used)."""
        wanted = sorted({str(i) for i in ids})
        if not wanted or not self.has(table):
            return {}
        self.lock_many(table, wanted)
        out: dict[str, str] = {}
        for i in range(0, len(wanted), _BATCH):
            out.update(self.conn.execute(f"SELECT id, data::text FROM {ident(table)} WHERE id = ANY(%b::text[])",
                                         (wanted[i:i + _BATCH],)).fetchall())
        return out

    def get_prefixed(self, table: str, prefixes: Iterable[str]) -> dict[str, dict[str, Any]]:
        """The records whose key starts with one of ``prefixes``, by key, locked as :meth:`get`
        locks them (a merge reads the conflicts of many records this way at once)."""
        wanted = sorted(set(prefixes))
        if not wanted or not self.has(table):
            return {}
        out: dict[str, dict[str, Any]] = {}
        for i in range(0, len(wanted), _BATCH):
            patterns = [p.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
                        for p in wanted[i:i + _BATCH]]
            out.update(self.conn.execute(f"SELECT id, data FROM {ident(table)} WHERE id LIKE ANY(%b::text[])",
                                         (patterns,)).fetchall())
        self.lock_many(table, out)
        return out

    def find(self, table: str, where: Optional[Where] = None, order_by: Optional[str] = None,
             descending: bool = False, limit: Optional[int] = None, offset: int = 0,
             fields: Optional[tuple[str, ...]] = None) -> list[dict[str, Any]]:
        if not self.has(table):
            return []
        clause, params, rest = self._where(table, where)
        what = "data"
        if fields and not rest:
            what = ("(SELECT coalesce(jsonb_object_agg(key, value), '{}'::jsonb) FROM jsonb_each(data) "
                    "WHERE key = ANY(%s))")
            params = [list(fields)] + params
        sql = f"SELECT {what} FROM {ident(table)}{clause}"
        if order_by:
            direction = " DESC" if descending else ""
            keys = ", ".join(f"{k}{direction} NULLS LAST" for k in self._order(table, order_by))
            sql += f" ORDER BY {keys}, n"
        else:
            sql += " ORDER BY n"
        if not rest and (limit is not None or offset):
            sql += " LIMIT %s OFFSET %s"
            params += [limit, offset]
        rows = [r[0] for r in self.conn.execute(sql, params)]
        if not rest:
            return rows
        picked = [r for r in rows if matches(r, rest)]
        return picked[offset: offset + limit if limit is not None else None]

    def count(self, table: str, where: Optional[Where] = None) -> int:
        if not self.has(table):
            return 0
        clause, params, rest = self._where(table, where)
        if rest:
            return len(self.find(table, where))
        return int(self.conn.execute(f"SELECT count(*) FROM {ident(table)}{clause}", params).fetchone()[0])  # type: ignore[index]

    def count_by(self, table: str, by: tuple[str, ...], where: Optional[Where] = None,
                 distinct: Optional[str] = None) -> dict[tuple[Any, ...], int]:
        """``GROUP BY`` in PostgreSQL (see :meth:`Store.count_by`): on the generated columns it
        reads the index or the column, never the JSON of a record whose field is a string.

        Python's equality is the reference (:func:`count_records`): ``1``, ``1.0`` and ``true`` are
        one value there, a string and a list whose JSON text it spells too. Groups are made in SQL
        on JSON values and merged here; a distinct count is made in SQL on a canonical text of
        each value. The rare query where that could differ from Python's answer (a distinct count
        over lists or mappings, or two SQL groups that are one Python group) is tallied by
        :func:`count_records` over the matching records' fields instead.
        """
        if not self.has(table):
            return {}
        clause, params, rest = self._where(table, where)
        if rest:
            return self._tally(table, by, where, distinct)
        keys: list[str] = []
        for f in by:
            keys += self._group_exprs(table, f)
        what = ["count(*)"]
        if distinct:
            value = self._json_expr(table, distinct)
            what += [f"count(DISTINCT {_canonical(value)})",
                     f"bool_or(jsonb_typeof({value}) IN ('array', 'object'))"]
        sql = f"SELECT {', '.join(keys + what)} FROM {ident(table)}{clause}"
        if keys:
            sql += " GROUP BY " + ", ".join(str(i + 1) for i in range(len(keys)))
        out: dict[tuple[Any, ...], int] = {}
        width = len(keys)
        for row in self.conn.execute(sql, params):
            if not row[width]:
                continue  # no matching record (a query without GROUP BY still gives a row): no group
            key = tuple(group_value(_pick(row, i)) for i in range(0, width, 2))
            if distinct:
                if row[width + 2] or key in out:  # see above: Python's tally decides
                    return self._tally(table, by, where, distinct)
                out[key] = int(row[width + 1])
            else:
                out[key] = out.get(key, 0) + int(row[width])
        return out

    def _tally(self, table: str, by: tuple[str, ...], where: Optional[Where], distinct: Optional[str]) -> dict[tuple[Any, ...], int]:
        fields = tuple(dict.fromkeys(by + ((distinct,) if distinct else ())))
        return count_records(self.find(table, where, fields=fields or None), by, distinct)

    def _json_expr(self, table: str, field: str) -> str:
        """The field's JSON value (SQL NULL when missing or null)."""
        if field == "id":
            return "to_jsonb(id)"
        if self._column(table, field) == "jsonb":
            return f"NULLIF(\"{field}\", 'null'::jsonb)"
        return f"NULLIF(data->{_lit(field)}, 'null'::jsonb)"

    def _group_exprs(self, table: str, field: str) -> list[str]:
        """Two expressions for a group key: the field from its column, else its JSON value."""
        kind = self._column(table, field)
        if field == "id":
            return ["id", "NULL::jsonb"]
        if kind in ("text", "numeric"):
            return [f'"{field}"', f'CASE WHEN "{field}" IS NULL THEN {self._json_expr(table, field)} END']
        return ["NULL::text", self._json_expr(table, field)]

    def explain(self, table: str, where: Optional[Where] = None, order_by: Optional[str] = None,
                descending: bool = False, limit: Optional[int] = None) -> list[str]:
        """PostgreSQL's plan of a :meth:`find` (to check that an index is used)."""
        clause, params, _ = self._where(table, where)
        sql = f"SELECT data FROM {ident(table)}{clause}"
        if order_by:
            direction = " DESC" if descending else ""
            sql += " ORDER BY " + ", ".join(f"{k}{direction} NULLS LAST" for k in self._order(table, order_by)) + ", n"
        if limit is not None:
            sql += f" LIMIT {int(limit)}"
        return [r[0] for r in self.conn.execute("EXPLAIN " + sql, params)]

    def meta(self) -> dict[str, Any]:
        if not self.has(META_TABLE):
            return {}
        row = self.conn.execute(f"SELECT value FROM {ident(META_TABLE)} WHERE key = %s", (META_ID,)).fetchone()
        return dict(row[0]) if row else {}

    def set_meta(self, meta: dict[str, Any]) -> None:
        self.conn.execute(f"INSERT INTO {ident(META_TABLE)} (key, value) VALUES (%s, %s) "
                          "ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value", (META_ID, _jsonb(dict(meta))))

    # evidence (the typed extension of storage.interface.EvidenceStore) ----------------
    def evidence_names(self) -> list[str]:
        return [r[0] for r in self.conn.execute(f"SELECT file FROM {ident(EVIDENCE_TABLE)} ORDER BY file")]

    def read_evidence(self, name: str) -> Optional[bytes]:
        row = self.conn.execute(f"SELECT data FROM {ident(EVIDENCE_TABLE)} WHERE file = %s", (name,)).fetchone()
        return bytes(row[0]) if row else None

    def keep_evidence(self, name: str, data: bytes) -> bool:
        """Store a file under its content name; False when it was already there."""
        import hashlib

        digest = hashlib.sha256(data).hexdigest()
        if not name.split("/")[-1].startswith(digest):
            raise LedgerError(f"evidence {name} does not hold what its name says (sha256 {digest[:12]}…); not stored")
        cur = self.conn.execute(f"INSERT INTO {ident(EVIDENCE_TABLE)} (file, sha256, size, data) VALUES (%s, %s, %s, %s) "
                                "ON CONFLICT (file) DO NOTHING", (name, digest, len(data), data))
        return cur.rowcount == 1

    # conditions ------------------------------------------------------------
    @staticmethod
    def _column(table: str, field: str) -> Optional[str]:
        for name, kind in COLUMNS.get(table, ()):
            if name == field:
                return kind
        return None

    def _order(self, table: str, field: str) -> list[str]:
        if field == "id":
            return ["id"]
        if self._column(table, field) in ("text", "numeric"):
            return [f'"{field}"']
        path = _lit(field)
        return [f"(CASE WHEN jsonb_typeof(data->{path}) = 'number' THEN (data->>{path})::numeric END)",
                f"(CASE WHEN jsonb_typeof(data->{path}) = 'string' THEN data->>{path} END) COLLATE \"C\""]

    def _typed(self, table: str, field: str, value: Any) -> Optional[str]:
        """An SQL expression holding ``field`` when its value is of ``value``'s type, else NULL."""
        if field == "id" and isinstance(value, str):
            return "id"
        kind = self._column(table, field)
        path = _lit(field)
        if isinstance(value, str):
            return f'"{field}"' if kind == "text" else f"(CASE WHEN jsonb_typeof(data->{path}) = 'string' THEN data->>{path} END) COLLATE \"C\""
        if _num(value):
            return f'"{field}"' if kind == "numeric" else f"(CASE WHEN jsonb_typeof(data->{path}) = 'number' THEN (data->>{path})::numeric END)"
        return None

    def _equal(self, table: str, field: str, value: Any) -> tuple[str, list[Any]]:
        path = _lit(field)
        if value is None:
            return f"(data->{path} IS NULL OR data->{path} = 'null'::jsonb)", []
        if isinstance(value, bool) or (_num(value) and value in (0, 1)):
            # Python holds True == 1 == 1.0 (and False == 0): a boolean matches its number, and back
            number = self._typed(table, field, 0)
            return f"({number} = %s OR data->{path} = %s)", [int(value), _jsonb(bool(value))]
        expr = self._typed(table, field, value)
        if expr is not None:
            return f"{expr} = %s", [value]
        if self._column(table, field) == "jsonb":
            return f'"{field}" = %s', [_jsonb(value)]
        return f"data->{path} = %s", [_jsonb(value)]

    def _where(self, table: str, where: Optional[Where]) -> tuple[str, list[Any], dict[str, Any]]:
        parts: list[str] = []
        params: list[Any] = []
        rest: dict[str, Any] = {}
        for field, cond in (where or {}).items():
            got = self._condition(table, field, cond)
            if got is None:
                rest[field] = cond
                continue
            parts.append(got[0])
            params += got[1]
        return (" WHERE " + " AND ".join(parts) if parts else ""), params, rest

    def _condition(self, table: str, field: str, cond: Any) -> Optional[tuple[str, list[Any]]]:
        if not isinstance(cond, tuple):
            return self._equal(table, field, cond) if _jsonable(cond) else None
        op, arg = cond
        if op in ("in", "not in"):
            if not isinstance(arg, (list, tuple, set, frozenset)) or not all(map(_jsonable, arg)):
                return None
            values = list(arg)
            if not values:
                return ("FALSE" if op == "in" else "TRUE"), []
            strings = [v for v in values if isinstance(v, str)]
            parts: list[str] = []
            params: list[Any] = []
            if strings:
                expr = self._typed(table, field, "")
                parts.append(f"{expr} = ANY(%s)")
                params.append(strings)
            for v in values:
                if not isinstance(v, str):
                    sql, p = self._equal(table, field, v)
                    parts.append(sql)
                    params += p
            any_of = "(" + " OR ".join(parts) + ")"
            return (any_of if op == "in" else f"({any_of}) IS NOT TRUE"), params
        if op == "!=":
            if not _jsonable(arg):
                return None
            sql, p = self._equal(table, field, arg)
            return f"({sql}) IS NOT TRUE", p
        if op in ("<", "<=", ">", ">="):
            expr = self._typed(table, field, arg) if isinstance(arg, str) or _num(arg) else None
            return (f"{expr} {op} %s", [arg]) if expr else None
        if op == "between":
            lo, hi = arg
            same = (isinstance(lo, str) and isinstance(hi, str)) or (_num(lo) and _num(hi))
            expr = self._typed(table, field, lo) if same else None
            return (f"{expr} BETWEEN %s AND %s", [lo, hi]) if expr else None
        return None




def _chunks(rows: dict[str, str]) -> Iterator[list[str]]:
    """Keys of ``rows`` in order, at most :data:`_BATCH` and about :data:`_BATCH_BYTES` of JSON a
    statement (the statement's parameters are held in memory twice while it is sent)."""
    chunk: list[str] = []
    size = 0
    for k, text in rows.items():
        if chunk and (len(chunk) >= _BATCH or size + len(text) > _BATCH_BYTES):
            yield chunk
            chunk, size = [], 0
        chunk.append(k)
        size += len(text)
    if chunk:
        yield chunk


def _pick(row: Any, i: int) -> Any:
    """A group key's value from its pair of columns (see :meth:`PgStore._group_exprs`): a
    numeric column's value as the int or float the record holds."""
    value = row[i]
    if value is None:
        return row[i + 1]
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    return value


def _canonical(value: str) -> str:
    """One text per value Python holds equal: a string as itself, a number (or a boolean, which
    Python counts as 1 or 0) by its trimmed numeric value; lists and mappings are left out
    (:meth:`PgStore.count_by` hands those to Python)."""
    return (f"CASE jsonb_typeof({value}) WHEN 'string' THEN 's' || ({value} #>> '{{}}') "
            f"WHEN 'number' THEN 'n' || trim_scale(({value})::numeric)::text "
            f"WHEN 'boolean' THEN CASE WHEN {value} = 'true'::jsonb THEN 'n1' ELSE 'n0' END END")


def _lit(field: str) -> str:
    """A JSON key as an SQL string literal (keys come from code, but quote them anyway)."""
    return "'" + field.replace("'", "''") + "'"


def _jsonable(v: Any) -> bool:
    if isinstance(v, float) and v != v:
        return False
    return isinstance(v, _SCALAR) or isinstance(v, (list, dict))


class PostgresBackend:
    """A ledger in the schema ``inspect`` of a PostgreSQL database."""

    name = "postgresql"
    evidence_in_ledger = True  # evidence files live in the table _evidence (storage/evidence.py)

    def __init__(self, url: str) -> None:
        self.url = url
        self.path = redact(url)
        self._idle: Optional["psycopg.Connection[Any]"] = None  # kept between the transactions of one process
        # what the first transaction of this process checked (the ledger's layout) and saw (its
        # tables): later transactions of the same command skip those round trips
        self._checked = False
        self._held: Optional[set[str]] = None

    def _take(self) -> "psycopg.Connection[Any]":
        """A connection for one transaction: the idle one of this process, or a new one."""
        conn, self._idle = self._idle, None
        if conn is not None and not conn.closed:
            return conn
        return self.connect()

    def _give_back(self, conn: "psycopg.Connection[Any]") -> None:
        psycopg = driver()
        try:
            conn.rollback()  # nothing outlives its transaction (settings are SET LOCAL)
        except psycopg.Error:
            conn.close()
            return
        if self._idle is None:
            self._idle = conn
        else:
            conn.close()

    # connections -------------------------------------------------------------
    def connect(self, autocommit: bool = False) -> "psycopg.Connection[Any]":
        psycopg = driver()
        from .files import lock_timeout

        try:
            conn = psycopg.connect(self.url, autocommit=autocommit, connect_timeout=max(1, int(lock_timeout())),
                                   application_name="inspect-cli")
        except psycopg.OperationalError as e:
            raise LedgerUnavailable(f"cannot connect to the ledger {self.path}: {_first_line(e)}. Check that the "
                                    "PostgreSQL server runs and that the URL, user and pg_hba.conf let you in.") from None
        except psycopg.ProgrammingError as e:
            raise LedgerUnavailable(f"{self.path} is not a usable PostgreSQL URL: {_first_line(e)}") from None
        return conn  # type: ignore[no-any-return]

    def exists(self) -> bool:
        if self._checked:  # a ledger is never deleted by inspect-cli
            return True
        with self.read():
            return self._checked  # the read checked the ledger: set unless there is none

    def _store(self, conn: "psycopg.Connection[Any]", writable: bool) -> PgStore:
        store = PgStore(conn, writable, self._held)
        self._held = store.held
        return store

    def size_bytes(self) -> int:
        conn = self.connect(autocommit=True)
        try:
            row = conn.execute("SELECT coalesce(sum(pg_total_relation_size(c.oid)), 0) FROM pg_class c "
                               "JOIN pg_namespace s ON s.oid = c.relnamespace WHERE s.nspname = %s AND c.relkind = 'r'",
                               (SCHEMA,)).fetchone()
            return int(row[0]) if row else 0
        finally:
            conn.close()

    def size_hint(self) -> Optional[str]:
        return None

    def _error(self, e: Exception, doing: str) -> LedgerError:
        psycopg = driver()
        errors = psycopg.errors
        if isinstance(e, (errors.LockNotAvailable, errors.DeadlockDetected, errors.SerializationFailure)):
            return LedgerBusy("other inspect commands kept the records this command needs locked (waited "
                              "INSPECT_LOCK_TIMEOUT); nothing was changed. Try again.")
        if isinstance(e, errors.InsufficientPrivilege):
            return LedgerError(f"the database user of {self.path} may not {doing} this: {_first_line(e)}. "
                               "Nothing was changed (inspect_reader may only read; inspect_writer may not change "
                               "recorded events, answers or documents).")
        if isinstance(e, errors.ReadOnlySqlTransaction):
            return LedgerError(f"{self.path} is read-only (a replica or read-only connection): {doing} needs the "
                               "primary server. Nothing was changed.")
        if isinstance(e, errors.RaiseException):
            return LedgerError(f"the ledger {self.path} refused the change: {_first_line(e)}. Nothing was changed.")
        if isinstance(e, psycopg.OperationalError):
            return LedgerUnavailable(f"lost the connection to the ledger {self.path}: {_first_line(e)}. "
                                     "Nothing was changed.")
        return LedgerError(f"cannot {doing} the ledger {self.path}: {_first_line(e)}. Nothing was changed.")

    def _check(self, store: PgStore) -> bool:
        """True for our ledger, False for a database without it; LedgerError for anything else."""
        from .files import check_format

        if self._checked:
            return True
        if not store.has(META_TABLE):
            if store.held:
                raise LedgerError(f"the schema {SCHEMA!r} of {self.path} holds tables of another program (no ledger "
                                  "metadata). It was left untouched.")
            return False
        meta = store.meta()
        check_format(meta, Path(self.path))
        layout = int(meta.get("layout") or 0)
        if layout > LAYOUT_VERSION:
            raise LedgerError(f"{self.path} was written by a newer inspect-cli (PostgreSQL layout {layout}, this version "
                              f"reads up to {LAYOUT_VERSION}). Upgrade inspect-cli: pip install -U inspect-cli")
        if layout < LAYOUT_VERSION:
            raise LedgerError(f"{self.path} has the older PostgreSQL layout {layout}; its owner must run "
                              f"`inspect ledger upgrade --ledger {self.path}` (layout {LAYOUT_VERSION}) first. "
                              "Nothing was changed.")
        self._checked = True
        return True

    @contextmanager
    def read(self) -> Iterator[PgStore]:
        psycopg = driver()
        conn = self._take()
        try:
            try:
                # sent with the transaction's BEGIN (no round trip of its own)
                conn.isolation_level = psycopg.IsolationLevel.REPEATABLE_READ
                conn.read_only = True
                store = self._store(conn, writable=False)
                self._check(store)
            except psycopg.Error as e:
                raise self._error(e, "read") from None
            try:
                yield store
            except psycopg.Error as e:
                raise self._error(e, "read") from None
        finally:
            self._give_back(conn)

    @contextmanager
    def write(self) -> Iterator[PgStore]:
        psycopg = driver()
        from .files import FORMAT, lock_timeout

        conn = self._take()
        try:
            try:
                conn.isolation_level = None  # the server's default, READ COMMITTED
                conn.read_only = False
                conn.execute(f"SET LOCAL lock_timeout = {int(lock_timeout() * 1000)}")
                store = self._store(conn, writable=True)
                if not self._check(store):
                    conn.execute("SELECT pg_advisory_xact_lock(hashtextextended('inspect-cli ledger init', 0))")
                    create_schema(conn)
                    store = PgStore(conn, writable=True)
                    self._held = store.held
                    if not store.meta():
                        store.set_meta(new_meta(FORMAT))
            except psycopg.Error as e:
                raise self._error(e, "open") from None
            try:
                yield store
            except psycopg.Error as e:
                conn.rollback()
                raise self._error(e, "write") from None
            except BaseException:
                conn.rollback()
                raise
            try:
                conn.commit()
            except psycopg.Error as e:
                raise self._error(e, "write") from None
        finally:
            self._give_back(conn)



def _first_line(e: Exception) -> str:
    return (str(e).strip().splitlines() or [type(e).__name__])[0]
