"""Two laptops that exchange bundles end with the same events and hazards, whatever the
order of the imports, and no side's work is ever lost (hypothesis over random histories)."""
from __future__ import annotations

import datetime as dt
import json
import tempfile
from pathlib import Path

from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from builders import INSPECTORS
from inspect_cli.hazard import moves as hz
from inspect_cli.clock import Clock
from inspect_cli.errors import InspectError
from inspect_cli.ledger import open_ledger

START = dt.date(2026, 3, 2)
MOVES = ("fixed", "extend", "interim", "pass", "fail", "resolve_mine", "resolve_theirs")
WEIGHTED = MOVES + ("resolve_mine", "resolve_theirs") * 2


def _content(path: Path) -> dict:
    ledger = open_ledger(path)
    with ledger.read() as s:
        return {"events": {e["id"]: e for e in s.find("events")},
                "hazards": {h["id"]: h for h in s.find("hazards")}}


def _act(path: Path, day: dt.date, hid: str, move: str) -> None:
    ledger = open_ledger(path, today=day.isoformat())
    try:
        if move == "fixed":
            ledger.fixed(hid, "已整改")
        elif move == "extend":
            h, _ = ledger.hazard(hid)
            ledger.extend(hid, (max(dt.date.fromisoformat(h["deadline"]), day) + dt.timedelta(days=5)).isoformat(), "采购")
        elif move == "interim":
            ledger.interim(hid, "临时围挡")
        elif move in ("pass", "fail"):
            ledger.reinspect(hid, move, INSPECTORS[:1])
        else:
            open_ = ledger.conflicts()  # any open conflict on this laptop
            if open_:
                ledger.resolve_conflict(open_[0]["id"], move.split("_")[1], "核实后确认")
    except InspectError:
        pass  # a move the hazard's state or the time-order rule does not allow: nothing happens


def _sync(src: Path, dst: Path, folder: Path, n: int) -> Path:
    bundle = folder / f"{src.stem}-{n}.zip"
    open_ledger(src).export(bundle)
    open_ledger(dst, today="2030-01-01").import_bundle(bundle)
    return bundle


# acting more often than syncing, on two hazards mostly: histories that fork, grow on both
# branches, get resolved on one laptop while the other goes on
step = st.tuples(st.sampled_from(("a", "a", "b", "b", "sync_ab", "sync_ba")), st.sampled_from((0, 0, 1, 2)),
                 st.sampled_from(WEIGHTED), st.integers(0, 3))


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(steps=st.lists(step, min_size=4, max_size=20), a_first=st.booleans())
# a fork, resolved on B while A goes on along its branch, then a second exchange
@example(steps=[("a", 0, "interim", 1), ("b", 0, "fixed", 0), ("sync_ab", 0, "fixed", 0),
                ("b", 0, "resolve_theirs", 1), ("a", 0, "fixed", 1), ("sync_ba", 0, "fixed", 0),
                ("a", 0, "resolve_mine", 1), ("b", 0, "pass", 1)], a_first=False)
def test_two_laptops_converge_whatever_the_order(steps, a_first):
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        a, b = folder / "a.json", folder / "b.json"
        base = open_ledger(a, today=START.isoformat())
        clock = Clock.make(START.isoformat())
        with base.write() as s:
            ids = [hz.register(s, {"site": "S", "severity": "general", "item": f"X{i}", "deadline": "2026-03-09"},
                               clock, "甲")["id"] for i in range(3)]
        _sync(a, b, folder, 0)
        day = START
        written = set()
        for n, (who, k, move, gap) in enumerate(steps, start=1):
            day += dt.timedelta(days=gap)
            if who == "sync_ab":
                _sync(a, b, folder, n)
            elif who == "sync_ba":
                _sync(b, a, folder, n)
            else:
                _act(a if who == "a" else b, day, ids[k], move)
        for p in (a, b):
            written |= set(_content(p)["events"])
        # the two final bundles, imported by two fresh ledgers in opposite orders
        ba, bb = folder / "final-a.zip", folder / "final-b.zip"
        open_ledger(a).export(ba)
        open_ledger(b).export(bb)
        c, d = folder / "c.json", folder / "d.json"
        for path, order in ((c, (ba, bb)), (d, (bb, ba))):
            for bundle in order:
                open_ledger(path, today="2030-01-01").import_bundle(bundle)
        # and the two laptops exchange, in either order
        first, second = (a, b) if a_first else (b, a)
        _sync(first, second, folder, 100)
        _sync(second, first, folder, 101)
        ca, cb, cc, cd = (_content(p) for p in (a, b, c, d))
        assert ca == cb == cc == cd
        assert set(ca["events"]) == written  # nothing either laptop wrote was lost
        for p in (a, b):
            assert open_ledger(p).verify()["problems"] == []
        again = open_ledger(a, today="2030-01-01").import_bundle(bb)
        assert not any(again["added"].values())


def test_a_hazard_in_conflict_keeps_receiving_the_other_sides_later_events(tmp_path):
    """On c51b00a, B's fix and passing re-inspection after a conflict were stored nowhere."""
    a, b = tmp_path / "a.json", tmp_path / "b.json"
    la = open_ledger(a, today="2026-03-02")
    with la.write() as s:
        hid = hz.register(s, {"site": "S", "severity": "general", "item": "X", "deadline": "2026-03-09"},
                          Clock.make("2026-03-02"), "甲")["id"]
    _sync(a, b, tmp_path, 0)
    open_ledger(a, today="2026-03-03").interim(hid, "围挡")
    open_ledger(b, today="2026-03-03").extend(hid, "2026-03-20", "采购")
    _sync(b, a, tmp_path, 1)  # now in conflict on A
    open_ledger(b, today="2026-03-04").fixed(hid, "已整改")
    open_ledger(b, today="2026-03-05").reinspect(hid, "pass", INSPECTORS[:1])
    report = open_ledger(a, today="2026-03-06").import_bundle(_export(b, tmp_path / "b2.zip"))
    assert report["added"]["events"] >= 1
    history = open_ledger(a).hazard_history(hid)
    assert {"fixed", "reinspected"} <= {e["type"] for e in history}
    _sync(a, b, tmp_path, 3)
    assert _content(a) == _content(b)


def _export(path: Path, out: Path) -> Path:
    open_ledger(path).export(out)
    return out


def test_conflicts_travel_resolve_as_an_event_and_show_in_history(tmp_path):
    from builders import inspect_dust, ledger_with_site
    from cli.runner import invoke

    a, b = tmp_path / "a.json", tmp_path / "b.json"
    hid = inspect_dust(ledger_with_site(a), {"DP6-9": {}}, tmp_path)["hazards"][0]["id"]
    _sync(a, b, tmp_path, 0)
    open_ledger(a, today="2026-03-03").interim(hid, "围挡")
    open_ledger(b, today="2026-03-03").fixed(hid, "已整改")
    _sync(a, b, tmp_path, 1)
    c = tmp_path / "c.json"
    _sync(b, c, tmp_path, 2)  # C never saw A: the conflict reaches it in B's bundle
    for p in (a, b, c):
        assert p == a or len(open_ledger(p).conflicts()) == 1
    listed = invoke(["conflicts", "--ledger", str(c), "--json"]).json()
    [conflict] = listed["conflicts"]
    assert conflict["hazard"] == hid and conflict["status"] == "open"
    shown = invoke(["hazard", "show", hid, "--ledger", str(c), "--json"]).json()
    assert sorted(e["type"] for e in shown["history"]) == ["fixed", "interim", "registered"]
    assert [e["conflict"] for e in shown["history"]].count(conflict["id"]) == 1

    text = invoke(["hazard", "show", hid, "--ledger", str(c)])
    assert text.exit_code == 0 and conflict["id"] in text.stdout and "冲突" in text.stdout
    theirs_type = conflict["theirs"][0]["type"]
    before = {e["id"] for e in shown["history"]}
    r = invoke(["conflicts", "resolve", conflict["id"], "--keep", "theirs", "--reason", "现场核实",
                "--ledger", str(c), "--today", "2026-03-04", "--json"])
    assert r.exit_code == 0, r.stderr
    after = invoke(["hazard", "show", hid, "--ledger", str(c), "--json"]).json()
    assert before < {e["id"] for e in after["history"]}  # nothing deleted, one event more
    resolved = [e for e in after["history"] if e["type"] == "resolved"]
    assert resolved[0]["data"]["keep"] == "theirs" and resolved[0]["note"] == "现场核实"
    assert after["status"] == ("fixed" if theirs_type == "fixed" else "open")
    assert invoke(["conflicts", "--ledger", str(c), "--json"]).json()["total"] == 0
    assert invoke(["conflicts", "--all", "--ledger", str(c), "--json"]).json()["conflicts"][0]["status"] == "resolved"
    assert invoke(["verify", "--ledger", str(c)]).exit_code == 0
    # the resolution travels: A and B take it and no longer list the conflict
    _sync(c, a, tmp_path, 3)
    _sync(c, b, tmp_path, 4)
    assert open_ledger(a).conflicts() == [] and open_ledger(b).conflicts() == []
    again = invoke(["conflicts", "resolve", conflict["id"], "--keep", "mine", "--reason", "x", "--ledger", str(c)])
    assert again.exit_code == 2 and "already resolved" in again.stderr
    missing = invoke(["conflicts", "resolve", "H-00000-00000:abc", "--keep", "mine", "--reason", "x", "--ledger", str(c)])
    assert missing.exit_code == 3 and "no conflict" in missing.stderr


def test_a_conflict_kept_by_an_older_version_joins_the_history_on_the_next_import(tmp_path):
    """Before bundle version 2 the other side's events lived only in the conflicts table."""
    from inspect_cli.hazard import history

    a, b = tmp_path / "a.json", tmp_path / "b.json"
    la = open_ledger(a, today="2026-03-02")
    with la.write() as s:
        h = hz.register(s, {"site": "S", "severity": "general", "item": "X", "deadline": "2026-03-09"},
                        Clock.make("2026-03-02"), "甲")
        theirs = history.make_event(h, "fixed", "2026-03-03", "2026-03-03T09:00:00+08:00", "乙", {})
        s.put("conflicts", f"{h['id']}:{theirs['hash'][:16]}", {"id": f"{h['id']}:{theirs['hash'][:16]}",
              "hazard": h["id"], "found": "2026-03-03", "local_head": h["head"], "their_events": [theirs]})
    open_ledger(a, today="2026-03-03").interim(h["id"], "围挡")
    assert la.conflicts() == []
    open_ledger(b, today="2026-03-02").add_site({"code": "91350100M000100Y43", "name": "x"})
    _sync(b, a, tmp_path, 1)
    [c] = open_ledger(a).conflicts()
    assert c["hazard"] == h["id"] and {e["type"] for e in c["mine"] + c["theirs"]} == {"interim", "fixed"}
    assert open_ledger(a).verify()["problems"] == []
