"""Cases in ledger bundles (``inspect export`` / ``import``): a case travels with its whole
history and its hazards, and merges like a hazard — appended when one history extends the
other, kept as a conflict when both ledgers changed it."""
from __future__ import annotations

import datetime as dt
from typing import Any, Optional

from ..hazard import history
from ..storage.interface import Store
from . import machine
from .records import EVENTS, TABLE, append, events_of

TABLES = (TABLE, EVENTS)


def collect(store: Store, since: Optional[str] = None) -> dict[str, list[dict[str, Any]]]:
    """The cases to export: with ``since``, those changed on or after it, with every event."""
    events = store.find(EVENTS)
    if since:
        changed = {e["subject"] for e in events if str(e.get("date", "")) >= since}
        events = [e for e in events if e["subject"] in changed]
        cases = [c for c in store.find(TABLE) if c["id"] in changed]
    else:
        cases = store.find(TABLE)
    return {TABLE: cases, EVENTS: events}


def linked_hazards(store: Store, since: str) -> set[str]:
    """Hazards of the cases changed since ``since``: they travel with their case."""
    changed = {e["subject"] for e in store.find(EVENTS, {"date": (">=", since)})}
    return {h for c in store.find(TABLE) if c["id"] in changed for h in c.get("hazards") or []}


def evidence_files(records: dict[str, list[dict[str, Any]]]) -> set[str]:
    return {ev["file"] for e in records.get(EVENTS) or [] for ev in e.get("evidence") or []
            if isinstance(ev, dict) and ev.get("file")}


def verify_incoming(records: dict[str, list[dict[str, Any]]]) -> list[str]:
    by: dict[str, list[dict[str, Any]]] = {}
    for e in records.get(EVENTS) or []:
        by.setdefault(str(e.get("subject", "?")), []).append(e)
    problems: list[str] = []
    for c in records.get(TABLE) or []:
        evs = sorted(by.get(c["id"], []), key=lambda e: e.get("seq", 0))
        problems += ["case " + p for p in history.verify_chain(c, evs, machine.replay)]
    return problems


def merge(store: Store, records: dict[str, list[dict[str, Any]]], today: dt.date, report: dict[str, Any]) -> None:
    """Append what extends this ledger's cases; a diverged case is stored as a conflict."""
    added = report["added"]
    added.setdefault(TABLE, 0)
    added.setdefault(EVENTS, 0)
    by: dict[str, list[dict[str, Any]]] = {}
    for e in records.get(EVENTS) or []:
        by.setdefault(e["subject"], []).append(e)
    for cid, incoming in sorted(by.items()):
        incoming.sort(key=lambda e: e["seq"])
        local = events_of(store, cid)
        mine, theirs = [e["id"] for e in local], [e["id"] for e in incoming]
        if theirs[: len(mine)] == mine:
            extra = incoming[len(mine):]
            case = store.get(TABLE, cid)
            for e in extra:
                case = append(store, case, e)
            added[EVENTS] += len(extra)
            if extra and not local:
                added[TABLE] += 1
            elif extra:
                report["extended"] += 1
            continue
        if mine[: len(theirs)] == theirs:
            continue
        common = next(n for n, (a, b) in enumerate(zip(mine, theirs)) if a != b)
        diverged = incoming[common:]
        conflict_id = f"{cid}:{diverged[0]['hash'][:16]}"
        if store.get("conflicts", conflict_id) is None:
            store.put("conflicts", conflict_id, {"id": conflict_id, "case": cid, "found": today.isoformat(),
                                                 "local_head": local[-1]["hash"] if local else "",
                                                 "their_events": diverged})
            report["conflicts"].append({"table": TABLE, "id": cid, "message":
                                        f"case {cid} was changed on both ledgers after event {common}: kept this "
                                        f"ledger's history and stored the other's {len(diverged)} event(s) as "
                                        f"conflict {conflict_id}"})
