"""企业自查自改自报: the sites whose self-reports stayed at zero.

A self-report is a completed inspection of kind ``self`` (自查), made by the enterprise's own
safety officer and brought to the bureau by a bundle (``inspect export`` / ``inspect import``)
like any other record. A site's self-reports "stay at zero" over the last N months when its
self-inspections in that window reported no hazard at all — whether it made none or only
reported nothing found. The plans say to inspect those sites more often; the annual plan
adds ``plan.silent_extra`` visits to them.
"""
from __future__ import annotations

import datetime as dt
from typing import Any

from ..errors import UsageError
from ..storage.interface import Store


def months_back(day: dt.date, months: int) -> dt.date:
    """The same day ``months`` calendar months earlier (the month's last day when shorter)."""
    import calendar

    y, m = divmod(day.year * 12 + (day.month - 1) - months, 12)
    return dt.date(y, m + 1, min(day.day, calendar.monthrange(y, m + 1)[1]))


def silent_sites(store: Store, today: dt.date, months: int) -> dict[str, Any]:
    """``{since, until, months, sites: [{code, name, risk_class, self_inspections, self_hazards, last_self_report}]}``.

    The window is the ``months`` months up to and including ``today``; every registered site
    whose self-inspections in it reported no hazard is listed, by code.
    """
    if isinstance(months, bool) or not isinstance(months, int) or months < 1:
        raise UsageError(f"--months must be a whole number of months, 1 or more, not {months!r}")
    since = months_back(today, months) + dt.timedelta(days=1)
    iso_since, iso_until = since.isoformat(), today.isoformat()
    tally: dict[str, list[int]] = {}
    last: dict[str, str] = {}
    for rec in store.find("inspections", {"kind": "self"}, fields=("site", "date", "status", "hazards")):
        if rec.get("status") != "completed":
            continue
        day = str(rec.get("date") or "")
        code = str(rec.get("site") or "")
        if day <= iso_until and day > last.get(code, ""):
            last[code] = day
        if iso_since <= day <= iso_until:
            t = tally.setdefault(code, [0, 0])
            t[0] += 1
            t[1] += len(rec.get("hazards") or [])
    rows = []
    for site in store.find("sites", order_by="code"):
        n_ins, n_haz = tally.get(site["code"], [0, 0])
        if n_haz == 0:
            rows.append({"code": site["code"], "name": site.get("name") or "", "risk_class": site.get("risk_class") or "",
                         "self_inspections": n_ins, "self_hazards": 0, "last_self_report": last.get(site["code"])})
    return {"since": iso_since, "until": iso_until, "months": months, "sites": rows}
