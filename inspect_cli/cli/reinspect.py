"""``inspect reinspect``: re-inspection (复查) of one hazard, a whole site, or a batch plan."""
from __future__ import annotations

from pathlib import Path
from typing import Any, Optional

import click

from .complete import complete_open_hazards, complete_sites
from .options import (console, date_value, emit_json, inspector_option, json_option, lang_option, ledger_option,
                      open_ledger, parse_inspectors, today_option)


@click.group()
def reinspect() -> None:
    """Re-inspect hazards (复查): one hazard, a site visit, or a batch plan for scripts."""


@reinspect.command("hazard")
@click.argument("hazard_id", shell_complete=complete_open_hazards)
@click.option("--pass", "passed", is_flag=True, help="Rectified: the hazard is closed (销号).")
@click.option("--fail", "failed", is_flag=True, help="Not rectified: open again with a new deadline.")
@inspector_option
@click.option("--note", default="", help="What was found at the re-inspection (复查意见).")
@click.option("--evidence", multiple=True, type=click.Path(exists=True, dir_okay=False), help="Repeatable.")
@click.option("--deadline", metavar="DATE", help="New deadline on --fail [default: by severity setting].")
@ledger_option
@today_option
@json_option
def hazard_cmd(hazard_id: str, passed: bool, failed: bool, inspectors: tuple[str, ...], note: str, evidence: tuple[str, ...],
               deadline: Optional[str], ledger_path: Optional[str], today: Optional[str], as_json: bool) -> None:
    """Record the re-inspection of one hazard: --pass closes it, --fail reopens it."""
    if passed == failed:
        raise click.UsageError("give exactly one of --pass and --fail")
    result = "pass" if passed else "fail"
    h = open_ledger(ledger_path, today).reinspect(hazard_id, result, parse_inspectors(inspectors), note,
                                                  tuple(Path(e) for e in evidence), date_value(deadline, "--deadline"))
    if as_json:
        emit_json({"id": h["id"], "status": h["status"], "deadline": h["deadline"], "result": result})
    elif h["status"] == "closed":
        click.echo(f"{h['id']}: re-inspection passed; closed (销号) on {h['closed_date']}.")
    else:
        click.echo(f"{h['id']}: re-inspection failed; open again with deadline {h['deadline']}.")


@reinspect.command("site")
@click.argument("code", shell_complete=complete_sites)
@inspector_option
@lang_option
@ledger_option
@today_option
@json_option
def site_cmd(code: str, inspectors: tuple[str, ...], lang: str, ledger_path: Optional[str], today: Optional[str],
             as_json: bool) -> None:
    """Walk a site's open hazards on a 复查 visit: pass, fail or skip each one.

    Answers: 1 合格 (pass), 2 不合格 (fail), 0 跳过 (skip); the words work too.
    """
    from .reinspect_site import walk_site

    summary = walk_site(open_ledger(ledger_path, today), code, parse_inspectors(inspectors), lang)
    if as_json:
        emit_json(summary)


@reinspect.command("plan")
@click.option("--due-by", metavar="DATE", help="Only hazards whose deadline is on or before DATE.")
@click.option("--site", metavar="CODE", shell_complete=complete_sites, help="Only this site (unified social credit code).")
@click.option("--severity", type=click.Choice(["general", "major"]), help="Only general (一般) or major (重大) hazards.")
@click.option("--out", "out", required=True, type=click.Path(dir_okay=False),
              help="FILE.csv or FILE.yaml: one row per hazard, grouped by site, to fill in.")
@ledger_option
@today_option
@json_option
def plan_cmd(due_by: Optional[str], site: Optional[str], severity: Optional[str], out: str, ledger_path: Optional[str],
             today: Optional[str], as_json: bool) -> None:
    """Write a batch re-inspection plan: fill in result (pass/fail/skip), note, deadline, evidence."""
    from ..hazard.batchplan import write_plan

    rows = open_ledger(ledger_path, today).reinspect_plan(date_value(due_by, "--due-by"), site.upper() if site else None, severity)
    write_plan(rows, Path(out))
    if as_json:
        emit_json({"out": out, "rows": len(rows), "sites": len({r["site"] for r in rows})})
    else:
        click.echo(f"Wrote {len(rows)} hazard(s) at {len({r['site'] for r in rows})} site(s) to {out}.")


@reinspect.command("apply")
@click.argument("plan_file", type=click.Path(exists=True, dir_okay=False))
@inspector_option
@click.option("--dry-run", is_flag=True, help="Check every row and report, change nothing.")
@ledger_option
@today_option
@json_option
def apply_cmd(plan_file: str, inspectors: tuple[str, ...], dry_run: bool, ledger_path: Optional[str],
              today: Optional[str], as_json: bool) -> None:
    """Apply a filled plan in one all-or-nothing write; bad rows are listed with line numbers."""
    ledger = open_ledger(ledger_path, today)
    people = parse_inspectors(inspectors)
    if as_json:
        summary = ledger.reinspect_apply(Path(plan_file), people, dry_run)
    else:
        summary = _with_progress(lambda cb: ledger.reinspect_apply(Path(plan_file), people, dry_run, cb))
    counts = {k: len(summary[k]) for k in ("closed", "reopened", "unchanged")}
    if as_json:
        emit_json({**counts, "dry_run": dry_run, "hazards": {k: summary[k] for k in counts}})
    else:
        prefix = "Dry run, nothing changed: would have " if dry_run else ""
        click.echo(f"{prefix}closed {counts['closed']}, reopened {counts['reopened']}, unchanged {counts['unchanged']}.")


def _with_progress(work: Any) -> Any:
    from rich.progress import Progress

    with Progress(console=console(stderr=True), transient=True) as bar:
        task = bar.add_task("Re-inspecting", total=None)

        def update(done: int, total: int) -> None:
            if total >= 200 and done % 100 in (0, total % 100):
                bar.update(task, completed=done, total=total)

        return work(update)
