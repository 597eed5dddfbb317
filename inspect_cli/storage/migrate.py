"""Copy a ledger between backends (TinyDB JSON, SQLite, PostgreSQL) without loss.

Every table is read in one read transaction of the source and written, batch by batch,
in one write transaction of the destination, records unchanged (the same JSON values, in the
same order), then the destination is counted again table by table. The destination must not
exist or hold no records; the source is never changed.
"""
from __future__ import annotations

from pathlib import Path
from typing import Any, Callable, Iterator, Optional, Union

from ..errors import LedgerError, UsageError
from . import open_backend
from .evidence import evidence_store
from .interface import Backend, Store

BATCH = 2000

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
            dst_backend: Optional[str] = None, progress: Optional[Callable[[str, int], None]] = None) -> dict[str, int]:
    """Copy every table of ``src_path`` into ``dst_path``; returns the number of records per table.

    Records are streamed ``BATCH`` at a time from one read of the source into one write
    transaction of the destination: memory stays bounded (the JSON backend excepted, whose file
    is read whole), and a migration killed half-way commits nothing, so running it again works.
    """
    src: Backend = open_backend(src_path, src_backend)
    dst: Backend = open_backend(dst_path, dst_backend)
    if _same_location(src, dst):
        raise UsageError(f"the source and the destination are the same file ({src.path})")
    if not src.exists():
        raise LedgerError(f"there is no ledger at {src.path} to migrate")
    if dst.exists():
        with dst.read() as st:
            _refuse_nonempty(st, Path(str(dst.path)))
    copied: dict[str, int] = {}
    with src.read() as st, dst.write() as out:
        _refuse_nonempty(out, Path(str(dst.path)))  # filled by another process since the check above
        meta = st.meta()
        out.set_meta(dict(out.meta(), **{k: v for k, v in meta.items() if k != "layout"}))
        for table in st.tables():
            copied[table] = 0
            for rows in batches(st, table):
                out.put_many(table, rows)
                copied[table] += len(rows)
                if progress:
                    progress(table, len(rows))
        in_db = evidence_store(out) is not None
        if in_db:  # the destination keeps evidence inside itself: in the same transaction
            copied["evidence files"] = _evidence_into(out, src, st)
    if not in_db:
        copied["evidence files"] = _evidence_out_of(src, dst)
    with dst.read() as st:
        found = {t: st.count(t) for t in copied if t != "evidence files"}
    found["evidence files"] = copied["evidence files"]
    if found != copied:
        diff = ", ".join(f"{t}: {copied[t]} copied, {found[t]} found" for t in copied if found[t] != copied[t])
        raise LedgerError(f"the copy in {dst.path} does not hold every record ({diff}); do not use it")
    return copied


def _evidence_into(out: Store, src: Backend, src_store: Store) -> int:
    """Evidence of ``src`` (its folder, or its database) stored into the store ``out``."""
    from ..paths import evidence_dir

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
    from .evidence import CONTENT_NAME

    folder = evidence_dir(Path(src.path))
    if folder.is_dir():
        for f in sorted(folder.rglob("*")):
            name = f.relative_to(folder).as_posix()
            if f.is_file() and CONTENT_NAME.match(name) and target.keep_evidence(name, f.read_bytes()):
                n += 1
    return n


def _evidence_out_of(src: Backend, dst: Backend) -> int:
    """Evidence of ``src`` written into the folder beside the destination file."""
    from ..paths import evidence_dir

    if src.name != "postgresql":
        return copy_evidence(Path(src.path), Path(dst.path))
    target = evidence_dir(Path(dst.path))
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

