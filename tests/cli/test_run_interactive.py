"""The interactive run: Chinese prompts, answers as inspectors type them, the finding that was seen."""
from __future__ import annotations

import datetime as dt

import pytest
import yaml

from builders import INSPECTOR_ARGS, SITE, answers, ledger_with_site, registry
from cli.runner import invoke
from inspect_cli.cli.run_prompts import read_answer, split_units
from inspect_cli.inspection.answers import normalise_answer, walk
from inspect_cli.ledger import open_ledger

TODAY = "2026-03-02"
LEDGER: list = []
FAILED_OPTION = "已设置但失效或者无效，依第十四条判定为重大事故隐患"


@pytest.fixture
def setup(tmp_path):
    path = tmp_path / "ledger.json"
    ledger_with_site(path)
    LEDGER[:] = [path]
    (tmp_path / "photo.png").write_bytes(b"\x89PNG\r\n\x1a\n1234")
    return tmp_path, str(path)


def typed_pass(item):
    """A passing answer typed the way a Chinese inspector types it: 是, or an option's number."""
    if item.type == "boolean":
        return "是"
    if item.type == "choice":
        return str(next(k for k, o in enumerate(item.options, 1) if o.passes))
    if item.type == "number":
        return str(item.pass_range.min if item.pass_range.min is not None else item.pass_range.max)
    return "已记录"


def script(units, special):
    """Input lines for a whole dust-explosion run: each step passes unless ``special`` gives its lines."""
    c = registry().get("dust-explosion")
    site = open_ledger(LEDGER[0]).site(SITE)
    lines = ["、".join(units)]

    def answer_for(step, so_far):
        typed = special.get(step.key, [typed_pass(step.item)])
        lines.extend(typed)
        accepted = next(t for t in typed if read_answer(step.item, t)[0] is not None)
        return normalise_answer(step.item, read_answer(step.item, accepted)[0])

    walk(c, site, dt.date.fromisoformat(TODAY), {"collectors": units}, answer_for)
    return "\n".join(lines) + "\n"


def run_interactive(path, text, *extra):
    return invoke(["run", "dust-explosion", "--site", SITE, *INSPECTOR_ARGS, "--ledger", path, "--today", TODAY,
                   *extra], input=text)


def only_inspection(path):
    (rec,) = open_ledger(path).inspections()
    return rec


def test_a_numbered_choice_puts_the_option_seen_into_the_finding_and_the_order(setup):
    folder, path = setup
    photo = str(folder / "photo.png")
    failure = ["2", "", "1号除尘器泄爆口", "", photo, "", ""]  # finding, location, note, evidence, deadline, on the spot
    r = run_interactive(path, script(["1号除尘系统", "2号除尘系统"], {"GM10-11-3[2号除尘系统]": failure}))
    assert r.exit_code == 0, r.stdout + r.stderr
    assert "选择 1–4，或 0 不适用" in r.stdout and "是否符合？1 是 / 2 否 / 0 不适用" in r.stdout
    rec = only_inspection(path)
    assert rec["units"] == {"collectors": ["1号除尘系统", "2号除尘系统"]}
    assert rec["answers"]["GM10-11-3[2号除尘系统]"]["answer"] == "failed"
    (hid,) = rec["hazards"]
    hazard, _ = open_ledger(path).hazard(hid)
    assert hazard["unit"] == "2号除尘系统"
    assert hazard["description"] == f"干式除尘系统未采取泄爆、惰化、抑爆等任一种爆炸防控措施的；（{FAILED_OPTION}）"
    assert f"记为隐患：{hazard['description']}" in r.stdout.replace("\n", "")  # rich wraps long lines
    order = folder / "order.md"
    done = invoke(["report", "order", rec["id"], "--format", "md", "--out", str(order), "--ledger", path,
                   "--today", TODAY])
    assert done.exit_code == 0, done.stderr
    assert FAILED_OPTION in order.read_text(encoding="utf-8")


def test_the_interactive_finding_is_the_answers_file_finding(setup):
    folder, path = setup
    photo = str(folder / "photo.png")
    run_interactive(path, script(["1号除尘系统"], {"GM10-11-3[1号除尘系统]": ["2", "", "", "", photo, "", ""]}))
    doc = answers("dust-explosion", {"collectors": ["1号除尘系统"]},
                  {"GM10-11-3[1号除尘系统]": {"answer": "failed", "evidence": ["photo.png"]}})
    (folder / "a.yaml").write_text(yaml.safe_dump(doc, allow_unicode=True), encoding="utf-8")
    r = invoke(["run", "dust-explosion", "--site", SITE, *INSPECTOR_ARGS, "--answers", str(folder / "a.yaml"),
                "--ledger", path, "--today", TODAY, "--json"])
    assert r.exit_code == 0, r.stderr
    from_file = r.json()["hazards"][0]["description"]
    interactive = open_ledger(path).hazard(open_ledger(path).inspections()[0]["hazards"][0])[0]["description"]
    assert interactive == from_file and FAILED_OPTION in from_file


def test_an_own_description_keeps_the_option_seen(setup):
    folder, path = setup
    photo = str(folder / "photo.png")
    own = "泄爆片被钢板焊死"
    run_interactive(path, script(["1号除尘系统"], {"GM10-11-3[1号除尘系统]": ["2", own, "", "", photo, "", ""]}))
    hazard, _ = open_ledger(path).hazard(only_inspection(path)["hazards"][0])
    assert hazard["description"] == f"{own}（{FAILED_OPTION}）"


def test_a_note_after_a_pass_only_when_asked_with_plus(setup):
    folder, path = setup
    r = run_interactive(path, script(["1号除尘系统"], {"DP6-7": ["是+", "台账齐全"], "DP6-8": ["y"]}))
    assert r.exit_code == 0, r.stdout + r.stderr
    rec = only_inspection(path)
    assert rec["answers"]["DP6-7"]["note"] == "台账齐全"
    assert "note" not in rec["answers"]["DP6-8"] and rec["hazards"] == []
    assert r.stdout.count("备注:") == 1


def test_a_wrong_answer_is_asked_again_in_chinese(setup):
    folder, path = setup
    r = run_interactive(path, script(["1号除尘系统"], {"GM10-11-3[1号除尘系统]": ["9", "working", ]}))
    assert r.exit_code == 0, r.stdout + r.stderr
    assert "无法识别“9”：请写 1–4 中的一个序号，或 0 不适用" in r.stdout


def test_english_prompts_follow_inspect_lang(setup):
    folder, path = setup
    r = invoke(["run", "dust-explosion", "--site", SITE, *INSPECTOR_ARGS, "--ledger", path, "--today", TODAY],
               input="1号除尘系统\n", env={"INSPECT_LANG": "en"})
    assert r.exit_code == 130
    assert "Name each dust-collection system on site" in r.stdout and "Compliant? 1 yes / 2 no / 0 na" in r.stdout
    assert "Stopped. 0 answer(s) saved. Continue with: inspect run --resume I-" in r.stdout


def test_a_failure_with_a_deadline_before_the_inspection_is_asked_again(setup):
    folder, path = setup
    failure = ["否", "", "", "", "", "2026-01-01", "2026-03-20", "是"]
    r = run_interactive(path, script(["1号除尘系统"], {"DP6-9": failure}))
    assert r.exit_code == 0, r.stdout + r.stderr
    assert "请写日期 YYYY-MM-DD，且不早于检查日期。" in r.stdout
    hazard, _ = open_ledger(path).hazard(only_inspection(path)["hazards"][0])
    assert hazard["deadline"] == "2026-03-20" and hazard["status"] == "closed"


@pytest.mark.parametrize("typed, units", [
    ("1号除尘系统、2号除尘系统", ["1号除尘系统", "2号除尘系统"]),
    ("1号，2号, 3号", ["1号", "2号", "3号"]),
    (" 、 ", []),
])
def test_unit_names_split_on_chinese_and_latin_separators(typed, units):
    assert split_units(typed) == units


@pytest.mark.parametrize("item_id, typed, expected", [
    ("DP6-9", "是", ("yes", False)), ("DP6-9", "否+", ("no", True)), ("DP6-9", "Y", ("yes", False)),
    ("DP6-9", "2", ("no", False)), ("DP6-9", "不适用", ("na", False)), ("DP6-9", "0", ("na", False)),
    ("DP6-9", "也许", (None, False)),
    ("GM10-11-3", "2", ("failed", False)), ("GM10-11-3", "4+", ("wet_system", True)),
    ("GM10-11-3", "未采取任何爆炸防控措施", ("absent", False)), ("GM10-11-3", "absent", ("absent", False)),
    ("GM10-11-3", "5", (None, False)), ("GM10-11-3", "na", ("na", False)),
])
def test_answers_as_inspectors_type_them(item_id, typed, expected):
    item = registry().get("dust-explosion").item(item_id)
    assert read_answer(item, typed) == expected
