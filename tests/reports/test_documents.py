"""Document numbers, evidence thumbnails, flags, XLSX, PDF and the CLI."""
from __future__ import annotations

import datetime as dt
import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from inspect_cli.errors import ReportError, UsageError
from inspect_cli.reports import check_kind_format, render_report


def test_numbers_follow_the_pattern_and_are_reused(ledger, tmp_path):
    first = render_report(ledger, "order", "I-00000-00002", out=tmp_path / "a.html")["number"]
    again = render_report(ledger, "order", "I-00000-00002", fmt="md", out=tmp_path / "b.md")["number"]
    other = render_report(ledger, "order", "I-00000-00001", out=tmp_path / "c.html")["number"]
    assert first == again == "（榕某应急）应急责改〔2026〕1号"
    assert other == "（榕某应急）应急责改〔2026〕2号"
    record = render_report(ledger, "record", "I-00000-00001", out=tmp_path / "d.html")["number"]
    assert record == "（榕某应急）应急检记〔2026〕1号"
    with ledger.read() as st:
        assert st.get("documents", "seq:order:2026")["seq"] == 2


def test_review_cites_the_order_number(ledger, tmp_path):
    out = render_report(ledger, "review", "I-00000-00002", out=tmp_path / "r.html")
    text = Path(out["out"]).read_text(encoding="utf-8")
    assert "（榕某应急）应急责改〔2026〕1号" in text
    assert out["number"] == "（榕某应急）应急复查〔2026〕1号"


def test_findings_show_why(ledger, tmp_path):
    text = Path(render_report(ledger, "record", "I-00000-00002", out=tmp_path / "r.html")["out"]).read_text("utf-8")
    assert "data:image/png;base64," in text                       # the photo, embedded
    assert "清扫记录.pdf" in text and "sha256" in text              # other files by name and hash
    assert "泄爆片被铁板压住，无法泄爆" in text                      # the inspector's note
    assert "第十一条（三）" in text                                  # the legal basis
    assert "停用1号除尘系统" in text                                # interim measures
    assert "条号和措辞未经官方文本核实" in text                      # item note on unverified wording
    text_b = Path(render_report(ledger, "record", "I-00000-00001", out=tmp_path / "b.html")["out"]).read_text("utf-8")
    assert "18.2 %vol" in text_b and "19.5–23.5 %vol" in text_b     # measured value and range


def test_major_closed_without_plan_is_flagged(ledger, tmp_path):
    text = Path(render_report(ledger, "closure", "H-00000-00005", out=tmp_path / "c.html")["out"]).read_text("utf-8")
    assert "重大事故隐患销号时未见治理方案记录" in text
    text = Path(render_report(ledger, "closure", "H-00000-00003", out=tmp_path / "d.html")["out"]).read_text("utf-8")
    assert "重大事故隐患销号时未见治理方案记录" not in text


def test_bulletin_figures(ledger):
    from inspect_cli.reports import build_context

    ctx = build_context(ledger, "bulletin", month="2026-03")
    assert ctx["totals"]["total"] == 7
    assert len(ctx["new"]) == 5 and len(ctx["closed"]) == 3
    assert ctx["rate"] == 1.0 and ctx["target"] == 0.8 and ctx["target_met"] is True
    assert [b["count"] for b in ctx["buckets"]] == [0, 2, 2, 0]
    assert ctx["sites"][0]["open"] == 2
    assert "<svg" in str(ctx["rate_chart"]) and "目标 80%" in str(ctx["rate_chart"])
    feb = build_context(ledger, "bulletin", month="2026-02")   # as of the end of February
    assert feb["totals"]["total"] == 2 and feb["rate"] is None


@pytest.mark.parametrize("kind,fmt,subject", [("order", "xlsx", "I-1"), ("record", "xlsx", "I-1"),
                                              ("order", "html", None), ("ledger", "html", "I-1"),
                                              ("nonsense", "html", None)])
def test_bad_combinations(kind, fmt, subject):
    with pytest.raises(UsageError):
        check_kind_format(kind, fmt, subject)


def test_ledger_xlsx(ledger, tmp_path):
    from openpyxl import load_workbook

    out = render_report(ledger, "ledger", fmt="xlsx", out=tmp_path / "l.xlsx")["out"]
    ws = load_workbook(out).worksheets[0]
    rows = list(ws.iter_rows(values_only=True))
    header = rows[0]
    assert len(rows) == 1 + 7
    for col in ("隐患编号", "检查表", "检查表版本", "检查项编号", "整改期限", "发现日期"):
        assert col in header
    r = dict(zip(header, rows[1]))
    assert isinstance(r["整改期限"], dt.datetime) and isinstance(r["发现日期"], dt.datetime)
    assert isinstance(r["检查表版本"], int) and isinstance(r["逾期天数"], int)
    assert ws.freeze_panes == "A2"
    measured = [dict(zip(header, row)) for row in rows[1:] if row[header.index("检查项编号")] == "LS-GAS-O2"][0]
    assert measured["实测值"] == 18.2


def test_ledger_filters(ledger, tmp_path):
    from openpyxl import load_workbook

    from inspect_cli.hazard.moves import HazardQuery

    out = render_report(ledger, "ledger", fmt="xlsx", out=tmp_path / "l.xlsx", query=HazardQuery(overdue=True))["out"]
    assert load_workbook(out).worksheets[0].max_row == 1 + 4


def test_bulletin_xlsx(ledger, tmp_path):
    from openpyxl import load_workbook

    wb = load_workbook(render_report(ledger, "bulletin", fmt="xlsx", out=tmp_path / "b.xlsx", month="2026-03")["out"])
    assert len(wb.sheetnames) >= 5


def test_pdf_missing_weasyprint(ledger, tmp_path, monkeypatch):
    import builtins

    real = builtins.__import__

    def fake(name, *a, **k):
        if name == "weasyprint":
            raise ImportError("no weasyprint")
        return real(name, *a, **k)

    monkeypatch.setattr(builtins, "__import__", fake)
    with pytest.raises(ReportError, match=r"inspect-cli\[pdf\]"):
        render_report(ledger, "order", "I-00000-00002", fmt="pdf", out=tmp_path / "o.pdf")


def test_pdf_missing_cjk_font(ledger, tmp_path, monkeypatch):
    pytest.importorskip("weasyprint")
    from inspect_cli.reports import pdf

    monkeypatch.setattr(pdf, "cjk_fonts", lambda: [])
    with pytest.raises(ReportError, match="fonts-noto-cjk"):
        render_report(ledger, "order", "I-00000-00002", fmt="pdf", out=tmp_path / "o.pdf")


@pytest.mark.parametrize("kind,subject,month", [("order", "I-00000-00002", None), ("bulletin", None, "2026-03")])
def test_pdf_text_has_the_chinese_findings(ledger, tmp_path, kind, subject, month):
    pytest.importorskip("weasyprint")
    if not shutil.which("pdftotext"):
        pytest.skip("pdftotext (poppler-utils) is not installed")
    out = render_report(ledger, kind, subject, fmt="pdf", out=tmp_path / "r.pdf", month=month)["out"]
    assert Path(out).read_bytes()[:5] == b"%PDF-"
    text = subprocess.run(["pdftotext", "-layout", out, "-"], capture_output=True, text=True, check=True).stdout
    squashed = "".join(text.split())
    assert "未落实粉尘清理制度，造成作业现场积尘严重的" in squashed
    if kind == "order":
        assert "责令限期整改指令书" in squashed and "执法人员（签名）" in squashed
        assert re.search(r"共\d页第1页", squashed)
    else:
        assert "重大事故隐患整改销号率" in squashed


def test_cli(ledger_path, tmp_path):
    from click.testing import CliRunner

    from inspect_cli.cli.main import cli

    runner = CliRunner()
    base = ["--ledger", str(ledger_path), "--today", "2026-04-15"]
    r = runner.invoke(cli, ["report", "order", "I-00000-00002", "--format", "md", "--out", str(tmp_path / "o.md"),
                            "--json", *base])
    assert r.exit_code == 0, r.output
    data = json.loads(r.output)
    assert data["number"] == "（榕某应急）应急责改〔2026〕1号" and data["kind"] == "order"
    r = runner.invoke(cli, ["report", "order", "I-00000-00002", "--format", "xlsx", *base])
    assert r.exit_code == 2 and "xlsx" in r.output
    r = runner.invoke(cli, ["report", "ledger", "--overdue", "--format", "xlsx", "--out", str(tmp_path / "l.xlsx"), *base])
    assert r.exit_code == 0 and r.output.strip() == str(tmp_path / "l.xlsx")
    r = runner.invoke(cli, ["report", "order", "--month", "2026-03", "I-00000-00002", *base])
    assert r.exit_code == 2
