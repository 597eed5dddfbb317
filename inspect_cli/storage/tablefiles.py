"""The TinyDB ledger's large tables in files of their own, named by content, behind a manifest.

``LEDGER.json`` stays a TinyDB file. It holds the small tables (settings, documents, a
small ``sites`` …) as it always did, and the table ``_layout`` with the manifest of the
large ones. A table whose JSON passes :data:`INLINE_MAX` at a commit moves into
``LEDGER.tables/``, cut into *buckets* of about :data:`BUCKET_BYTES` in insertion order
(new records go to the last bucket; a bucket that grows past twice the size is cut again).
A bucket file is JSON lines: the keys of its records (``[key, …]``), their values of the
table's query columns (``[[value, …], …]``, :data:`COLUMNS`), then one record per line, all
in the same order. Its
name is ``TABLE.<sha256 of its bytes, 20 hex>.json``. Inspections are stored compactly there
(:mod:`.compact`) and read back exactly as they were written.

A command reads the manifest (small) and then only what it touches: ``get`` reads the key
lines and decodes one record's line; a condition, order or count on query columns is
answered from the index lines, and only the records asked for are decoded.

A commit writes the changed buckets as new files (temp name, fsync, rename; a bucket that
did not change keeps its file), fsyncs the folder, and only then replaces ``LEDGER.json``
atomically (:func:`.common.atomic_write_bytes`). A kill at any moment leaves the old
manifest with all its files, or the new one with all of its. Files no manifest names any
more (superseded buckets, leftovers of a killed write) are removed by the next write,
under the lock. A reader opens every file its manifest names before it parses anything,
so a file removed afterwards stays readable to it (POSIX keeps an unlinked open file);
if one vanished between reading the manifest and opening it, the manifest is read again.
"""
from __future__ import annotations

import hashlib
import json
import os
import weakref
from pathlib import Path
from typing import Any, Callable, Iterable, Iterator, Optional

from ..errors import LedgerError
from . import compact
from .interface import _OPS as OPS
from .interface import Where, matches, sort_key

INLINE_MAX = 64 * 1024  # bytes of JSON: a larger table moves out of the main file at a commit
BUCKET_BYTES = 1 << 20  # a bucket is filled to about this size; one is cut again past twice it
LAYOUT_TABLE = "_layout"
LAYOUT_ID = "tables"
LAYOUT_SCHEMA = 2  # ledger schema of a ledger with table files (an older inspect-cli refuses it)
# The query columns of each table (the same fields the SQLite backend indexes). Any other
# table is indexed by key only.
COLUMNS: dict[str, tuple[str, ...]] = {
    "hazards": ("site", "status", "severity", "deadline", "checklist", "domain", "inspection", "created",
                "closed_date"),
    "events": ("subject", "seq", "date"),
    "inspections": ("site", "date", "checklist", "kind", "status", "domain"),
    "sites": ("industry", "risk_class"),
}
# Tables whose records are stored compactly in their bucket files (storage/compact.py).
PACKED = ("inspections",)
# Tables whose records carry their key as "id": a condition on id is answered from the key.
KEYED_BY_ID = ("hazards", "events", "inspections", "draws", "conflicts")

Records = dict[str, dict[str, Any]]


def dumps(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def folder_of(ledger: Path) -> Path:
    """The folder of a ledger's table files: ``ledger.json`` → ``ledger.tables``."""
    return ledger.parent / f"{ledger.stem}.tables"


class Bucket:
    """One file of a table: a line of keys, a line of index rows, then one line per record.

    ``get`` and a check for a key read the first line only; a query on the query columns
    reads the second; records are decoded one by one when asked for, so a command that needs
    50 records of a bucket decodes 50 lines, not the bucket. A commit re-encodes only the
    records it changed and copies the other lines as they are."""

    def __init__(self, entry: dict[str, Any], fd: Optional[int]) -> None:
        self.file: Optional[str] = entry.get("file")
        self.bytes: int = int(entry.get("bytes", 0))
        self.count: int = int(entry.get("count", 0))
        self.fd = fd
        self.lines: Optional[list[bytes]] = None  # every line of the file, once a record was asked for
        self.pos: Optional[dict[str, int]] = None  # key → the line of its record (from 2)
        self.rows: Optional[dict[str, list[Any]]] = None  # key → query column values, in record order
        self.decoded: Records = {}
        self.dirty = False
        self.packed = False  # records stored compactly (storage/compact.py): inspections

    def _head(self, n: int) -> list[bytes]:
        """The first ``n`` lines, without reading the records."""
        if self.lines is not None or self.fd is None:
            return self._read()[:n]
        with open(self.fd, "rb", closefd=False) as f:
            f.seek(0)
            return [f.readline() for _ in range(n)]

    def _read(self) -> list[bytes]:
        """Every line of the file (read when a record is first asked for)."""
        if self.lines is None:
            if self.fd is None:
                self.lines = [b"[]", b"[]"]
            else:
                with open(self.fd, "rb", closefd=False) as f:
                    f.seek(0)
                    self.lines = f.read().split(b"\n")
        return self.lines

    def key_pos(self, where: str) -> dict[str, int]:
        if self.pos is None:
            keys = _parse(self._head(1)[0], where, self.file, list)
            self.pos = {k: n for n, k in enumerate(keys, start=2)}
        return self.pos

    def index(self, where: str) -> dict[str, list[Any]]:
        if self.rows is None:
            pos = self.key_pos(where)
            head = self._head(2)
            rows = _parse(head[1] if len(head) > 1 else b"", where, self.file, list)
            if len(rows) != len(pos):
                raise _damaged(where, self.file, "its index does not match its keys")
            self.rows = dict(zip(pos, rows))
        return self.rows

    def _line(self, n: int, where: str) -> bytes:
        lines = self._read()
        if n >= len(lines):
            raise _damaged(where, self.file, "it is short")
        return lines[n]

    def get(self, key: str, where: str) -> Optional[dict[str, Any]]:
        rec = self.decoded.get(key)
        if rec is None:
            n = self.key_pos(where).get(key)
            if n is None:
                return None
            rec = _parse(self._line(n, where), where, self.file)
            rec = self.decoded[key] = compact.unpack(rec) if self.packed else rec
        return rec

    def load(self, where: str) -> Records:
        """Every record of the bucket, in order (the undecoded ones in one pass: quicker than line by line)."""
        index = self.index(where)
        pos = self.key_pos(where)
        missing = [k for k in index if k not in self.decoded]
        if missing:
            self._line(max(pos[k] for k in missing), where)
            lines = self._read()
            joined = b'{"r":[' + b",".join(lines[pos[k]] for k in missing) + b"]}"
            records = _parse(joined, where, self.file)["r"]
            self.decoded.update(zip(missing, map(compact.unpack, records) if self.packed else records))
        return {k: self.decoded[k] for k in index}

    def put(self, key: str, record: dict[str, Any], columns: tuple[str, ...], where: str) -> None:
        self.index(where)[key] = [record.get(c) for c in columns]
        self.decoded[key] = record
        self.dirty = True

    def encoded(self, where: str) -> list[tuple[str, bytes]]:
        """(key, record line) of every record: changed ones encoded, the others as read."""
        pos = self.key_pos(where)
        out = []
        for key in self.index(where):
            rec = self.decoded.get(key)
            if rec is not None:
                out.append((key, dumps(compact.pack(rec) if self.packed else rec).encode("utf-8")))
            else:
                out.append((key, self._line(pos[key], where)))
        return out


def _damaged(where: str, name: Optional[str], why: str) -> LedgerError:
    return LedgerError(f"the ledger's table file {where}/{name} is damaged ({why}). It was left untouched: "
                       "restore the ledger and its .tables folder from a backup.")


def _parse(raw: bytes, where: str, name: Optional[str], kind: type = dict) -> Any:
    try:
        data = json.loads(raw)
        if not isinstance(data, kind):
            raise ValueError(f"not a {kind.__name__}")
        return data
    except (ValueError, UnicodeDecodeError) as e:
        raise _damaged(where, name, str(e)) from e


class Table:
    """A table kept in bucket files: read by bucket, changed by bucket."""

    def __init__(self, name: str, entry: dict[str, Any], fds: dict[str, int], where: str) -> None:
        self.name = name
        self.where = where
        self.columns: tuple[str, ...] = tuple(entry.get("columns") or COLUMNS.get(name, ()))
        self.buckets = [self._bucket(b, fds.get(b.get("file", ""))) for b in entry.get("buckets", [])]
        self._keys: Optional[dict[str, int]] = None  # key → bucket number

    def _bucket(self, entry: dict[str, Any], fd: Optional[int]) -> Bucket:
        b = Bucket(entry, fd)
        b.packed = self.name in PACKED
        return b

    # reading -----------------------------------------------------------------
    def keys(self) -> dict[str, int]:
        if self._keys is None:
            keys: dict[str, int] = {}
            for n, b in enumerate(self.buckets):
                for k in (b.rows if b.rows is not None else b.key_pos(self.where)):
                    keys[k] = n
            self._keys = keys
        return self._keys

    def count(self) -> int:
        return sum(b.count for b in self.buckets) if self._keys is None else len(self._keys)

    def get(self, key: str) -> Optional[dict[str, Any]]:
        n = self.keys().get(key)
        return None if n is None else self.buckets[n].get(key, self.where)

    def items(self) -> Iterator[tuple[str, dict[str, Any]]]:
        for b in self.buckets:
            yield from b.load(self.where).items()
            if not b.dirty:
                b.lines = None  # every record is decoded: the raw lines are not needed again

    def row(self, key: str, values: list[Any]) -> dict[str, Any]:
        row = dict(zip(self.columns, values))
        if self.name in KEYED_BY_ID:
            row.setdefault("id", key)
        return row

    def indexed(self) -> set[str]:
        return set(self.columns) | ({"id"} if self.name in KEYED_BY_ID else set())

    def candidates(self, where: Where) -> list[tuple[str, int, dict[str, Any]]]:
        """(key, bucket, indexed values) of the records meeting ``where`` (indexed fields only), in order."""
        test = self._predicate(where)
        out = []
        for n, b in enumerate(self.buckets):
            for key, values in b.index(self.where).items():
                if test(key, values):
                    out.append((key, n, self.row(key, values)))
        return out

    def _predicate(self, where: Where) -> Callable[[str, list[Any]], bool]:
        """``where`` (on indexed fields) as a test of a key and its index values: the semantics of
        :func:`.base.matches`, without building a record per row."""
        pos = {c: i for i, c in enumerate(self.columns)}
        tests: list[Callable[[str, list[Any]], bool]] = []
        for field, cond in where.items():
            if field in pos:
                i = pos[field]
                get: Callable[[str, list[Any]], Any] = (lambda i: lambda k, v: v[i] if i < len(v) else None)(i)
            else:  # "id": the key
                get = lambda k, v: k  # noqa: E731
            if isinstance(cond, tuple):
                op = OPS[cond[0]]
                tests.append((lambda get, op, arg: lambda k, v: op(get(k, v), arg))(get, op, cond[1]))
            else:
                tests.append((lambda get, want: lambda k, v: get(k, v) == want)(get, cond))
        if not tests:
            return lambda k, v: True
        if len(tests) == 1:
            return tests[0]
        return lambda k, v: all(t(k, v) for t in tests)

    def records(self, picks: Iterable[tuple[str, int]]) -> list[dict[str, Any]]:
        out = []
        for key, n in picks:
            rec = self.buckets[n].get(key, self.where)
            if rec is not None:
                out.append(rec)
        return out

    def find(self, where: Optional[Where], order_by: Optional[str], descending: bool, limit: Optional[int],
             offset: int, fields: Optional[tuple[str, ...]]) -> list[dict[str, Any]]:
        indexed = self.indexed()
        where = where or {}
        on_index = {f: c for f, c in where.items() if f in indexed}
        rest = {f: c for f, c in where.items() if f not in indexed}
        if not on_index and not rest and not order_by and fields is None:
            return _page(list(self._all()), limit, offset)
        cands = self.candidates(on_index)
        if not rest and (order_by is None or order_by in indexed):
            rows = [r for _, _, r in cands]
            picks = [(k, n) for k, n, _ in cands]
            if order_by:
                order = _ordered(list(range(len(rows))), lambda i: rows[i], order_by, descending)
                picks = [picks[i] for i in order]
                rows = [rows[i] for i in order]
            picks, rows = _page(picks, limit, offset), _page(rows, limit, offset)
            if fields is not None and set(fields) <= indexed:
                return [{f: r.get(f) for f in fields} for r in rows]
            return self.records(picks)
        full = [r for r in self.records((k, n) for k, n, _ in cands) if matches(r, rest)]
        if order_by:
            full = [full[i] for i in _ordered(list(range(len(full))), lambda i: full[i], order_by, descending)]
        return _page(full, limit, offset)

    def count_where(self, where: Optional[Where]) -> int:
        if not where:
            return self.count()
        indexed = self.indexed()
        if set(where) <= indexed:
            return len(self.candidates(where))
        return len(self.find(where, None, False, None, 0, None))

    def problems(self) -> list[str]:
        """Buckets edited outside inspect-cli: bytes that do not match the name, an index row that
        does not match its record, a record whose id is not its key."""
        out = []
        for b in self.buckets:
            if b.file and not b.dirty:
                data = b"\n".join(b._read())
                if not b.file.endswith(f".{hashlib.sha256(data).hexdigest()[:20]}.json"):
                    out.append(f"table file {self.where}/{b.file} does not match its content name "
                               "(edited outside inspect-cli)")
            rows = b.index(self.where)
            for key, rec in b.load(self.where).items():
                wrong = [c for c, v in zip(self.columns, rows[key]) if rec.get(c) != v]
                if self.name in KEYED_BY_ID and rec.get("id") != key:
                    wrong.append("id")
                if wrong:
                    out.append(f"{self.name[:-1]} {key}: the indexed column(s) {', '.join(wrong)} disagree with the "
                               "record (edited outside inspect-cli; lists and counts would show the index)")
        return out

    def _all(self) -> Iterator[dict[str, Any]]:
        for b in self.buckets:
            yield from b.load(self.where).values()
            if not b.dirty:
                b.lines = None  # every record is decoded: the raw lines are not needed again

    # writing -----------------------------------------------------------------
    def put(self, key: str, record: dict[str, Any]) -> None:
        keys = self.keys()
        n = keys.get(key)
        if n is None:
            if not self.buckets or self.buckets[-1].bytes >= BUCKET_BYTES:
                self.buckets.append(self._bucket({}, None))
            n = len(self.buckets) - 1
            keys[key] = n
        self.buckets[n].put(key, record, self.columns, self.where)

    def encode(self, files: dict[str, bytes]) -> list[dict[str, Any]]:
        """The manifest entries of the buckets, adding the bytes of changed ones to ``files``."""
        entries: list[dict[str, Any]] = []
        for b in self.buckets:
            if not b.dirty:
                entries.append({"file": b.file, "bytes": b.bytes, "count": b.count})
                continue
            encoded = b.encoded(self.where)
            rows = b.index(self.where)
            for chunk in _chunks(encoded, sum(len(e) + 1 for _, e in encoded)):
                entries.append(self._write_bucket(chunk, rows, files))
        return entries

    def _write_bucket(self, chunk: list[tuple[str, bytes]], rows: dict[str, list[Any]],
                      files: dict[str, bytes]) -> dict[str, Any]:
        keys = dumps([k for k, _ in chunk]).encode("utf-8")
        index = dumps([rows[k] for k, _ in chunk]).encode("utf-8")
        data = b"\n".join([keys, index, *(e for _, e in chunk)]) + b"\n"
        name = f"{self.name}.{hashlib.sha256(data).hexdigest()[:20]}.json"
        files[name] = data
        return {"file": name, "bytes": len(data), "count": len(chunk)}


def _chunks(encoded: list[tuple[str, bytes]], total: int) -> Iterator[list[tuple[str, bytes]]]:
    """A bucket as it is, or, past twice :data:`BUCKET_BYTES`, cut in order into buckets of about that size."""
    if total <= 2 * BUCKET_BYTES:
        if encoded:
            yield encoded
        return
    chunk: list[tuple[str, bytes]] = []
    size = 0
    for item in encoded:
        chunk.append(item)
        size += len(item[1])
        if size >= BUCKET_BYTES:
            yield chunk
            chunk, size = [], 0
    if chunk:
        yield chunk


def _page(rows: list[Any], limit: Optional[int], offset: int) -> list[Any]:
    return rows[offset: offset + limit if limit is not None else None]


def _ordered(idx: list[int], get: Callable[[int], dict[str, Any]], field: str, descending: bool) -> list[int]:
    """Positions sorted by ``field`` (stable; records without it last, whatever the direction)."""
    key = sort_key(field)
    present = sorted((i for i in idx if get(i).get(field) is not None), key=lambda i: key(get(i)), reverse=descending)
    return present + [i for i in idx if get(i).get(field) is None]


def too_big(records: Records) -> bool:
    """Whether a table's JSON passes :data:`INLINE_MAX` (encoding no more of it than needed to tell)."""
    if len(records) < 2:
        return False
    size = 0
    for key, record in records.items():
        size += len(key) + len(dumps(record)) + 4
        if size > INLINE_MAX:
            return True
    return False


def spill(name: str, records: Records) -> Table:
    """A table leaving the main file: all of its records in new buckets."""
    t = Table(name, {"columns": list(COLUMNS.get(name, ()))}, {}, "")
    b = t._bucket({}, None)
    for k, r in records.items():
        b.put(k, r, t.columns, "")
    t.buckets = [b]
    t._keys = dict.fromkeys(records, 0)
    return t


class Snapshot:
    """The files one manifest names, each opened once (closed when the snapshot is dropped)."""

    def __init__(self, folder: Path, layout: dict[str, Any]) -> None:
        self.folder = folder
        self.layout = layout
        self.fds: dict[str, int] = {}
        names = [b["file"] for entry in layout.values() for b in entry.get("buckets", []) if b.get("file")]
        _room_for(len(names))
        try:
            for name in names:
                self.fds[name] = os.open(folder / name, os.O_RDONLY | getattr(os, "O_BINARY", 0))
        except BaseException:
            _close(list(self.fds.values()))
            raise
        weakref.finalize(self, _close, list(self.fds.values()))

    def table(self, name: str) -> Table:
        return Table(name, self.layout[name], self.fds, str(self.folder))


def _close(fds: list[int]) -> None:
    for fd in fds:
        try:
            os.close(fd)
        except OSError:
            pass


def _room_for(n: int) -> None:
    """Raise the soft limit of open files if a snapshot needs more than it allows (large ledgers)."""
    try:
        import resource
    except ImportError:  # Windows: its limit is far higher
        return
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    want = n + 256
    if soft != resource.RLIM_INFINITY and soft < want:
        new = want if hard == resource.RLIM_INFINITY else min(want, hard)
        try:
            resource.setrlimit(resource.RLIMIT_NOFILE, (new, hard))
        except (ValueError, OSError):
            pass


def write_files(folder: Path, files: dict[str, bytes]) -> None:
    """Each new table file under a temp name, fsynced, renamed to its content name; then the folder fsynced."""
    from .files import fsync_dir

    if not files:
        return
    folder.mkdir(parents=True, exist_ok=True)
    for name, data in files.items():
        target = folder / name
        if target.exists() and target.stat().st_size == len(data):
            continue  # named by content: the same bytes are already there
        tmp = folder / f".{name}.{os.getpid()}.tmp"
        try:
            with open(tmp, "wb") as f:
                f.write(data)
                f.flush()
                os.fsync(f.fileno())
            os.replace(tmp, target)
        except BaseException:
            try:
                os.unlink(tmp)
            except OSError:
                pass
            raise
    fsync_dir(folder)


def sweep(folder: Path, keep: set[str]) -> None:
    """Remove what no manifest names any more: superseded buckets and leftovers of killed writes.

    Called under the ledger's lock only (no other writer can be between writing its files and
    its manifest). Readers hold their files open, so removing them does not disturb a read."""
    try:
        entries = list(os.scandir(folder))
    except OSError:
        return
    for e in entries:
        if e.name in keep or not e.is_file(follow_symlinks=False):
            continue
        if e.name.endswith(".tmp") or (e.name.endswith(".json") and e.name.count(".") == 2):
            try:
                os.unlink(e.path)
            except OSError:
                pass  # Windows keeps a file open elsewhere: removed by a later write
