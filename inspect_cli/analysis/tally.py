"""The monthly bulletin's figures as of a day, counted where the data is.

Two ways to the same :class:`Tally`:

- :func:`counted` (what the bulletin runs): ``GROUP BY`` counts of the stored hazards
  (:meth:`Store.count_by`; on SQLite indexed columns, so a city's year of ~360,000 hazards is
  counted without decoding a record), corrected by the few hazards that changed after the
  day: their stored state is taken out and their state as of the day (replayed from their
  events, :mod:`.asof`) put in. Whole rows are read only for what the bulletin lists (the
  first ``rows`` of each table) and for the 整改资金 of the hazards fixed in a window.
- :func:`from_records` (the reference): one pass over every hazard as it stood that day
  (:func:`.asof.hazards_as_of`), plus the completed inspections and the sites. Tests check
  that both agree on generated ledgers.

Every count is additive over hazards, so one function (:func:`_add`) says what a hazard
adds to the figures, and the counted path applies it with sign -1 / +1 to the hazards
changed since the day.
"""
from __future__ import annotations

import datetime as dt
import json
import math
import re
from collections import Counter
from dataclasses import dataclass, field
from typing import Any, Iterable, Mapping, Optional, Sequence

from ..hazard import lifecycle
from ..hazard.moves import with_derived
from ..storage.interface import Store, Where

LIGHT_FIELDS = ("id", "domain", "severity", "status", "deadline", "created", "closed_date", "site")
EXTRA_FIELDS = ("supervision", "fix", "plan")  # what the office figures read beyond LIGHT_FIELDS
FUNDS_FIELDS = ("id", "created", "status", "closed_date", "fix", "plan")
_AMOUNT = re.compile(r"(\d+(?:\.\d+)?)\s*(万)?\s*元")
_END = "\uffff"  # after every YYYY-MM-DD…: a window holds a date with a time too ("2026-03-31T…")
_CHUNK = 500
_NO_PLAN: tuple[Where, ...] = ({"plan": None}, {"plan": ""}, {"plan": {}}, {"plan": []})  # no 治理方案


@dataclass(frozen=True)
class Spec:
    """What a bulletin counts: the day, its month, the year's start, the compared windows."""

    as_of: dt.date
    first: str  # the bulletin's month, inclusive ISO dates
    last: str
    year_start: str
    windows: tuple[tuple[str, str], ...]  # this month, last month, the same month last year
    rows: int  # rows listed per table

    @property
    def day(self) -> str:
        return self.as_of.isoformat()


@dataclass
class Window:
    """The hazard and inspection figures of one compared month."""

    new: int = 0
    new_major: int = 0
    closed: int = 0
    on_time: int = 0
    amounts: list[float] = field(default_factory=list)  # 整改资金 known, in yuan
    visits: int = 0
    sites: int = 0
    officers: int = 0

    @property
    def funds(self) -> float:
        return math.fsum(self.amounts)


@dataclass
class Tally:
    """What the bulletin shows: counts over every hazard as of the day, first rows of lists."""

    cell: Counter[tuple[str, Any, Any]] = field(default_factory=Counter)  # (domain, severity, status) → n
    total: Counter[tuple[str, Any]] = field(default_factory=Counter)  # (domain, severity) → n
    overdue_cell: Counter[tuple[str, Any]] = field(default_factory=Counter)  # (domain, severity) → overdue n
    overdue_days: Counter[int] = field(default_factory=Counter)  # days overdue → n
    new: list[dict[str, Any]] = field(default_factory=list)  # first rows, by (created, id)
    closed: list[dict[str, Any]] = field(default_factory=list)  # first rows, by (created, id)
    overdue: list[dict[str, Any]] = field(default_factory=list)  # first rows, most days overdue first
    unplanned: list[dict[str, Any]] = field(default_factory=list)  # every closed major without a 治理方案
    new_total: int = 0
    closed_total: int = 0
    overdue_total: int = 0
    majors_year: list[int] = field(default_factory=lambda: [0, 0])  # registered, closed
    majors_all: list[int] = field(default_factory=lambda: [0, 0])
    # per site: total, closed, major, new this month, closed this month, open, open major, overdue
    sites: dict[str, list[int]] = field(default_factory=dict)
    supervision: Counter[str] = field(default_factory=Counter)  # listed, closed, overdue
    windows: list[Window] = field(default_factory=list)
    registered_sites: int = 0  # sites registered by the day (检查覆盖率's denominator)

    def per_site(self) -> dict[str, dict[str, Any]]:
        """Sites with active hazards: open, major (open) and overdue counts."""
        return {code: {"code": code, "name": "", "open": s[5], "major": s[6], "overdue": s[7]}
                for code, s in self.sites.items() if s[5] > 0}


SITE_TOTAL, SITE_CLOSED, SITE_MAJOR, SITE_NEW, SITE_CLOSED_MONTH, SITE_OPEN, SITE_OPEN_MAJOR, SITE_OVERDUE = range(8)


def _holds(window: tuple[str, str], iso: Any) -> bool:
    return bool(iso) and window[0] <= str(iso)[:10] <= window[1]


def yuan(value: Any) -> Optional[float]:
    """An amount of money: a number (yuan), or the first ``N元`` / ``N万元`` in a text."""
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, (int, float)):
        return float(value)
    m = _AMOUNT.search(str(value))
    if not m:
        return None
    return float(m.group(1)) * (10_000 if m.group(2) else 1)


def funds_of(h: Mapping[str, Any]) -> Optional[float]:
    """整改资金 of a hazard: its fix's, else its 治理方案's."""
    fix = h.get("fix") or {}
    amount = yuan(fix.get("funds")) if isinstance(fix, Mapping) else None
    if amount is None:
        plan = h.get("plan") or {}
        amount = yuan(plan.get("funds")) if isinstance(plan, Mapping) else None
    return amount


def _fixed_in(window: tuple[str, str], h: Mapping[str, Any]) -> bool:
    """Rectified in the window: its fix is dated there, or it was closed there without a fix."""
    fix = h.get("fix")
    return (_holds(window, fix.get("date") if isinstance(fix, Mapping) else None)
            or (h.get("status") == "closed" and _holds(window, h.get("closed_date")) and not fix))


def _late(h: Mapping[str, Any], day: str) -> bool:
    return h.get("status") in lifecycle.ACTIVE and bool(h.get("deadline")) and str(h["deadline"]) < day


def _add(t: Tally, spec: Spec, h: Mapping[str, Any], sign: int) -> None:
    """What one hazard (as it stood on the day) adds to every additive figure, times ``sign``."""
    day = spec.day
    d, sev, status = h.get("domain") or "", h.get("severity"), h.get("status")
    created = str(h.get("created") or "")
    t.cell[(d, sev, status)] += sign
    t.total[(d, sev)] += sign
    late = _late(h, day)
    if late:
        t.overdue_cell[(d, sev)] += sign
        t.overdue_days[(spec.as_of - dt.date.fromisoformat(str(h["deadline"]))).days] += sign
        t.overdue_total += sign
    is_new = spec.first <= created <= spec.last
    closed_month = status == "closed" and spec.first <= str(h.get("closed_date") or "") <= spec.last
    t.new_total += sign * is_new
    t.closed_total += sign * closed_month
    if sev == "major":
        t.majors_all[0] += sign
        t.majors_all[1] += sign * (status == "closed")
        if created >= spec.year_start:
            t.majors_year[0] += sign
            t.majors_year[1] += sign * (status == "closed")
    s = t.sites.setdefault(str(h.get("site") or ""), [0] * 8)
    this = spec.windows[0]
    s[SITE_TOTAL] += sign
    s[SITE_CLOSED] += sign * (status == "closed")
    s[SITE_MAJOR] += sign * (sev == "major")
    s[SITE_NEW] += sign * _holds(this, h.get("created"))
    s[SITE_CLOSED_MONTH] += sign * (status == "closed" and _holds(this, h.get("closed_date")))
    if status in lifecycle.ACTIVE:
        s[SITE_OPEN] += sign
        s[SITE_OPEN_MAJOR] += sign * (sev == "major")
        s[SITE_OVERDUE] += sign * late
    if h.get("supervision"):
        t.supervision["listed"] += sign
        t.supervision["closed"] += sign * (status == "closed")
        t.supervision["overdue"] += sign * (status != "closed" and bool(h.get("deadline")) and str(h["deadline"]) < day)
    for w, win in zip(t.windows, spec.windows):
        if _holds(win, h.get("created")):
            w.new += sign
            w.new_major += sign * (sev == "major")
        if status == "closed" and _holds(win, h.get("closed_date")):
            w.closed += sign
            w.on_time += sign * (bool(h.get("deadline")) and str(h["closed_date"]) <= str(h["deadline"]))


def _light(h: Mapping[str, Any], as_of: dt.date) -> dict[str, Any]:
    return with_derived({k: h[k] for k in LIGHT_FIELDS if k in h}, as_of)


def _by_created(h: Mapping[str, Any]) -> tuple[str, str]:
    return (str(h.get("created") or ""), str(h.get("id")))


def _by_deadline(h: Mapping[str, Any]) -> tuple[str, str]:
    return (str(h.get("deadline") or ""), str(h.get("id")))


def _belongs(h: Mapping[str, Any], spec: Spec) -> list[str]:
    """The lists of the bulletin a hazard (as it stood on the day) belongs to."""
    status = h.get("status")
    out = []
    if spec.first <= str(h.get("created") or "") <= spec.last:
        out.append("new")
    if status == "closed" and spec.first <= str(h.get("closed_date") or "") <= spec.last:
        out.append("closed")
    if _late(h, spec.day):
        out.append("overdue")
    if h.get("severity") == "major" and status == "closed" and not h.get("plan"):
        out.append("unplanned")
    return out


def _lists(hazards: Iterable[Mapping[str, Any]], spec: Spec) -> dict[str, list[Mapping[str, Any]]]:
    """The hazards each list of the bulletin could show, from records as they stood."""
    out: dict[str, list[Mapping[str, Any]]] = {"new": [], "closed": [], "overdue": [], "unplanned": []}
    for h in hazards:
        for name in _belongs(h, spec):
            out[name].append(h)
    return out


def _finish_lists(t: Tally, spec: Spec, lists: Mapping[str, Sequence[Mapping[str, Any]]]) -> None:
    t.new = [_light(h, spec.as_of) for h in sorted(lists["new"], key=_by_created)[:spec.rows]]
    t.closed = [_light(h, spec.as_of) for h in sorted(lists["closed"], key=_by_created)[:spec.rows]]
    t.overdue = [_light(h, spec.as_of) for h in sorted(lists["overdue"], key=_by_deadline)[:spec.rows]]
    t.unplanned = [_light(h, spec.as_of) for h in sorted(lists["unplanned"], key=_by_created)]


def _officers(inspectors: Any) -> set[str]:
    return {str(p.get("cert") or p.get("name")) for p in (inspectors if isinstance(inspectors, list) else [])
            if isinstance(p, dict) and (p.get("cert") or p.get("name"))}


def _registered(added: Any, day: str) -> bool:
    return not added or str(added)[:10] <= day


# the reference: one pass over records ---------------------------------------------------------
def from_records(hazards: Iterable[Mapping[str, Any]], inspections: Iterable[Mapping[str, Any]],
                 sites: Iterable[Mapping[str, Any]], spec: Spec) -> Tally:
    """The tally of hazards as they stood on the day (every one), completed inspections and sites."""
    hazards = list(hazards)
    t = Tally(windows=[Window() for _ in spec.windows])
    for h in hazards:
        _add(t, spec, h, +1)
        for w, win in zip(t.windows, spec.windows):
            if _fixed_in(win, h) and (amount := funds_of(h)) is not None:
                w.amounts.append(amount)
    _finish_lists(t, spec, _lists(hazards, spec))
    inspections = [i for i in inspections if i.get("status") == "completed"]
    for w, win in zip(t.windows, spec.windows):
        visits = [i for i in inspections if _holds(win, i.get("date"))]
        w.visits, w.sites = len(visits), len({i.get("site") for i in visits})
        w.officers = len(set().union(*(_officers(i.get("inspectors")) for i in visits)))
    t.registered_sites = sum(1 for s in sites if _registered(s.get("added"), spec.day))
    _prune(t)
    return t


def _prune(t: Tally) -> None:
    """Drop what no hazard adds to (a site whose hazards all changed away, an empty cell)."""
    t.sites = {code: s for code, s in t.sites.items() if s[SITE_TOTAL]}
    for c in (t.cell, t.total, t.overdue_cell, t.overdue_days, t.supervision):
        for k in [k for k, n in c.items() if not n]:
            del c[k]


# the counted path ---------------------------------------------------------------------------
def _decoded(value: Any) -> Any:
    """A group key back to its value: a list or mapping comes back from its JSON text."""
    if isinstance(value, str) and value[:1] in ("{", "["):
        try:
            decoded = json.loads(value)
        except ValueError:
            return value
        return decoded if isinstance(decoded, (dict, list)) else value
    return value


def _rows(store: Store, table: str, fields: tuple[str, ...], where: Where) -> list[dict[str, Any]]:
    """Records' ``fields`` read as the groups of a GROUP BY on ``id`` (one group per record): on
    SQLite the fields are columns, so not one record's JSON is decoded (a mapping comes back from
    its column's JSON text)."""
    out = []
    for key in store.count_by(table, fields, where):
        out.append({f: _decoded(v) for f, v in zip(fields, key) if v is not None})
    return out


def _chunks(ids: Sequence[str]) -> Iterable[list[str]]:
    for i in range(0, len(ids), _CHUNK):
        yield list(ids[i:i + _CHUNK])


def _first(store: Store, where: Where, key: str, rows: int, exclude: set[str]) -> list[dict[str, Any]]:
    """Light records of the first ``rows`` matching hazards by ``key`` then id, leaving out ``exclude``."""
    n = rows + len(exclude)
    got = store.find("hazards", where, order_by=key, limit=n, fields=LIGHT_FIELDS)
    if len(got) == n and n:
        last = got[-1].get(key)  # ties on the last key: take them all (the order is then by id)
        got = [h for h in got if h.get(key) != last] + store.find("hazards", {**where, key: last}, fields=LIGHT_FIELDS)
    return [h for h in got if h.get("id") not in exclude]


def _changed(store: Store, day: str) -> set[str]:
    """The hazards registered by ``day`` with an event after it, from whichever side is
    smaller: the events after the day (a recent month) or the hazards registered by then
    (an early month of the year, when nearly every event comes later)."""
    from .asof import changed_after

    if store.count("events", {"date": (">", day)}) <= store.count("hazards", {"created": ("<=", day)}):
        return changed_after(store, day)  # the caller keeps those registered by the day
    ids = sorted(str(h["id"]) for h in store.find("hazards", {"created": ("<=", day)}, fields=("id",)))
    return {str(s) for chunk in _chunks(ids)
            for (s,) in store.count_by("events", ("subject",), {"subject": ("in", chunk), "date": (">", day)})}


def counted(store: Store, spec: Spec) -> Tally:
    """The same tally as :func:`from_records`, by GROUP BY on the stored hazards and a
    correction for the hazards changed after the day (see the module doc)."""
    from .asof import replay_as_of

    day = spec.day
    t = Tally(windows=[Window() for _ in spec.windows])
    # the stored state of the hazards registered by the day and changed since comes out; their
    # state on the day (replayed) goes in. (A hazard registered after the day has no event by
    # then, unless its history runs backwards in time, which inspect verify reports.)
    old = [h for ids in _chunks(sorted(_changed(store, day)))
           for h in _rows(store, "hazards", LIGHT_FIELDS + EXTRA_FIELDS, {"id": ("in", ids), "created": ("<=", day)})]
    changed = {str(h["id"]) for h in old}
    then = replay_as_of(store, day, sorted(changed))

    base: Where = {"created": ("<=", day)}
    for (d, sev, status), n in store.count_by("hazards", ("domain", "severity", "status"), base).items():
        t.cell[(d or "", sev, status)] += n
        t.total[(d or "", sev)] += n
    for (code, sev, status), n in store.count_by("hazards", ("site", "severity", "status"), base).items():
        s = t.sites.setdefault(str(code or ""), [0] * 8)
        s[SITE_TOTAL] += n
        s[SITE_CLOSED] += n * (status == "closed")
        s[SITE_MAJOR] += n * (sev == "major")
        if status in lifecycle.ACTIVE:
            s[SITE_OPEN] += n
            s[SITE_OPEN_MAJOR] += n * (sev == "major")
    late: Where = {**base, "status": ("in", lifecycle.ACTIVE), "deadline": ("<", day)}
    for (d, sev, code, deadline), n in store.count_by("hazards", ("domain", "severity", "site", "deadline"), late).items():
        if not deadline or not isinstance(deadline, str):
            continue
        t.overdue_cell[(d or "", sev)] += n
        t.overdue_days[(spec.as_of - dt.date.fromisoformat(deadline)).days] += n
        t.overdue_total += n
        t.sites[str(code or "")][SITE_OVERDUE] += n
    for (created,), n in store.count_by("hazards", ("created",), {"created": ("between", (spec.first, min(spec.last, day)))}).items():
        t.new_total += n
    month_closed: Where = {**base, "status": "closed", "closed_date": ("between", (spec.first, spec.last))}
    t.closed_total = store.count("hazards", month_closed)
    majors: Where = {**base, "severity": "major"}
    for (status, created), n in store.count_by("hazards", ("status", "created"), majors).items():
        t.majors_all[0] += n
        t.majors_all[1] += n * (status == "closed")
        if str(created or "") >= spec.year_start:
            t.majors_year[0] += n
            t.majors_year[1] += n * (status == "closed")
    for (sup, status, deadline), n in store.count_by("hazards", ("supervision", "status", "deadline"),
                                                     {**base, "supervision": ("!=", None)}).items():
        if not _decoded(sup):
            continue
        t.supervision["listed"] += n
        t.supervision["closed"] += n * (status == "closed")
        t.supervision["overdue"] += n * (status != "closed" and bool(deadline) and str(deadline) < day)
    for i, (w, win) in enumerate(zip(t.windows, spec.windows)):
        _window(store, spec, t, w, win, i == 0, changed)
    for h in old:
        _add(t, spec, h, -1)
    for h in then:
        _add(t, spec, h, +1)
        for w, win in zip(t.windows, spec.windows):
            if _fixed_in(win, h) and (amount := funds_of(h)) is not None:
                w.amounts.append(amount)

    # the lists: the first rows of the stored hazards not changed since, and the changed ones as they were
    stored = {
        "new": _first(store, {"created": ("between", (spec.first, min(spec.last, day)))}, "created", spec.rows, changed),
        "closed": _first(store, month_closed, "created", spec.rows, changed),
        "overdue": _first(store, late, "deadline", spec.rows, changed),
        "unplanned": [h for where in _NO_PLAN
                      for h in store.find("hazards", {**majors, "status": "closed", **where}, fields=LIGHT_FIELDS + ("plan",))
                      if h.get("id") not in changed],
    }
    replayed = _lists(then, spec)
    _finish_lists(t, spec, {k: [h for h in v if k in _belongs(h, spec)] + list(replayed[k]) for k, v in stored.items()})
    t.registered_sites = sum(n for (added,), n in store.count_by("sites", ("added",)).items() if _registered(added, day))
    _prune(t)
    return t


def _window(store: Store, spec: Spec, t: Tally, w: Window, win: tuple[str, str], this_month: bool,
            changed: set[str]) -> None:
    """A compared month's figures from the stored hazards (the changed ones are corrected by the caller)."""
    day = spec.day
    holds: Where = {"created": ("<=", day)}
    span = (win[0], win[1] + _END)
    for (code, sev), n in store.count_by("hazards", ("site", "severity"),
                                         {"created": ("between", (win[0], min(win[1] + _END, day)))}).items():
        w.new += n
        w.new_major += n * (sev == "major")
        if this_month:
            t.sites.setdefault(str(code or ""), [0] * 8)[SITE_NEW] += n
    closed: Where = {**holds, "status": "closed", "closed_date": ("between", span)}
    for (code, closed_date, deadline), n in store.count_by("hazards", ("site", "closed_date", "deadline"), closed).items():
        w.closed += n
        w.on_time += n * (bool(deadline) and str(closed_date) <= str(deadline))
        if this_month:
            t.sites.setdefault(str(code or ""), [0] * 8)[SITE_CLOSED_MONTH] += n
    # 整改资金: the hazards whose fix is dated in the window (a "fixed" event there, or a
    # conflict's resolution that may carry one) and those closed there without a fix but with a plan
    fixed_ids = {str(s) for (s,), _ in store.count_by("events", ("subject",), {
        "type": "fixed", "date": ("between", (win[0], min(win[1] + _END, day)))}).items()}
    fixed_ids |= {str(s) for (s,), _ in store.count_by("events", ("subject",), {
        "type": "resolved", "date": ("<=", day)}).items()}
    candidates = [h for ids in _chunks(sorted(fixed_ids - changed))
                  for h in _rows(store, "hazards", FUNDS_FIELDS, {**holds, "id": ("in", ids)})]
    candidates += [h for h in _rows(store, "hazards", FUNDS_FIELDS, {**closed, "fix": None, "plan": ("!=", None)})
                   if h["id"] not in changed and h["id"] not in fixed_ids]
    for h in candidates:
        if _fixed_in(win, h) and (amount := funds_of(h)) is not None:
            w.amounts.append(amount)
    # the visits of the window (any day of it: a bulletin compares whole months)
    teams: set[Any] = set()  # the distinct inspector lists (as group keys): few, decoded once each
    sites: set[Any] = set()
    for (site, inspectors), n in store.count_by("inspections", ("site", "inspectors"),
                                                {"status": "completed", "date": ("between", span)}).items():
        w.visits += n
        sites.add(site)
        teams.add(inspectors)
    officers: set[str] = set().union(*(_officers(_decoded(team)) for team in teams))
    w.sites, w.officers = len(sites), len(officers)
