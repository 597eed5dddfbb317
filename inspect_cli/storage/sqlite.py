"""The city-scale backend: one SQLite file (stdlib ``sqlite3``), same interface as the JSON file.

Each record table is ``(id TEXT PRIMARY KEY, <indexed columns>, data TEXT)``: ``data`` holds
the record as JSON and the hot query fields (hazards' site, status, severity, deadline…) are
copied into real columns with indexes. A condition on such a field is plain SQL on the
column; on any other field it is SQL on ``json_extract(data, '$."field"')``. Both give the
semantics of :func:`.base.matches` (a missing field is NULL: it never matches a comparison,
and it does match ``!=`` and ``not in``); a condition SQL cannot express exactly (a list or
mapping as the value) is checked in Python after the query.

Writes run in ``BEGIN IMMEDIATE`` under SQLite's own lock (a busy writer waits
``INSPECT_LOCK_TIMEOUT``, then ``LedgerBusy``, as with the JSON backend's ``.lock`` file): a
clean exit commits, an exception rolls back. Reads run in
one ``BEGIN DEFERRED`` transaction, a consistent snapshot that never waits for a writer
(WAL mode). ``PRAGMA user_version`` is the version of this table layout.
"""
from __future__ import annotations

import json
import re
import sqlite3
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Iterable, Iterator, Optional

from ..errors import LedgerError
from .interface import SCHEMA_VERSION, TABLES, Where, count_records, matches, standard_tables

# 2: events.date and hazards.closed_date are indexed columns; 3: the fields stats, the bulletin
# and the re-inspection plan tally (an inspection's kind/status/domain/hazards, a hazard's item…);
# 4: what the monthly bulletin counts as of a past day (issue 14): a hazard's supervision, fix and
# plan, an event's type, an inspection's inspectors, a site's code, region, added date, address
# and attributes (the 区域 of the enforcement rates)
LAYOUT_VERSION = 4
META_TABLE = "_meta"
META_ID = "ledger"
HEADER = b"SQLite format 3\x00"
COLUMNS: dict[str, tuple[str, ...]] = {
    "hazards": ("site", "status", "severity", "deadline", "checklist", "domain", "inspection", "created",
                "closed_date", "closed_reason", "item", "checklist_version", "supervision", "fix", "plan"),
    "events": ("subject", "seq", "date", "type"),
    "inspections": ("site", "date", "checklist", "kind", "status", "domain", "hazards", "inspectors"),
    "sites": ("industry", "risk_class", "code", "region", "added", "address", "attributes"),
}
INDEXES: dict[str, tuple[tuple[str, ...], ...]] = {
    # (status, deadline, severity) serves the overdue list, the re-inspection plan and the overdue
    # tallies; (severity, status,
    # deadline) answers `hazard list --overdue --severity major` and its count from the index alone.
    "hazards": (("status", "deadline", "severity"), ("severity", "status", "deadline"), ("site", "deadline"), ("deadline",),
                ("checklist",), ("domain",), ("inspection",), ("created",), ("closed_date",),
                # covering indexes of the tallies: stats and the bulletin count from these alone
                ("domain", "severity", "status", "created"), ("checklist", "checklist_version", "item", "site", "created"),
                ("status", "closed_date", "severity", "closed_reason", "created"),
                # the bulletin: per site as of a day, and the few hazards under listed supervision
                ("site", "severity", "status", "created"), ("supervision", "status", "deadline", "created")),
    # (date, subject): the hazards changed after a day, from the index alone; (type, date, subject):
    # the hazards fixed in a month (the bulletin's 整改资金)
    "events": (("subject", "seq"), ("date", "subject"), ("type", "date", "subject")),
    # (date, status, kind, domain) counts a window of stats; (status, kind, domain, date) the whole
    # ledger; (status, kind, hazards, …) the inspections with findings of the enforcement rates
    "inspections": (("site", "date"), ("date",), ("checklist",), ("date", "status", "kind", "domain"),
                    ("status", "kind", "domain", "date"),
                    # the enforcement rates' margins (domain, month; site): the window is a range of the first
                    ("status", "date", "kind", "hazards", "domain"), ("status", "site", "kind", "hazards", "date"),
                    ("status", "date", "site", "inspectors")),  # the bulletin's visits, sites and officers
    "sites": (("industry",), ("risk_class",)),
}
# a hazard's supervision, fix and plan are mappings (their JSON text in the column): the
# bulletin groups on them (Store.count_by) instead of decoding every record
# Columns holding a list (as its JSON text, for conditions such as ``!= []``): a projection
# reads them from the record, where their type is known.
JSON_COLUMNS: dict[str, tuple[str, ...]] = {"inspections": ("hazards", "inspectors"),
                                            "hazards": ("supervision", "fix", "plan"), "sites": ("attributes",)}
# Tables whose records carry their key as "id": a condition on id uses the primary key.
KEYED_BY_ID = ("hazards", "events", "inspections", "draws", "conflicts")
# The field of each record that is its key, where the key is a field (checked by verify:
# a record moved under another key is read in place of the right one).
KEY_FIELD: dict[str, str] = {**{t: "id" for t in KEYED_BY_ID}, "cases": "id", "case_events": "id", "sites": "code"}
_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*\Z")
_SCALAR = (str, int, float, type(None))


def lock_timeout() -> float:
    from .files import lock_timeout as timeout

    return timeout()


def _ident(name: str) -> str:
    if not _NAME.match(name):
        raise ValueError(f"invalid table name {name!r}")
    return f'"{name}"'


def _dumps(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def _column_value(value: Any) -> Any:
    # what json_extract returns for the same JSON value: scalars as such, arrays/objects as JSON text
    return value if isinstance(value, _SCALAR) else _dumps(value)


def _rollback(conn: sqlite3.Connection) -> None:
    """Undo an open transaction. SQLite may already have rolled it back itself (a full disk, an
    I/O error): then ROLLBACK fails, and that failure must not hide the error that caused it."""
    try:
        conn.execute("ROLLBACK")
    except sqlite3.Error:
        pass


class SqliteStore:
    """The tables of one transaction on one connection."""

    def __init__(self, conn: sqlite3.Connection, writable: bool) -> None:
        self.conn = conn
        self.writable = writable
        self.held = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}

    def tables(self) -> list[str]:
        return standard_tables(self.held)

    def items(self, table: str) -> list[tuple[str, dict[str, Any]]]:
        if table not in self.held:
            return []
        # ORDER BY rowid: insertion order, as find() and the JSON backend give it
        return [(r[0], json.loads(r[1])) for r in self.conn.execute(f"SELECT id, data FROM {_ident(table)} ORDER BY rowid")]

    def iter_items(self, table: str, batch: int = 2000) -> Iterator[list[tuple[str, dict[str, Any]]]]:
        """:meth:`items` ``batch`` at a time, from one cursor (a migration's memory stays bounded)."""
        if table not in self.held:
            return
        cur = self.conn.execute(f"SELECT id, data FROM {_ident(table)} ORDER BY rowid")
        while rows := cur.fetchmany(batch):
            yield [(r[0], json.loads(r[1])) for r in rows]

    # writing ---------------------------------------------------------------
    def _ensure(self, table: str) -> None:
        if table not in self.held:
            create_table(self.conn, table)
            self.held.add(table)

    def put(self, table: str, id: str, record: dict[str, Any]) -> None:
        self.put_many(table, [(id, record)])

    def put_many(self, table: str, records: Iterable[tuple[str, dict[str, Any]]]) -> None:
        self._ensure(table)
        cols = COLUMNS.get(table, ())
        names = ", ".join(("id",) + cols + ("data",))
        marks = ", ".join("?" * (len(cols) + 2))
        update = ", ".join(f"{c}=excluded.{c}" for c in cols + ("data",))
        # ON CONFLICT … DO UPDATE keeps the row (and its rowid, hence its place in insertion
        # order, as a dict does), where INSERT OR REPLACE would move it to the end.
        sql = f"INSERT INTO {_ident(table)} ({names}) VALUES ({marks}) ON CONFLICT(id) DO UPDATE SET {update}"
        self.conn.executemany(sql, ((str(id), *(_column_value(r.get(c)) for c in cols), _dumps(r))
                                    for id, r in records))

    def column_mismatches(self, limit: int = 100) -> list[str]:
        """Rows whose indexed columns (or key) disagree with their JSON record: a filter or a
        count would then see something the record does not say (edited outside inspect-cli).
        One scan per table; the columns of the few rows found are named afterwards."""
        out: list[str] = []
        for table in sorted(set(COLUMNS) | set(KEY_FIELD)):
            if table not in self.held:
                continue
            cols = list(COLUMNS.get(table, ()))
            fields = cols + ([KEY_FIELD[table]] if table in KEY_FIELD else [])
            names = cols + (["id"] if table in KEY_FIELD else [])
            cond = " OR ".join(f"{c} IS NOT json_extract(data, '$.{f}')" for c, f in zip(names, fields))
            sql = f"SELECT id, {', '.join(names)}, data FROM {_ident(table)} WHERE {cond} LIMIT ?"
            for row in self.conn.execute(sql, (limit,)).fetchall():
                record = json.loads(row[-1])
                wrong = [c if c != "id" else f"id (the key; the record says {record.get(f)!r})"
                         for n, (c, f) in enumerate(zip(names, fields), start=1) if row[n] != _column_value(record.get(f))]
                out.append(f"{table[:-1]} {row[0]}: the indexed column(s) {', '.join(wrong) or '?'} disagree with "
                           "the record (edited outside inspect-cli; lists and counts would show the column)")
        return out

    # reading ---------------------------------------------------------------
    def get(self, table: str, id: str) -> Optional[dict[str, Any]]:
        if table not in self.held:
            return None
        row = self.conn.execute(f"SELECT data FROM {_ident(table)} WHERE id = ?", (id,)).fetchone()
        return json.loads(row[0]) if row else None

    def find(self, table: str, where: Optional[Where] = None, order_by: Optional[str] = None,
             descending: bool = False, limit: Optional[int] = None, offset: int = 0,
             fields: Optional[tuple[str, ...]] = None) -> list[dict[str, Any]]:
        if table not in self.held:
            return []
        sql, params, rest = self._select(table, where, order_by, descending, limit, offset)
        if fields and not rest:
            return self._project(sql, params, fields)
        rows = (json.loads(r[0]) for r in self.conn.execute(sql, params))
        if not rest:
            return list(rows)
        picked = [r for r in rows if matches(r, rest)]
        return picked[offset: offset + limit if limit is not None else None]

    def _project(self, sql: str, params: list[Any], fields: tuple[str, ...]) -> list[dict[str, Any]]:
        """Only ``fields`` of each record, extracted by SQLite: Python never decodes the rest."""
        fields = tuple(f for f in fields if _NAME.match(f))  # names go into SQL: plain identifiers only
        table = sql.split(" FROM ", 1)[1].split()[0].strip('"')
        direct = (set(COLUMNS.get(table, ())) - set(JSON_COLUMNS.get(table, ()))) | (
            {"id"} if table in KEYED_BY_ID else set())

        def col(f: str) -> str:
            # an indexed column is read as it is (the JSON is never parsed); its type says null/absent
            if f in direct:
                return f"{f}, CASE WHEN {f} IS NULL THEN NULL ELSE 'column' END"
            return f"json_extract(data, '$.\"{f}\"'), json_type(data, '$.\"{f}\"')"

        sql = sql.replace("SELECT data FROM", f"SELECT {', '.join(col(f) for f in fields)} FROM", 1)
        out = []
        for row in self.conn.execute(sql, params):
            rec = {}
            for n, f in enumerate(fields):
                value, kind = row[2 * n], row[2 * n + 1]
                if kind is None:
                    continue  # the field is absent, as in the full record
                rec[f] = json.loads(value) if kind in ("array", "object") else (
                    bool(value) if kind in ("true", "false") else value)
            out.append(rec)
        return out

    def explain(self, table: str, where: Optional[Where] = None, order_by: Optional[str] = None,
                descending: bool = False, limit: Optional[int] = None) -> list[str]:
        """SQLite's query plan of a :meth:`find` (to check that an index is used)."""
        sql, params, _ = self._select(table, where, order_by, descending, limit, 0)
        return [r[-1] for r in self.conn.execute("EXPLAIN QUERY PLAN " + sql, params)]

    def _select(self, table: str, where: Optional[Where], order_by: Optional[str], descending: bool,
                limit: Optional[int], offset: int) -> tuple[str, list[Any], dict[str, Any]]:
        clause, params, rest = self._where(table, where)
        sql = f"SELECT data FROM {_ident(table)}{clause}"
        if order_by:
            expr = self._field(table, order_by)
            direction = " DESC" if descending else ""
            # missing values last in both directions; ties keep insertion order (rowid), as a
            # stable sort of a dict does. Skipped when the conditions already exclude NULL.
            nulls = "" if _excludes_null(where, order_by) else f"({expr}) IS NULL, "
            sql += f" ORDER BY {nulls}{expr}{direction}, rowid"
        else:
            sql += " ORDER BY rowid"
        if not rest and (limit is not None or offset):
            sql += " LIMIT ? OFFSET ?"
            params += [-1 if limit is None else limit, offset]
        return sql, params, rest

    def count(self, table: str, where: Optional[Where] = None) -> int:
        if table not in self.held:
            return 0
        clause, params, rest = self._where(table, where)
        if rest:
            return len(self.find(table, where))
        return int(self.conn.execute(f"SELECT COUNT(*) FROM {_ident(table)}{clause}", params).fetchone()[0])

    def count_by(self, table: str, by: tuple[str, ...], where: Optional[Where] = None,
                 distinct: Optional[str] = None) -> dict[tuple[Any, ...], int]:
        """``GROUP BY`` in SQLite: on indexed columns it reads the index only, never the JSON."""
        if table not in self.held:
            return {}
        clause, params, rest = self._where(table, where)
        if rest:
            return count_records(self.find(table, where), by, distinct)
        keys = [self._field(table, f) for f in by]
        what = ["COUNT(*)"] + ([f"COUNT(DISTINCT {self._field(table, distinct)})"] if distinct else [])
        sql = f"SELECT {', '.join(keys + what)} FROM {_ident(table)}{clause}"
        if keys:
            sql += f" GROUP BY {', '.join(keys)}"
        out: dict[tuple[Any, ...], int] = {}
        n = len(keys)
        for row in self.conn.execute(sql, params):
            if not row[n]:
                continue  # no matching record (a query without GROUP BY still gives a row): no group
            out[tuple(row[:n])] = int(row[-1])
        return out

    def meta(self) -> dict[str, Any]:
        if META_TABLE not in self.held:
            return {}
        row = self.conn.execute(f"SELECT value FROM {META_TABLE} WHERE key = ?", (META_ID,)).fetchone()
        return json.loads(row[0]) if row else {}

    def set_meta(self, meta: dict[str, Any]) -> None:
        self.conn.execute(f"INSERT INTO {META_TABLE} (key, value) VALUES (?, ?) "
                          "ON CONFLICT(key) DO UPDATE SET value=excluded.value", (META_ID, _dumps(dict(meta))))

    # conditions ------------------------------------------------------------
    @staticmethod
    def _field(table: str, field: str) -> str:
        if field in COLUMNS.get(table, ()):
            return field
        if field == "id" and table in KEYED_BY_ID:
            return "id"
        path = '$."' + field.replace('"', '\\"') + '"'
        return "json_extract(data, '" + path.replace("'", "''") + "')"

    def _where(self, table: str, where: Optional[Where]) -> tuple[str, list[Any], dict[str, Any]]:
        """SQL for the conditions it can express exactly; the rest are checked in Python."""
        parts: list[str] = []
        params: list[Any] = []
        rest: dict[str, Any] = {}
        for field, cond in (where or {}).items():
            sql = _condition(cond)
            if sql is None:
                rest[field] = cond
                continue
            expr = self._field(table, field)
            template, values = sql
            parts.append(template.replace("{x}", expr))
            params += values
        return (" WHERE " + " AND ".join(parts) if parts else ""), params, rest


def _empty(v: Any) -> bool:
    """An empty list or mapping: its JSON text ("[]", "{}") is the same from Python and SQLite."""
    return isinstance(v, (list, dict)) and not v


def _plain(v: Any) -> bool:
    return isinstance(v, _SCALAR)


def _condition(cond: Any) -> Optional[tuple[str, list[Any]]]:
    """(SQL template on {x}, parameters) with exactly :func:`.base.matches`' meaning, or None."""
    if not isinstance(cond, tuple):
        if cond is None:
            return "{x} IS NULL", []
        if _empty(cond):
            return "{x} = ?", [_dumps(cond)]  # an array/object column or json_extract is its JSON text
        return ("{x} = ?", [cond]) if _plain(cond) else None
    op, arg = cond
    if op == "!=" and _empty(arg):
        return "{x} IS NOT ?", [_dumps(arg)]
    if op in ("in", "not in"):
        if not isinstance(arg, (list, tuple, set, frozenset)) or not all(map(_plain, arg)):
            return None
        values = [v for v in arg if v is not None]
        has_none = len(values) < len(list(arg))
        marks = ", ".join("?" * len(values))
        if op == "in":
            sql = " OR ".join(([f"{{x}} IN ({marks})"] if values else []) + (["{x} IS NULL"] if has_none else []))
            return (f"({sql})" if sql else "0"), values
        if not values:
            return ("{x} IS NOT NULL" if has_none else "1"), []
        return (f"({{x}} IS NOT NULL AND {{x}} NOT IN ({marks}))" if has_none
                else f"({{x}} IS NULL OR {{x}} NOT IN ({marks}))"), values
    if op == "!=":
        return ("{x} IS NOT ?", [arg]) if _plain(arg) else None
    if op in ("<", "<=", ">", ">="):
        return (f"{{x}} {op} ?", [arg]) if _plain(arg) and arg is not None else None
    if op == "between":
        lo, hi = arg
        return ("{x} BETWEEN ? AND ?", [lo, hi]) if all(_plain(v) and v is not None for v in (lo, hi)) else None
    return None


def _excludes_null(where: Optional[Where], field: str) -> bool:
    cond = (where or {}).get(field)
    if cond is None:
        return False
    if isinstance(cond, tuple):
        op, arg = cond
        return op in ("<", "<=", ">", ">=", "between") or (op == "in" and None not in arg)
    return True


def create_table(conn: sqlite3.Connection, table: str) -> None:
    cols = "".join(f", {c}" for c in COLUMNS.get(table, ()))  # no type: values keep their own type
    # the indexed columns come first so that reading them never touches the JSON's overflow pages
    conn.execute(f"CREATE TABLE IF NOT EXISTS {_ident(table)} (id TEXT PRIMARY KEY NOT NULL{cols}, data TEXT NOT NULL)")
    for index in INDEXES.get(table, ()):
        conn.execute(f"CREATE INDEX IF NOT EXISTS {table}_{'_'.join(index)} ON {_ident(table)} ({', '.join(index)})")


def upgrade_layout(conn: sqlite3.Connection) -> None:
    """Bring an older layout up to this one: add the indexed columns it lacks, filled from the
    records, and their indexes. Runs inside the caller's write transaction."""
    for table, cols in COLUMNS.items():
        have = {r[1] for r in conn.execute(f"PRAGMA table_info({_ident(table)})")}
        if not have:
            create_table(conn, table)
            continue
        missing = [col for col in cols if col not in have]
        for col in missing:
            conn.execute(f"ALTER TABLE {_ident(table)} ADD COLUMN {col}")
        if missing:  # one pass over the records fills every new column
            sets = ", ".join(f"{col} = json_extract(data, '$.{col}')" for col in missing)
            conn.execute(f"UPDATE {_ident(table)} SET {sets}")
        create_table(conn, table)  # the indexes (IF NOT EXISTS)
        wanted = {f"{table}_{'_'.join(index)}" for index in INDEXES.get(table, ())}
        for (name,) in conn.execute("SELECT name FROM sqlite_master WHERE type='index' AND tbl_name=? "
                                    "AND name NOT LIKE 'sqlite_autoindex_%'", (table,)).fetchall():
            if name not in wanted and _NAME.match(name):  # an index of an older layout, superseded
                conn.execute(f'DROP INDEX "{name}"')
    conn.execute(f"PRAGMA user_version = {LAYOUT_VERSION}")


def create_schema(conn: sqlite3.Connection) -> None:
    conn.execute(f"CREATE TABLE IF NOT EXISTS {META_TABLE} (key TEXT PRIMARY KEY NOT NULL, value TEXT NOT NULL)")
    for table in TABLES:
        create_table(conn, table)
    conn.execute(f"PRAGMA user_version = {LAYOUT_VERSION}")


class SqliteBackend:
    """A ledger in one SQLite file, with its ``-wal``/``-shm`` files beside it."""

    name = "sqlite"

    def __init__(self, path: Path) -> None:
        self.path = Path(path)

    def exists(self) -> bool:
        return self.path.exists()

    def size_bytes(self) -> int:
        return sum(p.stat().st_size for p in (self.path, Path(f"{self.path}-wal")) if p.exists())

    def size_hint(self) -> Optional[str]:
        return None  # SQLite reads only what a command asks for, whatever the size

    def _check_header(self) -> bool:
        """Whether the file has content; refuses a file that is not SQLite without opening it."""
        try:
            with open(self.path, "rb") as f:
                head = f.read(len(HEADER))
        except FileNotFoundError:
            return False
        except OSError as e:
            raise LedgerError(f"cannot read the ledger {self.path}: {e.strerror}. Check its permissions.") from e
        if head and head != HEADER:
            raise LedgerError(f"{self.path} is not an inspect-cli ledger (not an SQLite database). "
                              "It was left untouched; point --ledger at an inspect-cli ledger or a new file.")
        return bool(head)

    def _connect(self, uri: str) -> sqlite3.Connection:
        conn = sqlite3.connect(uri, uri=True, isolation_level=None, timeout=lock_timeout(), check_same_thread=False)
        conn.execute(f"PRAGMA busy_timeout = {int(lock_timeout() * 1000)}")
        return conn

    def _check_ours(self, conn: sqlite3.Connection) -> bool:
        """True for our ledger, False for an empty database; LedgerError for anything else."""
        tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}
        version = conn.execute("PRAGMA user_version").fetchone()[0]
        if not tables:
            return False
        if META_TABLE not in tables:
            raise LedgerError(f"{self.path} is an SQLite database of another program (no ledger metadata). "
                              "It was left untouched; point --ledger at an inspect-cli ledger or a new file.")
        from .files import check_format

        row = conn.execute(f"SELECT value FROM {META_TABLE} WHERE key = ?", (META_ID,)).fetchone()
        check_format(json.loads(row[0]) if row else {}, self.path)
        if version > LAYOUT_VERSION:
            raise LedgerError(f"{self.path} was written by a newer inspect-cli (SQLite layout {version}, this "
                              f"version reads up to {LAYOUT_VERSION}). Upgrade inspect-cli: pip install -U inspect-cli")
        return True

    def _error(self, e: sqlite3.Error, doing: str) -> LedgerError:
        if isinstance(e, sqlite3.OperationalError) and "locked" in str(e):
            from ..errors import LedgerBusy

            return LedgerBusy(f"another inspect process is using the ledger {self.path}; nothing was changed. "
                              "Try again when it has finished.")
        return LedgerError(f"cannot {doing} the ledger {self.path}: {e}. Nothing was changed.")

    def _layout(self) -> int:
        try:
            conn = self._connect(self.path.resolve().as_uri() + "?mode=ro")
            try:
                return int(conn.execute("PRAGMA user_version").fetchone()[0])
            finally:
                conn.close()
        except sqlite3.Error as e:
            raise self._error(e, "open") from e

    @contextmanager
    def read(self) -> Iterator[SqliteStore]:
        if self._check_header() and self._layout() < LAYOUT_VERSION:
            with self.write():  # an older layout is upgraded once, under the lock, then read
                pass
        if not self._check_header():
            conn = sqlite3.connect(":memory:", isolation_level=None)  # no file yet: an empty ledger
            create_schema(conn)
            try:
                yield SqliteStore(conn, writable=False)
            finally:
                conn.close()
            return
        try:
            conn = self._connect(self.path.resolve().as_uri() + "?mode=ro")
        except sqlite3.Error as e:
            raise self._error(e, "open") from e
        try:
            try:
                conn.execute("BEGIN DEFERRED")
                self._check_ours(conn)  # its first read fixes the snapshot for the whole transaction
                store = SqliteStore(conn, writable=False)
            except sqlite3.Error as e:
                raise self._error(e, "read") from e
            yield store
        finally:
            try:
                conn.execute("ROLLBACK")
            except sqlite3.Error:
                pass
            conn.close()

    @contextmanager
    def write(self) -> Iterator[SqliteStore]:
        """One write transaction. SQLite's own lock (``BEGIN IMMEDIATE`` with a busy timeout of
        ``INSPECT_LOCK_TIMEOUT``) keeps writers apart across processes, as the JSON backend's
        ``.lock`` file does: a second writer waits, then gets ``LedgerBusy``; a killed writer's
        lock goes with its process. No lock file, so no ``filelock`` import and no extra file."""
        from .files import FORMAT, check_writable

        check_writable(self.path, self.path.parent)
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as e:
            raise LedgerError(f"cannot create the folder {self.path.parent} for the ledger: {e.strerror}") from e
        self._check_header()
        try:
            conn = self._connect(self.path.resolve().as_uri() + "?mode=rwc")
        except sqlite3.Error as e:
            raise self._error(e, "open") from e
        try:
            try:
                self._check_ours(conn)  # refuses a database of another program before touching it
                # WAL: readers keep their snapshot while a command writes. synchronous=FULL
                # fsyncs the WAL at every commit, so a committed command survives SIGKILL
                # (NORMAL would too: the WAL is in the OS cache) *and* power loss, like the
                # JSON backend's fsync + replace; it costs one fsync per write command.
                conn.execute("PRAGMA journal_mode = WAL")
                conn.execute("PRAGMA synchronous = FULL")
                _no_checkpoint_on_close(conn)
                conn.execute("BEGIN IMMEDIATE")
                # under the write lock: another process may have created the ledger meanwhile
                ours = conn.execute(f"SELECT 1 FROM sqlite_master WHERE type='table' AND name='{META_TABLE}'").fetchone()
                if not ours:
                    create_schema(conn)
                elif conn.execute("PRAGMA user_version").fetchone()[0] < LAYOUT_VERSION:
                    upgrade_layout(conn)
                store = SqliteStore(conn, writable=True)
                if not store.meta():
                    store.set_meta({"format": FORMAT, "schema": SCHEMA_VERSION})
            except sqlite3.Error as e:
                raise self._error(e, "open") from e
            try:
                yield store
            except BaseException as e:
                _rollback(conn)
                if isinstance(e, sqlite3.Error):  # a full disk while writing, say: name the cause
                    raise self._error(e, "write") from e
                raise
            try:
                conn.execute("COMMIT")
            except sqlite3.Error as e:
                _rollback(conn)
                raise self._error(e, "write") from e
        finally:
            conn.close()


def _no_checkpoint_on_close(conn: sqlite3.Connection) -> None:
    """Leave the WAL to SQLite's automatic checkpoints instead of checkpointing (and fsyncing
    the database file) when the command's connection closes. Python 3.12+ can say so; on
    older Pythons closing still checkpoints (about 15 ms per write command)."""
    setconfig = getattr(conn, "setconfig", None)
    flag = getattr(sqlite3, "SQLITE_DBCONFIG_NO_CKPT_ON_CLOSE", None)
    if setconfig is not None and flag is not None:
        setconfig(flag, True)
