"""Copy a ledger between backends (TinyDB JSON ⇄ SQLite) without loss.

Every table is read in one read transaction of the source and written in one write
transaction of a new ledger under a temp name beside the destination, records unchanged
(the same JSON values, in the same order); that copy is counted again table by table and
only then renamed to the destination. The destination must not exist or hold no records;
the source is never changed.
"""
from __future__ import annotations

import os
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
    """Copy every table of ``src_path`` into ``dst_path``; returns the number of records per table.

    The copy is built under a temp name beside the destination and renamed to it only once it
    is complete and counted, all under the destination's lock: a killed migrate leaves no
    destination (its temp files are removed by the next migrate), and a later one simply runs."""
    from . import backend_name
    from .files import ledger_lock

    src: Backend = open_backend(Path(src_path), src_backend)
    dst: Backend = open_backend(Path(dst_path), dst_backend)
    kind = backend_name(Path(dst_path), dst_backend)
    if Path(src.path).resolve() == Path(dst.path).resolve():
        raise UsageError(f"the source and the destination are the same file ({src.path})")
    if not src.exists():
        raise LedgerError(f"there is no ledger at {src.path} to migrate")
    final = Path(dst.path)
    with ledger_lock(final):
        if dst.exists():
            with dst.read() as st:
                _refuse_nonempty(st, final)
        _remove_partial(final)
        tmp = final.parent / f"{TEMP_PREFIX}{final.name}.{os.getpid()}{final.suffix}"
        try:
            copied = _copy(src, open_backend(tmp, kind), tmp)
            copied["evidence files"] = copy_evidence(Path(src.path), final)
            _put_in_place(tmp, final, kind)
        finally:
            _remove_partial(final)
    return copied


TEMP_PREFIX = ".migrating."


def _copy(src: Backend, out_backend: Backend, tmp: Path) -> dict[str, int]:
    """Every table of ``src`` into the new ledger ``tmp`` in one write, counted again after."""
    with src.read() as st:
        meta = st.meta()
        data = {t: st.items(t) for t in st.tables()}
    with out_backend.write() as out:
        out.set_meta(dict(out.meta(), **meta))
        for table, rows in data.items():
            out.put_many(table, rows)
    copied = {t: len(rows) for t, rows in data.items()}
    with out_backend.read() as st:
        found = {t: st.count(t) for t in copied}
    if found != copied:
        diff = ", ".join(f"{t}: {copied[t]} copied, {found[t]} found" for t in copied if found[t] != copied[t])
        raise LedgerError(f"the copy of the ledger does not hold every record ({diff}); nothing was written "
                          f"to the destination")
    return copied


def _put_in_place(tmp: Path, final: Path, kind: str) -> None:
    """Rename the finished copy to the destination (a TinyDB ledger's table folder first)."""
    import shutil

    from .files import fsync_dir

    if kind == "tinydb":
        from .tablefiles import folder_of

        tables = folder_of(tmp)
        if tables.is_dir():
            target = folder_of(final)
            if target.exists() and not final.exists():
                shutil.rmtree(target)  # left by a migrate killed between its two renames
            os.replace(tables, target)
    os.replace(tmp, final)
    fsync_dir(final.parent)


def _remove_partial(final: Path) -> None:
    """The temp files of this destination's migrations that did not finish (under its lock)."""
    import shutil

    prefix = f"{TEMP_PREFIX}{final.name}."
    try:
        entries = list(os.scandir(final.parent))
    except OSError:
        return
    for e in entries:
        if e.name.startswith(prefix):
            try:
                if e.is_dir(follow_symlinks=False):
                    shutil.rmtree(e.path)
                else:
                    os.unlink(e.path)
            except OSError:
                pass


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

