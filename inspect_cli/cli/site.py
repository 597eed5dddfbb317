"""``inspect site``: register, import and list inspected sites (被检查单位)."""
from __future__ import annotations

from typing import TYPE_CHECKING, Optional

import click

from .complete import complete_sites
from .options import console, emit_json, json_option, ledger_option, open_ledger, today_option

if TYPE_CHECKING:
    from ..records import Site


@click.group()
def site() -> None:
    """Register, import and list inspected sites (被检查单位)."""


@site.command("add")
@click.option("--code", required=True, help="Unified social credit code (统一社会信用代码), 18 characters.")
@click.option("--name", required=True, help="Name of the unit (单位名称).")
@click.option("--address", default="", help="Address (地址).")
@click.option("--region", default="", help="区域: the 乡镇/街道 of the site, for the 台账 and the 通报's breakdowns.")
@click.option("--contact", default="", help="Person in charge (负责人).")
@click.option("--phone", default="", help="Contact phone (联系电话).")
@click.option("--industry", default="", help="Industry (行业), e.g. 木材加工.")
@click.option("--risk-class", default="", help="Risk class for 分级分类执法: A, B, C or D, or a label of plan.frequencies.")
@click.option("--attr", "attrs", multiple=True, metavar="KEY=VALUE",
              help="A site attribute used by checklist `when` conditions (repeatable), e.g. al_mg_dust=true.")
@ledger_option
@today_option
@json_option
def add(code: str, name: str, address: str, region: str, contact: str, phone: str, industry: str, risk_class: str,
        attrs: tuple[str, ...], ledger_path: Optional[str], today: Optional[str], as_json: bool) -> None:
    """Add a site to the ledger; a code that fails its check (GB 32100) is refused."""
    from ..site.data import parse_attr

    attributes = dict(parse_attr(a) for a in attrs)
    raw = {"code": code, "name": name, "address": address, "region": region, "contact": contact, "phone": phone,
           "industry": industry, "risk_class": risk_class, "attributes": attributes}
    rec = open_ledger(ledger_path, today).add_site(raw)
    if as_json:
        emit_json(rec)
    else:
        click.echo(f"Added site {rec['code']} {rec['name']}.")


@site.command("import")
@click.argument("csv_file", type=click.Path(exists=True, dir_okay=False))
@click.option("--skip-invalid", is_flag=True, help="Import the good rows even if some rows are bad.")
@ledger_option
@today_option
@json_option
def import_cmd(csv_file: str, skip_invalid: bool, ledger_path: Optional[str], today: Optional[str], as_json: bool) -> None:
    """Import sites from a CSV file; every row is checked first and nothing is imported if one fails.

    Columns: code, name, address, contact, phone, industry, risk_class, region (or the Chinese
    headers 统一社会信用代码, 单位名称, 地址, 联系人, 联系电话, 行业, 风险等级, 区域), and attr.NAME
    for site attributes.
    """
    from pathlib import Path

    result = open_ledger(ledger_path, today).import_sites(Path(csv_file), skip_invalid)
    if as_json:
        emit_json(result)
        return
    click.echo(f"Imported {result['imported']} site(s).")
    for bad in result["skipped"]:
        click.echo(f"  skipped row {bad['row']}: {bad['problem']}", err=True)


@site.command("list")
@click.option("--industry", help="Only sites of this industry (行业).")
@click.option("--risk-class", help="Only sites of this risk class: A, B, C or D.")
@ledger_option
@json_option
def list_cmd(industry: Optional[str], risk_class: Optional[str], ledger_path: Optional[str], as_json: bool) -> None:
    """List the sites in the ledger."""
    rows = open_ledger(ledger_path).sites(industry=industry, risk_class=risk_class)
    if as_json:
        emit_json(rows)
        return
    from rich.table import Table

    table = Table()
    for col in ("统一社会信用代码", "单位名称", "行业", "风险等级", "地址", "属性"):
        table.add_column(col, no_wrap=col == "统一社会信用代码")
    for s in rows:
        table.add_row(s["code"], s["name"], s.get("industry") or "", s.get("risk_class") or "", s.get("address") or "",
                      _attrs(s))
    console().print(table)
    click.echo(f"{len(rows)} site(s).")


@site.command("show")
@click.argument("code", shell_complete=complete_sites)
@ledger_option
@json_option
def show(code: str, ledger_path: Optional[str], as_json: bool) -> None:
    """Show one site with its attributes, inspections and open hazards."""
    from ..inspection.index import InspectionQuery

    ledger = open_ledger(ledger_path)
    s = ledger.site(code)
    inspections = ledger.find_inspections(InspectionQuery(site=s["code"]))
    from ..hazard.moves import HazardQuery

    hazards, _ = ledger.hazards(HazardQuery(site=s["code"]))
    if as_json:
        emit_json(dict(s, inspections=[i["id"] for i in inspections], hazards=[h["id"] for h in hazards]))
        return
    con = console()
    con.print(f"[bold]{s['name']}[/bold]  {s['code']}")
    for key, label in (("address", "地址"), ("contact", "负责人"), ("phone", "电话"), ("industry", "行业"),
                       ("risk_class", "风险等级")):
        value = s.get(key)
        if value:
            con.print(f"  {label}: {value}")
    if s.get("attributes"):
        con.print(f"  属性: {_attrs(s)}")
    con.print(f"  检查 {len(inspections)} 次；隐患 {len(hazards)} 项，未销号 "
              f"{sum(1 for h in hazards if h['status'] != 'closed')} 项")
    if inspections:
        from .inspection import print_table

        print_table(inspections, with_site=False)
        con.print(f"[dim]inspect inspection show {inspections[-1]['id']}[/dim]")


def _attrs(s: Site) -> str:
    return ", ".join(f"{k}={v}" for k, v in (s.get("attributes") or {}).items())
