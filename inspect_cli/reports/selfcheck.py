"""隐患排查治理记录: the enterprise's own record of a self-inspection (自查), never an 执法文书.

A self-inspection (kind ``self``) is made by the enterprise's safety officer; its hazards are
rectified by the enterprise itself. Its one document is this record, headed by the
enterprise (not the bureau) and without a document number; the enforcement documents
(现场检查记录, 责令限期整改指令书, 整改复查意见书) refuse a self-inspection (``context._inspection``).
"""
from __future__ import annotations

from typing import TYPE_CHECKING, Any, Optional

from ..errors import ReportError, UsageError
from . import labels as lb
from .context import _inspection_block, _inspection_hazards, site_block

if TYPE_CHECKING:
    from ..ledger import Ledger

TEXTS: dict[str, tuple[str, str]] = {
    "title": ("隐患排查治理记录", "Hazard identification and rectification record (self-inspection)"),
    "unit": ("单位名称", "Enterprise"), "time": ("排查时间", "Inspected on"), "people": ("排查人员", "Inspected by"),
    "kind": ("检查类别", "Kind"), "checklist": ("排查依据", "Checklist"), "checked": ("排查情况", "What was checked"),
    "summary": ("共排查{total}项：合格{passed}项，发现隐患{failed}项，不适用{na}项。",
                "{total} item(s) checked: {passed} passed, {failed} hazard(s) found, {na} not applicable."),
    "hazards": ("隐患及治理情况", "Hazards and their rectification"), "n": ("序号", "No."),
    "description": ("隐患描述", "Hazard"), "location": ("部位", "Location"), "severity": ("隐患等级", "Severity"),
    "measures": ("整改措施", "Measures"), "deadline": ("整改期限", "Deadline"), "status": ("完成情况", "Status"),
    "closed": ("销号日期", "Closed on"), "none": ("本次排查未发现隐患。", "No hazard was found."),
    "note": ("本记录为企业自查自改自报记录，由企业自行组织整改，不是执法文书。",
             "This is the enterprise's own self-inspection record; the enterprise rectifies the hazards itself. "
             "It is not an enforcement document."),
    "sign_people": ("排查人员（签字）", "Inspected by (signature)"),
    "sign_head": ("单位主要负责人（签字）", "Head of the enterprise (signature)"),
}


def selfcheck(ledger: Ledger, subject: Optional[str], lang: str, settings: dict[str, Any], **_: Any) -> dict[str, Any]:
    if not subject:
        raise UsageError("the selfcheck report needs a self-inspection id (I-…)")
    rec = ledger.inspection(subject)
    if rec.get("kind") != "self":
        raise ReportError(f"inspection {rec['id']} is not a self-inspection (自查); its documents are the 执法文书 "
                          f"(inspect report record {rec['id']})")
    if rec.get("status") != "completed":
        raise ReportError(f"inspection {rec['id']} is {rec.get('status')}: finish it before printing its record")
    i = 1 if lang == "en" else 0
    T = {k: v[i] for k, v in TEXTS.items()}
    L = dict(lb.labels(lang), **{f"s_{k}": v for k, v in T.items()})
    site = site_block(ledger, rec["site"], rec.get("site_name", ""))
    answers = rec.get("answers") or {}
    counts = {k: sum(1 for a in answers.values() if a.get("outcome") == k) for k in ("pass", "fail", "na")}
    findings = _inspection_hazards(ledger, rec, lang)
    for f in findings:
        f["measures"] = "；".join(p["text"] for p in f["plan"] if p["text"]) or (f["fix"]["note"] if f["fix"] else "")
    return {"kind": "selfcheck", "lang": lang, "L": L, "title": T["title"],
            # the enterprise's record: headed by the enterprise, never by the bureau, and unnumbered
            "org": {"name": site["name"], "code": ""}, "number": "",
            "today": ledger.clock.today.isoformat(), "today_iso": ledger.clock.today.isoformat(),
            "site": site, "inspection": _inspection_block(rec, lang), "findings": findings,
            "summary": T["summary"].format(total=len(answers), passed=counts["pass"], failed=counts["fail"], na=counts["na"])}
