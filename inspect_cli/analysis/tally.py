"""The monthly bulletin's figures, counted where the data is.

Every count is a ``GROUP BY`` of the store (:meth:`Store.count_by`): on SQLite the tallied
fields are indexed columns, so a city's year (~360,000 hazards) is counted without decoding
a record and in bounded memory. Only the rows the bulletin lists (the first ``rows`` of each
table) and the closed major hazards are read as records, with the few fields shown.

This holds for a day after which no hazard changed (the bulletin of the current month: no
event is dated after today). For an earlier day the stored records are not the state of that
day; :func:`bulletin_tally` then returns None and the bulletin replays the changed hazards
(:mod:`.asof`).
"""
from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass, field
from typing import Any, Optional

from ..hazard import lifecycle
from ..hazard.moves import with_derived
from ..storage.interface import Store, Where

LIGHT_FIELDS = ("id", "domain", "severity", "status", "deadline", "created", "closed_date", "site")


@dataclass
class Tally:
    """What the bulletin shows: counts over every hazard, lists of the first rows only."""

    cell: Counter[tuple[str, Any, Any]] = field(default_factory=Counter)  # (domain, severity, status) → n
    total: Counter[tuple[str, Any]] = field(default_factory=Counter)  # (domain, severity) → n
    overdue_cell: Counter[tuple[str, Any]] = field(default_factory=Counter)  # (domain, severity) → overdue n
    overdue_days: Counter[int] = field(default_factory=Counter)  # days overdue → n
    new: list[dict[str, Any]] = field(default_factory=list)
    closed: list[dict[str, Any]] = field(default_factory=list)
    overdue: list[dict[str, Any]] = field(default_factory=list)
    new_total: int = 0
    closed_total: int = 0
    overdue_total: int = 0
    closed_majors: list[dict[str, Any]] = field(default_factory=list)
    majors_year: list[int] = field(default_factory=lambda: [0, 0])  # registered, closed
    majors_all: list[int] = field(default_factory=lambda: [0, 0])
    per_site: dict[str, dict[str, Any]] = field(default_factory=dict)


def changed_after(store: Store, iso_day: str) -> bool:
    """Whether any hazard changed after ``iso_day`` (an event dated later)."""
    return store.count("events", {"date": (">", iso_day)}) > 0


def bulletin_tally(store: Store, as_of: dt.date, iso_first: str, iso_last: str, year_start: str,
                   rows: int) -> Optional[Tally]:
    """The bulletin's figures as of ``as_of`` by ``GROUP BY``; None when hazards changed since."""
    iso = as_of.isoformat()
    if changed_after(store, iso):
        return None
    t = Tally()
    base: Where = {"created": ("<=", iso)}
    for (d, sev, status), n in store.count_by("hazards", ("domain", "severity", "status"), base).items():
        t.cell[(d or "", sev, status)] += n
        t.total[(d or "", sev)] += n
    late: Where = {**base, "status": ("in", lifecycle.ACTIVE), "deadline": ("<", iso)}
    for (d, sev, deadline), n in store.count_by("hazards", ("domain", "severity", "deadline"), late).items():
        if not deadline or not isinstance(deadline, str):
            continue
        t.overdue_cell[(d or "", sev)] += n
        t.overdue_days[(as_of - dt.date.fromisoformat(deadline)).days] += n
        t.overdue_total += n
    # the overdue list: most days overdue first (earliest deadline), then id
    t.overdue = [with_derived(h, as_of) for h in _first(store, late, "deadline", rows) if h.get("deadline")]
    new: Where = {"created": ("between", (iso_first, min(iso_last, iso)))}
    t.new_total = store.count("hazards", new)
    t.new = [with_derived(h, as_of) for h in _first(store, new, "created", rows)]
    closed: Where = {**base, "status": "closed", "closed_date": ("between", (iso_first, iso_last))}
    t.closed_total = store.count("hazards", closed)
    t.closed = [with_derived(h, as_of) for h in _first(store, closed, "created", rows)]
    majors: Where = {**base, "severity": "major"}
    for (status,), n in store.count_by("hazards", ("status",), majors).items():
        t.majors_all[0] += n
        t.majors_all[1] += n if status == "closed" else 0
    for (status,), n in store.count_by("hazards", ("status",), {**majors, "created": ("between", (year_start, iso))}).items():
        t.majors_year[0] += n
        t.majors_year[1] += n if status == "closed" else 0
    t.closed_majors = store.find("hazards", {**majors, "status": "closed"}, fields=LIGHT_FIELDS + ("plan",))
    active: Where = {**base, "status": ("in", lifecycle.ACTIVE)}
    for (code, sev), n in store.count_by("hazards", ("site", "severity"), active).items():
        s = t.per_site.setdefault(code or "", {"code": code or "", "name": "", "open": 0, "major": 0, "overdue": 0})
        s["open"] += n
        s["major"] += n if sev == "major" else 0
    for (code, deadline), n in store.count_by("hazards", ("site", "deadline"), late).items():
        if deadline and isinstance(deadline, str):
            t.per_site[code or ""]["overdue"] += n
    return t


def _first(store: Store, where: Where, key: str, rows: int) -> list[dict[str, Any]]:
    """The first ``rows`` matching hazards ordered by ``key`` then id (light fields only)."""
    got = store.find("hazards", where, order_by=key, limit=rows, fields=LIGHT_FIELDS)
    if len(got) == rows and rows:
        last = got[-1].get(key)  # ties on the last key: take them all, then order by id
        got = [h for h in got if h.get(key) != last] + store.find("hazards", {**where, key: last}, fields=LIGHT_FIELDS)
    got.sort(key=lambda h: (h.get(key) is None, str(h.get(key) or ""), str(h.get("id"))))
    return got[:rows]
