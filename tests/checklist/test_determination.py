"""One determination, one hazard: 10号令 第三条 once per visit, 第十三条（一） combined, 不适用 options."""
from __future__ import annotations

import pytest
import yaml
from builders import INSPECTOR_ARGS, SITE, answers, ledger_with_site
from cli.runner import invoke

TOXIC = {"toxic_gas_risk": True, "wood_dust": True}


@pytest.fixture
def setup(tmp_path):
    path = tmp_path / "ledger.json"
    ledger_with_site(path, today="2026-03-02", attributes=TOXIC)
    (tmp_path / "photo.png").write_bytes(b"\x89PNG\r\n\x1a\n1234")
    return tmp_path, str(path)


def _write(folder, name, doc):
    p = folder / name
    p.write_text(yaml.safe_dump(doc, allow_unicode=True), encoding="utf-8")
    return str(p)


def _run(path, ref, file, date="2026-03-02"):
    return invoke(["run", ref, "--site", SITE, *INSPECTOR_ARGS, "--answers", file, "--ledger", path,
                   "--today", date, "--json"])


def _site(extra=None):
    return {"code": SITE, "name": "x", "attributes": dict(TOXIC, **(extra or {}))}


# --- 第三条 once per visit -------------------------------------------------------------------

def test_article_3_is_asked_by_the_dust_run_and_not_again_by_the_limited_space_run_of_the_same_visit(setup):
    folder, path = setup
    dust = answers("dust-explosion", {"collectors": ["1号除尘系统"]}, {"GM10-3-2": {"evidence": ["photo.png"]}}, _site())
    assert {"GM10-3-1", "GM10-3-2", "GM10-3-3"} <= set(dust["answers"])
    r = _run(path, "dust-explosion", _write(folder, "dust.yaml", dust))
    assert r.exit_code == 0, r.stderr
    assert [h["item"] for h in r.json()["hazards"]] == ["GM10-3-2"]
    assert r.json()["hazards"][0]["severity"] == "major"

    space = answers("limited-space", {"entry": ["1号池"]}, {}, _site())
    for key in ("GM10-3-1", "GM10-3-2", "GM10-3-3"):
        space["answers"].pop(key)  # the same visit: not asked again
    r = _run(path, "limited-space", _write(folder, "space.yaml", space))
    assert r.exit_code == 0, r.stderr
    assert r.json()["hazards"] == []


def test_article_3_answered_twice_in_one_visit_is_ignored_not_doubled(setup):
    folder, path = setup
    dust = answers("dust-explosion", {"collectors": ["1号除尘系统"]}, {"GM10-3-2": {"evidence": ["photo.png"]}}, _site())
    assert _run(path, "dust-explosion", _write(folder, "dust.yaml", dust)).exit_code == 0
    space = answers("limited-space", {"entry": ["1号池"]}, {"GM10-3-2": {"evidence": ["photo.png"]}}, _site())
    r = _run(path, "limited-space", _write(folder, "space.yaml", space))
    assert r.exit_code == 0, r.stderr
    out = r.json()
    assert out["hazards"] == [] and "GM10-3-2" in out["ignored"]


def test_article_3_is_asked_again_on_another_day(setup):
    folder, path = setup
    dust = answers("dust-explosion", {"collectors": ["1号除尘系统"]}, {}, _site())
    assert _run(path, "dust-explosion", _write(folder, "dust.yaml", dust)).exit_code == 0
    space = answers("limited-space", {"entry": ["1号池"]}, {}, _site(), date="2026-03-09")
    space["answers"].pop("GM10-3-1")
    r = _run(path, "limited-space", _write(folder, "space.yaml", space), date="2026-03-09")
    assert r.exit_code == 4 and "GM10-3-1: unanswered applicable item" in r.stderr


def test_ls13_8b_is_not_asked_when_article_3_1_already_made_the_major_hazard(setup):
    folder, path = setup
    site = _site({"contracted_work": True})
    doc = answers("limited-space", {"entry": ["1号池"]}, {"GM10-3-1": {"evidence": ["photo.png"]}}, site)
    assert "LS13-8a" in doc["answers"] and "LS13-8b" not in doc["answers"]
    doc2 = answers("limited-space", {"entry": ["1号池"]}, {}, site)
    assert "LS13-8b" in doc2["answers"]


# --- 第十三条（一）: one determination, one hazard --------------------------------------------------

def test_13_1_both_facts_failing_make_one_major_hazard_not_three(setup):
    folder, path = setup
    doc = answers("limited-space", {"entry": ["1号池"]},
                  {"LS13-6": {"description": "未辨识有限空间，无台账", "evidence": ["photo.png"], "deadline": "2026-03-20"},
                   "LS13-11": {"description": "污水池入口无警示标志", "location": "1号池", "deadline": "2026-03-10"}}, _site())
    assert "GM10-13-1" not in doc["answers"]  # never answered by hand
    r = _run(path, "limited-space", _write(folder, "a.yaml", doc))
    assert r.exit_code == 0, r.stderr
    hazards = r.json()["hazards"]
    assert [(h["item"], h["severity"]) for h in hazards] == [("GM10-13-1", "major")]
    h = hazards[0]
    assert "未辨识有限空间，无台账" in h["description"] and "污水池入口无警示标志" in h["description"]
    assert h["deadline"] == "2026-03-10"  # the earliest deadline given
    shown = invoke(["hazard", "show", h["id"], "--ledger", path, "--json"]).json()
    assert len(shown["evidence"]) == 1 and shown["location"] == "1号池"


def test_13_1_one_fact_alone_is_a_general_hazard(setup):
    folder, path = setup
    doc = answers("limited-space", {"entry": ["1号池"]}, {"LS13-11": {}}, _site())
    r = _run(path, "limited-space", _write(folder, "a.yaml", doc))
    assert [(h["item"], h["severity"]) for h in r.json()["hazards"]] == [("LS13-11", "general")]


def test_13_1_without_poisoning_risk_stays_two_general_hazards(setup):
    folder, path = setup
    site = {"code": SITE, "name": "x", "attributes": {"toxic_gas_risk": False}}
    invoke(["site", "set", SITE, "--attr", "toxic_gas_risk=false", "--ledger", path, "--today", "2026-03-02"])
    doc = answers("limited-space", {"entry": ["1号池"]}, {"LS13-6": {}, "LS13-11": {}}, site)
    from inspect_cli.ledger import open_ledger
    led = open_ledger(path, today="2026-03-02")
    with led.write() as st:
        s = st.get("sites", SITE)
        s["attributes"]["toxic_gas_risk"] = False
        st.put("sites", SITE, s)
    r = _run(path, "limited-space", _write(folder, "a.yaml", doc))
    assert r.exit_code == 0, r.stderr
    assert sorted((h["item"], h["severity"]) for h in r.json()["hazards"]) == [("LS13-11", "general"), ("LS13-6", "general")]


def test_13_1_answered_by_hand_is_refused(setup):
    folder, path = setup
    doc = answers("limited-space", {"entry": ["1号池"]}, {}, _site())
    doc["answers"]["GM10-13-1"] = "no"
    r = _run(path, "limited-space", _write(folder, "a.yaml", doc))
    assert r.exit_code == 4
    assert "GM10-13-1: not answered by hand: it is decided from LS13-6 and LS13-11" in r.stderr


# --- "not applicable" options -----------------------------------------------------------------

def test_a_not_applicable_choice_option_is_recorded_and_counted_as_na():
    from builders import registry

    from inspect_cli.inspection.answers import interpret

    c = registry().get("dust-explosion")
    item = next(i for i in c.items() if any(o.value == "not_applicable" for o in i.options))
    assert interpret(item, "not_applicable") == ("not_applicable", "na")
    assert interpret(item, "不适用") == ("na", "na")
    passing = next(o.value for o in item.options if o.passes and not o.na)
    assert interpret(item, passing)[1] == "pass"


def test_every_bundled_not_applicable_option_is_marked_na():
    from builders import registry

    for c in registry().all():
        for i in c.items():
            for o in i.options:
                if "不适用" in o.text.zh:
                    assert o.na, (c.ref, i.id, o.value)


# --- gas tests whose applicability is unknown are asked ---------------------------------------

@pytest.mark.parametrize("attrs, asked", [({}, {"LS-GAS-H2S", "LS-GAS-CO"}),
                                          ({"h2s_risk": False}, {"LS-GAS-CO"}),
                                          ({"h2s_risk": False, "co_risk": False}, set()),
                                          ({"h2s_risk": True, "co_risk": False}, {"LS-GAS-H2S"})])
def test_h2s_and_co_tests_are_asked_unless_the_site_says_the_gas_cannot_occur(attrs, asked):
    site = {"code": SITE, "name": "x", "attributes": attrs}
    doc = answers("limited-space", {"entry": ["1号池"]}, {}, site)
    gas = {k.split("[")[0] for k in doc["answers"] if k.startswith(("LS-GAS-H2S", "LS-GAS-CO"))}
    assert gas == asked
