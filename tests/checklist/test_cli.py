"""`inspect checklist list|show|validate` as a user runs it: output, JSON and exit codes.

Exit codes (docs/exit-codes.md): 0 ok, 1 invalid checklist, 2 usage error, 3 not found.
Commands run through ``main()``, the console script's error boundary (tests/cli/runner.py).
"""
from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from cli.runner import invoke

from .helpers import BAD, BUNDLED_IDS, GOOD, REPO

WIDE = {"COLUMNS": "250"}  # rich wraps table cells at the default 80 columns


def run(*args: str, env=None):
    return invoke(list(args), env={**WIDE, **(env or {})})


def user_dir(tmp_path: Path, *versions: int) -> Path:
    """A folder with test-minimal in the given versions (title says which)."""
    d = tmp_path / "mine"
    d.mkdir()
    text = (GOOD / "minimal.yaml").read_text(encoding="utf-8")
    for v in versions:
        (d / f"minimal-v{v}.yaml").write_text(
            text.replace("version: 1", f"version: {v}").replace("测试检查表", f"测试检查表第{v}版"), encoding="utf-8")
    return d


# --- list ---------------------------------------------------------------------------------

def test_list_json_has_every_bundled_checklist_with_counts():
    r = run("checklist", "list", "--json")
    assert r.exit_code == 0, r.stderr
    rows = r.json()
    # forest-fire@1 (on the repealed 541号) is kept for back-dated inspections
    assert sorted({row["id"] for row in rows}) == sorted(BUNDLED_IDS)
    assert [row["ref"] for row in rows if row["id"] == "forest-fire"] == ["forest-fire@1", "forest-fire@2"]
    for row in rows:
        assert {"id", "version", "title", "domain", "items", "major_items", "sources", "status"} <= set(row)
        assert row["version"] >= 1 and row["items"] > 0 and 0 <= row["major_items"] <= row["items"]
        assert row["sources"] and all(isinstance(s, str) for s in row["sources"])
    by_id = {row["id"]: row for row in rows}  # the highest version of each
    assert by_id["forest-fire"]["major_items"] == 0
    assert by_id["hazardous-chemicals"]["major_items"] >= 20
    assert by_id["dust-explosion"]["domain"] == "dust_explosion"


def test_list_table_in_chinese_by_default():
    r = run("checklist", "list")
    assert r.exit_code == 0
    for label in ("编号", "版本", "检查表", "领域", "检查项", "重大项", "依据", "粉尘涉爆", "危险化学品", "有限空间",
                  "森林防火"):
        assert label in r.stdout
    for cid in BUNDLED_IDS:
        assert cid in r.stdout


@pytest.mark.parametrize("how", ["option", "env"])
def test_list_table_in_english(how):
    r = run("checklist", "list", "--lang", "en") if how == "option" else run("checklist", "list", env={"INSPECT_LANG": "en"})
    assert r.exit_code == 0
    for label in ("id", "version", "title", "domain", "items", "major items", "sources", "dust explosion",
                  "hazardous chemicals", "limited space", "forest fire"):
        assert label in r.stdout
    assert "编号" not in r.stdout and "粉尘涉爆" not in r.stdout


def test_list_json_in_english_uses_english_titles():
    zh = {row["id"]: row for row in run("checklist", "list", "--json").json()}
    en = {row["id"]: row for row in run("checklist", "list", "--json", "--lang", "en").json()}
    assert en["dust-explosion"]["domain_name"] == "dust explosion" and zh["dust-explosion"]["domain_name"] == "粉尘涉爆"
    assert en["dust-explosion"]["title"] != zh["dust-explosion"]["title"]


def test_unknown_lang_is_a_usage_error():
    r = run("checklist", "list", "--lang", "fr")
    assert r.exit_code == 2
    assert "Invalid value for '--lang'" in r.stderr


# --- show ---------------------------------------------------------------------------------

def test_show_json_exposes_items_with_basis_and_answer_types():
    r = run("checklist", "show", "dust-explosion", "--json")
    assert r.exit_code == 0, r.stderr
    d = r.json()
    assert (d["id"], d["version"], d["ref"]) == ("dust-explosion", 2, "dust-explosion@2")
    items = [i for s in d["sections"] for i in s["items"]]
    assert len(items) == d["items"]
    for i in items:
        assert {"id", "text", "severity", "type", "basis"} <= set(i)
        assert i["severity"] in ("general", "major") and i["type"] in ("boolean", "number", "choice", "text")
        assert i["basis"] and all({"source", "clause", "citation"} <= set(b) for b in i["basis"])
    choices = [i for i in items if i["type"] == "choice"]
    assert choices
    for i in choices:
        assert len(i["options"]) >= 2
        assert all({"value", "text", "pass", "na"} == set(o) for o in i["options"])
        assert {o["pass"] for o in i["options"] if not o["na"]} == {True, False}
    gm = next(i for i in items if i["id"] == "GM10-11-2")
    assert gm["severity"] == "major"
    assert gm["basis"][0]["citation"] == "《工贸企业重大事故隐患判定标准》（中华人民共和国应急管理部令第10号）第十一条（二）"


def test_show_json_number_items_have_a_pass_range():
    items = [i for cid in BUNDLED_IDS for s in run("checklist", "show", cid, "--json").json()["sections"]
             for i in s["items"] if i["type"] == "number"]
    assert items  # limited-space measures gases
    for i in items:
        assert set(i["pass"]) == {"min", "max"}
        assert i["pass"]["min"] is not None or i["pass"]["max"] is not None
        assert "options" not in i


def test_show_json_of_a_user_checklist_pins_number_and_choice(tmp_path):
    d = run("checklist", "show", "test-minimal", "--checklist-dir", str(GOOD), "--json").json()
    items = {i["id"]: i for s in d["sections"] for i in s["items"]}
    assert items["G-2"]["pass"] == {"min": 19.5, "max": 23.5} and items["G-2"]["unit"] == "%vol"
    assert items["M-2"]["options"] == [
        {"value": "working", "text": "设置且正常", "pass": True, "na": False},
        {"value": "failed", "text": "设置但失效", "pass": False, "na": False},
        {"value": "absent", "text": "未设置", "pass": False, "na": False},
    ]
    assert items["M-1"]["text"] == "已采取防爆措施"
    en = run("checklist", "show", "test-minimal", "--checklist-dir", str(GOOD), "--json", "--lang", "en").json()
    assert en["sections"][0]["items"][0]["text"] == "Explosion protection in place"
    assert en["sections"][0]["items"][1]["text"] == "已建立清扫制度"  # no English gloss: Chinese


def test_show_table_lists_items_with_severity_and_basis():
    r = run("checklist", "show", "dust-explosion")
    assert r.exit_code == 0
    assert "工贸企业粉尘防爆安全执法检查表" in r.stdout and "dust-explosion@2" in r.stdout
    assert "GM10-11-2" in r.stdout and "GM10 第十一条（二）" in r.stdout and "重大" in r.stdout


def test_show_unknown_checklist_exits_3_with_did_you_mean():
    r = run("checklist", "show", "dust-explosoin")
    assert r.exit_code == 3
    assert r.stderr == "Error: no checklist 'dust-explosoin'; did you mean 'dust-explosion'?\n"
    r = run("checklist", "show", "nosuch")
    assert r.exit_code == 3
    assert r.stderr == "Error: no checklist 'nosuch'; see inspect checklist list\n"


def test_show_unknown_version_exits_3():
    r = run("checklist", "show", "dust-explosion@9")
    assert r.exit_code == 3
    assert r.stderr == "Error: checklist dust-explosion has no version 9; known: 1, 2\n"


def test_show_malformed_reference_exits_3():
    r = run("checklist", "show", "Dust Explosion")
    assert r.exit_code == 3
    assert "is not a checklist reference: use ID or ID@VERSION" in r.stderr


# --- validate ------------------------------------------------------------------------------

def test_validate_bad_file_exits_1_and_prints_file_line_problems():
    path = BAD / "unknown-key.yaml"
    r = run("checklist", "validate", str(path))
    assert r.exit_code == 1
    assert r.stdout.splitlines() == [
        f"{path}:13: sections[0].items[0]: missing required key 'severity'",
        f"{path}:16: sections[0].items[0].severty: unknown key 'severty'; did you mean 'severity'?",
    ]
    assert r.stderr == "1 of 1 file(s) invalid.\n"


def test_validate_good_file_exits_0():
    path = GOOD / "minimal.yaml"
    r = run("checklist", "validate", str(path))
    assert r.exit_code == 0
    assert r.stdout == f"{path}: ok\n"


def test_validate_every_bundled_checklist_exits_0():
    r = run("checklist", "validate", str(REPO / "checklists"), "--today", "2025-12-31")
    assert r.exit_code == 0, r.stdout
    files = sorted(f"{stem}.yaml" for stem in [*BUNDLED_IDS, "forest-fire-541", "dust-explosion-v1", "limited-space-v1",
                                               "hazardous-chemicals-v1"])
    assert r.stdout.splitlines() == [f"{REPO / 'checklists' / name}: ok" for name in files]


def test_validate_warns_of_a_source_repealed_as_of_today_but_still_exits_0():
    r = run("checklist", "validate", str(REPO / "checklists" / "forest-fire-541.yaml"), "--today", "2026-01-01")
    assert r.exit_code == 0, r.stdout
    path = REPO / "checklists" / "forest-fire-541.yaml"
    assert r.stdout.splitlines() == [
        f"{path}: warning: source FFR 《森林防火条例》（中华人民共和国国务院令第541号） was repealed on 2026-01-01; "
        "replaced by 《森林草原防灭火条例》（中华人民共和国国务院令第822号） (as of 2026-01-01)",
        f"{path}: ok"]


def test_validate_overlay_resolves_its_base_from_checklist_dir():
    r = run("checklist", "validate", "--checklist-dir", str(GOOD), str(GOOD))
    assert r.exit_code == 0, r.stdout
    assert r.stdout.splitlines() == [f"{GOOD / 'minimal.yaml'}: ok", f"{GOOD / 'overlay.yaml'}: ok"]


def test_validate_overlay_of_unknown_base_exits_1(tmp_path):
    path = tmp_path / "overlay.yaml"  # alone: its base is neither bundled, nor given, nor next to it
    shutil.copy(GOOD / "overlay.yaml", path)
    r = run("checklist", "validate", str(path))
    assert r.exit_code == 1
    assert r.stdout.splitlines()[0] == (f"{path}:4: extends: cannot find the base checklist 'test-minimal@1': "
                                         "no checklist test-minimal@1 is known")


def test_validate_several_files_reports_each_and_counts_invalid():
    good, bad1, bad2 = GOOD / "minimal.yaml", BAD / "bad-type.yaml", BAD / "python-tag.yaml"
    r = run("checklist", "validate", str(good), str(bad1), str(bad2))
    assert r.exit_code == 1
    lines = r.stdout.splitlines()
    assert lines[0] == f"{good}: ok"
    assert [line.split(":")[0] for line in lines[1:]] == [str(bad1), str(bad2)]
    assert r.stderr == "2 of 3 file(s) invalid.\n"


def test_validate_missing_path_is_a_usage_error():
    r = run("checklist", "validate", "/nonexistent/checklist.yaml")
    assert r.exit_code == 2
    assert "Path '/nonexistent/checklist.yaml' does not exist." in r.stderr


def test_validate_without_paths_is_a_usage_error():
    r = run("checklist", "validate")
    assert r.exit_code == 2
    assert "Missing argument 'PATHS...'" in r.stderr


# --- user checklists ---------------------------------------------------------------------

def test_checklist_dir_adds_user_checklists_to_the_list():
    r = run("checklist", "list", "--json", "--checklist-dir", str(GOOD))
    assert r.exit_code == 0, r.stderr
    rows = {row["id"]: row for row in r.json()}
    assert set(rows) == {*BUNDLED_IDS, "test-minimal", "test-minimal-local"}
    assert rows["test-minimal"]["origin"] == str(GOOD)
    assert rows["test-minimal-local"]["extends"] == "test-minimal@1"
    assert (rows["test-minimal"]["items"], rows["test-minimal"]["major_items"]) == (5, 2)
    assert (rows["test-minimal-local"]["items"], rows["test-minimal-local"]["major_items"]) == (5, 3)
    table = run("checklist", "list", "--checklist-dir", str(GOOD))
    assert "test-minimal-local" in table.stdout and "测试检查表" in table.stdout


def test_inspect_checklist_path_adds_user_checklists(tmp_path):
    other = user_dir(tmp_path, 2)
    env = {"INSPECT_CHECKLIST_PATH": f"{GOOD}:{other}"}
    rows = run("checklist", "list", "--json", env=env).json()
    assert {(row["id"], row["version"]) for row in rows} >= {("test-minimal", 1), ("test-minimal", 2),
                                                             ("test-minimal-local", 1)}
    r = run("checklist", "show", "test-minimal-local", "--json", env=env)
    assert r.exit_code == 0 and r.json()["ref"] == "test-minimal-local@1"


def test_highest_version_is_the_default_and_id_at_version_selects(tmp_path):
    d = str(user_dir(tmp_path, 1, 2))
    assert run("checklist", "show", "test-minimal", "--json", "--checklist-dir", d).json()["title"] == "测试检查表第2版"
    v1 = run("checklist", "show", "test-minimal@1", "--json", "--checklist-dir", d).json()
    assert (v1["version"], v1["title"]) == (1, "测试检查表第1版")
    r = run("checklist", "show", "test-minimal@3", "--checklist-dir", d)
    assert r.exit_code == 3
    assert r.stderr == "Error: checklist test-minimal has no version 3; known: 1, 2\n"
    rows = run("checklist", "list", "--json", "--checklist-dir", d).json()
    assert [row["ref"] for row in rows if row["id"] == "test-minimal"] == ["test-minimal@1", "test-minimal@2"]


def test_user_checklist_with_a_bundled_id_and_version_makes_only_that_one_unusable(tmp_path):
    d = tmp_path / "clash"
    d.mkdir()
    text = (GOOD / "minimal.yaml").read_text(encoding="utf-8").replace("id: test-minimal", "id: dust-explosion")
    path = d / "de.yaml"
    path.write_text(text, encoding="utf-8")
    bundled = (REPO / "checklists" / "dust-explosion-v1.yaml").resolve()
    said = (f"checklist dust-explosion@1 is defined by 2 different files ({bundled}, {path.resolve()}); "
            "give your checklist another id, or raise its version")
    r = run("checklist", "show", "dust-explosion@1", "--checklist-dir", str(d))
    assert r.exit_code == 1 and r.stderr == f"Error: {said}\n"
    listed = run("checklist", "list", "--json", "--checklist-dir", str(d))
    assert listed.exit_code == 0 and f"Warning: skipped an invalid checklist: {said}" in listed.stderr
    refs = {row["ref"] for row in listed.json()}
    assert "dust-explosion@1" not in refs and "dust-explosion@2" in refs
    assert run("checklist", "show", "limited-space", "--json", "--checklist-dir", str(d)).exit_code == 0


def test_a_duplicate_copy_of_ones_own_checklist_breaks_nothing(tmp_path):
    d = tmp_path / "mine"
    d.mkdir()
    shutil.copy(GOOD / "minimal.yaml", d / "minimal.yaml")
    shutil.copy(GOOD / "minimal.yaml", d / "minimal (copy).yaml")
    r = run("checklist", "show", "test-minimal", "--json", "--checklist-dir", str(d))
    assert r.exit_code == 0, r.stderr
    assert run("checklist", "show", "dust-explosion", "--json", "--checklist-dir", str(d)).exit_code == 0
    listed = run("checklist", "list", "--json", "--checklist-dir", str(d))
    assert listed.exit_code == 0 and [row["id"] for row in listed.json()].count("test-minimal") == 1
    assert "a copy of" in listed.stderr and "it is ignored" in listed.stderr


def test_user_checklist_with_a_bundled_id_and_a_new_version_is_fine(tmp_path):
    d = tmp_path / "newer"
    d.mkdir()
    text = (GOOD / "minimal.yaml").read_text(encoding="utf-8")
    (d / "de.yaml").write_text(text.replace("id: test-minimal", "id: dust-explosion").replace("version: 1", "version: 3"),
                               encoding="utf-8")
    r = run("checklist", "show", "dust-explosion", "--json", "--checklist-dir", str(d))
    assert r.exit_code == 0 and r.json()["ref"] == "dust-explosion@3"
    assert run("checklist", "show", "dust-explosion@1", "--json", "--checklist-dir", str(d)).json()["items"] > 20


def test_invalid_user_checklist_is_skipped_by_list_with_a_warning(tmp_path):
    d = tmp_path / "mixed"
    d.mkdir()
    shutil.copy(GOOD / "minimal.yaml", d / "minimal.yaml")
    bad = d / "bad.yaml"
    shutil.copy(BAD / "bad-type.yaml", bad)
    r = run("checklist", "list", "--json", "--checklist-dir", str(d))
    assert r.exit_code == 0
    assert "test-minimal" in {row["id"] for row in r.json()} and "bad" not in {row["id"] for row in r.json()}
    assert r.stderr == (f"Warning: skipped an invalid checklist: {bad.resolve()}:17: sections[0].items[0].type: "
                        "'yesno' is not valid; use one of: boolean, number, choice, text\n")


def test_missing_checklist_dir_exits_3(tmp_path):
    missing = tmp_path / "nope"
    r = run("checklist", "list", "--checklist-dir", str(missing))
    assert r.exit_code == 3
    assert r.stderr == (f"Error: checklist folder {missing} does not exist "
                        "(from --checklist-dir or INSPECT_CHECKLIST_PATH)\n")


@pytest.mark.parametrize("extends", ["", "dust-explosion", "dust-explosion@x", "@1"])
def test_an_overlay_with_a_malformed_base_reference_is_a_problem_not_a_crash(tmp_path, extends):
    d = tmp_path / "overlay"
    d.mkdir()
    (d / "o.yaml").write_text(f"id: my-overlay\nversion: 1\nextends: '{extends}'\n", encoding="utf-8")
    r = run("checklist", "validate", str(d / "o.yaml"))
    assert r.exit_code == 1 and "cannot find the base checklist" in r.stdout + r.stderr
    assert "Internal error" not in r.stderr


def test_an_overlay_of_a_bundled_checklist_validates_without_checklist_dir(tmp_path):
    (tmp_path / "o.yaml").write_text(
        "id: dust-local\nversion: 1\nextends: dust-explosion@2\ntitle: 本地\ndomain: dust_explosion\n"
        "applies_to: {description: 本地}\nskip:\n  - {item: DP6-9, reason: 不检查}\n", encoding="utf-8")
    r = run("checklist", "validate", str(tmp_path / "o.yaml"))
    assert r.exit_code == 0 and r.stdout == f"{tmp_path / 'o.yaml'}: ok\n"


def test_an_overlay_next_to_its_user_base_validates_without_checklist_dir(tmp_path):
    shutil.copy(GOOD / "minimal.yaml", tmp_path / "minimal.yaml")
    shutil.copy(GOOD / "overlay.yaml", tmp_path / "overlay.yaml")
    r = run("checklist", "validate", str(tmp_path / "overlay.yaml"))
    assert r.exit_code == 0, r.stdout


def test_yaml_files_that_are_not_checklists_are_left_alone_in_a_checklist_folder(tmp_path):
    shutil.copy(GOOD / "minimal.yaml", tmp_path / "minimal.yaml")
    (tmp_path / "answers.yaml").write_text("units: {}\nanswers:\n  M-1: 'yes'\n", encoding="utf-8")
    (tmp_path / "sites.yml").write_text("- {code: X, name: 某公司}\n", encoding="utf-8")
    r = run("checklist", "list", "--checklist-dir", str(tmp_path), "--json")
    assert r.exit_code == 0 and r.stderr == ""
    assert "test-minimal" in {row["id"] for row in r.json()}
    r = run("checklist", "validate", str(tmp_path))
    assert r.exit_code == 0 and r.stdout == f"{tmp_path / 'minimal.yaml'}: ok\n"
    (tmp_path / "broken.yaml").write_text("id: broken\nversion: 1\n", encoding="utf-8")  # a checklist, invalid: reported
    r = run("checklist", "list", "--checklist-dir", str(tmp_path), "--json")
    assert "broken.yaml" in r.stderr
