"""Evidence kept inside the ledger (the typed extension :class:`.interface.EvidenceStore`).

A ledger file keeps its evidence files beside it (``NAME.evidence/ab/abcdef….jpg``); its store
has no evidence methods and nothing here applies to it. A PostgreSQL ledger keeps them in the
database under the same content names, so one ``pg_dump`` holds everything: the :class:`Ledger`
stages new files in a folder of its own and :func:`keep_folder` stores them in the transaction
of the command that names them; :func:`fetch_named` brings back the ones a report shows.
"""
from __future__ import annotations

import re
from pathlib import Path
from typing import Any, Iterable, Optional

from .interface import EvidenceStore, Store


def evidence_store(store: Store) -> Optional[EvidenceStore]:
    """The store's evidence methods, or None for a ledger whose evidence lives beside it."""
    if all(callable(getattr(store, m, None)) for m in ("evidence_names", "read_evidence", "keep_evidence")):
        return store  # type: ignore[return-value]
    return None


CONTENT_NAME = re.compile(r"[0-9a-f]{2}/[0-9a-f]{64}(\.[a-z0-9]{1,10})?\Z")


def _files(folder: Path) -> Iterable[tuple[str, Path]]:
    """The content-named files of a folder (temporary files of a copy under way are not)."""
    if folder.is_dir():
        for f in sorted(folder.rglob("*")):
            name = f.relative_to(folder).as_posix()
            if f.is_file() and CONTENT_NAME.match(name):
                yield name, f


def keep_folder(store: Store, folder: Path, skip: Iterable[str] = ()) -> set[str]:
    """Store every file of ``folder`` (content-named) that is not in ``skip``; the names handled."""
    ev = evidence_store(store)
    done: set[str] = set()
    if ev is None:
        return done
    skipped = set(skip)
    for name, path in _files(folder):
        if name not in skipped:
            ev.keep_evidence(name, path.read_bytes())
            done.add(name)
    return done


def fetch_named(store: Store, names: Iterable[str], folder: Path) -> int:
    """Write the named files from the ledger into ``folder``; how many were found."""
    ev = evidence_store(store)
    found = 0
    if ev is None:
        return 0
    for name in names:
        if ".." in Path(name).parts or Path(name).is_absolute():
            continue
        data = ev.read_evidence(name)
        if data is not None:
            target = folder / name
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(data)
            found += 1
    return found


def names_in(records: Any) -> list[str]:
    """The evidence names (``file``) that events, answers or cases mention, however nested."""
    out: list[str] = []

    def walk(x: Any) -> None:
        if isinstance(x, dict):
            f = x.get("file")
            if isinstance(f, str) and isinstance(x.get("sha256"), str):
                out.append(f)
            for v in x.values():
                walk(v)
        elif isinstance(x, list):
            for v in x:
                walk(v)

    walk(records)
    return sorted(set(out))


def file_problems(store: EvidenceStore, ref: dict[str, Any], where: str) -> list[str]:
    """Like :func:`inspect_cli.evidence.file_problems`, for a file kept inside the ledger."""
    import hashlib

    name = ref.get("file")
    if not isinstance(name, str) or not name:
        return []
    data = store.read_evidence(name)
    if data is None:
        return [f"{where}: evidence file {name} is missing from the ledger"]
    if isinstance(ref.get("size"), int) and len(data) != ref["size"]:
        return [f"{where}: evidence file {name} has {len(data)} bytes, {ref['size']} were recorded"]
    if hashlib.sha256(data).hexdigest() != ref.get("sha256"):
        return [f"{where}: evidence file {name} does not match its content hash (changed)"]
    return []
