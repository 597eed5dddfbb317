"""The questions of an interactive inspection, in the inspector's language (``--lang``/``INSPECT_LANG``).

What is typed becomes an answer exactly as an answers file would give it: the raw value goes
through :func:`inspect_cli.inspection.answers.normalise_answer`, the failure details through
:func:`inspect_cli.inspection.record.failure_problems`, and the finding is written by
:func:`inspect_cli.inspection.record.describe` when the inspection is finished.
"""
from __future__ import annotations

import datetime as dt
import re
from pathlib import Path
from typing import TYPE_CHECKING, Any, Optional

import click

from ..inspection.answers import Step, normalise_answer

if TYPE_CHECKING:
    from ..ledger import Ledger
    from ..records import Inspection, Site

UNIT_SEPARATORS = re.compile(r"[,，、]")
NA_WORDS = ("不适用", "na", "n/a")
YES_WORDS = ("是", "y", "yes")
NO_WORDS = ("否", "n", "no")

TEXTS: dict[str, dict[str, str]] = {
    "header": {"zh": "检查 {id}：每答一项即保存；Ctrl-C 中止，[bold]inspect run --resume {id}[/bold] 继续。",
               "en": "Inspection {id}: answers are saved as you go; Ctrl-C stops, "
                     "[bold]inspect run --resume {id}[/bold] continues."},
    "stopped": {"zh": "\n已中止，已保存 {n} 项回答。继续：inspect run --resume {id}",
                "en": "\nStopped. {n} answer(s) saved. Continue with: inspect run --resume {id}"},
    "units_intro": {"zh": "{section}：每个{repeat}逐一检查。", "en": "{section} is answered once per {repeat}."},
    "units_ask": {"zh": "现场的各个{repeat}名称，用 、 ， 或 , 分隔（直接回车：没有）",
                  "en": "Name each {repeat} on site, separated by , ， or 、 (empty: none)"},
    "method": {"zh": "检查方法", "en": "How to check"},
    "basis": {"zh": "依据", "en": "Basis"},
    "major": {"zh": "重大隐患判定项", "en": "major-hazard item"},
    "ask_boolean": {"zh": "是否符合？1 是 / 2 否 / 0 不适用（后加 + 另写备注）",
                    "en": "Compliant? 1 yes / 2 no / 0 na (add + for a note)"},
    "ask_number": {"zh": "实测值（{unit}，合格 {range}），或“不适用”（后加 + 另写备注）",
                   "en": "Measured value in {unit} (pass {range}), or na (add + for a note)"},
    "ask_choice": {"zh": "选择 1–{n}，或 0 不适用（后加 + 另写备注）", "en": "Choose 1–{n}, or 0 for na (add + for a note)"},
    "ask_text": {"zh": "记录（文字），或“不适用”", "en": "Record (text), or na"},
    "bad_boolean": {"zh": "无法识别“{v}”：请答 是 / 否 / 不适用（或 1 / 2 / 0，y / n / na）",
                    "en": "{v!r} is not an answer: type yes / no / na (or 1 / 2 / 0, y / n)"},
    "bad_number": {"zh": "无法识别“{v}”：请写实测数值（{unit}），或“不适用”",
                   "en": "{v!r} is not a number: type the measured value in {unit}, or na"},
    "bad_choice": {"zh": "无法识别“{v}”：请写 1–{n} 中的一个序号，或 0 不适用",
                   "en": "{v!r} is not one of the choices: type a number 1–{n}, or 0 for na"},
    "bad_text": {"zh": "请写下记录内容，或“不适用”", "en": "type what you recorded, or na"},
    "note": {"zh": "备注", "en": "Note"},
    "seen": {"zh": "所见", "en": "Seen"},
    "finding": {"zh": "隐患描述（所见情形将附在描述之后）", "en": "Finding (隐患描述; what was seen is added to it)"},
    "location": {"zh": "部位", "en": "Location (部位)"},
    "evidence": {"zh": "证据文件（照片、文件），用 ; 分隔", "en": "Evidence files, separated by ';'"},
    "required": {"zh": "（必填）", "en": " (required)"},
    "no_file": {"zh": "没有这个文件：{files}", "en": "No such file: {files}"},
    "need_evidence": {"zh": "此项不合格时必须有证据（照片、文件）。",
                      "en": "This item requires evidence on failure (photo, document)."},
    "deadline": {"zh": "整改期限", "en": "Deadline (整改期限)"},
    "bad_deadline": {"zh": "请写日期 YYYY-MM-DD，且不早于检查日期。", "en": "Use a date YYYY-MM-DD, not before the inspection."},
    "on_spot": {"zh": "当场整改？是 / 否", "en": "Fixed on the spot (当场整改)? yes / no"},
    "bad_yes_no": {"zh": "请答 是 或 否（y / n）", "en": "Answer yes or no (y / n)"},
    "recorded": {"zh": "记为隐患：{text}", "en": "Recorded as hazard: {text}"},
}


def t(lang: str, key: str, **values: Any) -> str:
    """One message in the inspector's language (Chinese when ``lang`` is anything but ``en``)."""
    text = TEXTS[key]["en" if lang == "en" else "zh"]
    return text.format(**values) if values else text


def split_units(text: str) -> list[str]:
    """Unit names as inspectors type them: separated by ``,``, ``，`` or ``、``."""
    return [n.strip() for n in UNIT_SEPARATORS.split(text) if n.strip()]


def read_answer(item: Any, typed: str) -> tuple[Optional[Any], bool]:
    """What was typed → ``(raw answer for normalise_answer, note requested)``; raw None when not understood.

    Accepted: 是/否/不适用, y/n/na, yes/no; for yes/no items also 1/2/0; for choice items the
    number of an option (0 for not applicable), its value or its Chinese text. A trailing ``+``
    asks for a note.
    """
    text = typed.strip()
    wants_note = text.endswith("+")
    if wants_note:
        text = text[:-1].strip()
    low = text.lower()
    if low in NA_WORDS or (low == "0" and item.type in ("boolean", "choice")):
        return "na", wants_note
    if item.type == "boolean":
        if low in YES_WORDS or low == "1":
            return "yes", wants_note
        if low in NO_WORDS or low == "2":
            return "no", wants_note
        return None, wants_note
    if item.type == "choice":
        for option in item.options:
            if text in (option.value, option.text.zh) or (option.text.en and low == option.text.en.lower()):
                return option.value, wants_note
        if text.isdigit() and 1 <= int(text) <= len(item.options):
            return item.options[int(text) - 1].value, wants_note
        return None, wants_note
    if item.type == "number":
        try:
            float(text)
        except ValueError:
            return None, wants_note
        return text, wants_note
    return (text or None), wants_note


def ask_units(con: Any, ledger: Ledger, checklist: Any, rec: Inspection, site: Site,
              lang: str = "zh") -> Inspection:
    """Name the units of each repeated section that applies (each dust collector, each space)."""
    from rich.markup import escape

    from ..inspection.record import section_applies

    for section in checklist.sections:
        if not section.repeat or section.id in rec["units"]:
            continue
        if not section_applies(checklist, section, site, dt.date.fromisoformat(rec["date"])):
            continue
        repeat = section.repeat.get(lang)
        con.print("\n" + t(lang, "units_intro", section=f"[bold]{escape(section.title.get(lang))}[/bold]",
                             repeat=escape(repeat)))
        text = click.prompt(t(lang, "units_ask", repeat=repeat), default="", show_default=False)
        rec = ledger.set_units(rec["id"], section.id, split_units(text))
    return rec


def ask_step(con: Any, step: Step, n: int, total: int, today: dt.date, settings: dict[str, Any],
             lang: str = "zh") -> dict[str, Any]:
    """Ask one item; the answer as an answers file would give it, normalised (``{answer, outcome, …}``)."""
    from rich.markup import escape

    from ..inspection.record import describe

    item = step.item
    unit = f" [{escape(step.unit)}]" if step.unit else ""
    flag = f" [red]{t(lang, 'major')}[/red]" if item.severity == "major" else ""
    con.print(f"\n[dim]{n}/{total}  {escape(step.section.title.get(lang))}{unit}[/dim]")
    con.print(f"[bold]{escape(item.id)}[/bold]{flag}  {escape(item.text.get(lang))}")
    if item.guidance:
        con.print(f"[dim]{t(lang, 'method')}: {escape(item.guidance.get(lang))}[/dim]")
    con.print(f"[dim]{t(lang, 'basis')}: " + escape("；".join(b.cite() for b in item.basis)) + "[/dim]")
    if item.type == "choice":
        for k, option in enumerate(item.options, 1):
            con.print(f"  {k}  {escape(option.text.get(lang))}")
    while True:
        typed = click.prompt(_hint(item, lang))
        raw, wants_note = read_answer(item, typed)
        if raw is not None:
            try:
                detail = normalise_answer(item, raw)
                break
            except ValueError:
                pass
        con.print(f"[red]{escape(_refusal(item, typed, lang))}[/red]")
    if detail["outcome"] == "fail":
        days = item.rectify_days or int(settings[f"deadline.{item.severity}"])
        detail.update(_ask_failure(con, item, detail, today, days, lang))
        con.print(f"[yellow]{escape(t(lang, 'recorded', text=describe(item, detail)))}[/yellow]")
    elif wants_note:
        note = click.prompt(t(lang, "note"), default="", show_default=False)
        if note:
            detail["note"] = note
    return detail


def _hint(item: Any, lang: str) -> str:
    if item.type == "boolean":
        return t(lang, "ask_boolean")
    if item.type == "number":
        rng = item.pass_range.describe(item.unit) if item.pass_range else ""
        return t(lang, "ask_number", unit=item.unit, range=rng)
    if item.type == "choice":
        return t(lang, "ask_choice", n=len(item.options))
    return t(lang, "ask_text")


def _refusal(item: Any, typed: str, lang: str) -> str:
    if item.type in ("boolean", "number", "choice"):
        return t(lang, f"bad_{item.type}", v=typed, unit=item.unit or "", n=len(item.options or ()))
    return t(lang, "bad_text")


def _ask_failure(con: Any, item: Any, detail: dict[str, Any], today: dt.date, days: int,
                 lang: str) -> dict[str, Any]:
    """The details of a failed item, checked by the same rules as an answers file."""
    from rich.markup import escape

    from ..inspection.record import failure_problems, observed

    out: dict[str, Any] = {}
    seen = observed(item, detail)
    if seen:
        con.print(f"{t(lang, 'seen')}: {escape(seen.strip('（）'))}")
    description = click.prompt(t(lang, "finding"), default=item.finding_text.zh)
    if description.strip() and description != item.finding_text.zh:
        out["description"] = description.strip()  # kept as written; the observation is added to it
    out["location"] = click.prompt(t(lang, "location"), default="", show_default=False)
    note = click.prompt(t(lang, "note"), default="", show_default=False)
    if note:
        out["note"] = note
    while True:
        text = click.prompt(t(lang, "evidence") + (t(lang, "required") if item.evidence_required else ""),
                            default="", show_default=False)
        files = [p.strip() for p in re.split(r"[;；]", text) if p.strip()]
        missing = [p for p in files if not Path(p).expanduser().is_file()]
        if missing:
            con.print(f"[red]{escape(t(lang, 'no_file', files=', '.join(missing)))}[/red]")
        elif item.evidence_required and not files:
            con.print(f"[red]{t(lang, 'need_evidence')}[/red]")
        else:
            break
    if files:
        out["evidence"] = [str(Path(p).expanduser().resolve()) for p in files]
    default = (today + dt.timedelta(days=days)).isoformat()
    while True:
        candidate = dict(out, deadline=click.prompt(t(lang, "deadline"), default=default).strip())
        if not failure_problems(item, candidate, today):
            out["deadline"] = candidate["deadline"]
            break
        con.print(f"[red]{t(lang, 'bad_deadline')}[/red]")
    out["fixed_on_spot"] = ask_yes_no(con, t(lang, "on_spot"), False, lang)
    return out


def ask_yes_no(con: Any, question: str, default: bool, lang: str) -> bool:
    """A yes/no question that takes 是/否 as well as y/n."""
    from ..inspection.record import as_flag

    while True:
        typed = click.prompt(question, default="是" if default and lang != "en" else
                             "否" if lang != "en" else ("yes" if default else "no"))
        flag = as_flag(typed)
        if flag is None and typed.strip().lower() in ("y", "n"):
            flag = typed.strip().lower() == "y"
        if flag is not None:
            return flag
        con.print(f"[red]{t(lang, 'bad_yes_no')}[/red]")
