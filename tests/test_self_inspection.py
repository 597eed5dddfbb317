"""自查自改自报 and the inspection kinds: self-inspections make hazards without 执法文书."""
from __future__ import annotations

import pytest
import yaml

from builders import SITE, answers, failing, ledger_with_site, other_code, registry
from cli.runner import invoke
from inspect_cli.inspection.kinds import KIND_NAMES, KINDS, kind_name, prior_notice
from inspect_cli.ledger import open_ledger


def test_the_kinds_of_the_issue_are_the_one_list():
    assert [KIND_NAMES[k][0] for k in KINDS] == ["执法检查", "双随机", "专项", "回头看", "暗访暗查", "自查", "举报核查"]
    assert kind_name("lookback", "en") == "look-back" and kind_name("old-kind") == "old-kind"
    assert prior_notice("enforcement") and not prior_notice("unannounced")


@pytest.fixture
def self_run(tmp_path):
    path = tmp_path / "ledger.json"
    led = ledger_with_site(path, today="2026-03-02")
    led.set_setting("org.name", "某某市应急管理局")
    c = registry().get("dust-explosion")
    item = next(i for s in c.sections for i in s.items if i.severity == "general" and not s.repeat)
    doc = answers("dust-explosion", {"collectors": ["1号"]}, {item.id: {"answer": failing(item)}}, led.site(SITE))
    f = tmp_path / "answers.yaml"
    f.write_text(yaml.safe_dump(doc, allow_unicode=True), encoding="utf-8")
    r = invoke(["run", "dust-explosion", "--site", SITE, "--kind", "self", "--inspector", "王建国", "--answers", str(f),
                "--ledger", str(path), "--today", "2026-03-02", "--json"])
    assert r.exit_code == 0, r.stderr
    return tmp_path, str(path), r.json()


def test_a_self_inspection_makes_hazards_but_no_enforcement_documents(self_run):
    folder, path, run = self_run
    assert len(run["hazards"]) == 1
    h, _ = open_ledger(path).hazard(run["hazards"][0]["id"])
    assert h["kind"] == "self" and h["inspectors"] == [{"name": "王建国", "cert": ""}]
    for kind in ("record", "order"):
        r = invoke(["report", kind, run["inspection"], "--format", "md", "--out", str(folder / f"{kind}.md"),
                    "--ledger", path, "--today", "2026-03-03"])
        assert r.exit_code == 9 and "self-inspection (自查)" in r.stderr and "selfcheck" in r.stderr
        assert not (folder / f"{kind}.md").exists()
    out = folder / "self.md"
    r = invoke(["report", "selfcheck", run["inspection"], "--format", "md", "--out", str(out), "--ledger", path,
                "--today", "2026-03-03"])
    assert r.exit_code == 0, r.stderr
    text = out.read_text(encoding="utf-8")
    assert "# 隐患排查治理记录" in text and "某某木业有限公司" in text and "不是执法文书" in text
    assert "某某市应急管理局" not in text and "文书编号" not in text  # the enterprise's record, unnumbered
    html = folder / "self.html"
    assert invoke(["report", "selfcheck", run["inspection"], "--out", str(html), "--ledger", path]).exit_code == 0
    assert "隐患排查治理记录" in html.read_text(encoding="utf-8")


def test_selfcheck_refuses_an_enforcement_inspection(tmp_path):
    from builders import inspect_dust

    path = tmp_path / "ledger.json"
    led = ledger_with_site(path)
    run = inspect_dust(led, {}, tmp_path)
    r = invoke(["report", "selfcheck", run["inspection"]["id"], "--ledger", str(path), "--out", str(tmp_path / "x.md"),
                "--format", "md"])
    assert r.exit_code == 9 and "not a self-inspection" in r.stderr


def test_stats_self_reporting_lists_sites_at_zero(self_run):
    folder, path, run = self_run
    led = open_ledger(path, today="2026-03-02")
    led.add_site({"code": other_code(3), "name": "从不自查", "risk_class": "B"})
    r = invoke(["stats", "--self-reporting", "--months", "3", "--ledger", path, "--today", "2026-05-01", "--json"])
    assert r.exit_code == 0, r.stderr
    data = r.json()
    assert data["since"] == "2026-02-02" and data["until"] == "2026-05-01"
    assert [s["code"] for s in data["sites"]] == [other_code(3)]  # SITE self-reported a hazard in the window
    later = invoke(["stats", "--self-reporting", "--months", "1", "--ledger", path, "--today", "2026-05-01", "--json"])
    assert sorted(s["code"] for s in later.json()["sites"]) == sorted([SITE, other_code(3)])
    assert next(s for s in later.json()["sites"] if s["code"] == SITE)["last_self_report"] == "2026-03-02"
    table = invoke(["stats", "--self-reporting", "--ledger", path, "--today", "2026-05-01"])
    assert table.exit_code == 0 and "从不自查" in table.stdout
    assert invoke(["stats", "--months", "3", "--ledger", path]).exit_code == 2
    assert invoke(["stats", "--self-reporting", "--since", "2026-01-01", "--ledger", path]).exit_code == 2


def test_unannounced_records_no_prior_notice(tmp_path):
    from builders import INSPECTORS

    path = tmp_path / "ledger.json"
    led = ledger_with_site(path)
    doc = answers("dust-explosion", {"collectors": ["1号"]}, {}, led.site(SITE))
    rec = led.run_answers(registry().get("dust-explosion"), SITE, INSPECTORS, "unannounced", doc, tmp_path)["inspection"]
    assert rec["kind"] == "unannounced" and rec["prior_notice"] is False
    out = tmp_path / "record.md"
    assert invoke(["report", "record", rec["id"], "--format", "md", "--out", str(out), "--ledger", str(path)]).exit_code == 0
    assert "暗访暗查" in out.read_text(encoding="utf-8")


def test_self_reports_reach_the_bureau_through_a_bundle(self_run):
    folder, enterprise, run = self_run
    bureau = folder / "bureau.json"
    led = ledger_with_site(bureau, today="2026-03-01")
    before = invoke(["stats", "--self-reporting", "--months", "3", "--ledger", str(bureau), "--today", "2026-04-01",
                     "--json"]).json()
    assert [s["code"] for s in before["sites"]] == [SITE]
    assert invoke(["export", "--out", str(folder / "self.zip"), "--ledger", enterprise]).exit_code == 0
    assert invoke(["import", str(folder / "self.zip"), "--ledger", str(bureau)]).exit_code == 0
    after = invoke(["stats", "--self-reporting", "--months", "3", "--ledger", str(bureau), "--today", "2026-04-01",
                    "--json"]).json()
    assert after["sites"] == []
    assert led.inspection(run["inspection"])["kind"] == "self"
