"""``inspect audit``: flag copied, down-graded and unsupported records (遏制隐患数据趋同、避重就轻)."""
from __future__ import annotations

from typing import Any, Optional

import click

from ..analysis.audit import KINDS
from .progress import progress, quiet_option
from .options import (checklist_dir_option, console, emit_json, json_option, ledger_option, open_existing, registry,
                      today_option)


@click.command()
@click.option("--ignore", "ignored", multiple=True, type=click.Choice(KINDS),
              help="Leave out a kind of finding (repeatable), e.g. on_spot_without_evidence.")
@checklist_dir_option
@ledger_option
@today_option
@json_option
@quiet_option
def audit(ignored: tuple[str, ...], checklist_dirs: tuple[str, ...], ledger_path: Optional[str],
          today: Optional[str], as_json: bool, quiet: bool) -> None:
    """Data-quality audit of the whole ledger; exit 1 when anything is flagged, 0 when clean.

    \b
    Flags: the same custom hazard text at different sites (数据趋同); major items recorded
    as general (避重就轻); major hazards whose basis cites no determination standard;
    hazards closed without evidence; major hazards closed without a
    治理方案; enforcement inspections without two certified inspectors; on-the-spot
    closures without evidence (warning). Each flag names its rule and the records.
    """
    from ..analysis import audit as au

    ledger = open_existing(ledger_path, today)
    from ..checklist.legal import registry_source_kinds

    reg = registry(checklist_dirs)
    with progress("Auditing", ledger.record_count("hazards", "inspections"), quiet) as advance:
        result = ledger.audit(au.registry_defaults(reg), registry_source_kinds(reg), advance)
    if ignored:
        result["findings"] = [f for f in result["findings"] if f["kind"] not in ignored]
        result["counts"] = {k: (0 if k in ignored else n) for k, n in result["counts"].items()}
        result["ignored"] = list(ignored)
    if as_json:
        emit_json(result)
    else:
        _print(result, au.KIND_ZH)
    if result["findings"]:
        raise click.exceptions.Exit(1)


def _print(result: dict[str, Any], kind_zh: dict[str, str]) -> None:
    from rich.markup import escape
    from rich.table import Table

    out = console()
    checked = result["checked"]
    findings = result["findings"]
    out.print(f"[bold]数据质量审计 Audit[/bold]: {checked['hazards']} hazard(s), {checked['inspections']} "
              f"inspection(s) checked (as of {checked['today']}).")
    for kind, n in result["counts"].items():
        if not n:
            continue
        rows = [f for f in findings if f["kind"] == kind]
        colour = "yellow" if rows[0]["level"] == "warning" else "red"
        t = Table(title=f"[{colour}]{escape(kind_zh.get(kind, kind))} — {kind} ({n})[/{colour}]", title_justify="left")
        t.add_column("单位 Sites")
        t.add_column("记录 Records")
        t.add_column("问题 Finding")
        for f in rows:
            t.add_row(escape("\n".join(f["sites"][:5]) + (f"\n… +{len(f['sites']) - 5}" if len(f["sites"]) > 5 else "")),
                      escape("\n".join((f["hazards"] + f["inspections"])[:5])
                             + (f"\n… +{len(f['hazards']) + len(f['inspections']) - 5}"
                                if len(f["hazards"]) + len(f["inspections"]) > 5 else "")),
                      escape(f["message"]))
        out.print(t)
    if checked.get("comparisons_truncated"):
        out.print(f"[yellow]note: near-duplicate search stopped after {checked['comparisons']} comparisons; "
                  "exact repeats were still all found.[/yellow]")
    if checked.get("checklists_unknown"):
        out.print("[dim]note: descriptions of unknown checklists were not compared (add them with --checklist-dir): "
                  + escape(", ".join(checked["checklists_unknown"])) + "[/dim]")
    if findings:
        out.print(f"[red]{len(findings)} finding(s).[/red]")
    else:
        out.print("[green]Clean: nothing flagged.[/green]")
