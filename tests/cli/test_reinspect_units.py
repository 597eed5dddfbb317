"""Two hazards of the same item on two units stay told apart in re-inspection."""
from __future__ import annotations

import csv
import io

import pytest

from builders import INSPECTOR_ARGS, SITE, answers, ledger_with_site, registry, INSPECTORS
from cli.runner import invoke


@pytest.fixture(params=["ledger.json", "ledger.sqlite"])
def two_units(tmp_path, request):
    path = tmp_path / request.param  # SQLite reads only the plan's fields: the unit must be one of them
    ledger = ledger_with_site(path)
    (tmp_path / "photo.png").write_bytes(b"\x89PNG\r\n\x1a\n1234")
    fail = {f"GM10-11-3[{u}]": {"answer": "failed", "evidence": ["photo.png"], "location": f"{u}泄爆口"}
            for u in ("1号除尘系统", "2号除尘系统")}
    doc = answers("dust-explosion", {"collectors": ["1号除尘系统", "2号除尘系统"]}, fail)
    out = ledger.run_answers(registry().get("dust-explosion"), SITE, INSPECTORS, "enforcement", doc, tmp_path)
    return str(path), {h["unit"]: h["id"] for h in out["hazards"]}


def test_the_plan_has_a_unit_column(two_units, tmp_path):
    path, ids = two_units
    plan = tmp_path / "plan.csv"
    r = invoke(["reinspect", "plan", "--out", str(plan), "--ledger", path, "--today", "2026-04-10"])
    assert r.exit_code == 0, r.stderr
    rows = list(csv.DictReader(io.StringIO(plan.read_text(encoding="utf-8-sig"))))
    assert list(rows[0])[3:5] == ["item", "unit"]
    assert {(row["item"], row["unit"], row["hazard_id"]) for row in rows} == {
        ("GM10-11-3", "1号除尘系统", ids["1号除尘系统"]), ("GM10-11-3", "2号除尘系统", ids["2号除尘系统"])}


def test_the_site_walk_names_the_unit(two_units):
    path, ids = two_units
    r = invoke(["reinspect", "site", SITE, *INSPECTOR_ARGS, "--ledger", path, "--today", "2026-04-10"],
               input="skip\nskip\n", env={"COLUMNS": "200"})
    assert r.exit_code == 0, r.stdout + r.stderr
    for unit, hid in ids.items():
        line = next(ln for ln in r.stdout.splitlines() if hid in ln)
        assert f"GM10-11-3 [{unit}]" in line
        assert f"部位: {unit}泄爆口" in r.stdout


def test_hazard_list_names_the_unit(two_units):
    path, ids = two_units
    rows = list(csv.DictReader(io.StringIO(invoke(["hazard", "list", "--ledger", path, "--csv"]).stdout.lstrip("\ufeff"))))
    assert {(row["item"], row["unit"]) for row in rows} == {("GM10-11-3", "1号除尘系统"), ("GM10-11-3", "2号除尘系统")}
    listed = invoke(["hazard", "list", "--ledger", path, "--json"]).json()["hazards"]
    assert {h["unit"] for h in listed} == {"1号除尘系统", "2号除尘系统"}
