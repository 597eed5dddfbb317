"""The monthly bulletin (月度通报): counts, closure rate against its target, overdue ages, sites.

Built to stay usable on a city's year: one light pass over every hazard's indexed
columns, whole records only for the rows it lists.
"""
from __future__ import annotations

from typing import Any, Optional

from .. import lifecycle
from ..hazards import with_derived
from . import labels as lb
from .context import (BUCKETS, MAX_OVERDUE_ROWS, TOP_SITES, _order, _ref, base, fmt_date,
                      parse_month)


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


