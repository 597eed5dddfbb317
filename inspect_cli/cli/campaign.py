"""``inspect campaign``: campaigns (专项整治) — start one from a YAML file, follow it, report on it."""
from __future__ import annotations

from pathlib import Path
from typing import Any, Optional

import click

from .options import (checklist_dir_option, console, emit_json, json_option, ledger_option, open_existing, open_ledger,
                      registry, today_option)


@click.group()
def campaign() -> None:
    """专项整治: a campaign's target sites, checklist and targets, from a YAML file.

    \b
    inspect campaign start dust-2027.yaml
    inspect run dust-explosion --site CODE --kind special --campaign dust-2027 --inspector … --inspector …
    inspect campaign status dust-2027
    inspect campaign report dust-2027 --gate        (exit 1 when a target is missed)
    """


@campaign.command("start")
@click.argument("campaign_file", type=click.Path(exists=True, dir_okay=False), metavar="FILE")
@checklist_dir_option
@ledger_option
@today_option
@json_option
def start(campaign_file: str, checklist_dirs: tuple[str, ...], ledger_path: Optional[str], today: Optional[str],
          as_json: bool) -> None:
    """Check a campaign file and record the campaign with its target sites (resolved now)."""
    from ..campaign.model import read

    camp = read(Path(campaign_file))
    if camp.get("checklist"):
        registry(checklist_dirs).get(camp["checklist"])  # an unknown checklist is refused before anything is written
    ledger = open_existing(ledger_path, today)
    rec = ledger.start_campaign(camp)
    if as_json:
        emit_json(rec)
        return
    click.echo(f"Campaign {rec['id']} 「{rec['title']}」 {rec['start']} – {rec['end']}: {len(rec['sites'])} target site(s), "
               f"{len(rec['targets'])} target(s); started {rec['started']}.")
    click.echo(f"Tag its inspections with: inspect run {rec.get('checklist') or 'CHECKLIST'} --site CODE "
               f"--kind special --campaign {rec['id']} …")


@campaign.command("list")
@ledger_option
@today_option
@json_option
def list_cmd(ledger_path: Optional[str], today: Optional[str], as_json: bool) -> None:
    """The campaigns of this ledger."""
    from rich.markup import escape
    from rich.table import Table

    ledger = open_ledger(ledger_path, today)
    rows = ledger.campaigns() if ledger.exists() else []
    if as_json:
        emit_json(rows)
        return
    t = Table()
    for col in ("专项 Campaign", "名称 Title", "开始 Start", "结束 End", "目标单位 Sites"):
        t.add_column(col)
    for r in rows:
        t.add_row(r["id"], escape(r["title"]), r["start"], r["end"], str(len(r.get("sites") or [])))
    console().print(t if rows else "No campaign yet: inspect campaign start FILE")


def _status_cmd(name: str, help_text: str) -> Any:
    @campaign.command(name, help=help_text)
    @click.argument("campaign_id", metavar="CAMPAIGN_ID")
    @click.option("--gate", "gate", is_flag=True,
                  help="Exit 1 when a target of the campaign that is due was missed (as stats --gate).")
    @click.option("--extra-gate", "extra", multiple=True, metavar="EXPR",
                  help="One more target on today's figures, e.g. 'coverage>=0.5' (repeatable; implies --gate). "
                       "Metrics: coverage, sites, sites_inspected, inspections, hazards, major_hazards, "
                       "closure_rate, major_closure_rate, open_hazards, open_major, overdue_hazards, overdue_major.")
    @ledger_option
    @today_option
    @json_option
    def cmd(campaign_id: str, gate: bool, extra: tuple[str, ...], ledger_path: Optional[str], today: Optional[str],
            as_json: bool) -> None:
        from ..analysis import gates as gt
        from ..campaign.model import METRICS

        parsed = gt.parse_all(extra, METRICS)  # before reading: a typo fails fast
        ledger = open_existing(ledger_path, today)
        result = ledger.campaign_status(campaign_id)
        extra_results = gt.evaluate(parsed, result["metrics"])
        for r in extra_results:
            r.update(by=result["today"], due=True, verdict="met" if r["passed"] else "missed")
        result["targets"] += extra_results
        result["missed"] += [r for r in extra_results if not r["passed"]]
        if as_json:
            emit_json(result)
        else:
            _print(result, full=name == "report")
        if (gate or extra) and result["missed"]:
            for r in result["missed"]:
                click.echo(f"target missed: {r['gate']} by {r['by']} (actual {_fmt(r['actual'])})", err=True)
            raise click.exceptions.Exit(1)

    return cmd


status = _status_cmd("status", "Where a campaign stands today: coverage, closure and its targets.\n\n"
                              "With --gate, exit 1 when a target that is due was missed.")
report = _status_cmd("report", "The campaign report: coverage, findings and closure against its targets.\n\n"
                              "A target is due on its 'by' date (default: the campaign's end) and is then met or "
                              "missed; before, it is pending. With --gate, exit 1 when a due target was missed.")


def _fmt(value: Any) -> str:
    if value is None:
        return "n/a"
    if isinstance(value, float):
        return f"{value:.4g}"
    return str(value)


def _pct(value: Optional[float]) -> str:
    return "—" if value is None else f"{value * 100:.1f}%"


VERDICT = {"met": "[green]达成 met[/green]", "missed": "[red]未达成 MISSED[/red]", "pending": "[yellow]未到期 pending[/yellow]"}


def _print(r: dict[str, Any], full: bool) -> None:
    from rich.markup import escape
    from rich.table import Table

    from ..inspection.kinds import kind_name

    out = console()
    c, m = r["campaign"], r["metrics"]
    out.print(f"[bold]专项整治 {escape(c['title'])} ({c['id']})[/bold] {c['start']} – {c['end']}, {r['state']}; "
              f"figures as of {r['as_of']}")
    out.print(f"覆盖 Coverage {m['sites_inspected']}/{m['sites']} ({_pct(m['coverage'])}); {m['inspections']} inspection(s); "
              f"隐患 {m['hazards']} (重大 {m['major_hazards']}); 整改率 closure {_pct(m['closure_rate'])}, "
              f"重大 major {_pct(m['major_closure_rate'])}; overdue {m['overdue_hazards']} (major {m['overdue_major']}).")
    t = Table(title="目标 Targets")
    for col in ("目标 Target", "期限 By", "实际 Actual", "结果 Verdict"):
        t.add_column(col)
    for x in r["targets"]:
        t.add_row(escape(x["gate"]), str(x["by"]), _fmt(x["actual"]), VERDICT[x["verdict"]])
    out.print(t)
    if full:
        f = Table(title="主要问题 Findings by item")
        for col in ("检查项 Item", "内容 Text", "次数 Count"):
            f.add_column(col)
        for x in r["findings"]:
            f.add_row(escape(x["item"]), escape(x["text"]), str(x["count"]))
        out.print(f if r["findings"] else "No hazard found under the campaign.")
        i = Table(title="检查 Inspections")
        for col in ("检查 Inspection", "日期 Date", "单位 Site", "类别 Kind", "隐患 Hazards"):
            i.add_column(col)
        for x in r["inspections"]:
            i.add_row(x["id"], str(x["date"]), escape(f"{x['site_name']} {x['site']}"), kind_name(str(x["kind"])),
                      str(x["hazards"]))
        out.print(i if r["inspections"] else "No inspection under the campaign yet.")
    if r["not_inspected"]:
        shown = r["not_inspected"][: (None if full else 10)]
        out.print(f"未检查 Not inspected ({len(r['not_inspected'])}): "
                  + escape("、".join(f"{s['name']}（{s['code']}）" for s in shown))
                  + ("…" if len(shown) < len(r["not_inspected"]) else ""))
