"""The monthly bulletin (月度通报): counts, closure rate against its target, overdue ages, sites.

Built to stay usable on a city's year: the figures are GROUP BY counts of indexed columns
(:mod:`..analysis.tally`), whole records only for the rows it lists; for a past month only
the hazards changed since are replayed, to correct the counts.
"""
from __future__ import annotations

from typing import TYPE_CHECKING, Any, Mapping, Optional

from ..hazard import lifecycle
from . import labels as lb
from ..analysis.stats import BUCKETS
from ..analysis.tally import Spec
from .bulletin_figures import Window, figures
from .context import (MAX_OVERDUE_ROWS, TOP_SITES, _ref, base, fmt_date,
                      parse_month)

if TYPE_CHECKING:
    from ..records import Hazard
    from ..ledger import Ledger


def bulletin(ledger: Ledger, subject: Optional[str], lang: str, settings: dict[str, Any], month: Optional[str] = None,
             **_: Any) -> dict[str, Any]:
    from .charts import stacked_bars

    L = lb.labels(lang)
    ctx = base(ledger, "bulletin", lang, settings)
    today = ledger.clock.today
    first, last = parse_month(month, today)
    as_of = min(last, today)
    iso_first, iso_last, iso_as_of = first.isoformat(), last.isoformat(), as_of.isoformat()
    # Counted where the data is (GROUP BY over indexed columns, analysis/tally.py); a past
    # month's counts are corrected by replaying only the hazards changed since its last day.
    # Whole records (as of the day) only for the rows listed.
    full = _FullRecords(ledger, iso_as_of)
    target = float(settings.get("bulletin.major_closure_target") or 0.8)
    year_start = f"{first.year}-01-01"
    w = Window.of(first.year, first.month)
    spec = Spec(as_of=as_of, first=iso_first, last=iso_last, year_start=year_start, rows=MAX_OVERDUE_ROWS,
                windows=tuple((x.first.isoformat(), x.last.isoformat()) for x in (w, w.previous(), w.year_before())))
    tally = ledger.bulletin_tally(spec)

    # 1. domain × severity × status
    domains = sorted({d for d, _ in tally.total})
    counts = []
    for d in domains:
        for sev in ("general", "major"):
            if not tally.total[(d, sev)]:
                continue
            counts.append({"domain": lb.domain_name(d, lang), "severity": lb.severity_name(sev, lang),
                           "by_status": [tally.cell[(d, sev, s)] for s in lifecycle.STATES],
                           "overdue": tally.overdue_cell[(d, sev)], "total": tally.total[(d, sev)]})
    totals = {"by_status": [sum(n for (_, _, st), n in tally.cell.items() if st == s) for s in lifecycle.STATES],
              "overdue": tally.overdue_total, "total": sum(tally.total.values())}
    domain_chart = stacked_bars(
        [(lb.domain_name(d, lang), [tally.total[(d, s)] for s in ("general", "major")]) for d in domains],
        [L["general"], L["major"]], title=L["b_counts"])

    # 2. new and closed in the month
    def short(light: Mapping[str, Any]) -> dict[str, Any]:
        h = dict(full.get(light["id"]), **light)
        return {"id": h["id"], "site_name": h.get("site_name") or "", "item_ref": _ref(h),
                "description": h.get("description") or "", "severity": lb.severity_name(h.get("severity"), lang),
                "major": h.get("severity") == "major", "created": fmt_date(h.get("created"), lang),
                "deadline": fmt_date(h.get("deadline"), lang), "closed_date": fmt_date(h.get("closed_date"), lang),
                "created_iso": h.get("created") or "", "deadline_iso": h.get("deadline") or "",
                "closed_date_iso": h.get("closed_date") or "",
                "closed_reason": h.get("closed_reason") or "", "days_overdue": h.get("days_overdue") or 0,
                "status_label": lb.pick(lb.STATUS, h.get("status"), lang),
                "flag_no_plan": h.get("severity") == "major" and h.get("status") == "closed" and not h.get("plan")}
    new, closed = tally.new, tally.closed  # the first rows, by (created, id)

    # 3. closure rate of major hazards, this year to date and overall
    def rate(total_closed: list[int]) -> Optional[float]:
        return total_closed[1] / total_closed[0] if total_closed[0] else None

    year_rate, all_rate = rate(tally.majors_year), rate(tally.majors_all)
    closed_year = tally.majors_year[1]
    if year_rate is None:
        rate_text, met = L["b_no_major"], None
    else:
        met = year_rate >= target
        rate_text = L["b_rate_text"].format(year=first.year, as_of=fmt_date(iso_as_of, lang), total=tally.majors_year[0],
                                            closed=closed_year, rate=f"{year_rate:.1%}", target=f"{target:.0%}",
                                            verdict=L["b_met"] if met else L["b_not_met"])
    rate_rows = [(f"{first.year}", [year_rate or 0.0])] if year_rate is not None else []
    if all_rate is not None:
        rate_rows.append((L["total"], [all_rate]))
    rate_chart = stacked_bars(rate_rows, [L["rate"]], title=L["b_rate"], target=target,
                              target_label=f"{L['target']} {target:.0%}", percent=True, max_value=1.0) if rate_rows else ""

    # 4. overdue by age
    overdue = tally.overdue  # the first rows, most days overdue first, then id
    buckets: list[dict[str, Any]] = []
    for key, lo, hi in BUCKETS:
        label = key.replace("-", "–")
        n = sum(k for days, k in tally.overdue_days.items() if days >= lo and (hi is None or days <= hi))
        buckets.append({"label": label, "count": n})
    bucket_rows: list[tuple[str, list[float]]] = [(str(b["label"]), [float(b["count"])]) for b in buckets]
    overdue_chart = stacked_bars(bucket_rows, [L["bucket"]], title=L["b_overdue"])

    # 5. sites with most open hazards
    per_site = tally.per_site()
    sites = sorted(per_site.values(), key=lambda s: (-s["open"], -s["major"], s["code"]))[:TOP_SITES]
    names = ledger.site_names([s["code"] for s in sites])
    for s in sites:
        s["name"] = names.get(s["code"]) or ""
    sites_chart = stacked_bars([(s["name"] or s["code"], [s["open"] - s["major"], s["major"]]) for s in sites],
                               [L["general"], L["major"]], title=L["b_sites"]) if sites else ""

    # A month of a city is tens of thousands of new hazards: the bulletin counts them all and
    # lists the first MAX_OVERDUE_ROWS of each table (the ledger report has the rest).
    unplanned = tally.unplanned  # closed majors without a 治理方案, by (created, id)
    full.load([h["id"] for h in unplanned] + [h["id"] for h in new[:MAX_OVERDUE_ROWS]]
              + [h["id"] for h in closed[:MAX_OVERDUE_ROWS]] + [h["id"] for h in overdue[:MAX_OVERDUE_ROWS]])
    flags = [short(h) for h in unplanned if not full.get(h["id"]).get("plan")]
    ctx.update(
        month=f"{first.year}-{first.month:02d}", month_label=(f"{first.year}年{first.month}月" if lang == "zh" else first.strftime("%Y-%m")),
        as_of=fmt_date(iso_as_of, lang), statuses=[lb.pick(lb.STATUS, s, lang) for s in lifecycle.STATES],
        counts=counts, totals=totals, domain_chart=domain_chart,
        new=[short(h) for h in new[:MAX_OVERDUE_ROWS]], closed=[short(h) for h in closed[:MAX_OVERDUE_ROWS]],
        new_total=tally.new_total, closed_total=tally.closed_total,
        rate_text=rate_text, rate=year_rate, rate_all=all_rate, target=target, target_met=met,
        rate_pct=f"{year_rate:.1%}" if year_rate is not None else "—", target_pct=f"{target:.0%}",
        rate_chart=rate_chart, buckets=buckets, overdue=[short(h) for h in overdue[:MAX_OVERDUE_ROWS]],
        overdue_total=tally.overdue_total, overdue_chart=overdue_chart, sites=sites, sites_chart=sites_chart,
        flags=flags,
        seal_digest=ledger.seal_digest(),  # pins the ledger as this bulletin saw it (inspect verify --seal)
        **figures(ledger, tally, first, as_of, lang, settings.get("_notes")),
    )
    from ..case.rates import bulletin_figures

    # 立案率, 立案处罚率, 处罚执行率 for the month and the year to date (docs/cases.md)
    # (the month's figures are shown without 区域: its sites need not be read)
    ctx["enforcement"] = bulletin_figures(ledger.enforcement_rates(iso_first, iso_last, iso_as_of, by_region=False),
                                          ledger.enforcement_rates(year_start, iso_last, iso_as_of), lang)
    from ..plan.bulletin import bulletin_figures as year_figures

    # the annual plan done against planned, and relapses found by look-backs (docs/planning.md)
    ctx["year_plan"] = year_figures(ledger, first.year, iso_first, iso_last, iso_as_of, lang)
    return ctx



class _FullRecords:
    """Whole hazard records (as at the bulletin's day) for the few hazards a bulletin lists."""

    def __init__(self, ledger: Ledger, iso_as_of: str) -> None:
        self.ledger, self.as_of = ledger, iso_as_of
        self.records: dict[str, Hazard] = {}

    def load(self, ids: list[str]) -> None:
        wanted = sorted(set(ids) - set(self.records))
        if wanted:
            self.records.update({h["id"]: h for h in self.ledger.hazards_as_of(self.as_of, None, wanted)})

    def get(self, hazard_id: str) -> Hazard:
        if hazard_id not in self.records:
            self.load([hazard_id])
        return self.records.get(hazard_id, {})
