"""`hazard list` draws one page as a table; scripts (--json, --csv) still get every match."""
from __future__ import annotations

import pytest

from cli.runner import invoke
from inspect_cli.hazard import moves as hz
from inspect_cli.clock import Clock
from inspect_cli.ledger import open_ledger


@pytest.fixture
def ledger_of_70(tmp_path):
    path = tmp_path / "ledger.json"
    clock = Clock.make("2026-03-01")
    with open_ledger(path, today="2026-03-01").write() as st:
        for n in range(70):
            hz.register(st, {"site": "S", "severity": "general", "item": f"X{n}", "description": f"隐患{n}",
                             "deadline": f"2026-03-{1 + n % 20:02d}"}, clock, "t")
    return str(path)


def rows_drawn(out: str) -> int:
    return sum(1 for line in out.splitlines() if line.startswith("│ H-"))


def test_table_draws_one_page_and_says_how_many_more(ledger_of_70):
    r = invoke(["hazard", "list", "--ledger", ledger_of_70, "--today", "2026-04-01"])
    assert r.exit_code == 0
    assert rows_drawn(r.stdout) == 50
    assert "50 of 70 hazard(s); 20 more" in r.stdout and "--all" in r.stdout and "--offset 50" in r.stdout


def test_all_draws_every_match(ledger_of_70):
    r = invoke(["hazard", "list", "--all", "--ledger", ledger_of_70, "--today", "2026-04-01"])
    assert r.exit_code == 0 and rows_drawn(r.stdout) == 70 and "70 of 70 hazard(s)." in r.stdout
    assert "more" not in r.stdout.splitlines()[-1]


def test_limit_and_offset_page_the_table(ledger_of_70):
    r = invoke(["hazard", "list", "--limit", "30", "--offset", "60", "--ledger", ledger_of_70, "--today", "2026-04-01"])
    assert r.exit_code == 0 and rows_drawn(r.stdout) == 10 and "10 of 70 hazard(s)." in r.stdout


def test_json_and_csv_still_return_every_match_with_the_total(ledger_of_70):
    data = invoke(["hazard", "list", "--json", "--ledger", ledger_of_70, "--today", "2026-04-01"]).json()
    assert data["total"] == 70 and len(data["hazards"]) == 70
    data = invoke(["hazard", "list", "--json", "--limit", "5", "--ledger", ledger_of_70, "--today", "2026-04-01"]).json()
    assert data["total"] == 70 and len(data["hazards"]) == 5
    csv = invoke(["hazard", "list", "--csv", "--ledger", ledger_of_70, "--today", "2026-04-01"]).stdout
    assert len(csv.strip().splitlines()) == 71


def test_all_with_limit_is_a_usage_error(ledger_of_70):
    r = invoke(["hazard", "list", "--all", "--limit", "5", "--ledger", ledger_of_70])
    assert r.exit_code == 2 and "choose one of --all and --limit" in r.stderr
