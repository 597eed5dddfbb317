"""`inspect stats`: tables, --json, windows and --gate exit codes."""
from __future__ import annotations

import pytest

from builders import inspect_dust, ledger_with_site
from cli.runner import invoke


@pytest.fixture
def ledger_file(tmp_path):
    path = tmp_path / "ledger.json"
    ledger = ledger_with_site(path, today="2026-03-02")
    out = inspect_dust(ledger, {"GM10-11-10": {}, "DP6-9": {}}, tmp_path)
    general = next(h["id"] for h in out["hazards"] if h["item"] == "DP6-9")
    ledger.fixed(general, "已整改", (tmp_path / "photo.png",))
    return str(path)


def stats(path, *args, today="2026-03-10"):
    return invoke(["stats", "--ledger", path, "--today", today, *args])


def test_tables(ledger_file):
    r = stats(ledger_file)
    assert r.exit_code == 0, r.stderr
    for text in ("Summary", "domain × severity × status", "Overdue", "Items failed most often", "GM10-11-10",
                 "dust_explosion"):
        assert text in r.stdout


def test_json(ledger_file):
    r = stats(ledger_file, "--json", "--since", "2026-03-01", "--until", "2026-03-31")
    assert r.exit_code == 0
    data = r.json()
    assert data["metrics"]["hazards"] == 2 and data["metrics"]["inspections"] == 1
    assert data["metrics"]["overdue_general"] == 1  # the 7-day deadline of 2026-03-09 has passed
    assert data["window"] == {"since": "2026-03-01", "until": "2026-03-31", "today": "2026-03-10",
                              "domain": None, "site": None}
    assert data["gates"] == []
    assert stats(ledger_file, "--json", "--since", "2026-03-03").json()["metrics"]["hazards"] == 0


def test_gates_pass_exit_0(ledger_file):
    r = stats(ledger_file, "--gate", "overdue_major_over_30_days==0", "--gate", "hazards >= 2")
    assert r.exit_code == 0, r.stderr
    assert "Gates" in r.stdout and "MISSED" not in r.stdout


def test_gate_missed_exits_1_and_says_which(ledger_file):
    r = stats(ledger_file, "--gate", "major_closure_rate>=0.8", "--gate", "hazards>=1")
    assert r.exit_code == 1
    assert "MISSED" in r.stdout
    assert "gate missed: major_closure_rate>=0.8 (actual 0)" in r.stderr
    assert "hazards>=1" not in r.stderr


def test_gate_missed_with_json_still_prints_json(ledger_file):
    r = stats(ledger_file, "--json", "--gate", "overdue_hazards==0")
    assert r.exit_code == 1
    gate = r.json()["gates"][0]
    assert gate == {"gate": "overdue_hazards==0", "metric": "overdue_hazards", "op": "==", "target": 0.0,
                    "actual": 1, "passed": False, "skipped": False}


def test_gate_on_undefined_rate_is_skipped(tmp_path):
    invoke(["config", "set", "org.name", "某应急管理局", "--ledger", str(tmp_path / "empty.json")])  # an empty ledger
    r = invoke(["stats", "--ledger", str(tmp_path / "empty.json"), "--gate", "major_closure_rate>=0.8"])
    assert r.exit_code == 0
    assert "skipped" in r.stdout


def test_unknown_metric_is_a_usage_error(ledger_file):
    r = stats(ledger_file, "--gate", "major_closure>=0.8")
    assert r.exit_code == 2
    assert "unknown metric 'major_closure'" in r.stderr and "did you mean major_closure_rate" in r.stderr


def test_bad_dates_are_usage_errors(ledger_file):
    assert stats(ledger_file, "--since", "2026-13-01").exit_code == 2
    r = stats(ledger_file, "--since", "2026-04-01", "--until", "2026-03-01")
    assert r.exit_code == 2 and "after --until" in r.stderr


def test_site_and_domain_filters(ledger_file):
    assert stats(ledger_file, "--json", "--domain", "forest_fire").json()["metrics"]["hazards"] == 0
    from builders import SITE

    assert stats(ledger_file, "--json", "--site", SITE.lower()).json()["metrics"]["hazards"] == 2
