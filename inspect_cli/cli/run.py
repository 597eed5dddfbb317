"""``inspect run``: an inspection at a site, interactive or from an answers file."""
from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import TYPE_CHECKING, Any, Mapping, Optional

import click

from ..inspection.kinds import KINDS
from .complete import complete_checklists, complete_inspections, complete_sites
from .options import (checklist_dir_option, console, emit_json, inspector_option, json_option, lang_option,
                      ledger_option, open_ledger, parse_inspectors, registry, today_option)

if TYPE_CHECKING:
    from ..records import Hazard, Inspection
    from ..ledger import Ledger


@click.command()
@click.argument("checklist_ref", metavar="CHECKLIST[@VERSION]", required=False, shell_complete=complete_checklists)
@click.option("--site", "site_code", metavar="CODE", shell_complete=complete_sites, help="The site's unified social credit code.")
@inspector_option
@click.option("--kind", type=click.Choice(KINDS), default="enforcement", show_default=True,
              help="enforcement 执法检查, random 双随机, special 专项, lookback 回头看, unannounced 暗访暗查, "
                   "complaint 举报核查 (two certified inspectors each), self 自查 (one enterprise person).")
@click.option("--campaign", "campaign", metavar="CAMPAIGN_ID",
              help="Made under this campaign (专项整治): tagged with it; the kind is special unless --kind says.")
@click.option("--answers", "answers_file", type=click.Path(exists=True, dir_okay=False),
              help="Answer every item from a YAML file (non-interactive; all or nothing).")
@click.option("--started", metavar="HH:MM", help="检查时间: when the inspection began (printed on the record).")
@click.option("--finished", metavar="HH:MM", help="检查时间: when it ended (with --started).")
@click.option("--resume", "resume_id", metavar="INSPECTION_ID", shell_complete=complete_inspections, help="Continue an interrupted interactive run.")
@checklist_dir_option
@ledger_option
@today_option
@lang_option
@json_option
def run(checklist_ref: Optional[str], site_code: Optional[str], inspectors: tuple[str, ...], kind: str,
        campaign: Optional[str], answers_file: Optional[str], resume_id: Optional[str], checklist_dirs: tuple[str, ...],
        ledger_path: Optional[str], today: Optional[str], lang: str, as_json: bool, started: Optional[str] = None,
        finished: Optional[str] = None) -> None:
    """Run a checklist at a site: every failed item becomes a hazard (隐患) in the ledger.

    \b
    Interactive:   inspect run dust-explosion --site CODE --inspector 张伟:44010012345 --inspector 李娜:44010067890
    From a file:   inspect run dust-explosion --site CODE --inspector ... --answers answers.yaml
    Resume:        inspect run --resume I-XXXXX-XXXXX

    Interactive answers: 是/否/不适用, y/n/na, or a number (1 是, 2 否, 0 不适用; a choice's
    option number). A "+" after the answer asks for a note (备注); a failed item always asks
    for the finding, location, note, evidence and deadline.
    """
    ledger = open_ledger(ledger_path, today)
    reg = registry(checklist_dirs)
    if resume_id:
        if answers_file or checklist_ref or site_code:
            raise click.UsageError("--resume continues an interactive run: give only --resume INSPECTION_ID")
        rec = ledger.inspection(resume_id)
        checklist = reg.get(f"{rec['checklist']}@{rec['checklist_version']}")
        return _interactive(ledger, checklist, rec, as_json, lang, (started, finished))
    if not checklist_ref or not site_code:
        raise click.UsageError("give a CHECKLIST and --site CODE (or --resume INSPECTION_ID)")
    from ..checklist.legal import require_in_force

    date = ledger.clock.today  # the inspection date decides which law applies
    checklist = reg.get(checklist_ref, on=date)
    require_in_force(checklist, date, reg)
    people = parse_inspectors(inspectors)
    ctx = click.get_current_context()
    if campaign and ctx.get_parameter_source("kind") == click.core.ParameterSource.DEFAULT:
        kind = "special"
    if answers_file:
        from ..inputs import load_yaml

        doc, _ = load_yaml(Path(answers_file))
        if (started or finished) and isinstance(doc, dict):
            doc = dict(doc, started=started, finished=finished)
        result = ledger.run_answers(checklist, site_code, people, kind, doc, Path(answers_file).resolve().parent,
                                    campaign)
        return _report(result["inspection"], result["hazards"], result["ignored"], as_json, lang)
    ledger.site(site_code)  # an unknown site is refused before anything is written
    if started or finished:  # checked before anything is written
        from ..visit_times import visit_times

        visit_times(started, finished, ledger.clock.today, ledger.clock.zone)
    rec = ledger.start_inspection(checklist, site_code, people, kind, campaign)
    _interactive(ledger, checklist, rec, as_json, lang, (started, finished))


def _ask_times(con: Any, ledger: Ledger, rec: Inspection, given: tuple[Optional[str], Optional[str]]) -> None:
    """检查时间: the times given as options; else, at a terminal, asked (defaulting to the run's
    own start and now, unless the run is back-dated); else none (the record leaves blanks)."""
    import datetime as dt
    import sys

    started, finished = given
    if not (started or finished) and sys.stdin.isatty():
        live = ledger.clock.today == dt.datetime.now(ledger.clock.zone).date()
        began = str(rec.get("started_at") or "")[11:16] if live else ""
        now = dt.datetime.now(ledger.clock.zone).strftime("%H:%M") if live else ""
        con.print("检查时间 (HH:MM; leave empty to write it by hand on the record)")
        started = click.prompt("  started", default=began, show_default=bool(began)) or None
        if started:
            finished = click.prompt("  finished", default=now, show_default=bool(now)) or None
    if started or finished:
        ledger.set_visit_times(rec["id"], started, finished)


def _interactive(ledger: Ledger, checklist: Any, rec: Inspection, as_json: bool, lang: str,
                 times: tuple[Optional[str], Optional[str]] = (None, None)) -> None:
    from rich.markup import escape

    from .run_prompts import ask_step, ask_units, t

    con = console()
    site = ledger.visit_site(rec)
    con.print(f"[bold]{escape(checklist.title.get(lang))}[/bold] {checklist.ref} — {escape(site['name'])} ({site['code']})")
    con.print(t(lang, "header", id=rec["id"]))
    try:
        rec = ask_units(con, ledger, checklist, rec, site, lang)
        from ..inspection.answers import pending

        settings = ledger.settings()
        today = dt.date.fromisoformat(rec["date"])
        while True:
            todo = pending(rec, checklist, site)
            if not todo:
                break
            done = len(rec["answers"])
            missing = _missing_bounds(checklist, todo[0], site, rec)
            if missing:  # a per-site limit (核定人数 …) not recorded: asked on site, kept with the inspection
                rec = ledger.set_site_value(rec["id"], missing, _ask_number(checklist, missing, lang))
                continue
            detail = ask_step(con, todo[0], done + 1, done + len(todo), today, settings, lang)
            rec = ledger.save_answer(rec["id"], todo[0].key, detail)
    except (KeyboardInterrupt, click.exceptions.Abort):
        con.print(t(lang, "stopped", n=len(rec["answers"]), id=rec["id"]))
        raise click.exceptions.Exit(130)
    _ask_times(con, ledger, rec, times)
    rec, created = ledger.finish_inspection(rec["id"], checklist)
    _report(rec, created, [], as_json, lang)


def _missing_bounds(checklist: Any, step: Any, site: Mapping[str, Any], rec: Mapping[str, Any]) -> str:
    from ..inspection.answers import missing_bounds, with_site_values

    missing = missing_bounds(step.item, checklist, with_site_values(site, rec.get("site_values")))
    return missing[0].partition(".")[2] if missing and missing[0].startswith("site.") else ""


def _ask_number(checklist: Any, name: str, lang: str = "zh") -> float:
    attr = checklist.attributes.get(name)
    label = f"{attr.text.get(lang)} (site.{name})" if attr else f"site.{name}"
    ask = (f"{label} is not recorded for this site; value found on site" if lang == "en"
           else f"{label}：该单位未登记此值，请填写现场核实的数值")
    value: float = click.prompt(ask, type=float)
    return value


def _report(rec: Mapping[str, Any], created: list[Hazard], ignored: list[str], as_json: bool,
            lang: str = "zh") -> None:
    if as_json:
        keys = ("id", "item", "unit", "severity", "status", "deadline", "description", "basis")
        emit_json({"inspection": rec["id"], "site": rec["site"], "checklist": rec["checklist"],
                   "checklist_version": rec["checklist_version"], "answers": len(rec["answers"]),
                   "hazards": [{k: h.get(k) for k in keys} for h in created], "ignored": ignored})
        return
    from rich.markup import escape

    con = console()
    if lang == "en":
        con.print(f"Inspection [bold]{rec['id']}[/bold] saved: {len(rec['answers'])} answers, {len(created)} hazard(s).")
    else:
        con.print(f"检查 [bold]{rec['id']}[/bold] 已保存：{len(rec['answers'])} 项回答，{len(created)} 项隐患。")
    for h in created:
        flag = "[red]重大[/red]" if h["severity"] == "major" else "一般"
        state = "当场整改，已销号" if h["status"] == "closed" else f"期限 {h['deadline']}"
        unit = f"[{h['unit']}] " if h.get("unit") else ""
        con.print(f"  {h['id']}  {flag}  {escape(unit)}{h['item']}  {state}")
        con.print(f"      {escape(h.get('description') or '')}")
    if ignored:
        word = "Ignored (not applicable at this site)" if lang == "en" else "未采用（不适用于该单位）"
        con.print(f"[dim]{word}: {', '.join(ignored)}[/dim]")
    con.print(f"[dim]inspect inspection show {rec['id']}[/dim]")
