"""The default backend: one TinyDB JSON file, written atomically under an inter-process lock.

TinyDB's stock ``JSONStorage`` rewrites the file in place (a kill mid-write truncates it)
and each table operation rewrites the whole table, so this backend reads the file once per
transaction through :class:`AtomicJSONStorage`, works on the tables in memory and writes
once at commit: temp file in the same folder, fsync, ``os.replace``, fsync of the folder.
The file stays a TinyDB database (``TinyDB(path, storage=AtomicJSONStorage)`` opens it).
"""
from __future__ import annotations

import json
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Iterable, Iterator, Optional

from tinydb.storages import Storage

from ..errors import LedgerError
from .interface import SCHEMA_VERSION, TABLES, Where, matches, sort_key, standard_tables
from .files import (FORMAT, META_ID, META_TABLE, atomic_write_bytes, check_format,  # noqa: F401
                     fsync_dir, ledger_lock, lock_timeout)

# Every call parses and rewrites the whole file, about 60 ms per MB on the benchmark machine
# (docs/performance.md): above this size a command takes over a second, so suggest SQLite.
HINT_BYTES = 16 * 1024 * 1024


class AtomicJSONStorage(Storage):
    """A TinyDB storage that never writes in place."""

    def __init__(self, path: str, **_: Any) -> None:
        self.path = Path(path)
        self.size = 0

    def read(self) -> Optional[dict[str, dict[str, Any]]]:
        self.size = 0
        try:
            raw = self.path.read_bytes()
            self.size = len(raw)
        except FileNotFoundError:
            return None
        except OSError as e:
            raise LedgerError(f"cannot read the ledger {self.path}: {e.strerror}. Check its permissions.") from e
        if not raw.strip():
            raise LedgerError(f"the ledger {self.path} is empty (0 bytes of data); it was not written by "
                              "inspect-cli or was truncated. It was left untouched: restore it from a backup.")
        try:
            data = json.loads(raw)
        except (ValueError, UnicodeDecodeError) as e:
            raise LedgerError(f"the ledger {self.path} is not valid JSON ({e}). It was left untouched: "
                              "restore it from a backup, or point --ledger at another file.") from e
        if not isinstance(data, dict) or not all(isinstance(v, dict) for v in data.values()):
            raise LedgerError(f"{self.path} is not an inspect-cli ledger (not a TinyDB file). It was left untouched.")
        return data

    def write(self, data: dict[str, dict[str, Any]]) -> None:
        text = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
        try:
            atomic_write_bytes(self.path, text.encode("utf-8"))
        except OSError as e:
            raise LedgerError(f"cannot write the ledger {self.path}: {e.strerror}; nothing was changed.") from e


class MemoryStore:
    """The tables of one transaction, held in memory."""

    def __init__(self, data: dict[str, dict[str, Any]]) -> None:
        self.data = data
        self.dirty = False

    def _table(self, table: str) -> dict[str, Any]:
        return self.data.setdefault(table, {})

    def get(self, table: str, id: str) -> Optional[dict[str, Any]]:
        return self.data.get(table, {}).get(id)

    def put(self, table: str, id: str, record: dict[str, Any]) -> None:
        self._table(table)[id] = record
        self.dirty = True

    def put_many(self, table: str, records: Iterable[tuple[str, dict[str, Any]]]) -> None:
        t = self._table(table)
        for id, record in records:
            t[id] = record
        self.dirty = True

    def find(self, table: str, where: Optional[Where] = None, order_by: Optional[str] = None,
             descending: bool = False, limit: Optional[int] = None, offset: int = 0,
             fields: Optional[tuple[str, ...]] = None) -> list[dict[str, Any]]:
        # ``fields`` is ignored: every record is already decoded in memory
        where = _hashed(where)
        rows = [r for r in self.data.get(table, {}).values() if matches(r, where)]
        if order_by:
            present = sorted((r for r in rows if r.get(order_by) is not None), key=sort_key(order_by), reverse=descending)
            rows = present + [r for r in rows if r.get(order_by) is None]
        return rows[offset: offset + limit if limit is not None else None]

    def count(self, table: str, where: Optional[Where] = None) -> int:
        if not where:
            return len(self.data.get(table, {}))
        where = _hashed(where)
        return sum(1 for r in self.data.get(table, {}).values() if matches(r, where))

    def meta(self) -> dict[str, Any]:
        return dict(self.data.get(META_TABLE, {}).get(META_ID, {}))

    def set_meta(self, meta: dict[str, Any]) -> None:
        self.put(META_TABLE, META_ID, dict(meta))

    def tables(self) -> list[str]:
        return standard_tables(self.data)

    def items(self, table: str) -> list[tuple[str, dict[str, Any]]]:
        return list(self.data.get(table, {}).items())


def _hashed(where: Optional[Where]) -> Optional[Where]:
    """`in` lists as sets, so a condition on 500 ids costs one look-up per record, not 500."""
    if not where:
        return where
    out: Where = {}
    for field, cond in where.items():
        if isinstance(cond, tuple) and cond[0] in ("in", "not in") and isinstance(cond[1], (list, tuple)):
            try:
                cond = (cond[0], frozenset(cond[1]))
            except TypeError:  # unhashable values: keep the list
                pass
        out[field] = cond
    return out


class JsonBackend:
    """A ledger in one JSON file (TinyDB format) with a ``.lock`` file beside it."""

    name = "tinydb"

    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        self.storage = AtomicJSONStorage(str(self.path))
        self.size_read = 0  # bytes at the last read: the CLI hints at SQLite for large ledgers
        self._read_key: Optional[tuple[int, int, int]] = None
        self._read_store = MemoryStore({})
        self.hazard_count = 0

    def exists(self) -> bool:
        return self.path.exists()

    def size_bytes(self) -> int:
        return self.path.stat().st_size if self.path.exists() else 0

    def size_hint(self) -> Optional[str]:
        if self.size_read <= HINT_BYTES:
            return None
        return (f"Hint: this ledger is {self.size_read / 2**20:.0f} MB ({self.hazard_count} hazards); every command "
                f"reads and rewrites all of it. Move it to SQLite: inspect ledger migrate {self.path} "
                f"{self.path.with_suffix('.sqlite')}")

    def _load(self) -> MemoryStore:
        data = self.storage.read()
        store = MemoryStore(data if data is not None else {})
        if data is None:
            return store
        self.hazard_count = len(data.get("hazards", {}))
        self.size_read = self.storage.size
        check_format(store.meta(), self.path)
        return store

    @contextmanager
    def read(self) -> Iterator[MemoryStore]:
        # A command often reads several times (a report: settings, hazards, sites …); parsing a
        # large file once per command instead of once per read. The file is only ever replaced
        # (os.replace), so an unchanged inode, size and mtime mean unchanged content.
        try:
            st = self.path.stat()
            key: Optional[tuple[int, int, int]] = (st.st_ino, st.st_size, st.st_mtime_ns)
        except OSError:
            key = None
        if key is None or key != self._read_key:
            self._read_store, self._read_key = self._load(), key
        yield self._read_store

    def _reuse_read(self) -> Optional[MemoryStore]:
        """The store of an earlier read in this process if the file has not changed since
        (checked under the lock); it is handed over, never shared: the cache is dropped."""
        try:
            st = self.path.stat()
        except OSError:
            return None
        store = self._read_store if self._read_key == (st.st_ino, st.st_size, st.st_mtime_ns) else None
        self._read_key, self._read_store = None, MemoryStore({})
        return store

    @contextmanager
    def write(self) -> Iterator[MemoryStore]:
        with ledger_lock(self.path):
            store = self._reuse_read() or self._load()
            if not store.meta():
                store.set_meta({"format": FORMAT, "schema": SCHEMA_VERSION})
                for t in TABLES:
                    store.data.setdefault(t, {})
            yield store
            if store.dirty:
                self.storage.write(store.data)


