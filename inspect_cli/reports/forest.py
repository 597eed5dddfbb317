"""森林草原火灾隐患整改通知书: what a forest and grassland fire inspection serves.

《森林草原防灭火条例》（国务院令第822号）第三十三条: "检查中发现森林草原火灾隐患，应当及时下达
森林草原火灾隐患整改通知书，责令限期消除隐患。" A forest finding is not a 安全生产 violation, so it
is never printed on a 责令限期整改指令书; the notice has its own number sequence
(``docno.forest-notice``), taken like every other document number only after the render succeeded.
"""
from __future__ import annotations

from typing import Any, Mapping, Optional

from ..errors import NotFound, ReportError
from .context import _inspection, fmt_date

KIND = "forest-notice"
DOMAIN = "forest_fire"
LEGAL_BASIS = "《森林草原防灭火条例》（国务院令第822号）第三十三条"

LABELS: dict[str, dict[str, str]] = {
    "zh": {
        "title": "森林草原火灾隐患整改通知书", "number": "编号", "code": "统一社会信用代码",
        "intro": "{date}，本机关依据{basis}对你单位的森林草原防灭火组织建设、责任制落实、设施建设等情况进行了检查，发现下列森林草原火灾隐患：",
        "item": "检查项", "location": "部位", "basis": "依据", "deadline": "消除期限", "on_spot": "已当场消除",
        "order": "依据{basis}，责令你单位于上列期限前消除上述火灾隐患，并将消除情况书面报告本机关。",
        "liability": "逾期不消除火灾隐患的，依照《森林草原防灭火条例》第五十三条的规定处理。",
        "inspectors": "检查人员（签名）", "receipt": "被检查单位负责人（签收）", "seal": "（印章）",
        "copy": "本通知书一式两份，一份交被检查单位，一份存档。",
        "form": "文书式样按条例第三十三条拟定，未经官方式样核对。", "generated": "生成日期",
        "cert": "执法证号", "unverified": "（依据未核实）",
    },
    "en": {
        "title": "Forest and grassland fire hazard rectification notice (森林草原火灾隐患整改通知书)", "number": "No.",
        "code": "Unified social credit code",
        "intro": "On {date} this authority inspected your unit under {basis} and found the following fire hazards:",
        "item": "Item", "location": "Location", "basis": "Basis", "deadline": "Remove by", "on_spot": "removed on the spot",
        "order": "Under {basis} you are ordered to remove the hazards above by the dates given and report in writing.",
        "liability": "Hazards not removed in time are dealt with under Art. 53 of the Regulations.",
        "inspectors": "Inspectors (signature)", "receipt": "Person in charge of the unit (receipt)", "seal": "(seal)",
        "copy": "Made in two copies: one for the unit, one for the file.",
        "form": "Layout drafted from Art. 33; not checked against an official form.", "generated": "Generated",
        "cert": "certificate", "unverified": "(basis not verified)",
    },
}


def is_forest(rec: Mapping[str, Any]) -> bool:
    return rec.get("domain") == DOMAIN


def build(ledger: Any, subject: Optional[str], lang: str, settings: dict[str, Any], **_: Any) -> dict[str, Any]:
    """The notice for inspection ``subject`` (every hazard it found, one numbered notice)."""
    from .docnumbers import claim

    rec = _inspection(ledger, subject, "森林草原火灾隐患整改通知书")  # a finished authority inspection
    if not is_forest(rec):
        raise ReportError(f"inspection {rec['id']} is a {rec.get('domain')} inspection: a 森林草原火灾隐患整改通知书 is "
                          "served only for forest and grassland fire inspections (use inspect report order)")
    L = LABELS[lang]
    findings = []
    for n, hid in enumerate(rec.get("hazards") or [], start=1):
        h, events = ledger.hazard(hid)
        on_spot = any(e.get("type") == "closed_on_spot" for e in events)
        findings.append({
            "n": n, "id": h["id"], "item": h.get("item"), "item_ref": f"{h['item']}[{h['unit']}]" if h.get("unit") else h.get("item"),
            "description": h.get("description") or "", "location": h.get("location") or "",
            "basis": [{"citation": b.get("citation") or "", "unverified": b.get("verification") == "unverified"}
                      for b in h.get("basis") or []],
            "deadline": fmt_date(h.get("deadline"), lang), "on_spot": on_spot,
        })
    if not findings:
        raise ReportError(f"inspection {rec['id']} found no fire hazards: there is nothing to notify (print the record instead)")
    ctx: dict[str, Any] = {
        "kind": KIND, "lang": lang, "L": L, "title": L["title"],
        "org": {"name": settings.get("org.name") or "", "code": settings.get("org.code") or ""},
        "today": fmt_date(ledger.clock.today.isoformat(), lang), "today_iso": ledger.clock.today.isoformat(),
        "site": {"code": rec["site"], "name": rec.get("site_name") or ""},
        "inspection": {"id": rec["id"], "date": fmt_date(rec["date"], lang), "date_iso": rec["date"],
                       "checklist": rec.get("checklist"), "checklist_version": rec.get("checklist_version"),
                       "inspectors": [{"name": i.get("name", ""), "cert": i.get("cert", "")} for i in rec.get("inspectors") or []]},
        "findings": findings, "legal_basis": LEGAL_BASIS,
        "intro": L["intro"].format(date=fmt_date(rec["date"], lang), basis=LEGAL_BASIS),
        "order": L["order"].format(basis=LEGAL_BASIS),
    }
    try:
        ctx["site"].update({k: v for k, v in ledger.site(rec["site"]).items() if k in ("name", "address")})
    except NotFound:  # a site removed since: print what the inspection recorded
        pass
    claim(ctx, KIND, rec["id"], rec["date"])  # taken only after the render succeeded (docnumbers.take)
    ctx["number"] = ledger.document_number(KIND, rec["id"], rec["date"], settings)
    return ctx
