"""``inspect hazard``: list, show and move hazards through rectification (整改)."""
from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any, Optional

import click

from ..hazard.moves import LIST_KEYS, SORT_FIELDS, HazardQuery
from ..hazard import vocab
from ..hazard.lifecycle import STATES
from .complete import complete_checklists, complete_inspections, complete_open_hazards, complete_sites
from .options import (date_value, emit_json, json_option, lang_option, ledger_option, open_ledger,
                      today_option)

if TYPE_CHECKING:
    from ..records import Hazard

PAGE = 50  # rows the table of `hazard list` draws unless --all or --limit

STATUS_ZH = vocab.zh(vocab.STATUS)
CSV_COLUMNS = ("id", "site", "site_name", "checklist", "checklist_version", "item", "unit", "severity", "status",
               "deadline", "overdue", "days_overdue", "created", "description", "basis", "inspection", "domain")


@click.group()
def hazard() -> None:
    """List, show and move hazards (隐患) through rectification (整改)."""


@hazard.command("list")
@click.option("--status", multiple=True, type=click.Choice(STATES), help="Filter by status (repeatable).")
@click.option("--severity", type=click.Choice(["general", "major"]), help="Only general (一般) or major (重大) hazards.")
@click.option("--site", metavar="CODE", shell_complete=complete_sites, help="Only this site (unified social credit code).")
@click.option("--checklist", metavar="ID", shell_complete=complete_checklists, help="Only hazards found with this checklist.")
@click.option("--domain", help="Only this domain, e.g. dust_explosion.")
@click.option("--inspection", metavar="ID", shell_complete=complete_inspections, help="Only hazards found at this inspection.")
@click.option("--overdue", is_flag=True, help="Only hazards past their deadline and not closed.")
@click.option("--due-before", metavar="DATE", help="Only hazards with a deadline before DATE.")
@click.option("--sort", type=click.Choice(SORT_FIELDS), default="deadline", show_default=True, help="Sort by this field.")
@click.option("--desc", is_flag=True, help="Sort descending.")
@click.option("--limit", type=click.IntRange(min=1),
              help=f"Show at most N (the total is still counted). The table shows {PAGE} unless --all; "
                   "--json and --csv give every match unless --limit.")
@click.option("--all", "show_all", is_flag=True, help="Draw every match in the table (not only the first page).")
@click.option("--offset", type=click.IntRange(min=0), default=0, help="Skip the first N (with --limit: the next page).")
@click.option("--csv", "as_csv", is_flag=True, help="Print CSV (UTF-8 with BOM, opens in Excel).")
@click.option("--repeat-offenders", is_flag=True,
              help="Sites with hazards overdue after a failed re-inspection; suggests a case, never opens one.")
@lang_option
@ledger_option
@today_option
@json_option
def list_cmd(status: tuple[str, ...], severity: Optional[str], site: Optional[str], checklist: Optional[str],
             domain: Optional[str], inspection: Optional[str], overdue: bool, due_before: Optional[str], sort: str,
             desc: bool, limit: Optional[int], show_all: bool, offset: int, as_csv: bool, repeat_offenders: bool,
             lang: str, ledger_path: Optional[str], today: Optional[str], as_json: bool) -> None:
    """List hazards with filters; --json and --csv for scripts."""
    from ..ids import normalise

    if as_csv and as_json:
        raise click.UsageError("choose one of --csv and --json")
    if repeat_offenders:
        from .render_case import repeat_offenders_cmd

        others = [o for o, v in (("--status", status), ("--severity", severity), ("--checklist", checklist),
                                 ("--domain", domain), ("--inspection", inspection), ("--overdue", overdue),
                                 ("--due-before", due_before), ("--limit", limit),
                                 ("--all", show_all)) if v]
        if others:
            raise click.UsageError(f"--repeat-offenders takes --site only, not {', '.join(others)}")
        repeat_offenders_cmd(open_ledger(ledger_path, today), site, as_json, as_csv)
        return
    if show_all and limit is not None:
        raise click.UsageError("choose one of --all and --limit")
    if limit is None and not (show_all or as_json or as_csv):
        limit = PAGE  # the table draws one page; scripts get every match
    q = HazardQuery(status=status, severity=severity, site=site.upper() if site else None, checklist=checklist,
                    domain=domain, inspection=normalise(inspection) if inspection else None, overdue=overdue,
                    due_before=date_value(due_before, "--due-before"), sort=sort, descending=desc, limit=limit,
                    offset=offset)
    rows, total = open_ledger(ledger_path, today).hazards(q)
    if as_json:
        emit_json({"total": total, "hazards": [_public(h) for h in rows]})
    elif as_csv:
        _csv(rows)
    else:
        _table(rows, total, lang, offset)


def _public(h: Hazard) -> dict[str, Any]:
    return {k: h.get(k) for k in LIST_KEYS}


def basis_text(h: Hazard) -> str:
    return "；".join(b.get("citation", "") for b in h.get("basis") or [])


def _csv(rows: list[Hazard]) -> None:
    import csv
    import sys

    from ..hazard.batchplan import csv_safe

    sys.stdout.write("\ufeff")
    w = csv.writer(sys.stdout, lineterminator="\n")
    w.writerow(CSV_COLUMNS)
    for h in rows:
        w.writerow([csv_safe(basis_text(h) if c == "basis" else ("" if h.get(c) is None else h.get(c))) for c in CSV_COLUMNS])


HEADERS = {"zh": ("编号", "单位", "检查项", "等级", "状态", "整改期限", "隐患描述"),
           "en": ("id", "site", "item", "severity", "status", "deadline", "finding")}
STATUS_EN = {k: v[1] for k, v in vocab.STATUS.items()}


def _table(rows: list[Hazard], total: int, lang: str = "zh", offset: int = 0) -> None:
    # the light table (no rich import): the first page of a list is a start-up-sized command
    from .light import Column, LightTable

    head = HEADERS[lang]
    table = LightTable([Column(head[0], fold=False), Column(head[1], min_width=6, max_width=12),
                        Column(head[2], max_width=14), Column(head[3], fold=False), Column(head[4], min_width=4),
                        Column(head[5], fold=False), Column(head[6], min_width=12, flexible=True)])
    major, general = ("重大", "一般") if lang == "zh" else ("major", "general")
    status_names = STATUS_ZH if lang == "zh" else STATUS_EN
    for h in rows:
        sev = (major, "red") if h["severity"] == "major" else (general, "")
        late = f"逾期{h['days_overdue']}天" if lang == "zh" else f"{h['days_overdue']} d late"
        deadline = (f"{h['deadline']}\n{late}", "red") if h["overdue"] else (str(h["deadline"]), "")
        unit = f"[{h['unit']}]" if h.get("unit") else ""
        table.add_row(h["id"], h.get("site_name") or h["site"], f"{h['item']}{unit}", sev,
                      status_names.get(h["status"], h["status"]), deadline, h.get("description") or "")
    table.print()
    more = total - offset - len(rows)
    if more > 0:
        click.echo(f"{len(rows)} of {total} hazard(s); {more} more: --all shows them all, "
                   f"--offset {offset + len(rows)} the next page.")
    else:
        click.echo(f"{len(rows)} of {total} hazard(s).")


@hazard.command("show")
@click.argument("hazard_id", shell_complete=complete_open_hazards)
@lang_option
@ledger_option
@today_option
@json_option
def show(hazard_id: str, lang: str, ledger_path: Optional[str], today: Optional[str], as_json: bool) -> None:
    """Show a hazard with its legal basis and its whole history as a timeline."""
    ledger = open_ledger(ledger_path, today)
    h, events = ledger.hazard(hazard_id)
    if as_json:
        emit_json(dict(h, history=ledger.hazard_history(hazard_id)))
        return
    from .light import LightConsole
    from .render_hazard import print_hazard

    print_hazard(LightConsole(), h, events, lang)  # a dozen lines: no need to import rich


@hazard.command("plan")
@click.argument("hazard_id", shell_complete=complete_open_hazards)
@click.option("--file", "plan_file", required=True, type=click.Path(exists=True, dir_okay=False),
              help="YAML with the six parts: goals, measures, funds, responsible, deadline, safety.")
@ledger_option
@today_option
@json_option
def plan(hazard_id: str, plan_file: str, ledger_path: Optional[str], today: Optional[str], as_json: bool) -> None:
    """Record the 治理方案 (rectification plan) of a major hazard."""
    from ..inputs import load_yaml

    data, _ = load_yaml(Path(plan_file))
    _done(open_ledger(ledger_path, today).plan(hazard_id, data), "plan recorded", as_json)


@hazard.command("extend")
@click.argument("hazard_id", shell_complete=complete_open_hazards)
@click.option("--to", "to", required=True, metavar="DATE", help="The new deadline.")
@click.option("--reason", required=True, help="Why the extension (延期) was granted.")
@ledger_option
@today_option
@json_option
def extend(hazard_id: str, to: str, reason: str, ledger_path: Optional[str], today: Optional[str], as_json: bool) -> None:
    """Extend a hazard's deadline (延期), with the reason."""
    h = open_ledger(ledger_path, today).extend(hazard_id, date_value(to, "--to"), reason)
    _done(h, f"deadline extended to {h['deadline']}", as_json)


@hazard.command("fixed")
@click.argument("hazard_id", shell_complete=complete_open_hazards)
@click.option("--note", default="", help="What the enterprise reports (整改情况).")
@click.option("--measures", default="", help="整改措施: what was done to remove the hazard.")
@click.option("--responsible", default="", help="整改责任人: who at the unit answered for the fix.")
@click.option("--funds", default="", help="整改资金: money spent on the fix, e.g. 1.2万元.")
@click.option("--evidence", multiple=True, type=click.Path(exists=True, dir_okay=False), help="Repeatable.")
@ledger_option
@today_option
@json_option
def fixed(hazard_id: str, note: str, measures: str, responsible: str, funds: str, evidence: tuple[str, ...],
          ledger_path: Optional[str], today: Optional[str], as_json: bool) -> None:
    """Record that the enterprise reported the hazard fixed (整改完成), awaiting re-inspection."""
    details = {"measures": measures, "responsible": responsible, "funds": funds}
    h = open_ledger(ledger_path, today).fixed(hazard_id, note, tuple(Path(e) for e in evidence), details)
    _done(h, "reported fixed; awaiting re-inspection (inspect reinspect hazard)", as_json)


@hazard.command("interim")
@click.argument("hazard_id", shell_complete=complete_open_hazards)
@click.option("--measures", required=True, help="Interim control measures (临时管控措施).")
@ledger_option
@today_option
@json_option
def interim(hazard_id: str, measures: str, ledger_path: Optional[str], today: Optional[str], as_json: bool) -> None:
    """Record interim control measures for a hazard that cannot be fixed at once."""
    _done(open_ledger(ledger_path, today).interim(hazard_id, measures), "interim measures recorded", as_json)


@hazard.command("supervise")
@click.argument("hazard_id", shell_complete=complete_open_hazards)
@click.option("--level", required=True, help="Government level of listed supervision, e.g. 市级.")
@click.option("--authority", required=True, help="The supervising authority.")
@ledger_option
@today_option
@json_option
def supervise(hazard_id: str, level: str, authority: str, ledger_path: Optional[str], today: Optional[str],
              as_json: bool) -> None:
    """Put a major hazard under listed supervision (挂牌督办)."""
    _done(open_ledger(ledger_path, today).supervise(hazard_id, level, authority), "listed supervision recorded", as_json)


def _done(h: Hazard, what: str, as_json: bool) -> None:
    if as_json:
        emit_json(_public(h) | {"events": h.get("events")})
    else:
        click.echo(f"{h['id']}: {what}. Status: {h['status']} ({STATUS_ZH.get(h['status'], '')}).")
