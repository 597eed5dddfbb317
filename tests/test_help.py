"""Every option says what it does, and no help text points into docs/ (the wheel does not install it)."""
from __future__ import annotations

import click
import pytest

from inspect_cli.cli.main import cli

from test_docs import help_text, walk

COMMANDS = list(walk(cli, ["inspect"]))


@pytest.mark.parametrize("path, cmd", COMMANDS, ids=[" ".join(p) for p, _ in COMMANDS])
def test_every_option_has_a_description(path, cmd):
    bare = [p.opts[0] for p in cmd.params if isinstance(p, click.Option) and not p.hidden and not p.help]
    assert bare == [], f"{' '.join(path)}: options without help: {bare}"


@pytest.mark.parametrize("path, cmd", COMMANDS, ids=[" ".join(p) for p, _ in COMMANDS])
def test_help_does_not_send_the_user_to_an_uninstalled_docs_folder(path, cmd):
    assert "docs/" not in help_text(path, cmd)
