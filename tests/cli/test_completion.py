"""Shell completion offers checklist ids, site codes, open hazard ids and inspection ids."""
from __future__ import annotations

import pytest

from builders import SITE, inspect_dust, ledger_with_site, other_code
from cli.runner import invoke
from inspect_cli.ledger import open_ledger


def complete(words: str, env: dict) -> list[str]:
    """What bash completion offers for the command line ``words`` (the last word being typed)."""
    parts = words.split(" ")
    r = invoke(parts[1:], env={"_INSPECT_COMPLETE": "bash_complete", "COMP_WORDS": words,
                               "COMP_CWORD": str(len(parts) - 1), **env})
    assert r.exit_code == 0, r.stderr
    return [line.split(",", 1)[1] for line in r.stdout.splitlines() if line]


@pytest.fixture
def ledger(tmp_path):
    path = tmp_path / "ledger.json"
    led = ledger_with_site(path)
    led.add_site({"code": other_code(3), "name": "另一家"})
    out = inspect_dust(led, {"GM10-11-10": {}, "DP6-9": {}}, tmp_path)
    return path, out


def test_checklist_ids(ledger):
    path, _ = ledger
    offered = complete("inspect run ", {"INSPECT_LEDGER": str(path)})
    assert {"dust-explosion", "limited-space", "hazardous-chemicals", "forest-fire"} <= set(offered)
    assert complete("inspect checklist show lim", {}) == ["limited-space"]


def test_site_codes(ledger):
    path, _ = ledger
    assert set(complete("inspect site show ", {"INSPECT_LEDGER": str(path)})) == {SITE, other_code(3)}
    assert complete(f"inspect run dust-explosion --site {SITE[:9].lower()}", {"INSPECT_LEDGER": str(path)}) == [SITE]
    assert complete(f"inspect hazard list --ledger {path} --site 9135010000", {}) == [other_code(3)]


def test_open_hazard_ids_only(ledger, tmp_path):
    path, out = ledger
    ids = [h["id"] for h in out["hazards"]]
    led = open_ledger(path, today="2026-03-03")
    led.fixed(ids[1], "已整改")
    open_ledger(path, today="2026-03-04").reinspect(ids[1], "pass", [{"name": "张伟", "cert": "44010012345"}], "ok")
    assert complete("inspect hazard show ", {"INSPECT_LEDGER": str(path)}) == [ids[0]]
    assert complete(f"inspect reinspect hazard {ids[0][:4]}", {"INSPECT_LEDGER": str(path)}) == [ids[0]]


def test_inspection_ids(ledger):
    path, out = ledger
    assert complete("inspect inspection show I-", {"INSPECT_LEDGER": str(path)}) == [out["inspection"]["id"]]


def test_no_ledger_offers_nothing_and_creates_nothing(tmp_path):
    missing = tmp_path / "none.json"
    assert complete("inspect hazard show ", {"INSPECT_LEDGER": str(missing)}) == []
    assert not missing.exists() and list(tmp_path.iterdir()) == []
