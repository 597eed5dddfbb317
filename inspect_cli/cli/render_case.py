"""Terminal tables of the enforcement rates (立案率, 立案处罚率, 处罚执行率) for ``inspect stats``."""
from __future__ import annotations

from typing import TYPE_CHECKING, Any, Optional

if TYPE_CHECKING:
    from ..ledger import Ledger

BREAKDOWNS = (("by_domain", "领域 Domain"), ("by_region", "区域 Region"), ("by_month", "月份 Month"))


def _pct(value: Optional[float]) -> str:
    return "—" if value is None else f"{value * 100:.1f}%"


def print_enforcement(out: Any, enforcement: dict[str, Any]) -> None:
    """Nothing when the window has neither cases nor inspections with findings."""
    from rich.markup import escape
    from rich.table import Table

    m = enforcement["metrics"]
    if not (m["cases"] or m["inspections_with_findings"]):
        return
    t = Table(title="执法 Enforcement: 立案率 / 立案处罚率 / 处罚执行率")
    for col in ("", "有隐患的检查\ninspections with findings", "立案\ncases", "立案率\nfiling rate",
                "处罚决定\npenalties", "立案处罚率\ncase penalty rate", "已执行\nexecuted", "处罚执行率\nexecution rate",
                "罚款(元)\nfines", "已执行(元)\ncollected"):
        t.add_column(col, justify="left" if not col else "right", overflow="fold")

    def add(label: str, r: dict[str, Any]) -> None:
        t.add_row(label, str(r["inspections_with_findings"]), str(r["cases"]), _pct(r["filing_rate"]),
                  str(r["penalty_decisions"]), _pct(r["case_penalty_rate"]), str(r["penalties_executed"]),
                  _pct(r["penalty_execution_rate"]), f"{r['fines_decided_yuan']:,}", f"{r['fines_collected_yuan']:,}")

    add("合计 Total", m)
    for key, title in BREAKDOWNS:
        for name, r in enforcement[key].items():
            add(f"[dim]{title.split()[0]}[/dim] {escape(name)}", r)
    out.print(t)


def repeat_offenders_cmd(ledger: Ledger, site: Optional[str], as_json: bool, as_csv: bool) -> None:
    """``hazard list --repeat-offenders``: print the sites and the ``case open`` command each suggests."""
    import click

    from .options import console, emit_json

    if as_csv:
        raise click.UsageError("--repeat-offenders prints a table or --json, not CSV")
    sites = ledger.repeat_offenders(site)
    if as_json:
        emit_json({"total": len(sites), "sites": sites})
        return
    from rich.markup import escape
    from rich.table import Table

    t = Table(title="逾期未整改（复查不合格）的单位 Sites not rectifying after a failed re-inspection")
    for col in ("单位 site", "隐患 hazards", "最长逾期 max days late", "案件 case"):
        t.add_column(col, overflow="fold")
    for s in sites:
        hz = "\n".join(f"{h['id']} 逾期{h['days_overdue']}天 复查不合格{h['failed_reinspections']}次" for h in s["hazards"])
        t.add_row(escape(f"{s['site_name']} ({s['site']})"), hz, str(s["max_days_overdue"]),
                  " ".join(s["in_case"]) or "—")
    console().print(t)
    for s in sites:
        if s["suggestion"]:
            click.echo(f"Suggested (not opened): {s['suggestion']}")
    click.echo(f"{len(sites)} site(s). A case is opened only by `inspect case open`.")
