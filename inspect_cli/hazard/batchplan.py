"""Batch re-inspection: a plan file to fill in, then applied in one all-or-nothing write."""
from __future__ import annotations

import csv
import datetime as dt
import io
from pathlib import Path
from typing import Any, Callable, Optional

from . import moves as hz
from . import history, lifecycle
from ..clock import Clock, iso_date
from ..errors import IllegalTransition, NotFound, ValidationFailed
from ..inputs import read_text, load_yaml
from ..evidence import check_files, store_files
from ..ids import normalise
from ..storage.interface import Store

PLAN_COLUMNS = ("site", "site_name", "hazard_id", "item", "unit", "severity", "status", "current_deadline",
                "description", "result", "note", "deadline", "evidence")
RESULTS = ("pass", "fail", "skip")
PLAN_FIELDS = ("id", "site", "site_name", "item", "unit", "severity", "status", "deadline", "description")
Progress = Callable[[int, int], None]


def plan_rows(store: Store, today: dt.date, due_by: Optional[str] = None, site: Optional[str] = None,
              severity: Optional[str] = None) -> list[dict[str, Any]]:
    """Active hazards to verify, grouped by site (sorted by site, then deadline)."""
    q = hz.HazardQuery(status=lifecycle.ACTIVE, site=site, severity=severity, sort="deadline")
    if due_by:
        q.extra["deadline"] = ("<=", due_by)
    # only the listed fields: the rest of each record (basis, history …) is never decoded
    rows = store.find("hazards", q.where(today), fields=PLAN_FIELDS)
    rows.sort(key=lambda h: (h["site"], h["deadline"], h["id"]))
    return [{"site": h["site"], "site_name": h.get("site_name", ""), "hazard_id": h["id"], "item": h["item"],
             "unit": h.get("unit") or "", "severity": h["severity"], "status": h["status"], "current_deadline": h["deadline"],
             "description": h.get("description", ""), "result": "", "note": "", "deadline": "", "evidence": ""}
            for h in rows]


def write_plan(rows: list[dict[str, Any]], path: Path) -> None:
    from ..storage.files import atomic_write_bytes

    if path.suffix.lower() in (".yaml", ".yml"):
        from ..yamlio import dump

        data = dump({"reinspections": rows}).encode("utf-8")
    else:
        buf = io.StringIO()
        w = csv.writer(buf, lineterminator="\n")  # rows as lists: a DictWriter costs a dict per row
        w.writerow(PLAN_COLUMNS)
        w.writerows([csv_safe(r[k]) for k in PLAN_COLUMNS] for r in rows)
        data = ("\ufeff" + buf.getvalue()).encode("utf-8")  # BOM: Excel opens it as UTF-8
    path.parent.mkdir(parents=True, exist_ok=True)
    atomic_write_bytes(path, data)


def csv_safe(value: Any) -> Any:
    """Text that Excel would run as a formula (=, +, -, @ first) gets a leading apostrophe."""
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return value


def read_plan(path: Path) -> list[tuple[int, dict[str, Any]]]:
    """Rows of a filled plan with their line numbers (CSV or YAML)."""
    if path.suffix.lower() in (".yaml", ".yml"):
        return _read_yaml(path)
    text = read_text(path)
    reader = csv.DictReader(io.StringIO(text))
    if not reader.fieldnames or "hazard_id" not in reader.fieldnames or "result" not in reader.fieldnames:
        raise ValidationFailed(f"{path}: a re-inspection plan needs the columns hazard_id and result "
                               f"(write one with inspect reinspect plan --out FILE.csv)")
    return [(reader.line_num, row) for row in reader]


def _read_yaml(path: Path) -> list[tuple[int, dict[str, Any]]]:
    from ..checklist.lines import index, line_of
    data, node = load_yaml(path)
    rows = data.get("reinspections") if isinstance(data, dict) else data
    if not isinstance(rows, list):
        raise ValidationFailed(f"{path}: expected a list of rows under 'reinspections:'")
    lines = index(node)
    prefix = ("reinspections",) if isinstance(data, dict) else ()
    return [(line_of(lines, prefix + (i,)), r if isinstance(r, dict) else {}) for i, r in enumerate(rows)]


def check_row(store: Store, row: dict[str, Any], inspectors: list[dict[str, str]], today: dt.date,
              base_dir: Path, settings: dict[str, Any]) -> list[str]:
    """Everything wrong with one row, without changing anything."""
    if not row:
        return ["not a row: each row is a mapping with hazard_id, result, note, deadline, evidence"]
    result = str(row.get("result") or "").strip().lower()
    if result not in RESULTS:
        return [f"result must be pass, fail or skip, not {row.get('result')!r}" if result else "empty result: fill in pass, fail or skip"]
    try:
        h = hz.get(store, str(row.get("hazard_id") or ""))
    except NotFound as e:
        return [str(e)]
    if result == "skip":
        return []
    try:
        lifecycle.require(h, "reinspect", today)
        history.require_in_order(store, h, "reinspected", today.isoformat())  # named per row
    except IllegalTransition as e:
        return [str(e)]
    try:
        deadline = new_deadline(row)
    except ValueError as e:
        return [f"deadline {e}"]
    problems = check_files(evidence_paths(row, base_dir))
    problems += lifecycle.reinspection_problems(h, result, inspectors, evidence_paths(row, base_dir) or [],
                                                deadline or "9999-12-31", today)
    return problems


def new_deadline(row: dict[str, Any]) -> Optional[str]:
    """The row's new deadline as YYYY-MM-DD, None when empty; ValueError when it is no date."""
    raw = row.get("deadline")
    if raw is None or not str(raw).strip():
        return None
    return iso_date(raw)


def evidence_paths(row: dict[str, Any], base_dir: Path) -> list[Path]:
    raw = row.get("evidence") or ""
    items = raw if isinstance(raw, list) else str(raw).split(";")  # YAML plans may give a list
    return [base_dir / str(p).strip() for p in items if str(p).strip()]


def apply_plan(store: Store, rows: list[tuple[int, dict[str, Any]]], inspectors: list[dict[str, str]], clock: Clock,
               settings: dict[str, Any], base_dir: Path, evidence_dir: Path, dry_run: bool = False,
               progress: Optional[Progress] = None) -> dict[str, Any]:
    """Check every row, then apply them all; any bad row raises and changes nothing."""
    problems: list[str] = []
    seen: dict[str, int] = {}
    for n, (line, row) in enumerate(rows, 1):
        hid = normalise(str(row.get("hazard_id") or ""))
        if hid in seen:
            problems.append(f"line {line}: hazard {hid} appears again (first at line {seen[hid]})")
        seen.setdefault(hid, line)
        problems += [f"line {line}: {hid or '(no hazard_id)'}: {p}" for p in
                     check_row(store, row, inspectors, clock.today, base_dir, settings)]
        if progress:
            progress(n, 2 * len(rows))
    if problems:
        raise ValidationFailed(f"{len(problems)} problem(s) in the plan; nothing was changed", problems)
    summary: dict[str, Any] = {"closed": [], "reopened": [], "unchanged": [], "dry_run": dry_run}
    actor = ", ".join(i["name"] for i in inspectors)
    for n, (line, row) in enumerate(rows, 1):
        result = str(row["result"]).strip().lower()
        hid = normalise(str(row["hazard_id"]))
        if result == "skip":
            summary["unchanged"].append(hid)
            continue
        paths = evidence_paths(row, base_dir)
        files = ([{"sha256": "", "size": p.stat().st_size, "name": p.name} for p in paths] if dry_run
                 else store_files(paths, evidence_dir))
        deadline = new_deadline(row)
        h = hz.reinspect(store, hid, result, inspectors, str(row.get("note") or ""), files, deadline, clock, actor, settings)
        summary["closed" if h["status"] == "closed" else "reopened"].append(hid)
        if progress:
            progress(len(rows) + n, 2 * len(rows))
    return summary
