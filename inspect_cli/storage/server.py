"""``inspect ledger init`` and ``inspect ledger upgrade`` on a PostgreSQL ledger (one transaction each)."""
from __future__ import annotations

import os
import re
from typing import Any, Optional

from ..errors import UsageError
from . import is_server_url

ROLE = re.compile(r"[a-z_][a-z0-9_$]{0,62}\Z")


def _backend(url: Optional[str]) -> Any:
    url = url or os.environ.get("INSPECT_LEDGER")
    if not is_server_url(url):
        raise UsageError(f"{url or 'the default ledger'} is a ledger file: init and upgrade are for a "
                         "postgresql://USER@HOST/DB ledger (a file ledger is created by its first write and "
                         "upgraded by itself)")
    from .postgres import PostgresBackend

    return PostgresBackend(str(url))


def _run(url: Optional[str], step: Any) -> dict[str, Any]:
    from .postgres import driver

    backend = _backend(url)
    psycopg = driver()
    conn = backend.connect()
    try:
        try:
            done = step(conn)
            conn.commit()
        except psycopg.Error as e:
            conn.rollback()
            raise backend._error(e, "set up") from None
    finally:
        conn.close()
    return {"ledger": backend.path, "done": done}


def init(url: str, writer: str, reader: str) -> dict[str, Any]:
    from .pgschema import init_ledger

    for role in (writer, reader):
        if not ROLE.match(role):
            raise UsageError(f"{role!r} is not a plain role name (lower-case letters, digits, _; e.g. inspect_writer)")
    if writer == reader:
        raise UsageError("the writer and reader roles must differ")
    return _run(url, lambda conn: init_ledger(conn, writer, reader))


def upgrade(url: Optional[str]) -> dict[str, Any]:
    from .pgschema import upgrade as run

    return _run(url, run)
