"""A campaign file (专项整治), checked field by field, and the campaign record.

::

    id: dust-2027                  # letters, digits, - and _
    title: 粉尘涉爆企业专项整治
    start: 2027-03-01
    end: 2027-06-30
    domain: dust                   # optional: only hazards of this domain count
    checklist: dust-explosion      # optional: the campaign's checklist (or overlay) id[@version]
    sites:                         # the targets: a query …
      where: {industry: 木材加工}
    # sites: [91350100M000100Y43, …]   … or a list of codes
    targets:
      - gate: coverage>=100%       # every target inspected …
        by: 2027-05-31             # … by this date (default: the end)
      - major_closure_rate>=90%

The target sites are resolved when the campaign starts and recorded with it.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import re
from pathlib import Path
from typing import Any, Optional

from ..analysis import gates as gt
from ..clock import Clock
from ..errors import IllegalTransition, NotFound, UsageError, ValidationFailed
from ..inputs import load_yaml, read_text
from ..site import sampling
from ..storage.interface import Store

TABLE = "campaigns"
_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$")
KEYS = ("id", "title", "start", "end", "domain", "checklist", "sites", "targets", "description")
# the figures a target may name (see report.metrics)
METRICS: dict[str, str] = {
    "coverage": "share of the target sites inspected under the campaign (0–1)",
    "sites": "target sites", "sites_inspected": "target sites inspected under the campaign",
    "inspections": "completed inspections under the campaign",
    "hazards": "hazards found under the campaign", "major_hazards": "major hazards found under the campaign",
    "closure_rate": "share of the campaign's hazards closed", "major_closure_rate": "share of its major hazards closed",
    "open_hazards": "the campaign's hazards not closed", "open_major": "its major hazards not closed",
    "overdue_hazards": "the campaign's hazards past their deadline", "overdue_major": "its major hazards past their deadline",
}


def _date(value: Any, what: str, problems: list[str]) -> Optional[str]:
    if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
        return value.isoformat()
    try:
        return dt.date.fromisoformat(str(value).strip()).isoformat()
    except ValueError:
        problems.append(f"{what} must be a date YYYY-MM-DD, not {value!r}")
        return None


def parse(doc: Any, source: str) -> dict[str, Any]:
    """A checked campaign from a loaded YAML document; :class:`ValidationFailed` listing every problem."""
    if not isinstance(doc, dict):
        raise ValidationFailed(f"{source}: a campaign file is a mapping with id, title, start, end, sites and targets")
    problems: list[str] = []
    unknown = [k for k in doc if k not in KEYS]
    if unknown:
        problems.append(f"unknown key(s) {', '.join(map(str, unknown))}; the keys are: {', '.join(KEYS)}")
    cid = str(doc.get("id") or "")
    if not _ID.match(cid):
        problems.append(f"id must be letters, digits, - and _ (up to 64), not {doc.get('id')!r}")
    title = str(doc.get("title") or "").strip()
    if not title:
        problems.append("title is missing (the campaign's name, e.g. 粉尘涉爆企业专项整治)")
    start = _date(doc.get("start"), "start", problems)
    end = _date(doc.get("end"), "end", problems)
    if start and end and end < start:
        problems.append(f"end {end} is before start {start}")
    for key in ("domain", "checklist", "description"):
        if doc.get(key) is not None and not isinstance(doc.get(key), str):
            problems.append(f"{key} must be a text")
    sites = doc.get("sites")
    where: dict[str, str] = {}
    codes: list[str] = []
    if isinstance(sites, list):
        codes = [str(c).strip() for c in sites if str(c).strip()]
        if not codes or len(codes) != len(sites):
            problems.append("sites: a list of site codes, none empty")
    elif isinstance(sites, dict) and set(sites) == {"where"} and isinstance(sites["where"], dict) and sites["where"]:
        where = {str(k): ",".join(map(str, v)) if isinstance(v, list) else str(v).lower() if isinstance(v, bool) else str(v)
                 for k, v in sites["where"].items()}
    else:
        problems.append("sites must be a list of site codes or {where: {ATTR: VALUE, …}}")
    targets: list[dict[str, Any]] = []
    raw_targets = doc.get("targets")
    if not isinstance(raw_targets, list) or not raw_targets:
        problems.append("targets must be a list, e.g. [{gate: coverage>=100%, by: 2027-05-31}, major_closure_rate>=90%]")
        raw_targets = []
    for n, t in enumerate(raw_targets, start=1):
        expr, by = (t, None) if isinstance(t, str) else (t.get("gate"), t.get("by")) if isinstance(t, dict) else (None, None)
        if isinstance(t, dict) and set(t) - {"gate", "by"}:
            problems.append(f"target {n}: unknown key(s) {', '.join(map(str, set(t) - {'gate', 'by'}))}; use gate and by")
        if not isinstance(expr, str):
            problems.append(f"target {n}: a gate text METRIC OP NUMBER, or {{gate: …, by: DATE}}")
            continue
        try:
            g = gt.parse(expr, METRICS)
        except UsageError as e:
            problems.append(f"target {n}: {e}")
            continue
        by_iso = _date(by, f"target {n}: by", problems) if by is not None else end
        if by_iso and start and end and not start <= by_iso <= end:
            problems.append(f"target {n}: by {by_iso} is outside the campaign ({start} to {end})")
        targets.append({"gate": g.text, "by": by_iso})
    if problems:
        raise ValidationFailed(f"{source}: the campaign file has {len(problems)} problem(s)", problems)
    return {"id": cid, "title": title, "start": start, "end": end, "domain": doc.get("domain") or None,
            "checklist": doc.get("checklist") or None, "description": doc.get("description") or "",
            "where": where, "listed": codes, "targets": targets}


def read(path: Path) -> dict[str, Any]:
    """Read and check a campaign file; the result keeps the file's sha256."""
    doc, _ = load_yaml(Path(path))
    camp = parse(doc, str(path))
    camp["source"] = Path(path).name
    camp["source_sha256"] = hashlib.sha256(read_text(Path(path)).encode("utf-8")).hexdigest()
    return camp


def start(store: Store, camp: dict[str, Any], today: dt.date, actor: str) -> dict[str, Any]:
    """Record the campaign with its resolved target sites (exit 5 when the id is taken by another)."""
    if camp["where"]:
        codes = [s["code"] for s in sampling.site_pool(store, camp["where"])]
        if not codes:
            cond = " and ".join(f"{k}={v}" for k, v in camp["where"].items())
            raise UsageError(f"campaign {camp['id']}: no site in the ledger matches {cond}")
    else:
        codes = sorted(set(camp["listed"]))
        known = {s["code"] for s in store.find("sites", {"code": ("in", codes)}, fields=("code",))}
        missing = [c for c in codes if c not in known]
        if missing:
            raise NotFound(f"campaign {camp['id']}: {len(missing)} target site(s) are not in the ledger: "
                           f"{', '.join(missing[:5])}; add them with inspect site add/import")
    old = store.get(TABLE, camp["id"])
    if old is not None:
        if old.get("source_sha256") == camp.get("source_sha256") and old.get("sites") == codes:
            return old
        raise IllegalTransition(f"campaign {camp['id']} was already started on {old.get('started')} from another "
                                "file; give the new campaign another id")
    rec = dict(camp, sites=codes, started=today.isoformat(), actor=actor,
               recorded_at=Clock.make(today.isoformat()).now())
    store.put(TABLE, rec["id"], rec)
    return rec


def get(store: Store, campaign_id: str) -> dict[str, Any]:
    rec = store.get(TABLE, str(campaign_id).strip())
    if rec is None:
        known = [r["id"] for r in store.find(TABLE)]
        raise NotFound(f"no campaign {campaign_id!r} in this ledger"
                       + (f"; the campaigns are: {', '.join(sorted(known))}" if known else "; start one with "
                          "inspect campaign start FILE"))
    return rec


def listing(store: Store) -> list[dict[str, Any]]:
    return sorted(store.find(TABLE), key=lambda r: (str(r.get("start")), r["id"]))


def check_run(store: Store, campaign_id: str, site_code: str, today: dt.date, checklist: str = "") -> dict[str, Any]:
    """Before an inspection is tagged with a campaign: the campaign exists, is running, names the
    site, and (when it has one) its checklist is the one run."""
    camp = get(store, campaign_id)
    own = str(camp.get("checklist") or "").partition("@")[0]
    if own and checklist and checklist != own:
        raise UsageError(f"campaign {camp['id']} inspects with checklist {camp['checklist']}, not {checklist}")
    day = today.isoformat()
    if not str(camp["start"]) <= day <= str(camp["end"]):
        raise IllegalTransition(f"campaign {camp['id']} runs from {camp['start']} to {camp['end']}; today is {day}")
    if site_code not in (camp.get("sites") or []):
        raise UsageError(f"site {site_code} is not a target of campaign {camp['id']} "
                         f"({len(camp.get('sites') or [])} target site(s): inspect campaign status {camp['id']})")
    return camp
