"""``inspect ledger backup DEST``: a consistent copy of a ledger, evidence included.

The copy is made while the source's write lock is held, so no command changes the ledger
half-way through: every record as one snapshot, then the evidence files it cites. An SQLite
ledger backed up to an SQLite file is copied with SQLite's own backup API (page by page,
the indexes included); any other pair is copied record by record through the storage
interface, as ``inspect ledger migrate`` does. The destination must not exist: a backup
never overwrites anything. The caller then runs ``verify`` on the copy.
"""
from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Optional

from ..errors import LedgerError, NotFound, UsageError
from . import open_backend
from .interface import Backend


def backup(src: Backend, dest_path: Path, dest_backend: Optional[str] = None) -> dict[str, int]:
    """Copy ledger ``src`` to ``dest_path``; returns the records per table and the evidence files copied."""
    from ..paths import evidence_dir
    from .migrate import copy_evidence, counts

    dst = open_backend(Path(dest_path), dest_backend)
    if not src.exists():
        raise NotFound(f"there is no ledger at {src.path} to back up; check --ledger / INSPECT_LEDGER")
    if Path(dst.path).resolve() == Path(src.path).resolve():
        raise UsageError(f"the backup would be the ledger itself ({src.path}): name another file")
    taken = [p for p in (Path(dst.path), evidence_dir(Path(dst.path))) if p.exists()]
    if taken:
        raise UsageError(f"{taken[0]} already exists: a backup never overwrites; name a new file, "
                         f"e.g. {Path(dst.path).with_name(Path(dst.path).stem + '-2' + Path(dst.path).suffix)}")
    with src.write() as st:  # the source's lock: no change can start until the copy is complete
        if src.name == "sqlite" and dst.name == "sqlite":
            _sqlite_backup(Path(src.path), Path(dst.path))
            with dst.read() as copy:
                copied = counts(copy)
        else:
            meta = st.meta()
            data = {t: st.items(t) for t in st.tables()}
            with dst.write() as out:
                out.set_meta(dict(out.meta(), **meta))
                for table, rows in data.items():
                    out.put_many(table, rows)
            copied = {t: len(rows) for t, rows in data.items()}
        copied["evidence files"] = copy_evidence(Path(src.path), Path(dst.path))
    with dst.read() as copy:
        found = counts(copy)
    missing = {t: (n, found.get(t, 0)) for t, n in copied.items() if t != "evidence files" and found.get(t, 0) != n}
    if missing:
        diff = ", ".join(f"{t}: {a} copied, {b} found" for t, (a, b) in missing.items())
        raise LedgerError(f"the backup {dst.path} does not hold every record ({diff}); do not use it")
    return copied


def _sqlite_backup(src: Path, dest: Path) -> None:
    """SQLite's online backup API: a consistent page-by-page copy of the database."""
    dest.parent.mkdir(parents=True, exist_ok=True)
    try:
        source = sqlite3.connect(src.resolve().as_uri() + "?mode=ro", uri=True)
    except sqlite3.Error as e:
        raise LedgerError(f"cannot open {src} to back it up: {e}") from e
    try:
        target = sqlite3.connect(str(dest))
        try:
            source.backup(target)
            target.execute("PRAGMA journal_mode = WAL")
        finally:
            target.close()
    except sqlite3.Error as e:
        dest.unlink(missing_ok=True)
        raise LedgerError(f"the backup of {src} to {dest} failed: {e}; nothing usable was written") from e
    finally:
        source.close()

