"""Context builders: what each report shows, read from the ledger as plain dicts and lists.

The templates only print these values; every decision (numbering, opinions, counts, flags)
is made here, so it is tested once for HTML, Markdown, PDF and XLSX alike.
"""
from __future__ import annotations

import calendar
import datetime as dt
from typing import TYPE_CHECKING, Any, Mapping, Optional, Sequence

from ..hazard import lifecycle
from ..errors import NotFound, ReportError, UsageError
from ..hazard.moves import HazardQuery
from ..ids import normalise
from . import labels as lb
from .media import evidence_items
from .docnumbers import claim

if TYPE_CHECKING:
    from ..checklist.registry import Registry
    from ..records import Event, Hazard, Inspection
    from ..ledger import Ledger

TOP_SITES = 10
MAX_OVERDUE_ROWS = 200


# formatting ---------------------------------------------------------------------------
def fmt_date(iso: Any, lang: str = "zh") -> str:
    """``2026-03-02`` → 2026年3月2日 (zh) or 2026-03-02 (en); empty for None."""
    if not iso:
        return ""
    d = dt.date.fromisoformat(str(iso)[:10])
    return d.isoformat() if lang == "en" else f"{d.year}年{d.month}月{d.day}日"


def fmt_time(iso: Any, lang: str = "zh") -> str:
    """An ISO timestamp → 2026年3月2日9时30分 (zh) or 2026-03-02 09:30 (en)."""
    if not iso:
        return ""
    t = dt.datetime.fromisoformat(str(iso))
    return t.strftime("%Y-%m-%d %H:%M") if lang == "en" else f"{t.year}年{t.month}月{t.day}日{t.hour}时{t.minute:02d}分"


MAX_TEXT = 2000  # characters of one text field printed on a document; the rest is cut with a marker


def bounded(text: Any, ref: str, lang: str = "zh", limit: int = MAX_TEXT) -> str:
    """``text`` cut to ``limit`` characters, with a marker saying how much was left out and
    where the full text is (a 1 MB note must not make a document of hundreds of pages)."""
    t = str(text or "")
    if len(t) <= limit:
        return t
    return t[:limit] + lb.labels(lang)["truncated"].format(n=len(t) - limit, ref=ref)


def inspection_time(rec: Mapping[str, Any], lang: str) -> dict[str, Any]:
    """检查时间 of a record: the start and end the inspector gave (``started``/``finished``);
    else the moments a live run recorded, when they fall on the inspection's own date and
    differ; else the inspection's date with the hours left blank for handwriting."""
    L = lb.labels(lang)
    day = dt.date.fromisoformat(str(rec["date"])[:10])
    start = rec.get("started") or None
    end = rec.get("finished") or None
    if not (start and end):
        s_at, f_at = rec.get("started_at"), rec.get("finished_at")
        if s_at and f_at and str(s_at)[:10] == day.isoformat() and str(f_at)[:16] != str(s_at)[:16]:
            start, end = s_at, f_at
    blank = L["blank_short"]
    if start and end:
        a, b = dt.datetime.fromisoformat(str(start)), dt.datetime.fromisoformat(str(end))
        text = L["time_value"].format(y=a.year, m=a.month, d=a.day, h=a.hour, mi=f"{a.minute:02d}",
                                      em=b.month, ed=b.day, eh=b.hour, emi=f"{b.minute:02d}")
        return {"text": text, "given": True, "start_iso": str(start), "end_iso": str(end)}
    text = L["time_value"].format(y=day.year, m=day.month, d=day.day, h=blank, mi=blank, em=blank, ed=blank, eh=blank,
                                  emi=blank)
    return {"text": text, "given": False, "start_iso": "", "end_iso": ""}


def officers(inspectors: Sequence[Mapping[str, object]]) -> list[dict[str, str]]:
    return [{"name": str(i.get("name") or ""), "cert": str(i.get("cert") or "")} for i in inspectors or []]


def people(inspectors: Sequence[Mapping[str, object]]) -> str:
    return "、".join(f"{i.get('name', '')}（{i['cert']}）" if i.get("cert") else str(i.get("name", ""))
                    for i in inspectors or [])


def _num(v: Any) -> str:
    return f"{v:g}" if isinstance(v, float) else str(v)


def _list_nos(ns: list[int]) -> str:
    return "、".join(str(n) for n in ns)


# one hazard ---------------------------------------------------------------------------
def finding(h: Hazard, events: list[Event], ledger: Ledger, lang: str, n: int = 0) -> dict[str, Any]:
    """Everything a document prints about one hazard (see docs/reports.md)."""
    L = lb.labels(lang)
    folder = ledger.evidence_folder(events)
    registered = next((e.get("data") or {} for e in events if e.get("type") == "registered"), {})
    on_spot = any(e.get("type") == "closed_on_spot" for e in events)
    m = h.get("measured")
    plan = h.get("plan") or None
    parts = lb.plan_part_names(lang)
    sup = h.get("supervision") or None
    major = h.get("severity") == "major"
    return {
        "n": n, "id": h["id"], "site": h.get("site"), "site_name": h.get("site_name") or "",
        "inspection": h.get("inspection"), "checklist": h.get("checklist"), "checklist_version": h.get("checklist_version"),
        "domain": h.get("domain"), "domain_name": lb.domain_name(h.get("domain"), lang),
        "item": h.get("item"), "unit": h.get("unit") or "",
        "item_ref": f"{h.get('item')}[{h['unit']}]" if h.get("unit") else str(h.get("item")),
        "item_text": h.get("item_text") or "", "description": bounded(h.get("description"), h["id"], lang),
        "location": bounded(h.get("location"), h["id"], lang, 200),
        "basis": [{"citation": b.get("citation") or "", "unverified": b.get("verification") == "unverified"}
                  for b in h.get("basis") or []],
        "severity": h.get("severity"), "severity_label": lb.severity_name(h.get("severity"), lang), "major": major,
        "item_severity": h.get("item_severity"), "downgrade_reason": h.get("downgrade_reason") or "",
        "measured": ({"value": _num(m.get("value")), "unit": m.get("unit") or "", "range": m.get("range") or ""}
                     if m else None),
        "note": bounded(h.get("note"), h["id"], lang), "item_note": bounded(h.get("item_note"), h["id"], lang),
        "evidence": evidence_items(h.get("evidence") or [], folder),
        "created": fmt_date(h.get("created"), lang), "created_iso": h.get("created"),
        "deadline": fmt_date(h.get("deadline"), lang), "deadline_iso": h.get("deadline"),
        "original_deadline": fmt_date(registered.get("deadline") or h.get("deadline"), lang),
        "original_deadline_iso": registered.get("deadline") or h.get("deadline"),
        "status": h.get("status"), "status_label": lb.pick(lb.STATUS, h.get("status"), lang),
        "overdue": bool(h.get("overdue")), "days_overdue": int(h.get("days_overdue") or 0),
        "overdue_label": L["overdue_days"].format(days=h.get("days_overdue") or 0) if h.get("overdue") else "",
        "on_spot": on_spot,
        "interim": [{"date": fmt_date(i.get("date"), lang), "measures": bounded(i.get("measures"), h["id"], lang)}
                    for i in h.get("interim") or []],
        "plan": [{"part": parts[k], "text": bounded(plan.get(k), h["id"], lang)} for k in lifecycle.PLAN_PARTS] if plan else [],
        "supervision": ({"level": sup.get("level") or "", "authority": sup.get("authority") or "",
                         "date": fmt_date(sup.get("date"), lang)} if sup else None),
        "extensions": [{"date": fmt_date(x.get("date"), lang), "from": fmt_date(x.get("from"), lang),
                        "to": fmt_date(x.get("to"), lang), "reason": bounded(x.get("reason"), h["id"], lang)}
                       for x in h.get("extensions") or []],
        "fix": ({"date": fmt_date(h["fix"].get("date"), lang), "note": bounded(h["fix"].get("note"), h["id"], lang),
                 "evidence": evidence_items(h["fix"].get("evidence") or [], folder)} if h.get("fix") else None),
        "reinspections": [_reinspection(r, folder, lang, h["id"]) for r in h.get("reinspections") or []],
        "closed_date": fmt_date(h.get("closed_date"), lang), "closed_date_iso": h.get("closed_date"),
        "closed_reason": bounded(h.get("closed_reason"), h["id"], lang),
        "flag_no_plan": major and h.get("status") == "closed" and not plan,
        "inspectors": people(h.get("inspectors") or []),
        "kind_label": lb.pick(lb.KINDS, h.get("kind"), lang) if h.get("kind") else "",  # 检查类别
    }


def _reinspection(r: dict[str, Any], folder: Any, lang: str, ref: str = "") -> dict[str, Any]:
    L = lb.labels(lang)
    return {"date": fmt_date(r.get("date"), lang), "date_iso": r.get("date"), "result": r.get("result"),
            "result_label": L["result_pass"] if r.get("result") == "pass" else L["result_fail"],
            "inspectors": people(r.get("inspectors") or []), "officers": officers(r.get("inspectors") or []),
            "note": bounded(r.get("note"), ref, lang),
            "evidence": evidence_items(r.get("evidence") or [], folder),
            "deadline": fmt_date(r.get("deadline"), lang)}


def known_people(h: Mapping[str, Any], events: Sequence[Mapping[str, Any]], settings: Mapping[str, Any]) -> set[str]:
    """Names that may be printed as 经办人: the inspectors of the hazard's inspection and
    re-inspections and the configured officer (``org.officer``) — never a computer login."""
    names = {str(i.get("name")) for i in h.get("inspectors") or [] if i.get("name")}
    for e in events:
        for i in (e.get("data") or {}).get("inspectors") or []:
            if isinstance(i, dict) and i.get("name"):
                names.add(str(i["name"]))
    if settings.get("org.officer"):
        names.add(str(settings["org.officer"]))
    return names


def _actor(actor: Any, known: Optional[set[str]]) -> str:
    text = str(actor or "")
    if known is None:
        return text
    parts = [p.strip() for p in text.replace("、", ",").split(",") if p.strip()]
    return "、".join(p for p in parts if p in known) if parts and all(p in known for p in parts) else ""


def history_rows(events: list[Event], ledger: Ledger, lang: str,
                 known: Optional[set[str]] = None) -> list[dict[str, Any]]:
    L = lb.labels(lang)
    rows = []
    for e in events:
        d = e.get("data") or {}
        t = e.get("type")
        if t == "registered":
            text = f"{L['deadline']} {fmt_date(d.get('deadline'), lang)}"
        elif t == "extended":
            text = f"→ {fmt_date(d.get('to'), lang)}：{d.get('reason', '')}"
        elif t == "reinspected":
            res = L["result_pass"] if d.get("result") == "pass" else L["result_fail"]
            text = f"{res}；{people(d.get('inspectors') or [])}"
            if d.get("deadline"):
                text += f"；{L['deadline']} {fmt_date(d.get('deadline'), lang)}"
        elif t == "supervise":
            text = f"{d.get('level', '')} {d.get('authority', '')}"
        elif t == "interim":
            text = str(d.get("measures", ""))
        elif t == "plan":
            text = "；".join(f"{v}：{(d.get('plan') or {}).get(k, '')}" for k, v in lb.plan_part_names(lang).items())
        elif t == "closed_on_spot":
            text = str(d.get("reason", ""))
        else:
            text = ""
        rows.append({"date": fmt_date(e.get("date"), lang), "seq": e.get("seq"), "type": t,
                     "label": lb.pick(lb.EVENTS, t, lang), "actor": _actor(e.get("actor"), known), "text": text,
                     "note": e.get("note") or "", "evidence": evidence_items(e.get("evidence") or [], ledger.evidence_folder(events)),
                     "hash": str(e.get("hash") or "")[:12]})
    return rows


# shared -------------------------------------------------------------------------------
def base(ledger: Ledger, kind: str, lang: str, settings: dict[str, Any]) -> dict[str, Any]:
    L = lb.labels(lang)
    return {"kind": kind, "lang": lang, "L": L, "title": L[f"title_{kind}"],
            "org": {"name": settings.get("org.name") or "", "code": settings.get("org.code") or ""},
            "banner": str(settings.get("report.banner") or "") if kind in ("record", "order", "review") else "",
            "number": "", "replaces_number": "", "replaces_reason": "", "today": fmt_date(ledger.clock.today.isoformat(), lang),
            "today_iso": ledger.clock.today.isoformat()}


def site_block(ledger: Ledger, code: str, fallback_name: str = "") -> dict[str, Any]:
    try:
        s = ledger.site(code)
    except NotFound:
        s = {"code": code, "name": fallback_name}
    return {k: str(s.get(k) or "") for k in ("code", "name", "address", "contact", "position", "phone", "industry",
                                             "risk_class", "region")}


def _inspection_hazards(ledger: Ledger, rec: Inspection, lang: str) -> list[dict[str, Any]]:
    out = []
    for n, hid in enumerate(rec.get("hazards") or [], start=1):
        h, events = ledger.hazard(hid)
        out.append(finding(h, events, ledger, lang, n))
    return out


def _number(ledger: Ledger, kind: str, subject: str, date: str, settings: dict[str, Any],
            ctx: dict[str, Any]) -> str:
    """The number this document will carry; it is taken only after the render succeeds.

    With the ``_correct`` setting (``--correct REASON``) the document's own kind gets a new
    number and the context names the number it replaces."""
    fresh = kind == ctx["kind"] and bool(settings.get("_correct"))
    number = ledger.document_number(kind, subject, date, settings, fresh=fresh)
    if fresh:
        old = ledger.issued_document(kind, subject)
        if not old:
            raise UsageError(f"{lb.labels('zh')['title_' + kind]} of {subject} was never issued: there is nothing "
                             "to correct (print it without --correct)")
        ctx["replaces_number"] = str(old["number"])
        ctx["replaces_reason"] = str(settings["_correct"])
    claim(ctx, kind, subject, date, number, fresh)
    return number


def _inspection(ledger: Ledger, inspection_id: Optional[str], document: str = "执法文书") -> Inspection:
    if not inspection_id:
        raise UsageError("this report needs an INSPECTION_ID (see inspect hazard list, column inspection)")
    rec = ledger.inspection(inspection_id)
    if rec.get("kind") == "self":  # a self-inspection (自查) has only the enterprise's own record
        raise ReportError(f"inspection {rec['id']} is a self-inspection (自查) by the enterprise: it has no "
                          f"{document} (执法文书); print its 隐患排查治理记录 with inspect report selfcheck {rec['id']}")
    if rec.get("status") != "completed":
        raise ReportError(f"inspection {rec['id']} is {rec.get('status')}: finish it before printing its documents")
    return rec


# record: 现场检查记录 -------------------------------------------------------------------
def record(ledger: Ledger, subject: Optional[str], lang: str, settings: dict[str, Any],
           registry: Optional[Registry] = None, **_: Any) -> dict[str, Any]:
    rec = _inspection(ledger, subject, "现场检查记录")
    L = lb.labels(lang)
    ctx = base(ledger, "record", lang, settings)
    answers = rec.get("answers") or {}
    counts = {k: sum(1 for a in answers.values() if a.get("outcome") == k) for k in ("pass", "fail", "na", "recorded")}
    texts = _item_texts(rec, registry)
    recorded = [{"key": k, "item": texts.get(k.split("[")[0], ""), "answer": str(a.get("answer") or "")}
                for k, a in answers.items() if a.get("outcome") == "recorded"]
    inspectors = rec.get("inspectors") or []
    org_name = ctx["org"]["name"] or "________"
    ident = L["identification"].format(org=org_name, names="、".join(i.get("name", "") for i in inspectors),
                                       certs="、".join(i.get("cert", "") or "____" for i in inspectors))
    ref = f"{rec.get('checklist')}@{rec.get('checklist_version')}"
    ctx.update(
        inspection=_inspection_block(rec, lang), site=site_block(ledger, rec["site"], rec.get("site_name", "")),
        identification=ident, counts=counts, recorded=recorded,
        checked=L["checked_summary"].format(title=rec.get("checklist_title") or rec.get("checklist"), ref=ref,
                                            total=len(answers), **counts),
        findings=_inspection_hazards(ledger, rec, lang),
        number=_number(ledger, "record", rec["id"], rec["date"], settings, ctx),
    )
    return ctx


def _inspection_block(rec: Inspection, lang: str) -> dict[str, Any]:
    when = inspection_time(rec, lang)
    return {"id": rec["id"], "date": fmt_date(rec.get("date"), lang), "date_iso": rec.get("date"),
            "time": when["text"], "time_given": when["given"],
            "start": fmt_time(when["start_iso"], lang), "end": fmt_time(when["end_iso"], lang),
            "kind": lb.pick(lb.KINDS, rec.get("kind"), lang), "checklist": rec.get("checklist"),
            "checklist_version": rec.get("checklist_version"), "checklist_title": rec.get("checklist_title") or "",
            "domain_name": lb.domain_name(rec.get("domain"), lang),
            "units": [{"section": k, "names": "、".join(v)} for k, v in (rec.get("units") or {}).items() if v],
            "inspectors": officers(rec.get("inspectors") or [])}


def _item_texts(rec: Inspection, registry: Optional[Registry]) -> dict[str, str]:
    """Item texts of the checklist version used, if it can still be loaded (else ids only)."""
    from ..checklist.registry import Registry
    from ..errors import ChecklistError

    try:
        cl = (registry or Registry.discover()).get(f"{rec['checklist']}@{rec['checklist_version']}")
    except (NotFound, ChecklistError):  # a checklist no longer available: the record still prints, with item ids
        return {}
    return {item.id: item.text.zh for section in cl.sections for item in section.items}


# order: 责令限期整改指令书 ---------------------------------------------------------------
def order(ledger: Ledger, subject: Optional[str], lang: str, settings: dict[str, Any], **_: Any) -> dict[str, Any]:
    rec = _inspection(ledger, subject, "责令限期整改指令书")
    L = lb.labels(lang)
    ctx = base(ledger, "order", lang, settings)
    findings = _inspection_hazards(ledger, rec, lang)
    if not findings:
        raise ReportError(f"inspection {rec['id']} found no hazards: there is nothing to order (print the record instead)")
    by_date: dict[str, list[int]] = {}
    for f in findings:
        if not f["on_spot"]:
            by_date.setdefault(f["original_deadline_iso"], []).append(f["n"])
    parts = L["order_part_sep"].join(L["order_part"].format(items=_list_nos(ns), date=fmt_date(d, lang))
                                     for d, ns in sorted(by_date.items()))
    deadlines = [L["order_deadline"].format(parts=parts)] if by_date else []
    on_spot = [f["n"] for f in findings if f["on_spot"]]
    majors = [f["n"] for f in findings if f["major"] and not f["on_spot"]]
    ctx.update(
        inspection=_inspection_block(rec, lang), site=site_block(ledger, rec["site"], rec.get("site_name", "")),
        findings=findings, deadlines=deadlines,
        on_spot=L["order_on_spot"].format(items=_list_nos(on_spot)) if on_spot else "",
        major=L["order_major"].format(items=_list_nos(majors)) if majors else "",
        remedy=L["remedy"].format(recon=settings.get("remedy.reconsideration") or L["remedy_recon_blank"],
                                  court=settings.get("remedy.court") or L["remedy_court_blank"]),
        number=_number(ledger, "order", rec["id"], rec["date"], settings, ctx),
        # the digest of what the order states: its hazards' history heads (docs/ledger.md, seals)
        head_digest=ledger.head_hashes([f["id"] for f in findings]),
    )
    return ctx


# review: 整改复查意见书 -----------------------------------------------------------------
def review(ledger: Ledger, subject: Optional[str], lang: str, settings: dict[str, Any], **_: Any) -> dict[str, Any]:
    rec = _inspection(ledger, subject, "整改复查意见书")
    L = lb.labels(lang)
    ctx = base(ledger, "review", lang, settings)
    findings = _inspection_hazards(ledger, rec, lang)
    dates = [r["date_iso"] for f in findings for r in f["reinspections"]]
    if not dates:
        raise ReportError(f"no re-inspection is recorded for the hazards of inspection {rec['id']} yet "
                          "(inspect reinspect hazard ID --pass|--fail)")
    round_date = max(dates)
    for f in findings:
        done = [r for r in f["reinspections"] if r["date_iso"] <= round_date]
        last = done[-1] if done else None
        f["last"] = last
        if f["on_spot"]:
            f["opinion"] = L["op_on_spot"]
        elif last and last["result"] == "pass":
            f["opinion"] = L["op_pass"]
        elif last:
            f["opinion"] = L["op_fail"].format(date=last["deadline"])
        elif f["status"] == "fixed":
            f["opinion"] = L["op_fixed"]
        else:
            f["opinion"] = L["op_none"]
    order_no = _number(ledger, "order", rec["id"], rec["date"], settings, ctx)
    number = _number(ledger, "review", f"{rec['id']}@{round_date}", round_date, settings, ctx)
    ctx.update(
        inspection=_inspection_block(rec, lang), site=site_block(ledger, rec["site"], rec.get("site_name", "")),
        findings=findings, order_number=order_no, review_date=fmt_date(round_date, lang),
        head_digest=ledger.head_hashes([f["id"] for f in findings]),
        recital=L["review_recital"].format(date=fmt_date(rec["date"], lang), order=order_no),
        inspectors=next((f["last"]["inspectors"] for f in findings
                         if f["last"] and f["last"]["date_iso"] == round_date), ""),
        officers=next((f["last"]["officers"] for f in findings
                       if f["last"] and f["last"]["date_iso"] == round_date), []),
        groups=[g for g in (
            {"title": L["group_pass"], "findings": [f for f in findings if f["on_spot"] or (f["last"] and f["last"]["result"] == "pass")]},
            {"title": L["group_fail"], "findings": [f for f in findings if not f["on_spot"] and f["last"] and f["last"]["result"] != "pass"]},
            {"title": L["group_pending"], "findings": [f for f in findings if not f["on_spot"] and not f["last"]]},
        ) if g["findings"]],
        number=number,
    )
    return ctx


# closure: one hazard or one site, the whole history to 销号 -------------------------------
def closure(ledger: Ledger, subject: Optional[str], lang: str, settings: dict[str, Any], **_: Any) -> dict[str, Any]:
    if not subject:
        raise UsageError("the closure report needs a hazard id (H-…) or a site code")
    L = lb.labels(lang)
    ctx = base(ledger, "closure", lang, settings)
    hid = normalise(subject)
    if hid.startswith("H-"):
        h, events = ledger.hazard(hid)
        hazards: list[tuple[Hazard, list[Event]]] = [(h, events)]
        site = site_block(ledger, h["site"], h.get("site_name", ""))
        scope = "hazard"
    else:
        site = site_block(ledger, subject.strip().upper())
        if not site.get("name"):
            raise NotFound(f"no site {subject!r} in this ledger (a closure report takes a hazard id H-… or a site code)")
        rows, _total = ledger.hazards(HazardQuery(site=site["code"], sort="created"))
        hazards = [ledger.hazard(r["id"]) for r in rows]
        scope = "site"
    items = []
    for n, (h, events) in enumerate(hazards, start=1):
        item = finding(h, events, ledger, lang, n)
        item["history"] = history_rows(events, ledger, lang, known_people(h, events, settings))
        items.append(item)
    closed = sum(1 for f in items if f["status"] == "closed")
    ctx.update(scope=scope, site=site, findings=items,
               summary=L["site_summary"].format(total=len(items), closed=closed, open=len(items) - closed))
    return ctx


# ledger: 隐患台账 -----------------------------------------------------------------------
def ledger_table(ledger: Ledger, subject: Optional[str], lang: str, settings: dict[str, Any],
                 query: Optional[HazardQuery] = None, **_: Any) -> dict[str, Any]:
    L = lb.labels(lang)
    ctx = base(ledger, "ledger", lang, settings)
    q = query or HazardQuery()
    rows, total = ledger.hazards(q)
    events_by = ledger.events_of([r["id"] for r in rows])
    findings = [finding(h, events_by.get(h["id"], []), ledger, lang, n) for n, h in enumerate(rows, start=1)]
    _office_columns(ledger, rows, findings, lang)
    filters = []
    if q.status:
        filters.append(f"{L['status']}: " + "、".join(lb.pick(lb.STATUS, s, lang) for s in q.status))
    if q.severity:
        filters.append(f"{L['severity']}: {lb.severity_name(q.severity, lang)}")
    if q.site:
        filters.append(f"{L['site']}: {q.site}")
    for key, label in (("checklist", "checklist"), ("domain", "domain"), ("inspection", "inspection")):
        if getattr(q, key):
            filters.append(f"{L[label]}: {getattr(q, key)}")
    if q.overdue:
        filters.append(L["overdue_days"].format(days="≥1"))
    if q.due_before:
        filters.append(f"{L['deadline']} < {fmt_date(q.due_before, lang)}")
    ctx.update(findings=findings, total=total, filters="；".join(filters) or L["all"],
               columns_file=str(settings.get("report.ledger_columns") or ""),
               count=L["count"].format(n=total))
    return ctx


def _office_columns(ledger: Ledger, rows: Sequence[Mapping[str, Any]], findings: list[dict[str, Any]],
                    lang: str) -> None:
    """The columns offices keep in a 隐患台账 (see docs/reports.md), read where they arise:
    the inspection's kind, the site's 行业 and 区域, the order's number, the unit's fix
    (整改措施/责任人/资金, else the major hazard's 治理方案) and the last re-inspection."""
    inspections, site_rows, documents = ledger.report_sources()
    kinds = {str(i["id"]): (lb.pick(lb.KINDS, i.get("kind"), lang) if i.get("kind") else "") for i in inspections}
    orders = {d.subject: d.number for d in documents if d.kind == "order" and not d.replaced_by}
    for h, f in zip(rows, findings):
        iid = str(h.get("inspection") or "")
        code = str(h.get("site") or "")
        site = site_rows.get(code) or {}
        fix = h.get("fix") or {}
        plan = h.get("plan") or {}
        last = (h.get("reinspections") or [None])[-1]
        f.update(
            source_kind=kinds.get(iid, ""), order_number=orders.get(iid, ""),
            industry=str(site.get("industry") or ""), region=str(site.get("region") or ""),
            measures=bounded(fix.get("measures") or fix.get("note") or plan.get("measures") or "", h["id"], lang),
            responsible=str(fix.get("responsible") or plan.get("responsible") or ""),
            funds=str(fix.get("funds") if fix.get("funds") is not None else (plan.get("funds") or "")),
            fix_date_iso=fix.get("date") or "",
            reviewer=people(last.get("inspectors") or []) if last else "",
            review_date_iso=(last.get("date") or "") if last else "",
            supervision_level=str((h.get("supervision") or {}).get("level") or ""),
        )


# bulletin: 月度通报 ----------------------------------------------------------------------
def parse_month(month: Optional[str], today: dt.date) -> tuple[dt.date, dt.date]:
    text = month or today.strftime("%Y-%m")
    try:
        first = dt.datetime.strptime(text.strip(), "%Y-%m").date()
    except ValueError:
        raise UsageError(f"--month {text!r} is not a month: use YYYY-MM, e.g. 2026-03") from None
    if first > today:
        raise UsageError(f"--month {text} is after today ({today.isoformat()})")
    last = first.replace(day=calendar.monthrange(first.year, first.month)[1])
    return first, last


def _ref(h: Mapping[str, Any]) -> str:
    return f"{h.get('item')}[{h['unit']}]" if h.get("unit") else str(h.get("item"))


def _order(h: Mapping[str, Any]) -> tuple[str, str]:
    return (str(h.get("created") or ""), str(h.get("id")))
