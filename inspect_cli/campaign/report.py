"""A campaign's figures and targets: coverage, findings and closure, as of a day.

Each target is a gate (:mod:`inspect_cli.analysis.gates`) with a ``by`` date (the campaign's
end by default). On or after that date the target is measured as of ``by`` and is ``met`` or
``missed``; before it, it is ``pending`` and shows today's figure (a pending target is never
missed). ``inspect campaign report --gate`` exits 1 when a target is missed.
"""
from __future__ import annotations

import datetime as dt
from collections import Counter
from typing import Any, Optional

from ..analysis import gates as gt
from ..analysis.asof import hazards_as_of
from ..hazard.moves import with_derived
from ..storage.interface import Store
from .model import METRICS


def _rate(n: int, d: int) -> Optional[float]:
    return round(n / d, 4) if d else None


def metrics(store: Store, camp: dict[str, Any], iso_day: str) -> dict[str, Any]:
    """The campaign's figures at the end of ``iso_day`` (inspections up to it, hazards as they stood)."""
    targets = list(camp.get("sites") or [])
    inspections = [r for r in store.find("inspections", {"campaign": camp["id"]},
                                         fields=("id", "site", "date", "status", "hazards", "kind", "inspectors"))
                   if r.get("status") == "completed" and str(r.get("date") or "") <= iso_day]
    inspected = sorted({r["site"] for r in inspections if r.get("site") in targets})
    ids = [h for r in inspections for h in r.get("hazards") or []]
    day = dt.date.fromisoformat(iso_day)
    hazards = [with_derived(h, day) for h in hazards_as_of(store, iso_day, ids=ids)] if ids else []
    if camp.get("domain"):
        hazards = [h for h in hazards if h.get("domain") == camp["domain"]]
    major = [h for h in hazards if h.get("severity") == "major"]
    closed = [h for h in hazards if h.get("status") == "closed"]
    closed_major = [h for h in major if h.get("status") == "closed"]
    return {
        "coverage": _rate(len(inspected), len(targets)), "sites": len(targets), "sites_inspected": len(inspected),
        "inspections": len(inspections), "hazards": len(hazards), "major_hazards": len(major),
        "closure_rate": _rate(len(closed), len(hazards)), "major_closure_rate": _rate(len(closed_major), len(major)),
        "open_hazards": len(hazards) - len(closed), "open_major": len(major) - len(closed_major),
        "overdue_hazards": sum(bool(h.get("overdue")) for h in hazards),
        "overdue_major": sum(bool(h.get("overdue")) for h in major),
    }


def status(store: Store, camp: dict[str, Any], today: dt.date) -> dict[str, Any]:
    """Figures today, each target's verdict, the sites not yet inspected and the findings by item."""
    iso_today = today.isoformat()
    as_of = min(iso_today, str(camp["end"]))
    now = metrics(store, camp, as_of)
    results = []
    for t in camp.get("targets") or []:
        gate = gt.parse(t["gate"], METRICS)
        due = iso_today >= str(t["by"])
        figures = metrics(store, camp, str(t["by"])) if due else now
        r = gt.evaluate([gate], figures)[0]
        r.update(by=t["by"], due=due, verdict=("met" if r["passed"] else "missed") if due else "pending")
        if not due:
            r["passed"] = True
        results.append(r)
    inspections = [r for r in store.find("inspections", {"campaign": camp["id"]})
                   if r.get("status") == "completed" and str(r.get("date") or "") <= as_of]
    seen = {r["site"] for r in inspections}
    names = {s["code"]: s.get("name") or "" for s in store.find("sites", {"code": ("in", list(camp.get("sites") or []))})}
    ids = [h for r in inspections for h in r.get("hazards") or []]
    by_item: Counter[tuple[str, str]] = Counter()
    if ids:
        for h in store.find("hazards", {"id": ("in", ids)}, fields=("item", "item_text", "domain")):
            if not camp.get("domain") or h.get("domain") == camp["domain"]:
                by_item[(str(h.get("item") or ""), str(h.get("item_text") or ""))] += 1
    state = "not started" if iso_today < str(camp["start"]) else "running" if iso_today <= str(camp["end"]) else "ended"
    return {"campaign": {k: camp.get(k) for k in ("id", "title", "start", "end", "domain", "checklist", "started")},
            "state": state, "today": iso_today, "as_of": as_of, "metrics": now, "targets": results,
            "missed": [r for r in results if r["verdict"] == "missed"],
            "not_inspected": [{"code": c, "name": names.get(c, "")} for c in camp.get("sites") or [] if c not in seen],
            "inspections": [{"id": r["id"], "site": r["site"], "site_name": names.get(r["site"], ""), "date": r.get("date"),
                             "kind": r.get("kind"), "hazards": len(r.get("hazards") or [])}
                            for r in sorted(inspections, key=lambda r: (str(r.get("date")), r["id"]))],
            "findings": [{"item": i, "text": t, "count": n} for (i, t), n in by_item.most_common()]}
