"""``inspect verify``: detect edited, removed or reordered history."""
from __future__ import annotations

from typing import Optional

import click

from .options import emit_json, json_option, ledger_option


@click.command()
@ledger_option
@json_option
def verify(ledger_path: Optional[str], as_json: bool) -> None:
    """Check every hazard's and case's hash-chained history; exit 8 and name them if anything was changed."""
    from ..ledger import open_ledger

    result = open_ledger(ledger_path).verify()
    if as_json:
        emit_json(dict(result, ok=not result["problems"]))
    else:
        for p in result["problems"]:
            click.echo(p)
        state = "OK" if not result["problems"] else f"{len(result['problems'])} PROBLEM(S)"
        cases = f", {result['cases']} case(s) with {result['case_events']} event(s)" if result["cases"] else ""
        click.echo(f"{state}: {result['hazards']} hazard(s), {result['events']} event(s){cases} checked.",
                   err=bool(result["problems"]))
    if result["problems"]:
        raise click.exceptions.Exit(8)
