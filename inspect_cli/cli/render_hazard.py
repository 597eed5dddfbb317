"""Rich rendering of one hazard and its timeline."""
from __future__ import annotations

from typing import TYPE_CHECKING, Any, Callable

from ..hazard import vocab

if TYPE_CHECKING:
    from ..records import Event, Hazard

EVENT_ZH = vocab.zh(vocab.EVENTS)
STATUS_ZH = vocab.zh(vocab.STATUS)


def print_hazard(con: Any, h: Hazard, events: list[Event]) -> None:
    from rich.markup import escape


    sev = "[red]重大事故隐患[/red]" if h["severity"] == "major" else "一般事故隐患"
    con.print(f"[bold]{h['id']}[/bold]  {sev}  {STATUS_ZH.get(h['status'], h['status'])}")
    con.print(f"单位: {escape(h.get('site_name') or '')} ({h['site']})   检查: {h['inspection']}   "
              f"检查表: {h['checklist']}@{h['checklist_version']} {h['item']}" + (f" [{escape(h['unit'])}]" if h.get("unit") else ""))
    con.print(f"隐患: {escape(h.get('description') or '')}")
    if h.get("location"):
        con.print(f"部位: {escape(h['location'])}")
    if h.get("measured"):
        m = h["measured"]
        con.print(f"实测: {m['value']:g} {escape(m.get('unit') or '')}（合格范围 {escape(m.get('range') or '')}）")
    if h.get("note"):
        con.print(f"备注: {escape(h['note'])}")
    for ev in h.get("evidence") or []:
        con.print(f"证据: {escape(ev.get('name', ''))}  [dim]sha256 {ev.get('sha256', '')[:16]}… {ev.get('size', 0)} B[/dim]")
    for b in h.get("basis") or []:
        con.print(f"依据: {escape(b.get('citation', ''))}")
    if h.get("downgrade_reason"):
        con.print(f"[yellow]按一般隐患登记（判定项为重大）: {escape(h['downgrade_reason'])}[/yellow]")
    overdue = f" [red]逾期 {h['days_overdue']} 天[/red]" if h.get("overdue") else ""
    con.print(f"整改期限: {h['deadline']}{overdue}")
    for m in h.get("interim") or []:
        con.print(f"临时管控措施 ({m['date']}): {escape(m['measures'])}")
    con.print("\n[bold]处理过程 (history)[/bold]")
    for e in events:
        con.print(f"  {e['date']}  {EVENT_ZH.get(e['type'], e['type']):<8} {escape(e.get('actor') or '')}  "
                  f"{escape(_summary(e))}  [dim]{e['hash'][:12]}[/dim]")
    for c in h.get("cases") or []:
        state = "撤销立案 withdrawn" if c.get("withdrawn") else c.get("stage")
        con.print(f"[bold]案件 case[/bold] {c['id']}: 立案 {c.get('opened')}, {state} (inspect case show {c['id']})")
    for c in h.get("conflicts") or []:
        if c.get("status") == "resolved":
            continue
        theirs = c.get("theirs") or []
        con.print(f"[yellow]冲突 (conflict) {c['id']}: another ledger recorded {len(theirs)} other event(s) after event "
                  f"{c.get('fork')} ({', '.join(EVENT_ZH.get(e['type'], e['type']) for e in theirs)}); both kept — "
                  "inspect conflicts resolve ID --keep mine|theirs --reason TEXT[/yellow]")


def _summary(e: Event) -> str:
    d = e.get("data") or {}
    parts: dict[str, Callable[[], str]] = {
        "registered": lambda: f"期限 {d.get('deadline')}",
        "extended": lambda: f"至 {d.get('to')}：{d.get('reason')}",
        "reinspected": lambda: ("合格，销号" if d.get("result") == "pass" else f"不合格，新期限 {d.get('deadline')}")
        + "；" + "、".join(i.get("name", "") for i in d.get("inspectors", [])),
        "supervise": lambda: f"{d.get('level')} {d.get('authority')}",
        "interim": lambda: str(d.get("measures")),
        "plan": lambda: "已制定（六项齐全）",
        "closed_on_spot": lambda: str(d.get("reason")),
        "fixed": lambda: "",
    }
    text = parts.get(e["type"], lambda: "")()
    if e.get("note"):
        text += f"  备注: {e['note']}"
    if e.get("evidence"):
        text += f"  证据 {len(e['evidence'])} 件"
    return text
