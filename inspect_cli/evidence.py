"""Evidence files (photos, documents), copied beside the ledger under their sha256."""
from __future__ import annotations

import hashlib
import os
import shutil
from pathlib import Path
from typing import Any, Iterable

from .errors import ValidationFailed

MAX_EVIDENCE_BYTES = 200 * 1024 * 1024


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


def store_files(paths: Iterable[Path], folder: Path) -> list[dict[str, Any]]:
    """Copy files into ``folder/ab/abcdef…`` (content-addressed, so a copy is never lost
    or duplicated) and return ``{sha256, size, name}`` for each."""
    paths = list(paths)
    problems = check_files(paths)
    if problems:
        raise ValidationFailed("evidence cannot be stored", problems)
    out = []
    for p in paths:
        digest = sha256_file(p)
        target = folder / digest[:2] / (digest + p.suffix.lower())
        if not target.exists():
            target.parent.mkdir(parents=True, exist_ok=True)
            tmp = target.with_name(target.name + ".part")
            shutil.copyfile(p, tmp)
            os.replace(tmp, target)
        out.append({"sha256": digest, "size": p.stat().st_size, "name": p.name, "file": f"{digest[:2]}/{target.name}"})
    return out


def sha256_file(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()
