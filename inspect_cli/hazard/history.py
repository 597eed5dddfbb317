"""The append-only, hash-chained history of every hazard.

Each change of a hazard is an event. An event's ``hash`` is the sha256 of its canonical
JSON (without the hash itself) and it names the previous event's hash in ``prev``; the
hazard keeps the hash of its last event (``head``) and the number of events. So an edited
event breaks its own hash, a removed or reordered one breaks the chain or the count, and a
hazard edited by hand no longer equals the replay of its events.

When two laptops change the same hazard before they exchange bundles, its events form a
tree: both sides' events are kept in the ledger. The hazard's *main line* is chosen from
the events alone (at each fork, the event recorded first, by its ``at`` time and then its
hash), so every ledger holding the same events shows the same hazard, whatever the order
of the imports. Every other branch is a *conflict* (:func:`conflicts`) until a
``resolved`` event on the main line settles it.
"""
from __future__ import annotations

import json
from typing import Any, Callable, Optional

from ..errors import IllegalTransition
from ..ids import new_id
from ..storage.interface import Store

GENESIS = ""
Event = dict[str, Any]
# A hazard's chain bookkeeping, beside the replay of its events: the head event's hash and
# date, and the number of events on the main line.
BOOKKEEPING = ("head", "events", "head_date")


def canonical(event: Event) -> bytes:
    body = {k: v for k, v in event.items() if k != "hash"}
    return json.dumps(body, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode("utf-8")


def event_hash(event: Event) -> str:
    import hashlib  # lazily: a read that checks no chain never loads OpenSSL (~2 ms)

    return hashlib.sha256(canonical(event)).hexdigest()


def make_event(subject: dict[str, Any], type: str, date: str, at: str, actor: str, data: dict[str, Any],
               note: str = "", evidence: Optional[list[dict[str, Any]]] = None) -> Event:
    """The next event of ``subject`` (a hazard record with ``head`` and ``events``)."""
    event = {
        "id": new_id("event"), "subject": subject["id"], "seq": int(subject.get("events", 0)) + 1,
        "type": type, "date": date, "at": at, "actor": actor, "data": data, "note": note,
        "evidence": list(evidence or []), "prev": subject.get("head", GENESIS),
    }
    event["hash"] = event_hash(event)
    return event


def all_events_of(store: Store, subject_id: str) -> list[Event]:
    """Every event of a hazard, the other sides' branches included."""
    return store.find("events", {"subject": subject_id}, order_by="seq")


def events_of(store: Store, subject_id: str) -> list[Event]:
    """The hazard's main line: the history its record is the replay of."""
    return main_line(all_events_of(store, subject_id))


def _rank(e: Event) -> tuple[str, str]:
    return (str(e.get("at", "")), str(e.get("hash", "")))


def _children(events: list[Event]) -> dict[str, list[Event]]:
    kids: dict[str, list[Event]] = {}
    seen: set[str] = set()
    for e in events:
        if isinstance(e, dict) and e.get("hash") not in seen:
            seen.add(str(e.get("hash")))
            kids.setdefault(str(e.get("prev", GENESIS)), []).append(e)
    return kids


def main_line(events: list[Event]) -> list[Event]:
    """From the first event on, at each fork the event recorded first (``at``, then hash)."""
    if all(isinstance(e, dict) for e in events) and _is_line(events):
        return sorted(events, key=lambda e: e.get("seq") or 0)
    kids = _children(events)
    line: list[Event] = []
    cur, guard = GENESIS, set()
    while cur in kids and cur not in guard:
        guard.add(cur)
        pick = min(kids[cur], key=_rank)
        line.append(pick)
        cur = str(pick.get("hash"))
    return line


def _is_line(events: list[Event]) -> bool:
    """The common case, checked cheaply: one chain with no fork."""
    prevs = [e.get("prev") for e in events]
    return len(set(prevs)) == len(prevs)


def previous(store: Store, hazard: dict[str, Any]) -> Optional[Event]:
    """The hazard's last event (the one its ``head`` names)."""
    head = hazard.get("head")
    if not head:
        return None
    for e in store.find("events", {"subject": hazard["id"], "seq": hazard.get("events")}):
        if e.get("hash") == head:
            return e
    return None


def require_in_order(store: Store, hazard: dict[str, Any], type: str, date: str) -> None:
    """Time runs forward: an event may not be dated before the hazard's previous event."""
    known = hazard.get("head_date")
    if isinstance(known, str) and known <= date:
        return  # the common case, without reading any event
    last = previous(store, hazard)
    if last is None or str(last.get("date", "")) <= date:
        return
    what = ("the inspection that registered it" if last.get("type") in ("registered", "closed_on_spot")
            else f"its previous event ({last.get('type')})")
    raise IllegalTransition(f"hazard {hazard.get('id')}: cannot record {type} dated {date}: that is before "
                            f"{what}, dated {last.get('date')}. Use a date on or after {last.get('date')} "
                            "(--today / INSPECT_TODAY).")


# Conflicts ---------------------------------------------------------------------------------
def conflicts(hazard_id: str, events: list[Event], line: Optional[list[Event]] = None) -> list[dict[str, Any]]:
    """Every branch off the main line, with its events and whether a ``resolved`` event on the
    main line settles it (as it stood: a branch that grew since is open again)."""
    line = main_line(events) if line is None else line
    on_line = {e.get("hash") for e in line}
    if len(on_line) == len(events):
        return []
    kids = _children(events)
    resolutions = {(e.get("data") or {}).get("conflict"): e for e in line if e.get("type") == "resolved"}
    out = []
    for fork_at, parent in [(0, GENESIS)] + [(int(e.get("seq") or 0), str(e.get("hash"))) for e in line]:
        for start in kids.get(parent, []):
            if start.get("hash") in on_line:
                continue
            branch = _subtree(start, kids)
            cid = f"{hazard_id}:{str(start.get('hash'))[:12]}"
            head = main_line_from(start, kids)[-1]
            mine = line[fork_at:] if fork_at < len(line) else []
            res = resolutions.get(cid)
            status = "open"
            if res is not None:
                status = "resolved" if (res.get("data") or {}).get("theirs_head") == head.get("hash") else "open"
            out.append({"id": cid, "hazard": hazard_id, "fork": fork_at, "status": status,
                        "mine": [_brief(e) for e in mine], "theirs": [_brief(e) for e in branch],
                        "theirs_head": head.get("hash"), "mine_head": line[-1].get("hash") if line else "",
                        "resolution": _brief(res) if res is not None else None,
                        "their_events": branch})
    return out


def _brief(e: Event) -> dict[str, Any]:
    return {k: e.get(k) for k in ("id", "seq", "type", "date", "actor", "note", "hash")}


def _subtree(start: Event, kids: dict[str, list[Event]]) -> list[Event]:
    out, todo = [], [start]
    while todo:
        e = todo.pop()
        out.append(e)
        todo += kids.get(str(e.get("hash")), [])
    return sorted(out, key=lambda e: (e.get("seq") or 0, _rank(e)))


def main_line_from(start: Event, kids: dict[str, list[Event]]) -> list[Event]:
    line, cur = [start], start
    while str(cur.get("hash")) in kids:
        cur = min(kids[str(cur.get("hash"))], key=_rank)
        line.append(cur)
    return line


def path_to(event: Event, events: list[Event]) -> list[Event]:
    """The events from the first one up to ``event`` (its own history)."""
    by_hash = {str(e.get("hash")): e for e in events if isinstance(e, dict)}
    out, cur, guard = [event], event, 0
    while cur.get("prev") and str(cur.get("prev")) in by_hash and guard < len(events):
        cur = by_hash[str(cur["prev"])]
        out.append(cur)
        guard += 1
    return out[::-1]


# Verification --------------------------------------------------------------------------------
def verify_chain(hazard: dict[str, Any], events: list[Event],
                 replay: Callable[[list[Event]], dict[str, Any]], first: Optional[str] = None) -> list[str]:
    """Every way the hazard's history differs from an untouched one, in words.

    ``events`` are all the hazard's events, other branches included; each must carry its own
    hash, follow an event of the hazard (or be the first), carry the next number and not be
    dated before the event it follows (and, with ``first``, the first one be of that type).
    The hazard record must be the replay of the main line, and every branch must replay too.
    """
    hid = hazard.get("id", "?")
    problems: list[str] = []
    good = [e for e in events if isinstance(e, dict)]
    if len(good) != len(events):
        problems.append(f"{hid}: an event is not a record: edited outside inspect-cli")
    by_hash = {str(e.get("hash")): e for e in good}
    for e in sorted(good, key=lambda e: (e.get("seq") or 0) if isinstance(e.get("seq"), int) else 0):
        label = f"{hid} event {e.get('seq')} ({e.get('type')}, {e.get('date')})"
        if e.get("hash") != event_hash(e):
            problems.append(f"{label}: its content was changed after it was recorded (hash mismatch)")
        prev = e.get("prev", None)
        parent = by_hash.get(str(prev)) if prev else None
        if prev != GENESIS and parent is None:
            problems.append(f"{label}: does not follow the previous event (chain broken: removed, inserted or reordered)")
            continue
        expected = (int(parent.get("seq") or 0) + 1) if parent is not None else 1
        if e.get("seq") != expected:
            problems.append(f"{label}: out of order or an earlier event is missing (expected number {expected}; "
                            "chain broken: removed, inserted or reordered)")
        if prev == GENESIS and first and e.get("type") != first:
            problems.append(f"{label}: its history must begin with a {first} event")
        if parent is not None and str(e.get("date", "")) < str(parent.get("date", "")):
            problems.append(f"{label}: dated before the event it follows ({parent.get('type')}, {parent.get('date')}): "
                            "time runs backwards")
    roots = [e for e in good if e.get("prev") == GENESIS]
    if len(roots) > 1:
        problems.append(f"{hid}: {len(roots)} histories begin under this id (first events "
                        f"{', '.join(str(e.get('id')) for e in roots)}): one id given to two records — a collision "
                        "of ids or a made-up history")
    line = main_line(good)
    head = line[-1].get("hash") if line else GENESIS
    if hazard.get("events") != len(line):
        problems.append(f"{hid}: the hazard records {hazard.get('events')} events but {len(line)} are in the ledger "
                        "(events removed or added)")
    elif line and hazard.get("head") != head:
        problems.append(f"{hid}: the hazard's last-event hash does not match its history")
    if not problems and line:
        try:
            expected_state = replay(line)
        except Exception as exc:  # noqa: BLE001 - any failure to replay is a broken history
            problems.append(f"{hid}: its history cannot be replayed ({exc!r})")
            return problems
        changed = sorted(k for k in set(expected_state) | set(hazard) if k not in BOOKKEEPING
                         and expected_state.get(k) != hazard.get(k))
        if changed:
            problems.append(f"{hid}: the hazard record differs from its history in: {', '.join(changed)} "
                            "(edited outside inspect-cli)")
        problems += _verify_branches(hid, good, line, replay)
    if line and "head_date" in hazard and hazard["head_date"] != line[-1].get("date"):
        problems.append(f"{hid}: the hazard's last-event date does not match its history")
    return problems


def _verify_branches(hid: str, events: list[Event], line: list[Event],
                     replay: Callable[[list[Event]], dict[str, Any]]) -> list[str]:
    problems: list[str] = []
    on_line = {e.get("hash") for e in line}
    kids = _children(events) if len(on_line) != len(events) else {}
    for leaf in (e for e in events if kids and str(e.get("hash")) not in kids and e.get("hash") not in on_line):
        try:
            replay(path_to(leaf, events))
        except Exception as exc:  # noqa: BLE001
            problems.append(f"{hid} event {leaf.get('seq')} ({leaf.get('type')}): the other side's history "
                            f"cannot be replayed ({exc!r})")
    for res in (e for e in line if e.get("type") == "resolved" and (e.get("data") or {}).get("keep") == "theirs"):
        d = res.get("data") or {}
        theirs = next((e for e in events if e.get("hash") == d.get("theirs_head")), None)
        if theirs is None:
            problems.append(f"{hid}: resolution {res.get('seq')} keeps a side whose events are not in the ledger")
            continue
        try:
            state = replay(path_to(theirs, events))
        except Exception:  # noqa: BLE001
            continue  # reported above
        if state != d.get("state"):
            problems.append(f"{hid}: resolution {res.get('seq')} does not state the history it keeps")
    return problems
