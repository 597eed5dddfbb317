"""Enforcement rates (执法统计): 立案率, 立案处罚率, 处罚执行率 and amounts, overall and by
domain, 区域 and month. Used by ``inspect stats`` (and its ``--gate``) and the bulletin.

Definitions (docs/cases.md and docs/analysis.md):

- ``inspections_with_findings``: completed inspections dated in the window, other than
  self-inspections (自查), that registered at least one hazard;
- ``cases``: cases opened (立案) in the window, withdrawn ones included;
- ``filing_rate`` (立案率) = cases / inspections_with_findings;
- ``penalty_decisions``: cases of the window decided with a penalty by today;
  ``case_penalty_rate`` (立案处罚率) = penalty_decisions / cases;
- ``penalties_executed``: of those, carried out by today (执行 recorded; a 警告 alone counts
  once served); ``penalty_execution_rate`` (处罚执行率) = penalties_executed / penalty_decisions;
- ``fines_decided_yuan`` / ``fines_collected_yuan``: the fines decided and the amounts
  recorded as executed.

A rate with nothing to divide is ``None`` (a gate on it is skipped). A case counts in the
month, domain and 区域 it was opened in; an inspection in its own.
"""
from __future__ import annotations

import datetime as dt
from typing import Any, Optional

from ..storage.interface import Store, Where, window_where
from . import machine
from .records import TABLE, region_of

METRICS: dict[str, str] = {
    "inspections_with_findings": "completed inspections of the window (not 自查) that registered a hazard",
    "cases": "cases opened (立案) in the window",
    "filing_rate": "立案率: cases / inspections_with_findings (null when none)",
    "penalty_decisions": "cases of the window decided with a penalty by today",
    "no_penalty_decisions": "cases of the window decided 不予处罚 by today",
    "case_penalty_rate": "立案处罚率: penalty_decisions / cases (null when none)",
    "penalties_executed": "penalty decisions of the window carried out (执行) by today",
    "penalty_execution_rate": "处罚执行率: penalties_executed / penalty_decisions (null when none)",
    "fines_decided_yuan": "fines (罚款) decided in cases of the window, yuan",
    "fines_collected_yuan": "amounts recorded as executed in cases of the window, yuan",
    "open_cases": "cases of the window not yet closed (结案) as of today",
    "overdue_cases": "open cases of the window with a stage or the decision past its deadline",
}


def _rate(part: int, whole: int) -> Optional[float]:
    return round(part / whole, 4) if whole else None




def _row() -> dict[str, Any]:
    return {"inspections_with_findings": 0, "cases": 0, "penalty_decisions": 0, "no_penalty_decisions": 0,
            "penalties_executed": 0, "fines_decided_yuan": 0, "fines_collected_yuan": 0, "open_cases": 0,
            "overdue_cases": 0}


def _finish(row: dict[str, Any]) -> dict[str, Any]:
    return dict(row, filing_rate=_rate(row["cases"], row["inspections_with_findings"]),
                case_penalty_rate=_rate(row["penalty_decisions"], row["cases"]),
                penalty_execution_rate=_rate(row["penalties_executed"], row["penalty_decisions"]))


def executed(case: dict[str, Any], today_iso: str) -> bool:
    """Whether a penalty decision was carried out by ``today_iso``."""
    e = case.get("execution")
    if e and str(e.get("date")) <= today_iso:
        return True
    s = case.get("service") or {}
    return not machine.needs_execution(case) and bool(s) and str(s.get("date")) <= today_iso


def compute(store: Store, today: dt.date, since: Optional[str] = None, until: Optional[str] = None,
            domain: Optional[str] = None, site: Optional[str] = None, by_region: bool = True) -> dict[str, Any]:
    """``{"metrics", "by_domain", "by_region", "by_month"}`` for the window (inclusive dates)."""
    t = today.isoformat()
    filters: Where = {}
    if domain:
        filters["domain"] = domain
    if site:
        filters["site"] = site.strip().upper()
    total = _row()
    by: dict[str, dict[str, dict[str, Any]]] = {"domain": {}, "region": {}, "month": {}}

    def rows(keys: dict[str, str]) -> list[dict[str, Any]]:
        return [total] + [by[k].setdefault(v, _row()) for k, v in keys.items()]

    # a city's year is ~437,000 inspections: count them by (domain, site, month) first
    # Each inspection counts once in the total and once in each of its domain, 区域 and month:
    # three GROUP BYs of the store give those margins (on SQLite from one covering index, no
    # inspection decoded), and the 区域 of a site is looked up once per site.
    with_findings: Where = {**filters, **window_where(since, until, "date"), "status": "completed", "kind": ("!=", "self")}

    unlisted = store.count("inspections", {**with_findings, "hazards": None})  # no hazards field at all

    def margin(field: str) -> dict[Any, int]:
        counts: dict[Any, int] = {}
        for sign, cond in ((1, ("!=", [])), (-1, None))[: 2 if unlisted else 1]:  # hazards neither [] nor missing
            for (value,), n in store.count_by("inspections", (field,), {**with_findings, "hazards": cond}).items():
                counts[value] = counts.get(value, 0) + sign * n
        return counts

    for dom, n in margin("domain").items():
        total["inspections_with_findings"] += n
        by["domain"].setdefault(str(dom or "?"), _row())["inspections_with_findings"] += n
    if by_region:  # (a caller that shows no 区域 figures skips reading the sites)
        per_site = margin("site")
        if len(per_site) <= 2000:  # a few sites: look each up; else one pass over the sites
            regions = {str(code): region_of(s) if s else "?" for code in per_site
                       for s in [store.get("sites", str(code))]}
        else:
            regions = _regions(store)
        for code, n in per_site.items():
            by["region"].setdefault(regions.get(str(code), "?"), _row())["inspections_with_findings"] += n
    for date, n in margin("date").items():
        by["month"].setdefault(str(date or "")[:7], _row())["inspections_with_findings"] += n

    from ..settings import DEFAULTS

    saved = store.get("settings", "org") or {}
    conf = {**DEFAULTS, **{k: v for k, v in saved.items() if k in DEFAULTS}}  # as Ledger.settings
    for c in store.find(TABLE, {**filters, **window_where(since, until, "opened")}):
        if str(c.get("opened") or "") > t:
            continue
        keys = {"domain": str(c.get("domain") or "?"), "region": str(c.get("region") or "?"),
                "month": str(c.get("opened") or "")[:7]}
        d = c.get("decision") or {}
        decided = bool(d) and str(d.get("date")) <= t
        is_open = c.get("stage") != "closed" or str(c.get("closed_date") or "") > t
        late = is_open and bool(machine.overdue(c, conf, today))
        penalty = decided and d.get("outcome") == "penalty"
        done = penalty and executed(c, t)
        fine = int(d.get("amount") or 0) if penalty else 0
        collected = int((c.get("execution") or {}).get("amount") or 0) if done else 0
        for r in rows(keys):
            r["cases"] += 1
            r["open_cases"] += is_open
            r["overdue_cases"] += late
            r["penalty_decisions"] += penalty
            r["no_penalty_decisions"] += decided and not penalty
            r["penalties_executed"] += done
            r["fines_decided_yuan"] += fine
            r["fines_collected_yuan"] += collected
    metrics = _finish(total)
    assert set(metrics) == set(METRICS)
    if not by_region:
        by["region"] = {}  # not asked for: left empty rather than counting the cases only
    return {"metrics": metrics,
            **{f"by_{k}": {key: _finish(v) for key, v in sorted(rows_.items())} for k, rows_ in by.items()}}


def _regions(store: Store) -> dict[str, str]:
    """区域 of every site by code, from the fields :func:`region_of` reads (region, attributes,
    address), grouped by site (one group per site): on SQLite these are columns of the sites
    table, so no site record is decoded."""
    import json

    out: dict[str, str] = {}
    known: dict[tuple[Any, Any, Any], str] = {}  # sites share their region, attributes and address text
    for code, region, attributes, address in store.count_by("sites", ("code", "region", "attributes", "address")):
        key = (region, attributes, address)
        if key not in known:
            if isinstance(attributes, str) and attributes.startswith("{"):
                try:
                    attributes = json.loads(attributes)
                except ValueError:
                    pass
            known[key] = region_of({"region": region, "attributes": attributes, "address": address})
        out[str(code)] = known[key]
    return out


_BULLETIN_LABELS = {
    "title": ("执法情况（立案、处罚、执行）", "Enforcement: cases, penalties, execution"),
    "figure": ("指标", "Figure"), "month": ("本月", "This month"), "year": ("本年累计", "Year to date"),
    "inspections_with_findings": ("发现隐患的执法检查（次）", "Inspections with findings"),
    "cases": ("立案（件）", "Cases opened (立案)"),
    "filing_rate": ("立案率", "Filing rate (立案率)"),
    "penalty_decisions": ("作出行政处罚决定（件）", "Penalty decisions"),
    "case_penalty_rate": ("立案处罚率", "Case penalty rate (立案处罚率)"),
    "penalties_executed": ("处罚已执行（件）", "Penalties executed"),
    "penalty_execution_rate": ("处罚执行率", "Execution rate (处罚执行率)"),
    "fines_decided_yuan": ("罚款金额（元）", "Fines decided (yuan)"),
    "fines_collected_yuan": ("已执行金额（元）", "Amounts executed (yuan)"),
    "overdue_cases": ("办理逾期案件（件）", "Cases past a stage deadline"),
    "by_region": ("本年分区域", "Year to date by 区域"), "region": ("区域", "区域 (region)"),
    "note": ("立案率＝立案数÷发现隐患的执法检查次数；立案处罚率＝处罚决定数÷立案数；处罚执行率＝已执行÷处罚决定数。",
             "Filing rate = cases ÷ inspections with findings; case penalty rate = penalty decisions ÷ cases; "
             "execution rate = executed ÷ penalty decisions."),
}
BULLETIN_ROWS = ("inspections_with_findings", "cases", "filing_rate", "penalty_decisions", "case_penalty_rate",
                 "penalties_executed", "penalty_execution_rate", "fines_decided_yuan", "fines_collected_yuan",
                 "overdue_cases")


def _fmt(key: str, value: Any) -> str:
    if key.endswith("_rate"):
        return "—" if value is None else f"{value:.1%}"
    return f"{value:,}"


def bulletin_figures(month: dict[str, Any], year: dict[str, Any], lang: str) -> dict[str, Any]:
    """The bulletin's enforcement section from :func:`compute` of the month and of the year to
    date: the three rates and amounts, and the year by 区域. ``shown`` is False while the year
    has no case (the section is then left out)."""
    i = 1 if lang == "en" else 0
    L = {k: v[i] for k, v in _BULLETIN_LABELS.items()}
    rows = [{"label": L[k], "month": _fmt(k, month["metrics"][k]), "year": _fmt(k, year["metrics"][k])}
            for k in BULLETIN_ROWS]
    regions = [{"region": name, **{k: _fmt(k, r[k]) for k in BULLETIN_ROWS}} for name, r in year["by_region"].items()
               if r["cases"] or r["inspections_with_findings"]]
    return {"shown": year["metrics"]["cases"] > 0, "L": L, "rows": rows, "regions": regions,
            "metrics": {"month": month["metrics"], "year": year["metrics"]}}
