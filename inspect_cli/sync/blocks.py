"""Document-number blocks: how a laptop issues documents offline without ever colliding.

The bureau's ledger (PostgreSQL) numbers documents gaplessly per kind and year. A laptop that
syncs with it takes *blocks*: at ``inspect sync`` the bureau advances its counter by N for each
kind (N = the setting ``docno.block``, or ``--reserve N``) and records the block it handed out
(``block:KIND:YEAR:FIRST`` in its ``documents`` table, permanent like an issued document);
the laptop records it in ``blocks:KIND:YEAR`` and from then on numbers that kind from its blocks
only (:func:`next_from_block`). Blocks never overlap, so numbers never collide; numbers of a
block the laptop does not use stay unused (a gap the bureau can account for: each block names
the ledger and the day it went to).

A laptop tops up when it has fewer than half a block left of a kind; ``--reserve N`` takes N
more whatever it has. The bureau commits its side first: a sync killed in between loses the
block (a gap), never gives a number twice.
"""
from __future__ import annotations

from typing import TYPE_CHECKING, Any, Optional

from ..settings import DEFAULTS
from ..storage.interface import Store

if TYPE_CHECKING:
    from ..ledger import Ledger

KINDS = tuple(k.split(".", 1)[1] for k in DEFAULTS if k.startswith("docno.") and k != "docno.block")


def left(record: Optional[dict[str, Any]]) -> int:
    """Numbers still unused in a laptop's blocks of one kind and year."""
    if not record:
        return 0
    nxt = int(record.get("next") or 0)
    return sum(max(0, last - max(first, nxt) + 1) for first, last in record.get("ranges") or [])


def next_from_block(store: Store, kind: str, year: int) -> Optional[tuple[int, dict[str, Any]]]:
    """The next number of this ledger's blocks and the record to store once it is taken; None when
    this ledger has never taken a block of ``kind`` (it numbers with its own counter)."""
    record = store.get("documents", f"blocks:{kind}:{year}")
    if not record:
        return None
    nxt = int(record.get("next") or 0)
    for first, last in record.get("ranges") or []:
        n = max(first, nxt)
        if n <= last:
            return n, dict(record, next=n + 1)
    from ..errors import ReportError

    raise ReportError(f"this ledger has used every document number of its blocks for {kind} {year}; take more at the "
                      "office: inspect sync BUREAU-URL --reserve N")


def _reserve(bureau: "Ledger", kind: str, year: int, n: int, who: str) -> tuple[int, int]:
    with bureau.write() as st:
        counter = st.get("documents", f"seq:{kind}:{year}") or {"kind": kind, "year": year, "seq": 0}
        first = int(counter["seq"]) + 1
        last = first + n - 1
        st.put("documents", f"seq:{kind}:{year}", {"kind": kind, "year": year, "seq": last})
        st.put("documents", f"block:{kind}:{year}:{first}", {"kind": kind, "year": year, "first": first, "last": last,
                                                             "to": who, "date": bureau.clock.today.isoformat()})
    return first, last


def top_up(laptop: "Ledger", bureau: "Ledger", reserve: Optional[int] = None) -> list[dict[str, Any]]:
    """Blocks the bureau hands ``laptop`` (only when ``bureau`` is a server ledger and the laptop is not)."""
    if bureau.kind != "postgresql" or laptop.kind == "postgresql" or not bureau.exists():
        return []
    year = laptop.clock.today.year
    size = int(bureau.settings().get("docno.block") or DEFAULTS["docno.block"])
    who = f"{laptop.actor}@{laptop.location}"
    taken: list[dict[str, Any]] = []
    have: dict[str, Any] = {k: None for k in KINDS}
    if laptop.exists():
        with laptop.read() as st:
            have = {k: st.get("documents", f"blocks:{k}:{year}") for k in KINDS}
    for kind in KINDS:
        n = reserve or (size if left(have[kind]) < max(1, size // 2) else 0)
        if not n:
            continue
        first, last = _reserve(bureau, kind, year, n, who)
        with laptop.write() as st:
            record = st.get("documents", f"blocks:{kind}:{year}") or {"kind": kind, "year": year, "ranges": [], "next": 0}
            record = dict(record, ranges=list(record.get("ranges") or []) + [[first, last]])
            st.put("documents", f"blocks:{kind}:{year}", record)
        taken.append({"kind": kind, "year": year, "first": first, "last": last})
    return taken
