"""A forest and grassland fire finding is served as a 森林草原火灾隐患整改通知书 (822号 第三十三条)."""
from __future__ import annotations

import pytest
import yaml
from builders import INSPECTOR_ARGS, SITE, answers, ledger_with_site
from cli.runner import invoke

FOREST = {"forest_operator": True}


@pytest.fixture
def forest(tmp_path):
    path = tmp_path / "ledger.json"
    ledger_with_site(path, today="2026-03-02", attributes=FOREST)
    invoke(["config", "set", "org.code", "某林草", "--ledger", str(path)])
    invoke(["config", "set", "org.name", "某县林业和草原局", "--ledger", str(path)])
    doc = answers("forest-fire", {}, {"FGR-20a": {"location": "东山林场"}, "FGR-20c": {}},
                  {"code": SITE, "name": "x", "attributes": FOREST})
    f = tmp_path / "a.yaml"
    f.write_text(yaml.safe_dump(doc, allow_unicode=True), encoding="utf-8")
    r = invoke(["run", "forest-fire", "--site", SITE, *INSPECTOR_ARGS, "--answers", str(f), "--ledger", str(path),
                "--today", "2026-03-02", "--json"])
    assert r.exit_code == 0, r.stderr
    return tmp_path, str(path), r.json()["inspection"]


def _report(path, kind, subject, out, *extra):
    return invoke(["report", kind, subject, "--format", "md", "--out", str(out), "--ledger", path,
                   "--today", "2026-03-03", "--json", *extra])


def test_a_forest_finding_prints_as_a_forest_fire_hazard_notice_citing_article_33(forest):
    folder, path, iid = forest
    r = _report(path, "forest-notice", iid, folder / "n.md")
    assert r.exit_code == 0, r.stderr
    text = (folder / "n.md").read_text(encoding="utf-8")
    assert "# 森林草原火灾隐患整改通知书" in text
    assert "《森林草原防灭火条例》（国务院令第822号）第三十三条" in text
    assert "责令你单位于上列期限前消除上述火灾隐患" in text
    assert "责令限期整改指令书" not in text and "安全生产" not in text
    assert "东山林场" in text and "FGR-20a" in text and "FGR-20c" in text
    assert r.json()["number"] == "（某林草）林草火患〔2026〕1号"


def test_the_notice_has_its_own_number_sequence_and_keeps_its_number(forest):
    folder, path, iid = forest
    first = _report(path, "forest-notice", iid, folder / "n.md").json()["number"]
    again = _report(path, "forest-notice", iid, folder / "n2.md").json()["number"]
    assert first == again == "（某林草）林草火患〔2026〕1号"
    # a 安全生产 order at the same authority starts its own sequence at 1
    doc = answers("dust-explosion", {"collectors": ["1号"]}, {"DP6-9": {}},
                  {"code": SITE, "name": "x", "attributes": FOREST})
    f = folder / "dust.yaml"
    f.write_text(yaml.safe_dump(doc, allow_unicode=True), encoding="utf-8")
    dust = invoke(["run", "dust-explosion", "--site", SITE, *INSPECTOR_ARGS, "--answers", str(f), "--ledger", path,
                   "--today", "2026-03-02", "--json"]).json()["inspection"]
    assert _report(path, "order", dust, folder / "o.md").json()["number"] == "（某林草）应急责改〔2026〕1号"


def test_a_forest_inspection_is_not_printed_on_a_safety_order(forest):
    folder, path, iid = forest
    r = _report(path, "order", iid, folder / "o.md")
    assert r.exit_code == 9
    assert "森林草原火灾隐患整改通知书" in r.stderr and f"inspect report forest-notice {iid}" in r.stderr
    assert not (folder / "o.md").exists()


def test_a_safety_inspection_gets_no_forest_notice(tmp_path):
    path = tmp_path / "ledger.json"
    ledger_with_site(path, today="2026-03-02")
    doc = answers("dust-explosion", {"collectors": ["1号"]}, {"DP6-9": {}})
    f = tmp_path / "a.yaml"
    f.write_text(yaml.safe_dump(doc, allow_unicode=True), encoding="utf-8")
    iid = invoke(["run", "dust-explosion", "--site", SITE, *INSPECTOR_ARGS, "--answers", str(f), "--ledger", str(path),
                  "--today", "2026-03-02", "--json"]).json()["inspection"]
    r = _report(str(path), "forest-notice", iid, tmp_path / "n.md")
    assert r.exit_code == 9 and "only for forest and grassland fire inspections" in r.stderr


def test_the_html_notice_renders(forest):
    folder, path, iid = forest
    r = invoke(["report", "forest-notice", iid, "--out", str(folder / "n.html"), "--ledger", path, "--today", "2026-03-03"])
    assert r.exit_code == 0, r.stderr
    html = (folder / "n.html").read_text(encoding="utf-8")
    assert "<h1 class=\"doc-title\">森林草原火灾隐患整改通知书</h1>" in html and "某县林业和草原局" in html


def test_a_forest_self_inspection_has_no_notice(forest):
    """自查 is the enterprise's own record: no authority's 整改通知书 is served on it (as for an order)."""
    folder, path, _ = forest
    doc = answers("forest-fire", {}, {"FGR-20a": {"location": "东山林场"}}, {"code": SITE, "name": "x", "attributes": FOREST})
    f = folder / "self.yaml"
    f.write_text(yaml.safe_dump(doc, allow_unicode=True), encoding="utf-8")
    r = invoke(["run", "forest-fire", "--site", SITE, "--kind", "self", "--inspector", "王五", "--answers", str(f),
                "--ledger", path, "--today", "2026-03-02", "--json"])
    assert r.exit_code == 0, r.stderr
    r = _report(path, "forest-notice", r.json()["inspection"], folder / "s.md")
    assert r.exit_code == 9 and "self-inspection" in r.stderr and not (folder / "s.md").exists()
