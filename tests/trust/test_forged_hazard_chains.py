"""Hashes are not signatures, but a history has to be one the commands could have made: a
well-hashed hazard chain that re-opens a closure or downgrades a major hazard through a
made-up resolution is refused by import and found by verify."""
from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from builders import INSPECTORS, inspect_dust, ledger_with_site
from cli.runner import invoke
from inspect_cli.hazard import lifecycle
from inspect_cli.ledger import open_ledger
from trust.bundles import jsonl, parts, rehash, rows, write


@pytest.fixture
def closed(tmp_path):
    """Laptop A with a closed general hazard and an open major one; B imported A's bundle."""
    a = tmp_path / "a.json"
    out = inspect_dust(ledger_with_site(a, today="2026-03-02"), {"GM10-11-10": {}, "DP6-9": {}}, tmp_path)
    major = next(h["id"] for h in out["hazards"] if h["severity"] == "major")
    general = next(h["id"] for h in out["hazards"] if h["severity"] == "general")
    open_ledger(a, today="2026-03-05").fixed(general, "已配发")
    open_ledger(a, today="2026-03-06").reinspect(general, "pass", INSPECTORS[:1], "合格")
    assert invoke(["export", "--out", str(tmp_path / "a.zip"), "--ledger", str(a)]).exit_code == 0
    assert invoke(["import", str(tmp_path / "a.zip"), "--ledger", str(tmp_path / "b.json")]).exit_code == 0
    return tmp_path, major, general


def _after(prev: dict[str, Any], eid: str, type_: str, data: dict[str, Any]) -> dict[str, Any]:
    return rehash(dict(prev, id=eid, seq=prev["seq"] + 1, type=type_, prev=prev["hash"], data=data, note="",
                       evidence=[], at=prev["at"][:10] + "T23:00:00+08:00"))


def _events_of(tmp_path: Path, hid: str) -> list[dict[str, Any]]:
    evs = rows(parts(tmp_path / "a.zip")["events.jsonl"])
    return sorted((e for e in evs if e["subject"] == hid), key=lambda e: e["seq"])


def _import_forged(tmp_path: Path, hid: str, forged: dict[str, Any]) -> Any:
    p = parts(tmp_path / "a.zip")
    p["events.jsonl"] = jsonl(rows(p["events.jsonl"]) + [forged])
    p["hazards.jsonl"] = jsonl([h for h in rows(p["hazards.jsonl"]) if h["id"] != hid])
    return invoke(["import", str(write(tmp_path / "evil.zip", p)), "--ledger", str(tmp_path / "b.json")])


def _show(tmp_path: Path, hid: str) -> dict[str, Any]:
    return dict(invoke(["hazard", "show", hid, "--ledger", str(tmp_path / "b.json"), "--json"]).json())


def test_a_well_hashed_event_after_a_closure_is_refused(closed):
    """Closed is final: a 'failed re-inspection' appended after 销号 re-opens nothing."""
    tmp_path, _, general = closed
    last = _events_of(tmp_path, general)[-1]
    forged = _after(last, "E-ZZZZZ-ZZZZ7", "reinspected",
                    {"result": "fail", "deadline": "2027-01-01", "inspectors": INSPECTORS[:1]})
    before = (tmp_path / "b.json").read_bytes()
    r = _import_forged(tmp_path, general, forged)
    assert r.exit_code == 8 and general in r.stderr and "closed" in r.stderr, r.stderr
    assert (tmp_path / "b.json").read_bytes() == before and _show(tmp_path, general)["status"] == "closed"


def test_a_made_up_resolution_cannot_downgrade_or_close_a_major_hazard(closed):
    """A 'resolved' event keeping 'theirs' must state a history that is in the ledger."""
    tmp_path, major, _ = closed
    evs = _events_of(tmp_path, major)
    state = dict(lifecycle.replay(evs), severity="general", status="closed", closed_date=evs[-1]["date"],
                 closed_reason="复查合格")
    forged = _after(evs[-1], "E-ZZZZZ-ZZZZ8", "resolved",
                    {"keep": "theirs", "state": state, "conflict": f"{major}:x", "reason": "x",
                     "theirs_head": evs[-1]["hash"], "mine_head": evs[-1]["hash"]})
    before = (tmp_path / "b.json").read_bytes()
    r = _import_forged(tmp_path, major, forged)
    assert r.exit_code == 8 and major in r.stderr and "resolution" in r.stderr, r.stderr
    assert (tmp_path / "b.json").read_bytes() == before
    shown = _show(tmp_path, major)
    assert shown["severity"] == "major" and shown["status"] == "open"


def test_a_well_hashed_second_registration_cannot_rewrite_a_hazard(closed):
    tmp_path, major, general = closed
    evs = _events_of(tmp_path, major)
    first = next(e for e in evs if e["type"] == "registered")
    forged = _after(evs[-1], "E-ZZZZZ-ZZZZ9", "registered", dict(first["data"], severity="general"))
    r = _import_forged(tmp_path, major, forged)
    assert r.exit_code == 8 and major in r.stderr, r.stderr
    assert _show(tmp_path, major)["severity"] == "major"


def test_a_second_history_under_an_existing_hazard_id_is_refused(closed):
    """An id collision, or a forger: another 'registered' event for the open major hazard, its
    `at` earlier, then closed on the spot. It became the main line (the hazard showed closed,
    general) and the real history a mere conflict; verify said OK."""
    tmp_path, major, _ = closed
    reg = _events_of(tmp_path, major)[0]
    fake = rehash(dict(reg, id="E-YYYYY-YYYY1", at="2000-01-01T00:00:00+08:00",
                       data=dict(reg["data"], severity="general", description="无")))
    spot = rehash(dict(fake, id="E-YYYYY-YYYY2", seq=2, type="closed_on_spot", prev=fake["hash"],
                       data={"reason": "当场整改"}))
    p = parts(tmp_path / "a.zip")
    p["events.jsonl"] = jsonl([fake, spot])
    p["hazards.jsonl"] = jsonl([])
    before = (tmp_path / "b.json").read_bytes()
    r = invoke(["import", str(write(tmp_path / "evil.zip", p)), "--ledger", str(tmp_path / "b.json")])
    assert r.exit_code == 8 and major in r.stderr and "first event" in r.stderr, r.stderr
    assert (tmp_path / "b.json").read_bytes() == before
    shown = _show(tmp_path, major)
    assert shown["severity"] == "major" and shown["status"] == "open"
