"""A mistyped ledger path: reads fail (exit 3) and create nothing; the first write says it made a ledger."""
from __future__ import annotations

import pytest

from builders import SITE, ledger_with_site
from cli.runner import invoke


@pytest.mark.parametrize("command", [
    ["hazard", "list"], ["hazard", "list", "--json"], ["site", "list"], ["site", "show", SITE],
    ["inspection", "list"], ["config", "show"], ["stats"], ["audit"], ["verify"],
    ["report", "ledger", "--format", "md"], ["reinspect", "plan", "--out", "plan.csv"],
])
def test_a_read_on_a_ledger_that_does_not_exist_fails_and_creates_nothing(tmp_path, monkeypatch, command):
    monkeypatch.chdir(tmp_path)
    missing = tmp_path / "does" / "not" / "exist.json"
    r = invoke([*command, "--ledger", str(missing)])
    assert r.exit_code == 3, r.stdout + r.stderr
    assert f"there is no ledger at {missing}" in r.stderr and "inspect site add" in r.stderr
    assert r.stdout == ""
    assert sorted(p.name for p in tmp_path.iterdir()) == []  # no folder, no lock file, no report


def test_the_sqlite_backend_is_not_created_by_a_read_either(tmp_path):
    missing = tmp_path / "typo.sqlite"
    r = invoke(["hazard", "list", "--ledger", str(missing)])
    assert r.exit_code == 3 and not missing.exists() and list(tmp_path.iterdir()) == []


def test_the_first_write_says_it_created_a_new_ledger(tmp_path):
    path = tmp_path / "new" / "ledger.json"
    r = invoke(["site", "add", "--code", SITE, "--name", "某某木业有限公司", "--ledger", str(path), "--json"])
    assert r.exit_code == 0, r.stderr
    assert r.stderr == f"Created new ledger at {path}\n"
    assert r.json()["code"] == SITE  # stdout stays JSON
    again = invoke(["site", "add", "--code", "91110000600037341L", "--name", "另一家", "--ledger", str(path)])
    assert again.exit_code == 0 and "Created" not in again.stderr


def test_a_refused_first_write_creates_nothing_and_says_nothing_about_a_ledger(tmp_path):
    path = tmp_path / "ledger.json"
    r = invoke(["site", "add", "--code", "91350100M000100Y44", "--name", "x", "--ledger", str(path)])
    assert r.exit_code == 4 and "Created" not in r.stderr and not path.exists()


def test_config_set_on_a_new_ledger_says_so(tmp_path):
    path = tmp_path / "ledger.json"
    r = invoke(["config", "set", "org.name", "广州市应急管理局", "--ledger", str(path)])
    assert r.exit_code == 0 and f"Created new ledger at {path}" in r.stderr


def test_an_existing_ledger_reads_as_before(tmp_path):
    path = tmp_path / "ledger.json"
    ledger_with_site(path)
    r = invoke(["hazard", "list", "--ledger", str(path), "--json"])
    assert r.exit_code == 0 and r.json()["total"] == 0 and r.stderr == ""
