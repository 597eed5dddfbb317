"""Cases in the ledger: opening (立案) from hazards, moving through the stages, queries, verify.

Every change is an event appended to the case's hash chain (the mechanism of
:mod:`inspect_cli.history`, in the table ``case_events``); the ``cases`` record is the replay
of its events (:mod:`.machine`). A case links to the hazards it comes from and never
changes them.
"""
from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from typing import Any, Callable, Optional

from ..hazard import history
from ..clock import Clock
from ..errors import NotFound, ValidationFailed
from ..ids import new_id, normalise
from ..hazard.lifecycle import ACTIVE as HAZARD_ACTIVE
from ..hazard.lifecycle import distinct_certified
from ..storage.interface import Store
from . import machine
from .links import cases_of_hazard

TABLE, EVENTS = "cases", "case_events"
ART_102 = "《中华人民共和国安全生产法》第一百零二条"
UNKNOWN_REGION = "未注明区域"
_ARTICLE = re.compile(r"^第[一二三四五六七八九十百千零〇0-9]+条")
_REGION = re.compile(r"^(?:[^省]{2,8}?(?:省|自治区))?[^市]{2,8}?市([^市区县旗]{1,8}?(?:区|县|旗|市))")


@dataclass
class OpenRequest:
    """What ``inspect case open`` starts a case from (exactly one source kind)."""

    handlers: list[dict[str, str]]
    hazards: list[str] = field(default_factory=list)
    inspection: Optional[str] = None
    reinspections: list[str] = field(default_factory=list)
    facts: str = ""
    basis: list[str] = field(default_factory=list)
    penalty_basis: str = ""


@dataclass
class CaseQuery:
    stages: tuple[str, ...] = ()
    site: Optional[str] = None
    hazard: Optional[str] = None
    overdue: bool = False


# the chain ---------------------------------------------------------------------------
def _state(case: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in case.items() if k not in ("head", "events")}


def append(store: Store, case: Optional[dict[str, Any]], event: dict[str, Any]) -> dict[str, Any]:
    state = machine.apply(_state(case) if case else {}, event)
    state["head"], state["events"] = event["hash"], event["seq"]
    store.put(EVENTS, event["id"], event)
    store.put(TABLE, state["id"], state)
    return state


def record(store: Store, case: dict[str, Any], type: str, clock: Clock, actor: str, data: dict[str, Any],
           note: str = "", evidence: Optional[list[dict[str, Any]]] = None) -> dict[str, Any]:
    since = case.get("stage_since")
    if since and clock.today.isoformat() < since:
        raise ValidationFailed(f"case {case['id']}: the date {clock.today.isoformat()} is before its last step "
                               f"({since}); a case's history runs forward (check --today)")
    event = history.make_event(case, type, clock.today.isoformat(), clock.now(), actor, data, note, evidence)
    return append(store, case, event)


def events_of(store: Store, case_id: str) -> list[dict[str, Any]]:
    return store.find(EVENTS, {"subject": case_id}, order_by="seq")


def get(store: Store, case_id: str) -> dict[str, Any]:
    cid = normalise(case_id)
    case = store.get(TABLE, cid)
    if case is None:
        raise NotFound(f"no case {case_id!r} in this ledger; see inspect case list")
    return case


# opening -----------------------------------------------------------------------------
def region_of(site: dict[str, Any]) -> str:
    """区域: the site's ``region`` field (乡镇/街道), or its older ``region`` attribute, else the
    区/县 of its address, else 未注明区域."""
    field = site.get("region")
    if isinstance(field, str) and field.strip():
        return field.strip()
    attr = (site.get("attributes") or {}).get("region")
    if isinstance(attr, str) and attr.strip():
        return attr.strip()
    m = _REGION.match(str(site.get("address") or "").strip())
    return m.group(1) if m else UNKNOWN_REGION


def _hazard(store: Store, hazard_id: str) -> dict[str, Any]:
    h = store.get("hazards", normalise(hazard_id))
    if h is None:
        raise NotFound(f"no hazard {hazard_id!r} in this ledger; see inspect hazard list")
    return h


def _failed_reinspection(h: dict[str, Any]) -> dict[str, Any]:
    rs = h.get("reinspections") or []
    if not rs or rs[-1].get("result") != "fail":
        raise ValidationFailed(f"hazard {h['id']} has no failed re-inspection as its last one: a case from a "
                               "re-inspection needs one (inspect reinspect hazard ID --fail); use --hazard for "
                               "a violation found on site")
    return dict(rs[-1])


def _sources(store: Store, req: OpenRequest) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    given = [k for k, v in (("--hazard", req.hazards), ("--inspection", req.inspection),
                            ("--reinspection", req.reinspections)) if v]
    if len(given) != 1:
        raise ValidationFailed("a case starts from one of: --hazard ID (repeatable), --inspection ID (its findings) "
                               f"or --reinspection HAZARD_ID (a failed re-inspection); given: {', '.join(given) or 'none'}")
    if req.hazards:
        hazards = [_hazard(store, h) for h in dict.fromkeys(normalise(x) for x in req.hazards)]
        return hazards, {"kind": "hazards"}
    if req.inspection:
        rec = store.get("inspections", normalise(req.inspection))
        if rec is None:
            raise NotFound(f"no inspection {req.inspection!r} in this ledger")
        if not rec.get("hazards"):
            raise ValidationFailed(f"inspection {rec['id']} found no hazards: there is no violation to open a case on")
        return [_hazard(store, h) for h in rec["hazards"]], {"kind": "inspection", "inspection": rec["id"]}
    hazards = [_hazard(store, h) for h in dict.fromkeys(normalise(x) for x in req.reinspections)]
    fails = [dict(_failed_reinspection(h), hazard=h["id"]) for h in hazards]
    return hazards, {"kind": "reinspection", "reinspections": [
        {"hazard": r["hazard"], "date": r.get("date"), "deadline": r.get("deadline"), "note": r.get("note") or ""}
        for r in fails]}


def _articles(hazards: list[dict[str, Any]]) -> list[str]:
    """The violated provisions: the hazards' citations of an article (第…条) of a law, regulation or
    rule; guidance such as a manual's section is left out unless nothing else is cited."""
    cited = [b for h in hazards for b in h.get("basis") or [] if isinstance(b, dict) and b.get("citation")]
    articles = [b for b in cited if _ARTICLE.match(str(b.get("clause") or ""))]
    return [str(b["citation"]) for b in (articles or cited)]


def _default_facts(hazards: list[dict[str, Any]], source: dict[str, Any]) -> str:
    lines = [f"{n}. " + str(h.get("description") or h.get("item_text") or h.get("item")).rstrip("。；; ")
             for n, h in enumerate(hazards, 1)]
    if source["kind"] == "reinspection":
        dates = "、".join(_zh_date(d) for d in sorted({str(r["date"]) for r in source["reinspections"]}))
        return f"{dates}复查发现，当事人未按期消除责令限期整改的事故隐患：" + _sentence(lines)
    return "当事人存在下列违法行为：" + _sentence(lines)


def _sentence(lines: list[str]) -> str:
    text = "；".join(lines)
    return text if text.endswith(("。", "。”", "”", "」")) else text + "。"


def _zh_date(iso: str) -> str:
    d = dt.date.fromisoformat(iso[:10])
    return f"{d.year}年{d.month}月{d.day}日"


def open_case(store: Store, req: OpenRequest, clock: Clock, actor: str) -> dict[str, Any]:
    problems = []
    if distinct_certified(req.handlers) < 2:
        problems.append("a case needs two 承办人 with enforcement certificate numbers (执法证号): "
                        "--inspector NAME:CERT_NO --inspector NAME:CERT_NO")
    hazards, source = _sources(store, req)
    sites = sorted({str(h.get("site")) for h in hazards})
    if len(sites) > 1:
        problems.append(f"the hazards belong to {len(sites)} sites ({', '.join(sites)}): a case has one party; "
                        "open one case per site")
    for h in hazards:
        for c in cases_of_hazard(store, h["id"]):
            if not c["withdrawn"]:
                problems.append(f"hazard {h['id']} is already in case {c['id']} ({c['stage']}): "
                                "one violation is punished once (一事不再罚)")
    basis = list(dict.fromkeys(_articles(hazards) + [b.strip() for b in req.basis if b.strip()]))
    if not basis:
        problems.append("no legal basis: the hazards cite none; give the violated provision with --basis TEXT")
    if problems:
        raise ValidationFailed("the case cannot be opened (立案)", problems)
    site = store.get("sites", sites[0]) or {"code": sites[0], "name": hazards[0].get("site_name") or ""}
    domains = list(dict.fromkeys(str(h.get("domain") or "?") for h in hazards))
    penalty_basis = req.penalty_basis.strip() or (ART_102 if source["kind"] == "reinspection" else "")
    data = {"id": new_id("case"), "site": site["code"], "site_name": site.get("name") or "",
            "region": region_of(site), "domain": domains[0], "domains": domains,
            "hazards": [h["id"] for h in hazards], "source": source,
            "facts": req.facts.strip() or _default_facts(hazards, source), "basis": basis,
            "penalty_basis": penalty_basis,
            "handlers": [{"name": i["name"], "cert": i.get("cert", "")} for i in req.handlers]}
    return record(store, {"id": data["id"]}, "opened", clock, actor, data)


# moves -------------------------------------------------------------------------------
def _move(store: Store, case_id: str, move: str, clock: Clock, settings: dict[str, Any]) -> dict[str, Any]:
    case = get(store, case_id)
    machine.require(case, move, settings, clock.today)
    return case


def _text(value: Any, what: str) -> str:
    text = str(value or "").strip()
    if not text:
        raise ValidationFailed(f"{what} is required")
    return text


def _penalty(types: list[str], amount: Optional[int]) -> tuple[list[str], int]:
    problems = [f"unknown penalty {t!r}; the kinds are: {', '.join(machine.PENALTY_TYPES)}"
                for t in types if t not in machine.PENALTY_TYPES]
    if not types:
        problems.append(f"name the penalty: --penalty KIND (one of {', '.join(machine.PENALTY_TYPES)})")
    amt = int(amount or 0)
    if amt < 0:
        problems.append("the amount cannot be negative")
    if "fine" in types and amt <= 0:
        problems.append("a fine (罚款) needs its amount: --amount YUAN")
    if amt and "fine" not in types:
        problems.append("--amount is the fine (罚款): add --penalty fine")
    if problems:
        raise ValidationFailed("the penalty is not valid", problems)
    return list(dict.fromkeys(types)), amt


def investigate(store: Store, case_id: str, args: dict[str, Any], evidence: list[dict[str, Any]], clock: Clock,
                actor: str, settings: dict[str, Any]) -> dict[str, Any]:
    case = _move(store, case_id, "investigate", clock, settings)
    note = _text(args.get("note"), "what was investigated (--note TEXT: 询问、勘验、抽样取证 …)")
    return record(store, case, "investigated", clock, actor, {}, note, evidence)


def notify(store: Store, case_id: str, args: dict[str, Any], evidence: list[dict[str, Any]], clock: Clock,
           actor: str, settings: dict[str, Any]) -> dict[str, Any]:
    case = _move(store, case_id, "notify", clock, settings)
    types, amount = _penalty(list(args.get("types") or []), args.get("amount"))
    basis = str(args.get("basis") or "").strip() or case.get("penalty_basis") or ""
    if not basis:
        raise ValidationFailed("the notice (告知) needs the provision the penalty rests on: --basis TEXT "
                               f"(e.g. {ART_102})")
    data = {"types": types, "amount": amount, "basis": basis,
            "hearing_right": machine.hearing_right(types, amount, settings)}
    return record(store, case, "notified", clock, actor, data, str(args.get("note") or ""))


def statement(store: Store, case_id: str, args: dict[str, Any], evidence: list[dict[str, Any]], clock: Clock,
              actor: str, settings: dict[str, Any]) -> dict[str, Any]:
    case = _move(store, case_id, "statement", clock, settings)
    return record(store, case, "statement", clock, actor,
                  {"text": _text(args.get("text"), "the party's statement (--text)")})


def hearing(store: Store, case_id: str, args: dict[str, Any], evidence: list[dict[str, Any]], clock: Clock,
            actor: str, settings: dict[str, Any]) -> dict[str, Any]:
    case = _move(store, case_id, "hearing", clock, settings)
    return record(store, case, "hearing", clock, actor, {"held": bool(args.get("held"))},
                  str(args.get("note") or ""), evidence)


def decide(store: Store, case_id: str, args: dict[str, Any], evidence: list[dict[str, Any]], clock: Clock,
           actor: str, settings: dict[str, Any]) -> dict[str, Any]:
    case = _move(store, case_id, "decide", clock, settings)
    notice = case.get("notice") or {}
    if args.get("no_penalty"):
        if args.get("types") or args.get("amount"):
            raise ValidationFailed("choose one: --no-penalty, or --penalty KIND [--amount YUAN]")
        data: dict[str, Any] = {"outcome": "no_penalty", "types": [], "amount": 0,
                                "reason": _text(args.get("reason"), "the reason for 不予处罚 (--reason)"),
                                "basis": str(args.get("basis") or "").strip()}
        return record(store, case, "decided", clock, actor, data, str(args.get("note") or ""))
    types, amount = _penalty(list(args.get("types") or []), args.get("amount"))
    heavier = [t for t in types if t not in (notice.get("types") or [])]
    if heavier or amount > int(notice.get("amount") or 0):
        raise ValidationFailed(
            "the decision is heavier than the notice (告知): " + (f"{', '.join(heavier)} not notified" if heavier else
                                                              f"{amount} > notified {notice.get('amount')}"),
            ["a heavier penalty needs a new notice first: inspect case notify ID --penalty … "
             "(行政处罚法: 不得因当事人陈述、申辩而给予更重的处罚)"])
    basis = str(args.get("basis") or "").strip() or str(notice.get("basis") or "")
    data = {"outcome": "penalty", "types": types, "amount": amount, "basis": basis, "reason": ""}
    return record(store, case, "decided", clock, actor, data, str(args.get("note") or ""))


def serve(store: Store, case_id: str, args: dict[str, Any], evidence: list[dict[str, Any]], clock: Clock,
          actor: str, settings: dict[str, Any]) -> dict[str, Any]:
    case = _move(store, case_id, "serve", clock, settings)
    method = str(args.get("method") or "直接送达")
    if method not in machine.SERVICE_METHODS:
        raise ValidationFailed(f"unknown service method {method!r}; use one of: {', '.join(machine.SERVICE_METHODS)}")
    return record(store, case, "served", clock, actor, {"method": method, "recipient": str(args.get("recipient") or "")},
                  str(args.get("note") or ""), evidence)


def execute(store: Store, case_id: str, args: dict[str, Any], evidence: list[dict[str, Any]], clock: Clock,
            actor: str, settings: dict[str, Any]) -> dict[str, Any]:
    case = _move(store, case_id, "execute", clock, settings)
    how = str(args.get("how") or "")
    if how not in machine.EXECUTION:
        raise ValidationFailed(f"how the penalty was carried out: --how {'|'.join(machine.EXECUTION)}")
    fine = machine.fine_of(case)
    amount = fine if args.get("amount") is None else int(args["amount"])
    if amount < 0:
        raise ValidationFailed("the amount cannot be negative")
    if how == "paid" and fine and amount <= 0:
        raise ValidationFailed("a paid fine needs the amount paid: --amount YUAN")
    return record(store, case, "executed", clock, actor, {"how": how, "amount": amount},
                  str(args.get("note") or ""), evidence)


def close(store: Store, case_id: str, args: dict[str, Any], evidence: list[dict[str, Any]], clock: Clock,
          actor: str, settings: dict[str, Any]) -> dict[str, Any]:
    case = _move(store, case_id, "close", clock, settings)
    return record(store, case, "closed", clock, actor, {"reason": "结案"}, str(args.get("note") or ""))


def withdraw(store: Store, case_id: str, args: dict[str, Any], evidence: list[dict[str, Any]], clock: Clock,
             actor: str, settings: dict[str, Any]) -> dict[str, Any]:
    case = _move(store, case_id, "withdraw", clock, settings)
    reason = _text(args.get("reason"), "the reason for 撤销立案 (--reason), e.g. 违法事实不能成立")
    return record(store, case, "withdrawn", clock, actor, {"reason": reason})


Move = Callable[[Store, str, dict[str, Any], list[dict[str, Any]], Clock, str, dict[str, Any]], dict[str, Any]]
MOVE_FUNCTIONS: dict[str, Move] = {
    "investigate": investigate, "notify": notify, "statement": statement, "hearing": hearing, "decide": decide,
    "serve": serve, "execute": execute, "close": close, "withdraw": withdraw,
}
assert set(MOVE_FUNCTIONS) == set(machine.MOVES)


# queries -----------------------------------------------------------------------------
def query(store: Store, q: CaseQuery, settings: dict[str, Any], today: dt.date) -> list[dict[str, Any]]:
    where: dict[str, Any] = {}
    if q.stages:
        where["stage"] = ("in", list(q.stages))
    if q.site:
        where["site"] = q.site.strip().upper()
    rows = [machine.with_derived(c, settings, today) for c in store.find(TABLE, where, order_by="opened")]
    if q.hazard:
        hid = normalise(q.hazard)
        rows = [c for c in rows if hid in (c.get("hazards") or [])]
    if q.overdue:
        rows = [c for c in rows if c["overdue"]]
    return rows


def verify(store: Store, known_hazards: set[str]) -> tuple[int, int, list[str]]:
    """(cases, events, problems): every case's chain and replay, orphan events, lost hazards."""
    by: dict[str, list[dict[str, Any]]] = {}
    for e in store.find(EVENTS):
        by.setdefault(str(e.get("subject", "?")), []).append(e)
    problems: list[str] = []
    cases = store.find(TABLE)
    good = [c for c in cases if isinstance(c, dict) and isinstance(c.get("id"), str)]
    problems += [f"a case record is not a record ({str(c)[:40]!r}): edited outside inspect-cli"
                 for c in cases if c not in good]
    for c in good:
        evs = sorted(by.pop(c["id"], []), key=lambda e: (e.get("seq") or 0))
        problems += ["case " + p for p in history.verify_chain(c, evs, machine.replay)]
        for hid in c.get("hazards") or []:
            if hid not in known_hazards:
                problems.append(f"case {c['id']}: hazard {hid} it was opened on is missing from the ledger")
    for subject, evs in by.items():
        problems.append(f"{len(evs)} case event(s) belong to case {subject}, which is not in the ledger (removed?)")
    return len(good), sum(int(c.get("events") or 0) for c in good), problems


# sites that do not rectify -------------------------------------------------------------
def repeat_offenders(store: Store, today: dt.date, site: Optional[str] = None) -> list[dict[str, Any]]:
    """Sites with hazards past their deadline after a failed re-inspection; a case is only suggested."""
    t = today.isoformat()
    linked: dict[str, str] = {}
    for c in store.find(TABLE, fields=("id", "hazards", "withdrawn")):
        if not c.get("withdrawn"):
            for hid in c.get("hazards") or []:
                linked[hid] = c["id"]
    sites: dict[str, dict[str, Any]] = {}
    where: dict[str, Any] = {"status": ("in", list(HAZARD_ACTIVE)), "deadline": ("<", t)}
    if site:
        where["site"] = site.strip().upper()
    for h in store.find("hazards", where, order_by="deadline"):
        fails = [r for r in h.get("reinspections") or [] if r.get("result") == "fail"]
        if not fails:
            continue
        s = sites.setdefault(h["site"], {"site": h["site"], "site_name": h.get("site_name") or "", "hazards": []})
        s["hazards"].append({
            "id": h["id"], "severity": h.get("severity"), "deadline": h.get("deadline"),
            "days_overdue": (today - dt.date.fromisoformat(h["deadline"])).days, "failed_reinspections": len(fails),
            "last_failed": fails[-1].get("date"), "description": h.get("description") or "", "case": linked.get(h["id"])})
    out = []
    for s in sites.values():
        free = [h["id"] for h in s["hazards"] if not h["case"]]
        s["in_case"] = sorted({h["case"] for h in s["hazards"] if h["case"]})
        s["max_days_overdue"] = max(h["days_overdue"] for h in s["hazards"])
        s["suggestion"] = (" ".join(["inspect case open"] + [f"--reinspection {hid}" for hid in free]
                                    + ["--inspector NAME:CERT_NO --inspector NAME:CERT_NO"]) if free else "")
        out.append(s)
    return sorted(out, key=lambda s: (-s["max_days_overdue"], s["site"]))
