"""Context builders: what each report shows, read from the ledger as plain dicts and lists.

The templates only print these values; every decision (numbering, opinions, counts, flags)
is made here, so it is tested once for HTML, Markdown, PDF and XLSX alike.
"""
from __future__ import annotations

import calendar
import datetime as dt
from typing import Any, Optional

from .. import lifecycle
from ..errors import NotFound, ReportError, UsageError
from ..hazards import HazardQuery, with_derived
from ..ids import normalise
from . import labels as lb
from .media import evidence_items
from .numbers import assign

BUCKETS = ((1, 7, "1–7"), (8, 30, "8–30"), (31, 90, "31–90"), (91, None, ">90"))
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


def people(inspectors: list[dict[str, str]]) -> str:
    return "、".join(f"{i.get('name', '')}（{i['cert']}）" if i.get("cert") else str(i.get("name", ""))
                    for i in inspectors or [])


def _num(v: Any) -> str:
    return f"{v:g}" if isinstance(v, float) else str(v)


def _list_nos(ns: list[int]) -> str:
    return "、".join(str(n) for n in ns)


# one hazard ---------------------------------------------------------------------------
def finding(h: dict[str, Any], events: list[dict[str, Any]], ledger: Any, lang: str, n: int = 0) -> dict[str, Any]:
    """Everything a document prints about one hazard (see docs/reports.md)."""
    L = lb.labels(lang)
    folder = ledger.evidence_dir
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
        "item_text": h.get("item_text") or "", "description": h.get("description") or "",
        "location": h.get("location") or "",
        "basis": [{"citation": b.get("citation") or "", "unverified": b.get("verification") == "unverified"}
                  for b in h.get("basis") or []],
        "severity": h.get("severity"), "severity_label": lb.severity_name(h.get("severity"), lang), "major": major,
        "item_severity": h.get("item_severity"), "downgrade_reason": h.get("downgrade_reason") or "",
        "measured": ({"value": _num(m.get("value")), "unit": m.get("unit") or "", "range": m.get("range") or ""}
                     if m else None),
        "note": h.get("note") or "", "item_note": h.get("item_note") or "",
        "evidence": evidence_items(h.get("evidence") or [], folder),
        "created": fmt_date(h.get("created"), lang), "created_iso": h.get("created"),
        "deadline": fmt_date(h.get("deadline"), lang), "deadline_iso": h.get("deadline"),
        "original_deadline": fmt_date(registered.get("deadline") or h.get("deadline"), lang),
        "original_deadline_iso": registered.get("deadline") or h.get("deadline"),
        "status": h.get("status"), "status_label": lb.pick(lb.STATUS, h.get("status"), lang),
        "overdue": bool(h.get("overdue")), "days_overdue": int(h.get("days_overdue") or 0),
        "overdue_label": L["overdue_days"].format(days=h.get("days_overdue") or 0) if h.get("overdue") else "",
        "on_spot": on_spot,
        "interim": [{"date": fmt_date(i.get("date"), lang), "measures": i.get("measures") or ""} for i in h.get("interim") or []],
        "plan": [{"part": parts[k], "text": str(plan.get(k) or "")} for k in lifecycle.PLAN_PARTS] if plan else [],
        "supervision": ({"level": sup.get("level") or "", "authority": sup.get("authority") or "",
                         "date": fmt_date(sup.get("date"), lang)} if sup else None),
        "extensions": [{"date": fmt_date(x.get("date"), lang), "from": fmt_date(x.get("from"), lang),
                        "to": fmt_date(x.get("to"), lang), "reason": x.get("reason") or ""} for x in h.get("extensions") or []],
        "fix": ({"date": fmt_date(h["fix"].get("date"), lang), "note": h["fix"].get("note") or "",
                 "evidence": evidence_items(h["fix"].get("evidence") or [], folder)} if h.get("fix") else None),
        "reinspections": [_reinspection(r, folder, lang) for r in h.get("reinspections") or []],
        "closed_date": fmt_date(h.get("closed_date"), lang), "closed_date_iso": h.get("closed_date"),
        "closed_reason": h.get("closed_reason") or "",
        "flag_no_plan": major and h.get("status") == "closed" and not plan,
        "inspectors": people(h.get("inspectors") or []),
    }


def _reinspection(r: dict[str, Any], folder: Any, lang: str) -> dict[str, Any]:
    L = lb.labels(lang)
    return {"date": fmt_date(r.get("date"), lang), "date_iso": r.get("date"), "result": r.get("result"),
            "result_label": L["result_pass"] if r.get("result") == "pass" else L["result_fail"],
            "inspectors": people(r.get("inspectors") or []), "note": r.get("note") or "",
            "evidence": evidence_items(r.get("evidence") or [], folder),
            "deadline": fmt_date(r.get("deadline"), lang)}


def history_rows(events: list[dict[str, Any]], ledger: Any, lang: str) -> list[dict[str, Any]]:
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
                     "label": lb.pick(lb.EVENTS, t, lang), "actor": e.get("actor") or "", "text": text,
                     "note": e.get("note") or "", "evidence": evidence_items(e.get("evidence") or [], ledger.evidence_dir),
                     "hash": str(e.get("hash") or "")[:12]})
    return rows


# shared -------------------------------------------------------------------------------
def base(ledger: Any, kind: str, lang: str, settings: dict[str, Any]) -> dict[str, Any]:
    L = lb.labels(lang)
    return {"kind": kind, "lang": lang, "L": L, "title": L[f"title_{kind}"],
            "org": {"name": settings.get("org.name") or "", "code": settings.get("org.code") or ""},
            "number": "", "today": fmt_date(ledger.clock.today.isoformat(), lang),
            "today_iso": ledger.clock.today.isoformat()}


def site_block(ledger: Any, code: str, fallback_name: str = "") -> dict[str, Any]:
    try:
        s = ledger.site(code)
    except NotFound:
        s = {"code": code, "name": fallback_name}
    return {k: (s.get(k) or "") for k in ("code", "name", "address", "contact", "phone", "industry", "risk_class")}


def _inspection_hazards(ledger: Any, rec: dict[str, Any], lang: str) -> list[dict[str, Any]]:
    out = []
    for n, hid in enumerate(rec.get("hazards") or [], start=1):
        h, events = ledger.hazard(hid)
        out.append(finding(h, events, ledger, lang, n))
    return out


def _number(ledger: Any, kind: str, subject: str, date: str, settings: dict[str, Any]) -> str:
    with ledger.write() as st:
        return assign(st, kind, subject, date, settings)


def _inspection(ledger: Any, inspection_id: Optional[str]) -> dict[str, Any]:
    if not inspection_id:
        raise UsageError("this report needs an INSPECTION_ID (see inspect hazard list, column inspection)")
    rec = ledger.inspection(inspection_id)
    if rec.get("status") != "completed":
        raise ReportError(f"inspection {rec['id']} is {rec.get('status')}: finish it before printing its documents")
    return rec  # type: ignore[no-any-return]


# record: 现场检查记录 -------------------------------------------------------------------
def record(ledger: Any, subject: Optional[str], lang: str, settings: dict[str, Any], **_: Any) -> dict[str, Any]:
    rec = _inspection(ledger, subject)
    L = lb.labels(lang)
    ctx = base(ledger, "record", lang, settings)
    answers = rec.get("answers") or {}
    counts = {k: sum(1 for a in answers.values() if a.get("outcome") == k) for k in ("pass", "fail", "na", "recorded")}
    texts = _item_texts(rec)
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
        number=_number(ledger, "record", rec["id"], rec["date"], settings),
    )
    return ctx


def _inspection_block(rec: dict[str, Any], lang: str) -> dict[str, Any]:
    return {"id": rec["id"], "date": fmt_date(rec.get("date"), lang), "date_iso": rec.get("date"),
            "start": fmt_time(rec.get("started_at"), lang), "end": fmt_time(rec.get("finished_at"), lang),
            "kind": lb.pick(lb.KINDS, rec.get("kind"), lang), "checklist": rec.get("checklist"),
            "checklist_version": rec.get("checklist_version"), "checklist_title": rec.get("checklist_title") or "",
            "domain_name": lb.domain_name(rec.get("domain"), lang),
            "units": [{"section": k, "names": "、".join(v)} for k, v in (rec.get("units") or {}).items() if v],
            "inspectors": [{"name": i.get("name", ""), "cert": i.get("cert", "")} for i in rec.get("inspectors") or []]}


def _item_texts(rec: dict[str, Any]) -> dict[str, str]:
    """Item texts of the checklist version used, if it can still be loaded (else ids only)."""
    try:
        from ..checklist.registry import Registry

        cl = Registry.discover().get(f"{rec['checklist']}@{rec['checklist_version']}")
    except Exception:  # a checklist no longer available: the record still prints, with item ids
        return {}
    return {item.id: item.text.zh for section in cl.sections for item in section.items}


# order: 责令限期整改指令书 ---------------------------------------------------------------
def order(ledger: Any, subject: Optional[str], lang: str, settings: dict[str, Any], **_: Any) -> dict[str, Any]:
    rec = _inspection(ledger, subject)
    L = lb.labels(lang)
    ctx = base(ledger, "order", lang, settings)
    findings = _inspection_hazards(ledger, rec, lang)
    if not findings:
        raise ReportError(f"inspection {rec['id']} found no hazards: there is nothing to order (print the record instead)")
    by_date: dict[str, list[int]] = {}
    for f in findings:
        if not f["on_spot"]:
            by_date.setdefault(f["original_deadline_iso"], []).append(f["n"])
    deadlines = [L["order_deadline"].format(items=_list_nos(ns), date=fmt_date(d, lang)) for d, ns in sorted(by_date.items())]
    on_spot = [f["n"] for f in findings if f["on_spot"]]
    majors = [f["n"] for f in findings if f["major"] and not f["on_spot"]]
    ctx.update(
        inspection=_inspection_block(rec, lang), site=site_block(ledger, rec["site"], rec.get("site_name", "")),
        findings=findings, deadlines=deadlines,
        on_spot=L["order_on_spot"].format(items=_list_nos(on_spot)) if on_spot else "",
        major=L["order_major"].format(items=_list_nos(majors)) if majors else "",
        number=_number(ledger, "order", rec["id"], rec["date"], settings),
    )
    return ctx


# review: 整改复查意见书 -----------------------------------------------------------------
def review(ledger: Any, subject: Optional[str], lang: str, settings: dict[str, Any], **_: Any) -> dict[str, Any]:
    rec = _inspection(ledger, subject)
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
    with ledger.write() as st:
        order_no = assign(st, "order", rec["id"], rec["date"], settings)
        number = assign(st, "review", f"{rec['id']}@{round_date}", round_date, settings)
    ctx.update(
        inspection=_inspection_block(rec, lang), site=site_block(ledger, rec["site"], rec.get("site_name", "")),
        findings=findings, order_number=order_no, review_date=fmt_date(round_date, lang),
        recital=L["review_recital"].format(date=fmt_date(rec["date"], lang), order=order_no),
        inspectors=next((f["last"]["inspectors"] for f in findings
                         if f["last"] and f["last"]["date_iso"] == round_date), ""),
        number=number,
    )
    return ctx


# closure: one hazard or one site, the whole history to 销号 -------------------------------
def closure(ledger: Any, subject: Optional[str], lang: str, settings: dict[str, Any], **_: Any) -> dict[str, Any]:
    if not subject:
        raise UsageError("the closure report needs a hazard id (H-…) or a site code")
    L = lb.labels(lang)
    ctx = base(ledger, "closure", lang, settings)
    hid = normalise(subject)
    if hid.startswith("H-"):
        h, events = ledger.hazard(hid)
        hazards = [(h, events)]
        site = site_block(ledger, h["site"], h.get("site_name", ""))
        scope = "hazard"
    else:
        site = site_block(ledger, subject.strip().upper())
        if not site.get("name"):
            raise NotFound(f"no site {subject!r} in this ledger (a closure report takes a hazard id H-… or a site code)")
        rows, _ = ledger.hazards(HazardQuery(site=site["code"], sort="created"))
        hazards = [ledger.hazard(r["id"]) for r in rows]
        scope = "site"
    items = []
    for n, (h, events) in enumerate(hazards, start=1):
        f = finding(h, events, ledger, lang, n)
        f["history"] = history_rows(events, ledger, lang)
        items.append(f)
    closed = sum(1 for f in items if f["status"] == "closed")
    ctx.update(scope=scope, site=site, findings=items,
               summary=L["site_summary"].format(total=len(items), closed=closed, open=len(items) - closed))
    return ctx


# ledger: 隐患台账 -----------------------------------------------------------------------
def ledger_table(ledger: Any, subject: Optional[str], lang: str, settings: dict[str, Any],
                 query: Optional[HazardQuery] = None, **_: Any) -> dict[str, Any]:
    L = lb.labels(lang)
    ctx = base(ledger, "ledger", lang, settings)
    q = query or HazardQuery()
    rows, total = ledger.hazards(q)
    with ledger.read() as st:
        events_by: dict[str, list[dict[str, Any]]] = {}
        for e in st.find("events", {"subject": ("in", [r["id"] for r in rows])}, order_by="seq") if rows else []:
            events_by.setdefault(e["subject"], []).append(e)
    findings = [finding(h, events_by.get(h["id"], []), ledger, lang, n) for n, h in enumerate(rows, start=1)]
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
               count=L["count"].format(n=total))
    return ctx


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


def bulletin(ledger: Any, subject: Optional[str], lang: str, settings: dict[str, Any], month: Optional[str] = None,
             **_: Any) -> dict[str, Any]:
    from .charts import stacked_bars

    L = lb.labels(lang)
    ctx = base(ledger, "bulletin", lang, settings)
    today = ledger.clock.today
    first, last = parse_month(month, today)
    as_of = min(last, today)
    iso_first, iso_last, iso_as_of = first.isoformat(), last.isoformat(), as_of.isoformat()
    # One light pass over every hazard (indexed columns only), full records for what is listed.
    hazards = [with_derived(h, as_of) for h in hazards_as_of(ledger, iso_as_of, LIGHT_FIELDS)]
    full = _FullRecords(ledger, iso_as_of)
    target = float(settings.get("bulletin.major_closure_target") or 0.8)

    # 1. domain × severity × status
    domains = sorted({h.get("domain") or "" for h in hazards})
    counts = []
    for d in domains:
        for sev in ("general", "major"):
            hs = [h for h in hazards if (h.get("domain") or "") == d and h.get("severity") == sev]
            if not hs:
                continue
            counts.append({"domain": lb.domain_name(d, lang), "severity": lb.severity_name(sev, lang),
                           "by_status": [sum(1 for h in hs if h.get("status") == s) for s in lifecycle.STATES],
                           "overdue": sum(1 for h in hs if h["overdue"]), "total": len(hs)})
    totals = {"by_status": [sum(1 for h in hazards if h.get("status") == s) for s in lifecycle.STATES],
              "overdue": sum(1 for h in hazards if h["overdue"]), "total": len(hazards)}
    domain_chart = stacked_bars(
        [(lb.domain_name(d, lang), [sum(1 for h in hazards if (h.get("domain") or "") == d and h.get("severity") == s)
                                    for s in ("general", "major")]) for d in domains],
        [L["general"], L["major"]], title=L["b_counts"])

    # 2. new and closed in the month
    def short(light: dict[str, Any]) -> dict[str, Any]:
        h = dict(full.get(light["id"]), **light)
        return {"id": h["id"], "site_name": h.get("site_name") or "", "item_ref": _ref(h),
                "description": h.get("description") or "", "severity": lb.severity_name(h.get("severity"), lang),
                "major": h.get("severity") == "major", "created": fmt_date(h.get("created"), lang),
                "deadline": fmt_date(h.get("deadline"), lang), "closed_date": fmt_date(h.get("closed_date"), lang),
                "closed_reason": h.get("closed_reason") or "", "days_overdue": h.get("days_overdue") or 0,
                "status_label": lb.pick(lb.STATUS, h.get("status"), lang),
                "flag_no_plan": h.get("severity") == "major" and h.get("status") == "closed" and not h.get("plan")}
    new = sorted((h for h in hazards if iso_first <= str(h.get("created") or "") <= iso_last), key=_order)
    closed = sorted((h for h in hazards if h.get("status") == "closed" and iso_first <= str(h.get("closed_date") or "") <= iso_last),
                    key=_order)

    # 3. closure rate of major hazards, this year to date and overall
    year_start = f"{first.year}-01-01"
    majors_year = [h for h in hazards if h.get("severity") == "major" and str(h.get("created") or "") >= year_start]
    majors_all = [h for h in hazards if h.get("severity") == "major"]

    def rate(hs: list[dict[str, Any]]) -> Optional[float]:
        return sum(1 for h in hs if h.get("status") == "closed") / len(hs) if hs else None

    year_rate, all_rate = rate(majors_year), rate(majors_all)
    closed_year = sum(1 for h in majors_year if h.get("status") == "closed")
    if year_rate is None:
        rate_text, met = L["b_no_major"], None
    else:
        met = year_rate >= target
        rate_text = L["b_rate_text"].format(year=first.year, as_of=fmt_date(iso_as_of, lang), total=len(majors_year),
                                            closed=closed_year, rate=f"{year_rate:.1%}", target=f"{target:.0%}",
                                            verdict=L["b_met"] if met else L["b_not_met"])
    rate_rows = [(f"{first.year}", [year_rate or 0.0])] if year_rate is not None else []
    if all_rate is not None:
        rate_rows.append((L["total"], [all_rate]))
    rate_chart = stacked_bars(rate_rows, [L["rate"]], title=L["b_rate"], target=target,
                              target_label=f"{L['target']} {target:.0%}", percent=True, max_value=1.0) if rate_rows else ""

    # 4. overdue by age
    overdue = sorted((h for h in hazards if h["overdue"]), key=lambda h: (-h["days_overdue"], h["id"]))
    buckets: list[dict[str, Any]] = []
    for lo, hi, label in BUCKETS:
        n = sum(1 for h in overdue if h["days_overdue"] >= lo and (hi is None or h["days_overdue"] <= hi))
        buckets.append({"label": label, "count": n})
    bucket_rows: list[tuple[str, list[float]]] = [(str(b["label"]), [float(b["count"])]) for b in buckets]
    overdue_chart = stacked_bars(bucket_rows, [L["bucket"]], title=L["b_overdue"])

    # 5. sites with most open hazards
    per_site: dict[str, dict[str, Any]] = {}
    for h in hazards:
        if h.get("status") in lifecycle.ACTIVE:
            s = per_site.setdefault(h.get("site") or "", {"code": h.get("site") or "", "name": "",
                                                           "open": 0, "major": 0, "overdue": 0})
            s["open"] += 1
            s["major"] += h.get("severity") == "major"
            s["overdue"] += bool(h["overdue"])
    sites = sorted(per_site.values(), key=lambda s: (-s["open"], -s["major"], s["code"]))[:TOP_SITES]
    with ledger.read() as st:
        for s in sites:
            s["name"] = (st.get("sites", s["code"]) or {}).get("name") or ""
    sites_chart = stacked_bars([(s["name"] or s["code"], [s["open"] - s["major"], s["major"]]) for s in sites],
                               [L["general"], L["major"]], title=L["b_sites"]) if sites else ""

    closed_majors = [h for h in hazards if h.get("severity") == "major" and h.get("status") == "closed"]
    # A month of a city is tens of thousands of new hazards: the bulletin counts them all and
    # lists the first MAX_OVERDUE_ROWS of each table (the ledger report has the rest).
    full.load([h["id"] for h in closed_majors] + [h["id"] for h in new[:MAX_OVERDUE_ROWS]]
              + [h["id"] for h in closed[:MAX_OVERDUE_ROWS]] + [h["id"] for h in overdue[:MAX_OVERDUE_ROWS]])
    flags = [short(h) for h in sorted(closed_majors, key=_order) if not full.get(h["id"]).get("plan")]
    ctx.update(
        month=f"{first.year}-{first.month:02d}", month_label=(f"{first.year}年{first.month}月" if lang == "zh" else first.strftime("%Y-%m")),
        as_of=fmt_date(iso_as_of, lang), statuses=[lb.pick(lb.STATUS, s, lang) for s in lifecycle.STATES],
        counts=counts, totals=totals, domain_chart=domain_chart,
        new=[short(h) for h in new[:MAX_OVERDUE_ROWS]], closed=[short(h) for h in closed[:MAX_OVERDUE_ROWS]],
        new_total=len(new), closed_total=len(closed),
        rate_text=rate_text, rate=year_rate, rate_all=all_rate, target=target, target_met=met,
        rate_pct=f"{year_rate:.1%}" if year_rate is not None else "—", target_pct=f"{target:.0%}",
        rate_chart=rate_chart, buckets=buckets, overdue=[short(h) for h in overdue[:MAX_OVERDUE_ROWS]],
        overdue_total=len(overdue), overdue_chart=overdue_chart, sites=sites, sites_chart=sites_chart,
        flags=flags,
    )
    return ctx


REPLAY_ALL_ABOVE = 200_000


LIGHT_FIELDS = ("id", "domain", "severity", "status", "deadline", "created", "closed_date", "site")


class _FullRecords:
    """Whole hazard records (as at the bulletin's day) for the few hazards a bulletin lists."""

    def __init__(self, ledger: Any, iso_as_of: str) -> None:
        self.ledger, self.as_of = ledger, iso_as_of
        self.records: dict[str, dict[str, Any]] = {}

    def load(self, ids: list[str]) -> None:
        wanted = sorted(set(ids) - set(self.records))
        if wanted:
            self.records.update({h["id"]: h for h in hazards_as_of(self.ledger, self.as_of, None, wanted)})

    def get(self, hazard_id: str) -> dict[str, Any]:
        if hazard_id not in self.records:
            self.load([hazard_id])
        return self.records.get(hazard_id, {})


def hazards_as_of(ledger: Any, iso_as_of: str, fields: Optional[tuple[str, ...]] = None,
                  ids: Optional[list[str]] = None) -> list[dict[str, Any]]:
    """Every hazard as it stood at the end of ``iso_as_of``.

    A hazard with no event after that day is its stored record; only the hazards changed
    since are replayed from their events up to that day — so this month's bulletin reads
    the hazards once and almost no events, and an old month's still comes out exact.
    """
    with ledger.read() as st:
        if ids is None:
            current = st.find("hazards", {"created": ("<=", iso_as_of)}, fields=fields)
        else:
            current = [h for i in range(0, len(ids), 500)
                       for h in st.find("hazards", {"id": ("in", ids[i:i + 500]), "created": ("<=", iso_as_of)})]
        changed = {e["subject"] for e in st.find("events", {"date": (">", iso_as_of)}, fields=("subject",))}
        if ids is not None:
            changed &= set(ids)
        if not changed:
            return current
        events_by: dict[str, list[dict[str, Any]]] = {}
        wanted = sorted(changed)
        if len(wanted) > REPLAY_ALL_ABOVE:
            chunks = [st.find("events", {"date": ("<=", iso_as_of)})]
        else:
            chunks = [st.find("events", {"subject": ("in", wanted[i:i + 500]), "date": ("<=", iso_as_of)})
                      for i in range(0, len(wanted), 500)]
        for chunk in chunks:
            for e in chunk:
                if e["subject"] in changed:
                    events_by.setdefault(e["subject"], []).append(e)
    out = [h for h in current if h["id"] not in changed]
    for evs in events_by.values():
        evs.sort(key=lambda e: e.get("seq") or 0)
        out.append(lifecycle.replay(evs))
    return out


def _ref(h: dict[str, Any]) -> str:
    return f"{h.get('item')}[{h['unit']}]" if h.get("unit") else str(h.get("item"))


def _order(h: dict[str, Any]) -> tuple[str, str]:
    return (str(h.get("created") or ""), str(h.get("id")))


BUILDERS = {"record": record, "order": order, "review": review, "closure": closure, "ledger": ledger_table,
            "bulletin": bulletin}
