"""``inspect checklist``: list, show and validate checklists."""
from __future__ import annotations

from pathlib import Path

import click

from typing import Optional

from .complete import complete_checklists
from .options import checklist_dir_option, console, emit_json, json_option, lang_option, registry, today_option

LABELS = {
    "zh": {"id": "编号", "domain": "领域", "version": "版本", "items": "检查项", "major": "重大项", "sources": "依据",
           "title": "检查表", "basis": "依据", "severity": "等级", "type": "类型", "major_v": "重大", "general_v": "一般",
           "skipped": "已跳过", "pass": "合格范围", "repeat": "按单元重复", "status": "法律状态"},
    "en": {"id": "id", "domain": "domain", "version": "version", "items": "items", "major": "major items",
           "sources": "sources", "title": "title", "basis": "basis", "severity": "severity", "type": "type",
           "major_v": "major", "general_v": "general", "skipped": "skipped", "pass": "pass range", "repeat": "per unit",
           "status": "status"},
}


@click.group()
def checklist() -> None:
    """List, show and validate checklists (bundled and your own)."""


@checklist.command("list")
@checklist_dir_option
@lang_option
@today_option
@json_option
def list_cmd(checklist_dirs: tuple[str, ...], lang: str, today: Optional[str], as_json: bool) -> None:
    """List the known checklists with their item counts and legal status on --today.

    Status: in force (现行有效), or cites repealed law (引用已废止的法规) when a source it cites
    is repealed on that date, or cites law not yet in force.
    """
    from ..checklist.legal import STATUS_TEXT
    from ..clock import Clock

    on = Clock.make(today).today
    checklists, problems = registry(checklist_dirs).usable()
    for p in problems:
        click.echo(f"Warning: skipped an invalid checklist: {p}", err=True)
    summaries = [c.summary_on(on, lang) for c in checklists]
    if as_json:
        emit_json(summaries)
        return
    from rich.table import Table

    t = LABELS[lang]
    table = Table(title=None)
    for col in ("id", "version", "title", "domain", "items", "major", "sources", "status"):
        table.add_column(t[col], justify="right" if col in ("version", "items", "major") else "left",
                         no_wrap=col in ("id", "version", "items", "major"), overflow="fold")
    for s in summaries:
        status = STATUS_TEXT[lang][s["status"]]
        table.add_row(s["id"], str(s["version"]), s["title"], s["domain_name"], str(s["items"]),
                      str(s["major_items"]), ", ".join(s["sources"]),
                      status if s["status"] == "in_force" else f"[red]{status}[/red]")
    console().print(table)


@checklist.command("show")
@click.argument("ref", metavar="ID[@VERSION]", shell_complete=complete_checklists)
@checklist_dir_option
@lang_option
@today_option
@json_option
def show_cmd(ref: str, checklist_dirs: tuple[str, ...], lang: str, today: Optional[str], as_json: bool) -> None:
    """Show a checklist's sections and items with their legal basis.

    A bare ID shows the highest version in force on --today (default: today).
    """
    from ..clock import Clock

    on = Clock.make(today).today
    c = registry(checklist_dirs).get(ref, on=on)
    if as_json:
        d = c.to_dict(lang)
        d.update({k: v for k, v in c.summary_on(on, lang).items() if k.startswith("status")})
        emit_json(d)
        return
    from .render_checklist import print_checklist

    print_checklist(console(), c, lang, LABELS[lang], on)


@checklist.command("validate")
@click.argument("paths", nargs=-1, required=True, type=click.Path(exists=True, dir_okay=True))
@checklist_dir_option
@today_option
def validate_cmd(paths: tuple[str, ...], checklist_dirs: tuple[str, ...], today: Optional[str]) -> None:
    """Validate checklist files; every problem is printed as FILE:LINE: message.

    A source repealed as of --today is a warning (FILE: warning: …), not a problem.
    A folder is read by the loading rule of checklist folders: YAML files that are not
    checklists (no id, sections or extends key) are skipped.
    Exit 0 when all are valid, 1 when any is invalid, 2 on a usage error.
    """
    from ..checklist.legal import repeal_warnings
    from ..checklist.loader import problems_of
    from ..clock import Clock

    on = Clock.make(today).today
    files = _expand(paths)
    reg = _validation_registry(checklist_dirs, files)
    failed = 0
    for f in files:
        problems, checklist = problems_of(f, reg.resolver())  # type: ignore[attr-defined]
        for p in problems:
            click.echo(p)
        failed += bool(problems)
        if checklist is not None:
            for w in repeal_warnings(checklist, on):
                click.echo(f"{f}: {w}")
        if not problems:
            click.echo(f"{f}: ok")
    if failed:
        click.echo(f"{failed} of {len(files)} file(s) invalid.", err=True)
        raise click.exceptions.Exit(1)


def _validation_registry(checklist_dirs: tuple[str, ...], files: list[Path]) -> object:
    """Bases of overlays: bundled checklists, --checklist-dir, INSPECT_CHECKLIST_PATH and the folders
    of the files being validated (an overlay next to its base needs no option)."""
    from ..errors import ChecklistError

    plain = registry(checklist_dirs)
    folders = sorted({str(f.resolve().parent) for f in files} - {str(p.path.parent) for p in plain.entries.values()})
    if not folders:
        return plain
    try:
        return registry(tuple(checklist_dirs) + tuple(folders))
    except ChecklistError:  # a folder holding a copy of a known checklist: validate against the rest
        return plain


def _expand(paths: tuple[str, ...]) -> list[Path]:
    """Files as given; a folder's YAML files that are checklists by the folder loading rule."""
    from ..checklist.registry import is_checklist_data
    from ..yamlio import YamlProblem, load_file

    out: list[Path] = []
    for p in map(Path, paths):
        if not p.is_dir():
            out.append(p)
            continue
        for f in sorted(list(p.glob("*.yaml")) + list(p.glob("*.yml"))):
            try:
                data, _ = load_file(f)
            except YamlProblem:
                out.append(f)  # unreadable: validate it, so the problem is shown
                continue
            if is_checklist_data(data):
                out.append(f)
    return out
