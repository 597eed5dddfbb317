"""The interactive 复查 visit: a site's active hazards, one by one."""
from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from .options import console

if TYPE_CHECKING:
    from ..ledger import Ledger


WALK_TEXTS: dict[str, dict[str, str]] = {
    "intro": {"zh": "{name}：{active} 项隐患未销号，其中 {due} 项可复查（已报告整改或已到期）。",
              "en": "{name}: {active} active hazard(s), {due} ready for re-inspection (fix reported or deadline reached)."},
    "deadline": {"zh": "期限", "en": "deadline"},
    "location": {"zh": "部位", "en": "Location"},
    "ask": {"zh": "复查结果：1 合格 / 2 不合格 / 0 跳过", "en": "Re-inspection: 1 pass / 2 fail / 0 skip"},
    "bad": {"zh": "请答 1 合格、2 不合格 或 0 跳过", "en": "Answer 1 pass, 2 fail or 0 skip"},
    "note": {"zh": "复查意见", "en": "Note"},
    "evidence": {"zh": "证据文件（照片、文件），用 ; 分隔", "en": "Evidence files, separated by ';'"},
    "new_deadline": {"zh": "新的整改期限（直接回车：按等级默认）", "en": "New deadline (empty: the default for its severity)"},
    "refused": {"zh": "未记录", "en": "Not recorded"},
    "summary": {"zh": "\n销号 {closed} 项，重新整改 {reopened} 项，跳过 {skipped} 项。",
                "en": "\nClosed {closed}, reopened {reopened}, skipped {skipped}."},
}
RESULT_WORDS = {"pass": ("1", "pass", "合格", "是", "y", "yes"), "fail": ("2", "fail", "不合格", "否", "n", "no"),
                "skip": ("0", "skip", "跳过", "s")}


def reinspection_result(typed: str) -> str:
    """``pass``, ``fail`` or ``skip`` from what was typed (1/2/0, 合格/不合格/跳过, pass/fail/skip); '' if none."""
    word = typed.strip().lower()
    return next((result for result, words in RESULT_WORDS.items() if word in words), "")


def walk_site(ledger: Ledger, code: str, inspectors: list[dict[str, str]], lang: str = "zh") -> dict[str, Any]:
    from rich.markup import escape

    from ..errors import InspectError
    from ..hazard.moves import HazardQuery
    from ..hazard.lifecycle import ACTIVE, can_reinspect

    def t(key: str, **values: Any) -> str:
        text = WALK_TEXTS[key]["en" if lang == "en" else "zh"]
        return text.format(**values) if values else text

    con = console()
    site = ledger.site(code)
    rows, _ = ledger.hazards(HazardQuery(site=site["code"], status=ACTIVE, sort="deadline"))
    due = [h for h in rows if can_reinspect(h, ledger.clock.today)]
    con.print(t("intro", name=f"[bold]{escape(site['name'])}[/bold]", active=len(rows), due=len(due)))
    summary: dict[str, list[str]] = {"closed": [], "reopened": [], "skipped": []}
    for n, h in enumerate(due, 1):
        unit = f" [{h['unit']}]" if h.get("unit") else ""
        major = ("重大" if lang != "en" else "major") if h["severity"] == "major" else ("一般" if lang != "en" else "general")
        con.print(f"\n[dim]{n}/{len(due)}[/dim] [bold]{h['id']}[/bold] "
                  f"{f'[red]{major}[/red]' if h['severity'] == 'major' else major} "
                  f"{escape(h['item'] + unit)}  {t('deadline')} {h['deadline']}\n  {escape(h.get('description') or '')}")
        if h.get("location"):
            con.print(f"  {t('location')}: {escape(h['location'])}")
        while True:
            choice = reinspection_result(click.prompt(t("ask")))
            if choice:
                break
            con.print(f"[red]{t('bad')}[/red]")
        if choice == "skip":
            summary["skipped"].append(h["id"])
            continue
        note = click.prompt(t("note"), default="", show_default=False)
        files = [Path(p.strip()).expanduser() for p in click.prompt(t("evidence"), default="", show_default=False)
                 .replace("；", ";").split(";") if p.strip()]
        deadline = (click.prompt(t("new_deadline"), default="", show_default=False) or None) if choice == "fail" else None
        try:
            result = ledger.reinspect(h["id"], choice, inspectors, note, tuple(files), deadline)
        except InspectError as e:  # one hazard's refusal must not end the visit
            con.print(f"[red]{t('refused')}: {escape(str(e))}[/red]")
            for p in getattr(e, "problems", []):
                con.print(f"[red]  {escape(p)}[/red]")
            summary["skipped"].append(h["id"])
            continue
        summary["closed" if result["status"] == "closed" else "reopened"].append(h["id"])
    con.print(t("summary", closed=len(summary["closed"]), reopened=len(summary["reopened"]),
                skipped=len(summary["skipped"])))
    return summary
