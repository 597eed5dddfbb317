"""``inspect case``: administrative cases (行政处罚案件) from 立案 to 结案."""
from __future__ import annotations

from pathlib import Path
from typing import Any, Optional

import click

from ..case.machine import EXECUTION, PENALTY_TYPES, SERVICE_METHODS, STAGE_ZH, STAGES
from .complete import complete_sites
from .options import (console, emit_json, inspector_option, json_option, ledger_option, open_existing, open_ledger,
                      parse_inspectors, today_option)

LIST_KEYS = ("id", "stage", "site", "site_name", "region", "domain", "hazards", "opened", "stage_since", "stage_due",
             "decision_due", "overdue", "days_overdue", "handlers", "closed_date", "closed_reason")


@click.group()
def case() -> None:
    """Administrative cases (行政处罚案件): 立案, 调查取证, 告知, 决定, 送达, 执行, 结案.

    \b
    inspect case open --reinspection H-… --inspector A:CERT --inspector B:CERT
    inspect case investigate C-… --note '询问笔录、现场勘验'
    inspect case notify C-… --penalty fine --amount 20000
    inspect case statement C-… --text '…'      (or: case hearing C-… --held|--waived)
    inspect case decide C-… --penalty fine --amount 20000
    inspect case serve C-… --method 直接送达
    inspect case execute C-… --how paid
    inspect case close C-…
    """


def _public(c: dict[str, Any]) -> dict[str, Any]:
    return {k: c.get(k) for k in LIST_KEYS}


def _done(c: dict[str, Any], what: str, as_json: bool) -> None:
    if as_json:
        emit_json(dict(c))
    else:
        stage = str(c.get("stage"))
        click.echo(f"{c['id']}: {what}. Stage: {stage} ({STAGE_ZH.get(stage, '')}).")


def _move(ledger_path: Optional[str], today: Optional[str], case_id: str, move: str, args: dict[str, Any],
          evidence: tuple[str, ...] = ()) -> dict[str, Any]:
    ledger = open_existing(ledger_path, today)
    ledger.case_move(case_id, move, args, tuple(Path(e) for e in evidence))
    c, _ = ledger.case(case_id)
    return c


evidence_option = click.option("--evidence", multiple=True, type=click.Path(exists=True, dir_okay=False),
                               help="A file (photo, scan of a 笔录); repeatable.")
penalty_option = click.option("--penalty", "types", multiple=True, type=click.Choice(list(PENALTY_TYPES)),
                              help="Kind of penalty (repeatable): " + ", ".join(f"{k} {v}" for k, v in PENALTY_TYPES.items()))
amount_option = click.option("--amount", type=click.IntRange(min=0), help="The fine (罚款) in yuan.")


@case.command("open")
@click.option("--hazard", "hazards", multiple=True, metavar="ID", help="A hazard (violation found on site); repeatable.")
@click.option("--inspection", metavar="ID", help="All findings of an inspection.")
@click.option("--reinspection", "reinspections", multiple=True, metavar="HAZARD_ID",
              help="A hazard whose last re-inspection failed (安全生产法 第一百零二条); repeatable.")
@inspector_option
@click.option("--facts", default="", help="The facts of the violation (案由/违法事实) [default: from the hazards].")
@click.option("--basis", multiple=True, help="A violated provision beyond the hazards' own (repeatable).")
@click.option("--penalty-basis", default="", help="The provision the penalty rests on "
                                                  "[default for --reinspection: 安全生产法 第一百零二条].")
@ledger_option
@today_option
@json_option
def open_cmd(hazards: tuple[str, ...], inspection: Optional[str], reinspections: tuple[str, ...],
             inspectors: tuple[str, ...], facts: str, basis: tuple[str, ...], penalty_basis: str,
             ledger_path: Optional[str], today: Optional[str], as_json: bool) -> None:
    """Open a case (立案) with two 承办人 holding certificates; the hazards are linked, never changed."""
    from ..case.records import OpenRequest

    req = OpenRequest(handlers=parse_inspectors(inspectors), hazards=list(hazards), inspection=inspection,
                      reinspections=list(reinspections), facts=facts, basis=list(basis), penalty_basis=penalty_basis)
    ledger = open_existing(ledger_path, today)
    c = ledger.open_case(req)
    c, _ = ledger.case(c["id"])
    _done(c, f"case opened (立案) on {len(c['hazards'])} hazard(s) of {c['site_name'] or c['site']}", as_json)


@case.command("investigate")
@click.argument("case_id")
@click.option("--note", required=True, help="What was done: 询问、勘验、抽样取证、鉴定 …")
@evidence_option
@ledger_option
@today_option
@json_option
def investigate(case_id: str, note: str, evidence: tuple[str, ...], ledger_path: Optional[str], today: Optional[str],
                as_json: bool) -> None:
    """Record investigation and evidence (调查取证); repeatable while investigating."""
    _done(_move(ledger_path, today, case_id, "investigate", {"note": note}, evidence), "investigation recorded", as_json)


@case.command("notify")
@click.argument("case_id")
@penalty_option
@amount_option
@click.option("--basis", default="", help="The provision the penalty rests on [default: the case's].")
@click.option("--note", default="", help="A note kept with this step of the case (备注).")
@ledger_option
@today_option
@json_option
def notify(case_id: str, types: tuple[str, ...], amount: Optional[int], basis: str, note: str,
           ledger_path: Optional[str], today: Optional[str], as_json: bool) -> None:
    """Notify the party of the proposed penalty (行政处罚告知): 陈述申辩, and 听证 where the penalty allows it."""
    c = _move(ledger_path, today, case_id, "notify", {"types": list(types), "amount": amount, "basis": basis,
                                                      "note": note})
    right = "the party may ask for a hearing (听证)" if c["notice"]["hearing_right"] else "no hearing right"
    _done(c, f"notice recorded; {right}", as_json)


@case.command("statement")
@click.argument("case_id")
@click.option("--text", required=True, help="What the party stated (陈述申辩).")
@ledger_option
@today_option
@json_option
def statement(case_id: str, text: str, ledger_path: Optional[str], today: Optional[str], as_json: bool) -> None:
    """Record the party's statement and defence (陈述申辩)."""
    _done(_move(ledger_path, today, case_id, "statement", {"text": text}), "statement recorded", as_json)


@case.command("hearing")
@click.argument("case_id")
@click.option("--held/--waived", required=True, help="A hearing (听证) was held, or the party waived it.")
@click.option("--note", default="", help="A note kept with this step of the case (备注).")
@evidence_option
@ledger_option
@today_option
@json_option
def hearing(case_id: str, held: bool, note: str, evidence: tuple[str, ...], ledger_path: Optional[str],
            today: Optional[str], as_json: bool) -> None:
    """Record the hearing (听证) or that the party waived it."""
    c = _move(ledger_path, today, case_id, "hearing", {"held": held, "note": note}, evidence)
    _done(c, "hearing held" if held else "hearing waived", as_json)


@case.command("decide")
@click.argument("case_id")
@penalty_option
@amount_option
@click.option("--no-penalty", is_flag=True, help="不予行政处罚 (needs --reason).")
@click.option("--reason", default="", help="Why no penalty is given.")
@click.option("--basis", default="", help="The provision of the decision [default: the notice's].")
@click.option("--note", default="", help="A note kept with this step of the case (备注).")
@ledger_option
@today_option
@json_option
def decide(case_id: str, types: tuple[str, ...], amount: Optional[int], no_penalty: bool, reason: str, basis: str,
           note: str, ledger_path: Optional[str], today: Optional[str], as_json: bool) -> None:
    """Decide (决定): a penalty with kind and amount (no heavier than notified), or 不予处罚 with a reason."""
    c = _move(ledger_path, today, case_id, "decide", {"types": list(types), "amount": amount, "no_penalty": no_penalty,
                                                      "reason": reason, "basis": basis, "note": note})
    d = c["decision"]
    what = "不予处罚" if d["outcome"] == "no_penalty" else "、".join(PENALTY_TYPES[t] for t in d["types"]) + (
        f" {d['amount']} 元" if d["amount"] else "")
    _done(c, f"decided: {what}; print it with: inspect report penalty {c['id']}", as_json)


@case.command("serve")
@click.argument("case_id")
@click.option("--method", type=click.Choice(SERVICE_METHODS), default="直接送达", show_default=True,
              help="How the document was served (送达方式).")
@click.option("--recipient", default="", help="Who received the decision.")
@evidence_option
@ledger_option
@today_option
@json_option
def serve(case_id: str, method: str, recipient: str, evidence: tuple[str, ...], ledger_path: Optional[str],
          today: Optional[str], as_json: bool) -> None:
    """Record service of the decision (送达)."""
    _done(_move(ledger_path, today, case_id, "serve", {"method": method, "recipient": recipient}, evidence),
          "decision served", as_json)


@case.command("execute")
@click.argument("case_id")
@click.option("--how", required=True, type=click.Choice(list(EXECUTION)),
              help="paid: 当事人缴纳; enforced: 行政强制执行; court: 申请人民法院强制执行.")
@amount_option
@click.option("--note", default="", help="A note kept with this step of the case (备注).")
@evidence_option
@ledger_option
@today_option
@json_option
def execute(case_id: str, how: str, amount: Optional[int], note: str, evidence: tuple[str, ...],
            ledger_path: Optional[str], today: Optional[str], as_json: bool) -> None:
    """Record that the penalty was carried out (执行) [--amount default: the fine]."""
    _done(_move(ledger_path, today, case_id, "execute", {"how": how, "amount": amount, "note": note}, evidence),
          f"executed ({EXECUTION[how]})", as_json)


@case.command("close")
@click.argument("case_id")
@click.option("--note", default="", help="A note kept with this step of the case (备注).")
@ledger_option
@today_option
@json_option
def close(case_id: str, note: str, ledger_path: Optional[str], today: Optional[str], as_json: bool) -> None:
    """Close the case (结案)."""
    _done(_move(ledger_path, today, case_id, "close", {"note": note}), "case closed (结案)", as_json)


@case.command("withdraw")
@click.argument("case_id")
@click.option("--reason", required=True, help="Why, e.g. 违法事实不能成立.")
@ledger_option
@today_option
@json_option
def withdraw(case_id: str, reason: str, ledger_path: Optional[str], today: Optional[str], as_json: bool) -> None:
    """Withdraw the case before a decision (撤销立案); its hazards can be in a new case."""
    _done(_move(ledger_path, today, case_id, "withdraw", {"reason": reason}), "case withdrawn (撤销立案)", as_json)


@case.command("list")
@click.option("--stage", "stages", multiple=True, type=click.Choice(STAGES), help="Only these stages (repeatable).")
@click.option("--site", metavar="CODE", shell_complete=complete_sites, help="Only cases of this site (unified social credit code).")
@click.option("--hazard", metavar="ID", help="Only cases on this hazard.")
@click.option("--overdue", is_flag=True, help="Only cases whose stage or decision is past its deadline.")
@ledger_option
@today_option
@json_option
def list_cmd(stages: tuple[str, ...], site: Optional[str], hazard: Optional[str], overdue: bool,
             ledger_path: Optional[str], today: Optional[str], as_json: bool) -> None:
    """List cases with their stage and deadlines; --overdue lists the late stages."""
    from ..case.records import CaseQuery

    rows = open_ledger(ledger_path, today).cases(CaseQuery(stages=stages, site=site, hazard=hazard, overdue=overdue))
    if as_json:
        emit_json({"total": len(rows), "cases": [dict(_public(c), late=c["late"]) for c in rows]})
        return
    from rich.markup import escape
    from rich.table import Table

    table = Table()
    for col in ("编号 id", "单位 site", "区域 region", "阶段 stage", "立案 opened", "期限 due", "隐患 hazards"):
        table.add_column(col, overflow="fold")
    for c in rows:
        due = c.get("stage_due") or ""
        if c["overdue"]:
            due = "[red]" + "\n".join(f"{x['due']} 逾期{x['days']}天" + ("（决定）" if x["what"] == "decision" else "")
                                      for x in c["late"]) + "[/red]"
        table.add_row(c["id"], escape(c.get("site_name") or c["site"]), escape(c.get("region") or ""),
                      f"{STAGE_ZH.get(c['stage'], '')} {c['stage']}", c.get("opened") or "", due,
                      " ".join(c.get("hazards") or []))
    console().print(table)
    click.echo(f"{len(rows)} case(s).")


def event_text(e: dict[str, Any]) -> str:
    """What an event says beyond its type, in one line."""
    d = e.get("data") or {}
    t = e.get("type")
    penalty = "、".join(PENALTY_TYPES.get(x, x) for x in d.get("types") or []) + (
        f" {d['amount']} 元" if d.get("amount") else "")
    if t == "opened":
        return f"立案 on {len(d.get('hazards') or [])} hazard(s); 承办人 " + "、".join(
            h.get("name", "") for h in d.get("handlers") or [])
    if t == "notified":
        return f"拟 {penalty}" + ("；可申请听证" if d.get("hearing_right") else "")
    if t == "statement":
        return str(d.get("text") or "")
    if t == "hearing":
        return "听证已举行" if d.get("held") else "当事人放弃听证"
    if t == "decided":
        return "不予处罚：" + str(d.get("reason")) if d.get("outcome") == "no_penalty" else penalty
    if t == "served":
        return f"{d.get('method')} {d.get('recipient') or ''}".strip()
    if t == "executed":
        return f"{EXECUTION.get(str(d.get('how')), d.get('how'))} {d.get('amount')} 元"
    if t == "withdrawn":
        return f"撤销立案：{d.get('reason')}"
    return ""


@case.command("show")
@click.argument("case_id")
@ledger_option
@today_option
@json_option
def show(case_id: str, ledger_path: Optional[str], today: Optional[str], as_json: bool) -> None:
    """Show a case: parties, basis, stage, deadlines, allowed moves and its whole history."""
    c, events = open_ledger(ledger_path, today).case(case_id)
    if as_json:
        emit_json(dict(c, history=events))
        return
    from ..case.machine import MOVE_COMMANDS

    from rich.markup import escape

    out = console()
    out.print(f"[bold]{c['id']}[/bold]  {STAGE_ZH.get(c['stage'], '')} {c['stage']}  since {c['stage_since']}"
              + (f"  due {c['stage_due']}" if c.get("stage_due") else ""))
    for x in c["late"]:
        out.print(f"[red]逾期 overdue {x['days']} day(s): {'决定 decision' if x['what'] == 'decision' else 'stage'} "
                  f"due {x['due']}[/red]")
    out.print(f"当事人 party: {escape(c.get('site_name') or '')} ({c['site']})  区域 {escape(c.get('region') or '')}")
    out.print("承办人 handlers: " + "、".join(f"{escape(h['name'])}（{h['cert']}）" for h in c.get("handlers") or []))
    out.print(f"案由 facts: {escape(c.get('facts') or '')}")
    out.print("违法依据 basis: " + escape("；".join(c.get("basis") or [])))
    if c.get("penalty_basis"):
        out.print(f"处罚依据 penalty basis: {escape(c['penalty_basis'])}")
    out.print("隐患 hazards: " + " ".join(c.get("hazards") or []))
    d = c.get("decision")
    if d:
        what = "不予处罚：" + d["reason"] if d["outcome"] == "no_penalty" else "、".join(
            PENALTY_TYPES[t] for t in d["types"]) + (f" {d['amount']} 元" if d["amount"] else "")
        out.print(f"决定 decision ({d['date']}): {escape(what)}")
    if c.get("execution"):
        e = c["execution"]
        out.print(f"执行 execution ({e['date']}): {EXECUTION[e['how']]} {e['amount']} 元")
    out.print("[bold]History[/bold]")
    for e in events:
        detail = "；".join(x for x in (event_text(e), e.get("note") or "") if x)
        out.print(f"  {e['seq']:>2} {e['date']} {e['type']:<12} {escape(e.get('actor') or '')}  {escape(detail)}")
    for k in c.get("conflicts") or []:
        out.print(f"[yellow]冲突 (conflict) {k['id']}: another ledger recorded {len(k['their_events'])} other "
                  f"event(s) ({', '.join(e['type'] for e in k['their_events'])}); kept for review[/yellow]")
    moves = c["allowed_moves"]
    out.print("Allowed moves: " + ("; ".join(MOVE_COMMANDS[m] for m in moves) if moves else "none (结案 is final)"))
