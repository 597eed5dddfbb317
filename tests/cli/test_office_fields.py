"""The fields an office 台账 keeps, recorded where they arise (issue 16 item 6), and the
length limit on entered text (item 4): 整改措施/整改责任人/整改资金 on `hazard fixed`, 区域 on
sites, and a clear refusal of an over-long note that changes nothing."""
from __future__ import annotations

import json

import openpyxl
import pytest

from builders import SITE, inspect_dust, ledger_with_site
from cli.runner import invoke


@pytest.fixture
def hazards(tmp_path):
    path = tmp_path / "ledger.json"
    ledger = ledger_with_site(path, today="2026-03-02")
    out = inspect_dust(ledger, {"DP6-9": {}}, tmp_path)
    return tmp_path, str(path), out["hazards"][0]["id"]


def cmd(path, today, *args):
    return invoke([*args, "--ledger", path, "--today", today])


def test_hazard_fixed_records_measures_responsible_and_funds_for_the_ledger(hazards):
    folder, path, hid = hazards
    r = cmd(path, "2026-03-06", "hazard", "fixed", hid, "--note", "已清扫", "--measures", "建立每班清扫制度",
            "--responsible", "安全部 王某", "--funds", "1.2万元", "--json")
    assert r.exit_code == 0, r.stderr
    shown = json.loads(cmd(path, "2026-03-06", "hazard", "show", hid, "--json").stdout)
    assert {k: shown["fix"][k] for k in ("measures", "responsible", "funds")} == {
        "measures": "建立每班清扫制度", "responsible": "安全部 王某", "funds": "1.2万元"}
    assert invoke(["verify", "--ledger", path]).exit_code == 0  # the details are in the hash chain
    out = folder / "ledger.xlsx"
    assert cmd(path, "2026-03-06", "report", "ledger", "--format", "xlsx", "--out", str(out)).exit_code == 0
    cells = [str(c.value) for row in openpyxl.load_workbook(out).active.iter_rows() for c in row if c.value]
    assert "建立每班清扫制度" in cells and "安全部 王某" in cells and "1.2万元" in cells


def test_an_over_long_note_is_refused_and_changes_nothing(hazards):
    folder, path, hid = hazards
    before = (folder / "ledger.json").read_bytes()
    r = cmd(path, "2026-03-06", "hazard", "fixed", hid, "--note", "长" * 2001)
    assert r.exit_code == 4
    assert "note is 2001 characters; at most 2000 are allowed" in r.stderr
    assert (folder / "ledger.json").read_bytes() == before
    r = cmd(path, "2026-03-06", "hazard", "interim", hid, "--measures", "措" * 2001)
    assert r.exit_code == 4 and "measures is 2001 characters" in r.stderr
    assert (folder / "ledger.json").read_bytes() == before


def test_a_site_has_a_region_for_the_ledger_and_the_bulletin(tmp_path):
    path = str(tmp_path / "ledger.json")
    r = invoke(["site", "add", "--code", SITE, "--name", "某某木业有限公司", "--region", "城关街道", "--ledger", path,
                "--json"])
    assert r.exit_code == 0, r.stderr
    assert json.loads(r.stdout)["region"] == "城关街道"
    csv_file = tmp_path / "sites.csv"
    csv_file.write_text("统一社会信用代码,单位名称,区域\n91440300708461136T,某某污水处理有限公司,南山街道\n", encoding="utf-8")
    assert invoke(["site", "import", str(csv_file), "--ledger", path]).exit_code == 0
    shown = json.loads(invoke(["site", "show", "91440300708461136T", "--ledger", path, "--json"]).stdout)
    assert shown["region"] == "南山街道"
