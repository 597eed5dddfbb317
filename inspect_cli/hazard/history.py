"""The append-only, hash-chained history of every hazard.

Each change of a hazard is an event. An event's ``hash`` is the sha256 of its canonical
JSON (without the hash itself) and it names the previous event's hash in ``prev``; the
hazard keeps the hash of its last event (``head``) and the number of events. So an edited
event breaks its own hash, a removed or reordered one breaks the chain or the count, and a
hazard edited by hand no longer equals the replay of its events.
"""
from __future__ import annotations

import hashlib
import json
from typing import Any, Callable, Optional

from ..ids import new_id
from ..storage.interface import Store

GENESIS = ""


def canonical(event: dict[str, Any]) -> bytes:
    body = {k: v for k, v in event.items() if k != "hash"}
    return json.dumps(body, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode("utf-8")


def event_hash(event: dict[str, Any]) -> str:
    return hashlib.sha256(canonical(event)).hexdigest()


def make_event(subject: dict[str, Any], type: str, date: str, at: str, actor: str, data: dict[str, Any],
               note: str = "", evidence: Optional[list[dict[str, Any]]] = None) -> dict[str, Any]:
    """The next event of ``subject`` (a hazard record with ``head`` and ``events``)."""
    event = {
        "id": new_id("event"), "subject": subject["id"], "seq": int(subject.get("events", 0)) + 1,
        "type": type, "date": date, "at": at, "actor": actor, "data": data, "note": note,
        "evidence": list(evidence or []), "prev": subject.get("head", GENESIS),
    }
    event["hash"] = event_hash(event)
    return event


def events_of(store: Store, subject_id: str) -> list[dict[str, Any]]:
    return store.find("events", {"subject": subject_id}, order_by="seq")


def verify_chain(hazard: dict[str, Any], events: list[dict[str, Any]],
                 replay: Callable[[list[dict[str, Any]]], dict[str, Any]]) -> list[str]:
    """Every way the hazard's history differs from an untouched one, in words."""
    hid = hazard.get("id", "?")
    problems: list[str] = []
    prev = GENESIS
    for n, e in enumerate(events, start=1):
        if not isinstance(e, dict):
            problems.append(f"{hid}: an event is not a record: edited outside inspect-cli")
            continue
        label = f"{hid} event {e.get('seq')} ({e.get('type')}, {e.get('date')})"
        if e.get("seq") != n:
            problems.append(f"{label}: out of order or an earlier event is missing (expected number {n})")
        if e.get("hash") != event_hash(e):
            problems.append(f"{label}: its content was changed after it was recorded (hash mismatch)")
        if e.get("prev") != prev:
            problems.append(f"{label}: does not follow the previous event (chain broken: removed, inserted or reordered)")
        prev = e.get("hash", "")
    if hazard.get("events") != len(events):
        problems.append(f"{hid}: the hazard records {hazard.get('events')} events but {len(events)} are in the ledger "
                        "(events removed or added)")
    elif events and hazard.get("head") != prev:
        problems.append(f"{hid}: the hazard's last-event hash does not match its history")
    if not problems and events:
        expected = replay(events)
        changed = sorted(k for k in set(expected) | set(hazard) if k not in ("head", "events")
                         and expected.get(k) != hazard.get(k))
        if changed:
            problems.append(f"{hid}: the hazard record differs from its history in: {', '.join(changed)} "
                            "(edited outside inspect-cli)")
    return problems
