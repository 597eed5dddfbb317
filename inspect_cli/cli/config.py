"""``inspect config``: the organisation's settings, kept in the ledger."""
from __future__ import annotations

from typing import Optional

import click

from .options import emit_json, json_option, ledger_option, open_ledger


@click.group()
def config() -> None:
    """Show and change the organisation's settings (kept in the ledger)."""


@config.command("show")
@ledger_option
@json_option
def show(ledger_path: Optional[str], as_json: bool) -> None:
    """Show every setting with its value."""
    from ..settings import DESCRIPTIONS

    values = open_ledger(ledger_path).settings()
    if as_json:
        emit_json(values)
        return
    for key, value in values.items():
        click.echo(f"{key} = {value}    # {DESCRIPTIONS.get(key, '')}")


@config.command("get")
@click.argument("key")
@ledger_option
def get(key: str, ledger_path: Optional[str]) -> None:
    """Print one setting."""
    from ..settings import coerce

    values = open_ledger(ledger_path).settings()
    if key not in values:
        coerce(key, "")  # raises with a did-you-mean
    click.echo(values[key])


@config.command("set")
@click.argument("key")
@click.argument("value")
@ledger_option
def set_cmd(key: str, value: str, ledger_path: Optional[str]) -> None:
    """Change a setting, e.g. inspect config set org.name 广州市应急管理局."""

    values = open_ledger(ledger_path).set_setting(key, value)
    click.echo(f"{key} = {values[key]}")
