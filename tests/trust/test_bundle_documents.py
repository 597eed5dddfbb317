"""Document numbers and org.* settings across laptops."""
from __future__ import annotations

import json

from builders import inspect_dust, ledger_with_site, other_code
from cli.runner import invoke


def _order(path, tmp_path, name):
    ledger_file = str(path)
    hid = json.loads((path).read_text(encoding="utf-8"))["hazards"]
    inspection = next(iter(hid.values()))["inspection"]
    r = invoke(["report", "order", inspection, "--out", str(tmp_path / f"{name}.html"), "--ledger", ledger_file,
                "--today", "2026-03-03", "--json"])
    assert r.exit_code == 0, r.stderr
    data = json.loads(path.read_text(encoding="utf-8"))
    return {d["number"] for k, d in data["documents"].items() if not k.startswith("seq:") and "number" in d}


def _laptop(tmp_path, name, code_n):
    path = tmp_path / f"{name}.json"
    ledger = ledger_with_site(path, code=other_code(code_n), name=f"{name}木业")
    inspect_dust(ledger, {"DP6-9": {}}, tmp_path, code=other_code(code_n))
    return path


def _export(path, out):
    assert invoke(["export", "--out", str(out), "--ledger", str(path)]).exit_code == 0
    return out


def test_org_settings_travel_and_the_next_number_follows_the_imported_ones(tmp_path):
    a = _laptop(tmp_path, "a", 1)
    assert invoke(["config", "set", "org.code", "穗", "--ledger", str(a)]).exit_code == 0
    assert invoke(["config", "set", "org.name", "某区应急管理局", "--ledger", str(a)]).exit_code == 0
    numbers_a = _order(a, tmp_path, "a")
    b = _laptop(tmp_path, "b", 2)
    r = invoke(["import", str(_export(a, tmp_path / "a.zip")), "--ledger", str(b), "--json"])
    assert r.exit_code == 0, r.stderr
    assert r.json()["added"]["documents"] == 1 and r.json()["settings"] == []
    shown = invoke(["config", "show", "--ledger", str(b), "--json"]).json()
    assert "穗" in json.dumps(shown, ensure_ascii=False) and "某区应急管理局" in json.dumps(shown, ensure_ascii=False)
    data = json.loads(b.read_text(encoding="utf-8"))
    b_own = next(h for h in data["hazards"].values() if h["site"] == other_code(2))["inspection"]
    assert invoke(["report", "order", b_own, "--out", str(tmp_path / "b.html"), "--ledger", str(b),
                   "--today", "2026-03-04"]).exit_code == 0
    numbers_b = {d["number"] for k, d in json.loads(b.read_text(encoding="utf-8"))["documents"].items()
                 if not k.startswith("seq:") and "number" in d}
    assert len(numbers_b) == 2 and numbers_a < numbers_b  # B's own order did not repeat A's number


def test_different_org_values_are_reported_not_overwritten(tmp_path):
    a = _laptop(tmp_path, "a", 1)
    b = _laptop(tmp_path, "b", 2)
    invoke(["config", "set", "org.name", "甲局", "--ledger", str(a)])
    invoke(["config", "set", "org.name", "乙局", "--ledger", str(b)])
    r = invoke(["import", str(_export(a, tmp_path / "a.zip")), "--ledger", str(b), "--json"])
    assert r.exit_code == 0
    [differs] = r.json()["settings"]
    assert differs["key"] == "org.name" and differs["mine"] == "乙局" and differs["theirs"] == "甲局"
    text = invoke(["import", str(tmp_path / "a.zip"), "--ledger", str(b)])
    assert "org.name" in text.stderr
    assert "乙局" in json.dumps(invoke(["config", "show", "--ledger", str(b), "--json"]).json(), ensure_ascii=False)


def test_colliding_document_numbers_refuse_the_bundle_naming_them(tmp_path):
    a = _laptop(tmp_path, "a", 1)
    b = _laptop(tmp_path, "b", 2)
    for p in (a, b):
        assert invoke(["config", "set", "org.code", "穗", "--ledger", str(p)]).exit_code == 0
    [number] = _order(a, tmp_path, "a")
    assert _order(b, tmp_path, "b") == {number}  # offline, both laptops issued the same number
    before = b.read_bytes()
    r = invoke(["import", str(_export(a, tmp_path / "a.zip")), "--ledger", str(b)])
    assert r.exit_code == 8 and number in r.stderr and "may not share a number" in r.stderr
    assert b.read_bytes() == before


def test_one_document_served_on_both_laptops_is_a_conflict_not_a_refusal(tmp_path):
    """Both laptops printed the order of the same inspection, from two series: both kept."""
    a = _laptop(tmp_path, "a", 1)
    assert invoke(["config", "set", "org.code", "穗A", "--ledger", str(a)]).exit_code == 0
    b = tmp_path / "b.json"
    assert invoke(["import", str(_export(a, tmp_path / "a0.zip")), "--ledger", str(b)]).exit_code == 0
    assert invoke(["config", "set", "org.code", "穗A", "--ledger", str(b)]).exit_code == 0
    [number_a] = _order(a, tmp_path, "a")
    invoke(["config", "set", "docno.order", "B（{org}）应急责改〔{year}〕{seq}号", "--ledger", str(b)])
    [number_b] = _order(b, tmp_path, "b")
    assert number_a != number_b
    r = invoke(["import", str(_export(a, tmp_path / "a.zip")), "--ledger", str(b), "--json"])
    assert r.exit_code == 0, r.stderr
    [c] = r.json()["conflicts"]
    assert c["table"] == "documents" and number_a in c["message"] and number_b in c["message"]
    listed = invoke(["conflicts", "--ledger", str(b), "--json"]).json()["conflicts"]
    assert [x["table"] for x in listed] == ["documents"]
