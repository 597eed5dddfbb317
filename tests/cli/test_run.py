from __future__ import annotations

import yaml
import pytest

from builders import INSPECTOR_ARGS, SITE, answers, ledger_with_site
from cli.runner import invoke


@pytest.fixture
def setup(tmp_path):
    path = tmp_path / "ledger.json"
    ledger_with_site(path)
    (tmp_path / "photo.png").write_bytes(b"\x89PNG\r\n\x1a\n1234")
    return tmp_path, str(path)


def write_answers(folder, doc):
    p = folder / "answers.yaml"
    p.write_text(yaml.safe_dump(doc, allow_unicode=True), encoding="utf-8")
    return str(p)


def run(path, answers_file, *extra):
    return invoke(["run", "dust-explosion", "--site", SITE, *INSPECTOR_ARGS, "--answers", answers_file,
                   "--ledger", path, "--today", "2026-03-02", "--json", *extra])


def test_failed_items_become_hazards_with_basis_and_deadline(setup):
    folder, path = setup
    doc = answers("dust-explosion", {"collectors": ["1号除尘系统"]},
                  {"GM10-11-10": {"evidence": ["photo.png"], "note": "地面积尘约5毫米"}, "DP6-9": {}})
    r = run(path, write_answers(folder, doc))
    assert r.exit_code == 0, r.stderr
    out = r.json()
    items = {h["item"]: h for h in out["hazards"]}
    assert set(items) == {"GM10-11-10", "DP6-9"}
    major = items["GM10-11-10"]
    assert major["severity"] == "major" and major["status"] == "open" and major["deadline"] == "2026-04-01"
    assert major["basis"][0]["clause"] == "第十一条（十）"
    assert "工贸企业重大事故隐患判定标准" in major["basis"][0]["citation"]
    listed = invoke(["hazard", "list", "--ledger", path, "--json", "--today", "2026-03-02"]).json()
    assert listed["total"] == 2
    assert set(listed["hazards"][0]) >= {"id", "site", "checklist", "item", "severity", "status", "deadline", "basis"}
    shown = invoke(["hazard", "show", major["id"], "--ledger", path, "--json"]).json()
    assert shown["evidence"][0]["name"] == "photo.png" and len(shown["evidence"][0]["sha256"]) == 64
    assert shown["checklist_version"] == 2 and shown["note"] == "地面积尘约5毫米"


def test_every_problem_in_an_answers_file_is_reported_and_nothing_saved(setup):
    folder, path = setup
    doc = answers("dust-explosion", {"collectors": ["1号除尘系统"]}, {"GM10-11-10": {"evidence": []}})
    del doc["answers"]["DP6-9"]
    doc["answers"]["DP6-7"] = "maybe"
    doc["answers"]["NO-SUCH-ITEM"] = "yes"
    before = (folder / "ledger.json").read_bytes()
    r = run(path, write_answers(folder, doc))
    assert r.exit_code == 4
    assert "DP6-9: unanswered applicable item" in r.stderr
    assert "DP6-7: answer 'maybe' is not yes, no or na" in r.stderr
    assert "NO-SUCH-ITEM: unknown item id in dust-explosion@2" in r.stderr
    assert "GM10-11-10: this item requires evidence on failure" in r.stderr
    assert (folder / "ledger.json").read_bytes() == before


def test_answers_to_items_that_do_not_apply_are_ignored_and_listed(setup):
    folder, path = setup
    code = "91110000600037341L"
    attrs = {"wood_dust": True, "water_reactive_metal_dust": False}
    ledger_with_site(folder / "ledger.json", code=code, name="另一木业", attributes=attrs)
    doc = answers("dust-explosion", {"collectors": ["1号除尘系统"]}, site={"code": code, "attributes": attrs})
    doc["answers"]["GM10-11-9a"] = "no"  # water-reactive metal dust: not at this site
    r = invoke(["run", "dust-explosion", "--site", code, *INSPECTOR_ARGS, "--answers", write_answers(folder, doc),
                "--ledger", path, "--json"])
    assert r.exit_code == 0, r.stderr
    assert "GM10-11-9a" in r.json()["ignored"] and r.json()["hazards"] == []


def test_an_enforcement_inspection_needs_two_certified_inspectors(setup):
    folder, path = setup
    f = write_answers(folder, answers("dust-explosion", {"collectors": ["1号除尘系统"]}))
    r = invoke(["run", "dust-explosion", "--site", SITE, "--inspector", "张伟:44010012345", "--answers", f,
                "--ledger", path])
    assert r.exit_code == 4 and "at least two different inspectors" in r.stderr
    r = invoke(["run", "dust-explosion", "--site", SITE, "--inspector", "张伟:44010012345", "--inspector",
                "张伟:44010012345", "--answers", f, "--ledger", path])
    assert r.exit_code == 4 and "given 1" in r.stderr
    r = invoke(["run", "dust-explosion", "--site", SITE, "--inspector", "张伟", "--kind", "self", "--answers", f,
                "--ledger", path, "--json"])
    assert r.exit_code == 0, r.stderr


def test_fixed_on_the_spot_is_recorded_and_closed_at_once(setup):
    folder, path = setup
    doc = answers("dust-explosion", {"collectors": ["1号除尘系统"]}, {"DP6-9": {"fixed_on_spot": True}})
    h = run(path, write_answers(folder, doc)).json()["hazards"][0]
    assert h["status"] == "closed"
    shown = invoke(["hazard", "show", h["id"], "--ledger", path, "--json"]).json()
    assert shown["closed_reason"] == "当场整改" and [e["type"] for e in shown["history"]] == ["registered", "closed_on_spot"]


def test_a_major_item_recorded_as_general_needs_a_reason_that_is_kept(setup):
    folder, path = setup
    doc = answers("dust-explosion", {"collectors": ["1号除尘系统"]},
                  {"GM10-11-10": {"evidence": ["photo.png"], "severity": "general"}})
    assert "downgrade_reason" in run(path, write_answers(folder, doc)).stderr
    doc["answers"]["GM10-11-10"]["downgrade_reason"] = "积尘仅限局部，已当场清理"
    h = run(path, write_answers(folder, doc)).json()["hazards"][0]
    shown = invoke(["hazard", "show", h["id"], "--ledger", path, "--json"]).json()
    assert (shown["severity"], shown["item_severity"], shown["downgrade_reason"]) == ("general", "major", "积尘仅限局部，已当场清理")


def test_interactive_run_can_be_interrupted_and_resumed(setup):
    folder, path = setup
    base = ["--ledger", path, "--today", "2026-03-02"]
    # Answer the unit question and one item, then the input ends (like Ctrl-D / Ctrl-C).
    r = invoke(["run", "dust-explosion", "--site", SITE, *INSPECTOR_ARGS, *base], input="1号除尘系统\nyes\n")
    assert r.exit_code == 130
    assert "inspect run --resume I-" in r.stdout
    inspection_id = r.stdout.split("--resume ")[-1].split()[0]
    from inspect_cli.ledger import open_ledger

    rec = open_ledger(path).inspection(inspection_id)
    assert rec["status"] == "in_progress" and len(rec["answers"]) == 1
    # Resume and answer everything else with a passing answer.
    from builders import passing, registry
    from inspect_cli.inspection.record import pending

    c = registry().get("dust-explosion")
    site = open_ledger(path).site(SITE)
    lines = []
    rec_answers = dict(rec)
    for step in pending(rec_answers, c, site):
        lines += [str(passing(step.item))]  # no note is asked after a pass
    r = invoke(["run", "--resume", inspection_id, *base], input="\n".join(lines) + "\n")
    assert r.exit_code == 0, r.stdout + r.stderr
    assert f"检查 {inspection_id} 已保存" in r.stdout
    assert open_ledger(path).inspection(inspection_id)["status"] == "completed"


@pytest.mark.parametrize("detail, says", [
    ({"deadline": 20260401}, "deadline 20260401 is not a date: write YYYY-MM-DD"),
    ({"deadline": "20260401"}, "deadline '20260401' is not a date: write YYYY-MM-DD"),
    ({"deadline": "2026-02-30"}, "is not a real date"),
    ({"fixed_on_spot": "perhaps"}, "fixed_on_spot must be true or false, not 'perhaps'"),
    ({"note": "x"}, "no 'answer:' key"),
])
def test_bad_details_in_an_answers_file_are_refused(setup, detail, says):
    folder, path = setup
    doc = answers("dust-explosion", {"collectors": ["1号除尘系统"]}, {"DP6-9": {}})
    doc["answers"]["DP6-9"] = dict({"answer": "no"}, **detail) if "note" not in detail else detail
    r = run(path, write_answers(folder, doc))
    assert r.exit_code == 4 and says in r.stderr, r.stderr


@pytest.mark.parametrize("flag, closed", [("no", False), ("否", False), ("false", False), (True, True), ("yes", True)])
def test_fixed_on_spot_reads_yes_and_no_as_people_write_them(setup, flag, closed):
    folder, path = setup
    doc = answers("dust-explosion", {"collectors": ["1号除尘系统"]}, {"DP6-9": {"fixed_on_spot": flag}})
    h = run(path, write_answers(folder, doc)).json()["hazards"][0]
    assert (h["status"] == "closed") is closed


def test_a_unit_on_an_item_that_does_not_repeat_is_unknown(setup):
    folder, path = setup
    doc = answers("dust-explosion", {"collectors": ["1号除尘系统"]})
    doc["answers"]["DP6-9[1号车间]"] = "yes"
    r = run(path, write_answers(folder, doc))
    assert r.exit_code == 4 and "DP6-9[1号车间]: unknown item id" in r.stderr


def test_a_tab_in_an_answers_file_is_named(setup):
    folder, path = setup
    bad = folder / "tab.yaml"
    bad.write_text("answers:\n\tDP6-9: yes\n", encoding="utf-8")
    r = run(path, str(bad))
    assert r.exit_code == 4
    assert r.stderr == (f"Error: {bad}:2: YAML syntax error: found character that cannot start any token; "
                        "this line holds a tab character: YAML indents with spaces only\n")


def test_the_interactive_run_applies_the_same_inspector_rule_and_exit_code(setup):
    # one rule, one exit code: the interactive run used to exit 2 where --answers exits 4
    folder, path = setup
    before = (folder / "ledger.json").read_bytes()
    r = invoke(["run", "dust-explosion", "--site", SITE, "--inspector", "张伟:44010012345", "--ledger", path],
               input="")
    assert r.exit_code == 4 and "at least two different inspectors" in r.stderr
    assert (folder / "ledger.json").read_bytes() == before
