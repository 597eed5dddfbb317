"""回头看: reproducible look-back draws, the 10 %-or-50 rule, relapses linked and counted."""
from __future__ import annotations

import json

import pytest

from builders import INSPECTORS, SITE, answers, failing, inspect_dust, ledger_with_site, other_code, registry
from cli.runner import invoke
from inspect_cli.ledger import open_ledger
from inspect_cli.plan.lookback import size


@pytest.mark.parametrize("pool, n", [(10, 10), (50, 50), (100, 50), (499, 50), (500, 50), (501, 51), (1000, 100)])
def test_at_least_ten_percent_or_fifty(pool, n):
    assert size(pool, 0.1, 50) == n


def test_configurable_share_and_minimum():
    assert size(100, 0.3, 5) == 30 and size(100, 0, 5) == 5 and size(3, 0.5, 0) == 2


def closed_hazards(tmp_path, n_sites=3):
    path = tmp_path / "ledger.json"
    led = ledger_with_site(path, today="2026-03-02")
    for i in range(1, n_sites):
        led.add_site({"code": other_code(i), "name": f"木业{i}", "industry": "木材加工", "attributes": {"wood_dust": True}})
    c = registry().get("dust-explosion")
    item = next(i for s in c.sections for i in s.items if i.severity == "general" and not s.repeat)
    ids = []
    for code in [SITE] + [other_code(i) for i in range(1, n_sites)]:
        run = inspect_dust(open_ledger(path, today="2026-03-02"), {item.id: {"answer": failing(item)}}, tmp_path, code)
        for h in run["hazards"]:
            open_ledger(path, today="2026-03-05").fixed(h["id"], "已整改")
            open_ledger(path, today="2026-03-06").reinspect(h["id"], "pass", INSPECTORS, "合格")
            ids.append(h["id"])
    return str(path), item, ids


def test_lookback_draw_is_reproducible_recorded_and_verified(tmp_path):
    path, _, ids = closed_hazards(tmp_path)
    args = ["sample", "lookback", "--seed", "11", "--minimum", "2", "--ledger", path, "--today", "2026-06-01", "--json"]
    a = invoke(args).json()
    b = invoke(args).json()
    assert a["result"] == b["result"] and a["sha256"] == b["sha256"] and a["id"] != b["id"]
    assert a["pool"]["items"] == sorted(ids) and a["sites_n"] == 2
    assert {x["site"] for x in a["result"]["assignments"]} <= set(ids)
    assert [d["hazard"] for d in a["drawn"]] == [x["site"] for x in a["result"]["assignments"]]
    assert all(d["site"] and d["item"] and d["closed_date"] == "2026-03-06" for d in a["drawn"])
    v = invoke(["sample", "lookback", "--verify", a["id"], "--ledger", path])
    assert v.exit_code == 0 and "matches" in v.stdout
    data = json.loads(open(path, encoding="utf-8").read())
    data["lookbacks"][a["id"]]["seed"] = 12
    open(path, "w", encoding="utf-8").write(json.dumps(data, ensure_ascii=False))
    assert invoke(["sample", "lookback", "--verify", a["id"], "--ledger", path]).exit_code == 8
    sites = invoke(["sample", "lookback", "--of", "sites", "--seed", "1", "--ledger", path, "--json",
                    "--pool-inspector", "甲:1", "--pool-inspector", "乙:2"]).json()
    assert sites["sites_n"] == 3  # all three sites are certified (every hazard closed); fewer than 50: all
    assert all(len(x["inspectors"]) == 2 for x in sites["result"]["assignments"])


def test_lookback_errors(tmp_path):
    path, _, _ = closed_hazards(tmp_path, n_sites=1)
    r = invoke(["sample", "lookback", "--ledger", path])
    assert r.exit_code == 2 and "--seed" in r.stderr
    r = invoke(["sample", "lookback", "--seed", "1", "--closed-since", "2027-01-01", "--ledger", path])
    assert r.exit_code == 2 and "no closed hazard" in r.stderr
    r = invoke(["sample", "lookback", "--of", "sites", "--seed", "1", "--closed-since", "2026-01-01", "--ledger", path])
    assert r.exit_code == 2
    r = invoke(["sample", "lookback", "--seed", "1", "--pool-inspector", "甲:1", "--ledger", path])
    assert r.exit_code == 2 and "at least two" in r.stderr
    assert invoke(["sample", "lookback", "--verify", "K-00000-00000", "--ledger", path]).exit_code == 3
    # the 双随机 draw itself still works as before
    r = invoke(["sample", "--sites", "1", "--seed", "1", "--pool-inspector", "甲:1", "--pool-inspector", "乙:2",
                "--ledger", path])
    assert r.exit_code == 0 and "双随机抽查" in r.stdout


def test_a_relapse_links_to_the_original_hazard_and_the_bulletin_counts_it(tmp_path):
    path, item, ids = closed_hazards(tmp_path, n_sites=1)
    draw = invoke(["sample", "lookback", "--seed", "3", "--ledger", path, "--today", "2026-04-01", "--json"]).json()
    led = open_ledger(path, today="2026-04-10")
    doc = answers("dust-explosion", {"collectors": ["1号除尘系统"]}, {item.id: {"answer": failing(item)}},
                  led.site(SITE), "2026-04-10")
    result = led.run_answers(registry().get("dust-explosion"), SITE, INSPECTORS, "lookback", doc, tmp_path)
    new = result["hazards"][0]["id"]
    h, _ = open_ledger(path).hazard(new)
    assert h["relapse_of"]["original"] == ids[0] and h["relapse_of"]["lookback"] == draw["id"]
    assert [r["hazard"] for r in open_ledger(path).relapses("2026-04-01", "2026-04-30")] == [new]
    shown = invoke(["hazard", "show", new, "--ledger", path])
    assert "复发 relapse of " + ids[0] in shown.stdout and "检查类别: 回头看" in shown.stdout
    # an ordinary inspection finding the same failure is not a look-back: no relapse recorded
    led.run_answers(registry().get("dust-explosion"), SITE, INSPECTORS, "enforcement", doc, tmp_path)
    assert len(open_ledger(path).relapses()) == 1
    out = tmp_path / "b.md"
    r = invoke(["report", "bulletin", "--month", "2026-04", "--format", "md", "--out", str(out), "--ledger", path,
                "--today", "2026-04-30"])
    assert r.exit_code == 0, r.stderr
    text = out.read_text(encoding="utf-8")
    assert "回头看发现隐患复发：本月1项，本年累计1项。" in text and ids[0] in text
    assert "2026年度尚未编制监督检查计划" in text
    assert "本月检查（按检查类别）：执法检查 1，回头看 1。" in text
