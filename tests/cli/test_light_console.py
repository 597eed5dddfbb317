"""The light console prints rich's markup as rich does (plain when not a terminal), without rich."""
from __future__ import annotations

import subprocess
import sys

from hypothesis import given, settings, strategies as st
from rich.markup import escape as rich_escape, render as rich_render

from inspect_cli.cli.light import escape, render


@settings(max_examples=2000, deadline=None)
@given(st.text(alphabet="ab[]/\\@#red 重:", max_size=24))
def test_escape_and_plain_text_match_rich(text):
    assert escape(text) == rich_escape(text)
    assert render(escape(text), False) == rich_render(rich_escape(text), emoji=False).plain


def test_styles_on_a_terminal_and_nested_tags():
    markup = "a [bold]b [red]c[/red] d[/bold] e"
    assert render(markup, False) == rich_render(markup).plain == "a b c d e"
    coloured = render(markup, True)
    assert "\x1b[0m\x1b[1;31mc" in coloured and coloured.endswith(" e")


def test_hazard_show_does_not_import_rich(tmp_path):
    """`hazard show` (table form) prints without loading rich: the start-up it would cost."""
    from builders import inspect_dust, ledger_with_site

    led = ledger_with_site(tmp_path / "ledger.sqlite", today="2026-03-02")
    h = inspect_dust(led, {"DP6-9": {"note": "[bold]不是标记[/bold]"}}, tmp_path)["hazards"][0]
    h = h["id"] if isinstance(h, dict) else h
    code = ("import sys; from inspect_cli.cli.main import main; rc = main(['hazard', 'show', %r, '--ledger', %r]); "
            "print('RICH' if any(m.startswith('rich') for m in sys.modules) else 'NO-RICH', file=sys.stderr); "
            "sys.exit(rc)") % (h, str(led.path))
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120,
                       env={**__import__("os").environ, "INSPECT_TODAY": "2026-03-02"})
    assert r.returncode == 0, r.stderr
    assert "NO-RICH" in r.stderr
    assert "备注: [bold]不是标记[/bold]" in r.stdout and h in r.stdout


def test_light_table_fits_80_columns_counting_wide_characters():
    from inspect_cli.cli.light import Column, LightTable, width

    t = LightTable([Column("编号", fold=False), Column("单位", min_width=6, max_width=12),
                    Column("整改期限", fold=False), Column("隐患描述", min_width=12, flexible=True)])
    t.add_row("H-00001-AAAAA", "某某木业有限公司第一分公司", ("2026-03-01\n逾期3天", "red"), "除尘器灰斗积尘" * 12)
    lines = t.lines()
    assert all(width(line) == width(lines[0]) <= 80 for line in lines)
    text = "\n".join(lines)
    assert "H-00001-AAAAA" in text and "逾期3天" in text and "\x1b" not in text
    assert "".join(line.split("│")[4].strip() for line in lines[3:-1]) == "除尘器灰斗积尘" * 12
    assert "\x1b[31m2026-03-01\x1b[0m" in "\n".join(t.lines(total=80, color=True))
