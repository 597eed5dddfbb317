"""``inspect conflicts``: what two laptops changed differently, and its resolution."""
from __future__ import annotations

from typing import Any, Optional

import click

from .options import emit_json, json_option, ledger_option, open_existing, today_option


@click.group("conflicts", invoke_without_command=True)
@click.option("--all", "show_all", is_flag=True, help="Also list resolved conflicts.")
@ledger_option
@json_option
@click.pass_context
def conflicts(ctx: click.Context, show_all: bool, ledger_path: Optional[str], as_json: bool) -> None:
    """List conflicts between ledgers (a hazard changed on two laptops, a record that differs)."""
    if ctx.invoked_subcommand is not None:
        return
    ledger = open_existing(ledger_path, None)
    rows = ledger.conflicts(show_all)
    if as_json:
        emit_json({"conflicts": rows, "total": len(rows)})
        return
    if not rows:
        click.echo("No open conflicts." if not show_all else "No conflicts.")
        return
    for c in rows:
        click.echo(_line(c))
    click.echo(f"{len(rows)} conflict(s). Resolve one with: inspect conflicts resolve ID --keep mine|theirs --reason TEXT")


def _line(c: dict[str, Any]) -> str:
    if c["kind"] == "hazard":
        mine = ", ".join(f"{e['type']} {e['date']}" for e in c["mine"]) or "nothing"
        theirs = ", ".join(f"{e['type']} {e['date']}" for e in c["theirs"])
        return (f"{c['id']}  [{c['status']}] hazard {c['hazard']} after event {c['fork']}: "
                f"mine (shown): {mine}; theirs: {theirs}")
    if c["kind"] == "case":
        return f"{c['id']}  [{c['status']}] case {c['case']} was changed on both ledgers ({len(c['theirs'])} other event(s))"
    return f"{c['id']}  [{c['status']}] {c['table'][:-1]} {c['record']} differs between the ledgers"


@conflicts.command("resolve")
@click.argument("conflict_id")
@click.option("--keep", required=True, type=click.Choice(["mine", "theirs"]),
              help="mine: the history this ledger shows; theirs: the other branch.")
@click.option("--reason", required=True, help="Why (recorded with the resolution).")
@ledger_option
@today_option
@json_option
def resolve(conflict_id: str, keep: str, reason: str, ledger_path: Optional[str], today: Optional[str],
            as_json: bool) -> None:
    """Resolve a conflict by keeping one side; recorded as an event, nothing is deleted."""
    ledger = open_existing(ledger_path, today)
    out = ledger.resolve_conflict(conflict_id, keep, reason)
    if as_json:
        emit_json(out)
    else:
        click.echo(f"Conflict {out['conflict']} resolved: kept {keep}.")
