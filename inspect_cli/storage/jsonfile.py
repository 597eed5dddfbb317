"""The default backend: a TinyDB JSON ledger, written atomically under an inter-process lock.

A small ledger is one TinyDB file, as it always was. Once a table grows past
:data:`.tablefiles.INLINE_MAX` it moves into content-named bucket files in ``LEDGER.tables/``
and the main file keeps the small tables plus a manifest of the large ones (the layout is
in :mod:`.tablefiles` and ``docs/ledger.md``). A command parses the main file and then only
the buckets it touches; a commit writes the changed buckets as new files, fsyncs them, and
then replaces the main file atomically (temp file in the same folder, fsync, ``os.replace``,
fsync of the folder), so a kill at any moment leaves the old or the new ledger whole.
``TinyDB(path, storage=AtomicJSONStorage)`` still opens it (all tables, loaded).
"""
from __future__ import annotations

import json
import os
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Iterable, Iterator, Optional

from tinydb.storages import Storage

from ..errors import LedgerError
from .interface import SCHEMA_VERSION, TABLES, Where, count_records, matches, sort_key, standard_tables
from .files import (FORMAT, META_ID, META_TABLE, atomic_write_bytes, check_format,  # noqa: F401
                    check_writable, ledger_lock)
from . import tablefiles as tf

# A command reads the main file and the buckets it touches, so time no longer grows with the
# whole file; what still grows is the scan of every record (stats, reports, export). Above this
# total size (about 20k hazards of a realistic ledger, docs/performance.md) suggest SQLite.
HINT_BYTES = 128 * 1024 * 1024


class AtomicJSONStorage(Storage):
    """A TinyDB storage over the ledger's layout: reads every table, writes through a commit."""

    def __init__(self, path: str, **_: Any) -> None:
        self.backend = JsonBackend(Path(path))

    def read(self) -> Optional[dict[str, dict[str, Any]]]:
        if not self.backend.exists():
            return None
        with self.backend.read() as st:
            return {t: dict(st.items(t)) for t in st.names()}

    def write(self, data: dict[str, dict[str, Any]]) -> None:
        self.backend.replace_all(data)


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

    def count_by(self, table: str, by: tuple[str, ...], where: Optional[Where] = None,
                 distinct: Optional[str] = None) -> dict[tuple[Any, ...], int]:
        return count_records(self.find(table, where), by, distinct)

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


class FileStore:
    """The tables of one transaction: small ones from the main file, large ones bucket by bucket."""

    def __init__(self, inline: dict[str, dict[str, Any]], snapshot: Optional[tf.Snapshot]) -> None:
        self.inline = inline
        self.snapshot = snapshot
        self.layout: dict[str, Any] = dict(snapshot.layout) if snapshot else {}
        self.opened: dict[str, tf.Table] = {}
        self.dirty = False

    def names(self) -> list[str]:
        """Every table of the ledger, internal ones (``_meta``) included."""
        return [t for t in self.inline if t != tf.LAYOUT_TABLE] + [t for t in self.layout if t not in self.inline]

    def tables(self) -> list[str]:
        return standard_tables(self.names())

    def _spilled(self, table: str) -> Optional[tf.Table]:
        if table not in self.layout:
            return None
        t = self.opened.get(table)
        if t is None:
            assert self.snapshot is not None
            t = self.opened[table] = self.snapshot.table(table)
        return t

    def items(self, table: str) -> list[tuple[str, dict[str, Any]]]:
        """Every (key, record) of a table, in insertion order."""
        t = self._spilled(table)
        return list(t.items()) if t else list(self.inline.get(table, {}).items())

    def get(self, table: str, id: str) -> Optional[dict[str, Any]]:
        t = self._spilled(table)
        return t.get(id) if t else self.inline.get(table, {}).get(id)

    def put(self, table: str, id: str, record: dict[str, Any]) -> None:
        t = self._spilled(table)
        if t:
            t.put(id, record)
        else:
            self.inline.setdefault(table, {})[id] = record
        self.dirty = True

    def put_many(self, table: str, records: Iterable[tuple[str, dict[str, Any]]]) -> None:
        t = self._spilled(table)
        if t:
            for id, record in records:
                t.put(id, record)
        else:
            target = self.inline.setdefault(table, {})
            for id, record in records:
                target[id] = record
        self.dirty = True

    def find(self, table: str, where: Optional[Where] = None, order_by: Optional[str] = None,
             descending: bool = False, limit: Optional[int] = None, offset: int = 0,
             fields: Optional[tuple[str, ...]] = None) -> list[dict[str, Any]]:
        t = self._spilled(table)
        if t:
            return t.find(_hashed(where), order_by, descending, limit, offset, fields)
        return MemoryStore(self.inline).find(table, where, order_by, descending, limit, offset, fields)

    def count(self, table: str, where: Optional[Where] = None) -> int:
        t = self._spilled(table)
        if t:
            return t.count_where(_hashed(where))
        return MemoryStore(self.inline).count(table, where)

    def count_by(self, table: str, by: tuple[str, ...], where: Optional[Where] = None,
                 distinct: Optional[str] = None) -> dict[tuple[Any, ...], int]:
        # the in-Python GROUP BY of storage/interface.py over the matching records
        return count_records(self.find(table, where), by, distinct)

    def meta(self) -> dict[str, Any]:
        return dict(self.inline.get(META_TABLE, {}).get(META_ID, {}))

    def set_meta(self, meta: dict[str, Any]) -> None:
        self.put(META_TABLE, META_ID, dict(meta))

    def column_mismatches(self, limit: int = 100) -> list[str]:
        """What ``inspect verify`` must hear about the table files: a bucket whose bytes no longer
        match its content name, or whose index line disagrees with its records (edited outside
        inspect-cli: lists and counts, answered from the index, would show something else)."""
        out: list[str] = []
        for name in self.layout:
            t = self._spilled(name)
            assert t is not None
            out += t.problems()
            if len(out) >= limit:
                break
        return out[:limit]

    def commit(self) -> tuple[bytes, dict[str, bytes], set[str]]:
        """(the new main file, the new table files by name, every table file it names)."""
        files: dict[str, bytes] = {}
        layout: dict[str, Any] = {}
        for name, entry in self.layout.items():
            t = self.opened.get(name)
            if t is not None and any(b.dirty for b in t.buckets):
                entry = {"columns": list(t.columns), "buckets": t.encode(files)}
            layout[name] = entry
        inline: dict[str, dict[str, Any]] = {}
        for name, records in self.inline.items():
            if name == tf.LAYOUT_TABLE:
                continue
            if not name.startswith("_") and tf.too_big(records):
                t = tf.spill(name, records)
                layout[name] = {"columns": list(t.columns), "buckets": t.encode(files)}
            else:
                inline[name] = records
        if layout:
            meta = dict(inline.get(META_TABLE, {}).get(META_ID, {}))
            if meta and int(meta.get("schema") or 0) < tf.LAYOUT_SCHEMA:
                inline[META_TABLE] = dict(inline[META_TABLE], **{META_ID: dict(meta, schema=tf.LAYOUT_SCHEMA)})
            inline[tf.LAYOUT_TABLE] = {tf.LAYOUT_ID: layout}
        names = {b["file"] for entry in layout.values() for b in entry["buckets"]}
        return tf.dumps(inline).encode("utf-8"), files, names


def _names(layout: dict[str, Any]) -> set[str]:
    return {b["file"] for entry in layout.values() for b in entry.get("buckets", []) if b.get("file")}


class JsonBackend:
    """A TinyDB ledger: ``LEDGER.json`` (and ``LEDGER.tables/`` once large), a ``.lock`` file beside it."""

    name = "tinydb"

    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        self.size_read = 0  # bytes at the last read (main file and table files): the CLI hints at SQLite
        self._read_key: Optional[tuple[int, int, int]] = None
        self._read_store: Optional[FileStore] = None
        self.hazard_count = 0

    def exists(self) -> bool:
        return self.path.exists()

    def size_bytes(self) -> int:
        """The main file and, for a large ledger, its table files."""
        real = self.real_path()
        if not real.exists():
            return 0
        tables = tf.folder_of(real)
        extra = sum(f.stat().st_size for f in tables.iterdir() if f.is_file()) if tables.is_dir() else 0
        return real.stat().st_size + extra

    def size_hint(self) -> Optional[str]:
        if self.size_read <= HINT_BYTES:
            return None
        return (f"Hint: this ledger is {self.size_read / 2**20:.0f} MB ({self.hazard_count} hazards); commands that "
                f"read every record (stats, reports, export) slow down as it grows. Move it to SQLite: "
                f"inspect ledger migrate {self.path} {self.path.with_suffix('.sqlite')}")

    def real_path(self) -> Path:
        """The file itself: a symlinked ledger is read and written through to its target."""
        return self.path.resolve() if self.path.is_symlink() else self.path

    def _read_main(self, path: Path) -> Optional[dict[str, dict[str, Any]]]:
        try:
            raw = path.read_bytes()
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
        self.size_read = len(raw)
        return data

    def _load(self) -> FileStore:
        real = self.real_path()
        for attempt in range(20):
            data = self._read_main(real)
            if data is None:
                return FileStore({}, None)
            check_format(dict(data.get(META_TABLE, {}).get(META_ID, {})), self.path)
            layout = data.get(tf.LAYOUT_TABLE, {}).get(tf.LAYOUT_ID) or {}
            if not layout:
                self.hazard_count = len(data.get("hazards", {}))
                return FileStore(data, None)
            folder = tf.folder_of(real)
            try:
                snapshot = tf.Snapshot(folder, layout)
            except FileNotFoundError as e:
                if attempt < 19 and self._read_main(real) != data:
                    continue  # a writer replaced the manifest meanwhile: read the new one
                raise LedgerError(f"the ledger {self.path} names a table file that is missing ({e.filename}). "
                                  f"Its tables are kept in {folder.name}/ beside it: copy or restore that folder "
                                  "with the ledger.") from e
            except OSError as e:
                raise LedgerError(f"cannot read the ledger's tables in {folder}: {e.strerror}.") from e
            self.size_read += sum(int(b.get("bytes", 0)) for entry in layout.values() for b in entry.get("buckets", []))
            self.hazard_count = (sum(int(b.get("count", 0)) for b in layout["hazards"].get("buckets", []))
                                 if "hazards" in layout else len(data.get("hazards", {})))
            return FileStore(data, snapshot)
        raise LedgerError(f"the ledger {self.path} kept changing while it was read; try again.")

    def _key(self) -> Optional[tuple[int, int, int]]:
        try:
            st = self.real_path().stat()
            return (st.st_ino, st.st_size, st.st_mtime_ns)
        except OSError:
            return None

    @contextmanager
    def read(self) -> Iterator[FileStore]:
        # A command often reads several times (a report: settings, hazards, sites …): one
        # snapshot per command while the main file is unchanged. It is only ever replaced
        # (os.replace), so an unchanged inode, size and mtime mean unchanged content.
        key = self._key()
        if key is None or key != self._read_key or self._read_store is None:
            self._read_store, self._read_key = self._load(), key
        yield self._read_store

    def _reuse_read(self) -> Optional[FileStore]:
        """The store of an earlier read in this process if the ledger has not changed since
        (checked under the lock); it is handed over, never shared: the cache is dropped."""
        key = self._key()
        store = self._read_store if key is not None and self._read_key == key else None
        self._read_key, self._read_store = None, None
        return store

    def _check_writable(self, real: Path) -> None:
        check_writable(real, real.parent, tf.folder_of(real))

    @contextmanager
    def write(self) -> Iterator[FileStore]:
        real = self.real_path()
        self._check_writable(real)
        with ledger_lock(real):
            store = self._reuse_read() or self._load()
            folder = tf.folder_of(real)
            _remove_temps(real)
            tf.sweep(folder, _names(store.layout))
            if not store.meta():
                store.set_meta({"format": FORMAT, "schema": SCHEMA_VERSION})
                for t in TABLES:
                    if t not in store.layout:
                        store.inline.setdefault(t, {})
            yield store
            if store.dirty:
                self._commit(store, real, folder)

    def _commit(self, store: FileStore, real: Path, folder: Path) -> None:
        main, files, names = store.commit()
        try:
            tf.write_files(folder, files)
        except OSError as e:
            tf.sweep(folder, _names(store.layout))  # the new files of this failed commit
            raise self._write_error(e) from e
        try:
            atomic_write_bytes(real, main)
        except OSError as e:
            # the old main file is in place (or, if only the final folder fsync failed, the new
            # one): the next write sweeps whichever files its manifest does not name
            raise self._write_error(e) from e
        tf.sweep(folder, names)

    def _write_error(self, e: OSError) -> LedgerError:
        return LedgerError(f"cannot write the ledger {self.path}: {e.strerror or e}; nothing was changed.")

    def replace_all(self, data: dict[str, dict[str, Any]]) -> None:
        """Write ``data`` as the whole ledger (TinyDB's ``Storage.write``)."""
        real = self.real_path()
        self._check_writable(real)
        with ledger_lock(real):
            self._read_key, self._read_store = None, None
            store = FileStore({k: dict(v) for k, v in data.items() if k != tf.LAYOUT_TABLE}, None)
            store.dirty = True
            self._commit(store, real, tf.folder_of(real))


def _remove_temps(real: Path) -> None:
    """Temp files of main-file writes that were killed before their rename (under the lock)."""
    prefix = f".{real.name}."
    try:
        entries = list(os.scandir(real.parent))
    except OSError:
        return
    for e in entries:
        if e.name.startswith(prefix) and e.name.endswith(".tmp"):
            try:
                os.unlink(e.path)
            except OSError:
                pass
