"""Copy a ledger between backends (TinyDB JSON ⇄ SQLite) without loss.

Every table is read in one read transaction of the source and written in one write
transaction of the destination, records unchanged (the same JSON values, in the same
order), then the destination is counted again table by table. The destination must not
exist or hold no records; the source is never changed.
"""
from __future__ import annotations

from pathlib import Path
from typing import Optional, Union

from ..errors import LedgerError, UsageError
from . import open_backend
from .interface import Backend, Store

PathLike = Union[str, Path]


def counts(store: Store) -> dict[str, int]:
    """Records per table, the standard tables first."""
    return {t: store.count(t) for t in store.tables()}


def _refuse_nonempty(store: Store, path: Path) -> None:
    held = {t: n for t, n in counts(store).items() if n}
    if held:
        listing = ", ".join(f"{n} {t}" for t, n in held.items())
        raise LedgerError(f"the destination {path} already holds records ({listing}); nothing was copied. "
                          "Migrate into a new file.")


def migrate(src_path: PathLike, dst_path: PathLike, src_backend: Optional[str] = None,
            dst_backend: Optional[str] = None) -> dict[str, int]:
    """Copy every table of ``src_path`` into ``dst_path``; returns the number of records per table."""
    src: Backend = open_backend(Path(src_path), src_backend)
    dst: Backend = open_backend(Path(dst_path), dst_backend)
    if Path(src.path).resolve() == Path(dst.path).resolve():
        raise UsageError(f"the source and the destination are the same file ({src.path})")
    if not src.exists():
        raise LedgerError(f"there is no ledger at {src.path} to migrate")
    if dst.exists():
        with dst.read() as st:
            _refuse_nonempty(st, Path(dst.path))
    with src.read() as st:
        meta = st.meta()
        data = {t: st.items(t) for t in st.tables()}
    with dst.write() as out:
        _refuse_nonempty(out, Path(dst.path))  # filled by another process since the check above
        out.set_meta(dict(out.meta(), **meta))
        for table, rows in data.items():
            out.put_many(table, rows)
    copied = {t: len(rows) for t, rows in data.items()}
    copied["evidence files"] = copy_evidence(Path(src.path), Path(dst.path))
    with dst.read() as st:
        found = {t: st.count(t) for t in copied}
    found["evidence files"] = copied["evidence files"]
    if found != copied:
        diff = ", ".join(f"{t}: {copied[t]} copied, {found[t]} found" for t in copied if found[t] != copied[t])
        raise LedgerError(f"the copy in {dst.path} does not hold every record ({diff}); do not use it")
    return copied


def copy_evidence(src: Path, dst: Path) -> int:
    """Evidence files travel with the ledger: ``SRC.evidence/`` → ``DST.evidence/`` (by content name)."""
    import shutil

    from ..paths import evidence_dir

    source, target = evidence_dir(src), evidence_dir(dst)
    copied = 0
    if source.resolve() == target.resolve() or not source.is_dir():
        return 0
    for f in source.rglob("*"):
        if f.is_file():
            out = target / f.relative_to(source)
            if not out.exists():
                out.parent.mkdir(parents=True, exist_ok=True)
                shutil.copyfile(f, out)
                copied += 1
    return copied

