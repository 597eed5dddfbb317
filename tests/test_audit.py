"""The data-quality audit (inspect_cli.analysis.audit): each rule flags what it should and nothing else."""
from __future__ import annotations

import datetime as dt

import pytest

from builders import INSPECTORS, SITE, answers, inspect_dust, ledger_with_site, other_code, registry
from inspect_cli.analysis import audit
from inspect_cli.ledger import open_ledger

B, C = other_code(1), other_code(2)
NOTE = "现场检查发现除尘器灰斗下方积尘厚度超过五毫米，且当班未清扫"
PLAN = {"goals": "消除积尘", "measures": "每班清扫", "funds": "2万元", "responsible": "安全部 王某",
        "deadline": "2026-03-25", "safety": "清扫期间停止产尘作业"}


@pytest.fixture
def ledger(tmp_path):
    led = ledger_with_site(tmp_path / "ledger.json", today="2026-03-02")
    led.add_site({"code": B, "name": "乙公司", "industry": "机械", "attributes": {"wood_dust": True}})
    led.add_site({"code": C, "name": "丙公司", "industry": "机械", "attributes": {"wood_dust": True}})
    return led


def run(led, **kw):
    with led.read() as st:
        return audit.run(st, led.clock.today, **kw)


def kinds(result):
    return [f["kind"] for f in result["findings"]]


def on_spot(led, code, key, folder, **detail):
    """An inspection whose failure ``key`` is fixed on the spot, without the builders' photo."""
    c = registry().get("dust-explosion")
    doc = answers("dust-explosion", {"collectors": ["1号除尘系统"]}, {key: dict(detail, fixed_on_spot=True)},
                  led.site(code), led.clock.today.isoformat())
    return led.run_answers(c, code, INSPECTORS, "enforcement", doc, folder)


def test_clean_ledger_has_no_findings(ledger, tmp_path):
    inspect_dust(ledger, {"GM10-11-10": {}, "DP6-9": {}}, tmp_path)
    inspect_dust(ledger, {"GM10-11-10": {}, "DP6-9": {}, "GM10-11-3[1号除尘系统]": {}}, tmp_path, code=B)
    inspect_dust(ledger, {"GM10-11-3[1号除尘系统]": {}}, tmp_path, code=C)
    r = run(ledger)
    # the checklist's default finding texts repeat at every site by design: not flagged
    assert r["findings"] == []
    assert r["counts"] == dict.fromkeys(audit.KINDS, 0)
    assert r["checked"]["hazards"] == 6 and r["checked"]["inspections"] == 3
    assert r["checked"]["texts_compared"] == 0 and r["checked"]["checklists_unknown"] == []


def test_copied_note_across_sites_is_flagged(ledger, tmp_path):
    a = inspect_dust(ledger, {"GM10-11-10": {"note": NOTE}}, tmp_path)
    b = inspect_dust(ledger, {"GM10-11-10": {"note": NOTE.replace("五", "5")}}, tmp_path, code=B)
    inspect_dust(ledger, {"GM10-11-10": {"note": "作业现场地面积尘约三毫米，已要求企业立即清理并建立台账"}}, tmp_path, code=C)
    r = run(ledger)
    assert kinds(r) == ["copied_text"]
    f = r["findings"][0]
    assert f["sites"] == sorted([SITE, B])
    assert f["hazards"] == sorted([a["hazards"][0]["id"], b["hazards"][0]["id"]])
    assert f["exact"] is False and len(f["variants"]) == 2
    assert "2 different sites" in f["message"] and "similarity" in f["message"]


def test_copied_custom_description_is_flagged_exactly(ledger, tmp_path):
    text = "除尘系统风管多处破损漏风，粉尘外泄，企业未制定维修计划。"
    for code in (SITE, B, C):
        inspect_dust(ledger, {"DP6-9": {"description": "  " + text.replace("，", ", ")}}, tmp_path, code=code)
    r = run(ledger)
    assert kinds(r) == ["copied_text"]
    assert r["findings"][0]["exact"] is True and len(r["findings"][0]["sites"]) == 3


def test_same_text_at_one_site_or_short_text_is_not_flagged(ledger, tmp_path):
    inspect_dust(ledger, {"GM10-11-10": {"note": NOTE}, "DP6-9": {"note": NOTE}}, tmp_path)
    inspect_dust(ledger, {"GM10-11-10": {"note": "已责令整改"}}, tmp_path, code=B)
    inspect_dust(ledger, {"GM10-11-10": {"note": "已责令整改"}}, tmp_path, code=C)
    assert run(ledger)["findings"] == []


def test_different_texts_are_not_flagged(ledger, tmp_path):
    inspect_dust(ledger, {"GM10-11-10": {"note": NOTE}}, tmp_path)
    inspect_dust(ledger, {"GM10-11-10": {"note": "砂光机除尘管道内积尘，打开检修口可见大量木屑堆积"}}, tmp_path, code=B)
    assert run(ledger)["findings"] == []


def test_downgraded_major_item_is_flagged_with_reason(ledger, tmp_path):
    out = inspect_dust(ledger, {"GM10-11-10": {"severity": "general", "downgrade_reason": "积尘面积小，已清理一半"}},
                       tmp_path)
    r = run(ledger)
    assert kinds(r) == ["downgraded_major"]
    f = r["findings"][0]
    assert f["hazards"] == [out["hazards"][0]["id"]] and f["sites"] == [SITE]
    assert f["inspections"] == [out["inspection"]["id"]]
    assert f["downgrade_reason"] == "积尘面积小，已清理一半" and "积尘面积小" in f["message"]


def test_closed_without_evidence_and_with_evidence(ledger, tmp_path):
    out = inspect_dust(ledger, {"DP6-9": {}}, tmp_path)
    out_b = inspect_dust(ledger, {"DP6-9": {}}, tmp_path, code=B)
    bare, proven = out["hazards"][0]["id"], out_b["hazards"][0]["id"]
    ledger.fixed(bare, "已整改")
    ledger.fixed(proven, "已整改", (tmp_path / "photo.png",))
    later = open_ledger(ledger.path, today="2026-03-05")
    later.reinspect(bare, "pass", INSPECTORS, "合格")
    later.reinspect(proven, "pass", INSPECTORS, "合格")
    r = run(later)
    assert kinds(r) == ["closed_without_evidence"]
    assert r["findings"][0]["hazards"] == [bare]


def test_on_spot_closure_without_evidence_is_a_warning(ledger, tmp_path):
    out = on_spot(ledger, SITE, "DP6-9", tmp_path)
    r = run(ledger)
    assert kinds(r) == ["on_spot_without_evidence"]
    assert r["findings"][0]["level"] == "warning" and r["findings"][0]["hazards"] == [out["hazards"][0]["id"]]
    photo = tmp_path / "photo.png"
    photo.write_bytes(b"\x89PNG\r\n\x1a\n" + b"1" * 64)
    on_spot(ledger, B, "DP6-9", tmp_path, evidence=["photo.png"])
    assert kinds(run(ledger)) == ["on_spot_without_evidence"]  # the one with a photo is fine


def test_major_closed_without_plan(ledger, tmp_path):
    out = inspect_dust(ledger, {"GM10-11-10": {}}, tmp_path)
    out_b = inspect_dust(ledger, {"GM10-11-10": {}}, tmp_path, code=B)
    no_plan, planned = out["hazards"][0]["id"], out_b["hazards"][0]["id"]
    ledger.plan(planned, PLAN)
    for hid in (no_plan, planned):
        ledger.fixed(hid, "已整改", (tmp_path / "photo.png",))
    later = open_ledger(ledger.path, today="2026-03-10")
    for hid in (no_plan, planned):
        later.reinspect(hid, "pass", INSPECTORS, "合格", (tmp_path / "photo.png",))
    r = run(later)
    assert kinds(r) == ["major_closed_without_plan"]
    assert r["findings"][0]["hazards"] == [no_plan] and "治理方案" in r["findings"][0]["message"]


def test_enforcement_inspection_with_too_few_certified_inspectors(ledger, tmp_path):
    out = inspect_dust(ledger, {}, tmp_path)
    with ledger.write() as st:  # as a hand-edited or imported record would be
        for n, inspectors in enumerate(([{"name": "张伟", "cert": "1"}],
                                        [{"name": "张伟", "cert": "1"}, {"name": "李娜", "cert": "1"}],
                                        [{"name": "张伟", "cert": "1"}, {"name": "李娜", "cert": ""}])):
            rec = dict(out["inspection"], id=f"I-0000{n}-00000", inspectors=inspectors)
            st.put("inspections", rec["id"], rec)
        st.put("inspections", "I-SELF0-00000", dict(out["inspection"], id="I-SELF0-00000", kind="self",
                                                    inspectors=[{"name": "企业安全员", "cert": ""}]))
    r = run(ledger)
    assert kinds(r) == ["too_few_inspectors"] * 3
    assert sorted(i for f in r["findings"] for i in f["inspections"]) == [f"I-0000{n}-00000" for n in range(3)]
    assert all("two are required" in f["message"] for f in r["findings"])


def test_unknown_checklist_descriptions_are_not_compared(ledger, tmp_path):
    inspect_dust(ledger, {"DP6-9": {"description": NOTE}}, tmp_path)
    inspect_dust(ledger, {"DP6-9": {"description": NOTE}}, tmp_path, code=B)
    r = run(ledger, defaults=lambda *a: None)
    assert r["findings"] == [] and r["checked"]["checklists_unknown"] == ["dust-explosion@2"]
    assert kinds(run(ledger)) == ["copied_text"]


def test_default_description_detection():
    assert audit._is_default("未设置泄爆装置（设置但失效）", {"未设置泄爆装置"})
    assert audit._is_default(" 未设置泄爆装置。", {"未设置泄爆装置"})
    assert not audit._is_default("未设置泄爆装置，现场另有三处管道破损", {"未设置泄爆装置"})


def test_near_duplicate_search_is_bounded():
    hazards = [{"id": f"H-{i}", "site": f"S{i}", "checklist": "c", "checklist_version": 1, "item": "I",
                "description": "", "note": f"现场发现除尘器积尘严重且未清理，编号{i:05d}号"} for i in range(300)]
    findings, checked = audit.copied_texts(hazards, None, max_comparisons=50)
    assert checked["comparisons"] == 50 and checked["comparisons_truncated"] is True
    findings, checked = audit.copied_texts(hazards, None)
    assert not checked["comparisons_truncated"]
    assert len(findings) == 1 and len(findings[0]["sites"]) == 300
    # pairs of texts of very different length are never compared
    mixed = [dict(hazards[0], id="H-a", note="甲" * 20), dict(hazards[1], id="H-b", note="甲" * 40)]
    assert audit.copied_texts(mixed, None)[1]["comparisons"] == 0


def test_normalise_text():
    assert audit.normalise_text(" 积尘，严重。 ABC\t1 ") == audit.normalise_text("积尘严重abc1")
    assert audit.normalise_text("ＡＢＣ！") == "abc"


def test_audit_returns_the_findings_list(ledger, tmp_path):
    inspect_dust(ledger, {"GM10-11-10": {"severity": "general", "downgrade_reason": "轻微"}}, tmp_path)
    with ledger.read() as st:
        findings = audit.audit(st, dt.date(2026, 3, 2))
    assert [f["kind"] for f in findings] == ["downgraded_major"]
    assert set(findings[0]) >= {"kind", "level", "hazards", "inspections", "sites", "message"}


# --- only a determination standard makes a hazard major ----------------------------------------

def _rewrite(led, hazard_id, **fields):
    with led.write() as st:
        h = st.get("hazards", hazard_id)
        h.update(fields)
        st.put("hazards", hazard_id, h)


def test_a_major_hazard_citing_a_determination_standard_is_not_flagged(ledger, tmp_path):
    inspect_dust(ledger, {"GM10-11-10": {}}, tmp_path)
    assert "major_without_standard" not in kinds(run(ledger))


def test_a_major_hazard_whose_basis_is_only_a_regulation_is_flagged(ledger, tmp_path):
    out = inspect_dust(ledger, {"DP6-9": {}}, tmp_path)
    general = out["hazards"][0]
    # what an unchecked overlay used to produce: a 重大事故隐患 citing only 条例第十四条
    _rewrite(ledger, general["id"], severity="major", item_severity="major",
             basis=[{"source": "WHPTL", "title": "危险化学品安全管理条例", "clause": "第十四条", "kind": "regulation",
                     "citation": "《危险化学品安全管理条例》第十四条"}])
    r = run(ledger)
    found = [f for f in r["findings"] if f["kind"] == "major_without_standard"]
    assert [f["hazards"] for f in found] == [[general["id"]]]
    assert "cites no 重大事故隐患判定标准, only 《危险化学品安全管理条例》第十四条" in found[0]["message"]
    assert found[0]["level"] == "error" and r["counts"]["major_without_standard"] == 1


def test_an_old_record_without_kinds_is_judged_by_its_checklist(ledger, tmp_path):
    out = inspect_dust(ledger, {"GM10-11-10": {}, "DP6-9": {}}, tmp_path)
    by_item = {h["item"]: h for h in out["hazards"]}
    for h in by_item.values():  # records made before kinds were recorded
        _rewrite(ledger, h["id"], basis=[{k: v for k, v in b.items() if k != "kind"} for b in h["basis"]])
    _rewrite(ledger, by_item["DP6-9"]["id"], severity="major")
    found = [f for f in run(ledger)["findings"] if f["kind"] == "major_without_standard"]
    assert [f["hazards"] for f in found] == [[by_item["DP6-9"]["id"]]]


def test_an_answer_cannot_raise_a_general_item_to_major(ledger, tmp_path):
    from inspect_cli.errors import ValidationFailed

    with pytest.raises(ValidationFailed) as e:
        inspect_dust(ledger, {"DP6-9": {"severity": "major"}}, tmp_path)
    assert any("only a determination standard makes a hazard major" in p for p in e.value.problems)
