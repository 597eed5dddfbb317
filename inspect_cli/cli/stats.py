"""``inspect stats``: figures of inspections and hazards, with ``--gate`` targets for scripts."""
from __future__ import annotations

from typing import Any, Optional

import click

from ..hazard import vocab
from ..inspection.kinds import KIND_NAMES
from .complete import complete_sites
from .options import (console, date_value, emit_json, json_option, ledger_option, open_existing, open_ledger,
                      today_option)

SEVERITY_ZH = {k: v[0] for k, v in vocab.SEVERITY.items()}
STATUS_ZH = vocab.zh(vocab.STATUS)
SHORT_STATUS_ZH = vocab.zh(vocab.STATUS_SHORT)
KIND_ZH = vocab.zh(KIND_NAMES)


def _metrics_epilog() -> str:
    from ..analysis.stats import METRICS

    width = max(map(len, METRICS))
    return "\b\nMetrics for --gate (also under 'metrics' in --json):\n" + "\n".join(
        f"  {name:<{width}}  {text}" for name, text in METRICS.items())


@click.command(epilog=_metrics_epilog())
@click.option("--since", metavar="DATE", help="First day of the window (inclusive, YYYY-MM-DD).")
@click.option("--until", metavar="DATE", help="Last day of the window (inclusive, YYYY-MM-DD).")
@click.option("--domain", help="Only this domain, e.g. dust_explosion.")
@click.option("--site", metavar="CODE", shell_complete=complete_sites, help="Only this site (统一社会信用代码).")
@click.option("--gate", "gate_exprs", multiple=True, metavar="EXPR",
              help="A target, e.g. 'major_closure_rate>=0.8' (repeatable); exit 1 when any is missed. "
                   "The metrics are listed below.")
@click.option("--top", type=click.IntRange(min=0), default=10, show_default=True,
              help="How many of the most often failed items to list.")
@click.option("--self-reporting", "self_reporting", is_flag=True,
              help="List the sites whose self-reports (自查自报) stayed at zero for the last --months months.")
@click.option("--months", type=click.IntRange(min=1, max=120), metavar="N",
              help="With --self-reporting: the months [default: setting plan.silent_months, 6].")
@ledger_option
@today_option
@json_option
def stats(since: Optional[str], until: Optional[str], domain: Optional[str], site: Optional[str],
          gate_exprs: tuple[str, ...], top: int, self_reporting: bool, months: Optional[int],
          ledger_path: Optional[str], today: Optional[str], as_json: bool) -> None:
    """Statistics of inspections and hazards registered in a window (default: the whole ledger).

    \b
    Closure rate = hazards registered in the window and closed (销号) by today
                   / hazards registered in the window.
    Exit 1 when a --gate target is missed, e.g. in a monthly script:
      inspect stats --since 2026-03-01 --until 2026-03-31 \\
          --gate 'major_closure_rate>=0.8' --gate 'overdue_major_over_30_days==0'
    """
    from ..analysis import gates as gt
    from ..errors import UsageError
    from ..analysis.stats import METRICS

    if self_reporting or months is not None:
        if not self_reporting:
            raise UsageError("--months goes with --self-reporting")
        if since or until or domain or site or gate_exprs:
            raise UsageError("--self-reporting takes only --months (the window ends today)")
        return _self_reporting(ledger_path, today, months, as_json)
    since_v, until_v = date_value(since, "--since"), date_value(until, "--until")
    if since_v and until_v and since_v > until_v:
        raise UsageError(f"--since {since_v} is after --until {until_v}")
    parsed = gt.parse_all(gate_exprs, METRICS)  # before reading: a typo fails fast
    ledger = open_ledger(ledger_path, today)
    result = ledger.stats(since_v, until_v, domain, site, top)
    results = gt.evaluate(parsed, result["metrics"])
    missed = gt.failed(results)
    if as_json:
        emit_json(dict(result, gates=results))
    else:
        _print(result, results)
    if missed:
        for r in missed:
            click.echo(f"gate missed: {r['gate']} (actual {_fmt(r['actual'])})", err=True)
        raise click.exceptions.Exit(1)


def _self_reporting(ledger_path: Optional[str], today: Optional[str], months: Optional[int], as_json: bool) -> None:
    from rich.markup import escape
    from rich.table import Table

    ledger = open_existing(ledger_path, today)
    result = ledger.self_reporting(months or int(ledger.settings()["plan.silent_months"]))
    if as_json:
        emit_json(result)
        return
    out = console()
    out.print(f"[bold]自查自报为零的单位 Sites whose self-reports stayed at zero[/bold] "
              f"{result['since']} – {result['until']} ({result['months']} months): {len(result['sites'])}")
    t = Table()
    for col in ("单位 Site", "名称 Name", "风险等级 Class", "自查次数 Self-inspections", "最近自查 Last self-report"):
        t.add_column(col)
    for r in result["sites"]:
        t.add_row(r["code"], escape(r["name"]), escape(r["risk_class"]), str(r["self_inspections"]),
                  r["last_self_report"] or "—")
    out.print(t if result["sites"] else "Every site self-reported at least one hazard in the window.")


def _fmt(value: Any) -> str:
    if value is None:
        return "n/a"
    if isinstance(value, float):
        return f"{value:.4g}"
    return str(value)


def _domain(code: str, short: bool = False) -> str:
    from ..checklist.model import DOMAIN_NAMES

    zh = DOMAIN_NAMES.get(code, {}).get("zh")
    if not zh:
        return code
    return zh if short else f"{zh} {code}"


def _pct(value: Optional[float]) -> str:
    return "—" if value is None else f"{value * 100:.1f}%"


def _print(result: dict[str, Any], gate_results: list[dict[str, Any]]) -> None:
    from rich.markup import escape
    from rich.table import Table

    out = console()
    w = result["window"]
    scope = f"{w['since'] or '…'} – {w['until'] or '…'}"
    extra = "".join(f"  {k}={w[k]}" for k in ("domain", "site") if w.get(k))
    out.print(f"[bold]统计 Statistics[/bold]  registered {escape(scope)}{escape(extra)}  (as of {w['today']})")

    m = result["metrics"]
    summary = Table(title="概况 Summary")
    summary.add_column("指标 Metric")
    summary.add_column("值 Value", justify="right")
    rows = [("检查 inspections", m["inspections"]), ("隐患 hazards", m["hazards"]),
            ("重大隐患 major hazards", m["major_hazards"]), ("未销号 open", m["open_hazards"]),
            ("逾期 overdue", m["overdue_hazards"]), ("重大逾期 overdue major", m["overdue_major"]),
            ("重大逾期>30天 overdue major >30 days", m["overdue_major_over_30_days"]),
            ("整改销号率 closure rate", _pct(m["closure_rate"])),
            ("重大隐患销号率 major closure rate", _pct(m["major_closure_rate"])),
            ("当场整改 closed on the spot", m["closed_on_spot"])]
    for label, value in rows:
        summary.add_row(label, str(value))
    out.print(summary)

    from .render_case import print_enforcement

    print_enforcement(out, result["enforcement"])

    insp = result["inspections"]
    if insp["count"] or insp["in_progress"]:
        t = Table(title="检查 Inspections")
        t.add_column("类别 Kind / 领域 Domain")
        t.add_column("次数 Count", justify="right")
        for kind, n in insp["by_kind"].items():
            t.add_row(f"{KIND_ZH.get(kind, kind)} {kind}", str(n))
        for dom, n in insp["by_domain"].items():
            t.add_row(f"[dim]领域[/dim] {escape(_domain(dom))}", str(n))
        if insp["in_progress"]:
            t.add_row("[dim]in progress (not counted)[/dim]", str(insp["in_progress"]))
        out.print(t)

    hz = result["hazards"]
    if hz["count"]:
        t = Table(title="隐患 Hazards: domain × severity × status")
        t.add_column("领域 Domain", overflow="fold")
        t.add_column("等级 Severity")
        for st in STATUS_ZH:
            t.add_column(f"{SHORT_STATUS_ZH[st]}\n{st}", justify="right")
        t.add_column("合计 Total", justify="right")
        for dom, sevs in hz["by_domain"].items():
            for sev, cells in sevs.items():
                t.add_row(escape(_domain(dom, short=True)), SEVERITY_ZH.get(sev, sev), *(str(cells.get(s, 0)) for s in STATUS_ZH),
                          str(sum(cells.values())))
        out.print(t)

        od = result["overdue"]
        t = Table(title="逾期 Overdue by days past the deadline")
        t.add_column("等级 Severity")
        for b in od["buckets"]:
            t.add_column(f"{b} 天", justify="right")
        t.add_column("合计 Total", justify="right")
        for sev, cells in od["by_severity"].items():
            t.add_row(SEVERITY_ZH.get(sev, sev), *(str(cells[b]) for b in od["buckets"]), str(sum(cells.values())))
        out.print(t)

    if result["top_items"]:
        t = Table(title="最常不合格的检查项 Items failed most often")
        for col in ("检查表 Checklist", "检查项 Item", "次数 Count", "单位数 Sites", "内容 Text"):
            t.add_column(col, justify="right" if col.startswith(("次数", "单位数")) else "left", overflow="fold")
        for it in result["top_items"]:
            t.add_row(escape(f"{it['checklist']}@{it['checklist_version']}"), escape(it["item"]), str(it["count"]),
                      str(it["sites"]), escape(it["item_text"]))
        out.print(t)

    if gate_results:
        t = Table(title="目标 Gates")
        for col in ("Gate", "Actual", "Result"):
            t.add_column(col)
        for r in gate_results:
            verdict = "[dim]n/a (skipped)[/dim]" if r["skipped"] else ("[green]pass[/green]" if r["passed"]
                                                                     else "[red]MISSED[/red]")
            t.add_row(escape(r["gate"]), _fmt(r["actual"]), verdict)
        out.print(t)
