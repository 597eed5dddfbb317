"""`inspect plan year/show/list/verify/progress` from the command line."""
from __future__ import annotations

import json

import pytest

from builders import INSPECTORS, answers, other_code, registry
from cli.runner import invoke
from inspect_cli.ledger import open_ledger

POOL = ["--pool-inspector", "张伟:44010012345", "--pool-inspector", "李娜:44010067890",
        "--pool-inspector", "王强:44010011111"]


@pytest.fixture
def ledger_file(tmp_path):
    path = tmp_path / "ledger.json"
    led = open_ledger(path, today="2027-01-04")
    for i, c in enumerate("AABBC"):
        led.add_site({"code": other_code(i), "name": f"单位{i}", "industry": "木材加工", "risk_class": c,
                      "attributes": {"wood_dust": True}})
    led.add_site({"code": other_code(9), "name": "未定级", "industry": "木材加工"})
    return str(path)


def plan(path, *args, today="2027-01-04"):
    return invoke(["plan", *args, "--ledger", path, "--today", today])


def test_year_table_json_xlsx_and_verify(ledger_file, tmp_path):
    out = tmp_path / "plan.xlsx"
    r = plan(ledger_file, "year", "2027", "--seed", "42", "--xlsx", str(out), *POOL)
    assert r.exit_code == 0, r.stderr
    assert "2027年度监督检查计划" in r.stdout and "1 site(s) without a planned class" in r.stdout
    plan_id = r.stdout.split("inspect plan verify ")[1].split()[0]
    from openpyxl import load_workbook

    wb = load_workbook(out)
    assert wb.sheetnames == ["检查安排", "按风险等级", "说明"]
    rows = list(wb["检查安排"].iter_rows(values_only=True))
    assert rows[0][:5] == ("季度", "统一社会信用代码", "被检查单位", "风险等级", "检查类别")
    shown = plan(ledger_file, "show", plan_id, "--json").json()
    assert len(rows) - 1 == len(shown["result"]["visits"])
    again = plan(ledger_file, "year", "2027", "--seed", "42", "--json", *POOL).json()
    assert again["result"] == shown["result"] and again["id"] != plan_id
    assert plan(ledger_file, "verify", plan_id).exit_code == 0
    listed = plan(ledger_file, "list", "--json").json()
    assert [p["id"] for p in listed] == [plan_id, again["id"]]


def test_a_changed_plan_fails_verify_with_exit_8(ledger_file):
    rec = plan(ledger_file, "year", "2027", "--seed", "1", "--json").json()
    data = json.loads(open(ledger_file, encoding="utf-8").read())
    data["plans"][rec["id"]]["result"]["visits"][0]["quarter"] = 5 - data["plans"][rec["id"]]["result"]["visits"][0]["quarter"] or 1
    open(ledger_file, "w", encoding="utf-8").write(json.dumps(data, ensure_ascii=False))
    r = plan(ledger_file, "verify", rec["id"])
    assert r.exit_code == 8 and "does not match" in r.stderr


def test_bad_input_is_refused_and_changes_nothing(ledger_file, tmp_path):
    before = open(ledger_file, encoding="utf-8").read()
    assert plan(ledger_file, "year", "2027").exit_code == 2  # --seed is required
    assert plan(ledger_file, "year", "1999", "--seed", "1").exit_code == 2
    r = plan(ledger_file, "year", "2027", "--seed", "1", "--xlsx", str(tmp_path / "nope" / "p.xlsx"))
    assert r.exit_code == 2 and "does not exist" in r.stderr
    r = plan(ledger_file, "year", "2027", "--seed", "1", "--where", "risk_clas=A")
    assert r.exit_code == 2 and "did you mean 'risk_class'" in r.stderr
    assert open(ledger_file, encoding="utf-8").read() == before
    r = invoke(["config", "set", "plan.frequencies", "A=4,B=lots", "--ledger", ledger_file])
    assert r.exit_code == 2 and "must be a number" in r.stderr
    r = plan(ledger_file, "progress", "--year", "2027")
    assert r.exit_code == 3 and "no plan for 2027" in r.stderr


def test_frequencies_from_settings_and_domains(ledger_file):
    assert invoke(["config", "set", "plan.frequencies", "A=1,B=1,C=1; dust: A=3", "--ledger", ledger_file]).exit_code == 0
    led = open_ledger(ledger_file, today="2027-01-04")
    led.add_site({"code": other_code(7), "name": "粉尘A", "risk_class": "A", "attributes": {"domain": "dust"}})
    rec = plan(ledger_file, "year", "2027", "--seed", "3", "--json").json()
    per = {}
    for v in rec["result"]["visits"]:
        per[v["site"]] = per.get(v["site"], 0) + 1
    assert per[other_code(7)] - 1 == 3  # 3 by domain, plus one for a silent site (plan.silent_extra 1)
    assert per[other_code(0)] == 1 + 1


def test_progress_by_class_quarter_and_inspector(ledger_file, tmp_path):
    invoke(["config", "set", "plan.silent_extra", "0", "--ledger", ledger_file])
    rec = plan(ledger_file, "year", "2027", "--seed", "9", "--json").json()
    a_site = next(s["code"] for s in rec["pool"]["sites"] if s["class"] == "A")
    led = open_ledger(ledger_file, today="2027-02-10")
    site = led.site(a_site)
    doc = answers("dust-explosion", {"collectors": ["1号"]}, {}, site, "2027-02-10")
    led.run_answers(registry().get("dust-explosion"), a_site, INSPECTORS, "random", doc, tmp_path)
    led = open_ledger(ledger_file, today="2027-05-10")
    led.run_answers(registry().get("dust-explosion"), a_site, INSPECTORS, "self", doc, tmp_path)  # not counted
    r = plan(ledger_file, "progress", "--year", "2027", "--json", today="2027-05-31").json()
    assert r["planned"] == 2 * 4 + 2 * 2 + 1 and r["done"] == 1 and r["by_kind"] == {"random": 1}
    a = next(c for c in r["by_class"] if c["class"] == "A")
    assert a["planned"] == 8 and a["done"] == 1 and a["sites_not_visited"] == 1
    assert [q["done"] for q in r["by_quarter"]] == [1, 0, 0, 0]
    assert [q["ended"] for q in r["by_quarter"]] == [True, False, False, False]
    assert {"inspector": "张伟（44010012345）", "planned": 0, "done": 1} in r["by_inspector"]
    table = plan(ledger_file, "progress", "--year", "2027", today="2027-05-31")
    assert table.exit_code == 0 and "按风险等级 By class" in table.stdout and "按检查人员 By inspector" in table.stdout


def test_the_bulletin_prints_done_against_planned(ledger_file, tmp_path):
    invoke(["config", "set", "plan.silent_extra", "0", "--ledger", ledger_file])
    rec = plan(ledger_file, "year", "2027", "--seed", "9", "--json").json()
    out = tmp_path / "b.md"
    r = invoke(["report", "bulletin", "--month", "2027-02", "--format", "md", "--out", str(out), "--ledger", ledger_file,
                "--today", "2027-02-28"])
    assert r.exit_code == 0, r.stderr
    text = out.read_text(encoding="utf-8")
    assert f"2027年度监督检查计划（{rec['id']}）：计划检查13次，已完成0次" in text
    assert "| A | 2 | 8 | 0 | 0.0% | 2 |" in text and "按季度（完成/计划）：Q1 0/" in text
    html = tmp_path / "b.html"
    assert invoke(["report", "bulletin", "--month", "2027-02", "--out", str(html), "--ledger", ledger_file,
                   "--today", "2027-02-28"]).exit_code == 0
    assert "年度计划执行与回头看" in html.read_text(encoding="utf-8")


def test_a_bureaus_own_class_labels(tmp_path):
    path = str(tmp_path / "own.json")
    assert invoke(["config", "set", "plan.frequencies", "重点=3,一般=1", "--ledger", path]).exit_code == 0
    assert invoke(["config", "set", "plan.silent_extra", "0", "--ledger", path]).exit_code == 0
    ok = invoke(["site", "add", "--code", other_code(1), "--name", "重点单位", "--risk-class", "重点", "--ledger", path])
    assert ok.exit_code == 0, ok.stderr
    bad = invoke(["site", "add", "--code", other_code(2), "--name", "x", "--risk-class", "红", "--ledger", path])
    assert bad.exit_code == 4 and "重点" in bad.stderr
    csv = tmp_path / "sites.csv"
    csv.write_text(f"统一社会信用代码,单位名称,风险等级\n{other_code(3)},一般单位,一般\n", encoding="utf-8")
    assert invoke(["site", "import", str(csv), "--ledger", path]).exit_code == 0
    rec = plan(path, "year", "2027", "--seed", "1", "--json").json()
    assert sorted(v["class"] for v in rec["result"]["visits"]) == ["一般", "重点", "重点", "重点"]
