"""The interactive 复查 visit: a site's active hazards, one by one."""
from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from .options import console

if TYPE_CHECKING:
    from ..ledger import Ledger


def walk_site(ledger: Ledger, code: str, inspectors: list[dict[str, str]]) -> dict[str, Any]:
    from rich.markup import escape

    from ..errors import InspectError
    from ..hazard.moves import HazardQuery
    from ..hazard.lifecycle import ACTIVE, can_reinspect

    con = console()
    site = ledger.site(code)
    rows, _ = ledger.hazards(HazardQuery(site=site["code"], status=ACTIVE, sort="deadline"))
    due = [h for h in rows if can_reinspect(h, ledger.clock.today)]
    con.print(f"[bold]{escape(site['name'])}[/bold]: {len(rows)} active hazard(s), {len(due)} ready for re-inspection "
              f"(fix reported or deadline reached).")
    summary: dict[str, list[str]] = {"closed": [], "reopened": [], "skipped": []}
    for n, h in enumerate(due, 1):
        con.print(f"\n[dim]{n}/{len(due)}[/dim] [bold]{h['id']}[/bold] {'[red]重大[/red]' if h['severity'] == 'major' else '一般'} "
                  f"{escape(h['item'])}  期限 {h['deadline']}\n  {escape(h.get('description') or '')}")
        choice = click.prompt("Re-inspection: pass / fail / skip", type=click.Choice(["pass", "fail", "skip"]))
        if choice == "skip":
            summary["skipped"].append(h["id"])
            continue
        note = click.prompt("Note", default="", show_default=False)
        files = [Path(p.strip()) for p in click.prompt("Evidence files, separated by ';'", default="",
                                                        show_default=False).split(";") if p.strip()]
        deadline = click.prompt("New deadline", default="", show_default=False) or None if choice == "fail" else None
        try:
            result = ledger.reinspect(h["id"], choice, inspectors, note, tuple(files), deadline)
        except InspectError as e:  # one hazard's refusal must not end the visit
            con.print(f"[red]Not recorded: {escape(str(e))}[/red]")
            for p in getattr(e, "problems", []):
                con.print(f"[red]  {escape(p)}[/red]")
            summary["skipped"].append(h["id"])
            continue
        summary["closed" if result["status"] == "closed" else "reopened"].append(h["id"])
    con.print(f"\nClosed {len(summary['closed'])}, reopened {len(summary['reopened'])}, skipped {len(summary['skipped'])}.")
    return summary
