"""A number item's range may refer to a site attribute or a parameter (核定人数, 核定药量 per building)."""
from __future__ import annotations

import textwrap

import pytest
import yaml
from builders import INSPECTOR_ARGS, SITE, ledger_with_site
from cli.runner import invoke

from inspect_cli.checklist.loader import problems_of

from .helpers import DATA, resolver

DIR = DATA / "site-range"


@pytest.fixture
def setup(tmp_path):
    path = tmp_path / "ledger.json"
    ledger_with_site(path, today="2026-03-02", attributes={"approved_charge": 500})
    return tmp_path, str(path)


def _run(folder, path, doc):
    f = folder / "answers.yaml"
    f.write_text(yaml.safe_dump(doc, allow_unicode=True), encoding="utf-8")
    return invoke(["run", "fireworks-store", "--site", SITE, *INSPECTOR_ARGS, "--answers", str(f), "--ledger", path,
                   "--checklist-dir", str(DIR), "--today", "2026-03-02", "--json"])


def test_a_range_bound_takes_the_sites_recorded_value(setup):
    folder, path = setup
    r = _run(folder, path, {"site": {"approved_headcount": 3}, "answers": {"FW-1": 3, "FW-2": 520, "FW-3": "1号库"}})
    assert r.exit_code == 0, r.stderr
    hazards = r.json()["hazards"]
    assert [h["item"] for h in hazards] == ["FW-2"]  # 520 kg over the site's approved 500 kg
    shown = invoke(["hazard", "show", hazards[0]["id"], "--ledger", path, "--json"]).json()
    assert shown["measured"] == {"value": 520, "unit": "kg", "range": "≤ 500 kg"}


def test_a_value_found_on_site_is_given_in_the_answers_file(setup):
    folder, path = setup
    r = _run(folder, path, {"site": {"approved_headcount": 2}, "answers": {"FW-1": 4, "FW-2": 100, "FW-3": "1号库"}})
    assert r.exit_code == 0, r.stderr
    assert [h["item"] for h in r.json()["hazards"]] == ["FW-1"]


def test_a_missing_site_value_is_asked_not_guessed(setup):
    folder, path = setup
    before = (folder / "ledger.json").read_bytes()
    r = _run(folder, path, {"answers": {"FW-1": 2, "FW-2": 100, "FW-3": "1号库"}})
    assert r.exit_code == 4
    assert "FW-1: its pass range needs site.approved_headcount, which this site has not recorded" in r.stderr
    assert (folder / "ledger.json").read_bytes() == before


def test_interactive_run_asks_the_missing_value_on_site(setup):
    folder, path = setup
    # approved_headcount, FW-1 value and note, FW-2 value and note
    keys = "\n".join(["3", "5", "超员", "", "", "", "", "n", "100", "", "1号库", ""]) + "\n"
    r = invoke(["run", "fireworks-store", "--site", SITE, *INSPECTOR_ARGS, "--ledger", path, "--checklist-dir", str(DIR),
                "--today", "2026-03-02", "--json"], input=keys)
    assert r.exit_code == 0, r.stdout + r.stderr
    assert "核定人数 (site.approved_headcount)：该单位未登记此值，请填写现场核实的数值" in r.stdout
    listed = invoke(["hazard", "list", "--ledger", path, "--json", "--today", "2026-03-02"]).json()
    assert [h["item"] for h in listed["hazards"]] == ["FW-1"]  # 5 people, 3 approved


@pytest.mark.parametrize("bound, message", [
    ("site.unknown", "max: site.unknown is not declared under 'attributes'"),
    ("site.wet", "max: site.wet is a boolean attribute"),
    ("param.season", "max: param.season is not a number"),
    ("site.Bad-Name", "must be a number or a reference site.NAME / param.NAME"),
])
def test_a_bound_must_name_a_number_attribute_or_parameter(tmp_path, bound, message):
    p = tmp_path / "c.yaml"
    p.write_text(textwrap.dedent(f"""\
        id: x
        version: 1
        title: x
        domain: x
        applies_to: {{description: x}}
        sources: [{{key: S, title: 规定, kind: rule, in_force: 2020-01-01}}]
        attributes:
          wet: {{type: boolean, text: 湿式}}
        parameters:
          season: {{value: "01-01", text: 开始}}
        sections:
          - id: s
            title: s
            items:
              - {{id: N-1, text: 数值, basis: {{source: S, clause: 第一条}}, severity: general, type: number,
                  pass: {{max: {bound}}}}}
        """), encoding="utf-8")
    problems, _ = problems_of(p, resolver())
    assert any(message in x for x in problems), problems
