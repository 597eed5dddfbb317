"""The Python API scripts use: the same functions as the CLI."""
from __future__ import annotations

import inspect_cli
from builders import INSPECTORS, answers


def test_a_script_can_add_a_site_run_a_checklist_and_list_hazards(tmp_path):
    from inspect_cli import HazardQuery, Registry, open_ledger

    ledger = open_ledger(tmp_path / "ledger.json", today="2026-03-02")
    ledger.add_site({"code": "91350100M000100Y43", "name": "某某木业有限公司", "attributes": {"wood_dust": True}})
    checklist = Registry.discover().get("dust-explosion")
    doc = answers("dust-explosion", {"collectors": ["1号除尘系统"]}, {"DP6-9": {}})
    result = ledger.run_answers(checklist, "91350100M000100Y43", INSPECTORS, "enforcement", doc, tmp_path)
    assert [h["item"] for h in result["hazards"]] == ["DP6-9"]
    rows, total = open_ledger(tmp_path / "ledger.json", today="2026-03-20").hazards(HazardQuery(overdue=True))
    assert total == 1 and rows[0]["days_overdue"] == 11


def test_the_api_names_are_importable():
    for name in inspect_cli.__all__:
        assert getattr(inspect_cli, name) is not None
