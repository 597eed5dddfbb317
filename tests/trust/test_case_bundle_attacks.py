"""Administrative cases in a bundle are untrusted input too: a crafted case history is refused
by import (exit 8, ledger byte-identical) and, if edited into a ledger, found by verify."""
from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from builders import INSPECTOR_ARGS, INSPECTORS, inspect_dust, ledger_with_site
from cli.runner import invoke
from inspect_cli.case import machine
from inspect_cli.ledger import open_ledger
from trust.bundles import jsonl, parts, rehash, rows, write


def _cmd(path: Path, today: str, *args: str) -> Any:
    return invoke([*args, "--ledger", str(path), "--today", today])


@pytest.fixture
def closed_case(tmp_path):
    """Laptop A with a case run to 结案 (a 20,000 yuan fine, paid), its bundle, and laptop B
    that imported it."""
    a = tmp_path / "a.json"
    ledger = ledger_with_site(a, today="2026-03-02")
    out = inspect_dust(ledger, {"GM10-11-10": {}, "DP6-9": {}}, tmp_path)
    hid = next(h["id"] for h in out["hazards"] if h["item"] == "DP6-9")
    open_ledger(a, today="2026-03-10").reinspect(hid, "fail", INSPECTORS[:1], "仍未配发", deadline="2026-03-20")
    r = _cmd(a, "2026-03-11", "case", "open", "--reinspection", hid, *INSPECTOR_ARGS, "--json")
    assert r.exit_code == 0, r.stderr
    cid = r.json()["id"]
    for day, args in [("2026-03-12", ["investigate", cid, "--note", "询问笔录"]),
                      ("2026-03-13", ["notify", cid, "--penalty", "fine", "--amount", "30000"]),
                      ("2026-03-14", ["statement", cid, "--text", "请求从轻"]),
                      ("2026-03-15", ["decide", cid, "--penalty", "fine", "--amount", "20000"]),
                      ("2026-03-16", ["serve", cid, "--method", "邮寄送达"]),
                      ("2026-03-20", ["execute", cid, "--how", "paid"]),
                      ("2026-03-21", ["close", cid])]:
        assert _cmd(a, day, "case", *args).exit_code == 0, args
    assert invoke(["export", "--out", str(tmp_path / "a.zip"), "--ledger", str(a)]).exit_code == 0
    assert invoke(["import", str(tmp_path / "a.zip"), "--ledger", str(tmp_path / "b.json")]).exit_code == 0
    return tmp_path, cid


def _b(tmp_path: Path) -> bytes:
    return (tmp_path / "b.json").read_bytes()


def _case_events(tmp_path: Path) -> list[dict[str, Any]]:
    return sorted(rows(parts(tmp_path / "a.zip")["case_events.jsonl"]), key=lambda e: e["seq"])


def _after(prev: dict[str, Any], eid: str, type_: str, date: str, data: dict[str, Any],
           bogus: bool = False) -> dict[str, Any]:
    e = dict(prev, id=eid, seq=prev["seq"] + 1, type=type_, date=date, at=date + "T10:00:00+08:00", prev=prev["hash"],
             data=data, note="", evidence=[])
    if bogus:
        e["hash"] = "0" * 64
        return e
    return rehash(e)


def _bundle(tmp_path: Path, events: list[dict[str, Any]], cases: list[Any]) -> Path:
    p = parts(tmp_path / "a.zip")
    p["case_events.jsonl"] = jsonl(events)
    p["cases.jsonl"] = jsonl(cases)
    return write(tmp_path / "evil.zip", p)


def _import(tmp_path: Path, bundle: Path) -> Any:
    return invoke(["import", str(bundle), "--ledger", str(tmp_path / "b.json")])


def _stage(tmp_path: Path, cid: str) -> str:
    return str(invoke(["case", "show", cid, "--ledger", str(tmp_path / "b.json"), "--json"]).json()["stage"])


def test_a_case_event_with_a_bogus_hash_for_a_case_left_out_of_the_list_is_not_stored(closed_case):
    tmp_path, cid = closed_case
    evs = _case_events(tmp_path)
    forged = _after(evs[-1], "E-ZZZZZ-ZZZZ1", "notified", "2026-04-01",
                    {"types": ["fine"], "amount": 999999, "hearing_right": False, "basis": "x"}, bogus=True)
    before = _b(tmp_path)
    r = _import(tmp_path, _bundle(tmp_path, evs + [forged], []))
    assert r.exit_code == 8 and cid in r.stderr and "hash" in r.stderr, r.stderr
    assert _b(tmp_path) == before and _stage(tmp_path, cid) == "closed"
    assert invoke(["verify", "--ledger", str(tmp_path / "b.json")]).exit_code == 0


def test_a_case_event_replayed_with_changes_under_the_same_id_is_refused(closed_case):
    """A second laptop sends back this ledger's own events, changed and re-hashed."""
    tmp_path, cid = closed_case
    evs = _case_events(tmp_path)
    evs[-1] = rehash(dict(evs[-1], data={"reason": "改过的结案理由"}))
    before = _b(tmp_path)
    r = _import(tmp_path, _bundle(tmp_path, evs, []))
    assert r.exit_code == 8 and evs[-1]["id"] in r.stderr and "differs" in r.stderr, r.stderr
    assert _b(tmp_path) == before


def _reopened(evs: list[dict[str, Any]]) -> list[dict[str, Any]]:
    e9 = _after(evs[-1], "E-ZZZZZ-ZZZZ1", "notified", "2026-04-01",
                {"types": ["fine"], "amount": 999999, "hearing_right": True, "basis": "x"})
    e10 = _after(e9, "E-ZZZZZ-ZZZZ2", "decided", "2026-04-02",
                 {"types": ["fine"], "amount": 999999, "outcome": "penalty", "reason": "", "basis": "x"})
    return evs + [e9, e10]


def test_a_well_hashed_chain_cannot_reopen_a_closed_case(closed_case):
    """结案 is final: a chain that goes on after it replays to nothing legal."""
    tmp_path, cid = closed_case
    evs = _reopened(_case_events(tmp_path))
    case = dict(_project(evs), head=evs[-1]["hash"], events=len(evs))
    before = _b(tmp_path)
    r = _import(tmp_path, _bundle(tmp_path, evs, [case]))
    assert r.exit_code == 8 and cid in r.stderr and "closed" in r.stderr, r.stderr
    assert _b(tmp_path) == before and _stage(tmp_path, cid) == "closed"


def _skip_notice(evs: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """investigated → decided: 决定 without 告知 (the party never heard)."""
    inv = next(e for e in evs if e["type"] == "investigated")
    keep = [e for e in evs if e["seq"] <= inv["seq"]]
    return keep + [_after(inv, "E-ZZZZZ-ZZZZ3", "decided", "2026-03-15",
                          {"types": ["fine"], "amount": 20000, "outcome": "penalty", "reason": "", "basis": "x"})]


def _heavier(evs: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """A decision above the notified fine."""
    st = next(e for e in evs if e["type"] == "statement")
    keep = [e for e in evs if e["seq"] <= st["seq"]]
    return keep + [_after(st, "E-ZZZZZ-ZZZZ4", "decided", "2026-03-15",
                          {"types": ["fine", "suspension"], "amount": 90000, "outcome": "penalty", "reason": "",
                           "basis": "x"})]


def _closed_unpaid(evs: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """served → closed with a fine never executed."""
    sv = next(e for e in evs if e["type"] == "served")
    keep = [e for e in evs if e["seq"] <= sv["seq"]]
    return keep + [_after(sv, "E-ZZZZZ-ZZZZ5", "closed", "2026-03-21", {"reason": "结案"})]


def _executed_before_served(evs: list[dict[str, Any]]) -> list[dict[str, Any]]:
    dc = next(e for e in evs if e["type"] == "decided")
    keep = [e for e in evs if e["seq"] <= dc["seq"]]
    return keep + [_after(dc, "E-ZZZZZ-ZZZZ6", "executed", "2026-03-16", {"how": "paid", "amount": 20000})]


@pytest.mark.parametrize("forge, says", [
    (_skip_notice, "cannot decide"),
    (_heavier, "heavier"),
    (_closed_unpaid, "cannot close"),
    (_executed_before_served, "cannot execute"),
])
def test_a_well_hashed_case_history_that_skips_a_stage_is_refused(closed_case, forge, says):
    """The history brought to a fresh ledger, every hash right and the case record its lax
    projection: 决定 without 告知, heavier than notified, 结案 unpaid, 执行 before 送达."""
    tmp_path, cid = closed_case
    evs = forge(_case_events(tmp_path))
    case = dict(_project(evs), head=evs[-1]["hash"], events=len(evs))
    p = parts(tmp_path / "a.zip")
    p["case_events.jsonl"] = jsonl(evs)
    p["cases.jsonl"] = jsonl([case])
    fresh = tmp_path / "d.json"
    r = invoke(["import", str(write(tmp_path / "evil.zip", p)), "--ledger", str(fresh)])
    assert r.exit_code == 8 and cid in r.stderr and says in r.stderr, r.stderr
    listed = invoke(["case", "list", "--ledger", str(fresh), "--json"])
    assert listed.exit_code != 0 or listed.json()["total"] == 0


def _project(evs: list[dict[str, Any]]) -> dict[str, Any]:
    """The case record as a lax projection would give it (what a forger writes into cases.jsonl)."""
    state: dict[str, Any] = {}
    for e in evs:
        try:
            state = machine.apply(state, e)
        except Exception:  # noqa: BLE001 - the forger does not care
            stage = {"decided": "decided", "closed": "closed", "executed": "executed", "notified": "notified"}[e["type"]]
            state = dict(state, stage=stage, **({"notice": {"date": e["date"], **e["data"]}} if stage == "notified"
                                                else {}))
    return state


@pytest.mark.parametrize("member, data", [
    ("cases.jsonl", b'[1, 2]\n"x"\n'),
    ("case_events.jsonl", b'[1]\n'),
    ("case_events.jsonl", b'{"id": 5}\n'),
])
def test_malformed_case_records_are_a_clear_error(closed_case, member, data):
    tmp_path, _ = closed_case
    p = parts(tmp_path / "a.zip")
    p[member] = data
    before = _b(tmp_path)
    r = _import(tmp_path, write(tmp_path / "evil.zip", p))
    assert r.exit_code == 8 and "Traceback" not in r.stderr and "Internal error" not in r.stderr, r.stderr
    assert _b(tmp_path) == before


@pytest.mark.parametrize("change, says", [
    # the 立案 event of a new case naming an existing case: its record was overwritten (结案 → 立案)
    (lambda d, cid: dict(d, facts="伪造"), "opens case"),
    (lambda d, cid: dict(d, id=cid, hazards="x"), "hazards"),
    (lambda d, cid: dict(d, id=cid, hazards=["H-ZZZZZ-ZZZZZ"]), "H-ZZZZZ-ZZZZZ"),
    (lambda d, cid: dict(d, id=cid, handlers=5), "handlers"),
    (lambda d, cid: dict(d, id=cid, site=["a"]), "site"),
])
def test_a_crafted_opening_event_is_refused(closed_case, change, says):
    tmp_path, old = closed_case
    new = "C-NNNNN-NNNNN"
    first = _case_events(tmp_path)[0]
    opened = rehash(dict(first, id="E-NNNNN-NNNN1", subject=new, data=change(first["data"], new)))
    before = _b(tmp_path)
    r = _import(tmp_path, _bundle(tmp_path, [opened], []))
    assert r.exit_code == 8 and new in r.stderr and says in r.stderr, r.stderr
    assert _b(tmp_path) == before and _stage(tmp_path, old) == "closed"


@pytest.mark.parametrize("etype, change, says", [
    ("notified", {"amount": "abc"}, "amount"),
    ("decided", {"types": "fine"}, "types"),
    ("executed", {"amount": -1}, "amount"),
    ("executed", {"how": "hope"}, "how"),
])
def test_case_event_data_of_the_wrong_shape_is_refused(closed_case, etype, change, says):
    """Amounts and penalty kinds are summed and counted by stats and the bulletin."""
    tmp_path, cid = closed_case
    evs = _case_events(tmp_path)
    fresh = "C-NNNNN-NNNNN"
    out: list[dict[str, Any]] = []
    for e in evs:  # the same case re-made under a new id, one event's data changed
        data = dict(e["data"], id=fresh) if e["type"] == "opened" else dict(e["data"], **(change if e["type"] == etype else {}))
        out.append(rehash(dict(e, id=e["id"][:-1] + "Z", subject=fresh, data=data,
                               prev=out[-1]["hash"] if out else e["prev"])))
    before = _b(tmp_path)
    r = _import(tmp_path, _bundle(tmp_path, evs + out, []))
    assert r.exit_code == 8 and fresh in r.stderr and says in r.stderr, r.stderr
    assert _b(tmp_path) == before


def test_two_laptops_opening_a_case_on_one_hazard_are_told_at_import(tmp_path):
    """一事不再罚: A and B, offline, each open a case on the same failed hazard. The merge
    keeps both (nothing is lost) but says that one must be withdrawn."""
    a, b = tmp_path / "a.json", tmp_path / "b.json"
    out = inspect_dust(ledger_with_site(a, today="2026-03-02"), {"DP6-9": {}}, tmp_path)
    hid = out["hazards"][0]["id"]
    open_ledger(a, today="2026-03-10").reinspect(hid, "fail", INSPECTORS[:1], "仍未配发", deadline="2026-03-20")
    assert invoke(["export", "--out", str(tmp_path / "a0.zip"), "--ledger", str(a)]).exit_code == 0
    assert invoke(["import", str(tmp_path / "a0.zip"), "--ledger", str(b)]).exit_code == 0
    ids = []
    for path in (a, b):
        r = _cmd(path, "2026-03-11", "case", "open", "--reinspection", hid, *INSPECTOR_ARGS, "--json")
        assert r.exit_code == 0, r.stderr
        ids.append(r.json()["id"])
    assert invoke(["export", "--out", str(tmp_path / "b.zip"), "--ledger", str(b)]).exit_code == 0
    r = invoke(["import", str(tmp_path / "b.zip"), "--ledger", str(a), "--json"])
    assert r.exit_code == 0, r.stderr
    said = [c for c in r.json()["conflicts"] if c["table"] == "cases"]
    assert said and all(x in said[0]["message"] for x in (hid, ids[0], ids[1], "一事不再罚")), said
    listed = invoke(["case", "list", "--ledger", str(a), "--json"]).json()
    assert {c["id"] for c in listed["cases"]} == set(ids)  # both kept
