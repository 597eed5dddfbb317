"""A throw-away SQLite file for sorting and matching more keys than memory should hold.

A seal of a city ledger names about 1.5 million records (one line each). Sorting them into
the seal's order, or matching them against the lines of a seal file, in Python lists and
dicts would take hundreds of megabytes; SQLite sorts and joins on disk with a small page
cache. The file lives in a private temporary folder (``TMPDIR``) and is removed on exit,
whatever happens. It is scratch paper, not a ledger: nothing in it outlives the command.
"""
from __future__ import annotations

import sqlite3
import tempfile
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

# the page cache SQLite may use for the scratch file, in KiB (its sorts spill to disk beyond it)
CACHE_KIB = 16 * 1024


@contextmanager
def scratch() -> Iterator[sqlite3.Connection]:
    """A connection to a new, empty scratch database; the file is deleted afterwards."""
    with tempfile.TemporaryDirectory(prefix="inspect-scratch-") as folder:
        conn = sqlite3.connect(str(Path(folder) / "scratch.db"), isolation_level=None)
        try:
            # nothing here needs to survive a crash: no journal, no fsync
            conn.execute("PRAGMA journal_mode = OFF")
            conn.execute("PRAGMA synchronous = OFF")
            conn.execute("PRAGMA temp_store = FILE")
            conn.execute(f"PRAGMA cache_size = -{CACHE_KIB}")
            conn.execute("BEGIN")
            yield conn
        finally:
            conn.close()
