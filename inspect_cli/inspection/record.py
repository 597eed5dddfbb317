"""Inspections in the ledger: start, answer (saved after every answer), finish → hazards."""
from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any, Optional

from ..checklist.model import Checklist
from ..clock import Clock
from ..errors import NotFound, UsageError, ValidationFailed
from ..evidence import store_files
from ..hazard import moves as hazards
from ..ids import new_id, normalise
from ..storage.interface import Store
from . import answers as inspection
from .answers import Step, pending
from .findings import describe, measured


def get(store: Store, inspection_id: str) -> dict[str, Any]:
    rec = store.get("inspections", normalise(inspection_id))
    if rec is None:
        raise NotFound(f"no inspection {inspection_id!r} in this ledger")
    return rec


def site_of(store: Store, code: str) -> dict[str, Any]:
    site = store.get("sites", code.strip().upper())
    if site is None:
        raise NotFound(f"no site {code!r} in this ledger; add it with inspect site add --code CODE --name NAME")
    return site


def start(store: Store, checklist: Checklist, site: dict[str, Any], inspectors: list[dict[str, str]],
          kind: str, clock: Clock, units: Optional[dict[str, list[str]]] = None) -> dict[str, Any]:
    inspection.require_inspectors(kind, inspectors)
    rec = {
        "id": new_id("inspection"), "site": site["code"], "site_name": site["name"], "checklist": checklist.id,
        "checklist_version": checklist.version, "checklist_title": checklist.title.zh, "domain": checklist.domain,
        "kind": kind, "inspectors": inspectors, "date": clock.today.isoformat(), "started_at": clock.now(),
        "finished_at": None, "status": "in_progress", "units": units or {}, "answers": {}, "hazards": [],
        "ignored": [],
    }
    store.put("inspections", rec["id"], rec)
    return rec


def answer(store: Store, inspection_id: str, step_key: str, detail: dict[str, Any], actor: str, clock: Clock) -> dict[str, Any]:
    """Save one answer at once, so an interrupted run can resume."""
    rec = get(store, inspection_id)
    if rec["status"] != "in_progress":
        raise UsageError(f"inspection {rec['id']} is {rec['status']}: its answers can no longer change")
    rec["answers"][step_key] = dict(detail, by=actor, at=clock.now())
    store.put("inspections", rec["id"], rec)
    return rec


def set_units(store: Store, inspection_id: str, section_id: str, names: list[str]) -> dict[str, Any]:
    rec = get(store, inspection_id)
    rec["units"][section_id] = names
    store.put("inspections", rec["id"], rec)
    return rec


def finish(store: Store, inspection_id: str, checklist: Checklist, clock: Clock, settings: dict[str, Any]) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """Close the inspection: every failed answer becomes a hazard, in one write."""
    rec = get(store, inspection_id)
    if rec["status"] != "in_progress":
        raise UsageError(f"inspection {rec['id']} is already {rec['status']}")
    from .visit import with_visit

    site = with_visit(store, site_of(store, rec["site"]), rec["date"], rec["id"])
    missing = pending(rec, checklist, site)
    if missing:
        raise ValidationFailed(f"inspection {rec['id']} has {len(missing)} unanswered applicable item(s)",
                               [s.key for s in missing[:20]])
    created = []
    actor = ", ".join(i["name"] for i in rec["inspectors"])
    date = dt.date.fromisoformat(rec["date"])
    site = inspection.with_site_values(site, rec.get("site_values"))
    walked = inspection.walk(checklist, site, date, rec["units"], lambda step, _: rec["answers"].get(step.key))
    derived = {k: d for k, d in walked.items() if d.get("derived")}
    absorbed = {part for d in derived.values() if d.get("outcome") == "fail" for part in d["combines"]}
    for step in inspection.steps(checklist, rec["units"]):
        if step.key in absorbed:
            continue  # its fact is carried by the one hazard of the combined determination
        detail = rec["answers"].get(step.key) or derived.get(step.key)
        if detail and detail.get("outcome") == "fail":
            step = inspection.resolve_step(step, checklist, site)  # the range as it applied at this site
            created.append(_register(store, rec, checklist, step, detail, site, clock, actor, settings))
    rec.update(status="completed", finished_at=clock.now(), hazards=[h["id"] for h in created])
    store.put("inspections", rec["id"], rec)
    return rec, created


def _register(store: Store, rec: dict[str, Any], checklist: Checklist, step: Step, detail: dict[str, Any],
              site: dict[str, Any], clock: Clock, actor: str, settings: dict[str, Any]) -> dict[str, Any]:
    item = step.item
    date = dt.date.fromisoformat(rec["date"])
    severity = detail.get("severity") or item.severity
    days = item.rectify_days or int(settings.get(f"deadline.{severity}", 7))
    data = {
        "inspection": rec["id"], "site": site["code"], "site_name": site["name"], "checklist": checklist.id,
        "checklist_version": checklist.version, "domain": checklist.domain, "item": item.id, "section": step.section.id,
        "unit": step.unit, "item_text": item.text.zh, "description": describe(item, detail),
        "location": detail.get("location") or "", "basis": [b.to_dict() for b in item.basis],
        "severity": severity, "item_severity": item.severity, "downgrade_reason": detail.get("downgrade_reason"),
        "answer": detail.get("answer"), "measured": measured(item, detail), "note": detail.get("note") or "",
        "evidence": detail.get("evidence_files", []), "deadline": detail.get("deadline") or (date + dt.timedelta(days=days)).isoformat(),
        "created": rec["date"], "kind": rec["kind"], "inspectors": rec["inspectors"],
        "item_note": item.note.zh if item.note else None,
    }
    hazard = hazards.register(store, data, clock_for(rec, clock), actor)
    if detail.get("fixed_on_spot") is True:
        hazard = hazards.record(store, hazard, "closed_on_spot", clock_for(rec, clock), actor,
                                {"reason": "当场整改"}, detail.get("note") or "")
    return hazard


def clock_for(rec: dict[str, Any], clock: Clock) -> Clock:
    """Hazards found at an inspection are dated by the inspection, even when finished later."""
    return Clock(dt.date.fromisoformat(rec["date"]), clock.zone)


def store_evidence(answers: dict[str, dict[str, Any]], folder: Path) -> None:
    for detail in answers.values():
        if detail.get("outcome") == "fail" and detail.get("evidence"):
            detail["evidence_files"] = store_files([Path(p) for p in detail["evidence"]], folder)
