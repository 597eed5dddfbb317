"""``inspect ledger info`` and ``inspect ledger migrate``."""
from __future__ import annotations

import json

from builders import inspect_dust, ledger_with_site
from cli.runner import invoke


def make(tmp_path):
    path = tmp_path / "ledger.json"
    ledger = ledger_with_site(path)
    inspect_dust(ledger, {"GM10-11-10": {}, "DP6-9": {}}, tmp_path)
    return path


def test_migrate_prints_counts_and_verifies(tmp_path):
    src = make(tmp_path)
    dst = tmp_path / "city.sqlite"
    r = invoke(["ledger", "migrate", str(src), str(dst)])
    assert r.exit_code == 0, r.stderr
    assert "hazards" in r.stdout and "verify: OK: 2 hazard(s)" in r.stdout
    r = invoke(["ledger", "migrate", str(dst), str(tmp_path / "back.json"), "--json"])
    data = r.json()
    assert r.exit_code == 0 and data["counts"]["hazards"] == 2 and data["counts"]["events"] == 2
    assert data["verify"]["ok"] is True


def test_migrate_into_a_full_ledger_exits_6(tmp_path):
    src = make(tmp_path)
    r = invoke(["ledger", "migrate", str(src), str(src.with_name("other.json"))])
    assert r.exit_code == 0
    r = invoke(["ledger", "migrate", str(src), str(src.with_name("other.json"))])
    assert r.exit_code == 6 and "already holds records" in r.stderr


def test_migrate_of_a_tampered_ledger_exits_8(tmp_path):
    src = make(tmp_path)
    data = json.loads(src.read_text(encoding="utf-8"))
    hid = next(iter(data["hazards"]))
    data["hazards"][hid]["severity"] = "general" if data["hazards"][hid]["severity"] == "major" else "major"
    src.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    r = invoke(["ledger", "migrate", str(src), str(tmp_path / "city.db")])
    assert r.exit_code == 8 and "differs from its history" in r.stderr


def test_info_shows_backend_counts_and_size(tmp_path):
    src = make(tmp_path)
    invoke(["ledger", "migrate", str(src), str(tmp_path / "city.sqlite")])
    for path, backend in ((src, "tinydb"), (tmp_path / "city.sqlite", "sqlite")):
        r = invoke(["ledger", "info", "--ledger", str(path), "--json"])
        data = r.json()
        assert r.exit_code == 0 and data["backend"] == backend and data["schema"] == 1
        assert data["counts"]["hazards"] == 2 and data["counts"]["sites"] == 1 and data["bytes"] > 0
    r = invoke(["ledger", "info", "--ledger", str(tmp_path / "city.sqlite")])
    assert "Backend: sqlite" in r.stdout and "hazards" in r.stdout


def test_info_of_a_new_ledger(tmp_path):
    r = invoke(["ledger", "info", "--ledger", str(tmp_path / "new.db")])
    assert r.exit_code == 0 and "not created yet" in r.stdout
    assert not (tmp_path / "new.db").exists()
