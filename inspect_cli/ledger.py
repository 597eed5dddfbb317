"""The ledger: the one object scripts and the CLI use to read and change records.

::

    from inspect_cli import open_ledger
    ledger = open_ledger("ledger.json", today="2026-03-15")
    ledger.add_site({"code": "91350100M000100Y43", "name": "某某木业有限公司"})
    rows, total = ledger.hazards(HazardQuery(overdue=True, severity="major"))

Each method is one transaction: a change holds the ledger's lock from before its read
until the new file is in place, and an error changes nothing.
"""
from __future__ import annotations

import datetime as dt
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Iterator, Optional, Union

from typing import TYPE_CHECKING

from . import hazards as hz
from . import history, lifecycle
from .clock import Clock
from .errors import ValidationFailed
from .hazards import HazardQuery
from .paths import evidence_dir, ledger_path
from .settings import DEFAULTS, coerce
from .storage import open_backend
from .storage.base import Backend, Store

if TYPE_CHECKING:
    from .checklist.model import Checklist

# The inspection modules load the checklist model and the `when` language: they are
# imported by the methods that run inspections, so reading hazards stays quick to start.


def _inspections() -> Any:
    from . import inspections

    return inspections


def _store_files(paths: Any, folder: Path) -> list[dict[str, Any]]:
    from .evidence import store_files

    return store_files(paths, folder)


def open_ledger(path: Union[str, Path, None] = None, backend: Optional[str] = None,
                today: Optional[str] = None, actor: Optional[str] = None) -> "Ledger":
    """Open (or, on first write, create) a ledger; ``path`` None means the default location."""
    p = ledger_path(str(path) if path else None)
    return Ledger(open_backend(p, backend), Clock.make(today), actor)


def default_actor() -> str:
    import getpass
    import os

    try:
        return os.environ.get("INSPECT_USER") or getpass.getuser()
    except Exception:  # no user name on this platform: say so rather than fail
        return "unknown"


class Ledger:
    def __init__(self, backend: Backend, clock: Clock, actor: Optional[str] = None) -> None:
        self.backend = backend
        self.clock = clock
        self.actor = actor or default_actor()

    @property
    def path(self) -> Path:
        return Path(self.backend.path)

    @property
    def evidence_dir(self) -> Path:
        return evidence_dir(self.path)

    @contextmanager
    def read(self) -> Iterator[Store]:
        with self.backend.read() as store:
            yield store

    @contextmanager
    def write(self) -> Iterator[Store]:
        with self.backend.write() as store:
            yield store

    # settings -------------------------------------------------------------
    def settings(self, store: Optional[Store] = None) -> dict[str, Any]:
        if store is None:
            with self.read() as st:
                return self.settings(st)
        saved = store.get("settings", "org") or {}
        return {**DEFAULTS, **{k: v for k, v in saved.items() if k in DEFAULTS}}

    def set_setting(self, key: str, value: str) -> dict[str, Any]:
        typed = coerce(key, value)
        with self.write() as st:
            saved = dict(st.get("settings", "org") or {})
            saved[key] = typed
            st.put("settings", "org", saved)
            return self.settings(st)

    # sites ----------------------------------------------------------------
    def add_site(self, raw: dict[str, Any]) -> dict[str, Any]:
        from .sites import add_site

        with self.write() as st:
            return add_site(st, raw, self.clock)

    def import_sites(self, csv_path: Path, skip_invalid: bool = False, dry_run: bool = False) -> dict[str, Any]:
        from .sites import import_sites

        try:
            with self.write() as st:
                result = import_sites(st, csv_path, skip_invalid, self.clock)
                if dry_run:
                    raise _DryRun(result)
                return result
        except _DryRun as d:
            return d.result  # type: ignore[no-any-return]

    def site(self, code: str) -> dict[str, Any]:
        with self.read() as st:
            return _inspections().site_of(st, code)

    def sites(self, **where: Any) -> list[dict[str, Any]]:
        with self.read() as st:
            return st.find("sites", {k: v for k, v in where.items() if v is not None}, order_by="code")

    # inspections ----------------------------------------------------------
    def run_answers(self, checklist: Checklist, site_code: str, inspectors: list[dict[str, str]], kind: str,
                    doc: Any, base_dir: Path) -> dict[str, Any]:
        """A whole inspection from an answers document, all or nothing."""
        from .inspection import inspector_problems

        problems = inspector_problems(kind, inspectors)
        if problems:
            raise ValidationFailed("the inspectors do not meet the rules", problems)
        with self.read() as st:
            site = _inspections().site_of(st, site_code)
        from .visit_times import visit_times

        started, finished = visit_times(doc.get("started") if isinstance(doc, dict) else None,
                                        doc.get("finished") if isinstance(doc, dict) else None,
                                        self.clock.today, self.clock.zone)
        answers, units, ignored = _inspections().evaluate_answers(checklist, site, doc, self.clock.today, base_dir)
        _inspections().store_evidence(answers, self.evidence_dir)
        who = ", ".join(i["name"] for i in inspectors)
        with self.write() as st:
            site = _inspections().site_of(st, site_code)
            rec = _inspections().start(st, checklist, site, inspectors, kind, self.clock, units)
            for key, detail in answers.items():
                _inspections().answer(st, rec["id"], key, detail, who, self.clock)
            rec, created = _inspections().finish(st, rec["id"], checklist, self.clock, self.settings(st))
            rec["ignored"] = ignored
            if started:
                rec.update(started=started, finished=finished)
            st.put("inspections", rec["id"], rec)
        return {"inspection": rec, "hazards": created, "ignored": ignored}

    def start_inspection(self, checklist: Checklist, site_code: str, inspectors: list[dict[str, str]],
                         kind: str) -> dict[str, Any]:
        with self.write() as st:
            site = _inspections().site_of(st, site_code)
            return _inspections().start(st, checklist, site, inspectors, kind, self.clock)

    def save_answer(self, inspection_id: str, key: str, detail: dict[str, Any]) -> dict[str, Any]:
        detail = dict(detail)
        if detail.get("outcome") == "fail" and detail.get("evidence"):
            detail["evidence_files"] = _store_files([Path(p) for p in detail["evidence"]], self.evidence_dir)
        with self.write() as st:
            rec = _inspections().get(st, inspection_id)
            who = ", ".join(i["name"] for i in rec["inspectors"])
            return _inspections().answer(st, inspection_id, key, detail, who, self.clock)

    def set_units(self, inspection_id: str, section_id: str, names: list[str]) -> dict[str, Any]:
        with self.write() as st:
            return _inspections().set_units(st, inspection_id, section_id, names)

    def set_visit_times(self, inspection_id: str, started: Any, finished: Any) -> dict[str, Any]:
        """Record the 检查时间 the inspector gives (see :mod:`inspect_cli.visit_times`)."""
        from .visit_times import visit_times

        with self.write() as st:
            rec = _inspections().get(st, inspection_id)
            a, b = visit_times(started, finished, dt.date.fromisoformat(rec["date"]), self.clock.zone)
            if a:
                rec.update(started=a, finished=b)
                st.put("inspections", rec["id"], rec)
            return rec  # type: ignore[no-any-return]

    def finish_inspection(self, inspection_id: str, checklist: Checklist) -> tuple[dict[str, Any], list[dict[str, Any]]]:
        with self.write() as st:
            return _inspections().finish(st, inspection_id, checklist, self.clock, self.settings(st))

    def inspection(self, inspection_id: str) -> dict[str, Any]:
        with self.read() as st:
            return _inspections().get(st, inspection_id)

    def inspections(self, **where: Any) -> list[dict[str, Any]]:
        with self.read() as st:
            return st.find("inspections", {k: v for k, v in where.items() if v is not None}, order_by="date")

    # hazards --------------------------------------------------------------
    def hazards(self, query: Optional[HazardQuery] = None) -> tuple[list[dict[str, Any]], int]:
        with self.read() as st:
            return hz.query(st, query or HazardQuery(), self.clock.today)

    def hazard(self, hazard_id: str) -> tuple[dict[str, Any], list[dict[str, Any]]]:
        with self.read() as st:
            h = hz.get(st, hazard_id)
            conflicts = st.find("conflicts", {"hazard": h["id"]})
            out = hz.with_derived(h, self.clock.today)
            if conflicts:
                out["conflicts"] = conflicts
            return out, history.events_of(st, h["id"])

    def plan(self, hazard_id: str, plan: Any) -> dict[str, Any]:
        with self.write() as st:
            return hz.plan(st, hazard_id, plan, self.clock, self.actor)

    def extend(self, hazard_id: str, to: str, reason: str) -> dict[str, Any]:
        with self.write() as st:
            return hz.extend(st, hazard_id, to, reason, self.clock, self.actor)

    def fixed(self, hazard_id: str, note: str = "", evidence: tuple[Path, ...] = ()) -> dict[str, Any]:
        files = _store_files(evidence, self.evidence_dir) if evidence else []
        with self.write() as st:
            return hz.fixed(st, hazard_id, note, files, self.clock, self.actor)

    def interim(self, hazard_id: str, measures: str) -> dict[str, Any]:
        with self.write() as st:
            return hz.interim(st, hazard_id, measures, self.clock, self.actor)

    def supervise(self, hazard_id: str, level: str, authority: str) -> dict[str, Any]:
        with self.write() as st:
            return hz.supervise(st, hazard_id, level, authority, self.clock, self.actor)

    def reinspect(self, hazard_id: str, result: str, inspectors: list[dict[str, str]], note: str = "",
                  evidence: tuple[Path, ...] = (), deadline: Optional[str] = None) -> dict[str, Any]:
        files = _store_files(evidence, self.evidence_dir) if evidence else []
        actor = ", ".join(i["name"] for i in inspectors) or self.actor
        with self.write() as st:
            return hz.reinspect(st, hazard_id, result, inspectors, note, files, deadline, self.clock, actor,
                                self.settings(st))

    # batch re-inspection ---------------------------------------------------
    def reinspect_plan(self, due_by: Optional[str] = None, site: Optional[str] = None,
                       severity: Optional[str] = None) -> list[dict[str, Any]]:
        from .batch import plan_rows

        with self.read() as st:
            return plan_rows(st, self.clock.today, due_by, site, severity)

    def reinspect_apply(self, plan_file: Path, inspectors: list[dict[str, str]], dry_run: bool = False,
                        progress: Any = None) -> dict[str, Any]:
        """Apply a filled plan in one write; a bad row changes nothing. ``dry_run`` checks only."""
        from .batch import apply_plan, read_plan

        rows = read_plan(Path(plan_file))
        try:
            with self.write() as st:
                summary = apply_plan(st, rows, inspectors, self.clock, self.settings(st), Path(plan_file).resolve().parent,
                                     self.evidence_dir, dry_run, progress)
                if dry_run:
                    raise _DryRun(summary)
                return summary
        except _DryRun as d:
            return d.result  # type: ignore[no-any-return]

    # merging ledgers -------------------------------------------------------
    def export(self, out: Path, since: Optional[str] = None) -> dict[str, Any]:
        from .sync import collect, write_bundle

        self.require_existing()
        with self.read() as st:
            records = collect(st, since)
            meta = {"ledger": str(self.path), "exported_at": self.clock.now(), "since": since, "by": self.actor}
        return write_bundle(records, self.evidence_dir, Path(out), meta)

    def import_bundle(self, bundle: Path) -> dict[str, Any]:
        """Merge a bundle: idempotent, keeps every history, reports conflicts."""
        from .sync import copy_evidence, merge, read_bundle

        meta, records, z = read_bundle(Path(bundle))
        with z:
            with self.write() as st:
                report = merge(st, records, self.clock.today)
                if any(report["added"].values()) or report["extended"] or report["conflicts"]:
                    st.put("imports", f"{meta.get('exported_at')}|{meta.get('ledger')}", {
                        "bundle": str(bundle), "meta": meta, "date": self.clock.today.isoformat(),
                        "added": report["added"], "conflicts": len(report["conflicts"])})
            report["evidence"] = copy_evidence(z, self.evidence_dir)
        return report

    # integrity ------------------------------------------------------------
    def require_existing(self) -> None:
        """For commands whose silence would mean "all is well": a mistyped path must not pass."""
        from .errors import NotFound

        if not self.backend.exists():
            raise NotFound(f"there is no ledger at {self.path}; check --ledger / INSPECT_LEDGER")

    def verify(self) -> dict[str, Any]:
        """Check every hazard's hash chain and replay; ``problems`` empty when untouched."""
        self.require_existing()
        with self.read() as st:
            events_by: dict[str, list[dict[str, Any]]] = {}
            for e in st.find("events"):
                events_by.setdefault(e.get("subject", "?"), []).append(e)
            problems: list[str] = []
            hazards = st.find("hazards")
            bad = [h for h in hazards if not isinstance(h, dict) or not isinstance(h.get("id"), str)]
            problems += [f"a hazard record is not a record ({str(h)[:40]!r}): edited outside inspect-cli" for h in bad]
            hazards = [h for h in hazards if h not in bad]
            for h in hazards:
                evs = sorted(events_by.pop(h["id"], []), key=lambda e: (e.get("seq") or 0))
                problems += history.verify_chain(h, evs, lifecycle.replay)
            for subject, evs in events_by.items():
                problems.append(f"{len(evs)} event(s) belong to hazard {subject}, which is not in the ledger (removed?)")
            known = {h["id"] for h in hazards}
            for rec in st.find("inspections", fields=("id", "hazards")):
                for hid in rec.get("hazards") or []:
                    if hid not in known:
                        problems.append(f"hazard {hid}, found at inspection {rec.get('id')}, is missing from the ledger "
                                        "(removed with its history?)")
            return {"hazards": len(hazards), "events": sum(h.get("events", 0) for h in hazards), "problems": problems}


class _DryRun(Exception):
    """Raised inside a write transaction to leave the ledger untouched."""

    def __init__(self, result: Any) -> None:
        super().__init__("dry run")
        self.result = result
