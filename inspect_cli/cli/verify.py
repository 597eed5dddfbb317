"""``inspect verify``: detect edited, removed or reordered history."""
from __future__ import annotations

from typing import Optional

import click

from .options import emit_json, json_option, ledger_option


@click.command()
@ledger_option
@json_option
def verify(ledger_path: Optional[str], as_json: bool) -> None:
    """Check every hazard's hash-chained history; exit 8 and name the hazards if anything was changed."""
    from ..ledger import open_ledger

    result = open_ledger(ledger_path).verify()
    if as_json:
        emit_json(dict(result, ok=not result["problems"]))
    else:
        for p in result["problems"]:
            click.echo(p)
        state = "OK" if not result["problems"] else f"{len(result['problems'])} PROBLEM(S)"
        click.echo(f"{state}: {result['hazards']} hazard(s), {result['events']} event(s) checked.",
                   err=bool(result["problems"]))
    if result["problems"]:
        raise click.exceptions.Exit(8)
