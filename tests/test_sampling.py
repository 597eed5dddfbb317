"""双随机 draws (inspect_cli.site.sampling): pools, reproducibility, the record and its re-check."""
from __future__ import annotations

import datetime as dt
from collections import Counter

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st_

from builders import other_code
from inspect_cli.site import sampling
from inspect_cli.errors import NotFound, UsageError, ValidationFailed
from inspect_cli.ledger import open_ledger

TODAY = dt.date(2026, 3, 2)
POOL = [{"name": f"检查员{n}", "cert": f"4401{n:04d}"} for n in range(6)]


def add_sites(ledger, n=10):
    with ledger.write() as st:
        for i in range(n):
            code = other_code(i)
            st.put("sites", code, {"code": code, "name": f"单位{i}", "industry": "机械" if i % 2 else "木材加工",
                                   "risk_class": "ABCD"[i % 4], "attributes": {"wood_dust": i % 2 == 0, "workers": i}})
    return sorted(other_code(i) for i in range(n))


@pytest.fixture
def ledger(tmp_path):
    led = open_ledger(tmp_path / "ledger.json", today=TODAY.isoformat())
    add_sites(led)
    return led


def draw(ledger, n=3, m=None, where=None, seed=42, pool=POOL):
    with ledger.write() as st:
        return sampling.draw(st, n, m, where or {}, seed, pool, TODAY, "tester")


# pools -------------------------------------------------------------------------------

def test_site_pool_matches_fields_and_attributes_case_insensitively(ledger):
    with ledger.read() as st:
        assert len(sampling.site_pool(st, {})) == 10
        a = sampling.site_pool(st, {"risk_class": "a"})
        assert [s["risk_class"] for s in a] == ["A"] * 3
        assert [s["code"] for s in a] == sorted(s["code"] for s in a)
        assert len(sampling.site_pool(st, {"industry": "机械"})) == 5
        assert len(sampling.site_pool(st, {"wood_dust": "TRUE"})) == 5
        assert len(sampling.site_pool(st, {"wood_dust": "是"})) == 5
        assert len(sampling.site_pool(st, {"risk_class": "A,b"})) == 6
        assert len(sampling.site_pool(st, {"risk_class": "A", "industry": "木材加工"})) == 3
        assert len(sampling.site_pool(st, {"workers": "4"})) == 1


def test_unknown_where_attribute_suggests(ledger):
    with ledger.read() as st, pytest.raises(UsageError, match="did you mean 'risk_class'"):
        sampling.site_pool(st, {"risk_clas": "A"})


def test_parse_where():
    assert sampling.parse_where(["risk_class=A", "industry = 机械"]) == {"risk_class": "A", "industry": "机械"}
    for bad in ("risk_class", "=A", "risk_class="):
        with pytest.raises(UsageError, match="ATTR=VALUE"):
            sampling.parse_where([bad])


def test_inspector_pool_sorted_deduplicated_and_certified():
    pool = sampling.inspector_pool([{"name": "王", "cert": "2"}, {"name": "李", "cert": "1"}, {"name": "王", "cert": "2"}])
    assert pool == [{"name": "李", "cert": "1"}, {"name": "王", "cert": "2"}]
    with pytest.raises(ValidationFailed) as e:
        sampling.inspector_pool([{"name": "王", "cert": ""}, {"name": "", "cert": "3"}])
    assert any("执法证号" in p for p in e.value.problems) and any("no name" in p for p in e.value.problems)


def test_read_inspector_pool_csv_and_yaml(tmp_path):
    csv_file = tmp_path / "pool.csv"
    csv_file.write_text("\ufeff姓名,执法证号\n张伟,44010012345\n李娜,44010067890\n\n", encoding="utf-8")
    assert sampling.read_inspector_pool(csv_file) == [{"name": "张伟", "cert": "44010012345"},
                                                      {"name": "李娜", "cert": "44010067890"}]
    yml = tmp_path / "pool.yaml"
    yml.write_text("- {name: 张伟, cert: '44010012345'}\n- 李娜:44010067890\n", encoding="utf-8")
    assert sampling.read_inspector_pool(yml) == [{"name": "张伟", "cert": "44010012345"},
                                                 {"name": "李娜", "cert": "44010067890"}]
    bad = tmp_path / "bad.csv"
    bad.write_text("who,what\n", encoding="utf-8")
    with pytest.raises(ValidationFailed, match="name,cert"):
        sampling.read_inspector_pool(bad)


# the pure draw ------------------------------------------------------------------------

def test_same_seed_and_pool_same_draw_different_seed_differs():
    sites = [f"S{i:02d}" for i in range(30)]
    a = sampling.draw_from(sites, POOL, 5, None, 7)
    assert a == sampling.draw_from(list(sites), [dict(i) for i in POOL], 5, None, 7)
    assert a != sampling.draw_from(sites, POOL, 5, None, 8)


def test_draw_is_pinned_to_the_documented_algorithm():
    """The published algorithm, step by step, gives exactly the recorded result."""
    import random

    sites = [f"S{i:02d}" for i in range(12)]
    rng = random.Random(2026)
    chosen = rng.sample(sites, 4)
    team = rng.sample(POOL, 6)
    out = sampling.draw_from(sites, POOL, 4, 6, 2026)
    assert [a["site"] for a in out["assignments"]] == chosen
    assert out["inspectors"] == team
    assert [a["inspectors"] for a in out["assignments"]] == [[team[(2 * i) % 6], team[(2 * i + 1) % 6]]
                                                             for i in range(4)]
    assert out["reserves"] == []


def test_default_team_is_two_per_site_and_extra_are_reserves():
    sites = [f"S{i}" for i in range(5)]
    out = sampling.draw_from(sites, POOL, 2, None, 1)
    assert len(out["inspectors"]) == 4 and out["reserves"] == []
    assert len({i["cert"] for a in out["assignments"] for i in a["inspectors"]}) == 4  # disjoint pairs
    out = sampling.draw_from(sites, POOL, 2, 6, 1)
    assert len(out["reserves"]) == 2


def test_sizes_beyond_the_pool_are_clear_errors():
    sites = ["S1", "S2"]
    with pytest.raises(UsageError, match="cannot draw 3 site.* from a pool of 2"):
        sampling.draw_from(sites, POOL, 3, None, 1)
    with pytest.raises(UsageError, match="cannot draw 7 inspectors from a pool of 6"):
        sampling.draw_from(sites, POOL, 1, 7, 1)
    with pytest.raises(UsageError, match="each site needs two"):
        sampling.draw_from(sites, POOL[:1], 1, None, 1)
    with pytest.raises(UsageError, match="at least 2"):
        sampling.draw_from(sites, POOL, 1, 1, 1)


@settings(max_examples=150, deadline=None)
@given(n_sites=st_.integers(1, 40), n_insp=st_.integers(2, 15), data=st_.data(), seed=st_.integers(0, 2**64))
def test_property_reproducible_distinct_pairs_balanced(n_sites, n_insp, data, seed):
    sites = [f"S{i:03d}" for i in range(n_sites)]
    pool = [{"name": f"P{i}", "cert": str(i)} for i in range(n_insp)]
    n = data.draw(st_.integers(1, n_sites))
    m = data.draw(st_.one_of(st_.none(), st_.integers(2, n_insp)))
    out = sampling.draw_from(sites, pool, n, m, seed)
    assert out == sampling.draw_from(list(sites), list(pool), n, m, seed)
    chosen = [a["site"] for a in out["assignments"]]
    assert len(chosen) == n == len(set(chosen)) and set(chosen) <= set(sites)
    team = out["inspectors"]
    assert len(team) == (m if m is not None else min(2 * n, n_insp))
    assert len({i["cert"] for i in team}) == len(team)
    loads = Counter(i["cert"] for a in out["assignments"] for i in a["inspectors"])
    for a in out["assignments"]:
        first, second = a["inspectors"]
        assert first != second and first in team and second in team
    used = [loads.get(i["cert"], 0) for i in team[: 2 * n]]
    assert max(used) - min(used) <= 1  # every drawn inspector works about as much as the others


# the record -----------------------------------------------------------------------------

def test_draw_is_recorded_with_pool_seed_and_hash(ledger):
    rec = draw(ledger, n=3, where={"industry": "机械"}, seed=42)
    with ledger.read() as st:
        stored = st.get("draws", rec["id"])
    assert stored == rec
    assert rec["id"].startswith("D-")
    assert rec["seed"] == 42 and rec["where"] == {"industry": "机械"}
    assert len(rec["pool"]["sites"]) == 5 and rec["pool"]["inspectors"] == sampling.inspector_pool(POOL)
    assert rec["sha256"] == sampling.digest(rec) and len(rec["sha256"]) == 64
    assert rec["date"] == "2026-03-02" and rec["actor"] == "tester"
    assert set(rec["site_names"]) == {a["site"] for a in rec["result"]["assignments"]}


def test_same_seed_same_pool_same_draw_in_two_ledgers(tmp_path):
    results = []
    for name in ("a.json", "b.json"):
        led = open_ledger(tmp_path / name, today=TODAY.isoformat())
        add_sites(led)
        results.append(draw(led, n=4, seed=99, pool=list(reversed(POOL))))
    assert results[0]["result"] == results[1]["result"]
    assert results[0]["sha256"] == results[1]["sha256"]
    assert results[0]["id"] != results[1]["id"]


def test_no_matching_site_or_bad_seed(ledger):
    with pytest.raises(UsageError, match="no site in the ledger matches risk_class=Z"):
        draw(ledger, where={"risk_class": "Z"})
    with pytest.raises(UsageError, match="non-negative integer"):
        draw(ledger, seed=-1)
    with pytest.raises(UsageError, match="cannot draw 11 site"):
        draw(ledger, n=11)
    with ledger.read() as st:
        assert st.count("draws") == 0


def test_verify_matches_then_detects_tampering(ledger):
    rec = draw(ledger, n=3, seed=5)
    with ledger.read() as st:
        check = sampling.verify(st, rec["id"].lower())
    assert check["ok"] and check["problems"] == [] and not check["pool_changed"]

    with ledger.write() as st:
        forged = st.get("draws", rec["id"])
        forged["result"]["assignments"][0]["site"], forged["result"]["assignments"][1]["site"] = (
            forged["result"]["assignments"][1]["site"], forged["result"]["assignments"][0]["site"])
        st.put("draws", rec["id"], forged)
    with ledger.read() as st:
        check = sampling.verify(st, rec["id"])
    assert not check["ok"]
    assert any("different result" in p for p in check["problems"])
    assert any("sha256" in p for p in check["problems"])


def test_verify_uses_the_recorded_pool_when_sites_change(ledger):
    rec = draw(ledger, n=2, seed=5)
    with ledger.write() as st:
        code = other_code(77)
        st.put("sites", code, {"code": code, "name": "新单位", "attributes": {}})
    with ledger.read() as st:
        check = sampling.verify(st, rec["id"])
    assert check["ok"] and check["pool_changed"]


def test_verify_unknown_draw(ledger):
    with ledger.read() as st, pytest.raises(NotFound):
        sampling.verify(st, "D-00000-00000")
