"""`inspect verify` detects each kind of tampering and names the hazard."""
from __future__ import annotations

import json

import pytest

from builders import inspect_dust, ledger_with_site
from cli.runner import invoke


@pytest.fixture
def ledger_file(tmp_path):
    path = tmp_path / "ledger.json"
    ledger = ledger_with_site(path, today="2026-03-02")
    out = inspect_dust(ledger, {"GM10-11-10": {}, "DP6-9": {}}, tmp_path)
    general = next(h["id"] for h in out["hazards"] if h["severity"] == "general")
    ledger.extend(general, "2026-03-20", "采购周期")
    ledger.fixed(general, "已整改")
    return path, general


def edit(path, change):
    data = json.loads(path.read_text(encoding="utf-8"))
    change(data)
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")


def events_of(data, hid):
    return sorted((e for e in data["events"].values() if e["subject"] == hid), key=lambda e: e["seq"])


def test_untouched_ledger_verifies(ledger_file):
    path, _ = ledger_file
    r = invoke(["verify", "--ledger", str(path)])
    assert r.exit_code == 0 and r.stdout.startswith("OK: 2 hazard(s), 4 event(s) checked.")


def _edit_note(data, hid):
    events_of(data, hid)[1]["data"]["reason"] = "改过的理由"


def _remove_middle(data, hid):
    del data["events"][events_of(data, hid)[1]["id"]]


def _remove_last(data, hid):
    del data["events"][events_of(data, hid)[-1]["id"]]


def _reorder(data, hid):
    a, b = events_of(data, hid)[1:3]
    a["seq"], b["seq"] = b["seq"], a["seq"]


def _edit_hazard(data, hid):
    data["hazards"][hid]["status"] = "closed"


def _remove_last_and_fix_counter(data, hid):
    last = events_of(data, hid)[-1]
    del data["events"][last["id"]]
    data["hazards"][hid]["events"] -= 1
    data["hazards"][hid]["head"] = last["prev"]


@pytest.mark.parametrize("tamper, says", [
    (_edit_note, "its content was changed"),
    (_remove_middle, "chain broken"),
    (_remove_last, "events removed or added"),
    (_reorder, "chain broken"),
    (_edit_hazard, "differs from its history in: status"),
    (_remove_last_and_fix_counter, "differs from its history"),
])
def test_each_kind_of_tampering_is_detected_and_named(ledger_file, tamper, says):
    path, hid = ledger_file
    edit(path, lambda d: tamper(d, hid))
    r = invoke(["verify", "--ledger", str(path)])
    assert r.exit_code == 8
    assert hid in r.stdout and says in r.stdout
    assert "PROBLEM" in r.stderr


def _remove_hazard_with_history(data, hid):
    del data["hazards"][hid]
    for e in events_of(data, hid):
        del data["events"][e["id"]]


def _hazard_not_a_record(data, hid):
    data["hazards"][hid] = "gone"


@pytest.mark.parametrize("tamper, says", [
    (_remove_hazard_with_history, "is missing from the ledger"),
    (_hazard_not_a_record, "is not a record"),
])
def test_removing_a_whole_hazard_is_detected(ledger_file, tamper, says):
    path, hid = ledger_file
    edit(path, lambda d: tamper(d, hid))
    r = invoke(["verify", "--ledger", str(path)])
    assert r.exit_code == 8 and says in r.stdout and "Traceback" not in r.stderr


def test_a_mistyped_ledger_path_does_not_pass(tmp_path):
    for args in (["verify"], ["stats", "--gate", "overdue_hazards==0"], ["audit"]):
        r = invoke([*args, "--ledger", str(tmp_path / "typo.json")])
        assert r.exit_code == 3 and "there is no ledger at" in r.stderr, args
        assert not (tmp_path / "typo.json").exists()
