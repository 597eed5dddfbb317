"""``inspect plan``: the annual enforcement plan (年度监督检查计划) by risk class, and its progress."""
from __future__ import annotations

from pathlib import Path
from typing import Any, Optional

import click

from .options import (console, date_value, emit_json, json_option, ledger_option, open_existing, open_ledger,
                      today_option)


@click.group()
def plan() -> None:
    """分级分类: the annual plan from the risk classes' frequencies, and done against planned.

    \b
    inspect config set plan.frequencies 'A=4,B=2,C=1,D=0.5'
    inspect plan year 2027 --seed 20270101 --xlsx plan-2027.xlsx
    inspect plan progress --year 2027
    inspect plan verify P-XXXXX-XXXXX
    """


@plan.command("year")
@click.argument("year", type=click.IntRange(2000, 2100))
@click.option("--seed", type=click.IntRange(min=0), required=True, metavar="S",
              help="The random seed (a non-negative integer): the same seed and sites give the same plan.")
@click.option("--where", "where", multiple=True, metavar="ATTR=VALUE",
              help="Only sites whose field or attribute equals VALUE (repeatable), as in inspect sample.")
@click.option("--inspector-pool", "pool_file", type=click.Path(exists=True, dir_okay=False),
              help="CSV (name,cert) or YAML list: the inspectors the 双随机 share is drawn from.")
@click.option("--pool-inspector", "pool_inspectors", multiple=True, metavar="NAME:CERT",
              help="An inspector of the 双随机 pool (repeatable).")
@click.option("--xlsx", "xlsx_out", type=click.Path(dir_okay=False), help="Also write the plan as an XLSX workbook.")
@ledger_option
@today_option
@json_option
def year_cmd(year: int, seed: int, where: tuple[str, ...], pool_file: Optional[str], pool_inspectors: tuple[str, ...],
             xlsx_out: Optional[str], ledger_path: Optional[str], today: Optional[str], as_json: bool) -> None:
    """Make and record the enforcement plan of YEAR: which sites, how many visits, which quarter.

    \b
    Visits follow plan.frequencies by risk class (风险等级); a plan.random_share of the sites
    have their first visit drawn 双随机; sites whose self-reports stayed at zero for
    plan.silent_months get plan.silent_extra visits more.
    """
    from ..errors import UsageError
    from ..site import sampling

    if xlsx_out and not Path(xlsx_out).resolve().parent.is_dir():
        raise UsageError(f"--xlsx {xlsx_out}: the folder {Path(xlsx_out).resolve().parent} does not exist")
    ledger = open_existing(ledger_path, today)
    entries: list[dict[str, str]] = []
    if pool_file:
        entries += sampling.read_inspector_pool(Path(pool_file))
    entries += [sampling.parse_pool_inspector(p) for p in pool_inspectors]
    rec = ledger.make_annual_plan(year, seed, sampling.parse_where(where), entries)
    if xlsx_out:
        _write_xlsx(ledger, rec, Path(xlsx_out))
    if as_json:
        emit_json(rec)
    else:
        _print_plan(ledger, rec)
        if xlsx_out:
            click.echo(f"Wrote {xlsx_out}")


@plan.command("show")
@click.argument("plan_id", required=False, metavar="[PLAN_ID]")
@click.option("--year", type=click.IntRange(2000, 2100), help="The last plan made for this year [default: this year].")
@click.option("--xlsx", "xlsx_out", type=click.Path(dir_okay=False), help="Write the plan as an XLSX workbook.")
@ledger_option
@today_option
@json_option
def show(plan_id: Optional[str], year: Optional[int], xlsx_out: Optional[str], ledger_path: Optional[str],
         today: Optional[str], as_json: bool) -> None:
    """Show a recorded plan (by id, or the last one of --year)."""
    ledger = open_existing(ledger_path, today)
    rec = ledger.annual_plan(plan_id, year)
    if xlsx_out:
        _write_xlsx(ledger, rec, Path(xlsx_out))
    if as_json:
        emit_json(rec)
    else:
        _print_plan(ledger, rec)


@plan.command("list")
@ledger_option
@today_option
@json_option
def list_cmd(ledger_path: Optional[str], today: Optional[str], as_json: bool) -> None:
    """The recorded plans, by year."""
    from rich.table import Table

    ledger = open_ledger(ledger_path, today)
    rows = ledger.annual_plans() if ledger.exists() else []
    if as_json:
        emit_json(rows)
        return
    t = Table()
    for col in ("计划 Plan", "年度 Year", "版 No.", "种子 Seed", "单位 Sites", "检查 Visits", "日期 Made on"):
        t.add_column(col)
    for r in rows:
        t.add_row(r["id"], str(r["year"]), str(r["number"]), str(r["seed"]), str(r["sites"]), str(r["visits"]), str(r["date"]))
    console().print(t if rows else "No plan yet: inspect plan year YEAR --seed S")


@plan.command("verify")
@click.argument("plan_id", metavar="PLAN_ID")
@ledger_option
@today_option
@json_option
def verify(plan_id: str, ledger_path: Optional[str], today: Optional[str], as_json: bool) -> None:
    """Re-make a recorded plan from its pool and seed and confirm it matches (exit 8 when not)."""
    from ..errors import IntegrityError

    ledger = open_existing(ledger_path, today)
    check = ledger.verify_annual_plan(plan_id)
    rec = check["record"]
    if as_json:
        emit_json({"ok": check["ok"], "problems": check["problems"], "plan": rec["id"], "sha256": rec.get("sha256")})
    elif check["ok"]:
        click.echo(f"plan {rec['id']} matches: re-making it from seed {rec['seed']} and the recorded pool "
                   f"({len(rec['pool']['sites'])} sites) gives the recorded plan; sha256 {rec['sha256']}")
    if not check["ok"]:
        raise IntegrityError(f"plan {rec['id']} does not match its pool and seed", check["problems"])


@plan.command("progress")
@click.argument("plan_id", required=False, metavar="[PLAN_ID]")
@click.option("--year", type=click.IntRange(2000, 2100), help="The last plan made for this year [default: this year].")
@click.option("--as-of", "as_of", metavar="DATE", help="Count inspections up to this day [default: today].")
@ledger_option
@today_option
@json_option
def progress(plan_id: Optional[str], year: Optional[int], as_of: Optional[str], ledger_path: Optional[str],
             today: Optional[str], as_json: bool) -> None:
    """Done against planned: by risk class, by quarter and by inspector."""
    ledger = open_existing(ledger_path, today)
    result = ledger.plan_progress(plan_id, year, date_value(as_of, "--as-of"))
    if as_json:
        emit_json(result)
    else:
        _print_progress(result)


def _pct(value: Optional[float]) -> str:
    return "—" if value is None else f"{value * 100:.1f}%"


def _print_plan(ledger: Any, rec: dict[str, Any]) -> None:
    from rich.markup import escape
    from rich.table import Table

    from ..inspection.kinds import kind_name
    from ..plan.annual import summary

    out = console()
    pool = rec["pool"]
    click.echo(f"{rec['year']}年度监督检查计划 plan {rec['id']}  seed {rec['seed']}  ({rec['date']}, {rec['actor']})")
    click.echo(f"{len(pool['sites'])} site(s) with a risk class, {len(rec['result']['visits'])} visit(s); "
              f"双随机 share {pool['random_share']:.0%}; {len(pool['unclassified'])} site(s) without a planned class.")
    t = Table(title="按风险等级 By risk class")
    for col in ("等级 Class", "单位 Sites", "检查 Visits", "Q1", "Q2", "Q3", "Q4", "双随机 Random"):
        t.add_column(col, justify="right" if col != "等级 Class" else "left")
    for r in summary(rec):
        t.add_row(escape(r["class"]), str(r["sites"]), str(r["visits"]), *map(str, r["q"]), str(r["random"]))
    out.print(t)
    names = ledger.site_names([s["code"] for s in pool["sites"]])
    v = Table(title="检查安排 Visits")
    for col in ("季度 Quarter", "单位 Site", "名称 Name", "等级 Class", "类别 Kind", "检查人员 Inspectors"):
        v.add_column(col)
    for x in rec["result"]["visits"]:
        v.add_row(f"Q{x['quarter']}", x["site"], escape(names.get(x["site"], "")), escape(x["class"]),
                  kind_name(x["kind"]), escape("、".join(i["name"] for i in x.get("inspectors") or [])))
    out.print(v)
    click.echo(f"sha256 {rec['sha256']}")
    click.echo(f"Re-check: inspect plan verify {rec['id']}")


def _print_progress(r: dict[str, Any]) -> None:
    from rich.markup import escape
    from rich.table import Table

    out = console()
    click.echo(f"{r['year']}年度计划执行情况 plan {r['plan']} as of {r['as_of']}: "
              f"{r['done']}/{r['planned']} planned visits done ({_pct(r['rate'])}); "
              f"due by this quarter {r['due_to_date']} ({_pct(r['rate_to_date'])}); {r['extra']} extra.")
    t = Table(title="按风险等级 By class")
    for col in ("等级 Class", "单位 Sites", "计划 Planned", "完成 Done", "完成率 Rate", "超计划 Extra", "未检查单位 Not visited"):
        t.add_column(col)
    for c in r["by_class"]:
        t.add_row(escape(c["class"]), str(c["sites"]), str(c["planned"]), str(c["done"]), _pct(c["rate"]),
                  str(c["extra"]), str(c["sites_not_visited"]))
    out.print(t)
    q = Table(title="按季度 By quarter")
    for col in ("季度 Quarter", "计划 Planned", "完成 Done", "完成率 Rate"):
        q.add_column(col)
    for x in r["by_quarter"]:
        q.add_row(f"Q{x['quarter']}" + ("" if x["ended"] else " …"), str(x["planned"]), str(x["done"]), _pct(x["rate"]))
    out.print(q)
    i = Table(title="按检查人员 By inspector")
    for col in ("检查人员 Inspector", "计划 Planned", "完成 Done"):
        i.add_column(col)
    for x in r["by_inspector"]:
        i.add_row(escape(x["inspector"]), str(x["planned"]), str(x["done"]))
    out.print(i if r["by_inspector"] else "No inspection by an inspector yet.")


def _write_xlsx(ledger: Any, rec: dict[str, Any], out: Path) -> None:
    from ..plan.xlsx import write_plan_xlsx

    write_plan_xlsx(rec, ledger.site_names([s["code"] for s in rec["pool"]["sites"]]), out)
