"""``inspect inspection list`` / ``show`` and the inspections in ``site show``."""
from __future__ import annotations

import pytest

from builders import INSPECTORS, SITE, inspect_dust, ledger_with_site, other_code
from cli.runner import invoke
from inspect_cli.ledger import open_ledger

OTHER = other_code(7)


@pytest.fixture
def ledger3(tmp_path):
    """Three inspections: two at SITE (March, April), one at OTHER by other inspectors (April)."""
    path = tmp_path / "ledger.json"
    ledger_with_site(path)
    ledger_with_site(path, code=OTHER, name="另一木业有限公司")
    first = inspect_dust(open_ledger(path, today="2026-03-02"), {"GM10-11-3[1号除尘系统]": {"answer": "failed"}}, tmp_path)
    second = inspect_dust(open_ledger(path, today="2026-04-10"), {}, tmp_path)
    ledger = open_ledger(path, today="2026-04-12")
    c = __import__("builders").registry().get("dust-explosion")
    from builders import answers

    doc = answers("dust-explosion", {"collectors": ["A线"]}, {}, ledger.site(OTHER), "2026-04-12")
    people = [{"name": "王强", "cert": "44010099999"}, INSPECTORS[1]]
    third = ledger.run_answers(c, OTHER, people, "enforcement", doc, tmp_path)
    ids = [r["inspection"]["id"] for r in (first, second, third)]
    return str(path), ids


def listed(path, *args):
    r = invoke(["inspection", "list", "--ledger", path, "--json", *args])
    assert r.exit_code == 0, r.stderr
    return [row["id"] for row in r.json()["inspections"]]


def test_every_inspection_is_listed_with_its_summary(ledger3):
    path, ids = ledger3
    r = invoke(["inspection", "list", "--ledger", path, "--json"])
    out = r.json()
    assert out["total"] == 3 and [row["id"] for row in out["inspections"]] == ids
    first = out["inspections"][0]
    assert first["site"] == SITE and first["date"] == "2026-03-02" and first["checklist"] == "dust-explosion"
    assert first["status"] == "completed" and len(first["hazards"]) == 1 and first["answers"] > 10
    assert first["inspectors"] == INSPECTORS


@pytest.mark.parametrize("args, which", [
    (["--site", SITE.lower()], [0, 1]),
    (["--site", OTHER], [2]),
    (["--from", "2026-04-01"], [1, 2]),
    (["--to", "2026-04-10"], [0, 1]),
    (["--from", "2026-04-01", "--to", "2026-04-10"], [1]),
    (["--checklist", "dust-explosion"], [0, 1, 2]),
    (["--checklist", "dust-explosion@99"], []),
    (["--checklist", "limited-space"], []),
    (["--inspector", "王强"], [2]),
    (["--inspector", "44010067890"], [0, 1, 2]),
    (["--inspector", "张伟", "--from", "2026-04-01"], [1]),
])
def test_filters(ledger3, args, which):
    path, ids = ledger3
    assert listed(path, *args) == [ids[i] for i in which]


def test_the_table_names_each_inspection(ledger3):
    path, ids = ledger3
    r = invoke(["inspection", "list", "--ledger", path])
    assert r.exit_code == 0 and "3 inspection(s)." in r.stdout
    assert all(i in r.stdout for i in ids)


def test_bad_dates_are_usage_errors(ledger3):
    path, _ = ledger3
    assert invoke(["inspection", "list", "--ledger", path, "--from", "2026-13-01"]).exit_code == 2
    r = invoke(["inspection", "list", "--ledger", path, "--from", "2026-05-01", "--to", "2026-04-01"])
    assert r.exit_code == 2 and "--from 2026-05-01 is after --to 2026-04-01" in r.stderr


def test_show_gives_answers_findings_and_documents(ledger3, tmp_path):
    path, ids = ledger3
    invoke(["config", "set", "org.code", "闽应急", "--ledger", path])
    out = tmp_path / "order.md"
    assert invoke(["report", "order", ids[0], "--format", "md", "--out", str(out), "--ledger", path,
                   "--today", "2026-03-02"]).exit_code == 0
    r = invoke(["inspection", "show", ids[0], "--ledger", path, "--json", "--today", "2026-03-02"])
    assert r.exit_code == 0, r.stderr
    shown = r.json()
    assert shown["id"] == ids[0] and shown["answers"]["GM10-11-3[1号除尘系统]"]["answer"] == "failed"
    (hazard,) = shown["hazards"]
    assert hazard["unit"] == "1号除尘系统" and "已设置但失效或者无效" in hazard["description"]
    assert [d["kind"] for d in shown["documents"]] == ["order"] and shown["documents"][0]["number"]
    text = invoke(["inspection", "show", ids[0].lower(), "--ledger", path, "--today", "2026-03-02"], env={"COLUMNS": "200"})
    assert text.exit_code == 0, text.stderr
    for part in (ids[0], "某某木业有限公司", "张伟（执法证号 44010012345）", "不合格", "已设置但失效或者无效",
                 hazard["id"], "责令限期整改指令书", shown["documents"][0]["number"]):
        assert part in text.stdout, part


def test_show_an_unknown_inspection_is_not_found(ledger3):
    path, _ = ledger3
    r = invoke(["inspection", "show", "I-AAAAA-AAAAA", "--ledger", path])
    assert r.exit_code == 3 and "no inspection" in r.stderr


def test_an_interrupted_inspection_says_how_to_continue(tmp_path):
    path = tmp_path / "ledger.json"
    ledger_with_site(path)
    from builders import INSPECTOR_ARGS

    r = invoke(["run", "dust-explosion", "--site", SITE, *INSPECTOR_ARGS, "--ledger", str(path)], input="1号\n")
    assert r.exit_code == 130
    (row,) = invoke(["inspection", "list", "--ledger", str(path), "--json", "--status", "in_progress"]).json()["inspections"]
    shown = invoke(["inspection", "show", row["id"], "--ledger", str(path)])
    assert f"inspect run --resume {row['id']}" in shown.stdout


def test_site_show_lists_its_inspections(ledger3):
    path, ids = ledger3
    r = invoke(["site", "show", SITE, "--ledger", path], env={"COLUMNS": "200"})
    assert r.exit_code == 0, r.stderr
    assert ids[0] in r.stdout and ids[1] in r.stdout and ids[2] not in r.stdout
    assert "2026-03-02" in r.stdout and "2026-04-10" in r.stdout
    assert invoke(["site", "show", SITE, "--ledger", path, "--json"]).json()["inspections"] == ids[:2]
