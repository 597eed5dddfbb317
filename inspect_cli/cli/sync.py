"""``inspect export`` and ``inspect import``: merge ledgers from many laptops."""
from __future__ import annotations

from pathlib import Path
from typing import Optional

import click

from .options import date_value, emit_json, json_option, ledger_option, open_ledger, today_option


@click.command("export")
@click.option("--out", required=True, type=click.Path(dir_okay=False), help="The bundle file to write (.zip).")
@click.option("--since", metavar="DATE", help="Only what changed on or after DATE (hazards with their whole history).")
@ledger_option
@today_option
@json_option
def export_cmd(out: str, since: Optional[str], ledger_path: Optional[str], today: Optional[str], as_json: bool) -> None:
    """Export sites, inspections, hazards, cases, their histories and evidence as a bundle."""
    counts = open_ledger(ledger_path, today).export(Path(out), date_value(since, "--since"))
    if as_json:
        emit_json(dict(counts, out=out))
    else:
        click.echo(f"Wrote {out}: " + ", ".join(f"{v} {k}" for k, v in counts.items()))


@click.command("import")
@click.argument("bundle", type=click.Path(exists=True, dir_okay=False))
@ledger_option
@today_option
@json_option
def import_cmd(bundle: str, ledger_path: Optional[str], today: Optional[str], as_json: bool) -> None:
    """Merge a bundle into the ledger: importing twice changes nothing; conflicts keep both sides."""
    report = open_ledger(ledger_path, today).import_bundle(Path(bundle))
    if as_json:
        emit_json(report)
        return
    added = ", ".join(f"{v} {k}" for k, v in report["added"].items() if v) or "nothing new"
    click.echo(f"Imported {bundle}: {added}; {report['extended']} hazard(s) brought up to date.")
    for c in report["conflicts"]:
        click.echo(f"Conflict: {c['message']}", err=True)
    for s in report.get("settings", []):
        click.echo(f"Setting differs: {s['message']}", err=True)
