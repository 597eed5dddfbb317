"""``inspect export`` and ``inspect import``: merge ledgers from many laptops."""
from __future__ import annotations

from pathlib import Path
from typing import Optional

import click

from .options import date_value, emit_json, json_option, ledger_option, open_existing, open_ledger, today_option
from .progress import progress, quiet_option


@click.command("export")
@click.option("--out", required=True, type=click.Path(dir_okay=False), help="The bundle file to write (.zip).")
@click.option("--since", metavar="DATE", help="Only what changed on or after DATE (hazards with their whole history).")
@ledger_option
@today_option
@json_option
@quiet_option
def export_cmd(out: str, since: Optional[str], ledger_path: Optional[str], today: Optional[str], as_json: bool,
               quiet: bool) -> None:
    """Export sites, inspections, hazards, cases, their histories and evidence as a bundle.

    The bundle is written as the ledger is read: memory stays small however large the ledger.
    """
    since = date_value(since, "--since")
    ledger = open_existing(ledger_path, today)
    total = None if since else ledger.export_size()
    with progress("Exporting", total, quiet) as advance:
        counts = ledger.export(Path(out), since, advance)
    if as_json:
        emit_json(dict(counts, out=out))
    else:
        click.echo(f"Wrote {out}: " + ", ".join(f"{v} {k}" for k, v in counts.items()))


@click.command("import")
@click.argument("bundle", type=click.Path(exists=True, dir_okay=False))
@ledger_option
@today_option
@json_option
@quiet_option
def import_cmd(bundle: str, ledger_path: Optional[str], today: Optional[str], as_json: bool, quiet: bool) -> None:
    """Merge a bundle into the ledger: importing twice changes nothing; conflicts keep both sides.

    Every record is checked before anything is written, in bounded memory; a refused bundle
    changes nothing.
    """
    ledger = open_ledger(ledger_path, today)
    held = ledger.bundle_records(Path(bundle))
    with progress("Importing", 2 * held if held is not None else None, quiet) as advance:
        report = ledger.import_bundle(Path(bundle), advance)
    if as_json:
        emit_json(report)
        return
    added = ", ".join(f"{v} {k}" for k, v in report["added"].items() if v) or "nothing new"
    click.echo(f"Imported {bundle}: {added}; {report['extended']} hazard(s) brought up to date.")
    for c in report["conflicts"]:
        click.echo(f"Conflict: {c['message']}", err=True)
    for s in report.get("settings", []):
        click.echo(f"Setting differs: {s['message']}", err=True)
