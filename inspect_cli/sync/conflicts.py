"""Conflicts between laptops, listed and resolved (``inspect conflicts``).

A hazard changed on two ledgers before they exchanged bundles keeps both histories (see
:mod:`.history`): the main line, which the hazard shows, and a branch, which is the
conflict. Resolving appends a ``resolved`` event to the main line: ``--keep mine`` keeps
the hazard as the main line has it, ``--keep theirs`` takes the hazard as the branch left
it. Nothing is deleted: both branches stay in the ledger and travel in bundles, and a
branch that receives more events after its resolution is listed again.

Other records (a site or an inspection that differs between ledgers) keep this ledger's
copy and store the other in the ``conflicts`` table; resolving one records the choice in
that conflict and, with ``--keep theirs``, takes the other copy (the replaced copy is kept
in the conflict).
"""
from __future__ import annotations

from typing import Any

from ..hazard import moves as hz
from ..hazard import history, lifecycle
from ..clock import Clock
from ..errors import NotFound, UsageError
from ..ids import normalise
from ..storage.interface import Store

KEEP = ("mine", "theirs")


def _forked_subjects(store: Store) -> dict[str, list[dict[str, Any]]]:
    by: dict[str, list[dict[str, Any]]] = {}
    for e in store.find("events"):
        by.setdefault(str(e.get("subject")), []).append(e)
    return {hid: evs for hid, evs in by.items() if len({e.get("prev") for e in evs}) != len(evs)}


def list_conflicts(store: Store, include_resolved: bool = False) -> list[dict[str, Any]]:
    """Every conflict, hazards' first; each ``{id, kind, hazard|table, status, …}``."""
    out: list[dict[str, Any]] = []
    for hid, evs in sorted(_forked_subjects(store).items()):
        for c in history.conflicts(hid, evs):
            if include_resolved or c["status"] == "open":
                out.append(dict({k: v for k, v in c.items() if k != "their_events"}, kind="hazard"))
    for rec in store.find("conflicts", order_by="id"):
        if "case" in rec and "table" not in rec:  # a case's diverged history (inspect case show)
            if include_resolved or not rec.get("resolution"):
                out.append({"id": rec["id"], "kind": "case", "case": rec["case"], "status": "open",
                            "theirs": [history_brief(e) for e in rec.get("their_events") or []]})
            continue
        if "table" not in rec:
            continue  # an older version's hazard conflict: its events are merged on the next import
        status = "resolved" if rec.get("resolution") else "open"
        if include_resolved or status == "open":
            out.append({"id": rec["id"], "kind": "record", "table": rec["table"], "record": rec.get("record"),
                        "status": status, "theirs": rec.get("theirs"), "resolution": rec.get("resolution")})
    return out


def history_brief(e: dict[str, Any]) -> dict[str, Any]:
    return {k: e.get(k) for k in ("id", "seq", "type", "date", "actor", "note", "hash")}


def resolve(store: Store, conflict_id: str, keep: str, reason: str, clock: Clock, actor: str) -> dict[str, Any]:
    if keep not in KEEP:
        raise UsageError(f"--keep must be mine or theirs, not {keep!r}")
    if not reason.strip():
        raise UsageError("--reason must say why this side is kept (it is recorded with the resolution)")
    record = store.get("conflicts", conflict_id.strip())
    if record is not None and "table" in record:
        return _resolve_record(store, record, keep, reason, clock, actor)
    if record is not None and "case" in record:
        raise UsageError(f"conflict {record['id']} is between two histories of case {record['case']}: cases keep "
                         "this ledger's history and store the other (inspect case show); it cannot be resolved here")
    hid, _, tail = conflict_id.strip().partition(":")
    hid = normalise(hid)
    cid = f"{hid}:{tail.lower()}"
    hazard = store.get("hazards", hid)
    found = [c for c in history.conflicts(hid, history.all_events_of(store, hid))] if hazard else []
    match = next((c for c in found if c["id"] == cid), None)
    if hazard is None or match is None:
        raise NotFound(f"no conflict {conflict_id!r} in this ledger; see inspect conflicts")
    if match["status"] == "resolved":
        raise UsageError(f"conflict {cid} is already resolved (event {match['resolution']['seq']} of hazard {hid})")
    data: dict[str, Any] = {"conflict": cid, "keep": keep, "reason": reason.strip(),
                            "theirs_head": match["theirs_head"], "mine_head": match["mine_head"]}
    if keep == "theirs":
        every = history.all_events_of(store, hid)
        head = next(e for e in every if e.get("hash") == match["theirs_head"])
        data["state"] = lifecycle.replay(history.path_to(head, every))
    out = hz.record(store, hazard, "resolved", clock, actor, data, reason.strip())
    return {"conflict": cid, "keep": keep, "hazard": out}


def _resolve_record(store: Store, rec: dict[str, Any], keep: str, reason: str, clock: Clock,
                    actor: str) -> dict[str, Any]:
    if rec.get("resolution"):
        raise UsageError(f"conflict {rec['id']} is already resolved")
    table, key = rec["table"], rec["record"]
    mine = store.get(table, key)
    resolution = {"keep": keep, "reason": reason.strip(), "date": clock.today.isoformat(), "at": clock.now(),
                  "actor": actor, "mine": mine}
    if keep == "theirs":
        store.put(table, key, rec["theirs"])
    store.put("conflicts", rec["id"], dict(rec, resolution=resolution))
    return {"conflict": rec["id"], "keep": keep, "record": store.get(table, key)}


def marked_history(store: Store, hazard_id: str) -> list[dict[str, Any]]:
    """Every event of the hazard, main line first by number, each with ``conflict`` (the
    branch it belongs to, or None on the main line)."""
    every = history.all_events_of(store, hazard_id)
    line = history.main_line(every)
    branch_of: dict[str, str] = {}
    for c in history.conflicts(hazard_id, every, line):
        for e in c["their_events"]:
            branch_of.setdefault(str(e["id"]), c["id"])
    out = [dict(e, conflict=None) for e in line]
    on_line = {e["id"] for e in line}
    out += [dict(e, conflict=branch_of.get(str(e["id"]))) for e in every if e["id"] not in on_line]
    return out
