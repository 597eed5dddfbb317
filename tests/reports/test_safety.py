"""User text can inject neither markup, script nor template code; user templates are sandboxed."""
from __future__ import annotations

import re
from pathlib import Path

import pytest

from inspect_cli.errors import ReportError
from inspect_cli.ledger import open_ledger
from inspect_cli.reports import render_report

from .fixture import build

PAYLOAD = "<script>alert(1)</script>{{ 7*7 }}"
SUBJECTS = [("record", "I-00000-00002", None), ("order", "I-00000-00002", None), ("review", "I-00000-00002", None),
            ("closure", "91350100M000100Y43", None), ("ledger", None, None), ("bulletin", None, "2026-03")]


@pytest.fixture(scope="module")
def hostile(tmp_path_factory):
    folder = tmp_path_factory.mktemp("hostile")
    with pytest.MonkeyPatch.context() as mp:
        path = build(folder, mp, site_name=PAYLOAD, note=PAYLOAD)
    return open_ledger(path, today="2026-04-15")


def _visible(text: str) -> str:
    """The text without embedded images, chart geometry and hashes, where digits occur by chance."""
    text = re.sub(r"<svg.*?</svg>", "", text, flags=re.S)
    text = re.sub(r"data:image/[a-z]+;base64,[A-Za-z0-9+/=]+", "", text)
    return re.sub(r"[0-9a-f]{12,}", "", text)


@pytest.mark.parametrize("fmt", ["html", "md"])
@pytest.mark.parametrize("kind,subject,month", SUBJECTS, ids=[s[0] for s in SUBJECTS])
def test_user_text_is_inert(hostile, tmp_path, kind, subject, month, fmt):
    out = Path(render_report(hostile, kind, subject, fmt=fmt, out=tmp_path / f"r.{fmt}", month=month)["out"])
    text = out.read_text(encoding="utf-8")
    assert "<script" not in text
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in text
    assert "49" not in _visible(text)
    assert "&lt;/script&gt;49" not in text and "</script>49" not in text
    if fmt == "html":
        assert "{{ 7*7 }}" in text
    else:
        assert r"{{ 7\*7 }}" in text


def test_markdown_escapes_structure():
    from inspect_cli.reports.env import md_escape

    assert md_escape("- x | y") == r"\- x \| y"
    assert md_escape("# title\n1. item") == r"\# title 1. item"
    assert md_escape("[a](javascript:x)") == r"\[a\](javascript:x)"
    assert md_escape("12.5 %vol") == "12.5 %vol"


def test_user_template_overrides_and_is_escaped(ledger, tmp_path):
    tdir = tmp_path / "tpl"
    tdir.mkdir()
    (tdir / "order.html.j2").write_text("<p>本地式样 {{ site.name }} {{ number }}</p>", encoding="utf-8")
    out = render_report(ledger, "order", "I-00000-00002", out=tmp_path / "o.html", template_dir=tdir)
    text = Path(out["out"]).read_text(encoding="utf-8")
    assert text.startswith("<p>本地式样 福州某某木业有限公司 （榕某应急）应急责改〔2026〕1号")


def test_template_setting_is_used(ledger, tmp_path):
    tdir = tmp_path / "tpl"
    tdir.mkdir()
    (tdir / "ledger.md.j2").write_text("rows={{ findings | length }}\n", encoding="utf-8")
    ledger.set_setting("report.template_dir", str(tdir))
    out = render_report(ledger, "ledger", fmt="md", out=tmp_path / "l.md")
    assert Path(out["out"]).read_text(encoding="utf-8") == "rows=7\n"


@pytest.mark.parametrize("source", [
    "{{ ''.__class__.__mro__[1].__subclasses__() }}",
    "{{ site.__class__.__init__.__globals__ }}",
    "{{ cycler.__init__.__globals__.os.popen('id').read() }}",
])
def test_user_template_is_sandboxed(ledger, tmp_path, source):
    tdir = tmp_path / "tpl"
    tdir.mkdir()
    (tdir / "order.html.j2").write_text(source, encoding="utf-8")
    with pytest.raises(ReportError) as e:
        render_report(ledger, "order", "I-00000-00002", out=tmp_path / "o.html", template_dir=tdir)
    assert "order.html.j2" in str(e.value)


def test_undefined_variable_names_template_and_variable(ledger, tmp_path):
    tdir = tmp_path / "tpl"
    tdir.mkdir()
    (tdir / "record.html.j2").write_text("line one\n{{ site.nmae }}\n", encoding="utf-8")
    with pytest.raises(ReportError) as e:
        render_report(ledger, "record", "I-00000-00002", out=tmp_path / "r.html", template_dir=tdir)
    msg = str(e.value)
    assert "record.html.j2" in msg and "line 2" in msg and "nmae" in msg


def test_template_syntax_error_is_a_report_error(ledger, tmp_path):
    tdir = tmp_path / "tpl"
    tdir.mkdir()
    (tdir / "record.html.j2").write_text("{% if %}", encoding="utf-8")
    with pytest.raises(ReportError, match="record.html.j2"):
        render_report(ledger, "record", "I-00000-00002", out=tmp_path / "r.html", template_dir=tdir)
