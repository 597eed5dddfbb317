"""Evidence files (photos, documents), copied beside the ledger under their sha256.

A file is addressed only by its content hash: records cite ``{sha256, size, name, file}``
where ``file`` is always ``ab/abcdef…<.ext>`` derived from the hash (:func:`canonical_file`).
:func:`resolve` is the only way from a record to a path, and it refuses anything else, so a
record (from a bundle, or edited) can never make a report read ``/etc/passwd``.
"""
from __future__ import annotations

import hashlib
import os
import re
import tempfile
from pathlib import Path
from typing import IO, Any, Iterable, Optional

from .errors import ValidationFailed

MAX_EVIDENCE_BYTES = 200 * 1024 * 1024
_SHA = re.compile(r"[0-9a-f]{64}\Z")
_EXT = re.compile(r"(\.[a-z0-9]{1,10})?\Z")
_FILE = re.compile(r"([0-9a-f]{2})/([0-9a-f]{64})(\.[a-z0-9]{1,10})?\Z")


def check_files(paths: Iterable[Path]) -> list[str]:
    """Problems with evidence paths, before anything is copied."""
    out = []
    for p in paths:
        if p.is_dir():
            out.append(f"evidence {p} is a folder: name the files in it")
        elif not p.is_file():
            out.append(f"evidence file {p} does not exist")
        elif p.stat().st_size > MAX_EVIDENCE_BYTES:
            out.append(f"evidence file {p} is over {MAX_EVIDENCE_BYTES // 2**20} MiB")
    return out


def suffix_of(name: str) -> str:
    ext = Path(name).suffix.lower()
    return ext if _EXT.match(ext) else ""


def canonical_file(digest: str, suffix: str) -> str:
    return f"{digest[:2]}/{digest}{suffix}"


def store_files(paths: Iterable[Path], folder: Path) -> list[dict[str, Any]]:
    """Copy files into ``folder/ab/abcdef…`` (content-addressed, so a copy is never lost
    or duplicated) and return ``{sha256, size, name, file}`` for each."""
    paths = list(paths)
    problems = check_files(paths)
    if problems:
        raise ValidationFailed("evidence cannot be stored", problems)
    out = []
    for p in paths:
        digest = sha256_file(p)
        rel = canonical_file(digest, suffix_of(p.name))
        target = folder / rel
        size = p.stat().st_size
        if not _intact(target, size):
            with open(p, "rb") as src:
                tmp = write_temp(src, target.parent)
            place(tmp, target)
        out.append({"sha256": digest, "size": size, "name": p.name, "file": rel})
    return out


def _intact(target: Path, size: int) -> bool:
    try:
        return target.is_file() and target.stat().st_size == size
    except OSError:
        return False


def write_temp(src: IO[bytes], folder: Path, limit: int = MAX_EVIDENCE_BYTES) -> tuple[Path, str, int]:
    """Copy a stream to a fresh temp file in ``folder`` (fsynced); ``(path, sha256, size)``.
    Each writer has its own temp name, so concurrent writers of the same file never meet."""
    folder.mkdir(parents=True, exist_ok=True)
    fd, name = tempfile.mkstemp(prefix=".evidence.", suffix=".part", dir=folder)
    h, size = hashlib.sha256(), 0
    try:
        with os.fdopen(fd, "wb") as f:
            for chunk in iter(lambda: src.read(1 << 20), b""):
                size += len(chunk)
                if size > limit:
                    raise ValidationFailed(f"an evidence file is over {limit // 2**20} MiB")
                h.update(chunk)
                f.write(chunk)
            f.flush()
            os.fsync(f.fileno())
    except BaseException:
        discard(Path(name))
        raise
    return Path(name), h.hexdigest(), size


def place(tmp: tuple[Path, str, int], target: Path) -> None:
    """Rename a written temp file to its final name (atomic; the same content from another
    writer may already be there, which is just as good) and make the rename durable."""
    from .storage.files import fsync_dir

    os.replace(tmp[0], target)
    fsync_dir(target.parent)


STALE_TEMP_SECONDS = 3600


def remove_stale_temps(folder: Path, now: Optional[float] = None) -> int:
    """Remove temp files that killed copies left in the evidence folder. Only those older than
    an hour: a writer outside the ledger's lock may be filling a fresh one right now."""
    import time

    limit = (now if now is not None else time.time()) - STALE_TEMP_SECONDS
    removed = 0
    for tmp in folder.glob("*/.evidence.*.part") if folder.is_dir() else []:
        try:
            if tmp.stat().st_mtime < limit:
                tmp.unlink()
                removed += 1
        except OSError:
            pass
    return removed


def discard(path: Path) -> None:
    try:
        path.unlink()
    except OSError:
        pass


def reference_problems(ref: Any, where: str) -> list[str]:
    """Why an evidence reference in a record is not one inspect-cli writes (by hash only)."""
    if not isinstance(ref, dict):
        return [f"{where}: an evidence entry is not a record"]
    sha = ref.get("sha256")
    if not isinstance(sha, str) or not _SHA.match(sha):
        return [f"{where}: evidence {str(ref.get('name'))[:60]!r} has no sha256 content hash"]
    out = []
    f = ref.get("file")
    if f is not None:
        m = _FILE.match(str(f)) if isinstance(f, str) else None
        if not m or m.group(2) != sha or m.group(1) != sha[:2]:
            out.append(f"{where}: evidence {str(f)[:80]!r} is not addressed by its content hash "
                       f"(expected {sha[:2]}/{sha}<.ext>)")
    name = ref.get("name")
    if name is not None and (not isinstance(name, str) or "/" in name or "\\" in name or "\x00" in name):
        out.append(f"{where}: evidence name {str(name)[:60]!r} must be a plain file name")
    size = ref.get("size")
    if size is not None and (not isinstance(size, int) or isinstance(size, bool) or size < 0):
        out.append(f"{where}: evidence {sha[:12]} has a size that is not a number of bytes")
    return out


def resolve(folder: Path, ref: Any) -> Optional[Path]:
    """The stored file of an evidence reference, or None when it is not content-addressed."""
    if not isinstance(ref, dict) or reference_problems(ref, ""):
        return None
    f = ref.get("file")
    return folder / str(f) if f else None


def file_problems(folder: Path, ref: dict[str, Any], where: str, check_hash: bool = True) -> list[str]:
    """Whether the cited file is in the evidence folder, whole and unchanged."""
    path = resolve(folder, ref)
    if path is None:
        return []
    if not path.is_file():
        return [f"{where}: evidence file {ref.get('file')} is missing"]
    size = path.stat().st_size
    if isinstance(ref.get("size"), int) and size != ref["size"]:
        return [f"{where}: evidence file {ref.get('file')} has {size} bytes, {ref['size']} were recorded "
                "(cut short or changed; importing a bundle that holds it repairs it)"]
    if check_hash and sha256_file(path) != ref["sha256"]:
        return [f"{where}: evidence file {ref.get('file')} does not match its content hash (changed)"]
    return []


def sha256_file(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()
