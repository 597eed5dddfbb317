"""专项整治: a campaign file, inspections tagged with it, and its report's targets and gate."""
from __future__ import annotations

import textwrap

import pytest
import yaml

from builders import INSPECTOR_ARGS, SITE, answers, failing, ledger_with_site, other_code, registry
from cli.runner import invoke
from inspect_cli.ledger import open_ledger

OTHER = other_code(1)
CAMPAIGN = textwrap.dedent(f"""\
    id: dust-2026
    title: 粉尘涉爆企业专项整治
    start: 2026-03-01
    end: 2026-06-30
    domain: dust_explosion
    checklist: dust-explosion
    sites: [{SITE}, {OTHER}]
    targets:
      - gate: coverage>=100%
        by: 2026-04-30
      - major_closure_rate>=90%
    """)


@pytest.fixture
def setup(tmp_path):
    path = tmp_path / "ledger.json"
    led = ledger_with_site(path, today="2026-03-01")
    led.add_site({"code": OTHER, "name": "某某铝业", "industry": "金属制品", "attributes": {"al_mg_dust": True}})
    led.add_site({"code": other_code(2), "name": "不在专项", "industry": "木材加工", "attributes": {"wood_dust": True}})
    f = tmp_path / "campaign.yaml"
    f.write_text(CAMPAIGN, encoding="utf-8")
    return tmp_path, str(path), str(f)


def cmd(path, *args, today="2026-03-02"):
    return invoke([*args, "--ledger", path, "--today", today])


def run_under(folder, path, site, today, fail=None, *extra):
    led = open_ledger(path, today=today)
    doc = answers("dust-explosion", {"collectors": ["1号除尘系统"]}, fail or {}, led.site(site), today)
    (folder / "photo.png").write_bytes(b"\x89PNG\r\n\x1a\n" + b"0" * 64)
    f = folder / f"answers-{site}-{today}.yaml"
    f.write_text(yaml.safe_dump(doc, allow_unicode=True), encoding="utf-8")
    return invoke(["run", "dust-explosion", "--site", site, *INSPECTOR_ARGS, "--answers", str(f), "--ledger", path,
                   "--today", today, "--json", *extra])


def test_start_tag_status_and_report_gate(setup):
    folder, path, f = setup
    r = cmd(path, "campaign", "start", f)
    assert r.exit_code == 0, r.stderr
    assert "2 target site(s)" in r.stdout
    assert cmd(path, "campaign", "start", f).exit_code == 0  # the same file again: nothing changes
    c = registry().get("dust-explosion")
    major = next(i for s in c.sections for i in s.items if i.severity == "major" and not s.repeat)
    ran = run_under(folder, path, SITE, "2026-03-02", {major.id: {"answer": failing(major), "evidence": ["photo.png"]}},
                    "--campaign", "dust-2026")
    assert ran.exit_code == 0, ran.stderr
    ins = open_ledger(path).inspection(ran.json()["inspection"])
    assert ins["campaign"] == "dust-2026" and ins["kind"] == "special"  # a campaign's visit is 专项 by default
    s = cmd(path, "campaign", "status", "dust-2026", "--json").json()
    assert s["metrics"]["coverage"] == 0.5 and s["metrics"]["major_hazards"] == 1
    assert [t["verdict"] for t in s["targets"]] == ["pending", "pending"]
    assert s["not_inspected"] == [{"code": OTHER, "name": "某某铝业"}]
    # before the target's date nothing is missed; after it, coverage 50 % misses 100 % and the gate exits 1
    assert cmd(path, "campaign", "report", "dust-2026", "--gate", today="2026-04-29").exit_code == 0
    late = cmd(path, "campaign", "report", "dust-2026", "--gate", today="2026-05-02")
    assert late.exit_code == 1 and "target missed: coverage>=100% by 2026-04-30" in late.stderr
    assert cmd(path, "campaign", "report", "dust-2026", today="2026-05-02").exit_code == 0  # no --gate: a report only
    r = cmd(path, "campaign", "report", "dust-2026", "--extra-gate", "inspections>=1", "--json", today="2026-03-02")
    assert r.exit_code == 0 and r.json()["targets"][-1]["verdict"] == "met"
    assert cmd(path, "campaign", "report", "dust-2026", "--extra-gate", "hazards==0", today="2026-03-02").exit_code == 1
    table = cmd(path, "campaign", "report", "dust-2026", today="2026-03-02")
    assert "主要问题 Findings by item" in table.stdout and major.id in table.stdout
    doc = folder / "campaign.md"
    r = cmd(path, "report", "campaign", "dust-2026", "--format", "md", "--out", str(doc), today="2026-05-02")
    assert r.exit_code == 0, r.stderr
    text = doc.read_text(encoding="utf-8")
    assert "# 专项整治情况报告" in text and "目标单位2家，已检查1家（覆盖率50.0%）" in text
    assert "| 2026年4月30日 | 50.0% | 未达成 ⚠ |" in text and "- 某某铝业（" in text
    assert cmd(path, "report", "campaign", "nope", "--out", str(folder / "x.html")).exit_code == 3


def test_coverage_met_in_time_passes(setup):
    folder, path, f = setup
    cmd(path, "campaign", "start", f)
    for site in (SITE, OTHER):
        assert run_under(folder, path, site, "2026-04-01", None, "--campaign", "dust-2026").exit_code == 0
    r = cmd(path, "campaign", "report", "dust-2026", "--gate", "--json", today="2026-05-02")
    assert r.exit_code == 0
    assert r.json()["targets"][0]["verdict"] == "met" and r.json()["targets"][0]["actual"] == 1.0


def test_runs_outside_the_campaign_are_refused(setup):
    folder, path, f = setup
    cmd(path, "campaign", "start", f)
    before = open(path, encoding="utf-8").read()
    r = run_under(folder, path, other_code(2), "2026-03-02", None, "--campaign", "dust-2026")
    assert r.exit_code == 2 and "not a target of campaign dust-2026" in r.stderr
    r = run_under(folder, path, SITE, "2026-07-02", None, "--campaign", "dust-2026")
    assert r.exit_code == 5 and "runs from 2026-03-01 to 2026-06-30" in r.stderr
    r = run_under(folder, path, SITE, "2026-03-02", None, "--campaign", "nope")
    assert r.exit_code == 3 and "no campaign 'nope'" in r.stderr
    assert open(path, encoding="utf-8").read() == before


@pytest.mark.parametrize("text, words", [
    ("- just a list", "is a mapping"),
    ("id: x\ntitle: t\nstart: 2026-03-01\nend: 2026-02-01\nsites: [a]\ntargets: [coverage>=1]", "is before start"),
    ("id: x\ntitle: t\nstart: 2026-03-01\nend: 2026-04-01\nsites: [a]\ntargets: [coverag>=1]", "did you mean coverage"),
    ("id: x\ntitle: t\nstart: 2026-03-01\nend: 2026-04-01\nsites: [a]\ntargets: ['coverage=>1']", "operators are"),
    ("id: x\ntitle: t\nstart: soon\nend: 2026-04-01\nsites: [a]\ntargets: [coverage>=1]", "start must be a date"),
    ("id: 'x y'\ntitle: t\nstart: 2026-03-01\nend: 2026-04-01\nsites: {who: all}\ntargets: [coverage>=1]", "sites must be"),
    ("id: x\ntitle: t\nstart: 2026-03-01\nend: 2026-04-01\nsites: [a]\ntargets: [coverage>=1]\nowner: me", "unknown key"),
    ("id: x\ntitle: t\nstart: 2026-03-01\nend: 2026-04-01\nsites: [a]\ntargets:\n  - {gate: coverage>=1, by: 2027-01-01}",
     "outside the campaign"),
    ("a: &a [*a, *a]\n", ""),
])
def test_bad_campaign_files_exit_4_and_change_nothing(setup, text, words):
    folder, path, _ = setup
    bad = folder / "bad.yaml"
    bad.write_text(text, encoding="utf-8")
    before = open(path, encoding="utf-8").read()
    r = cmd(path, "campaign", "start", str(bad))
    assert r.exit_code == 4, (r.stdout, r.stderr)
    assert words in r.stderr
    assert open(path, encoding="utf-8").read() == before


def test_unknown_sites_checklist_and_id_reuse(setup):
    folder, path, f = setup
    other = folder / "other.yaml"
    other.write_text(CAMPAIGN.replace(OTHER, other_code(5)), encoding="utf-8")
    r = cmd(path, "campaign", "start", str(other))
    assert r.exit_code == 3 and "not in the ledger" in r.stderr
    nochk = folder / "nochk.yaml"
    nochk.write_text(CAMPAIGN.replace("checklist: dust-explosion", "checklist: no-such-list"), encoding="utf-8")
    assert cmd(path, "campaign", "start", str(nochk)).exit_code == 3
    assert cmd(path, "campaign", "start", f).exit_code == 0
    changed = folder / "changed.yaml"
    changed.write_text(CAMPAIGN.replace("粉尘涉爆企业专项整治", "另一个专项"), encoding="utf-8")
    r = cmd(path, "campaign", "start", str(changed))
    assert r.exit_code == 5 and "already started" in r.stderr
    where = folder / "where.yaml"
    where.write_text(CAMPAIGN.replace("id: dust-2026", "id: wood").replace(f"sites: [{SITE}, {OTHER}]",
                                                                          "sites:\n  where: {wood_dust: true}"),
                     encoding="utf-8")
    rec = cmd(path, "campaign", "start", str(where), "--json").json()
    assert rec["sites"] == sorted([SITE, other_code(2)])
    assert [c["id"] for c in cmd(path, "campaign", "list", "--json").json()] == ["dust-2026", "wood"]


from hypothesis import given, settings, strategies as st  # noqa: E402

from inspect_cli.campaign.model import parse  # noqa: E402
from inspect_cli.errors import ValidationFailed  # noqa: E402

_scalar = st.one_of(st.none(), st.booleans(), st.integers(), st.floats(allow_nan=True), st.text(max_size=12),
                    st.dates().map(lambda d: d.isoformat()))
_value = st.recursive(_scalar, lambda inner: st.one_of(st.lists(inner, max_size=3),
                                                      st.dictionaries(st.text(max_size=6), inner, max_size=3)),
                      max_leaves=8)
_keys = st.sampled_from(["id", "title", "start", "end", "domain", "checklist", "sites", "targets", "description", "x"])


@settings(max_examples=200, deadline=None)
@given(doc=st.one_of(_value, st.dictionaries(_keys, _value, max_size=9)))
def test_any_campaign_document_is_accepted_or_refused_with_problems(doc):
    try:
        camp = parse(doc, "c.yaml")
    except ValidationFailed as e:
        assert str(e).startswith("c.yaml")
    else:
        assert camp["start"] <= camp["end"] and camp["targets"]
