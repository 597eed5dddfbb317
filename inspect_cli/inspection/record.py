"""Inspections in the ledger: start, answer (saved after every answer), finish → hazards."""
from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any, Mapping, Optional

from ..hazard import moves as hazards
from . import answers as inspection
from ..checklist.model import Checklist, Item
from ..clock import Clock, iso_date
from ..errors import NotFound, UsageError, ValidationFailed
from ..evidence import check_files, store_files
from ..ids import new_id, normalise
from .answers import Step, normalise_answer
from ..storage.interface import Store


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


def pending(rec: Mapping[str, Any], checklist: Checklist, site: Mapping[str, Any]) -> list[Step]:
    """Applicable questions not yet answered, in order (given the answers so far)."""
    date = dt.date.fromisoformat(rec["date"])
    site = inspection.with_site_values(site, rec.get("site_values"))
    out: list[Step] = []

    def visit(step: Step, answers: dict[str, dict[str, Any]]) -> Optional[dict[str, Any]]:
        if step.key in rec["answers"]:
            return rec["answers"][step.key]  # type: ignore[no-any-return]
        out.append(step)
        return None

    inspection.walk(checklist, site, date, rec["units"], visit)
    return out


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


def describe(item: Item, detail: dict[str, Any]) -> str:
    """The finding served on the enterprise: what was seen, for answers files and the interactive run alike.

    The inspector's own description (or the item's finding text) followed by the observation:
    the measured value with its range, or the chosen option of a choice item.
    """
    text = str(detail.get("description") or "") or item.finding_text.zh
    seen = observed(item, detail)
    if seen and seen.strip("（）") not in text:
        text += seen
    return text


def observed(item: Item, detail: dict[str, Any]) -> str:
    """``（实测 …）`` or ``（chosen option）``; empty for yes/no and text items."""
    m = measured(item, detail)
    if m:
        return f"（实测 {m['value']:g} {m['unit']}，合格范围 {m['range']}）"
    if item.type == "choice":
        option = item.option(str(detail.get("answer")))
        if option:
            return f"（{option.text.zh}）"
    return ""


def measured(item: Item, detail: dict[str, Any]) -> Optional[dict[str, Any]]:
    if item.type != "number" or not isinstance(detail.get("answer"), (int, float)):
        return None
    rng = item.pass_range.describe(item.unit) if item.pass_range else ""
    return {"value": detail["answer"], "unit": item.unit, "range": rng}


def failure_problems(item: Item, detail: dict[str, Any], today: dt.date) -> list[str]:
    """What a failing answer still needs (evidence, a reason to downgrade, a sane deadline)."""
    out = []
    if item.evidence_required and not detail.get("evidence"):
        out.append("this item requires evidence on failure: add evidence: [photo.jpg]")
    sev = detail.get("severity")
    if sev is not None and sev not in ("general", "major"):
        out.append(f"severity {sev!r} is not general or major")
    if sev == "major" and item.severity == "general" and not any(b.source.is_determination_standard for b in item.basis):
        out.append(f"severity major: {item.id} cites no 重大事故隐患判定标准 (only a determination standard makes a "
                   "hazard major); record it as general")
    if item.severity == "major" and sev == "general" and not str(detail.get("downgrade_reason") or "").strip():
        out.append("recording a major item as general needs downgrade_reason (it is kept and audited)")
    if detail.get("deadline") is not None:
        try:
            detail["deadline"] = iso_date(detail["deadline"])
            if detail["deadline"] < today.isoformat():
                out.append(f"deadline {detail['deadline']} is before the inspection date")
        except ValueError as e:
            out.append(f"deadline {e}")
    if detail.get("fixed_on_spot") is not None:
        flag = as_flag(detail["fixed_on_spot"])
        if flag is None:
            out.append(f"fixed_on_spot must be true or false, not {detail['fixed_on_spot']!r}")
        else:
            detail["fixed_on_spot"] = flag
    return out


def as_flag(value: Any) -> Optional[bool]:
    """true/false as people write them in YAML; None when it is neither."""
    if isinstance(value, bool):
        return value
    return {"true": True, "yes": True, "是": True, "false": False, "no": False, "否": False}.get(str(value).strip().lower())


def evaluate_answers(checklist: Checklist, site: dict[str, Any], doc: Any, date: dt.date,
                     base_dir: Path) -> tuple[dict[str, dict[str, Any]], dict[str, list[str]], list[str]]:
    """Check an answers file completely: ``(answers, units, ignored)`` or ValidationFailed listing all."""
    if not isinstance(doc, dict) or not isinstance(doc.get("answers"), dict):
        raise ValidationFailed("an answers file needs a top-level 'answers:' mapping from item id to answer")
    given = {str(k): v for k, v in doc["answers"].items()}
    units, problems = _units(checklist, doc.get("units"), given)
    values, value_problems = site_values_given(checklist, doc.get("site"))
    problems += value_problems
    site = inspection.with_site_values(site, values)
    for section in checklist.sections:
        if section.repeat and not units.get(section.id) and section_applies(checklist, section, site, date):
            problems.append(f"units: section {section.id!r} is answered once per {section.repeat.zh}: name them, "
                            f"e.g. units: {{{section.id}: [1号{section.repeat.zh}]}}, and answer ITEM[UNIT]")
    used: set[str] = set()

    def answer_for(step: Step, answers: dict[str, dict[str, Any]]) -> Optional[dict[str, Any]]:
        used.add(step.key)
        if step.key not in given:
            problems.append(f"{step.key}: unanswered applicable item ({step.item.text.zh})")
            return None
        try:
            detail = normalise_answer(step.item, given[step.key])
        except ValueError as e:
            problems.append(f"{step.key}: {e}")
            return None
        if detail["outcome"] == "fail":
            problems.extend(f"{step.key}: {p}" for p in failure_problems(step.item, detail, date))
            paths = [(base_dir / str(p)) for p in detail.get("evidence") or []]
            problems.extend(f"{step.key}: {p}" for p in check_files(paths))
            detail["evidence"] = [str(p) for p in paths]
        return detail

    answers = inspection.walk(checklist, site, date, units, answer_for)
    for key in given:
        item = checklist.item(inspection.split_key(key)[0])
        if item is not None and item.combines:
            problems.append(f"{key}: not answered by hand: it is decided from {' and '.join(item.combines)} "
                            "(major when all of them fail); remove it from the answers file")
    answers = {k: d for k, d in answers.items() if not d.get("derived")}
    known = {s.key for s in inspection.steps(checklist, units)}
    for key in given:
        item_id, unit = inspection.split_key(key)
        item = checklist.item(item_id)
        repeated = bool(unit and item and any(s.id == item.section and s.repeat for s in checklist.sections))
        if key not in known and not repeated:  # a bad unit of a repeated item is reported above
            problems.append(f"{key}: unknown item id in {checklist.ref}" + _near(key, known))
    if problems:
        raise ValidationFailed(f"the answers do not fit {checklist.ref} at this site; nothing was saved", problems)
    ignored = sorted(k for k in given if k in known and k not in used)
    return answers, units, ignored


def site_values_given(checklist: Checklist, given: Any) -> tuple[dict[str, Any], list[str]]:
    """``site:`` of an answers file: attribute values found on site (核定人数 …) for this inspection."""
    if given is None:
        return {}, []
    if not isinstance(given, dict):
        return {}, ["'site' must map attribute names to values found on site, e.g. site: {approved_headcount: 120}"]
    values: dict[str, Any] = {}
    problems = []
    for name, value in given.items():
        attr = checklist.attributes.get(str(name))
        if attr is None:
            problems.append(f"site: {name!r} is not an attribute of {checklist.ref} "
                            f"(known: {', '.join(sorted(checklist.attributes)) or 'none'})")
        elif attr.type == "number" and (isinstance(value, bool) or not isinstance(value, (int, float))):
            problems.append(f"site: {name} must be a number, not {value!r}")
        else:
            values[str(name)] = value
    return values, problems


def section_applies(checklist: Checklist, section: Any, site: Mapping[str, Any], date: dt.date) -> bool:
    from ..checklist import when as when_lang

    if not section.when:
        return True
    return when_lang.evaluate(section.when, inspection.make_context(checklist, site, date, {}))


def _near(key: str, known: set[str]) -> str:
    import difflib

    near = difflib.get_close_matches(key, sorted(known), n=1)
    return f"; did you mean {near[0]!r}?" if near else ""


def _units(checklist: Checklist, declared: Any, given: dict[str, Any]) -> tuple[dict[str, list[str]], list[str]]:
    problems: list[str] = []
    units: dict[str, list[str]] = {}
    repeated = {s.id: s for s in checklist.sections if s.repeat}
    if declared is not None and not isinstance(declared, dict):
        return {}, ["'units' must map a section id to a list of unit names"]
    for sid, names in (declared or {}).items():
        if sid not in repeated:
            problems.append(f"units: section {sid!r} is not a repeated section (those are: {', '.join(repeated) or 'none'})")
        elif not isinstance(names, list) or not all(isinstance(n, (str, int)) and str(n).strip() for n in names):
            problems.append(f"units: {sid} must be a list of unit names")
        else:
            units[sid] = [str(n).strip() for n in names]
    for key in given:
        item_id, unit = inspection.split_key(key)
        item = checklist.item(item_id)
        if unit and item and item.section in repeated and unit not in units.setdefault(item.section, []):
            if declared and item.section in declared:
                problems.append(f"{key}: unit {unit!r} is not listed under units: {item.section}")
            else:
                units[item.section].append(unit)
    return units, problems


def store_evidence(answers: dict[str, dict[str, Any]], folder: Path) -> None:
    for detail in answers.values():
        if detail.get("outcome") == "fail" and detail.get("evidence"):
            detail["evidence_files"] = store_files([Path(p) for p in detail["evidence"]], folder)
