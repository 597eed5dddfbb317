"""Storage backends behind one interface (:mod:`.interface`): a TinyDB JSON file, or SQLite."""
from __future__ import annotations

from pathlib import Path
from typing import Optional

from ..errors import UsageError
from .interface import Backend

SQLITE_SUFFIXES = (".sqlite", ".sqlite3", ".db")


def backend_name(path: Path, backend: Optional[str] = None) -> str:
    if backend:
        if backend not in ("tinydb", "sqlite"):
            raise UsageError(f"unknown backend {backend!r}: use tinydb or sqlite")
        return backend
    return "sqlite" if path.suffix.lower() in SQLITE_SUFFIXES else "tinydb"


def open_backend(path: Path, backend: Optional[str] = None) -> Backend:
    """The backend for a ledger file: chosen by ``backend`` or by the file's suffix."""
    if backend_name(path, backend) == "sqlite":
        from .sqlite import SqliteBackend

        return SqliteBackend(path)
    from .jsonfile import JsonBackend

    return JsonBackend(path)
