"""``inspect verify``: detect edited, removed or reordered history; ``inspect seal``."""
from __future__ import annotations

import re
from pathlib import Path
from typing import Optional

import click

from .options import emit_json, json_option, ledger_option, today_option
from .progress import progress, quiet_option


@click.command()
@click.option("--seal", "seal_file", type=click.Path(dir_okay=False),
              help="Also prove that every record sealed in FILE (inspect seal) is still here unchanged.")
@click.option("--digest", metavar="HEX", help="With --seal: the digest printed when sealing (or on paper); "
                                              "the seal file must carry it.")
@ledger_option
@json_option
@quiet_option
def verify(seal_file: Optional[str], digest: Optional[str], ledger_path: Optional[str], as_json: bool,
           quiet: bool) -> None:
    """Check every hazard's and case's hash-chained history, the evidence files and (with --seal)
    a seal; exit 8 and name what differs if anything was changed."""
    from ..errors import UsageError
    from ..ledger import open_ledger

    if digest and not seal_file:
        raise UsageError("--digest checks a seal: give the seal file with --seal FILE")
    if digest is not None and not re.fullmatch(r"[0-9a-fA-F]{16,64}", digest.strip()):
        raise UsageError("--digest must be the seal's digest: at least its first 16 hexadecimal characters")
    ledger = open_ledger(ledger_path)
    ledger.require_existing()
    with progress("Verifying", ledger.verify_work(seal=bool(seal_file)), quiet) as advance:
        result = ledger.verify(Path(seal_file) if seal_file else None, digest, advance)
    if as_json:
        emit_json(dict(result, ok=not result["problems"]))
    else:
        for p in result["problems"]:
            click.echo(p)
        state = "OK" if not result["problems"] else f"{len(result['problems'])} PROBLEM(S)"
        cases = f", {result['cases']} case(s) with {result['case_events']} event(s)" if result.get("cases") else ""
        extra = ""
        if "seal" in result:
            s = result["seal"]
            extra = f" Seal {s['digest'][:16]}… of {s['date']}: {s['checked']} sealed record(s) checked."
            added = ", ".join(f"{n} {k}(s)" for k, n in s["added"].items() if n)
            if added:  # not a problem: a ledger grows; but a seal cannot vouch for these
                extra += f" Added since the seal (not covered by it): {added}."
        click.echo(f"{state}: {result['hazards']} hazard(s), {result['events']} event(s){cases} checked.{extra}",
                   err=bool(result["problems"]))
    if result["problems"]:
        raise click.exceptions.Exit(8)


@click.command("seal")
@click.option("--out", required=True, type=click.Path(dir_okay=False), help="The seal file to write (keep it "
              "outside the ledger's folder: on paper, a USB stick, the bureau's server).")
@ledger_option
@today_option
@json_option
@quiet_option
def seal(out: str, ledger_path: Optional[str], today: Optional[str], as_json: bool, quiet: bool) -> None:
    """Seal the case record: write a digest of every event, inspection, site and document number."""
    from ..ledger import open_ledger

    ledger = open_ledger(ledger_path, today=today)
    ledger.require_existing()
    with progress("Sealing", ledger.seal_work(), quiet) as advance:
        made = ledger.seal(Path(out), advance)
    if as_json:
        emit_json({k: v for k, v in made.items() if k != "records"} | {"out": out})
        return
    counts = ", ".join(f"{v} {k}(s)" for k, v in made["counts"].items())
    click.echo(f"Sealed {counts} on {made['date']} into {out}.")
    click.echo(made["digest"])
    if not made.get("recorded"):
        click.echo(f"Not recorded in the ledger ({made.get('not_recorded')}): the monthly bulletin cites the latest "
                   "seal recorded there.", err=True)
