"""`inspect sample`: 双随机 draws from the CLI, and --verify."""
from __future__ import annotations

import json

import pytest

from builders import other_code
from cli.runner import invoke
from inspect_cli.ledger import open_ledger

POOL_ARGS = ["--pool-inspector", "张伟:44010012345", "--pool-inspector", "李娜:44010067890",
             "--pool-inspector", "王强:44010011111", "--pool-inspector", "赵敏:44010022222"]


@pytest.fixture
def ledger_file(tmp_path):
    path = tmp_path / "ledger.json"
    led = open_ledger(path, today="2026-03-02")
    for i in range(8):
        led.add_site({"code": other_code(i), "name": f"单位{i}", "industry": "机械", "risk_class": "AB"[i % 2]})
    return str(path)


def sample(path, *args):
    return invoke(["sample", "--ledger", path, "--today", "2026-03-02", *args])


def test_draw_table_and_verify(ledger_file):
    r = sample(ledger_file, "--sites", "2", "--seed", "7", *POOL_ARGS)
    assert r.exit_code == 0, r.stderr
    assert "双随机抽查 draw D-" in r.stdout and "sha256" in r.stdout
    draw_id = r.stdout.split("inspect sample --verify ")[1].split()[0]
    v = sample(ledger_file, "--verify", draw_id)
    assert v.exit_code == 0 and "matches" in v.stdout


def test_same_seed_same_draw_json(ledger_file):
    a = sample(ledger_file, "--sites", "3", "--seed", "2026", "--where", "risk_class=a", "--json", *POOL_ARGS).json()
    reordered = [arg for value in reversed(POOL_ARGS[1::2]) for arg in ("--pool-inspector", value)]
    b = sample(ledger_file, "--sites", "3", "--seed", "2026", "--where", "risk_class=A", "--json", *reordered).json()
    assert a["result"] == b["result"] and a["sha256"] == b["sha256"] and a["id"] != b["id"]
    assert all(s in a["pool"]["sites"] for s in (x["site"] for x in a["result"]["assignments"]))
    assert len(a["pool"]["sites"]) == 4
    assert a["where"] == {"risk_class": "a"}


def test_inspector_pool_file(ledger_file, tmp_path):
    pool = tmp_path / "pool.csv"
    pool.write_text("name,cert\n张伟,1\n李娜,2\n王强,3\n", encoding="utf-8")
    r = sample(ledger_file, "--sites", "2", "--seed", "1", "--inspector-pool", str(pool), "--json")
    assert r.exit_code == 0, r.stderr
    data = r.json()
    assert data["inspectors_m"] == 3
    assert all(a["inspectors"][0] != a["inspectors"][1] for a in data["result"]["assignments"])


def test_too_many_sites_is_a_usage_error(ledger_file):
    r = sample(ledger_file, "--sites", "9", "--seed", "1", *POOL_ARGS)
    assert r.exit_code == 2 and "cannot draw 9 site(s) from a pool of 8" in r.stderr


def test_missing_pool_or_seed(ledger_file):
    r = sample(ledger_file, "--sites", "2", "--seed", "1")
    assert r.exit_code == 2 and "inspector pool" in r.stderr
    r = sample(ledger_file, "--sites", "2", *POOL_ARGS)
    assert r.exit_code == 2 and "--seed" in r.stderr
    r = sample(ledger_file, "--sites", "2", "--seed", "1", "--pool-inspector", "张伟")
    assert r.exit_code == 4 and "执法证号" in r.stderr


def test_verify_detects_a_changed_draw(ledger_file):
    data = sample(ledger_file, "--sites", "2", "--seed", "3", "--json", *POOL_ARGS).json()
    raw = json.loads(open(ledger_file, encoding="utf-8").read())
    raw["draws"][data["id"]]["seed"] = 4
    with open(ledger_file, "w", encoding="utf-8") as f:
        json.dump(raw, f, ensure_ascii=False)
    r = sample(ledger_file, "--verify", data["id"], "--json")
    assert r.exit_code == 8
    assert r.json()["ok"] is False and "does not match" in r.stderr


def test_verify_takes_only_the_id(ledger_file):
    r = sample(ledger_file, "--verify", "D-00000-00000", "--seed", "1")
    assert r.exit_code == 2
    assert sample(ledger_file, "--verify", "D-00000-00000").exit_code == 3
