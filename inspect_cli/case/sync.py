"""Cases in ledger bundles (``inspect export`` / ``import``): a case travels with its whole
history and its hazards, and merges like a hazard — appended when one history extends the
other, kept as a conflict when both ledgers changed it."""
from __future__ import annotations

import datetime as dt
from typing import Any, Optional

from ..hazard import history
from ..ids import ID_PATTERN
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


_FIELDS: dict[str, type] = {"id": str, "subject": str, "seq": int, "type": str, "date": str, "at": str, "actor": str,
                            "data": dict, "note": str, "evidence": list, "prev": str, "hash": str}
_TYPES = ("opened", *machine.EVENT_MOVES)


def _event_problems(e: Any) -> list[str]:
    if not isinstance(e, dict):
        return [f"case event {repr(e)[:60]}: not an event record"]
    label = f"event {str(e.get('id'))[:20]} of case {str(e.get('subject'))[:20]}"
    bad = [k for k, t in _FIELDS.items() if not isinstance(e.get(k), t) or isinstance(e.get(k), bool)]
    if bad:
        return [f"{label}: field(s) {', '.join(bad)} missing or of the wrong kind"]
    if not ID_PATTERN.match(e["id"]) or not ID_PATTERN.match(e["subject"]):
        return [f"{label}: its id or case id is not an inspect-cli id"]
    if e["type"] not in _TYPES:
        return [f"{label}: unknown case event type {e['type']!r}"]
    if e["hash"] != history.event_hash(e):
        return [f"{label} ({e['type']}, {e['date']}): its hash does not match its content (changed after it was "
                "recorded, or made up)"]
    return _opening_problems(label, e) if e["type"] == "opened" else _data_problems(label, e["data"])


def _data_problems(label: str, d: dict[str, Any]) -> list[str]:
    """Amounts, penalty kinds and execution as the commands record them (stats sum them)."""
    out = []
    amount = d.get("amount")
    if amount is not None and (not isinstance(amount, int) or isinstance(amount, bool) or amount < 0):
        out.append(f"{label}: amount {str(amount)[:20]!r} is not a number of yuan")
    types = d.get("types")
    if types is not None and (not isinstance(types, list) or not all(t in machine.PENALTY_TYPES for t in types)):
        out.append(f"{label}: types {str(types)[:40]!r} are not penalty kinds ({', '.join(machine.PENALTY_TYPES)})")
    if "how" in d and d["how"] not in machine.EXECUTION:
        out.append(f"{label}: how {str(d['how'])[:20]!r} is not one of {', '.join(machine.EXECUTION)}")
    return out


def _opening_problems(label: str, e: dict[str, Any]) -> list[str]:
    """The 立案 event is the case record: it must open this case, on hazards, by officers."""
    d = e["data"]
    out = []
    if d.get("id") != e["subject"]:
        out.append(f"{label}: opens case {str(d.get('id'))[:20]!r}, not {e['subject']}")
    hazards = d.get("hazards")
    if not isinstance(hazards, list) or not hazards or not all(isinstance(h, str) and ID_PATTERN.match(h)
                                                               for h in hazards):
        out.append(f"{label}: hazards must be a list of hazard ids")
    handlers = d.get("handlers")
    if not isinstance(handlers, list) or not all(isinstance(h, dict) and all(isinstance(v, str) for v in h.values())
                                                 for h in handlers):
        out.append(f"{label}: handlers must be a list of {{name, cert}}")
    for key in ("site", "site_name", "region", "domain", "facts", "penalty_basis"):
        if d.get(key) is not None and not isinstance(d[key], str):
            out.append(f"{label}: {key} must be text")
    if not isinstance(d.get("site"), str):
        out.append(f"{label}: site must be a site code")
    if not isinstance(d.get("basis", []), list) or not all(isinstance(b, str) for b in d.get("basis", [])):
        out.append(f"{label}: basis must be a list of provisions")
    return out


def _chain_problems(cid: str, case: Optional[dict[str, Any]], evs: list[dict[str, Any]]) -> list[str]:
    """The whole history of one case: chain, numbering, time order and a legal replay. With no
    case record, the history is checked against its own replay."""
    evs = sorted(evs, key=lambda e: e["seq"])
    if case is None:
        try:
            case = dict(machine.replay(evs), head=evs[-1]["hash"] if evs else "", events=len(evs))
        except Exception as exc:  # noqa: BLE001 - a history that does not replay is a problem, not a crash
            return [f"case {cid}: its history cannot be replayed ({exc})"]
    return ["case " + p for p in history.verify_chain(case, evs, machine.replay, first="opened")]


def verify_incoming(records: dict[str, list[dict[str, Any]]]) -> list[str]:
    """Every case record and every case event of a bundle, each case's history in full
    (also for events whose case the bundle leaves out of its list)."""
    problems: list[str] = []
    cases: dict[str, dict[str, Any]] = {}
    for c in records.get(TABLE) or []:
        if not isinstance(c, dict) or not isinstance(c.get("id"), str):
            problems.append(f"case {repr(c)[:60]}: not a case record")
        else:
            cases[c["id"]] = c
    by: dict[str, list[dict[str, Any]]] = {}
    for e in records.get(EVENTS) or []:
        found = _event_problems(e)
        problems += found
        if not found:
            by.setdefault(e["subject"], []).append(e)
    if problems:
        return problems
    for cid in sorted(set(by) | set(cases)):
        problems += _chain_problems(cid, cases.get(cid), by.get(cid, []))
    return problems


def merge_problems(store: Store, records: dict[str, list[dict[str, Any]]]) -> list[str]:
    """What refuses the bundle against this ledger: an event of this ledger's that comes back
    changed under the same id, or new events that do not extend this ledger's history legally."""
    problems: list[str] = []
    by: dict[str, list[dict[str, Any]]] = {}
    for e in records.get(EVENTS) or []:
        by.setdefault(e["subject"], []).append(e)
    hazards = {e.get("subject") for e in records.get("events") or [] if isinstance(e, dict)}
    for cid, incoming in sorted(by.items()):
        local = events_of(store, cid)
        mine = {e["id"]: e for e in local}
        for e in incoming:
            if e["id"] in mine and mine[e["id"]].get("hash") != e["hash"]:
                problems.append(f"event {e['id']} of case {cid}: differs from this ledger's event of the same id")
        incoming = sorted(incoming, key=lambda e: e["seq"])
        if not local:
            opened = next((e for e in incoming if e["type"] == "opened"), None)
            for hid in (opened or {}).get("data", {}).get("hazards") or []:
                if hid not in hazards and store.get("hazards", hid) is None:
                    problems.append(f"case {cid}: hazard {hid} it was opened on is neither in the bundle nor in "
                                    "this ledger")
        if local and [e["id"] for e in incoming[: len(local)]] == [e["id"] for e in local]:
            extra = incoming[len(local):]
            if extra:
                problems += _chain_problems(cid, None, local + extra)
    return problems


def _punished_twice(store: Store, case: Optional[dict[str, Any]]) -> list[dict[str, Any]]:
    """A case new to this ledger on a hazard already in one of its cases not withdrawn: both
    laptops opened a case on one violation (一事不再罚). Both are kept; one must be withdrawn."""
    if not case or case.get("withdrawn"):
        return []
    out = []
    for hid in case.get("hazards") or []:
        others = [c for c in store.find(TABLE, fields=("id", "hazards", "withdrawn"))
                  if c.get("id") != case["id"] and hid in (c.get("hazards") or []) and not c.get("withdrawn")]
        for other in others:
            out.append({"table": TABLE, "id": case["id"], "message":
                        f"hazard {hid} is in case {other['id']} here and in case {case['id']} from the bundle: one "
                        "violation is punished once (一事不再罚); both are kept — withdraw one "
                        "(inspect case withdraw ID --reason TEXT)"})
    return out


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
                report["conflicts"] += _punished_twice(store, case)
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
