"""The questions of an interactive inspection."""
from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from ..inspection.answers import Step, normalise_answer

if TYPE_CHECKING:
    from ..records import Inspection, Site
    from ..ledger import Ledger


def ask_units(con: Any, ledger: Ledger, checklist: Any, rec: Inspection, site: Site) -> Inspection:
    """Name the units of each repeated section that applies (each dust collector, each space)."""
    from ..inspection.record import section_applies

    for section in checklist.sections:
        if not section.repeat or section.id in rec["units"]:
            continue
        if not section_applies(checklist, section, site, dt.date.fromisoformat(rec["date"])):
            continue
        con.print(f"\n[bold]{section.title.zh}[/bold] is answered once per {section.repeat.zh}.")
        text = click.prompt(f"Name each {section.repeat.zh} on site, separated by commas (empty: none)",
                            default="", show_default=False)
        names = [n.strip() for n in text.replace("，", ",").split(",") if n.strip()]
        rec = ledger.set_units(rec["id"], section.id, names)
    return rec


def ask_step(con: Any, step: Step, n: int, total: int, today: dt.date, settings: dict[str, Any]) -> dict[str, Any]:
    from rich.markup import escape

    item = step.item
    unit = f" [{escape(step.unit)}]" if step.unit else ""
    flag = " [red]重大隐患判定项[/red]" if item.severity == "major" else ""
    con.print(f"\n[dim]{n}/{total}  {escape(step.section.title.zh)}{unit}[/dim]")
    con.print(f"[bold]{escape(item.id)}[/bold]{flag}  {escape(item.text.zh)}")
    if item.guidance:
        con.print(f"[dim]检查方法: {escape(item.guidance.zh)}[/dim]")
    con.print("[dim]依据: " + escape("；".join(b.cite() for b in item.basis)) + "[/dim]")
    while True:
        raw = click.prompt(_hint(item))
        try:
            detail = normalise_answer(item, raw)
            break
        except ValueError as e:
            con.print(f"[red]{escape(str(e))}[/red]")
    if detail["outcome"] == "fail":
        detail.update(_ask_failure(con, item, today, item.rectify_days or int(settings[f"deadline.{item.severity}"])))
    elif detail["outcome"] in ("pass", "na"):
        note = click.prompt("Note (optional)", default="", show_default=False)
        if note:
            detail["note"] = note
    return detail


def _hint(item: Any) -> str:
    if item.type == "boolean":
        return "Compliant? yes / no / na"
    if item.type == "number":
        rng = item.pass_range.describe(item.unit) if item.pass_range else ""
        return f"Measured value in {item.unit} (pass {rng}), or na"
    if item.type == "choice":
        return "Choose " + " / ".join(f"{o.value} ({o.text.zh})" for o in item.options) + " / na"
    return "Record (text), or na"


def _ask_failure(con: Any, item: Any, today: dt.date, days: int) -> dict[str, Any]:
    out: dict[str, Any] = {}
    out["description"] = click.prompt("Finding (隐患描述)", default=item.finding_text.zh)
    out["location"] = click.prompt("Location (部位)", default="", show_default=False)
    note = click.prompt("Note (备注)", default="", show_default=False)
    if note:
        out["note"] = note
    while True:
        text = click.prompt("Evidence files, separated by ';'" + (" (required)" if item.evidence_required else ""),
                            default="", show_default=False)
        files = [p.strip() for p in text.split(";") if p.strip()]
        missing = [p for p in files if not Path(p).is_file()]
        if missing:
            con.print(f"[red]No such file: {', '.join(missing)}[/red]")
        elif item.evidence_required and not files:
            con.print("[red]This item requires evidence on failure (photo, document).[/red]")
        else:
            break
    if files:
        out["evidence"] = [str(Path(p).resolve()) for p in files]
    while True:
        deadline = click.prompt("Deadline (整改期限)", default=(today + dt.timedelta(days=days)).isoformat())
        try:
            if dt.date.fromisoformat(deadline) >= today:
                break
        except ValueError:
            pass
        con.print("[red]Use a date YYYY-MM-DD, not before today.[/red]")
    out["deadline"] = deadline
    out["fixed_on_spot"] = click.confirm("Fixed on the spot (当场整改)?", default=False)
    return out
