"""Rich rendering of one checklist for ``inspect checklist show``."""
from __future__ import annotations

import datetime as dt
from typing import Any, Optional

from ..checklist.model import Checklist, Item


def print_checklist(con: Any, c: Checklist, lang: str, t: dict[str, str], on: Optional[dt.date] = None) -> None:
    from rich.table import Table

    from ..checklist.legal import STATUS_TEXT

    con.print(f"[bold]{c.title.get(lang)}[/bold]  {c.ref}  ({c.domain_name(lang)})")
    if on is not None:
        status = c.legal_status(on)
        colour = "green" if status == "in_force" else "red"
        con.print(f"[{colour}]{STATUS_TEXT[lang][status]}[/{colour}] ({on.isoformat()})")
    con.print(c.applies_to.get("description_en" if lang == "en" and c.applies_to.get("description_en") else "description", ""))
    for s in c.sources.values():
        flag = " [red]重大隐患判定标准[/red]" if s.is_determination_standard else ""
        legal = f" [red]repealed {s.repealed} → {s.replacement()}[/red]" if s.repealed else ""
        con.print(f"  [dim]{s.key}[/dim] 《{s.title}》 {s.number} {s.kind} {s.in_force}{legal} [dim]{s.verification}[/dim]{flag}")
    for section in c.sections:
        title = section.title.get(lang) + (f"  [{t['repeat']}: {section.repeat.get(lang)}]" if section.repeat else "")
        table = Table(title=title, title_justify="left", show_lines=False, expand=True)
        table.add_column(t["id"], no_wrap=True)
        table.add_column(t["title"], ratio=3)
        table.add_column(t["severity"], no_wrap=True)
        table.add_column(t["basis"], ratio=2)
        for item in section.items:
            table.add_row(item.id, _item_text(item, lang, t), t["major_v"] if item.severity == "major" else t["general_v"],
                          "；".join(f"{b.source.key} {b.clause}" + ("（条款待核实）" if b.unverified else "")
                                   for b in item.basis))
        con.print(table)
    for skip in c.skipped:
        con.print(f"[dim]{t['skipped']}: {skip.item} — {skip.reason}[/dim]")


def _item_text(item: Item, lang: str, t: dict[str, str]) -> str:
    from rich.markup import escape

    text = escape(item.text.get(lang))
    if item.type == "number" and item.pass_range:
        text += f"\n[dim]{t['pass']}: {item.pass_range.describe(item.unit)}[/dim]"
    if item.type == "choice":
        text += "\n[dim]" + " / ".join(escape(o.text.get(lang)) for o in item.options) + "[/dim]"
    if item.when:
        text += f"\n[dim]when: {escape(item.when)}[/dim]"
    return text
