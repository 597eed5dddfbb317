"""Copy a ledger between backends (TinyDB JSON, SQLite, PostgreSQL) without loss.

Every table is read in one read transaction of the source and written, ``BATCH`` records at
a time (memory stays bounded; a TinyDB source is read whole, as TinyDB always is), in one
write transaction of the new ledger, records unchanged (the same JSON values, in the same
order); the copy is then counted again table by table. The destination must not exist or
hold no records; the source is never changed. A migrate that is killed leaves nothing that a
later one refuses:

- into a file: the copy is built under a temp name beside the destination and renamed to it
  only once complete and counted, all under the destination's lock;
- into PostgreSQL: everything, evidence included, is one transaction of the database, which
  a killed migrate never commits.
"""
from __future__ import annotations

import os
from pathlib import Path
from typing import Any, Callable, Iterator, Optional, Union

from ..errors import LedgerError, UsageError
from . import open_backend
from .evidence import evidence_store
from .interface import Backend, Store

BATCH = 2000
PathLike = Union[str, Path]
Progress = Optional[Callable[[str, int], None]]  # told (table, n) each time n more records of a table are written
TEMP_PREFIX = ".migrating."


def counts(store: Store) -> dict[str, int]:
    """Records per table, the standard tables first."""
    return {t: store.count(t) for t in store.tables()}


def _refuse_nonempty(store: Store, path: Path) -> None:
    held = {t: n for t, n in counts(store).items() if n}
    if held:
        listing = ", ".join(f"{n} {t}" for t, n in held.items())
        raise LedgerError(f"the destination {path} already holds records ({listing}); nothing was copied. "
                          "Migrate into a new file.")


def batches(store: Store, table: str, size: int = BATCH) -> Iterator[list[tuple[str, dict[str, Any]]]]:
    """A table's ``(key, record)`` pairs in insertion order, ``size`` at a time: streamed when the
    store can (SQLite, PostgreSQL: ``iter_items``), else cut from :meth:`Store.items`."""
    stream = getattr(store, "iter_items", None)
    if stream is not None:
        yield from stream(table, size)
        return
    rows = store.items(table)
    for i in range(0, len(rows), size):
        yield rows[i:i + size]


def _same_location(a: Backend, b: Backend) -> bool:
    if a.name == "postgresql" or b.name == "postgresql":
        return str(a.path) == str(b.path)
    return Path(a.path).resolve() == Path(b.path).resolve()


def migrate(src_path: PathLike, dst_path: PathLike, src_backend: Optional[str] = None,
            dst_backend: Optional[str] = None, progress: Progress = None) -> dict[str, int]:
    """Copy every table of ``src_path`` into ``dst_path``; returns the number of records per table."""
    src: Backend = open_backend(src_path, src_backend)
    dst: Backend = open_backend(dst_path, dst_backend)
    if _same_location(src, dst):
        raise UsageError(f"the source and the destination are the same file ({src.path})")
    if not src.exists():
        raise LedgerError(f"there is no ledger at {src.path} to migrate")
    if dst.name == "postgresql":
        if dst.exists():
            with dst.read() as st:
                _refuse_nonempty(st, Path(str(dst.path)))
        return _copy(src, dst, Path(str(dst.path)), progress)
    from . import backend_name
    from .files import ledger_lock

    kind = backend_name(Path(dst_path), dst_backend)
    final = Path(dst.path)
    with ledger_lock(final):
        if dst.exists():
            with dst.read() as st:
                _refuse_nonempty(st, final)
        _remove_partial(final)
        tmp = final.parent / f"{TEMP_PREFIX}{final.name}.{os.getpid()}{final.suffix}"
        try:
            copied = _copy(src, open_backend(tmp, kind), final, progress)
            copied["evidence files"] = _evidence_out_of(src, final)
            _put_in_place(tmp, final, kind)
        finally:
            _remove_partial(final)
    return copied


def _copy(src: Backend, out_backend: Backend, shown: Path, progress: Progress) -> dict[str, int]:
    """Every table of ``src`` into ``out_backend`` in one write, streamed, counted again after; a
    destination keeping evidence inside itself (PostgreSQL) gets it in the same transaction."""
    copied: dict[str, int] = {}
    with src.read() as st, out_backend.write() as out:
        _refuse_nonempty(out, shown)  # filled by another process since the check before
        meta = st.meta()
        out.set_meta(dict(out.meta(), **{k: v for k, v in meta.items() if k != "layout"}))
        for table in st.tables():
            copied[table] = 0
            for rows in batches(st, table):
                out.put_many(table, rows)
                copied[table] += len(rows)
                if progress:
                    progress(table, len(rows))
        if evidence_store(out) is not None:
            copied["evidence files"] = _evidence_into(out, src, st)
    with out_backend.read() as st:
        found = {t: st.count(t) for t in copied if t != "evidence files"}
    if "evidence files" in copied:
        found["evidence files"] = copied["evidence files"]
    if found != copied:
        diff = ", ".join(f"{t}: {copied[t]} copied, {found[t]} found" for t in copied if found[t] != copied[t])
        raise LedgerError(f"the copy of the ledger does not hold every record ({diff}); nothing was written "
                          f"to the destination")
    return copied


def _evidence_into(out: Store, src: Backend, src_store: Store) -> int:
    """Evidence of ``src`` (its folder, or its database) stored into the store ``out``."""
    from ..paths import evidence_dir
    from .evidence import CONTENT_NAME

    target = evidence_store(out)
    source = evidence_store(src_store)
    assert target is not None
    n = 0
    if source is not None:
        for name in source.evidence_names():
            data = source.read_evidence(name)
            if data is not None and target.keep_evidence(name, data):
                n += 1
        return n
    folder = evidence_dir(Path(src.path))
    if folder.is_dir():
        for f in sorted(folder.rglob("*")):
            name = f.relative_to(folder).as_posix()
            if f.is_file() and CONTENT_NAME.match(name) and target.keep_evidence(name, f.read_bytes()):
                n += 1
    return n


def _evidence_out_of(src: Backend, final: Path) -> int:
    """Evidence of ``src`` (its folder, or its database) into the folder beside the file ``final``."""
    from ..paths import evidence_dir

    if src.name != "postgresql":
        return copy_evidence(Path(src.path), final)
    target = evidence_dir(final)
    n = 0
    with src.read() as st:
        source = evidence_store(st)
        for name in source.evidence_names() if source else []:
            out = target / name
            data = source.read_evidence(name) if source else None
            if data is not None and not out.exists():
                out.parent.mkdir(parents=True, exist_ok=True)
                out.write_bytes(data)
                n += 1
    return n


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

