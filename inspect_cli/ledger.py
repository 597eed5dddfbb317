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
from typing import TYPE_CHECKING, Any, Callable, Iterator, Optional, Union, cast

from .hazard import moves as hz
from .hazard import history
from .clock import Clock
from .hazard.moves import HazardQuery
from .paths import evidence_dir, ledger_path
from .settings import DEFAULTS, coerce
from .storage import open_backend
from .storage.interface import Backend, Store
from .errors import LedgerError

SEAL_SETTING = "seal"  # the settings row holding the latest seal's digest (Ledger.seal)

if TYPE_CHECKING:
    from .records import Event, Hazard, Inspection, Site  # TypedDicts: types only (~2 ms to build)
    from .case.records import CaseQuery, OpenRequest
    from .checklist.model import Checklist
    from .reports.issued import IssuedDocument

# The inspection modules load the checklist model and the `when` language: they are
# imported by the methods that run inspections, so reading hazards stays quick to start.


def _store_files(paths: Any, folder: Path) -> list[dict[str, Any]]:
    from .evidence import store_files

    return store_files(paths, folder)


def open_ledger(path: Union[str, Path, None] = None, backend: Optional[str] = None,
                today: Optional[str] = None, actor: Optional[str] = None) -> "Ledger":
    """Open (or, on first write, create) a ledger; ``path`` None means the default location."""
    import os

    from .storage import is_server_url

    chosen = str(path) if path else None
    url = chosen if is_server_url(chosen) else None
    if not chosen and is_server_url(os.environ.get("INSPECT_LEDGER")):
        url = os.environ["INSPECT_LEDGER"]
    return Ledger(open_backend(url or ledger_path(chosen), backend), Clock.make(today), actor)


def migrate(src: Union[str, Path], dst: Union[str, Path], src_backend: Optional[str] = None,
            dst_backend: Optional[str] = None, progress: Optional[Callable[[int], None]] = None) -> dict[str, int]:
    """Copy a whole ledger into a new one of another backend; records per table copied.
    ``progress(n)`` is called as records are written."""
    from .storage.migrate import migrate as copy_ledger

    def told(table: str, n: int) -> None:
        if progress is not None:
            progress(n)

    return copy_ledger(src, dst, src_backend, dst_backend, told)


def init_server(url: str, writer_role: str = "inspect_writer", reader_role: str = "inspect_reader") -> dict[str, Any]:
    """``inspect ledger init``: a PostgreSQL ledger's schema, guards and roles (docs/bureau.md)."""
    from .storage.server import init

    return init(url, writer_role, reader_role)


def upgrade_server(url: Optional[str]) -> dict[str, Any]:
    """``inspect ledger upgrade``: a PostgreSQL ledger's layout brought up to this version."""
    from .storage.server import upgrade

    return upgrade(url)


def default_actor() -> str:
    import getpass
    import os

    try:
        return os.environ.get("INSPECT_USER") or getpass.getuser()
    except (KeyError, OSError, ImportError):  # no user name on this platform: say so rather than fail
        return "unknown"


class Ledger:
    def __init__(self, backend: Backend, clock: Clock, actor: Optional[str] = None) -> None:
        self.backend = backend
        self.clock = clock
        self.actor = actor or default_actor()
        self._staging: Optional[Path] = None
        self._kept: set[str] = set()  # staged evidence already in the ledger

    @property
    def path(self) -> Path:
        return Path(self.backend.path)

    @property
    def location(self) -> str:
        """The ledger's file, or its postgresql:// URL without a password (for messages)."""
        return str(self.backend.path)

    @property
    def kind(self) -> str:
        """The backend: ``tinydb``, ``sqlite`` or ``postgresql``."""
        return str(self.backend.name)

    @property
    def evidence_dir(self) -> Path:
        """Where evidence files are read and written: beside a ledger file; for a ledger that
        keeps evidence inside itself (PostgreSQL), a private staging folder of this process whose
        new files go into the database with the next write (see :meth:`write`)."""
        if not getattr(self.backend, "evidence_in_ledger", False):
            return evidence_dir(self.path)
        if self._staging is None:
            import atexit
            import shutil
            import tempfile

            self._staging = Path(tempfile.mkdtemp(prefix="inspect-evidence-"))
            atexit.register(shutil.rmtree, self._staging, True)
        return self._staging

    def evidence_folder(self, records: Any) -> Path:
        """The folder holding the evidence files that ``records`` (events, answers) name: for a
        ledger that keeps evidence inside itself, those files are fetched into it first."""
        if not getattr(self.backend, "evidence_in_ledger", False):
            return self.evidence_dir
        from .storage.evidence import names_in

        wanted = [n for n in names_in(records) if not (self.evidence_dir / n).is_file()]
        if wanted:  # a read transaction only when a file is not in the folder yet
            with self.read() as st:
                self._fetched(st, wanted)
        return self.evidence_dir

    def _fetched(self, st: Store, names: list[str]) -> Path:
        """The evidence folder, holding ``names``: a ledger that keeps its evidence inside itself
        writes the files not there yet into it from ``st``."""
        folder = self.evidence_dir
        if getattr(self.backend, "evidence_in_ledger", False):
            from .storage.evidence import fetch_named

            wanted = [n for n in names if not (folder / n).is_file()]
            if wanted:
                fetch_named(st, wanted, folder)
                self._kept.update(wanted)
        return folder

    def exists(self) -> bool:
        """Whether the ledger has been created (a first write creates it)."""
        return self.backend.exists()

    def size_hint(self) -> Optional[str]:
        """A one-line hint when the ledger has outgrown its backend, else None."""
        return self.backend.size_hint()

    @contextmanager
    def read(self) -> Iterator[Store]:
        """A consistent snapshot. A ledger that does not exist is not read as an empty one: a
        mistyped ``--ledger`` must not show an empty table (exit 3, nothing created)."""
        self.require_existing()
        with self.backend.read() as store:
            yield store

    @contextmanager
    def write(self) -> Iterator[Store]:
        with self.backend.write() as store:
            yield store
            if self._staging is not None:  # evidence staged by this command joins the same transaction
                from .storage.evidence import keep_folder

                self._kept |= keep_folder(store, self._staging, self._kept)

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
    def add_site(self, raw: dict[str, Any]) -> Site:
        from .plan.classes import risk_classes
        from .site.record import add_site

        with self.write() as st:
            return cast("Site", add_site(st, raw, self.clock, risk_classes(self.settings(st))))

    def import_sites(self, csv_path: Path, skip_invalid: bool = False, dry_run: bool = False) -> dict[str, Any]:
        from .plan.classes import risk_classes
        from .site.record import import_sites

        try:
            with self.write() as st:
                result = import_sites(st, csv_path, skip_invalid, self.clock, risk_classes(self.settings(st)))
                if dry_run:
                    raise _DryRun(result)
                return result
        except _DryRun as d:
            return d.result  # type: ignore[no-any-return]

    def site(self, code: str) -> Site:
        from .inspection import record as ins

        with self.read() as st:
            return cast("Site", ins.site_of(st, code))

    def visit_site(self, inspection: Inspection) -> Site:
        """The inspected site, with what other inspections of the same visit already answered."""
        from .inspection import record as ins
        from .inspection.visit import with_visit

        with self.read() as st:
            return cast("Site", with_visit(st, dict(ins.site_of(st, inspection["site"])), inspection["date"],
                                         inspection["id"]))

    def sites(self, **where: Any) -> list[Site]:
        with self.read() as st:
            return cast("list[Site]", st.find("sites", {k: v for k, v in where.items() if v is not None}, order_by="code"))

    # inspections ----------------------------------------------------------
    def run_answers(self, checklist: Checklist, site_code: str, inspectors: list[dict[str, str]], kind: str,
                    doc: Any, base_dir: Path, campaign: Optional[str] = None) -> dict[str, Any]:
        """A whole inspection from an answers document, all or nothing (``campaign``: tagged with it)."""
        from .inspection import record as ins
        from .inspection.answers import evaluate_answers, require_inspectors, site_values_given
        from .inspection.visit import with_visit

        require_inspectors(kind, inspectors)  # before the answers are read: fail fast

        with self.read() as st:
            site = with_visit(st, dict(ins.site_of(st, site_code)), self.clock.today.isoformat())
        from .visit_times import visit_times

        started, finished = visit_times(doc.get("started") if isinstance(doc, dict) else None,
                                        doc.get("finished") if isinstance(doc, dict) else None,
                                        self.clock.today, self.clock.zone)
        answers, units, ignored = evaluate_answers(checklist, site, doc, self.clock.today, base_dir)
        ins.store_evidence(answers, self.evidence_dir)
        who = ", ".join(i["name"] for i in inspectors)
        with self.write() as st:
            site = ins.site_of(st, site_code)
            rec = ins.start(st, checklist, site, inspectors, kind, self.clock, units)
            values = site_values_given(checklist, doc.get("site"))[0] if isinstance(doc, dict) else {}
            if values:  # found on site (核定人数 …): kept with the inspection, read by its pass ranges
                rec["site_values"] = values
                st.put("inspections", rec["id"], rec)
            self._tag_campaign(st, rec, campaign)
            for key, detail in answers.items():
                ins.answer(st, rec["id"], key, detail, who, self.clock)
            rec, created = ins.finish(st, rec["id"], checklist, self.clock, self.settings(st))
            rec["ignored"] = ignored
            if started:
                rec.update(started=started, finished=finished)
            st.put("inspections", rec["id"], rec)
            _link_relapses(st, rec, created)
        return {"inspection": rec, "hazards": created, "ignored": ignored}

    def start_inspection(self, checklist: Checklist, site_code: str, inspectors: list[dict[str, str]],
                         kind: str, campaign: Optional[str] = None) -> Inspection:
        from .inspection import record as ins

        with self.write() as st:
            site = ins.site_of(st, site_code)
            rec = ins.start(st, checklist, site, inspectors, kind, self.clock)
            return cast("Inspection", self._tag_campaign(st, rec, campaign))

    def _tag_campaign(self, st: Store, rec: dict[str, Any], campaign: Optional[str]) -> dict[str, Any]:
        """An inspection made under a campaign (专项整治) carries its id; refused outside it."""
        if campaign:
            from .campaign.model import check_run

            rec["campaign"] = check_run(st, campaign, rec["site"], self.clock.today, rec["checklist"])["id"]
            st.put("inspections", rec["id"], rec)
        return rec

    def save_answer(self, inspection_id: str, key: str, detail: dict[str, Any]) -> Inspection:
        from .inspection import record as ins

        detail = dict(detail)
        if detail.get("outcome") == "fail" and detail.get("evidence"):
            detail["evidence_files"] = _store_files([Path(p) for p in detail["evidence"]], self.evidence_dir)
        with self.write() as st:
            rec = ins.get(st, inspection_id)
            who = ", ".join(i["name"] for i in rec["inspectors"])
            return cast("Inspection", ins.answer(st, inspection_id, key, detail, who, self.clock))

    def set_site_value(self, inspection_id: str, name: str, value: Any) -> Inspection:
        """A site attribute's value found on site during an interactive inspection (kept with it)."""
        from .inspection import record as ins

        with self.write() as st:
            rec = ins.get(st, inspection_id)
            rec.setdefault("site_values", {})[name] = value
            st.put("inspections", rec["id"], rec)
            return cast("Inspection", rec)

    def set_units(self, inspection_id: str, section_id: str, names: list[str]) -> Inspection:
        from .inspection import record as ins

        with self.write() as st:
            return cast("Inspection", ins.set_units(st, inspection_id, section_id, names))

    def set_visit_times(self, inspection_id: str, started: Any, finished: Any) -> Inspection:
        """Record the 检查时间 the inspector gives (see :mod:`inspect_cli.visit_times`)."""
        from .inspection import record as ins
        from .visit_times import visit_times

        with self.write() as st:
            rec = ins.get(st, inspection_id)
            a, b = visit_times(started, finished, dt.date.fromisoformat(rec["date"]), self.clock.zone)
            if a:
                rec.update(started=a, finished=b)
                st.put("inspections", rec["id"], rec)
            return cast("Inspection", rec)

    def finish_inspection(self, inspection_id: str, checklist: Checklist) -> tuple[Inspection, list[Hazard]]:
        from .inspection import record as ins

        with self.write() as st:
            rec, created = ins.finish(st, inspection_id, checklist, self.clock, self.settings(st))
            _link_relapses(st, rec, created)
            return cast("Inspection", rec), cast("list[Hazard]", created)

    def inspection(self, inspection_id: str) -> Inspection:
        from .inspection import record as ins

        with self.read() as st:
            return cast("Inspection", ins.get(st, inspection_id))

    def inspections(self, **where: Any) -> list[Inspection]:
        with self.read() as st:
            found = st.find("inspections", {k: v for k, v in where.items() if v is not None}, order_by="date")
            return cast("list[Inspection]", found)

    def find_inspections(self, query: Any = None) -> list[dict[str, Any]]:
        """Summaries of inspections matching an :class:`~inspect_cli.inspection.index.InspectionQuery`."""
        from .inspection.index import InspectionQuery, find

        with self.read() as st:
            return find(st, query or InspectionQuery())

    def inspection_detail(self, inspection_id: str) -> dict[str, Any]:
        """One inspection with the hazards it found (as they stand today) and the documents issued about it."""
        from .inspection import record as ins
        from .inspection.index import documents_about

        with self.read() as st:
            rec = ins.get(st, inspection_id)
            found = [hz.with_derived(h, self.clock.today) for h in (st.get("hazards", hid) for hid in rec.get("hazards") or [])
                     if h is not None]
            documents = documents_about(st, [rec["id"], *(h["id"] for h in found)])
        return {"inspection": rec, "hazards": found, "documents": documents}

    # hazards --------------------------------------------------------------
    def hazards(self, query: Optional[HazardQuery] = None) -> tuple[list[Hazard], int]:
        with self.read() as st:
            rows, total = hz.query(st, query or HazardQuery(), self.clock.today)
            return cast("list[Hazard]", rows), total

    def hazard(self, hazard_id: str) -> tuple[Hazard, list[Event]]:
        with self.read() as st:
            h = hz.get(st, hazard_id)
            every = history.all_events_of(st, h["id"])
            line = history.main_line(every)
            conflicts = history.conflicts(h["id"], every, line)
            out = hz.with_derived(h, self.clock.today)
            if conflicts:
                out["conflicts"] = [{k: v for k, v in c.items() if k != "their_events"} for c in conflicts]
            from .case.links import cases_of_hazard

            cases = cases_of_hazard(st, h["id"])  # the hazard shows its cases; they never change it
            if cases:
                out["cases"] = cases
            relapse = st.get("relapses", h["id"])
            if relapse:
                out["relapse_of"] = relapse
            return cast("Hazard", out), cast("list[Event]", line)

    def plan(self, hazard_id: str, plan: Any) -> Hazard:
        with self.write() as st:
            return cast("Hazard", hz.plan(st, hazard_id, plan, self.clock, self.actor))

    def extend(self, hazard_id: str, to: str, reason: str) -> Hazard:
        with self.write() as st:
            return cast("Hazard", hz.extend(st, hazard_id, to, reason, self.clock, self.actor))

    def fixed(self, hazard_id: str, note: str = "", evidence: tuple[Path, ...] = (),
              details: Optional[dict[str, str]] = None) -> Hazard:
        """The enterprise reports the fix; ``details`` may give measures, responsible and funds."""
        hz.check_text_lengths({"note": note, **(details or {})})  # before any evidence is copied
        files = _store_files(evidence, self.evidence_dir) if evidence else []
        with self.write() as st:
            return cast("Hazard", hz.fixed(st, hazard_id, note, files, self.clock, self.actor, details))

    def interim(self, hazard_id: str, measures: str) -> Hazard:
        with self.write() as st:
            return cast("Hazard", hz.interim(st, hazard_id, measures, self.clock, self.actor))

    def supervise(self, hazard_id: str, level: str, authority: str) -> Hazard:
        with self.write() as st:
            return cast("Hazard", hz.supervise(st, hazard_id, level, authority, self.clock, self.actor))

    def reinspect(self, hazard_id: str, result: str, inspectors: list[dict[str, str]], note: str = "",
                  evidence: tuple[Path, ...] = (), deadline: Optional[str] = None) -> Hazard:
        files = _store_files(evidence, self.evidence_dir) if evidence else []
        actor = ", ".join(i["name"] for i in inspectors) or self.actor
        with self.write() as st:
            return cast("Hazard", hz.reinspect(st, hazard_id, result, inspectors, note, files, deadline, self.clock,
                                             actor, self.settings(st)))

    # cases (行政处罚案件) ---------------------------------------------------------
    def open_case(self, request: "OpenRequest") -> dict[str, Any]:
        """立案 from hazards, an inspection's findings or failed re-inspections (see docs/cases.md)."""
        from .case.records import open_case

        with self.write() as st:
            return open_case(st, request, self.clock, self.actor)

    def case_move(self, case_id: str, move: str, args: dict[str, Any],
                  evidence: tuple[Path, ...] = ()) -> dict[str, Any]:
        """One stage move of a case (``move`` one of :data:`inspect_cli.case.machine.MOVES`)."""
        from .case.records import MOVE_FUNCTIONS

        files = _store_files(evidence, self.evidence_dir) if evidence else []
        with self.write() as st:
            return MOVE_FUNCTIONS[move](st, case_id, args, files, self.clock, self.actor, self.settings(st))

    def case(self, case_id: str) -> tuple[dict[str, Any], list[dict[str, Any]]]:
        """A case with its deadlines and allowed moves for today, and its history."""
        from .case.machine import with_derived
        from .case.records import events_of, get

        with self.read() as st:
            c = get(st, case_id)
            out = with_derived(c, self.settings(st), self.clock.today)
            conflicts = st.find("conflicts", {"case": c["id"]})  # another ledger's diverged history (import)
            if conflicts:
                out["conflicts"] = conflicts
            return out, events_of(st, c["id"])

    def cases(self, query: Optional["CaseQuery"] = None) -> list[dict[str, Any]]:
        from .case.records import CaseQuery, query as case_query

        with self.read() as st:
            return case_query(st, query or CaseQuery(), self.settings(st), self.clock.today)

    def repeat_offenders(self, site: Optional[str] = None) -> list[dict[str, Any]]:
        """Sites with hazards overdue after a failed re-inspection (a case is suggested, never opened)."""
        from .case.records import repeat_offenders

        with self.read() as st:
            return repeat_offenders(st, self.clock.today, site)

    # batch re-inspection ---------------------------------------------------
    def reinspect_plan(self, due_by: Optional[str] = None, site: Optional[str] = None,
                       severity: Optional[str] = None) -> list[dict[str, Any]]:
        from .hazard.batchplan import plan_rows

        with self.read() as st:
            return plan_rows(st, self.clock.today, due_by, site, severity)

    def reinspect_apply(self, plan_file: Path, inspectors: list[dict[str, str]], dry_run: bool = False,
                        progress: Any = None) -> dict[str, Any]:
        """Apply a filled plan in one write; a bad row changes nothing. ``dry_run`` checks only."""
        from .hazard.batchplan import apply_plan, read_plan

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
    def export(self, out: Path, since: Optional[str] = None,
               progress: Optional[Callable[[int], None]] = None) -> dict[str, Any]:
        """Write a bundle as the ledger is read, in bounded memory (:mod:`.sync.stream`);
        ``progress(n)`` is called as records are written."""
        from .errors import IntegrityError
        from .sync.stream import export_bundle

        self.require_existing()

        def refuse(missing: list[str]) -> Exception:
            return IntegrityError(f"not exported: {len(missing)} evidence file(s) cited by the records are missing or "
                                  f"changed in {self.evidence_dir}: copy that folder from where the ledger came from "
                                  f"(a ledger is its file and every {self.path.stem}.* beside it), then export again",
                                  missing)

        with self.read() as st:
            def folder_for(names: list[str]) -> Path:
                return self._fetched(st, names)

            meta = {"ledger": str(self.path), "exported_at": self.clock.now(), "since": since, "by": self.actor}
            return export_bundle(st, Path(out), meta, since, folder_for, refuse, progress)

    def import_bundle(self, bundle: Path, progress: Optional[Callable[[int], None]] = None) -> dict[str, Any]:
        """Merge a bundle: checked in full first, idempotent, keeps every history, reports conflicts.
        Memory stays bounded (:mod:`.sync.stream`); ``progress(n)`` is called as records are
        checked, then as they are merged."""
        from .sync.stream import import_bundle

        return import_bundle(self, Path(bundle), progress)

    def export_size(self) -> int:
        """How many records a whole export writes (for a progress bar)."""
        from .sync.bundle import TABLES

        return self.record_count(*TABLES)

    def bundle_records(self, bundle: Path) -> Optional[int]:
        """How many records a bundle says it holds (the size of its import, for a progress bar)."""
        from .sync.stream import bundle_records

        return bundle_records(Path(bundle))

    # conflicts --------------------------------------------------------------
    def conflicts(self, include_resolved: bool = False) -> list[dict[str, Any]]:
        from .sync.conflicts import list_conflicts

        with self.read() as st:
            return list_conflicts(st, include_resolved)

    def resolve_conflict(self, conflict_id: str, keep: str, reason: str) -> dict[str, Any]:
        from .sync.conflicts import resolve

        with self.write() as st:
            return resolve(st, conflict_id, keep, reason, self.clock, self.actor)

    def hazard_history(self, hazard_id: str) -> list[dict[str, Any]]:
        """Every event of a hazard, the other sides' branches included, each marked with the
        conflict it belongs to (``None`` on the main line)."""
        from .sync.conflicts import marked_history

        with self.read() as st:
            return marked_history(st, hz.get(st, hazard_id)["id"])

    def sync(self, other: "Ledger", reserve: Optional[int] = None, progress: Any = None) -> dict[str, Any]:
        """Push what ``other`` lacks and pull what this ledger lacks (see :mod:`.sync.ledgers`),
        then top up this ledger's document-number blocks from ``other`` when it is the bureau's."""
        from .sync.blocks import top_up
        from .sync.ledgers import sync

        result = sync(self, other, progress)
        result["blocks"] = top_up(self, other, reserve)
        return result

    # analysis -------------------------------------------------------------
    def stats(self, since: Optional[str] = None, until: Optional[str] = None, domain: Optional[str] = None,
              site: Optional[str] = None, top: int = 10) -> dict[str, Any]:
        """Figures of inspections and hazards in a date window (see :mod:`.analysis.stats`)."""
        from .analysis.stats import compute

        self.require_existing()
        with self.read() as st:
            return compute(st, self.clock.today, since, until, domain, site, top)

    def enforcement_rates(self, since: Optional[str] = None, until: Optional[str] = None,
                          as_of: Optional[str] = None, by_region: bool = True) -> dict[str, Any]:
        """立案率, 立案处罚率, 处罚执行率 and amounts, by domain, 区域 and month (:mod:`.case.rates`)."""
        import datetime as dt

        from .case.rates import compute

        with self.read() as st:
            return compute(st, dt.date.fromisoformat(as_of) if as_of else self.clock.today, since, until,
                           by_region=by_region)

    def audit(self, defaults: Any = None, source_kind: Any = None,
              progress: Optional[Callable[[int], None]] = None) -> dict[str, Any]:
        """The data-quality audit (see :mod:`.analysis.audit`); ``defaults`` are checklist texts,
        ``source_kind`` tells the kind of a cited source (see :mod:`.checklist.legal`);
        ``progress(n)`` is called as records are checked (hazards, then inspections)."""
        from .analysis.audit import run

        self.require_existing()
        with self.read() as st:
            return run(st, self.clock.today, defaults, source_kind=source_kind, progress=progress)

    def record_count(self, *tables: str) -> int:
        """How many records these tables (or all) hold together: the size of a whole-ledger pass."""
        if not self.backend.exists():
            return 0
        with self.read() as st:
            return sum(st.count(t) for t in (tables or tuple(st.tables())))

    def bulletin_tally(self, spec: Any) -> Any:
        """The monthly bulletin's figures as of ``spec.as_of`` (an :class:`.analysis.tally.Spec`),
        counted by GROUP BY with the hazards changed since corrected by replay (:mod:`.analysis.tally`)."""
        from .analysis.tally import counted

        with self.read() as st:
            return counted(st, spec)

    def site_fields(self, fields: tuple[str, ...]) -> dict[str, dict[str, Any]]:
        """These fields of every site, by code (the bulletin's 区域 and 行业)."""
        if not self.exists():
            return {}
        with self.read() as st:
            return {str(s["code"]): s for s in st.find("sites", fields=("code",) + tuple(fields)) if "code" in s}

    def hazards_as_of(self, iso_day: str, fields: Optional[tuple[str, ...]] = None,
                      ids: Optional[list[str]] = None) -> list[Hazard]:
        """Every hazard (or those of ``ids``) as it stood at the end of ``iso_day``."""
        from .analysis.asof import hazards_as_of

        with self.read() as st:
            return cast("list[Hazard]", hazards_as_of(st, iso_day, fields, ids))

    def events_of(self, hazard_ids: list[str]) -> dict[str, list[Event]]:
        """The events of several hazards (each its main line), in order, keyed by hazard id."""
        out: dict[str, list[Event]] = {}
        if not hazard_ids:
            return out
        with self.read() as st:
            for i in range(0, len(hazard_ids), 500):
                for e in st.find("events", {"subject": ("in", hazard_ids[i:i + 500])}, order_by="seq"):
                    out.setdefault(e["subject"], []).append(cast("Event", e))
        # each hazard's main line: another laptop's branch is a conflict, not its history
        return {hid: cast("list[Event]", history.main_line(cast(list[dict[str, Any]], evs))) for hid, evs in out.items()}

    def site_names(self, codes: list[str]) -> dict[str, str]:
        """Site names by code; an unknown code is left out."""
        with self.read() as st:
            return {c: str(s.get("name") or "") for c in codes if (s := st.get("sites", c))}

    # 双随机 draws -------------------------------------------------------------
    def draw(self, sites_n: int, inspectors_m: Optional[int], conditions: dict[str, Any], seed: int,
             pool: list[dict[str, str]]) -> dict[str, Any]:
        """Draw sites and inspector pairs reproducibly and record the draw."""
        from .site.sampling import draw

        with self.write() as st:
            return draw(st, sites_n, inspectors_m, conditions, seed, pool, self.clock.today, self.actor)

    def verify_draw(self, draw_id: str) -> dict[str, Any]:
        """Re-run a recorded draw on its recorded pool and seed."""
        from .site.sampling import verify

        with self.read() as st:
            return verify(st, draw_id)

    # the bureau's year: plans, look-backs, self-reports, campaigns (docs/planning.md) ------
    def make_annual_plan(self, year: int, seed: int, where: dict[str, str], pool: list[dict[str, str]]) -> dict[str, Any]:
        """The 年度监督检查计划 of ``year`` from the risk classes, reproducible from ``seed``; recorded."""
        from .plan.annual import make

        with self.write() as st:
            return make(st, year, seed, where, pool, self.settings(st), self.clock.today, self.actor)

    def annual_plan(self, plan_id: Optional[str] = None, year: Optional[int] = None) -> dict[str, Any]:
        """A recorded plan by id, or the last one made for ``year``."""
        from .plan import annual

        with self.read() as st:
            return annual.get(st, plan_id) if plan_id else annual.latest(st, int(year or self.clock.today.year))

    def annual_plans(self) -> list[dict[str, Any]]:
        from .plan.annual import listing

        with self.read() as st:
            return listing(st)

    def verify_annual_plan(self, plan_id: str) -> dict[str, Any]:
        from .plan.annual import verify

        with self.read() as st:
            return verify(st, plan_id)

    def plan_progress(self, plan_id: Optional[str] = None, year: Optional[int] = None,
                      as_of: Optional[str] = None) -> dict[str, Any]:
        """Done against planned, by class, quarter and inspector (:mod:`.plan.progress`)."""
        import datetime as dt

        from .plan import annual
        from .plan.progress import compute

        with self.read() as st:
            plan = annual.get(st, plan_id) if plan_id else annual.latest(st, int(year or self.clock.today.year))
            return compute(st, plan, dt.date.fromisoformat(as_of) if as_of else self.clock.today)

    def draw_lookback(self, of: str, seed: int, where: dict[str, str], share: Optional[float] = None,
                      minimum: Optional[int] = None, closed_since: Optional[str] = None,
                      closed_until: Optional[str] = None, pool: Optional[list[dict[str, str]]] = None) -> dict[str, Any]:
        """回头看: draw closed hazards or certified sites reproducibly and record the draw."""
        from .plan import lookback

        with self.write() as st:
            cfg = self.settings(st)
            return lookback.draw(st, of, seed, where, float(cfg["lookback.share"] if share is None else share),
                                 int(cfg["lookback.minimum"] if minimum is None else minimum), closed_since,
                                 closed_until, pool or [], self.clock.today, self.actor)

    def verify_lookback(self, lookback_id: str) -> dict[str, Any]:
        from .plan import lookback

        with self.read() as st:
            return lookback.verify(st, lookback_id)

    def relapses(self, since: Optional[str] = None, until: Optional[str] = None) -> list[dict[str, Any]]:
        """Relapses (复发) found by look-back inspections in a date window."""
        from .plan import lookback

        with self.read() as st:
            return lookback.relapses(st, since, until)

    def inspection_kinds(self, since: str, until: str) -> dict[str, int]:
        """Completed inspections in a date window by kind (检查类别), read from the light columns only."""
        from collections import Counter

        with self.read() as st:
            found = st.find("inspections", {"date": ("between", (since, until))}, fields=("kind", "status"))
            return dict(Counter(str(r.get("kind") or "") for r in found if r.get("status") == "completed"))

    def self_reporting(self, months: int) -> dict[str, Any]:
        """Sites whose self-reports (自查自报) stayed at zero over the last ``months`` months."""
        from .plan.selfreport import silent_sites

        with self.read() as st:
            return silent_sites(st, self.clock.today, months)

    def start_campaign(self, campaign: dict[str, Any]) -> dict[str, Any]:
        """Record a checked campaign (:func:`.campaign.model.read`) with its resolved target sites."""
        from .campaign.model import start

        with self.write() as st:
            return start(st, campaign, self.clock.today, self.actor)

    def campaigns(self) -> list[dict[str, Any]]:
        from .campaign.model import listing

        with self.read() as st:
            return listing(st)

    def campaign_status(self, campaign_id: str) -> dict[str, Any]:
        """A campaign's coverage, findings and closure against its targets, today."""
        from .campaign.model import get
        from .campaign.report import status

        with self.read() as st:
            return status(st, get(st, campaign_id), self.clock.today)

    # documents -----------------------------------------------------------
    def document_number(self, kind: str, subject: str, date: str, settings: dict[str, Any], fresh: bool = False) -> str:
        """The number a document would carry now (its own if already issued, unless
        ``fresh``: a correction); nothing is taken."""
        from .reports.docnumbers import assign

        with self.read() as st:
            return assign(st, kind, subject, date, settings, commit=False, fresh=fresh)

    def take_document_numbers(self, claims: list[tuple[Any, ...]], settings: dict[str, Any]) -> bool:
        """Record the numbers a rendered document printed (``kind, subject, date`` and
        optionally ``shown, fresh``) in one write; False, and nothing stored, when one of them
        is no longer the number that document would get (another process took it: build it again)."""
        full = [list(c) + [None, False][len(c) - 3:] for c in claims]  # (kind, subject, date) → shown None, not fresh
        return self.issue_document({"kind": "", "number_claims": full}, settings, None) is not None

    def issue_document(self, ctx: dict[str, Any], settings: dict[str, Any],
                       rendered: Optional[tuple[str, str]]) -> Optional[str]:
        """Take the numbers a rendered document printed and freeze its text ``(variant,
        text)`` in one write (:func:`inspect_cli.reports.issued.take_and_freeze`)."""
        from .reports.docnumbers import lookup
        from .reports.issued import frozen_text, own_claim, take_and_freeze

        claims = ctx.get("number_claims") or []
        # A reprint of documents already numbered and frozen needs no write, so the reader
        # role or a hot-standby replica can print them.
        if claims and not any(c[4] for c in claims):
            with self.read() as st:
                if all(lookup(st, c[0], c[1]) for c in claims):
                    if rendered is None:
                        return ""
                    own = own_claim(ctx)
                    stored = frozen_text(st, own[0], own[1], rendered[0]) if own is not None else None
                    if stored is not None:
                        return stored
        with self.write() as st:
            return take_and_freeze(st, self.clock.now(), ctx, settings, rendered)

    def frozen_document(self, kind: str, subject: str, variant: str) -> Optional[str]:
        """The stored text of an issued document's rendering, or None."""
        from .reports.issued import frozen_text

        with self.read() as st:
            return frozen_text(st, kind, subject, variant)

    def issued_document(self, kind: str, subject: str) -> Optional[dict[str, Any]]:
        """The record of an issued document (number, date, …), or None."""
        from .reports.docnumbers import lookup

        with self.read() as st:
            return lookup(st, kind, subject)

    def issued_documents(self) -> list[IssuedDocument]:
        """Every numbered document issued, oldest first (``inspect report list``)."""
        from .reports.issued import issued_documents

        if not self.exists():
            return []
        with self.read() as st:
            return issued_documents(st)

    def report_sources(self) -> tuple[list[dict[str, Any]], dict[str, dict[str, Any]], list[IssuedDocument]]:
        """What the bulletin and the ledger report add to the hazards, read light: completed
        inspections (id, site, date, kind, inspectors), sites (code, industry, region,
        added) by code, and the issued documents."""
        from .reports.issued import issued_documents

        if not self.exists():
            return [], {}, []
        with self.read() as st:
            inspections = [i for i in st.find("inspections", fields=("id", "site", "date", "status", "kind", "inspectors"))
                           if i.get("status") == "completed"]
            sites = {str(s["code"]): s for s in st.find("sites", fields=("code", "industry", "region", "added"))}
            return inspections, sites, issued_documents(st)

    # the ledger itself ---------------------------------------------------
    def info(self) -> dict[str, Any]:
        """The ledger's file, backend, schema, records per table and size on disk."""
        from .storage.interface import TABLES
        from .storage.migrate import counts

        if not self.backend.exists():  # the one read that reports a missing ledger ("not created yet")
            return {"path": str(self.path), "backend": self.backend.name, "exists": False, "schema": None,
                    "counts": {t: 0 for t in TABLES}, "bytes": 0}
        with self.read() as st:
            meta = st.meta()
            per_table = counts(st)
        return {"path": str(self.backend.path), "backend": self.backend.name, "exists": self.backend.exists(),
                "schema": meta.get("schema"), "counts": per_table, "bytes": self.backend.size_bytes()}

    def backup(self, dest: Path, backend: Optional[str] = None) -> dict[str, Any]:
        """A consistent copy at ``dest`` (under the lock, evidence included), then ``verify`` of the copy:
        ``{"to", "counts", "verify"}``; ``verify["problems"]`` empty when the copy is whole."""
        from .storage.backup import backup

        counts = backup(self.backend, Path(dest), backend)
        copy = open_ledger(dest, backend=backend, today=self.clock.today.isoformat())
        return {"to": str(copy.path), "counts": counts, "verify": copy.verify()}

    def upgrade_work(self, rebuild: bool = False) -> int:
        """How many rows :meth:`upgrade` passes over, for a progress bar (0 when it has nothing to do)."""
        work = getattr(self.backend, "upgrade_work", None)
        return int(work(rebuild)) if work is not None and self.backend.exists() else 0

    def upgrade(self, rebuild: bool = False, progress: Optional[Callable[[int], None]] = None) -> dict[str, Any]:
        """``inspect ledger upgrade`` of a ledger file: an SQLite ledger's layout brought up to
        date (with ``rebuild``, its indexed columns recomputed from the records and its indexes
        rebuilt); a TinyDB ledger has no layout to upgrade, and says so (``needed`` False).
        ``progress(n)`` is called as rows are passed over (:meth:`upgrade_work` of them)."""
        self.require_existing()
        run = getattr(self.backend, "upgrade", None)
        if run is None:
            return {"ledger": self.location, "backend": self.kind, "needed": False, "rebuild": rebuild,
                    "done": ["a TinyDB ledger needs no upgrade (its files are brought up to date by its own "
                             "writes); nothing was changed"]}
        return dict(run(rebuild, progress), needed=True)

    # integrity ------------------------------------------------------------
    def require_existing(self) -> None:
        """For commands whose silence would mean "all is well": a mistyped path must not pass."""
        from .errors import NotFound

        if not self.backend.exists():
            raise NotFound(f"there is no ledger at {self.location}; check --ledger / INSPECT_LEDGER. A new ledger is "
                           f"created by its first change, e.g. inspect site add --code CODE --name NAME --ledger {self.location}")

    def verify(self, seal: Optional[Path] = None, digest: Optional[str] = None,
               progress: Optional[Callable[[int], None]] = None) -> dict[str, Any]:
        """Check every hazard's hash chain and replay, the evidence files, and with ``seal``
        that every sealed record is still here unchanged; ``problems`` empty when untouched.
        ``progress(n)`` is called as records are checked (:meth:`verify_work` of them)."""
        from .integrity.verify import verify

        self.require_existing()
        return verify(self, seal, digest, progress)

    def verify_work(self, seal: bool = False) -> int:
        """How many records :meth:`verify` reads (with a seal: and checks against it), for a progress bar."""
        from .integrity.seal import SEALED_TABLES
        from .integrity.verify import VERIFIED_TABLES

        return self.record_count(*VERIFIED_TABLES) + (self.record_count(*SEALED_TABLES) if seal else 0)

    def seal(self, out: Path, progress: Optional[Callable[[int], None]] = None) -> dict[str, Any]:
        """Write a seal of the case record to ``out`` (see :mod:`.seal`); returns it without its
        record list. ``progress(n)`` is called as records are read (:meth:`seal_work` of them)."""
        from .integrity import seal as sealing

        self.require_existing()
        with self.read() as st:
            made = sealing.make(st, self.clock.today.isoformat(), self.clock.now(), str(self.path), Path(out),
                                progress)
        # The ledger remembers its latest seal, which the monthly bulletin cites: computing a
        # digest of the whole ledger for every bulletin would read every record (minutes at
        # city scale). Settings are not sealed, so this leaves the seal just made valid.
        note = {"date": made["date"], "sealed_at": made["sealed_at"], "digest": made["digest"],
                "counts": made["counts"], "file": Path(out).name}
        try:
            with self.write() as st:
                st.put("settings", SEAL_SETTING, note)
            made["recorded"] = True
        except LedgerError as e:  # a read-only ledger (the reader role, a replica, a read-only file)
            made["recorded"] = False
            made["not_recorded"] = str(e)
        return made

    def seal_digest(self) -> str:
        """The digest a seal of this ledger would carry now (reads every sealed record)."""
        from .integrity import seal as sealing

        with self.read() as st:
            return sealing.seal_digest(st)

    def last_seal(self) -> Optional[dict[str, Any]]:
        """The latest seal :meth:`seal` recorded in this ledger (date, digest, counts, file), or None."""
        with self.read() as st:
            found = st.get("settings", SEAL_SETTING)
        return found if isinstance(found, dict) and isinstance(found.get("digest"), str) else None

    def seal_work(self) -> int:
        """How many records :meth:`seal` reads, for a progress bar."""
        from .integrity.seal import SEALED_TABLES

        return self.record_count(*SEALED_TABLES)

    def head_hashes(self, hazard_ids: list[str]) -> str:
        """The digest of what a document states about its hazards (an order, a review): the
        sha256 over each hazard's ``id:head``. Printed on the document, it pins those
        hazards' histories as they were when it was served."""
        from .integrity import seal as sealing

        with self.read() as st:
            found = [h for hid in hazard_ids if (h := st.get("hazards", hid)) is not None]
        return sealing.head_hashes(found)



def _link_relapses(st: Store, rec: dict[str, Any], created: list[dict[str, Any]]) -> None:
    if rec.get("kind") == "lookback" and created:  # 回头看: a failure found again links to the closed hazard
        from .plan.lookback import link_relapses

        link_relapses(st, rec, created)


class _DryRun(Exception):
    """Raised inside a write transaction to leave the ledger untouched."""

    def __init__(self, result: Any) -> None:
        super().__init__("dry run")
        self.result = result
