"""Hazards in the ledger: registering findings, moving them through the lifecycle, queries.

Every change is an event appended to the hazard's hash chain; the hazard record is the
replay of its events (see :mod:`.lifecycle` and :mod:`.history`).
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any, Mapping, Optional

from . import history
from . import lifecycle
from ..clock import Clock
from ..errors import NotFound, ValidationFailed
from ..ids import new_id, normalise
from ..storage.interface import Store, Where

SORT_FIELDS = ("deadline", "created", "severity", "status", "site", "id", "checklist")
LIST_KEYS = ("id", "site", "site_name", "checklist", "checklist_version", "item", "unit", "severity", "status",
             "deadline", "created", "description", "basis", "inspection", "domain", "overdue", "days_overdue")


def append(store: Store, hazard: Optional[dict[str, Any]], event: dict[str, Any]) -> dict[str, Any]:
    """Append an event and store the hazard's new state; returns the new hazard record."""
    state = lifecycle.apply(_state(hazard) if hazard else {}, event)
    state["head"], state["events"], state["head_date"] = event["hash"], event["seq"], event["date"]
    store.put("events", event["id"], event)
    store.put("hazards", state["id"], state)
    return state


def _state(hazard: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in hazard.items() if k not in history.BOOKKEEPING}


def record(store: Store, hazard: dict[str, Any], type: str, clock: Clock, actor: str, data: dict[str, Any],
           note: str = "", evidence: Optional[list[dict[str, Any]]] = None) -> dict[str, Any]:
    history.require_in_order(store, hazard, type, clock.today.isoformat())
    event = history.make_event(hazard, type, clock.today.isoformat(), clock.now(), actor, data, note, evidence)
    return append(store, hazard, event)


def register(store: Store, data: dict[str, Any], clock: Clock, actor: str) -> dict[str, Any]:
    """A new hazard from a finding; ``data`` holds its fields (see docs/ledger.md)."""
    data = dict(data, id=data.get("id") or new_id("hazard"))
    hazard = record(store, {"id": data["id"]}, "registered", clock, actor, data)
    return hazard


def get(store: Store, hazard_id: str) -> dict[str, Any]:
    hid = normalise(hazard_id)
    hazard = store.get("hazards", hid)
    if hazard is None:
        raise NotFound(f"no hazard {hazard_id!r} in this ledger; see inspect hazard list")
    return hazard


@dataclass
class HazardQuery:
    """The filters of ``hazard list`` (and the ledger report)."""

    status: tuple[str, ...] = ()
    severity: Optional[str] = None
    site: Optional[str] = None
    checklist: Optional[str] = None
    domain: Optional[str] = None
    inspection: Optional[str] = None
    overdue: bool = False
    due_before: Optional[str] = None
    created_since: Optional[str] = None
    created_until: Optional[str] = None
    sort: str = "deadline"
    descending: bool = False
    limit: Optional[int] = None
    offset: int = 0
    extra: dict[str, Any] = field(default_factory=dict)

    def where(self, today: dt.date) -> Where:
        w: Where = dict(self.extra)
        statuses = set(self.status) if self.status else None
        if self.overdue:
            active = set(lifecycle.ACTIVE)
            statuses = statuses & active if statuses else active
            w["deadline"] = ("<", today.isoformat())
        if statuses:
            w["status"] = ("in", sorted(statuses))
        if self.due_before:
            bound = w.get("deadline")
            limit = min(self.due_before, bound[1]) if isinstance(bound, tuple) else self.due_before
            w["deadline"] = ("<", limit)
        for key in ("severity", "site", "checklist", "domain", "inspection"):
            if getattr(self, key):
                w[key] = getattr(self, key)
        if self.created_since and self.created_until:
            w["created"] = ("between", (self.created_since, self.created_until))
        elif self.created_since:
            w["created"] = (">=", self.created_since)
        elif self.created_until:
            w["created"] = ("<=", self.created_until)
        return w


def query(store: Store, q: HazardQuery, today: dt.date) -> tuple[list[dict[str, Any]], int]:
    """Matching hazards (one page) and the total count."""
    where = q.where(today)
    rows = store.find("hazards", where, order_by=q.sort, descending=q.descending, limit=q.limit, offset=q.offset)
    total = len(rows) + q.offset if q.limit is None else store.count("hazards", where)
    return [with_derived(h, today) for h in rows], total


def with_derived(hazard: Mapping[str, Any], today: dt.date) -> dict[str, Any]:
    """The hazard with ``overdue`` and ``days_overdue`` computed for ``today`` (never stored)."""
    return dict(hazard, overdue=lifecycle.is_overdue(hazard, today), days_overdue=lifecycle.days_overdue(hazard, today))


def plan(store: Store, hazard_id: str, plan_data: Any, clock: Clock, actor: str) -> dict[str, Any]:
    hazard = get(store, hazard_id)
    lifecycle.require(hazard, "plan", clock.today)
    problems = lifecycle.plan_problems(plan_data)
    if problems:
        raise ValidationFailed(f"the 治理方案 for {hazard['id']} is incomplete", problems)
    return record(store, hazard, "plan", clock, actor, {"plan": {k: _plan_text(plan_data[k]) for k in lifecycle.PLAN_PARTS}})


def _plan_text(value: Any) -> str:
    """A part of a plan as text; a YAML list (several people, several measures) joined by 、."""
    if isinstance(value, list):
        return "、".join(str(v).strip() for v in value)
    return str(value).strip()


def extend(store: Store, hazard_id: str, to: str, reason: str, clock: Clock, actor: str) -> dict[str, Any]:
    hazard = get(store, hazard_id)
    lifecycle.require(hazard, "extend", clock.today)
    if not reason.strip():
        raise ValidationFailed("an extension (延期) needs a reason: --reason TEXT")
    if to <= hazard["deadline"]:
        raise ValidationFailed(f"the new deadline {to} must be after the current deadline {hazard['deadline']}")
    if to <= clock.today.isoformat():
        raise ValidationFailed(f"the new deadline {to} must be after today ({clock.today.isoformat()})")
    return record(store, hazard, "extended", clock, actor, {"to": to, "reason": reason.strip()})


def fixed(store: Store, hazard_id: str, note: str, evidence: list[dict[str, Any]], clock: Clock, actor: str,
          details: Optional[dict[str, str]] = None) -> dict[str, Any]:
    """The enterprise reports the fix: a note, evidence, and optionally 整改措施 (``measures``),
    整改责任人 (``responsible``) and 整改资金 (``funds``) as the office 台账 keeps them."""
    hazard = get(store, hazard_id)
    lifecycle.require(hazard, "fixed", clock.today)
    data = {k: str(v).strip() for k, v in (details or {}).items() if k in lifecycle.FIX_DETAILS and str(v or "").strip()}
    check_text_lengths({"note": note, **data})
    return record(store, hazard, "fixed", clock, actor, data, note, evidence)


def check_text_lengths(fields: dict[str, Any]) -> None:
    """Refuse a text longer than :data:`lifecycle.MAX_TEXT` characters, naming the field (exit 4)."""
    long = [f"{name} is {len(str(v))} characters; at most {lifecycle.MAX_TEXT} are allowed "
            "(put a longer text in an evidence file)" for name, v in fields.items()
            if isinstance(v, str) and len(v) > lifecycle.MAX_TEXT]
    if long:
        raise ValidationFailed(long[0], long[1:])


def interim(store: Store, hazard_id: str, measures: str, clock: Clock, actor: str) -> dict[str, Any]:
    hazard = get(store, hazard_id)
    lifecycle.require(hazard, "interim", clock.today)
    if not measures.strip():
        raise ValidationFailed("interim control measures (临时管控措施) need a description")
    check_text_lengths({"measures": measures})
    return record(store, hazard, "interim", clock, actor, {"measures": measures.strip()})


def supervise(store: Store, hazard_id: str, level: str, authority: str, clock: Clock, actor: str) -> dict[str, Any]:
    hazard = get(store, hazard_id)
    lifecycle.require(hazard, "supervise", clock.today)
    if not level.strip() or not authority.strip():
        raise ValidationFailed("listed supervision (挂牌督办) needs a level (e.g. 市级) and the supervising authority")
    return record(store, hazard, "supervise", clock, actor,
                  {"level": level, "authority": authority, "date": clock.today.isoformat()})


def reinspect(store: Store, hazard_id: str, result: str, inspectors: list[dict[str, str]], note: str,
              evidence: list[dict[str, Any]], deadline: Optional[str], clock: Clock, actor: str,
              settings: dict[str, Any]) -> dict[str, Any]:
    hazard = get(store, hazard_id)
    lifecycle.require(hazard, "reinspect", clock.today)
    if result == "fail" and not deadline:
        days = int(settings.get(f"deadline.{hazard['severity']}", 7))
        deadline = (clock.today + dt.timedelta(days=days)).isoformat()
    problems = lifecycle.reinspection_problems(hazard, result, inspectors, evidence, deadline, clock.today)
    if problems:
        raise ValidationFailed(f"the re-inspection of {hazard['id']} cannot be recorded", problems)
    data = {"result": result, "inspectors": inspectors, "deadline": deadline if result == "fail" else None}
    return record(store, hazard, "reinspected", clock, actor, data, note, evidence)
