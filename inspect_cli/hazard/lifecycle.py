"""The hazard lifecycle: states, allowed moves, and the projection of events into a hazard.

::

    open ──plan──▶ planned ──fixed──▶ fixed ──reinspect pass──▶ closed (销号)
      │  ╲                                         │
      │   ╲──────────────fixed──────────▶          └─reinspect fail──▶ open (new deadline)
      └──(on-spot fix at registration)──────────────────────────────────▶ closed

Extension (延期), interim measures (临时管控措施) and listed supervision (挂牌督办) keep the
state. Re-inspection needs a reported fix or a reached deadline. Overdue is derived from
the deadline and the date, never stored. Closed is final.
"""
from __future__ import annotations

import copy
import datetime as dt
from typing import Any, Mapping, Optional

from ..errors import IllegalTransition

STATES = ("open", "planned", "fixed", "closed")
# What the enterprise reports with a fix, as the office 台账 keeps it: 整改措施, 整改责任人, 整改资金
FIX_DETAILS = ("measures", "responsible", "funds")
# The longest text a person may enter in one field (a note, measures, a reason): documents print it whole
MAX_TEXT = 2000
EVENT_TYPES = ("registered", "closed_on_spot", "plan", "supervise", "interim", "extended", "fixed", "reinspected",
               "resolved")
ACTIVE = ("open", "planned", "fixed")
MOVES = {
    "plan": ("open", "planned"),
    "extend": ("open", "planned", "fixed"),
    "fixed": ("open", "planned"),
    "reinspect": ("open", "planned", "fixed"),
    "interim": ("open", "planned", "fixed"),
    "supervise": ("open", "planned", "fixed"),
}
MOVE_COMMANDS = {
    "plan": "inspect hazard plan ID --file plan.yaml",
    "extend": "inspect hazard extend ID --to DATE --reason TEXT",
    "fixed": "inspect hazard fixed ID",
    "reinspect": "inspect reinspect hazard ID --pass|--fail",
    "interim": "inspect hazard interim ID --measures TEXT",
    "supervise": "inspect hazard supervise ID --level LEVEL --authority NAME",
}
# Each move as words in "hazard H is closed: cannot …" (the move names are not all verbs).
MOVE_WORDS = {
    "plan": "take a 治理方案 (rectification plan)", "extend": "extend its deadline", "fixed": "report a fix",
    "reinspect": "reinspect", "interim": "record interim measures", "supervise": "be listed for supervision",
}
PLAN_PARTS = ("goals", "measures", "funds", "responsible", "deadline", "safety")
PLAN_PARTS_ZH = {
    "goals": "治理的目标和任务", "measures": "采取的方法和措施", "funds": "经费和物资的落实",
    "responsible": "负责治理的机构和人员", "deadline": "治理的时限和要求", "safety": "安全措施和应急预案",
}


def is_overdue(hazard: Mapping[str, Any], today: dt.date) -> bool:
    return hazard.get("status") in ACTIVE and bool(hazard.get("deadline")) and hazard["deadline"] < today.isoformat()


def days_overdue(hazard: Mapping[str, Any], today: dt.date) -> int:
    if not is_overdue(hazard, today):
        return 0
    return (today - dt.date.fromisoformat(hazard["deadline"])).days


def allowed_moves(hazard: dict[str, Any], today: dt.date) -> list[str]:
    status = hazard.get("status")
    moves = [m for m, states in MOVES.items() if status in states]
    if hazard.get("severity") != "major":
        moves = [m for m in moves if m not in ("plan", "supervise")]
    if "reinspect" in moves and not can_reinspect(hazard, today):
        moves.remove("reinspect")
    return moves


def can_reinspect(hazard: Mapping[str, Any], today: dt.date) -> bool:
    return hazard.get("status") == "fixed" or (bool(hazard.get("deadline")) and today.isoformat() >= hazard["deadline"])


def require(hazard: dict[str, Any], move: str, today: dt.date) -> None:
    """Refuse a move the hazard's state does not allow, naming the state and allowed moves."""
    if move in allowed_moves(hazard, today):
        return
    status = hazard.get("status")
    allowed = allowed_moves(hazard, today)
    listing = "; ".join(MOVE_COMMANDS[m] for m in allowed) if allowed else "none (closed is final)"
    why = ""
    if move in ("plan", "supervise") and hazard.get("severity") != "major" and status in ACTIVE:
        why = " — only major hazards take a 治理方案 or listed supervision"
    elif move == "reinspect" and status in ACTIVE:
        why = (f" — re-inspection needs a reported fix (inspect hazard fixed) or the deadline "
               f"{hazard.get('deadline')} to be reached")
    raise IllegalTransition(f"hazard {hazard.get('id')} is {status}: cannot {MOVE_WORDS.get(move, move)}{why}. "
                            f"Allowed moves: {listing}")


def replay(events: list[dict[str, Any]]) -> dict[str, Any]:
    """The hazard record that a history produces (without head/events bookkeeping)."""
    state: dict[str, Any] = {}
    for e in events:
        state = apply(state, e)
    return state


def apply(state: dict[str, Any], event: dict[str, Any]) -> dict[str, Any]:
    """One event's effect; pure, so ``inspect verify`` can replay any history."""
    # Shallow: every change below builds new lists or values, so the old state is never
    # mutated (a deep copy per event made replaying a city's history several times slower).
    s = dict(state)
    d = event.get("data", {})
    kind = event["type"]
    _check_legal(s, kind)
    if kind == "registered":
        s = copy.deepcopy(d)
        s.update(status="open", plan=None, supervision=None, interim=[], extensions=[], fix=None,
                 reinspections=[], closed_date=None, closed_reason=None)
    elif kind == "closed_on_spot":
        s.update(status="closed", closed_date=event["date"], closed_reason=d.get("reason", "当场整改"))
    elif kind == "plan":
        s["plan"] = d["plan"]
        if s["status"] == "open":
            s["status"] = "planned"
    elif kind == "supervise":
        s["supervision"] = d
    elif kind == "interim":
        s["interim"] = s["interim"] + [{"date": event["date"], "measures": d["measures"]}]
    elif kind == "extended":
        s["extensions"] = s["extensions"] + [{"date": event["date"], "from": s["deadline"], "to": d["to"],
                                              "reason": d["reason"]}]
        s["deadline"] = d["to"]
    elif kind == "fixed":
        s["status"] = "fixed"
        s["fix"] = {"date": event["date"], "note": event.get("note", ""), "evidence": event.get("evidence", []),
                    **{k: d[k] for k in FIX_DETAILS if isinstance(d, dict) and d.get(k)}}
    elif kind == "reinspected":
        s["reinspections"] = s["reinspections"] + [{
            "date": event["date"], "result": d["result"], "inspectors": d.get("inspectors", []),
            "note": event.get("note", ""), "evidence": event.get("evidence", []), "deadline": d.get("deadline")}]
        if d["result"] == "pass":
            s.update(status="closed", closed_date=event["date"], closed_reason="复查合格")
        else:
            s.update(status="open", deadline=d["deadline"], fix=None)
    elif kind == "resolved":
        # a conflict settled (inspect conflicts resolve): keeping the other side's history
        # takes the hazard as that history left it; keeping this one changes nothing
        if d.get("keep") == "theirs":
            s = copy.deepcopy(d["state"])
    else:
        raise ValueError(f"unknown event type {kind!r}")
    return s


EVENT_MOVES = {"plan": "plan", "supervise": "supervise", "interim": "interim", "extended": "extend",
               "fixed": "fixed", "reinspected": "reinspect"}


def _check_legal(state: dict[str, Any], kind: str) -> None:
    """Refuse an event that no command could have recorded from this state, so that a history
    made up by hand with every hash right does not replay: one registration, first; closed
    is final (only a conflict's resolution follows it); each move from the states it is
    allowed in; a 治理方案 or listed supervision for a major hazard only. (Date rules that
    need "today", such as a re-inspection before the deadline, are checked by the commands.)"""
    status = state.get("status")
    if kind == "registered":
        if status is not None:
            raise IllegalTransition(f"hazard {state.get('id')} is already registered: a second registration")
        return
    if status is None:
        raise IllegalTransition(f"a {kind} event before the hazard was registered")
    if kind == "resolved":
        return
    if status == "closed":
        raise IllegalTransition(f"hazard {state.get('id')} is closed: cannot {kind} (closed is final)")
    if kind == "closed_on_spot":
        if status != "open":
            raise IllegalTransition(f"hazard {state.get('id')} is {status}: cannot be closed on the spot")
        return
    move = EVENT_MOVES.get(kind)
    if move is not None and status not in MOVES[move]:
        raise IllegalTransition(f"hazard {state.get('id')} is {status}: cannot {move}")
    if move in ("plan", "supervise") and state.get("severity") != "major":
        raise IllegalTransition(f"hazard {state.get('id')} is not major: cannot {move}")


def distinct_certified(inspectors: list[dict[str, str]]) -> int:
    """How many different people with certificate numbers (one person listed twice counts once)."""
    return len({i.get("cert") for i in inspectors if i.get("cert")})


def plan_problems(plan: Any) -> list[str]:
    """What a 治理方案 lacks of its six parts."""
    if not isinstance(plan, dict):
        return ["the plan must be a mapping with the six parts: " + ", ".join(PLAN_PARTS)]
    out = []
    for part in PLAN_PARTS:
        if not str(plan.get(part) or "").strip():
            out.append(f"missing '{part}' ({PLAN_PARTS_ZH[part]})")
    extra = sorted(set(plan) - set(PLAN_PARTS))
    if extra:
        out.append(f"unknown part(s) {', '.join(map(str, extra))}; the parts are {', '.join(PLAN_PARTS)}")
    return out


def reinspection_problems(hazard: dict[str, Any], result: str, inspectors: list[dict[str, str]],
                          evidence: list[Any], deadline: Optional[str], today: dt.date) -> list[str]:
    """Why a re-inspection cannot be recorded as given (closure rules for major hazards)."""
    out = []
    if result not in ("pass", "fail"):
        out.append(f"result must be pass or fail, not {result!r}")
    certified = distinct_certified(inspectors)
    if not inspectors:
        out.append("a re-inspection needs at least one inspector (--inspector NAME:CERT)")
    elif hazard.get("kind") != "self" and not certified:
        out.append("a re-inspection of an enforcement finding needs an inspector with a certificate number "
                   "(--inspector NAME:CERT_NO)")
    if result == "pass" and hazard.get("severity") == "major":
        if certified < 2:
            out.append("closing a major hazard needs two different inspectors with certificate numbers")
        if not evidence:
            out.append("closing a major hazard needs evidence of the re-inspection (--evidence FILE)")
    if result == "fail" and deadline and deadline <= today.isoformat():
        out.append(f"the new deadline {deadline} must be after the re-inspection date {today.isoformat()}")
    return out
