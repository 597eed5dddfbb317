"""The docs stay true: every command has help, and docs/cli.md is its --help output.

Regenerate with:  UPDATE_DOCS=1 pytest tests/test_docs.py
"""
from __future__ import annotations

import os
from pathlib import Path

import click
import pytest

from inspect_cli.cli.main import COMMANDS, cli

ROOT = Path(__file__).resolve().parent.parent
CLI_MD = ROOT / "docs" / "cli.md"


def walk(cmd: click.Command, path: list[str]):
    yield path, cmd
    if isinstance(cmd, click.Group):
        ctx = click.Context(cmd, info_name=path[-1])
        for name in cmd.list_commands(ctx):
            yield from walk(cmd.get_command(ctx, name), path + [name])


def help_text(path: list[str], cmd: click.Command) -> str:
    from click.testing import CliRunner

    r = CliRunner().invoke(cli, [*path[1:], "--help"], prog_name="inspect", terminal_width=100,
                           env={"COLUMNS": "100"}, catch_exceptions=False)
    assert r.exit_code == 0, r.output
    return r.output


def render() -> str:
    out = ["# Command reference", "", "Generated from `--help` by `tests/test_docs.py`; do not edit by hand.", ""]
    for path, cmd in walk(cli, ["inspect"]):
        out += [f"## {' '.join(path)}", "", "```", help_text(path, cmd).rstrip(), "```", ""]
    return "\n".join(out)


def test_every_command_has_help():
    missing = [" ".join(p) for p, c in walk(cli, ["inspect"]) if not (c.help or "").strip()]
    assert missing == []


def test_every_family_is_available():
    ctx = click.Context(cli, info_name="inspect")
    assert set(cli.list_commands(ctx)) == set(COMMANDS)


def test_cli_reference_is_current():
    text = render()
    if os.environ.get("UPDATE_DOCS"):
        CLI_MD.write_text(text, encoding="utf-8")
    if not CLI_MD.exists():
        pytest.fail("docs/cli.md is missing: run UPDATE_DOCS=1 pytest tests/test_docs.py")
    assert CLI_MD.read_text(encoding="utf-8") == text, "docs/cli.md is stale: run UPDATE_DOCS=1 pytest tests/test_docs.py"


def test_readme_documents_each_command_family():
    readme = (ROOT / "README.md").read_text(encoding="utf-8") + (ROOT / "docs" / "ledger.md").read_text(encoding="utf-8")
    for family in ("checklist", "site", "run", "hazard", "reinspect", "report", "verify", "demo"):
        assert f"inspect {family}" in readme, family
