"""Two laptops' ledgers merge into one without loss; importing again changes nothing."""
from __future__ import annotations

import json

from builders import inspect_dust, ledger_with_site, other_code
from cli.runner import invoke


def test_two_ledgers_merge_idempotently_and_verify(tmp_path):
    a = ledger_with_site(tmp_path / "a.json", today="2026-03-02")
    out_a = inspect_dust(a, {"GM10-11-10": {}, "DP6-9": {}}, tmp_path)
    b = ledger_with_site(tmp_path / "b.json", today="2026-03-03", code=other_code(2), name="乙木业")
    out_b = inspect_dust(b, {"DP6-9": {}}, tmp_path, code=other_code(2))
    general = next(h["id"] for h in out_b["hazards"])
    b.fixed(general, "已整改")

    r = invoke(["export", "--out", str(tmp_path / "b.zip"), "--ledger", str(tmp_path / "b.json"), "--json"])
    assert r.exit_code == 0 and r.json()["hazards"] == 1 and r.json()["evidence"] == 1
    r = invoke(["import", str(tmp_path / "b.zip"), "--ledger", str(tmp_path / "a.json"), "--json"])
    assert r.exit_code == 0, r.stderr
    assert r.json()["added"]["hazards"] == 1 and r.json()["added"]["sites"] == 1 and r.json()["conflicts"] == []
    before = (tmp_path / "a.json").read_bytes()
    again = invoke(["import", str(tmp_path / "b.zip"), "--ledger", str(tmp_path / "a.json"), "--json"])
    assert again.exit_code == 0 and not any(again.json()["added"].values())
    assert (tmp_path / "a.json").read_bytes() == before
    assert invoke(["verify", "--ledger", str(tmp_path / "a.json")]).exit_code == 0
    rows = invoke(["hazard", "list", "--ledger", str(tmp_path / "a.json"), "--json"]).json()
    assert rows["total"] == len(out_a["hazards"]) + 1


def test_the_same_hazard_changed_on_two_laptops_is_a_conflict_that_loses_nothing(tmp_path):
    a = ledger_with_site(tmp_path / "a.json", today="2026-03-02")
    hid = inspect_dust(a, {"DP6-9": {}}, tmp_path)["hazards"][0]["id"]
    invoke(["export", "--out", str(tmp_path / "a.zip"), "--ledger", str(tmp_path / "a.json")])
    invoke(["import", str(tmp_path / "a.zip"), "--ledger", str(tmp_path / "b.json")])
    # laptop A extends, laptop B records the fix: both change the same hazard
    assert invoke(["hazard", "extend", hid, "--to", "2026-04-01", "--reason", "采购", "--ledger", str(tmp_path / "a.json"),
                   "--today", "2026-03-03"]).exit_code == 0
    assert invoke(["hazard", "fixed", hid, "--ledger", str(tmp_path / "b.json"), "--today", "2026-03-03"]).exit_code == 0
    invoke(["export", "--out", str(tmp_path / "b.zip"), "--ledger", str(tmp_path / "b.json")])
    r = invoke(["import", str(tmp_path / "b.zip"), "--ledger", str(tmp_path / "a.json"), "--json"])
    assert r.exit_code == 0
    [conflict] = r.json()["conflicts"]
    assert conflict["id"] == hid and "changed on both ledgers" in conflict["message"]
    listed = invoke(["conflicts", "--ledger", str(tmp_path / "a.json"), "--json"]).json()["conflicts"]
    [kept] = listed
    assert kept["id"] == conflict["conflict"]
    # both sides kept: the one recorded first is shown, the other is the conflict
    assert sorted([kept["mine"][0]["type"], kept["theirs"][0]["type"]]) == ["extended", "fixed"]
    assert invoke(["verify", "--ledger", str(tmp_path / "a.json")]).exit_code == 0
    again = invoke(["import", str(tmp_path / "b.zip"), "--ledger", str(tmp_path / "a.json"), "--json"])
    assert again.json()["conflicts"] == []


def test_a_tampered_bundle_is_refused(tmp_path):
    import zipfile

    a = ledger_with_site(tmp_path / "a.json", today="2026-03-02")
    inspect_dust(a, {"DP6-9": {}}, tmp_path)
    invoke(["export", "--out", str(tmp_path / "a.zip"), "--ledger", str(tmp_path / "a.json")])
    with zipfile.ZipFile(tmp_path / "a.zip") as z:
        parts = {n: z.read(n) for n in z.namelist()}
    parts["events.jsonl"] = parts["events.jsonl"].replace("当场".encode(), "x".encode()).replace(b'"deadline"', b'"deadline" ', 1)
    parts["events.jsonl"] = parts["events.jsonl"].replace(b'"note": ""', b'"note": "edited"', 1)
    with zipfile.ZipFile(tmp_path / "bad.zip", "w") as z:
        for n, d in parts.items():
            z.writestr(n, d)
    r = invoke(["import", str(tmp_path / "bad.zip"), "--ledger", str(tmp_path / "c.json")])
    assert r.exit_code == 8 and "does not verify" in r.stderr
    assert not (tmp_path / "c.json").exists()


def test_a_large_bundle_merges_in_one_pass(tmp_path):
    from inspect_cli.hazard import moves as hz
    from inspect_cli.clock import Clock
    from inspect_cli.ledger import open_ledger

    a = open_ledger(tmp_path / "a.json", today="2026-03-01")
    clock = Clock.make("2026-03-01")
    with a.write() as st:
        ids = [hz.register(st, {"site": "S", "severity": "general", "item": "X", "deadline": "2026-03-08"}, clock, "t")["id"]
               for _ in range(300)]
        for hid in ids[:100]:
            hz.fixed(st, hid, "", [], clock, "t")
    a.export(tmp_path / "a.zip")
    b = open_ledger(tmp_path / "b.json", today="2026-03-01")
    assert b.import_bundle(tmp_path / "a.zip")["added"]["hazards"] == 300
    with a.write() as st:  # A goes on; B takes the new events on the next import
        for hid in ids[:50]:
            hz.interim(st, hid, "临时措施", clock, "t")
    a.export(tmp_path / "a2.zip")
    report = b.import_bundle(tmp_path / "a2.zip")
    assert report["extended"] == 50 and report["conflicts"] == []
    assert b.verify()["problems"] == []
