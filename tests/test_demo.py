"""The newcomer's command: inspect demo leaves a verified ledger and a folder of reports."""
from __future__ import annotations

import json

from cli.runner import invoke


def test_demo_builds_a_ledger_walks_the_loop_and_renders_every_report_kind(tmp_path):
    out = tmp_path / "demo"
    r = invoke(["demo", "--out", str(out), "--json"])
    assert r.exit_code == 0, r.stderr
    made = r.json()
    kinds = {p.split("/")[-1].split("-")[0].split(".")[0] for p in made["reports"]}
    assert {"record", "order", "review", "closure", "ledger", "bulletin"} <= kinds
    assert any(p.endswith(".xlsx") for p in made["reports"])
    assert invoke(["verify", "--ledger", made["ledger"]]).exit_code == 0
    hazards = json.loads(invoke(["hazard", "list", "--ledger", made["ledger"], "--json", "--today", "2026-04-01"]).stdout)
    statuses = {h["status"] for h in hazards["hazards"]}
    assert "closed" in statuses and statuses & {"open", "planned", "fixed"}
    again = invoke(["demo", "--out", str(out)])
    assert again.exit_code == 2 and "already exists" in again.stderr
