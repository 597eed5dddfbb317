"""Storage backends behind one interface (:mod:`.interface`): a TinyDB JSON file, SQLite, or a
PostgreSQL database (a ``postgresql://`` URL: the bureau's shared ledger)."""
from __future__ import annotations

from pathlib import Path
from typing import Optional, Union

from ..errors import UsageError
from .interface import Backend

SQLITE_SUFFIXES = (".sqlite", ".sqlite3", ".db")
PG_PREFIXES = ("postgresql://", "postgres://")


def is_server_url(location: Union[str, Path, None]) -> bool:
    """Whether a ledger location names a PostgreSQL database rather than a file."""
    return isinstance(location, str) and location.lower().startswith(PG_PREFIXES)


def backend_name(path: Union[str, Path], backend: Optional[str] = None) -> str:
    if is_server_url(path):
        if backend not in (None, "postgresql"):
            raise UsageError(f"{path} is a PostgreSQL URL: it cannot be opened with the {backend} backend")
        return "postgresql"
    if backend:
        if backend not in ("tinydb", "sqlite"):
            raise UsageError(f"unknown backend {backend!r}: use tinydb or sqlite (or a postgresql:// URL)")
        return backend
    return "sqlite" if Path(path).suffix.lower() in SQLITE_SUFFIXES else "tinydb"


def open_backend(path: Union[str, Path], backend: Optional[str] = None) -> Backend:
    """The backend of a ledger: a ``postgresql://`` URL, or a file chosen by ``backend`` or by its suffix."""
    name = backend_name(path, backend)
    if name == "postgresql":
        from .postgres import PostgresBackend

        return PostgresBackend(str(path))
    if name == "sqlite":
        from .sqlite import SqliteBackend

        return SqliteBackend(Path(path))
    from .jsonfile import JsonBackend

    return JsonBackend(Path(path))
