"""The bulletin's section on the year: the annual plan done against planned, and relapses (回头看).

Built from :meth:`Ledger.plan_progress` (the last plan of the bulletin month's year, counted
up to the month's last day or today) and :meth:`Ledger.relapses`. ``shown`` is False when the
year has neither a plan nor a relapse (the section is then left out).
"""
from __future__ import annotations

from typing import TYPE_CHECKING, Any, Optional

from ..errors import NotFound

if TYPE_CHECKING:
    from ..ledger import Ledger

_LABELS: dict[str, tuple[str, str]] = {
    "title": ("年度计划执行与回头看", "The annual plan and look-backs"),
    "plan": ("{year}年度监督检查计划（{id}）：计划检查{planned}次，已完成{done}次，完成率{rate}；截至本季度应完成{due}次。",
             "{year} enforcement plan ({id}): {planned} visits planned, {done} done ({rate}); {due} due by this quarter."),
    "no_plan": ("{year}年度尚未编制监督检查计划。", "No enforcement plan has been made for {year}."),
    "quarters": ("按季度（完成/计划）：{items}。", "By quarter (done/planned): {items}."),
    "kinds": ("本月检查（按检查类别）：{items}。", "Inspections this month by kind: {items}."),
    "class": ("风险等级", "Risk class"), "sites": ("单位数", "Sites"), "planned": ("计划", "Planned"),
    "done": ("完成", "Done"), "rate": ("完成率", "Rate"), "not_visited": ("未检查单位", "Not visited"),
    "relapses": ("回头看发现隐患复发：本月{month}项，本年累计{year}项。",
                 "Relapses found by look-backs: {month} this month, {year} this year."),
    "relapse_row": ("{hazard} 复发自 {original}（{site}，{item}，原销号 {closed}）",
                    "{hazard} relapses {original} ({site}, {item}, closed {closed})"),
}


def _pct(v: Optional[float]) -> str:
    return "—" if v is None else f"{v:.1%}"


def bulletin_figures(ledger: Ledger, year: int, iso_first: str, iso_last: str, iso_as_of: str,
                     lang: str) -> dict[str, Any]:
    i = 1 if lang == "en" else 0
    L = {k: v[i] for k, v in _LABELS.items()}
    try:
        progress: Optional[dict[str, Any]] = ledger.plan_progress(year=year, as_of=iso_as_of)
    except NotFound:
        progress = None
    year_all = ledger.relapses(f"{year}-01-01", iso_last)
    month = [r for r in year_all if str(r.get("date") or "") >= iso_first]
    from ..inspection.kinds import KINDS, kind_name

    kinds = ledger.inspection_kinds(iso_first, iso_last)
    other_kinds = any(k != "enforcement" for k in kinds)
    sep = ", " if lang == "en" else "，"
    out: dict[str, Any] = {"shown": bool(progress or year_all or other_kinds), "L": L, "classes": [],
                           "relapses_month": len(month), "relapses_year": len(year_all), "kinds": kinds,
                           "kinds_text": L["kinds"].format(items=sep.join(
                               f"{kind_name(k, lang)} {kinds[k]}" for k in [*KINDS, *sorted(set(kinds) - set(KINDS))]
                               if kinds.get(k))) if kinds else ""}
    if progress:
        out["plan_text"] = L["plan"].format(year=year, id=progress["plan"], planned=progress["planned"],
                                            done=progress["done"], rate=_pct(progress["rate"]), due=progress["due_to_date"])
        out["classes"] = [{"class": c["class"], "sites": c["sites"], "planned": c["planned"], "done": c["done"],
                           "rate": _pct(c["rate"]), "rate_value": c["rate"], "not_visited": c["sites_not_visited"]} for c in progress["by_class"]]
        out["progress"] = progress
        out["quarter_text"] = L["quarters"].format(items=("，" if lang != "en" else ", ").join(
            f"Q{q['quarter']} {q['done']}/{q['planned']}" for q in progress["by_quarter"]))
    else:
        out["plan_text"] = L["no_plan"].format(year=year)
        out["quarter_text"] = ""
    out["relapse_text"] = L["relapses"].format(month=len(month), year=len(year_all))
    out["relapse_rows"] = [L["relapse_row"].format(hazard=r["hazard"], original=r["original"], site=r.get("site") or "",
                                                   item=r.get("item") or "", closed=r.get("original_closed") or "")
                           for r in month]
    return out
