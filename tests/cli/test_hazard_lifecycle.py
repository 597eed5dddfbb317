"""A hazard from inspection to closure through the CLI, and every refusal on the way."""
from __future__ import annotations

import json

import pytest

from builders import inspect_dust, ledger_with_site
from cli.runner import invoke


@pytest.fixture
def hazards(tmp_path):
    path = tmp_path / "ledger.json"
    ledger = ledger_with_site(path, today="2026-03-02")
    out = inspect_dust(ledger, {"GM10-11-10": {}, "DP6-9": {}}, tmp_path)
    ids = {h["item"]: h["id"] for h in out["hazards"]}
    return tmp_path, str(path), ids["GM10-11-10"], ids["DP6-9"]


def cmd(path, today, *args):
    return invoke([*args, "--ledger", path, "--today", today])


PLAN = """goals: 消除作业现场积尘
measures: 制定清扫制度，每班清扫
funds: 2万元
responsible: 安全部 王某
deadline: 2026-03-25
safety: 清扫期间停止产尘作业
"""


def test_general_hazard_to_closure(hazards):
    folder, path, major, general = hazards
    assert cmd(path, "2026-03-03", "hazard", "extend", general, "--to", "2026-03-20", "--reason", "采购周期").exit_code == 0
    r = cmd(path, "2026-03-05", "reinspect", "hazard", general, "--pass", "--inspector", "张伟:1")
    assert r.exit_code == 5
    assert r.stderr.startswith(f"Error: hazard {general} is open: cannot reinspect")
    assert "Allowed moves: inspect hazard extend" in r.stderr
    assert cmd(path, "2026-03-06", "hazard", "fixed", general, "--note", "已配发").exit_code == 0
    r = cmd(path, "2026-03-07", "reinspect", "hazard", general, "--pass", "--inspector", "张伟:1")
    assert r.exit_code == 0 and "closed (销号) on 2026-03-07" in r.stdout
    again = cmd(path, "2026-03-08", "hazard", "fixed", general)
    assert again.exit_code == 5 and f"hazard {general} is closed: cannot report a fix." in again.stderr
    shown = json.loads(cmd(path, "2026-03-08", "hazard", "show", general, "--json").stdout)
    assert [e["type"] for e in shown["history"]] == ["registered", "extended", "fixed", "reinspected"]
    assert shown["extensions"] == [{"date": "2026-03-03", "from": "2026-03-09", "to": "2026-03-20", "reason": "采购周期"}]
    for args in (["reinspect", "hazard", general, "--fail", "--inspector", "张伟:1"],
                 ["hazard", "extend", general, "--to", "2026-05-01", "--reason", "x"], ["hazard", "fixed", general]):
        r = cmd(path, "2026-03-09", *args)
        assert r.exit_code == 5 and "is closed" in r.stderr and "Allowed moves: none" in r.stderr


def test_major_hazard_needs_plan_evidence_and_two_inspectors(hazards):
    folder, path, major, general = hazards
    (folder / "plan.yaml").write_text(PLAN, encoding="utf-8")
    (folder / "bad-plan.yaml").write_text("goals: x\n", encoding="utf-8")
    r = cmd(path, "2026-03-03", "hazard", "plan", major, "--file", str(folder / "bad-plan.yaml"))
    assert r.exit_code == 4 and "missing 'funds' (经费和物资的落实)" in r.stderr
    assert cmd(path, "2026-03-03", "hazard", "plan", major, "--file", str(folder / "plan.yaml")).exit_code == 0
    assert cmd(path, "2026-03-03", "hazard", "plan", general, "--file", str(folder / "plan.yaml")).exit_code == 5
    assert cmd(path, "2026-03-03", "hazard", "supervise", major, "--level", "市级", "--authority", "市安委办").exit_code == 0
    assert cmd(path, "2026-03-03", "hazard", "interim", major, "--measures", "停止产尘作业").exit_code == 0
    r = cmd(path, "2026-04-01", "reinspect", "hazard", major, "--pass", "--inspector", "张伟:1")
    assert r.exit_code == 4
    assert "two different inspectors" in r.stderr and "needs evidence" in r.stderr
    r = cmd(path, "2026-04-01", "reinspect", "hazard", major, "--pass", "--inspector", "张伟:1", "--inspector", "张伟:1",
            "--evidence", str(folder / "photo.png"))
    assert r.exit_code == 4 and "two different inspectors" in r.stderr  # one person listed twice is one person
    r = cmd(path, "2026-04-01", "reinspect", "hazard", major, "--pass", "--fail", "--inspector", "张伟:1")
    assert r.exit_code == 2 and "exactly one of --pass and --fail" in r.stderr
    r = cmd(path, "2026-04-01", "reinspect", "hazard", major, "--fail", "--inspector", "张伟:1", "--deadline", "2026-04-15")
    assert r.exit_code == 0 and "deadline 2026-04-15" in r.stdout
    r = cmd(path, "2026-04-15", "reinspect", "hazard", major, "--pass", "--inspector", "张伟:1", "--inspector", "李娜:2",
            "--evidence", str(folder / "photo.png"))
    assert r.exit_code == 0
    h = json.loads(cmd(path, "2026-04-16", "hazard", "show", major, "--json").stdout)
    assert h["status"] == "closed" and h["plan"]["funds"] == "2万元" and h["supervision"]["level"] == "市级"
    assert [r["result"] for r in h["reinspections"]] == ["fail", "pass"]


def test_overdue_is_derived_from_the_date(hazards):
    folder, path, major, general = hazards
    listing = lambda today: json.loads(cmd(path, today, "hazard", "list", "--overdue", "--json").stdout)  # noqa: E731
    assert listing("2026-03-09")["total"] == 0
    later = listing("2026-03-12")
    assert [h["id"] for h in later["hazards"]] == [general] and later["hazards"][0]["days_overdue"] == 3
    assert listing("2026-04-02")["total"] == 2
    major_only = json.loads(cmd(path, "2026-04-02", "hazard", "list", "--overdue", "--severity", "major",
                                "--limit", "1", "--json").stdout)
    assert major_only["total"] == 1 and major_only["hazards"][0]["id"] == major


def test_hazard_list_csv_has_a_header_and_one_row_per_hazard(hazards):
    folder, path, major, general = hazards
    r = cmd(path, "2026-03-02", "hazard", "list", "--csv")
    lines = r.stdout.lstrip("\ufeff").splitlines()
    assert lines[0].startswith("id,site,site_name,checklist,checklist_version,item")
    assert len(lines) == 3


def test_unknown_hazard_and_bad_date_are_clear(hazards):
    folder, path, major, general = hazards
    r = cmd(path, "2026-03-02", "hazard", "show", "H-00000-00000")
    assert r.exit_code == 3 and "no hazard 'H-00000-00000'" in r.stderr
    r = cmd(path, "2026-03-02", "hazard", "extend", general, "--to", "next week", "--reason", "x")
    assert r.exit_code == 2 and "is not a date" in r.stderr
    r = invoke(["hazard", "list", "--ledger", path, "--today", "2026-13-01"])
    assert r.exit_code == 2 and "--today '2026-13-01' is not a date" in r.stderr


def test_a_large_tinydb_ledger_hints_at_sqlite(hazards, monkeypatch):
    from inspect_cli.storage import jsonfile

    folder, path, major, general = hazards
    monkeypatch.setattr(jsonfile, "HINT_BYTES", 1000)
    r = cmd(path, "2026-03-02", "hazard", "list", "--json")
    assert r.exit_code == 0 and "(2 hazards)" in r.stderr and "inspect ledger migrate" in r.stderr
    monkeypatch.setattr(jsonfile, "HINT_BYTES", 10 ** 9)
    assert "Hint" not in cmd(path, "2026-03-02", "hazard", "list", "--json").stderr


def test_reinspect_site_walks_the_ready_hazards(hazards):
    folder, path, major, general = hazards
    invoke(["hazard", "fixed", general, "--ledger", path, "--today", "2026-03-05"])
    # only the general hazard is ready (fix reported); the major one's deadline is not reached
    r = invoke(["reinspect", "site", "91350100M000100Y43", "--inspector", "张伟:1", "--ledger", path,
                "--today", "2026-03-06", "--json"], input="pass\n已整改\n\n")
    assert r.exit_code == 0, r.stderr
    summary = json.loads(r.stdout[r.stdout.index("{"):])
    assert summary == {"closed": [general], "reopened": [], "skipped": []}
    # a decision already recorded is not asked again, and never overwritten
    r = invoke(["reinspect", "site", "91350100M000100Y43", "--inspector", "张伟:1", "--ledger", path,
                "--today", "2026-03-06", "--json"])
    assert json.loads(r.stdout[r.stdout.index("{"):]) == {"closed": [], "reopened": [], "skipped": []}


def test_export_columns_keep_their_order(hazards):
    """Scripts read these columns by position: new ones are only ever appended."""
    folder, path, major, general = hazards
    header = cmd(path, "2026-03-02", "hazard", "list", "--csv").stdout.lstrip("\ufeff").splitlines()[0]
    assert header.split(",")[:17] == ["id", "site", "site_name", "checklist", "checklist_version", "item", "unit",
                                      "severity", "status", "deadline", "overdue", "days_overdue", "created",
                                      "description", "basis", "inspection", "domain"]


def test_hazard_show_follows_lang_and_inspect_lang(hazards):
    folder, path, major, general = hazards
    zh = cmd(path, "2026-03-03", "hazard", "show", major)
    assert "重大事故隐患" in zh.stdout and "整改期限" in zh.stdout
    for args, env in ((["--lang", "en"], None), ([], {"INSPECT_LANG": "en"})):
        r = invoke(["hazard", "show", major, "--ledger", path, "--today", "2026-03-03", *args], env=env)
        assert r.exit_code == 0, r.stderr
        assert "major hazard" in r.stdout and "Deadline:" in r.stdout and "History" in r.stdout
        assert "整改期限" not in r.stdout


def test_reinspect_site_asks_in_chinese_and_takes_numbers(hazards):
    folder, path, major, general = hazards
    invoke(["hazard", "fixed", general, "--ledger", path, "--today", "2026-03-05"])
    r = invoke(["reinspect", "site", "91350100M000100Y43", "--inspector", "张伟:1", "--ledger", path,
                "--today", "2026-03-06"], input="3\n2\n仍未配发\n\n2026-03-20\n")
    assert r.exit_code == 0, r.stderr
    assert "复查结果：1 合格 / 2 不合格 / 0 跳过" in r.stdout and "请答 1 合格、2 不合格 或 0 跳过" in r.stdout
    assert "销号 0 项，重新整改 1 项，跳过 0 项。" in r.stdout
    shown = json.loads(invoke(["hazard", "show", general, "--ledger", path, "--json"]).stdout)
    assert shown["status"] == "open" and shown["deadline"] == "2026-03-20"


@pytest.mark.parametrize("typed, result", [("1", "pass"), ("合格", "pass"), ("PASS", "pass"), ("2", "fail"),
                                           ("不合格", "fail"), ("0", "skip"), ("跳过", "skip"), ("maybe", "")])
def test_reinspection_results_as_typed(typed, result):
    from inspect_cli.cli.reinspect_site import reinspection_result

    assert reinspection_result(typed) == result
