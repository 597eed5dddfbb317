"""``inspect sample``: 双随机 — draw sites and inspector pairs reproducibly, or re-check a draw."""
from __future__ import annotations

from pathlib import Path
from typing import Any, Optional

import click

from .options import console, emit_json, json_option, ledger_option, open_existing, open_ledger, today_option


@click.group(invoke_without_command=True)
@click.option("--sites", "sites_n", type=click.IntRange(min=1), metavar="N", help="How many sites to draw.")
@click.option("--inspectors", "inspectors_m", type=click.IntRange(min=2), metavar="M",
              help="How many inspectors to draw [default: 2N, or the whole pool if smaller].")
@click.option("--where", "where", multiple=True, metavar="ATTR=VALUE",
              help="Only sites whose field (industry, risk_class) or attribute equals VALUE (repeatable; "
                   "case-insensitive; A,B means either).")
@click.option("--seed", type=click.IntRange(min=0), metavar="S", help="The random seed (a non-negative integer).")
@click.option("--inspector-pool", "pool_file", type=click.Path(exists=True, dir_okay=False),
              help="CSV (name,cert) or YAML list of {name, cert}: the inspectors to draw from.")
@click.option("--pool-inspector", "pool_inspectors", multiple=True, metavar="NAME:CERT",
              help="An inspector of the pool (repeatable).")
@click.option("--verify", "verify_id", metavar="DRAW_ID", help="Re-run a recorded draw and confirm it matches.")
@ledger_option
@today_option
@json_option
@click.pass_context
def sample(ctx: click.Context, sites_n: Optional[int], inspectors_m: Optional[int], where: tuple[str, ...],
           seed: Optional[int], pool_file: Optional[str], pool_inspectors: tuple[str, ...], verify_id: Optional[str],
           ledger_path: Optional[str], today: Optional[str], as_json: bool) -> None:
    """双随机: draw N sites and a pair of inspectors for each, from a seed; the draw is recorded.

    \b
    The same seed and the same pools give the same draw. Publish the draw id, seed and
    sha256; anyone with the ledger re-checks it with:
      inspect sample --verify D-XXXXX-XXXXX
    回头看 (look-back) draws of closed hazards or certified sites: inspect sample lookback --help
    """
    if ctx.invoked_subcommand is not None:
        return
    from ..site import sampling
    from ..errors import IntegrityError, UsageError

    ledger = open_ledger(ledger_path, today)
    if verify_id:
        if sites_n or seed is not None or where or pool_file or pool_inspectors or inspectors_m:
            raise UsageError("--verify takes only the draw id (the pool and seed are those recorded)")
        check = ledger.verify_draw(verify_id)
        if as_json:
            emit_json({"ok": check["ok"], "problems": check["problems"], "pool_changed": check["pool_changed"],
                       "draw": check["record"]})
        else:
            _print_verify(check)
        if not check["ok"]:
            raise IntegrityError(f"draw {check['record']['id']} does not match its pool and seed", check["problems"])
        return

    missing = [o for o, v in (("--sites N", sites_n), ("--seed S", seed)) if v is None]
    if missing:
        raise UsageError(f"a draw needs {' and '.join(missing)} (or --verify DRAW_ID to re-check one)")
    entries: list[dict[str, str]] = []
    if pool_file:
        entries += sampling.read_inspector_pool(Path(pool_file))
    entries += [sampling.parse_pool_inspector(p) for p in pool_inspectors]
    if not entries:
        raise UsageError("no inspector pool: give --inspector-pool FILE or --pool-inspector NAME:CERT (repeatable)")
    conditions = sampling.parse_where(where)
    assert sites_n is not None and seed is not None
    rec = ledger.draw(sites_n, inspectors_m, conditions, seed, entries)
    if as_json:
        emit_json(rec)
    else:
        _print_draw(rec)


def _who(inspectors: list[dict[str, str]]) -> str:
    return "、".join(f"{i['name']}（{i['cert']}）" for i in inspectors)


def _print_draw(rec: dict[str, Any]) -> None:
    from rich.markup import escape
    from rich.table import Table

    out = console()
    where = " ".join(f"{k}={v}" for k, v in rec["where"].items()) or "all sites"
    out.print(f"[bold]双随机抽查 draw {rec['id']}[/bold]  seed {rec['seed']}  ({rec['date']}, {escape(rec['actor'])})")
    out.print(f"Pool: {len(rec['pool']['sites'])} site(s) ({escape(where)}), "
              f"{len(rec['pool']['inspectors'])} inspector(s); drew {rec['sites_n']} site(s), "
              f"{rec['inspectors_m']} inspector(s).")
    t = Table()
    for col in ("#", "单位 Site", "名称 Name", "检查人员 Inspectors"):
        t.add_column(col)
    for n, a in enumerate(rec["result"]["assignments"], start=1):
        t.add_row(str(n), a["site"], escape(rec.get("site_names", {}).get(a["site"]) or ""), escape(_who(a["inspectors"])))
    out.print(t)
    if rec["result"]["reserves"]:
        out.print(f"替补 Reserves: {escape(_who(rec['result']['reserves']))}")
    out.print(f"sha256 {rec['sha256']}")
    out.print(f"Re-check: inspect sample --verify {rec['id']}")


def _print_verify(check: dict[str, Any]) -> None:
    from rich.markup import escape

    out = console()
    rec = check["record"]
    if check["ok"]:
        out.print(f"[green]draw {rec['id']} matches[/green]: re-running seed {rec['seed']} on the recorded pool "
                  f"({len(rec['pool']['sites'])} sites, {len(rec['pool']['inspectors'])} inspectors) gives the "
                  f"recorded result; sha256 {rec['sha256']}")
    else:
        out.print(f"[red]draw {rec['id']} does NOT match[/red]")
        for p in check["problems"]:
            out.print(f"  {escape(p)}")
    if check["pool_changed"]:
        out.print("[dim]note: the ledger's sites matching the same conditions have changed since the draw; "
                  "the check uses the recorded pool.[/dim]")


@sample.command("lookback")
@click.option("--of", "of", type=click.Choice(["hazards", "sites"]), default="hazards", show_default=True,
              help="Draw closed hazards, or certified sites (every hazard closed).")
@click.option("--seed", type=click.IntRange(min=0), metavar="S", help="The random seed (a non-negative integer).")
@click.option("--share", type=click.FloatRange(0, 1), metavar="R",
              help="Draw at least this share of the pool [default: setting lookback.share, 0.1].")
@click.option("--minimum", type=click.IntRange(min=0), metavar="N",
              help="Draw at least this many (or the whole pool) [default: setting lookback.minimum, 50].")
@click.option("--closed-since", metavar="DATE", help="Only hazards closed on or after this day (--of hazards).")
@click.option("--closed-until", metavar="DATE", help="Only hazards closed on or before this day (--of hazards).")
@click.option("--where", "where", multiple=True, metavar="ATTR=VALUE",
              help="Only at sites whose field or attribute equals VALUE (repeatable).")
@click.option("--inspector-pool", "pool_file", type=click.Path(exists=True, dir_okay=False),
              help="CSV (name,cert) or YAML list: also draw a pair of inspectors for each.")
@click.option("--pool-inspector", "pool_inspectors", multiple=True, metavar="NAME:CERT",
              help="An inspector of the pool (repeatable).")
@click.option("--verify", "verify_id", metavar="LOOKBACK_ID", help="Re-run a recorded look-back and confirm it matches.")
@ledger_option
@today_option
@json_option
def lookback(of: str, seed: Optional[int], share: Optional[float], minimum: Optional[int], closed_since: Optional[str],
             closed_until: Optional[str], where: tuple[str, ...], pool_file: Optional[str],
             pool_inspectors: tuple[str, ...], verify_id: Optional[str], ledger_path: Optional[str],
             today: Optional[str], as_json: bool) -> None:
    """回头看: draw closed hazards or certified sites to re-check — at least 10 % or 50.

    \b
    The draw is reproducible from the seed and recorded; re-check it with
      inspect sample lookback --verify K-XXXXX-XXXXX
    Re-check the drawn sites with inspect run … --kind lookback: a failure of an item whose
    hazard there was closed is recorded as a relapse (复发) of that hazard.
    """
    from ..errors import IntegrityError, UsageError
    from ..site import sampling
    from .options import date_value

    ledger = open_existing(ledger_path, today)
    if verify_id:
        if seed is not None or share is not None or minimum is not None or where or pool_file or pool_inspectors:
            raise UsageError("--verify takes only the look-back id (the pool and seed are those recorded)")
        check = ledger.verify_lookback(verify_id)
        rec = check["record"]
        if as_json:
            emit_json({"ok": check["ok"], "problems": check["problems"], "lookback": rec})
        elif check["ok"]:
            click.echo(f"look-back {rec['id']} matches: re-running seed {rec['seed']} on the recorded pool "
                       f"({len(rec['pool']['items'])} {rec['of']}) gives the recorded result; sha256 {rec['sha256']}")
        if not check["ok"]:
            raise IntegrityError(f"look-back {rec['id']} does not match its pool and seed", check["problems"])
        return
    if seed is None:
        raise UsageError("a look-back needs --seed S (or --verify LOOKBACK_ID to re-check one)")
    since, until = date_value(closed_since, "--closed-since"), date_value(closed_until, "--closed-until")
    if of == "sites" and (since or until):
        raise UsageError("--closed-since/--closed-until choose hazards: use them with --of hazards")
    entries: list[dict[str, str]] = []
    if pool_file:
        entries += sampling.read_inspector_pool(Path(pool_file))
    entries += [sampling.parse_pool_inspector(p) for p in pool_inspectors]
    rec = ledger.draw_lookback(of, seed, sampling.parse_where(where), share, minimum, since, until, entries)
    if as_json:
        emit_json(rec)
    else:
        _print_lookback(rec)


def _print_lookback(rec: dict[str, Any]) -> None:
    from rich.markup import escape
    from rich.table import Table

    out = console()
    pool = rec["pool"]
    out.print(f"[bold]回头看 look-back {rec['id']}[/bold]  seed {rec['seed']}  ({rec['date']}, {escape(rec['actor'])})")
    out.print(f"Pool: {len(pool['items'])} {'closed hazard(s)' if rec['of'] == 'hazards' else 'certified site(s)'}; "
              f"drew {rec['sites_n']} (at least {pool['share']:.0%} or {pool['minimum']}).")
    t = Table()
    cols = ["#", "隐患 Hazard", "单位 Site", "检查项 Item", "销号 Closed"] if rec["of"] == "hazards" else ["#", "单位 Site", "名称 Name"]
    for col in cols + ["检查人员 Inspectors"]:
        t.add_column(col)
    for n, d in enumerate(rec["drawn"], start=1):
        who = escape(_who(d["inspectors"])) if d["inspectors"] else ""
        if rec["of"] == "hazards":
            t.add_row(str(n), d["hazard"], escape(f"{d.get('site_name') or ''} {d.get('site') or ''}"),
                      escape(str(d.get("item") or "")), str(d.get("closed_date") or ""), who)
        else:
            t.add_row(str(n), d["site"], escape(str(d.get("site_name") or "")), who)
    out.print(t)
    out.print(f"sha256 {rec['sha256']}")
    out.print(f"Re-check the draw: inspect sample lookback --verify {rec['id']}; "
              "visit with inspect run … --kind lookback")
