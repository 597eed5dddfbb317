"""``inspect inspection``: list inspections and show one (answers, findings, documents issued)."""
from __future__ import annotations

from typing import Any, Optional

import click

from ..hazard import vocab
from .complete import complete_checklists, complete_inspections, complete_sites
from .options import (checklist_dir_option, console, date_value, emit_json, json_option, ledger_option, open_ledger,
                      today_option)

OUTCOME_ZH = {"pass": "合格", "fail": "不合格", "na": "不适用", "recorded": "已记录"}
SEVERITY_ZH = {k: v[0] for k, v in vocab.SEVERITY.items()}
HAZARD_STATUS_ZH = vocab.zh(vocab.STATUS)


@click.group()
def inspection() -> None:
    """List inspections (现场检查) and show one with its answers, findings and documents."""


@inspection.command("list")
@click.option("--site", metavar="CODE", shell_complete=complete_sites, help="Only inspections of this site (unified social credit code).")
@click.option("--from", "date_from", metavar="YYYY-MM-DD", help="Only inspections on or after this date.")
@click.option("--to", "date_to", metavar="YYYY-MM-DD", help="Only inspections on or before this date.")
@click.option("--checklist", metavar="ID[@VERSION]", shell_complete=complete_checklists, help="Only inspections with this checklist.")
@click.option("--inspector", metavar="NAME|CERT_NO", help="Only inspections by this inspector (name or certificate number).")
@click.option("--status", type=click.Choice(["in_progress", "completed"]),
              help="Only finished (completed) or interrupted (in_progress) inspections.")
@ledger_option
@today_option
@json_option
def list_cmd(site: Optional[str], date_from: Optional[str], date_to: Optional[str], checklist: Optional[str],
             inspector: Optional[str], status: Optional[str], ledger_path: Optional[str], today: Optional[str],
             as_json: bool) -> None:
    """List inspections, oldest first; --json for scripts.

    \b
    inspect inspection list --site 91350100M000100Y43 --from 2026-01-01 --to 2026-03-31
    inspect inspection list --inspector 张伟 --json
    """
    from ..inspection.index import InspectionQuery

    q = InspectionQuery(site=site, date_from=date_value(date_from, "--from"), date_to=date_value(date_to, "--to"),
                        checklist=checklist, inspector=inspector, status=status)
    if q.date_from and q.date_to and q.date_from > q.date_to:
        raise click.UsageError(f"--from {q.date_from} is after --to {q.date_to}")
    rows = open_ledger(ledger_path, today).find_inspections(q)
    if as_json:
        emit_json({"total": len(rows), "inspections": rows})
        return
    print_table(rows)
    click.echo(f"{len(rows)} inspection(s).")


def print_table(rows: list[dict[str, Any]], with_site: bool = True) -> None:
    from rich.table import Table

    from ..inspection.index import KIND_ZH, STATUS_ZH

    table = Table()
    columns = ["检查编号", "日期", *(["被检查单位"] if with_site else []), "检查表", "类型", "检查人员", "状态", "隐患"]
    for col in columns:
        table.add_column(col, no_wrap=col in ("检查编号", "日期"), overflow="fold")
    for r in rows:
        site = [r.get("site_name") or r.get("site") or ""] if with_site else []
        table.add_row(r["id"], r.get("date") or "", *site, f"{r.get('checklist')}@{r.get('checklist_version')}",
                      KIND_ZH.get(r.get("kind") or "", r.get("kind") or ""),
                      "、".join(i.get("name", "") for i in r.get("inspectors") or []),
                      STATUS_ZH.get(r.get("status") or "", r.get("status") or ""), str(len(r.get("hazards") or [])))
    console().print(table)


@inspection.command("show")
@click.argument("inspection_id", metavar="INSPECTION_ID", shell_complete=complete_inspections)
@checklist_dir_option
@ledger_option
@today_option
@json_option
def show(inspection_id: str, checklist_dirs: tuple[str, ...], ledger_path: Optional[str], today: Optional[str],
         as_json: bool) -> None:
    """Show one inspection: answers, findings (隐患) and the documents issued.

    \b
    inspect inspection show I-XXXXX-XXXXX
    """
    detail = open_ledger(ledger_path, today).inspection_detail(inspection_id)
    rec, hazards, documents = detail["inspection"], detail["hazards"], detail["documents"]
    if as_json:
        from ..hazard.moves import LIST_KEYS

        emit_json(dict(rec, hazards=[{k: h.get(k) for k in LIST_KEYS} for h in hazards], documents=documents))
        return
    _print_detail(rec, hazards, documents, _checklist(rec, checklist_dirs))


def _checklist(rec: dict[str, Any], checklist_dirs: tuple[str, ...]) -> Any:
    """The checklist the inspection used, for the item texts; None when it is no longer installed."""
    from ..errors import InspectError
    from .options import registry

    try:
        return registry(checklist_dirs).get(f"{rec['checklist']}@{rec['checklist_version']}")
    except InspectError:
        return None


def answer_text(item: Any, detail: dict[str, Any]) -> str:
    """An answer as a person reads it: 是/否/不适用, the option's text, the value with its unit."""
    value = detail.get("answer")
    if detail.get("outcome") == "na" or value == "na":
        return "不适用"
    if value in ("yes", "no") and (item is None or item.type == "boolean"):
        return "是" if value == "yes" else "否"
    if item is not None and item.type == "choice":
        option = item.option(str(value))
        return option.text.zh if option else str(value)
    if item is not None and item.type == "number":
        return f"{value:g} {item.unit}".strip() if isinstance(value, (int, float)) else str(value)
    return str(value)


def _print_detail(rec: dict[str, Any], hazards: list[dict[str, Any]], documents: list[dict[str, Any]],
                  checklist: Any) -> None:
    from rich.markup import escape
    from rich.table import Table

    from ..inspection.answers import split_key
    from ..inspection.index import KIND_ZH, STATUS_ZH

    con = console()
    con.print(f"[bold]{rec['id']}[/bold]  {escape(rec.get('checklist_title') or '')} "
              f"{rec['checklist']}@{rec['checklist_version']}")
    con.print(f"  被检查单位: {escape(rec.get('site_name') or '')} ({rec['site']})")
    con.print(f"  日期: {rec.get('date')}   类型: {KIND_ZH.get(rec.get('kind') or '', rec.get('kind'))}   "
              f"状态: {STATUS_ZH.get(rec.get('status') or '', rec.get('status'))}")
    people = "、".join(f"{i.get('name')}" + (f"（执法证号 {i['cert']}）" if i.get("cert") else "")
                      for i in rec.get("inspectors") or [])
    con.print(f"  检查人员: {escape(people)}")
    if rec.get("status") == "in_progress":
        con.print(f"  [yellow]未完成：继续 inspect run --resume {rec['id']}[/yellow]")
    for section, names in (rec.get("units") or {}).items():
        if names:
            con.print(f"  单元 {escape(section)}: {escape('、'.join(names))}")
    table = Table(title=f"检查结果（{len(rec.get('answers') or {})} 项）", title_justify="left")
    for col in ("项目", "单元", "内容", "回答", "结论", "备注"):
        table.add_column(col, no_wrap=col == "项目")
    for key, detail in (rec.get("answers") or {}).items():
        item_id, unit = split_key(key)
        item = checklist.item(item_id) if checklist is not None else None
        outcome = detail.get("outcome") or ""
        shown = OUTCOME_ZH.get(outcome, outcome)
        table.add_row(escape(item_id), escape(unit or ""), escape(item.text.zh if item else ""),
                      escape(answer_text(item, detail)), f"[red]{shown}[/red]" if outcome == "fail" else shown,
                      escape(str(detail.get("note") or "")))
    con.print(table)
    if rec.get("ignored"):
        con.print(f"[dim]未采用（不适用于该单位）: {escape(', '.join(rec['ignored']))}[/dim]")
    con.print(f"\n[bold]隐患 {len(hazards)} 项[/bold]")
    for h in hazards:
        unit = f"[{h['unit']}] " if h.get("unit") else ""
        overdue = " [red]逾期[/red]" if h.get("overdue") else ""
        con.print(f"  {h['id']}  {SEVERITY_ZH.get(h.get('severity') or '', '')}  {escape(unit)}{escape(h['item'])}  "
                  f"{HAZARD_STATUS_ZH.get(h.get('status') or '', h.get('status'))}  期限 {h.get('deadline')}{overdue}")
        con.print(f"      {escape(h.get('description') or '')}")
    con.print(f"\n[bold]已出具文书 {len(documents)} 份[/bold]")
    for d in documents:
        con.print(f"  {escape(d['title'])}  {escape(str(d.get('number') or ''))}  {d.get('date') or ''}"
                  + (f"  ({d['subject']})" if d["subject"] != rec["id"] else ""))
    if not documents:
        con.print(f"[dim]  inspect report record {rec['id']} / inspect report order {rec['id']}[/dim]")
