"""Options shared by several commands, defined once."""
from __future__ import annotations

from typing import TYPE_CHECKING, Any, Callable

import click

if TYPE_CHECKING:
    from ..ledger import Ledger

F = Callable[..., Any]


def json_option(f: F) -> F:
    return click.option("--json", "as_json", is_flag=True, help="Print JSON for scripts instead of tables.")(f)


def lang_option(f: F) -> F:
    return click.option("--lang", type=click.Choice(["zh", "en"]), envvar="INSPECT_LANG", default="zh",
                        show_default=True, show_envvar=True,
                        help="Language of texts (Chinese is authoritative; English is a gloss).")(f)


def checklist_dir_option(f: F) -> F:
    return click.option("--checklist-dir", "checklist_dirs", multiple=True, type=click.Path(file_okay=False),
                        help="A folder of your own checklists (repeatable); also INSPECT_CHECKLIST_PATH.")(f)


def ledger_option(f: F) -> F:
    return click.option("--ledger", "ledger_path", envvar="INSPECT_LEDGER", show_envvar=True,
                        type=click.Path(dir_okay=False), metavar="FILE|URL",
                        help="Ledger file [default: $XDG_DATA_HOME/inspect-cli/ledger.json]. "
                             "A .sqlite/.db suffix selects the SQLite backend; a postgresql://USER@HOST/DB "
                             "URL the bureau's PostgreSQL ledger.")(f)


def today_option(f: F) -> F:
    return click.option("--today", envvar="INSPECT_TODAY", show_envvar=True, metavar="YYYY-MM-DD",
                        help="The date to act on (back-dated entry, tests) [default: today in Asia/Shanghai].")(f)


def registry(checklist_dirs: tuple[str, ...]) -> Any:
    from ..checklist.registry import Registry, checklist_dirs as dirs

    return Registry.discover(dirs(checklist_dirs))


def emit_json(data: Any) -> None:
    import json

    click.echo(json.dumps(data, ensure_ascii=False, indent=2, default=str))


def console(stderr: bool = False) -> Any:
    from rich.console import Console

    return Console(stderr=stderr, highlight=False)


def open_existing(ledger_path: Any, today: Any = None) -> Ledger:
    """:func:`open_ledger` for a command that only reads: a mistyped path is exit 3, never a new ledger."""
    ledger = open_ledger(ledger_path, today)
    ledger.require_existing()
    return ledger


def open_ledger(ledger_path: Any, today: Any = None) -> Ledger:
    from ..ledger import open_ledger as _open

    ledger = _open(ledger_path, today=today)
    existed = ledger.exists()
    ctx = click.get_current_context(silent=True)
    if ctx is not None:
        ctx.call_on_close(lambda: _size_hint(ledger))
        if not existed:
            ctx.call_on_close(lambda: _say_created(ledger))
    return ledger


def _say_created(ledger: Any) -> None:
    """The first write to a ledger path says so: a mistyped --ledger must not start a new ledger silently."""
    if ledger.exists():
        click.echo(f"Created new ledger at {ledger.path}", err=True)


def _size_hint(ledger: Ledger) -> None:
    """One line on stderr when the ledger has grown past what its backend does well."""
    hint = ledger.size_hint()
    if hint:
        click.echo(hint, err=True)


def inspector_option(f: F) -> F:
    return click.option("--inspector", "inspectors", multiple=True, metavar="NAME:CERT_NO",
                        help="An inspector and enforcement certificate number (repeatable).")(f)


def parse_inspectors(values: tuple[str, ...]) -> list[dict[str, str]]:
    from ..inspection.answers import parse_inspector

    try:
        return [parse_inspector(v) for v in values]
    except ValueError as e:
        raise click.BadParameter(str(e), param_hint="--inspector") from None


def date_value(value: Any, what: str) -> Any:
    """Check a YYYY-MM-DD option and return it as text (None stays None)."""
    if value is None:
        return None
    from ..clock import parse_date

    return parse_date(value, what).isoformat()
