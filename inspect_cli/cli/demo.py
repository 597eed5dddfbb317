"""``inspect demo``: the whole closed loop in one command, for a newcomer."""
from __future__ import annotations

from pathlib import Path

import click

from .options import emit_json, json_option


@click.command()
@click.option("--out", "out", default="demo", show_default=True, type=click.Path(file_okay=False),
              help="An empty folder for the demo ledger and its reports.")
@click.option("--force", is_flag=True,
              help="Rebuild a demo already in --out (removes only what a demo made: its ledger, evidence and reports).")
@json_option
def demo(out: str, force: bool, as_json: bool) -> None:
    """Build a demo ledger and render every report kind.

    Three sample sites are imported; the dust-explosion and limited-space checklists are
    run from bundled answer files (March 2026); hazards are taken through a 治理方案,
    extension, fix and re-inspection to closure (销号); a hazard whose re-inspection
    failed becomes a case (立案) that runs to 结案; then the inspection records, orders,
    re-inspection opinions, closure reports, the hazard ledger (HTML, XLSX), the March
    bulletin, the 立案审批表 and the 行政处罚决定书 are rendered into OUT/reports. PDFs need the [pdf]
    extra, its system libraries and a Chinese font: without them everything else is made
    and the demo says once what is missing.
    """
    from ..demo import build, clear, render_all

    folder = Path(out)
    if not force and (folder / "ledger.json").exists():
        from ..errors import UsageError

        raise UsageError(f"{folder / 'ledger.json'} already exists: rebuild the demo there with inspect demo --out "
                         f"{folder} --force, or choose another folder with --out")
    if force and (folder / "ledger.json").exists():
        removed = clear(folder)
        if not as_json:
            click.echo(f"Removed the previous demo in {folder}/ ({', '.join(removed)}).")
    say = (lambda _m: None) if as_json else (lambda m: click.echo(f"  {m}"))
    if not as_json:
        click.echo(f"Building a demo ledger in {folder}/ …")
    made = build(folder, say)
    files, notes = render_all(folder, made, say=say)
    if as_json:
        emit_json({"ledger": str(made["ledger"]), "reports": files, "notes": notes,
                   "inspections": [r["inspection"]["id"] for r in made["runs"].values()], "cases": made["cases"]})
        return
    click.echo(f"\nDone. The ledger is {made['ledger']}; {len(files)} reports are in {folder / 'reports'}.")
    for n in notes:
        click.echo(f"Note: {n}")
    click.echo(f"Try:  inspect hazard list --ledger {made['ledger']} --today 2026-04-01")
    click.echo(f"      inspect inspection list --ledger {made['ledger']}")
    click.echo(f"      inspect verify --ledger {made['ledger']}")
    click.echo(f"      inspect case show {made['cases'][0]} --ledger {made['ledger']} --today 2026-04-01")
