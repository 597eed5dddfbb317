"""The stages of an administrative case (行政处罚案件) as a pure projection of its events.

The stages follow 《安全生产执法程序规定》 and the 行政处罚法::

    filed 立案 ──investigate──▶ investigating 调查取证 ──notify──▶ notified 告知
                                                        (陈述申辩 statement, 听证 hearing)
          ──decide──▶ decided 决定 ──serve──▶ served 送达 ──execute──▶ executed 执行 ──close──▶ closed 结案
                         │ 不予处罚 / 警告 only: served ──close──▶ closed
    filed / investigating / notified ──withdraw (撤销立案)──▶ closed

A case record is the replay of its events (:func:`replay`), so ``inspect verify`` can check
it the same way as a hazard. Deadlines are derived from the stage's start and the
``case.days.*`` settings, never stored. Closed is final.
"""
from __future__ import annotations

import copy
import datetime as dt
from typing import Any, Optional

from ..errors import IllegalTransition

STAGES = ("filed", "investigating", "notified", "decided", "served", "executed", "closed")
ACTIVE = STAGES[:-1]
STAGE_ZH = {"filed": "立案", "investigating": "调查取证", "notified": "告知", "decided": "决定", "served": "送达",
            "executed": "执行", "closed": "结案"}
MOVES: dict[str, tuple[str, ...]] = {
    "investigate": ("filed", "investigating"),
    "notify": ("investigating", "notified"),  # again: a new notice (e.g. a heavier penalty)
    "statement": ("notified",),
    "hearing": ("notified",),
    "decide": ("notified",),
    "serve": ("decided",),
    "execute": ("served",),
    "close": ("served", "executed"),
    "withdraw": ("filed", "investigating", "notified"),
}
MOVE_COMMANDS = {
    "investigate": "inspect case investigate ID --note TEXT [--evidence FILE]",
    "notify": "inspect case notify ID --penalty TYPE [--amount YUAN]",
    "statement": "inspect case statement ID --text TEXT",
    "hearing": "inspect case hearing ID --held|--waived",
    "decide": "inspect case decide ID --penalty TYPE [--amount YUAN] | --no-penalty --reason TEXT",
    "serve": "inspect case serve ID --method METHOD",
    "execute": "inspect case execute ID --how paid|enforced|court",
    "close": "inspect case close ID",
    "withdraw": "inspect case withdraw ID --reason TEXT",
}
# 行政处罚法 第九条 kinds used by 应急管理部门 (code → printed name).
PENALTY_TYPES = {
    "warning": "警告", "fine": "罚款", "confiscation": "没收违法所得、没收非法财物",
    "suspension": "责令停产停业整顿", "license": "暂扣或者吊销有关许可证", "closure": "责令关闭",
}
# Kinds that give the party a right to a hearing (听证) whatever the amount.
HEARING_TYPES = ("suspension", "license", "closure")
EXECUTION = {"paid": "当事人自觉履行（缴纳罚款）", "enforced": "行政强制执行（加处罚款等）", "court": "申请人民法院强制执行"}
SERVICE_METHODS = ("直接送达", "留置送达", "邮寄送达", "委托送达", "电子送达", "公告送达")
# Days each stage may last (settings ``case.days.STAGE``), and from 立案 to the decision.
STAGE_SETTINGS = {s: f"case.days.{s}" for s in ACTIVE}


def stage_due(case: dict[str, Any], settings: dict[str, Any]) -> Optional[str]:
    """The date by which the current stage should be left (None once closed)."""
    stage = case.get("stage")
    if stage not in ACTIVE or not case.get("stage_since"):
        return None
    days = int(settings.get(STAGE_SETTINGS[str(stage)]) or 0)
    return (dt.date.fromisoformat(case["stage_since"]) + dt.timedelta(days=days)).isoformat()


def decision_due(case: dict[str, Any], settings: dict[str, Any]) -> Optional[str]:
    """立案 + ``case.decision_days`` while no decision is made (行政处罚法 第六十条)."""
    if case.get("decision") or case.get("stage") not in ACTIVE or not case.get("opened"):
        return None
    days = int(settings.get("case.decision_days") or 90)
    return (dt.date.fromisoformat(case["opened"]) + dt.timedelta(days=days)).isoformat()


def overdue(case: dict[str, Any], settings: dict[str, Any], today: dt.date) -> list[dict[str, Any]]:
    """What of the case is late on ``today``: the stage, the decision, or both."""
    out = []
    t = today.isoformat()
    due = stage_due(case, settings)
    if due and due < t:
        out.append({"what": "stage", "stage": case["stage"], "due": due,
                    "days": (today - dt.date.fromisoformat(due)).days})
    ddue = decision_due(case, settings)
    if ddue and ddue < t:
        out.append({"what": "decision", "stage": case["stage"], "due": ddue,
                    "days": (today - dt.date.fromisoformat(ddue)).days})
    return out


def with_derived(case: dict[str, Any], settings: dict[str, Any], today: dt.date) -> dict[str, Any]:
    late = overdue(case, settings, today)
    return dict(case, stage_due=stage_due(case, settings), decision_due=decision_due(case, settings),
                overdue=bool(late), late=late, days_overdue=max((x["days"] for x in late), default=0),
                allowed_moves=allowed_moves(case, settings, today))


def fine_of(case: dict[str, Any]) -> int:
    d = case.get("decision") or {}
    return int(d.get("amount") or 0) if d.get("outcome") == "penalty" else 0


def needs_execution(case: dict[str, Any]) -> bool:
    """A penalty beyond a 警告 must be carried out (执行) before the case can close."""
    d = case.get("decision") or {}
    return d.get("outcome") == "penalty" and any(t != "warning" for t in d.get("types") or [])


def reply_period_over(case: dict[str, Any], settings: dict[str, Any], today: dt.date) -> bool:
    notice = case.get("notice") or {}
    if not notice.get("date"):
        return False
    days = int(settings.get("case.reply_days") or 5)
    return today >= dt.date.fromisoformat(notice["date"]) + dt.timedelta(days=days)


def decide_block(case: dict[str, Any], settings: dict[str, Any], today: dt.date) -> str:
    """Why a decision cannot be made yet (empty when it can)."""
    notice = case.get("notice") or {}
    if case.get("stage") != "notified":
        return ""
    if notice.get("hearing_right"):
        if case.get("hearing") or reply_period_over(case, settings, today):
            return ""
        return (f"the party has the right to a hearing (听证): record it (inspect case hearing ID --held|--waived) "
                f"or wait {settings.get('case.reply_days')} days after the notice of {notice.get('date')}")
    if case.get("statements") or reply_period_over(case, settings, today):
        return ""
    return (f"the party may state its case (陈述申辩): record it (inspect case statement ID --text …) or wait "
            f"{settings.get('case.reply_days')} days after the notice of {notice.get('date')}")


def allowed_moves(case: dict[str, Any], settings: dict[str, Any], today: dt.date) -> list[str]:
    stage = case.get("stage")
    moves = [m for m, stages in MOVES.items() if stage in stages]
    notice = case.get("notice") or {}
    if "hearing" in moves and (not notice.get("hearing_right") or case.get("hearing")):
        moves.remove("hearing")
    if "decide" in moves and decide_block(case, settings, today):
        moves.remove("decide")
    if "execute" in moves and not needs_execution(case):
        moves.remove("execute")
    if "close" in moves and stage == "served" and needs_execution(case):
        moves.remove("close")
    return moves


def require(case: dict[str, Any], move: str, settings: dict[str, Any], today: dt.date) -> None:
    """Refuse a move the case's stage does not allow, naming the stage and the allowed moves."""
    allowed = allowed_moves(case, settings, today)
    if move in allowed:
        return
    stage = str(case.get("stage"))
    listing = "; ".join(MOVE_COMMANDS[m] for m in allowed) if allowed else "none (结案 is final)"
    why = ""
    if move == "decide" and stage == "notified":
        why = " — " + decide_block(case, settings, today)
    elif move == "hearing" and stage == "notified":
        why = (" — a hearing was already recorded" if case.get("hearing")
               else " — the proposed penalty gives no right to a hearing (听证)")
    elif move == "execute" and stage == "served":
        why = " — the decision needs no execution (不予处罚 or 警告 only): close the case"
    elif move == "close" and stage == "served":
        why = " — the penalty must be carried out first (执行)"
    raise IllegalTransition(f"case {case.get('id')} is at {stage} ({STAGE_ZH.get(stage, '?')}): cannot {move}{why}. "
                            f"Allowed moves: {listing}")


def hearing_right(types: list[str], amount: int, settings: dict[str, Any]) -> bool:
    """听证: a large fine (``case.hearing_amount``) or a suspension / licence / closure penalty."""
    return any(t in HEARING_TYPES for t in types) or amount >= int(settings.get("case.hearing_amount") or 50000)


def replay(events: list[dict[str, Any]]) -> dict[str, Any]:
    """The case record that a history produces (without head/events bookkeeping)."""
    state: dict[str, Any] = {}
    for e in events:
        state = apply(state, e)
    return state


def apply(state: dict[str, Any], event: dict[str, Any]) -> dict[str, Any]:
    """One event's effect; pure, so ``inspect verify`` can replay any history."""
    s = dict(state)
    d = event.get("data", {})
    kind = event["type"]
    date = event["date"]
    _check_legal(s, kind, d)
    if kind == "opened":
        s = copy.deepcopy(d)
        s.update(stage="filed", opened=date, stage_since=date, investigation=[], notice=None, statements=[],
                 hearing=None, decision=None, service=None, execution=None, closed_date=None, closed_reason=None,
                 withdrawn=False)
        return s
    if kind == "investigated":
        s["investigation"] = s["investigation"] + [{"date": date, "note": event.get("note", ""),
                                                    "evidence": event.get("evidence", [])}]
        if s["stage"] == "filed":
            s.update(stage="investigating", stage_since=date)
    elif kind == "notified":
        s.update(stage="notified", stage_since=date, notice={"date": date, **d})
    elif kind == "statement":
        s["statements"] = s["statements"] + [{"date": date, "text": d["text"]}]
    elif kind == "hearing":
        s["hearing"] = {"date": date, **d}
    elif kind == "decided":
        s.update(stage="decided", stage_since=date, decision={"date": date, **d})
    elif kind == "served":
        s.update(stage="served", stage_since=date, service={"date": date, **d})
    elif kind == "executed":
        s.update(stage="executed", stage_since=date, execution={"date": date, **d})
    elif kind == "closed":
        s.update(stage="closed", stage_since=date, closed_date=date, closed_reason=d.get("reason", "结案"))
    elif kind == "withdrawn":
        s.update(stage="closed", stage_since=date, closed_date=date, closed_reason=d["reason"], withdrawn=True)
    else:
        raise ValueError(f"unknown case event type {kind!r}")
    return s


EVENT_MOVES = {"investigated": "investigate", "notified": "notify", "statement": "statement", "hearing": "hearing",
               "decided": "decide", "served": "serve", "executed": "execute", "closed": "close",
               "withdrawn": "withdraw"}


def _check_legal(state: dict[str, Any], kind: str, data: dict[str, Any]) -> None:
    """Refuse an event that no command could have recorded from this state, so that a
    history made up by hand (a bundle, an edited ledger) with every hash right does not
    replay: 结案 is final, 决定 comes after 告知 and is no heavier than it, a fine is executed
    after 送达 and before 结案. (The date rules that need the settings, such as the reply
    period, are checked by the commands only.)"""
    if kind == "opened":
        if state.get("stage"):
            raise IllegalTransition(f"case {state.get('id')} is already open: a second 立案 event")
        return
    move = EVENT_MOVES.get(kind)
    if move is None:
        return  # unknown types are refused by apply
    stage = state.get("stage")
    if stage not in MOVES[move]:
        raise IllegalTransition(f"case {state.get('id')} is at {stage} ({STAGE_ZH.get(str(stage), '?')}): "
                                f"cannot {move}")
    notice = state.get("notice") or {}
    if kind == "hearing" and (not notice.get("hearing_right") or state.get("hearing")):
        raise IllegalTransition(f"case {state.get('id')}: cannot hearing — the notice gives no right to one, "
                                "or one was recorded")
    if kind == "decided" and data.get("outcome") == "penalty":
        heavier = [t for t in data.get("types") or [] if t not in (notice.get("types") or [])]
        if heavier or int(data.get("amount") or 0) > int(notice.get("amount") or 0):
            raise IllegalTransition(f"case {state.get('id')}: cannot decide — the decision is heavier than the "
                                    "notice (告知)")
    if kind == "executed" and not needs_execution(state):
        raise IllegalTransition(f"case {state.get('id')}: cannot execute — the decision needs no execution")
    if kind == "closed" and stage == "served" and needs_execution(state):
        raise IllegalTransition(f"case {state.get('id')}: cannot close — the penalty was not carried out (执行)")
