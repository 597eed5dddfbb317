"""The bulletin's workload, documents by type, breakdowns, rates, funds, 挂牌督办, the two
comparisons and the narrative slots of --notes."""
from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from inspect_cli.reports import build_context, render_report
from inspect_cli.reports.bulletin_figures import Window, read_notes, yuan


def test_workload_documents_and_comparisons(ledger, tmp_path):
    for kind in ("record", "order"):
        render_report(ledger, kind, "I-00000-00002", fmt="md", out=tmp_path / f"{kind}.md")
    march = build_context(ledger, "bulletin", month="2026-03")
    assert march["workload"]["visits"] == 1 and march["workload"]["sites"] == 1
    assert march["workload"]["officers"] == 2
    assert march["coverage"] == "50.0%" and march["registered"] == 2
    assert [d["count"] for d in march["documents_by_type"]] == [1, 1, 0]
    rows = {r["label"]: r for r in march["comparison"]}
    assert rows["新增隐患"]["this"] == "5" and rows["新增隐患"]["last_month"] == "0"
    assert march["comparison_months"] == ["2026年3月", "2026年2月", "2025年3月"]
    assert march["supervision"] == {"listed": 1, "closed": 1, "open": 0, "overdue": 0}
    assert march["on_time_pct"] == "100.0%" and march["funds_text"] == "20,000"
    jan = build_context(ledger, "bulletin", month="2026-01")
    assert jan["workload"]["visits"] == 1 and [r["name"] for r in jan["by_industry"]] == ["市政"]


def test_on_time_rate_counts_only_closures_by_the_deadline():
    from inspect_cli.analysis.tally import Spec, from_records
    from inspect_cli.reports.bulletin_figures import window_figures

    w = Window.of(2026, 3)
    hazards = [{"status": "closed", "closed_date": "2026-03-05", "deadline": "2026-03-10", "created": "2026-03-01"},
               {"status": "closed", "closed_date": "2026-03-20", "deadline": "2026-03-10", "created": "2026-03-01"},
               {"status": "open", "deadline": "2026-03-10", "created": "2026-03-01"}]
    spec = Spec(as_of=dt.date(2026, 3, 31), first="2026-03-01", last="2026-03-31", year_start="2026-01-01", rows=10,
                windows=(("2026-03-01", "2026-03-31"),))
    f = window_figures(w, from_records(hazards, [], [], spec).windows[0], [])
    assert (f["closed"], f["on_time"], f["on_time_rate"]) == (2, 1, 0.5)


@pytest.mark.parametrize("text,amount", [(20000, 20000.0), ("企业自筹2万元", 20000.0), ("3500元", 3500.0),
                                         ("1.5 万元", 15000.0), ("自筹", None), (None, None), (True, None)])
def test_amounts_of_money(text, amount):
    assert yuan(text) == amount


def test_windows():
    w = Window.of(2026, 1)
    assert w.previous() == Window(dt.date(2025, 12, 1), dt.date(2025, 12, 31))
    assert Window.of(2024, 2).year_before() == Window(dt.date(2023, 2, 1), dt.date(2023, 2, 28))


def test_notes_fill_the_narrative_slots(ledger, tmp_path):
    notes = tmp_path / "notes.md"
    notes.write_text("# 3月通报说明\n\n## 下一步工作\n\n1. 开展粉尘涉爆专项检查\n2. 督促<b>逾期</b>隐患整改\n\n"
                     "## 典型问题\n\n某木业公司泄爆片被压住，\n无法泄爆。\n", encoding="utf-8")
    out = render_report(ledger, "bulletin", fmt="html", out=tmp_path / "b.html", month="2026-03", notes=notes)
    text = Path(out["out"]).read_text("utf-8")
    assert text.index("（1）典型问题") < text.index("某木业公司泄爆片被压住，无法泄爆。") < text.index("（2）下一步工作")
    assert "1．开展粉尘涉爆专项检查" in text and "&lt;b&gt;逾期&lt;/b&gt;" in text and "<b>逾期" not in text
    md = Path(render_report(ledger, "bulletin", fmt="md", out=tmp_path / "b.md", month="2026-03",
                            notes=notes)["out"]).read_text("utf-8")
    assert "### （2）下一步工作" in md and "2．督促&lt;b&gt;逾期&lt;/b&gt;隐患整改" in md


@pytest.mark.parametrize("content,message", [(b"just text\n", "no section"), (b"\xff\xfe## \x00", "not UTF-8"),
                                             (b"## x\n" + b"a" * 200_001, "at most")])
def test_bad_notes_are_refused(tmp_path, content, message):
    from inspect_cli.errors import UsageError

    p = tmp_path / "n.md"
    p.write_bytes(content)
    with pytest.raises(UsageError, match=message):
        read_notes(str(p))


def test_notes_via_the_cli(ledger_path, tmp_path):
    from cli.runner import invoke

    notes = tmp_path / "notes.md"
    notes.write_text("## 典型问题\n\n积尘严重。\n", encoding="utf-8")
    r = invoke(["report", "bulletin", "--month", "2026-03", "--notes", str(notes), "--format", "md",
                "--out", str(tmp_path / "b.md"), "--ledger", str(ledger_path), "--today", "2026-04-15"])
    assert r.exit_code == 0, r.stderr
    assert "积尘严重。" in (tmp_path / "b.md").read_text("utf-8")
