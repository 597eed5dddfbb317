"""Statistics of inspections and hazards for a date window, and flat metrics for gates.

::

    with ledger.read() as st:
        s = compute(st, today, since="2026-03-01", until="2026-03-31")
    s["metrics"]["major_closure_rate"]

Every hazard figure is over the hazards **registered** in the window (``created`` between
``since`` and ``until``, inclusive), taken in their state as of ``today``: a hazard found
in March and closed in April counts as closed when the report is run in April. Without
``since``/``until`` the window is the whole ledger. See docs/analysis.md for every
definition.

Every figure is a ``GROUP BY`` of the store (:meth:`Store.count_by`), never a pass over the
records in Python: on SQLite the tallied fields are indexed columns, so a city's year
(~360,000 hazards) is summarised in about a second in bounded memory.
"""
from __future__ import annotations

import datetime as dt
from typing import Any, Optional

from ..case.rates import METRICS as CASE_METRICS
from ..hazard.lifecycle import ACTIVE, STATES
from ..storage.interface import Store, Where, window_where

SEVERITIES = ("general", "major")
# Overdue age buckets: (label, lowest day, highest day or None for open-ended).
BUCKETS = (("1-7", 1, 7), ("8-30", 8, 30), ("31-90", 31, 90), (">90", 91, None))
TOP_ITEMS = 10

# The flat metrics that ``--gate`` can test, with what each one counts.
METRICS: dict[str, str] = {
    "inspections": "completed inspections dated in the window",
    "enforcement_inspections": "completed inspections in the window that are not self-inspections (自查)",
    "hazards": "hazards registered in the window",
    "general_hazards": "general (一般) hazards registered in the window",
    "major_hazards": "major (重大) hazards registered in the window",
    "open_hazards": "hazards of the window not yet closed (open, planned or fixed)",
    "open_major": "major hazards of the window not yet closed",
    "closed_hazards": "hazards of the window closed (销号) by today",
    "closed_major": "major hazards of the window closed by today",
    "closed_on_spot": "hazards of the window closed by an on-the-spot fix (当场整改)",
    "overdue_hazards": "hazards of the window past their deadline and not closed, as of today",
    "overdue_general": "general hazards of the window overdue as of today",
    "overdue_major": "major hazards of the window overdue as of today",
    "overdue_over_30_days": "hazards of the window overdue by more than 30 days",
    "overdue_major_over_30_days": "major hazards of the window overdue by more than 30 days",
    "overdue_over_90_days": "hazards of the window overdue by more than 90 days",
    "overdue_major_over_90_days": "major hazards of the window overdue by more than 90 days",
    "closure_rate": "closed_hazards / hazards (null when there are no hazards)",
    "general_closure_rate": "closed general / general_hazards (null when none)",
    "major_closure_rate": "closed_major / major_hazards (null when none)",
    "overdue_rate": "overdue_hazards / open_hazards (null when nothing is open)",
}
METRICS.update(CASE_METRICS)  # 立案率, 立案处罚率, 处罚执行率 and amounts (inspect_cli/case/rates.py)




def _rate(part: int, whole: int) -> Optional[float]:
    return round(part / whole, 4) if whole else None


def _bucket(days: int) -> str:
    for label, low, high in BUCKETS:
        if days >= low and (high is None or days <= high):
            return label
    return BUCKETS[0][0]  # days >= 1 always falls in a bucket


def _severity(value: Any) -> str:
    return str(value) if value in SEVERITIES else "general"


def compute(store: Store, today: dt.date, since: Optional[str] = None, until: Optional[str] = None,
            domain: Optional[str] = None, site: Optional[str] = None, top: int = TOP_ITEMS) -> dict[str, Any]:
    """The statistics of the window ``since``..``until`` (inclusive dates, either optional).

    Returns ``{"window", "inspections", "hazards", "closure", "overdue", "top_items", "metrics"}``;
    ``metrics`` is the flat dict of :data:`METRICS` that gates are evaluated against.
    """
    return _compute(store, today, since, until, domain, site, top)


def _compute(store: Store, today: dt.date, since: Optional[str], until: Optional[str], domain: Optional[str],
             site: Optional[str], top: int) -> dict[str, Any]:
    filters: Where = {}
    if domain:
        filters["domain"] = domain
    if site:
        filters["site"] = site.strip().upper()

    # Every figure is a GROUP BY of the store (Store.count_by): on SQLite the tallied fields are
    # indexed columns, so nothing is decoded and memory does not grow with the ledger.
    # inspections ---------------------------------------------------------------
    by_kind: dict[str, int] = {}
    by_domain_insp: dict[str, int] = {}
    in_progress = 0
    completed = 0
    groups = store.count_by("inspections", ("status", "kind", "domain"),
                            {**filters, **window_where(since, until, "date")})
    for (status, kind, dom), n in groups.items():
        if status != "completed":
            in_progress += n
            continue
        completed += n
        by_kind[kind or "?"] = by_kind.get(kind or "?", 0) + n
        by_domain_insp[dom or "?"] = by_domain_insp.get(dom or "?", 0) + n

    # hazards ------------------------------------------------------------------------
    today_iso = today.isoformat()
    window: Where = {**filters, **window_where(since, until, "created")}
    matrix: dict[str, dict[str, dict[str, int]]] = {}
    registered = {s: 0 for s in SEVERITIES}
    closed = {s: 0 for s in SEVERITIES}
    active = {s: 0 for s in SEVERITIES}
    on_spot = 0
    overdue = {s: {label: 0 for label, _, _ in BUCKETS} for s in SEVERITIES}
    for (dom, sev_value, status_value), n in store.count_by("hazards", ("domain", "severity", "status"), window).items():
        sev, status = _severity(sev_value), status_value or "open"
        cell = matrix.setdefault(dom or "?", {}).setdefault(sev, {})
        cell[status] = cell.get(status, 0) + n
        registered[sev] += n
        if status in ACTIVE:
            active[sev] += n
    # closed: by today; one closed after the report's day (a back-dated run) is still active
    for (sev_value, reason), n in store.count_by("hazards", ("severity", "closed_reason"),
                                                 {**window, "status": "closed"}).items():
        closed[_severity(sev_value)] += n
        on_spot += n if reason == "当场整改" else 0
    for (sev_value, reason), n in store.count_by("hazards", ("severity", "closed_reason"),
                                                 {**window, "status": "closed", "closed_date": (">", today_iso)}).items():
        closed[_severity(sev_value)] -= n
        active[_severity(sev_value)] += n
        on_spot -= n if reason == "当场整改" else 0
    for (sev_value, deadline), n in store.count_by("hazards", ("severity", "deadline"),
                                                   {**window, "status": ("in", ACTIVE),
                                                    "deadline": ("<", today_iso)}).items():
        if deadline and isinstance(deadline, str):
            days = (today - dt.date.fromisoformat(deadline)).days
            overdue[_severity(sev_value)][_bucket(days)] += n
    top_items = _top_items(store, window, top)

    total = sum(registered.values())
    total_closed = sum(closed.values())
    total_active = sum(active.values())
    overdue_total = {s: sum(overdue[s].values()) for s in SEVERITIES}
    over_30 = {s: overdue[s]["31-90"] + overdue[s][">90"] for s in SEVERITIES}
    over_90 = {s: overdue[s][">90"] for s in SEVERITIES}


    metrics: dict[str, Any] = {
        "inspections": completed,
        "enforcement_inspections": sum(n for k, n in by_kind.items() if k != "self"),
        "hazards": total,
        "general_hazards": registered["general"],
        "major_hazards": registered["major"],
        "open_hazards": total_active,
        "open_major": active["major"],
        "closed_hazards": total_closed,
        "closed_major": closed["major"],
        "closed_on_spot": on_spot,
        "overdue_hazards": sum(overdue_total.values()),
        "overdue_general": overdue_total["general"],
        "overdue_major": overdue_total["major"],
        "overdue_over_30_days": sum(over_30.values()),
        "overdue_major_over_30_days": over_30["major"],
        "overdue_over_90_days": sum(over_90.values()),
        "overdue_major_over_90_days": over_90["major"],
        "closure_rate": _rate(total_closed, total),
        "general_closure_rate": _rate(closed["general"], registered["general"]),
        "major_closure_rate": _rate(closed["major"], registered["major"]),
        "overdue_rate": _rate(sum(overdue_total.values()), total_active),
    }
    from ..case.rates import compute as enforcement_rates

    enforcement = enforcement_rates(store, today, since, until, domain, site)
    metrics.update(enforcement["metrics"])
    assert set(metrics) == set(METRICS)

    return {
        "window": {"since": since, "until": until, "today": today_iso, "domain": domain,
                   "site": filters.get("site")},
        "inspections": {"count": completed, "in_progress": in_progress, "by_kind": dict(sorted(by_kind.items())),
                        "by_domain": dict(sorted(by_domain_insp.items()))},
        "hazards": {
            "count": total,
            "by_severity": dict(registered),
            "by_domain": {d: {s: {st: m[s].get(st, 0) for st in STATES if m.get(s, {}).get(st)}
                              for s in SEVERITIES if s in m}
                          for d, m in sorted(matrix.items())},
        },
        "closure": {
            "registered": total, "closed": total_closed, "rate": metrics["closure_rate"],
            "major": {"registered": registered["major"], "closed": closed["major"], "rate": metrics["major_closure_rate"]},
            "general": {"registered": registered["general"], "closed": closed["general"],
                        "rate": metrics["general_closure_rate"]},
            "closed_on_spot": on_spot,
        },
        "overdue": {
            "buckets": [label for label, _, _ in BUCKETS],
            "by_severity": {s: dict(overdue[s]) for s in SEVERITIES},
            "total": sum(overdue_total.values()),
        },
        "top_items": top_items,
        "enforcement": enforcement,
        "metrics": metrics,
    }


def _top_items(store: Store, window: Where, top: int) -> list[dict[str, Any]]:
    """The checklist items most often failed: hazards and distinct sites per item."""
    by = ("checklist", "checklist_version", "item")
    counts: dict[tuple[Any, ...], int] = {}
    raw: dict[tuple[Any, ...], tuple[Any, ...]] = {}  # the key as shown → one key as stored
    sites: dict[tuple[Any, ...], int] = {}
    site_counts = store.count_by("hazards", by, window, distinct="site")
    for key, n in store.count_by("hazards", by, window).items():
        shown = (key[0] or "?", key[1], key[2] or "?")
        counts[shown] = counts.get(shown, 0) + n
        sites[shown] = sites.get(shown, 0) + site_counts.get(key, 0)
        raw.setdefault(shown, key)
    out = []
    for k, n in sorted(counts.items(), key=lambda kv: (-kv[1], str(kv[0])))[:max(top, 0)]:
        first = store.find("hazards", {**window, **dict(zip(by, raw[k]))}, limit=1, fields=("item_text",))
        text = first[0].get("item_text") if first else ""
        out.append({"checklist": k[0], "checklist_version": k[1], "item": k[2], "count": n, "sites": sites[k],
                    "item_text": text or ""})
    return out
