"""A seal pins the case record outside the ledger: `inspect verify --seal` catches what a
rebuilt hash chain hides (on c51b00a all of these passed `inspect verify`)."""
from __future__ import annotations

import json
import sqlite3

import pytest

from builders import INSPECTOR_ARGS, inspect_dust, ledger_with_site
from cli.runner import invoke
from inspect_cli.hazard.history import event_hash
from inspect_cli.hazard.lifecycle import replay


def _build(path, tmp_path):
    ledger = ledger_with_site(path, today="2026-03-02")
    out = inspect_dust(ledger, {"GM10-11-10": {}, "DP6-9": {}}, tmp_path)
    major = next(h["id"] for h in out["hazards"] if h["severity"] == "major")
    general = next(h["id"] for h in out["hazards"] if h["severity"] == "general")
    assert invoke(["hazard", "fixed", general, "--ledger", str(path), "--today", "2026-03-04"]).exit_code == 0
    assert invoke(["reinspect", "hazard", general, "--pass", *INSPECTOR_ARGS, "--ledger", str(path),
                   "--today", "2026-03-05"]).exit_code == 0
    return major, general


@pytest.fixture
def sealed(tmp_path):
    path = tmp_path / "ledger.json"
    major, general = _build(path, tmp_path)
    r = invoke(["seal", "--out", str(tmp_path / "seal.json"), "--ledger", str(path), "--today", "2026-03-31"])
    assert r.exit_code == 0, r.stderr
    digest = r.stdout.strip().splitlines()[-1]
    assert len(digest) == 64
    return path, tmp_path / "seal.json", digest, major, general


def _verify(path, seal, *extra):
    return invoke(["verify", "--ledger", str(path), "--seal", str(seal), *extra])


def _rebuild(path, hid, change):
    """What an attacker with the project's own hash function does: edit, re-chain, re-replay."""
    data = json.loads(path.read_text(encoding="utf-8"))
    evs = sorted((e for e in data["events"].values() if e["subject"] == hid), key=lambda e: e["seq"])
    change(evs)
    prev = ""
    for e in evs:
        e["prev"] = prev
        e["hash"] = event_hash(e)
        prev = e["hash"]
    data["events"] = {k: v for k, v in data["events"].items() if v["subject"] != hid} | {e["id"]: e for e in evs}
    data["hazards"][hid] = dict(replay(evs), head=prev, events=len(evs))
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")


def test_an_untouched_or_extended_ledger_passes_its_seal(sealed):
    path, seal, digest, major, _ = sealed
    r = _verify(path, seal, "--digest", digest)
    assert r.exit_code == 0 and "sealed record(s) checked" in r.stdout
    assert invoke(["hazard", "extend", major, "--to", "2026-05-01", "--reason", "采购", "--ledger", str(path),
                   "--today", "2026-04-01"]).exit_code == 0
    grown = _verify(path, seal)
    assert grown.exit_code == 0 and "Added since the seal (not covered by it): 1 event(s)" in grown.stderr + grown.stdout


def _change_closure(evs):
    evs[-1]["date"] = "2026-03-06"


def _reopen(evs):
    del evs[-1]


def _downgrade(evs):
    evs[0]["data"]["severity"] = "general"


@pytest.mark.parametrize("change, target", [(_change_closure, "general"), (_reopen, "general"), (_downgrade, "major")])
def test_a_rebuilt_chain_passes_verify_but_not_the_seal(sealed, change, target):
    path, seal, _, major, general = sealed
    hid = general if target == "general" else major
    _rebuild(path, hid, change)
    assert invoke(["verify", "--ledger", str(path)]).exit_code == 0  # internally consistent
    r = _verify(path, seal)
    assert r.exit_code == 8 and hid in r.stdout
    assert "changed since the seal" in r.stdout or "no longer in the ledger" in r.stdout


def test_a_ledger_swapped_for_another_consistent_history_fails(sealed, tmp_path):
    path, seal, _, _, _ = sealed
    other = tmp_path / "other" / "ledger.json"
    other.parent.mkdir()
    _build(other, other.parent)
    assert invoke(["verify", "--ledger", str(other)]).exit_code == 0
    r = _verify(other, seal)
    assert r.exit_code == 8 and "no longer in the ledger (removed)" in r.stdout


def test_edited_inspection_site_and_document_number_are_named(sealed):
    path, seal, _, major, _ = sealed
    data = json.loads(path.read_text(encoding="utf-8"))
    insp = next(iter(data["inspections"].values()))
    key = next(iter(insp["answers"]))
    insp["answers"][key]["note"] = "后来改的"
    site = next(iter(data["sites"].values()))
    site["name"] = "另一家公司"
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    r = _verify(path, seal)
    assert r.exit_code == 8
    assert f"inspection {insp['id']}: changed since the seal" in r.stdout
    assert f"site {site['code']}: changed since the seal" in r.stdout


def test_a_document_number_is_sealed(tmp_path):
    path = tmp_path / "ledger.json"
    major, _ = _build(path, tmp_path)
    assert invoke(["config", "set", "org.code", "穗", "--ledger", str(path)]).exit_code == 0
    inspection = invoke(["hazard", "show", major, "--ledger", str(path), "--json"]).json()["inspection"]
    assert invoke(["report", "order", inspection, "--out", str(tmp_path / "o.html"), "--ledger", str(path),
                   "--today", "2026-03-03"]).exit_code == 0
    assert invoke(["seal", "--out", str(tmp_path / "s.json"), "--ledger", str(path)]).exit_code == 0
    seal = json.loads((tmp_path / "s.json").read_text(encoding="utf-8"))
    assert seal["counts"]["document"] == 1
    data = json.loads(path.read_text(encoding="utf-8"))
    doc = next(d for k, d in data["documents"].items() if not k.startswith("seq:"))
    doc["number"] = doc["number"].replace("1号", "9号")
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    r = _verify(path, tmp_path / "s.json")
    assert r.exit_code == 8 and "document" in r.stdout and "changed since the seal" in r.stdout


def test_an_edited_seal_file_or_another_digest_fails(sealed):
    path, seal, digest, _, _ = sealed
    assert _verify(path, seal, "--digest", "0" * 16).exit_code == 8
    s = json.loads(seal.read_text(encoding="utf-8"))
    s["records"] = s["records"][:-1]
    seal.write_text(json.dumps(s), encoding="utf-8")
    r = _verify(path, seal)
    assert r.exit_code == 8 and "the seal file was edited" in r.stdout
    seal.write_text("{}", encoding="utf-8")
    assert _verify(path, seal).exit_code == 4
    assert invoke(["verify", "--ledger", str(path), "--digest", "abc"]).exit_code == 2


def test_sqlite_indexed_columns_that_disagree_with_the_records_fail_verify(tmp_path):
    path = tmp_path / "ledger.sqlite"
    major, _ = _build(path, tmp_path)
    assert invoke(["verify", "--ledger", str(path)]).exit_code == 0
    with sqlite3.connect(path) as conn:
        conn.execute("UPDATE hazards SET status = 'closed', severity = 'general' WHERE id = ?", (major,))
    listed = invoke(["hazard", "list", "--status", "closed", "--ledger", str(path), "--json"]).json()
    assert major in {h["id"] for h in listed["hazards"]}  # what the indexed column says, not the record
    r = invoke(["verify", "--ledger", str(path)])
    assert r.exit_code == 8 and major in r.stdout and "indexed column(s) status" in r.stdout


def test_the_digests_for_paper_change_with_what_they_pin(sealed):
    """The bulletin prints seal_digest(); an order or a review prints head_hashes() of its hazards."""
    from inspect_cli.ledger import open_ledger

    path, seal, digest, major, general = sealed
    ledger = open_ledger(path, today="2026-04-01")
    assert ledger.seal_digest() == digest
    pinned = ledger.head_hashes([major])
    assert pinned == ledger.head_hashes([major]) != ledger.head_hashes([general])
    ledger.extend(major, "2026-05-01", "采购")
    assert ledger.head_hashes([major]) != pinned and ledger.seal_digest() != digest
