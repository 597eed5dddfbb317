"""Rich rendering of one hazard and its timeline."""
from __future__ import annotations

from typing import TYPE_CHECKING, Any, Callable

from ..hazard import vocab

if TYPE_CHECKING:
    from ..records import Event, Hazard

EVENT_ZH = vocab.zh(vocab.EVENTS)
STATUS_ZH = vocab.zh(vocab.STATUS)


EVENT_EN = {k: v[1] for k, v in vocab.EVENTS.items()}
STATUS_EN = {k: v[1] for k, v in vocab.STATUS.items()}
LABELS = {
    "zh": {"major": "重大事故隐患", "general": "一般事故隐患", "site": "单位", "inspection": "检查", "checklist": "检查表",
           "finding": "隐患", "location": "部位", "measured": "实测", "range": "合格范围", "note": "备注", "evidence": "证据",
           "basis": "依据", "downgraded": "按一般隐患登记（判定项为重大）", "deadline": "整改期限", "late": "逾期 {n} 天",
           "interim": "临时管控措施", "history": "处理过程 (history)"},
    "en": {"major": "major hazard", "general": "general hazard", "site": "Site", "inspection": "Inspection",
           "checklist": "Checklist", "finding": "Finding (隐患)", "location": "Location", "measured": "Measured",
           "range": "pass range", "note": "Note", "evidence": "Evidence", "basis": "Basis",
           "downgraded": "recorded as general (the item is major)", "deadline": "Deadline", "late": "{n} days overdue",
           "interim": "Interim measures", "history": "History"},
}


def print_hazard(con: Any, h: Hazard, events: list[Event], lang: str = "zh") -> None:
    """A hazard and its timeline; ``lang`` en gives English labels (the record's own texts stay Chinese)."""
    from rich.markup import escape


    lang = "en" if lang == "en" else "zh"
    t = LABELS[lang]
    statuses = STATUS_EN if lang == "en" else STATUS_ZH
    events_names = EVENT_EN if lang == "en" else EVENT_ZH
    colon = ": "
    sev = f"[red]{t['major']}[/red]" if h["severity"] == "major" else t["general"]
    con.print(f"[bold]{h['id']}[/bold]  {sev}  {statuses.get(h['status'], h['status'])}")
    con.print(f"{t['site']}{colon}{escape(h.get('site_name') or '')} ({h['site']})   {t['inspection']}{colon}{h['inspection']}   "
              f"{t['checklist']}{colon}{h['checklist']}@{h['checklist_version']} {h['item']}"
              + (f" [{escape(h['unit'])}]" if h.get("unit") else ""))
    con.print(f"{t['finding']}{colon}{escape(h.get('description') or '')}")
    if h.get("location"):
        con.print(f"{t['location']}{colon}{escape(h['location'])}")
    if h.get("measured"):
        m = h["measured"]
        con.print(f"{t['measured']}{colon}{m['value']:g} {escape(m.get('unit') or '')}（{t['range']} {escape(m.get('range') or '')}）")
    if h.get("note"):
        con.print(f"{t['note']}{colon}{escape(h['note'])}")
    for ev in h.get("evidence") or []:
        con.print(f"{t['evidence']}{colon}{escape(ev.get('name', ''))}  [dim]sha256 {ev.get('sha256', '')[:16]}… "
                  f"{ev.get('size', 0)} B[/dim]")
    for b in h.get("basis") or []:
        con.print(f"{t['basis']}{colon}{escape(b.get('citation', ''))}")
    if h.get("downgrade_reason"):
        con.print(f"[yellow]{t['downgraded']}{colon}{escape(h['downgrade_reason'])}[/yellow]")
    overdue = f" [red]{t['late'].format(n=h['days_overdue'])}[/red]" if h.get("overdue") else ""
    con.print(f"{t['deadline']}{colon}{h['deadline']}{overdue}")
    for m in h.get("interim") or []:
        con.print(f"{t['interim']} ({m['date']}){colon}{escape(m['measures'])}")
    con.print(f"\n[bold]{t['history']}[/bold]")
    for e in events:
        con.print(f"  {e['date']}  {events_names.get(e['type'], e['type']):<8} {escape(e.get('actor') or '')}  "
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
