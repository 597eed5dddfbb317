"""``inspect sync OTHER``: exchange records with another ledger (a laptop and the bureau's server)."""
from __future__ import annotations

import sys
from typing import Any, Optional

import click

from .options import emit_json, json_option, ledger_option, today_option
from .progress import quiet_option, wanted

PHASES = {"compare": "Comparing", "push": "Pushing", "pull": "Pulling"}


@click.command("sync")
@click.argument("other", metavar="URL")
@click.option("--reserve", type=click.IntRange(min=1), metavar="N",
              help="Also take N more document numbers of each kind from the bureau "
                   "[default: a block of the setting docno.block when this ledger has fewer left].")
@ledger_option
@today_option
@json_option
@quiet_option
def sync_cmd(other: str, reserve: Optional[int], ledger_path: Optional[str], today: Optional[str],
             as_json: bool, quiet: bool) -> None:
    """Push what URL lacks, pull what this ledger lacks; verified like an import.

    \b
    inspect sync postgresql://zhang@bureau-db/inspect      # a laptop and the bureau
    inspect sync ../colleague.sqlite                        # any two ledgers
    A second sync reports nothing new; a killed sync is completed by running it again.
    Conflicts (one hazard changed on both sides) are kept on both sides, never dropped.
    """
    from ..ledger import open_ledger

    here = open_ledger(ledger_path, today=today)
    there = open_ledger(other, today=today)
    if here.location == there.location:
        from ..errors import UsageError

        raise UsageError(f"{other} is this ledger: sync needs another one")
    if wanted(quiet):  # a bar on stderr for a person at a terminal; stdout stays the result (or JSON)
        from rich.console import Console
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

        with Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                      console=Console(file=sys.stderr, highlight=False), transient=True) as bar:
            tasks: dict[str, Any] = {}

            def update(what: str, done: int, total: int) -> None:
                if what not in tasks:
                    tasks[what] = bar.add_task(PHASES.get(what, what), total=total)
                bar.update(tasks[what], completed=done, total=total)

            result = here.sync(there, reserve, update)
    else:
        result = here.sync(there, reserve)
    if as_json:
        emit_json(result)
        return
    for direction, word in (("pushed", "Pushed to"), ("pulled", "Pulled from")):
        counts = result[direction]
        parts = [f"{v} {k}" for k, v in counts.items() if v and k not in ("extended", "conflicts", "evidence")]
        if counts.get("extended"):
            parts.append(f"{counts['extended']} hazard(s) brought up to date")
        if counts.get("evidence"):
            parts.append(f"{counts['evidence']} evidence file(s)")
        click.echo(f"{word} {result['other']}: {', '.join(parts) or 'nothing new'}.")
    for block in result.get("blocks") or []:
        click.echo(f"Numbers {block['kind']} {block['year']}: {block['first']}–{block['last']} reserved for this ledger.")
    for c in result["conflicts"]:
        click.echo(f"Conflict: {c}", err=True)
