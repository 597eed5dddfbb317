"""What every backend shares: the lock, atomic file replacement, the format check.

Kept free of TinyDB and sqlite3 so that a command loads only the backend it uses.
"""
from __future__ import annotations

import os
from contextlib import contextmanager
from pathlib import Path
from typing import Any, BinaryIO, Iterator

from ..errors import LedgerBusy, LedgerError

META_TABLE = "_meta"
META_ID = "ledger"
FORMAT = "inspect-cli-ledger"
# The newest ledger schema this version reads. New ledgers start at SCHEMA_VERSION (1);
# 2 marks a TinyDB ledger whose large tables are kept in files beside it (storage/tablefiles.py),
# so that an older inspect-cli refuses it instead of seeing only its small tables.
READABLE_SCHEMA = 2


def lock_timeout() -> float:
    text = os.environ.get("INSPECT_LOCK_TIMEOUT", "10")
    try:
        value = float(text)
        if value < 0 or value != value:
            raise ValueError
        return value
    except ValueError:
        from ..errors import UsageError

        raise UsageError(f"INSPECT_LOCK_TIMEOUT={text!r} is not a number of seconds (e.g. 10)") from None


def fsync_dir(folder: Path) -> None:
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return  # not possible on this platform (Windows): os.replace is still atomic
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def atomic_write_bytes(path: Path, data: bytes) -> None:
    """Replace ``path`` with ``data`` so that a crash leaves either the old or the new file."""
    with atomic_writer(path) as f:
        f.write(data)


@contextmanager
def atomic_writer(path: Path) -> Iterator[BinaryIO]:
    """A binary file that replaces ``path`` when the block ends without an error: written
    under a temp name beside it, fsync'ed, given the old file's mode, renamed into place. A
    crash or an error leaves the old file (or none) and no temp file."""
    import tempfile  # lazily: only writes of a ledger file need it (it pulls in shutil, bz2, lzma)

    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "w+b") as f:
            yield f
            f.flush()
            os.fsync(f.fileno())
        if path.exists():
            os.chmod(tmp, path.stat().st_mode & 0o777)
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise
    fsync_dir(path.parent)


def check_writable(*paths: Path) -> None:
    """Refuse, before anything is touched, to write a ledger (or into a folder) made read-only.

    The mode bits are checked as well as access: a process running as root may write anything,
    but a ledger someone made read-only (chmod a-w) is meant to stay as it is."""
    for target in paths:
        try:
            mode = target.stat().st_mode
        except OSError:
            continue  # not there yet: created by the write
        is_dir = target.is_dir()
        if not mode & 0o222 or not os.access(target, os.W_OK | (os.X_OK if is_dir else 0)):
            what = "folder" if is_dir else "ledger file"
            raise LedgerError(f"the {what} {target} is read-only; nothing was changed. Make it writable "
                              "(chmod u+w) or point --ledger at a copy.")


def check_format(meta: dict[str, Any], path: Path) -> None:
    """Refuse ledgers of another program or of a newer inspect-cli."""
    if meta.get("format") != FORMAT:
        raise LedgerError(f"{path} is not an inspect-cli ledger (no ledger metadata). It was left untouched; "
                          "point --ledger at an inspect-cli ledger or a new file.")
    schema = meta.get("schema")
    if not isinstance(schema, int) or schema > READABLE_SCHEMA:
        raise LedgerError(f"{path} was written by a newer inspect-cli (ledger schema {schema}, this version "
                          f"reads up to {READABLE_SCHEMA}). Upgrade inspect-cli: pip install -U inspect-cli")


@contextmanager
def ledger_lock(path: Path) -> Iterator[None]:
    """The inter-process lock of a ledger, held from before its read until after its replace."""
    from filelock import FileLock, Timeout

    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except OSError as e:
        raise LedgerError(f"cannot create the folder {path.parent} for the ledger: {e.strerror}") from e
    timeout = lock_timeout()
    lock = FileLock(str(path) + ".lock", timeout=timeout)
    try:
        lock.acquire()
    except Timeout:
        raise LedgerBusy(f"another inspect process is using the ledger {path} (waited {timeout:g} s); "
                         "nothing was changed. Try again when it has finished.") from None
    except OSError as e:
        raise LedgerError(f"cannot lock the ledger {path}: {e.strerror}; check the folder's permissions.") from e
    try:
        yield
    finally:
        lock.release()
