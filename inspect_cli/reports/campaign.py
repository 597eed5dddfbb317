"""专项整治情况报告: a campaign's coverage, findings and closure against its targets, as a document.

The same figures as ``inspect campaign report`` (:meth:`Ledger.campaign_status`), headed by the
bureau, unnumbered (a report, not a 文书). See docs/planning.md.
"""
from __future__ import annotations

from typing import TYPE_CHECKING, Any, Optional

from ..errors import UsageError
from ..inspection.kinds import kind_name
from . import labels as lb
from .context import fmt_date

if TYPE_CHECKING:
    from ..ledger import Ledger

TEXTS: dict[str, tuple[str, str]] = {
    "title": ("专项整治情况报告", "Campaign report"),
    "campaign": ("专项名称", "Campaign"), "period": ("起止日期", "Period"), "as_of": ("统计截至", "Figures as of"),
    "state": ("状态", "State"), "summary": ("总体情况", "Summary"),
    "summary_text": ("目标单位{sites}家，已检查{inspected}家（覆盖率{coverage}），检查{inspections}次；发现隐患{hazards}项"
                     "（重大{major}项），整改率{closure}，重大隐患整改率{major_closure}；逾期未整改{overdue}项。",
                     "{inspected} of {sites} target sites inspected ({coverage}) in {inspections} inspection(s); "
                     "{hazards} hazard(s) found ({major} major); closure {closure}, major {major_closure}; "
                     "{overdue} overdue."),
    "targets": ("目标完成情况", "Targets"), "target": ("目标", "Target"), "by": ("期限", "By"),
    "actual": ("实际", "Actual"), "verdict": ("结果", "Verdict"),
    "met": ("达成", "met"), "missed": ("未达成", "missed"), "pending": ("未到期", "pending"),
    "findings": ("主要问题", "Findings by item"), "item": ("检查项", "Item"), "count": ("次数", "Count"),
    "inspections": ("检查情况", "Inspections"), "date": ("日期", "Date"), "site": ("单位", "Site"),
    "kind": ("检查类别", "Kind"), "hazards": ("隐患", "Hazards"),
    "not_inspected": ("尚未检查的目标单位", "Target sites not yet inspected"), "none": ("无", "None"),
    "not started": ("未开始", "not started"), "running": ("进行中", "running"), "ended": ("已结束", "ended"),
}


def _pct(v: Optional[float]) -> str:
    return "—" if v is None else f"{v:.1%}"


def _actual(v: Any) -> str:
    if v is None:
        return "—"
    if isinstance(v, float) and not v.is_integer():
        return f"{v:.1%}" if 0 <= v <= 1 else f"{v:g}"
    return f"{v:g}" if isinstance(v, float) else str(v)


def campaign(ledger: Ledger, subject: Optional[str], lang: str, settings: dict[str, Any], **_: Any) -> dict[str, Any]:
    if not subject:
        raise UsageError("the campaign report needs a campaign id: inspect report campaign ID (see inspect campaign list)")
    r = ledger.campaign_status(subject)
    i = 1 if lang == "en" else 0
    T = {k: v[i] for k, v in TEXTS.items()}
    L = dict(lb.labels(lang), **{f"c_{k.replace(' ', '_')}": v for k, v in T.items()})
    m, c = r["metrics"], r["campaign"]
    return {
        "kind": "campaign", "lang": lang, "L": L, "title": T["title"], "number": "",
        "org": {"name": settings.get("org.name") or "", "code": settings.get("org.code") or ""},
        "today": fmt_date(r["today"], lang), "today_iso": r["today"],
        "campaign": {"id": c["id"], "title": c["title"], "period": f"{fmt_date(c['start'], lang)} – {fmt_date(c['end'], lang)}",
                     "state": T[r["state"]], "as_of": fmt_date(r["as_of"], lang)},
        "summary": T["summary_text"].format(sites=m["sites"], inspected=m["sites_inspected"], coverage=_pct(m["coverage"]),
                                            inspections=m["inspections"], hazards=m["hazards"], major=m["major_hazards"],
                                            closure=_pct(m["closure_rate"]), major_closure=_pct(m["major_closure_rate"]),
                                            overdue=m["overdue_hazards"]),
        "targets": [{"gate": t["gate"], "by": fmt_date(t["by"], lang), "actual": _actual(t["actual"]),
                     "verdict": T[t["verdict"]], "missed": t["verdict"] == "missed"} for t in r["targets"]],
        "findings": r["findings"],
        "inspections": [dict(x, date=fmt_date(x["date"], lang), kind=kind_name(str(x["kind"]), lang))
                        for x in r["inspections"]],
        "not_inspected": r["not_inspected"],
    }
