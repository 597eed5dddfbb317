"""A failed re-inspection becomes a case and runs to 结案 through the CLI, with every refusal."""
from __future__ import annotations

import json

import pytest

from builders import INSPECTOR_ARGS, INSPECTORS, inspect_dust, ledger_with_site
from cli.runner import invoke
from inspect_cli.ledger import open_ledger


@pytest.fixture
def failed(tmp_path):
    """A ledger with two hazards at one site; the general one failed its re-inspection."""
    path = tmp_path / "ledger.json"
    ledger = ledger_with_site(path, today="2026-03-02")
    ledger.set_setting("org.code", "某应急")
    out = inspect_dust(ledger, {"GM10-11-10": {}, "DP6-9": {}}, tmp_path)
    ids = {h["item"]: h["id"] for h in out["hazards"]}
    open_ledger(path, today="2026-03-10").reinspect(ids["DP6-9"], "fail", INSPECTORS[:1], "仍未配发",
                                                     deadline="2026-03-20")
    return str(path), ids["DP6-9"], ids["GM10-11-10"], out["inspection"]["id"]


def cmd(path, today, *args):
    return invoke([*args, "--ledger", path, "--today", today])


def ledger_bytes(path):
    with open(path, "rb") as f:
        return f.read()


def test_failed_reinspection_runs_to_closure_and_prints_a_frozen_penalty_number(failed, tmp_path):
    path, hid, major, _ = failed
    hazard_before = json.loads(cmd(path, "2026-03-11", "hazard", "show", hid, "--json").stdout)
    r = cmd(path, "2026-03-11", "case", "open", "--reinspection", hid, *INSPECTOR_ARGS, "--json")
    assert r.exit_code == 0, r.stderr
    case = r.json()
    cid = case["id"]
    assert case["stage"] == "filed" and case["hazards"] == [hid]
    assert case["penalty_basis"] == "《中华人民共和国安全生产法》第一百零二条"
    assert case["basis"] and all("第" in b for b in case["basis"])
    assert case["source"]["reinspections"][0]["date"] == "2026-03-10"
    assert [h["cert"] for h in case["handlers"]] == ["44010012345", "44010067890"]
    steps = [("2026-03-12", ["investigate", cid, "--note", "询问笔录"]),
             ("2026-03-13", ["notify", cid, "--penalty", "fine", "--amount", "30000"]),
             ("2026-03-14", ["statement", cid, "--text", "请求从轻"]),
             ("2026-03-15", ["decide", cid, "--penalty", "fine", "--amount", "20000"]),
             ("2026-03-16", ["serve", cid, "--method", "邮寄送达"]),
             ("2026-03-20", ["execute", cid, "--how", "paid"]),
             ("2026-03-21", ["close", cid])]
    for day, args in steps:
        r = cmd(path, day, "case", *args)
        assert r.exit_code == 0, (args, r.stderr)
    shown = json.loads(cmd(path, "2026-03-22", "case", "show", cid, "--json").stdout)
    assert shown["stage"] == "closed" and shown["allowed_moves"] == []
    assert [e["type"] for e in shown["history"]] == ["opened", "investigated", "notified", "statement", "decided",
                                                      "served", "executed", "closed"]
    assert shown["decision"]["amount"] == 20000 and shown["execution"] == {"date": "2026-03-20", "how": "paid",
                                                                            "amount": 20000}
    # the hazard is unchanged, and shows its case
    hazard_after = json.loads(cmd(path, "2026-03-11", "hazard", "show", hid, "--json").stdout)
    assert hazard_after.pop("cases") == [{"id": cid, "stage": "closed", "opened": "2026-03-11", "withdrawn": False}]
    assert hazard_after == hazard_before
    # documents: the number is frozen, and the next case gets the next one
    first = cmd(path, "2026-03-22", "report", "penalty", cid, "--format", "md", "--out", str(tmp_path / "p.md"), "--json")
    again = cmd(path, "2026-03-25", "report", "penalty", cid, "--out", str(tmp_path / "p.html"), "--json")
    assert first.exit_code == 0, first.stderr
    assert first.json()["number"] == again.json()["number"] == "（某应急）应急罚〔2026〕1号"
    text = (tmp_path / "p.md").read_text(encoding="utf-8")
    assert "罚款人民币20,000元（大写：贰万元整）" in text and "第一百零二条" in text and "重构" in text
    filing = cmd(path, "2026-03-22", "report", "filing", cid, "--out", str(tmp_path / "f.html"), "--json")
    assert filing.json()["number"] == "（某应急）应急立〔2026〕1号"
    assert "立案审批表" in (tmp_path / "f.html").read_text(encoding="utf-8")
    assert invoke(["verify", "--ledger", path]).exit_code == 0


def test_illegal_moves_are_refused_with_the_allowed_moves_and_change_nothing(failed):
    path, hid, major, _ = failed
    cid = cmd(path, "2026-03-11", "case", "open", "--reinspection", hid, *INSPECTOR_ARGS, "--json").json()["id"]
    before = ledger_bytes(path)
    r = cmd(path, "2026-03-11", "case", "decide", cid, "--penalty", "fine", "--amount", "1000")
    assert r.exit_code == 5
    assert f"case {cid} is at filed (立案): cannot decide" in r.stderr
    assert "Allowed moves: inspect case investigate ID" in r.stderr and "inspect case withdraw ID" in r.stderr
    assert ledger_bytes(path) == before
    cmd(path, "2026-03-12", "case", "investigate", cid, "--note", "勘验")
    cmd(path, "2026-03-12", "case", "notify", cid, "--penalty", "fine", "--amount", "60000")
    before = ledger_bytes(path)
    r = cmd(path, "2026-03-13", "case", "decide", cid, "--penalty", "fine", "--amount", "60000")
    assert r.exit_code == 5 and "right to a hearing (听证)" in r.stderr
    r = cmd(path, "2026-03-13", "case", "hearing", cid, "--held")
    assert r.exit_code == 0
    r = cmd(path, "2026-03-14", "case", "decide", cid, "--penalty", "fine", "--amount", "70000")
    assert r.exit_code == 4 and "heavier than the notice" in r.stderr
    r = cmd(path, "2026-03-14", "case", "decide", cid, "--penalty", "fine", "--penalty", "suspension", "--amount", "1")
    assert r.exit_code == 4 and "suspension not notified" in r.stderr
    r = cmd(path, "2026-03-10", "case", "decide", cid, "--penalty", "fine", "--amount", "100")
    assert r.exit_code == 4 and "before its last step" in r.stderr
    assert cmd(path, "2026-03-14", "case", "decide", cid, "--penalty", "fine", "--amount", "50000").exit_code == 0
    r = cmd(path, "2026-03-14", "case", "close", cid)
    assert r.exit_code == 5 and "Allowed moves: inspect case serve ID" in r.stderr
    cmd(path, "2026-03-15", "case", "serve", cid)
    r = cmd(path, "2026-03-15", "case", "close", cid)
    assert r.exit_code == 5 and "carried out first (执行)" in r.stderr


def test_opening_needs_two_certified_handlers_one_site_and_one_case_per_violation(failed, tmp_path):
    path, hid, major, inspection = failed
    before = ledger_bytes(path)
    r = cmd(path, "2026-03-11", "case", "open", "--reinspection", hid, "--inspector", "张伟:44010012345",
            "--inspector", "张伟:44010012345")
    assert r.exit_code == 4 and "two 承办人" in r.stderr
    r = cmd(path, "2026-03-11", "case", "open", "--reinspection", major, *INSPECTOR_ARGS)
    assert r.exit_code == 4 and "no failed re-inspection" in r.stderr
    r = cmd(path, "2026-03-11", "case", "open", *INSPECTOR_ARGS)
    assert r.exit_code == 4 and "given: none" in r.stderr
    r = cmd(path, "2026-03-11", "case", "open", "--hazard", "H-00000-00000", *INSPECTOR_ARGS)
    assert r.exit_code == 3
    assert ledger_bytes(path) == before
    r = cmd(path, "2026-03-11", "case", "open", "--inspection", inspection, *INSPECTOR_ARGS, "--json")
    assert r.exit_code == 0 and sorted(r.json()["hazards"]) == sorted([hid, major])
    cid = r.json()["id"]
    r = cmd(path, "2026-03-11", "case", "open", "--hazard", major, *INSPECTOR_ARGS)
    assert r.exit_code == 4 and f"already in case {cid}" in r.stderr and "一事不再罚" in r.stderr
    assert cmd(path, "2026-03-12", "case", "withdraw", cid, "--reason", "违法事实不能成立").exit_code == 0
    assert cmd(path, "2026-03-12", "case", "open", "--hazard", major, *INSPECTOR_ARGS).exit_code == 0
    # a case from hazards has no default penalty basis: the notice asks for it
    cid2 = cmd(path, "2026-03-12", "case", "list", "--stage", "filed", "--json").json()["cases"][0]["id"]
    cmd(path, "2026-03-13", "case", "investigate", cid2, "--note", "询问")
    r = cmd(path, "2026-03-13", "case", "notify", cid2, "--penalty", "warning")
    assert r.exit_code == 4 and "--basis" in r.stderr


def test_overdue_stages_are_listed(failed):
    path, hid, major, _ = failed
    cid = cmd(path, "2026-03-11", "case", "open", "--reinspection", hid, *INSPECTOR_ARGS, "--json").json()["id"]
    assert cmd(path, "2026-03-18", "case", "list", "--overdue", "--json").json()["total"] == 0
    late = cmd(path, "2026-03-20", "case", "list", "--overdue", "--json").json()
    assert late["total"] == 1 and late["cases"][0]["id"] == cid
    assert late["cases"][0]["late"] == [{"what": "stage", "stage": "filed", "due": "2026-03-18", "days": 2}]
    assert invoke(["config", "set", "case.days.filed", "30", "--ledger", path]).exit_code == 0
    assert cmd(path, "2026-03-20", "case", "list", "--overdue", "--json").json()["total"] == 0
    later = cmd(path, "2026-06-10", "case", "list", "--overdue", "--json").json()["cases"][0]["late"]
    assert {x["what"] for x in later} == {"stage", "decision"}  # 90 days from 立案 to the decision
    table = cmd(path, "2026-06-10", "case", "list", "--overdue")
    assert table.exit_code == 0 and "逾期" in table.stdout


def test_repeat_offenders_suggest_a_case_and_never_open_one(failed):
    path, hid, major, _ = failed
    before = ledger_bytes(path)
    assert cmd(path, "2026-03-15", "hazard", "list", "--repeat-offenders", "--json").json() == {"total": 0, "sites": []}
    r = cmd(path, "2026-03-25", "hazard", "list", "--repeat-offenders", "--json")
    site = r.json()["sites"][0]
    assert [h["id"] for h in site["hazards"]] == [hid] and site["hazards"][0]["days_overdue"] == 5
    assert site["suggestion"] == (f"inspect case open --reinspection {hid} "
                                  "--inspector NAME:CERT_NO --inspector NAME:CERT_NO")
    text = cmd(path, "2026-03-25", "hazard", "list", "--repeat-offenders")
    assert "Suggested (not opened)" in text.stdout
    assert cmd(path, "2026-03-25", "hazard", "list", "--repeat-offenders", "--site", "91350100000000001X",
               "--json").json()["total"] == 0
    r = cmd(path, "2026-03-25", "hazard", "list", "--repeat-offenders", "--severity", "major")
    assert r.exit_code == 2 and "takes --site only, not --severity" in r.stderr
    assert ledger_bytes(path) == before
    assert cmd(path, "2026-03-25", "case", "list", "--json").json()["total"] == 0


def test_verify_covers_cases(failed):
    path, hid, major, _ = failed
    cid = cmd(path, "2026-03-11", "case", "open", "--reinspection", hid, *INSPECTOR_ARGS, "--json").json()["id"]
    cmd(path, "2026-03-12", "case", "investigate", cid, "--note", "询问")
    ok = invoke(["verify", "--ledger", path])
    assert ok.exit_code == 0 and "1 case(s) with 2 event(s)" in ok.stdout
    data = json.loads(open(path, encoding="utf-8").read())
    for e in data["case_events"].values():
        if e["type"] == "investigated":
            e["note"] = "改过的"
    data["cases"][cid]["facts"] = "改过的案情"
    with open(path, "w", encoding="utf-8") as f:
        json.dump(data, f, ensure_ascii=False)
    r = invoke(["verify", "--ledger", path, "--json"])
    assert r.exit_code == 8
    problems = r.json()["problems"]
    assert any(p.startswith(f"case {cid} event 2") and "hash mismatch" in p for p in problems)


def test_stats_gate_and_bulletin_show_the_rates(failed, tmp_path):
    path, hid, major, _ = failed
    cid = cmd(path, "2026-03-11", "case", "open", "--reinspection", hid, *INSPECTOR_ARGS, "--json").json()["id"]
    for day, args in (("2026-03-12", ["investigate", cid, "--note", "询问"]),
                      ("2026-03-12", ["notify", cid, "--penalty", "fine", "--amount", "5000"]),
                      ("2026-03-18", ["decide", cid, "--penalty", "fine", "--amount", "5000"]),
                      ("2026-03-18", ["serve", cid])):
        assert cmd(path, day, "case", *args).exit_code == 0
    r = cmd(path, "2026-03-20", "stats", "--json", "--gate", "penalty_execution_rate>=0.9")
    assert r.exit_code == 1 and "gate missed: penalty_execution_rate>=0.9 (actual 0)" in r.stderr
    m = r.json()["metrics"]
    assert (m["cases"], m["inspections_with_findings"], m["filing_rate"]) == (1, 1, 1.0)
    assert (m["penalty_decisions"], m["case_penalty_rate"], m["fines_decided_yuan"]) == (1, 1.0, 5000)
    assert cmd(path, "2026-03-25", "case", "execute", cid, "--how", "court", "--amount", "0").exit_code == 0
    r = cmd(path, "2026-03-26", "stats", "--json", "--gate", "penalty_execution_rate>=0.9")
    assert r.exit_code == 0 and r.json()["metrics"]["penalty_execution_rate"] == 1.0
    assert r.json()["enforcement"]["by_month"]["2026-03"]["cases"] == 1
    out = tmp_path / "b.md"
    assert cmd(path, "2026-03-31", "report", "bulletin", "--month", "2026-03", "--format", "md",
               "--out", str(out)).exit_code == 0
    text = out.read_text(encoding="utf-8")
    for figure in ("立案率", "立案处罚率", "处罚执行率", "100.0%", "5,000"):
        assert figure in text


def test_cases_travel_in_bundles_with_their_hazards_and_merge_like_hazards(failed, tmp_path):
    path, hid, major, _ = failed
    other = str(tmp_path / "other.json")
    cid = cmd(path, "2026-03-11", "case", "open", "--reinspection", hid, *INSPECTOR_ARGS, "--json").json()["id"]
    assert cmd(path, "2026-03-12", "export", "--out", str(tmp_path / "a.zip")).exit_code == 0
    r = cmd(other, "2026-03-12", "import", str(tmp_path / "a.zip"), "--json")
    assert r.exit_code == 0 and r.json()["added"]["cases"] == 1 and r.json()["added"]["case_events"] == 1
    again = cmd(other, "2026-03-12", "import", str(tmp_path / "a.zip"), "--json")
    assert not any(again.json()["added"].values())
    # the case goes on in the first ledger; a bundle of what changed since brings it and its hazard along
    cmd(path, "2026-03-20", "case", "investigate", cid, "--note", "询问")
    assert cmd(path, "2026-03-20", "export", "--out", str(tmp_path / "b.zip"), "--since", "2026-03-20").exit_code == 0
    r = cmd(other, "2026-03-21", "import", str(tmp_path / "b.zip"), "--json")
    assert r.exit_code == 0 and r.json()["added"]["case_events"] == 1 and r.json()["conflicts"] == []
    assert cmd(other, "2026-03-21", "case", "show", cid, "--json").json()["stage"] == "investigating"
    assert invoke(["verify", "--ledger", other]).exit_code == 0
    # both ledgers change the case: this one keeps its history, the other's is a conflict
    cmd(other, "2026-03-22", "case", "withdraw", cid, "--reason", "违法事实不能成立")
    cmd(path, "2026-03-22", "case", "notify", cid, "--penalty", "fine", "--amount", "1000")
    cmd(path, "2026-03-22", "export", "--out", str(tmp_path / "c.zip"))
    r = cmd(other, "2026-03-23", "import", str(tmp_path / "c.zip"), "--json")
    assert [c["table"] for c in r.json()["conflicts"]] == ["cases"]
    kept = cmd(other, "2026-03-23", "case", "show", cid, "--json").json()
    assert kept["withdrawn"] is True and [e["type"] for e in kept["conflicts"][0]["their_events"]] == ["notified"]
    assert "冲突 (conflict)" in cmd(other, "2026-03-23", "case", "show", cid).stdout
    assert invoke(["verify", "--ledger", other]).exit_code == 0
