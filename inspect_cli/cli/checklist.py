"""``inspect checklist``: list, show and validate checklists."""
from __future__ import annotations

from pathlib import Path

import click

from .complete import complete_checklists
from .options import checklist_dir_option, console, emit_json, json_option, lang_option, registry

LABELS = {
    "zh": {"id": "编号", "domain": "领域", "version": "版本", "items": "检查项", "major": "重大项", "sources": "依据",
           "title": "检查表", "basis": "依据", "severity": "等级", "type": "类型", "major_v": "重大", "general_v": "一般",
           "skipped": "已跳过", "pass": "合格范围", "repeat": "按单元重复"},
    "en": {"id": "id", "domain": "domain", "version": "version", "items": "items", "major": "major items",
           "sources": "sources", "title": "title", "basis": "basis", "severity": "severity", "type": "type",
           "major_v": "major", "general_v": "general", "skipped": "skipped", "pass": "pass range", "repeat": "per unit"},
}


@click.group()
def checklist() -> None:
    """List, show and validate checklists (bundled and your own)."""


@checklist.command("list")
@checklist_dir_option
@lang_option
@json_option
def list_cmd(checklist_dirs: tuple[str, ...], lang: str, as_json: bool) -> None:
    """List the known checklists with their item counts."""
    checklists, problems = registry(checklist_dirs).usable()
    for p in problems:
        click.echo(f"Warning: skipped an invalid checklist: {p}", err=True)
    summaries = [c.summary(lang) for c in checklists]
    if as_json:
        emit_json(summaries)
        return
    from rich.table import Table

    t = LABELS[lang]
    table = Table(title=None)
    for col in ("id", "version", "title", "domain", "items", "major", "sources"):
        table.add_column(t[col], justify="right" if col in ("version", "items", "major") else "left",
                         no_wrap=col in ("id", "version", "items", "major"), overflow="fold")
    for s in summaries:
        table.add_row(s["id"], str(s["version"]), s["title"], s["domain_name"], str(s["items"]),
                      str(s["major_items"]), ", ".join(s["sources"]))
    console().print(table)


@checklist.command("show")
@click.argument("ref", metavar="ID[@VERSION]", shell_complete=complete_checklists)
@checklist_dir_option
@lang_option
@json_option
def show_cmd(ref: str, checklist_dirs: tuple[str, ...], lang: str, as_json: bool) -> None:
    """Show a checklist's sections and items with their legal basis."""
    c = registry(checklist_dirs).get(ref)
    if as_json:
        emit_json(c.to_dict(lang))
        return
    from .render_checklist import print_checklist

    print_checklist(console(), c, lang, LABELS[lang])


@checklist.command("validate")
@click.argument("paths", nargs=-1, required=True, type=click.Path(exists=True, dir_okay=True))
@checklist_dir_option
def validate_cmd(paths: tuple[str, ...], checklist_dirs: tuple[str, ...]) -> None:
    """Validate checklist files; every problem is printed as FILE:LINE: message.

    Exit 0 when all are valid, 1 when any is invalid, 2 on a usage error.
    """
    from ..checklist.loader import problems_of

    reg = registry(checklist_dirs)
    files = _expand(paths)
    failed = 0
    for f in files:
        problems, _ = problems_of(f, reg.resolver())
        for p in problems:
            click.echo(p)
        failed += bool(problems)
        if not problems:
            click.echo(f"{f}: ok")
    if failed:
        click.echo(f"{failed} of {len(files)} file(s) invalid.", err=True)
        raise click.exceptions.Exit(1)


def _expand(paths: tuple[str, ...]) -> list[Path]:
    out: list[Path] = []
    for p in map(Path, paths):
        out += sorted(list(p.glob("*.yaml")) + list(p.glob("*.yml"))) if p.is_dir() else [p]
    return out
