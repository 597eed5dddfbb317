"""Time runs forward: no event of a hazard is dated before the one it follows."""
from __future__ import annotations

import json

from builders import INSPECTOR_ARGS, inspect_dust, ledger_with_site
from cli.runner import invoke
from inspect_cli.hazard.history import event_hash


def _registered_on(tmp_path, day="2026-11-30"):
    path = tmp_path / "l.json"
    ledger = ledger_with_site(path, today=day)
    out = inspect_dust(ledger, {"DP6-9": {}}, tmp_path)
    return str(path), out["hazards"][0]["id"]


def test_a_fix_dated_before_the_registering_inspection_is_refused_naming_both_dates(tmp_path):
    path, hid = _registered_on(tmp_path)
    before = open(path, "rb").read()
    r = invoke(["hazard", "fixed", hid, "--ledger", path, "--today", "2026-11-01"])
    assert r.exit_code == 5
    assert "2026-11-01" in r.stderr and "2026-11-30" in r.stderr and "registered it" in r.stderr
    assert open(path, "rb").read() == before


def test_a_reinspection_dated_before_the_fix_is_refused(tmp_path):
    path, hid = _registered_on(tmp_path, "2026-11-10")
    assert invoke(["hazard", "fixed", hid, "--ledger", path, "--today", "2026-11-25"]).exit_code == 0
    r = invoke(["reinspect", "hazard", hid, "--pass", *INSPECTOR_ARGS, "--ledger", path, "--today", "2026-11-20"])
    assert r.exit_code == 5 and "2026-11-20" in r.stderr and "2026-11-25" in r.stderr and "fixed" in r.stderr


def test_back_dated_entry_within_the_rule_still_works(tmp_path):
    path, hid = _registered_on(tmp_path, "2026-11-10")
    # entered on 30 November about what happened on the 12th and the 15th
    assert invoke(["hazard", "fixed", hid, "--ledger", path, "--today", "2026-11-12"]).exit_code == 0
    r = invoke(["reinspect", "hazard", hid, "--pass", *INSPECTOR_ARGS, "--ledger", path, "--today", "2026-11-15"])
    assert r.exit_code == 0, r.stderr
    assert invoke(["verify", "--ledger", path]).exit_code == 0


def test_an_event_on_the_day_of_the_previous_one_is_fine(tmp_path):
    path, hid = _registered_on(tmp_path, "2026-11-10")
    assert invoke(["hazard", "fixed", hid, "--ledger", path, "--today", "2026-11-10"]).exit_code == 0


def test_verify_names_a_back_dated_event_even_when_its_hash_was_rebuilt(tmp_path):
    path, hid = _registered_on(tmp_path)
    assert invoke(["hazard", "fixed", hid, "--ledger", path, "--today", "2026-12-01"]).exit_code == 0
    data = json.loads(open(path, encoding="utf-8").read())
    fixed = next(e for e in data["events"].values() if e["subject"] == hid and e["type"] == "fixed")
    fixed["date"] = "2026-11-01"
    fixed["hash"] = event_hash(fixed)
    data["hazards"][hid]["head"] = fixed["hash"]
    data["hazards"][hid]["fix"]["date"] = "2026-11-01"
    open(path, "w", encoding="utf-8").write(json.dumps(data, ensure_ascii=False))
    r = invoke(["verify", "--ledger", path])
    assert r.exit_code == 8 and "time runs backwards" in r.stdout and "2026-11-30" in r.stdout


def test_a_batch_row_dated_before_its_hazards_last_event_is_named(tmp_path):
    import csv
    import io

    from builders import INSPECTOR_ARGS as TWO

    path, hid = _registered_on(tmp_path, "2026-11-10")
    assert invoke(["hazard", "fixed", hid, "--ledger", path, "--today", "2026-11-25"]).exit_code == 0
    plan = tmp_path / "plan.csv"
    assert invoke(["reinspect", "plan", "--out", str(plan), "--ledger", path, "--today", "2026-11-26"]).exit_code == 0
    rows = list(csv.DictReader(io.StringIO(plan.read_text(encoding="utf-8-sig"))))
    for row in rows:
        row["result"] = "pass"
    with open(plan, "w", encoding="utf-8-sig", newline="") as f:
        w = csv.DictWriter(f, fieldnames=list(rows[0]))
        w.writeheader()
        w.writerows(rows)
    before = open(path, "rb").read()
    r = invoke(["reinspect", "apply", str(plan), *TWO, "--ledger", path, "--today", "2026-11-20"])
    assert r.exit_code == 4 and hid in r.stderr and "2026-11-25" in r.stderr
    assert open(path, "rb").read() == before
