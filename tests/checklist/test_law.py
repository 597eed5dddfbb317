"""The law in force on the inspection date: legal status of sources, refusal, back-dated entry,
and the rule that only a determination standard makes a hazard major."""
from __future__ import annotations

import datetime as dt
import textwrap

import pytest
import yaml
from builders import INSPECTOR_ARGS, SITE, answers, ledger_with_site
from cli.runner import invoke

from inspect_cli.checklist.loader import problems_of
from inspect_cli.checklist.registry import Registry

from .helpers import GOOD, REPO, resolver

FOREST_SITE = {"forest_operator": True, "grassland_operator": False}


@pytest.fixture
def forest(tmp_path):
    path = tmp_path / "ledger.json"
    ledger_with_site(path, today="2025-06-01", attributes=FOREST_SITE)
    return tmp_path, str(path)


def _answers(folder, ref, date, fail=None):
    doc = answers(ref, {}, fail or {}, site={"code": SITE, "name": "x", "attributes": FOREST_SITE}, date=date)
    p = folder / f"answers-{date}.yaml"
    p.write_text(yaml.safe_dump(doc, allow_unicode=True), encoding="utf-8")
    return str(p)


def _run(path, ref, answers_file, date):
    return invoke(["run", ref, "--site", SITE, *INSPECTOR_ARGS, "--answers", answers_file, "--ledger", path,
                   "--today", date, "--json"])


# --- refusal and back-dated entry ---------------------------------------------------------

def test_run_refuses_a_checklist_citing_a_source_repealed_before_the_inspection_date(forest):
    folder, path = forest
    file = _answers(folder, "forest-fire@1", "2026-03-02")
    before = (folder / "ledger.json").read_bytes()
    r = _run(path, "forest-fire@1", file, "2026-03-02")
    assert r.exit_code == 1
    assert "forest-fire@1 cannot be used for an inspection dated 2026-03-02" in r.stderr
    assert "《森林防火条例》（中华人民共和国国务院令第541号） was repealed on 2026-01-01" in r.stderr
    assert "replaced by 《森林草原防灭火条例》（中华人民共和国国务院令第822号）" in r.stderr
    assert "Use forest-fire@2" in r.stderr
    assert "Traceback" not in r.stderr
    assert (folder / "ledger.json").read_bytes() == before


def test_run_refuses_a_version_whose_law_is_not_yet_in_force(forest):
    folder, path = forest
    r = _run(path, "forest-fire@2", _answers(folder, "forest-fire@2", "2025-06-01"), "2025-06-01")
    assert r.exit_code == 1
    assert "is in force only from 2026-01-01" in r.stderr and "Use forest-fire@1" in r.stderr


def test_back_dated_entry_uses_the_version_in_force_then_and_records_it(forest):
    folder, path = forest
    r = _run(path, "forest-fire", _answers(folder, "forest-fire@1", "2025-06-01", {"FFR-20a": {}}), "2025-06-01")
    assert r.exit_code == 0, r.stderr
    out = r.json()
    assert out["checklist"] == "forest-fire" and out["checklist_version"] == 1
    assert [h["item"] for h in out["hazards"]] == ["FFR-20a"]
    assert "国务院令第541号" in out["hazards"][0]["basis"][0]["citation"]


def test_a_bare_id_on_a_current_date_runs_the_822_version(forest):
    folder, path = forest
    r = _run(path, "forest-fire", _answers(folder, "forest-fire@2", "2026-03-02", {"FGR-20a": {}}), "2026-03-02")
    assert r.exit_code == 0, r.stderr
    out = r.json()
    assert out["checklist_version"] == 2
    assert "国务院令第822号" in out["hazards"][0]["basis"][0]["citation"]
    shown = invoke(["inspection", "show", out["inspection"], "--ledger", path, "--json"])
    if shown.exit_code == 0:  # records keep their checklist id and version
        assert shown.json()["checklist_version"] == 2


def test_a_user_checklist_citing_a_repealed_source_is_refused_and_validate_warns(tmp_path):
    folder = tmp_path / "lists"
    folder.mkdir()
    text = (GOOD / "minimal.yaml").read_text(encoding="utf-8")
    text = text.replace("id: test-minimal", "id: test-repealed").replace(
        "    in_force: \"2021\"\n", "    in_force: \"2021\"\n    repealed: 2026-02-01\n"
        "    superseded_by: {title: 测试新规定, number: 测试令第2号}\n")
    (folder / "repealed.yaml").write_text(text, encoding="utf-8")
    r = invoke(["checklist", "validate", str(folder / "repealed.yaml"), "--today", "2026-02-01"])
    assert r.exit_code == 0
    assert "warning: source GEN 《测试安全规定》 was repealed on 2026-02-01; replaced by 《测试新规定》（测试令第2号）" in r.stdout
    r = invoke(["checklist", "validate", str(folder / "repealed.yaml"), "--today", "2026-01-31"])
    assert "warning" not in r.stdout
    listed = {row["ref"]: row for row in invoke(["checklist", "list", "--checklist-dir", str(folder), "--json",
                                                 "--today", "2026-02-01"]).json()}
    assert listed["test-repealed@1"]["status"] == "cites_repealed"
    assert listed["test-repealed@1"]["status_detail"] == [
        "《测试安全规定》 was repealed on 2026-02-01; replaced by 《测试新规定》（测试令第2号）"]


def test_checklist_list_shows_each_checklists_status_on_the_date():
    on_2026 = {r["ref"]: r["status"] for r in invoke(["checklist", "list", "--json", "--today", "2026-03-02"]).json()}
    assert on_2026["forest-fire@1"] == "cites_repealed" and on_2026["forest-fire@2"] == "in_force"
    on_2025 = {r["ref"]: r["status"] for r in invoke(["checklist", "list", "--json", "--today", "2025-06-01"]).json()}
    assert on_2025["forest-fire@1"] == "in_force" and on_2025["forest-fire@2"] == "not_yet_in_force"
    table = invoke(["checklist", "list", "--today", "2026-03-02"], env={"COLUMNS": "250"}).stdout
    rows = [line for line in table.splitlines() if "forest-fire" in line]
    assert "引用已废止的法规" in rows[0] and "现行有效" in rows[1]


def test_show_forest_fire_cites_822_and_no_source_repealed_on_today():
    d = invoke(["checklist", "show", "forest-fire", "--json", "--today", "2026-03-02"]).json()
    assert d["ref"] == "forest-fire@2" and d["status"] == "in_force"
    assert any(s["number"] == "中华人民共和国国务院令第822号" for s in d["sources"])
    assert all(s["repealed"] is None for s in d["sources"])
    cited = {b["source"] for s in d["sections"] for i in s["items"] for b in i["basis"]}
    assert "FGR" in cited and all(i["severity"] == "general" for s in d["sections"] for i in s["items"])


# --- bundled sources ---------------------------------------------------------------------

def test_every_source_cited_by_the_current_bundled_checklists_is_in_force_today():
    today = dt.date.today()
    reg = Registry.discover()
    for cid in sorted({i for i, _ in reg.entries}):
        c = reg.get(cid, on=today)
        for s in c.cited_sources():
            assert not s.repealed or dt.date.fromisoformat(s.repealed) > today, (c.ref, s.key, s.repealed)
        assert c.legal_problems(today) == [], c.ref


def test_every_bundled_source_declares_its_kind_and_in_force_date():
    for c in Registry.discover().all():
        for s in c.sources.values():
            assert s.kind in ("law", "regulation", "rule", "determination-standard", "standard", "local"), (c.ref, s.key)
            assert s.in_force, (c.ref, s.key)


def test_every_major_item_of_every_bundled_version_cites_a_determination_standard():
    for c in Registry.discover().all():
        for i in c.items():
            if i.severity == "major":
                assert any(b.source.kind == "determination-standard" for b in i.basis), (c.ref, i.id)
                assert i.basis[0].source.kind == "determination-standard", (c.ref, i.id)


def test_the_repealed_541_version_is_marked_and_the_822_version_says_there_is_no_determination_standard():
    reg = Registry.discover()
    old, new = reg.get("forest-fire@1"), reg.get("forest-fire")
    assert new.version == 2
    ffr = old.sources["FFR"]
    assert ffr.repealed == "2026-01-01" and ffr.superseded_by == ("森林草原防灭火条例", "中华人民共和国国务院令第822号")
    assert "无国家层面森林草原火灾重大事故隐患判定标准" in new.sources["FGR"].note
    assert {"fire_season_start", "fire_season_end", "high_fire_start", "high_fire_end"} <= set(new.parameters)
    articles = {b.clause[:b.clause.index("条") + 1] for i in new.items() for b in i.basis if b.source.key == "FGR"}
    assert {"第二十条", "第二十一条", "第二十二条", "第二十三条", "第二十五条", "第二十七条", "第二十八条", "第二十九条",
            "第三十条", "第三十一条", "第三十三条", "第三十四条", "第四十一条"} <= articles
    assert any(b.source.key == "FL" and b.clause.startswith("第三十四条") for i in new.items() for b in i.basis)


# --- only a determination standard makes a hazard major ------------------------------------

def _overlay(tmp_path, body: str):
    head = textwrap.dedent("""\
        id: local
        version: 1
        extends: test-minimal@1
        title: 本地
        domain: dust_explosion
        applies_to: {description: 本地}
        """)
    p = tmp_path / "o.yaml"
    p.write_text(head + textwrap.dedent(body), encoding="utf-8")
    return problems_of(p, resolver())


def test_an_overlay_cannot_raise_a_general_item_to_major_on_a_rule_alone(tmp_path):
    problems, _ = _overlay(tmp_path, """\
        override:
          - {item: G-1, severity: major}
        """)
    assert len(problems) == 1
    assert "item G-1 is general in test-minimal@1: an overlay may raise it to major only with a basis citing a " \
           "重大事故隐患判定标准 (a source of kind: determination-standard)" in problems[0]


def test_an_overlay_basis_citing_a_rule_does_not_make_an_item_major(tmp_path):
    problems, _ = _overlay(tmp_path, """\
        override:
          - {item: G-1, severity: major, basis: {source: GEN, clause: 第十四条}}
        """)
    assert len(problems) == 1 and "only with a basis citing a 重大事故隐患判定标准" in problems[0]


def test_an_overlay_raises_an_item_to_major_with_a_determination_standard_basis(tmp_path):
    problems, c = _overlay(tmp_path, """\
        sources:
          - {key: LOCALD, title: 某省重大事故隐患判定细则, kind: determination-standard, in_force: 2025-01-01}
        override:
          - {item: G-1, severity: major, basis: {source: LOCALD, clause: 第五条}}
        """)
    assert problems == []
    item = c.item("G-1")
    assert item.severity == "major" and item.basis[0].source.key == "LOCALD"


MAJOR_NUMBER_BASE = """\
id: base-store
version: 1
title: 仓库
domain: hazardous_chemicals
applies_to: {description: 仓库}
sources:
  - {key: DET, title: 判定标准, kind: determination-standard, in_force: 2020-01-01}
  - {key: REG, title: 条例, kind: regulation, in_force: 2020-01-01}
sections:
  - id: store
    title: 储存
    items:
      - id: D-1
        text: 储存量不超过核定量
        basis: {source: DET, clause: 第九条}
        severity: major
        type: number
        unit: "%"
        pass: {max: 100}
"""


@pytest.mark.parametrize("basis, ok", [("", False), (", basis: {source: REG, clause: 第二十四条}", False),
                                       (", basis: {source: DET, clause: 第十条}", True)])
def test_an_overlay_tightens_a_major_items_range_only_with_a_determination_standard(tmp_path, basis, ok):
    (tmp_path / "base.yaml").write_text(MAJOR_NUMBER_BASE, encoding="utf-8")
    p = tmp_path / "overlay.yaml"
    p.write_text(textwrap.dedent(f"""\
        id: store-local
        version: 1
        extends: base-store@1
        title: 本地
        domain: hazardous_chemicals
        applies_to: {{description: 本地}}
        override:
          - {{item: D-1, pass: {{max: 90}}{basis}}}
        """), encoding="utf-8")
    problems, c = problems_of(p, Registry.discover([tmp_path]).resolver())
    if ok:
        assert problems == [] and c.item("D-1").pass_range.max == 90
    else:
        assert len(problems) == 1
        assert "item D-1 is major in base-store@1: a tighter range would make more answers a 重大事故隐患" in problems[0]


def test_kind_and_the_older_major_standard_flag_must_agree(tmp_path):
    text = (GOOD / "minimal.yaml").read_text(encoding="utf-8").replace(
        "    major_standard: false\n", "    major_standard: true\n    kind: rule\n", 1)
    p = tmp_path / "c.yaml"
    p.write_text(text, encoding="utf-8")
    problems, _ = problems_of(p, resolver())
    assert any("major_standard: true contradicts kind: rule" in x for x in problems)


def test_a_repealed_date_must_follow_in_force_and_superseded_by_needs_it(tmp_path):
    text = (GOOD / "minimal.yaml").read_text(encoding="utf-8").replace(
        "    in_force: \"2021\"\n", "    in_force: \"2021\"\n    repealed: \"2020\"\n", 1)
    p = tmp_path / "c.yaml"
    p.write_text(text, encoding="utf-8")
    problems, _ = problems_of(p, resolver())
    assert any("repealed 2020 is not after in_force 2021" in x for x in problems)
    text2 = (GOOD / "minimal.yaml").read_text(encoding="utf-8").replace(
        "    in_force: \"2021\"\n", "    in_force: \"2021\"\n    superseded_by: {title: 新规定}\n", 1)
    p.write_text(text2, encoding="utf-8")
    problems, _ = problems_of(p, resolver())
    assert any("superseded_by needs the date the source was repealed" in x for x in problems)


def test_bundled_forest_files_parse():
    assert (REPO / "checklists" / "forest-fire-541.yaml").is_file()


# --- hazardous chemicals re-cited to the 危险化学品安全法 ---------------------------------------

def test_hazardous_chemicals_cites_the_law_where_the_obligation_moved_and_keeps_the_20_majors():
    reg = Registry.discover()
    v2, v1 = reg.get("hazardous-chemicals@2"), reg.get("hazardous-chemicals@1")
    law = v2.sources["WHPL"]
    assert (law.kind, law.in_force, law.number) == ("law", "2026-05-01", "中华人民共和国主席令第六十四号")
    moved = {"HCG-11": "第三十七条", "HCG-12": "第三十七条", "HCG-13": "第三十七条", "HCG-14": "第四十一条",
             "HCG-15": "第四十一条", "HCG-16": "第四十二条", "HCG-17": "第四十一条", "HCG-18": "第三十一条"}
    for iid, article in moved.items():
        b = v2.item(iid).basis[0]
        assert b.source.key == "WHPL" and b.clause.startswith(article), iid
        assert article in v2.item(iid).finding_text.zh
    assert not any(b.source.title == "危险化学品安全管理条例" for i in v2.items() for b in i.basis)
    assert sum(1 for i in v2.items() if i.severity == "major") == sum(1 for i in v1.items() if i.severity == "major")
    assert "AQ 3067—2026" in v2.sources["HC121"].note and "53" in v2.sources["HC121"].note


def test_hazardous_chemicals_before_the_law_uses_version_1():
    reg = Registry.discover()
    assert reg.get("hazardous-chemicals", on=dt.date(2026, 4, 30)).version == 1
    assert reg.get("hazardous-chemicals", on=dt.date(2026, 5, 1)).version == 2
