"""分级分类: the annual plan follows the class frequencies and is reproducible from its seed."""
from __future__ import annotations

import math
from collections import Counter

import pytest
from hypothesis import given, settings, strategies as st

from builders import other_code
from inspect_cli.errors import UsageError
from inspect_cli.ledger import open_ledger
from inspect_cli.plan.annual import plan_from
from inspect_cli.plan.classes import parse_counts, parse_frequencies

PAIR = [{"name": "张伟", "cert": "1"}, {"name": "李娜", "cert": "2"}, {"name": "王强", "cert": "3"}]


def ledger_with_classes(path, classes="AAABBBCCCCDDDD", today="2027-01-04"):
    led = open_ledger(path, today=today)
    for i, c in enumerate(classes):
        led.add_site({"code": other_code(i), "name": f"单位{i}", "industry": "机械", "risk_class": c})
    led.set_setting("plan.silent_extra", "0")
    return led


def test_frequencies_parse_with_domains_and_own_labels():
    f = parse_frequencies("重点=4, 一般=1; dust: 重点=6")
    assert f.base == {"重点": 4.0, "一般": 1.0} and f.by_domain == {"dust": {"重点": 6.0}}
    assert f.visits("重点", ["dust"]) == 6 and f.visits("重点", []) == 4 and f.visits("其他", []) == 0
    assert f.visits("一般", ["dust"]) == 1  # a domain overrides only the classes it names


@pytest.mark.parametrize("text, words", [
    ("A=4,B", "not CLASS=VISITS"), ("A=four", "must be a number"), ("A=100", "0 to 52"),
    ("A=1,A=2", "given twice"), ("", "names no class"), ("A=1; =2", "DOMAIN"),
])
def test_bad_frequencies_say_what_is_wrong(text, words):
    with pytest.raises(UsageError, match=words):
        parse_frequencies(text)


def test_counts_are_known_kinds():
    assert parse_counts("enforcement, random") == ("enforcement", "random")
    with pytest.raises(UsageError, match="unknown kind 'visit'"):
        parse_counts("enforcement,visit")


def test_plan_follows_the_class_frequencies(tmp_path):
    led = ledger_with_classes(tmp_path / "l.json")
    rec = led.make_annual_plan(2027, 11, {}, [])
    per_site = Counter(v["site"] for v in rec["result"]["visits"])
    cls = {s["code"]: s["class"] for s in rec["pool"]["sites"]}
    assert all(per_site[c] == 4 for c, k in cls.items() if k == "A")
    assert all(per_site[c] == 2 for c, k in cls.items() if k == "B")
    assert all(per_site[c] == 1 for c, k in cls.items() if k == "C")
    d_sites = [c for c, k in cls.items() if k == "D"]
    assert sorted(per_site[c] for c in d_sites) == [0, 0, 1, 1]  # D=0.5: half the D sites, once
    for code, k in cls.items():  # an A site is visited once every quarter, a B site in two different quarters
        quarters = [v["quarter"] for v in rec["result"]["visits"] if v["site"] == code]
        assert len(set(quarters)) == len(quarters)
    # 双随机 share: 20 % of the 12 sites with a visit, rounded
    assert sum(v["kind"] == "random" for v in rec["result"]["visits"]) == round(0.2 * 12)


def test_same_seed_same_plan_and_recorded(tmp_path):
    led = ledger_with_classes(tmp_path / "l.json")
    a = led.make_annual_plan(2027, 5, {}, PAIR)
    b = led.make_annual_plan(2027, 5, {}, list(reversed(PAIR)))
    assert a["result"] == b["result"] and a["sha256"] == b["sha256"] and a["id"] != b["id"]
    c = led.make_annual_plan(2027, 6, {}, PAIR)
    assert c["result"] != a["result"]
    assert led.annual_plan(year=2027)["id"] == c["id"]  # the last plan of a year stands
    assert led.verify_annual_plan(a["id"])["ok"]
    random_visits = [v for v in a["result"]["visits"] if v["kind"] == "random"]
    assert random_visits and all(len(v["inspectors"]) == 2 for v in random_visits)


def test_silent_sites_get_more_visits(tmp_path):
    led = ledger_with_classes(tmp_path / "l.json", classes="CC")
    led.set_setting("plan.silent_extra", "2")
    rec = led.make_annual_plan(2027, 1, {}, [])
    assert all(s["silent"] for s in rec["pool"]["sites"])  # nobody self-reported anything
    assert len(rec["result"]["visits"]) == 2 * (1 + 2)


def test_no_classified_site_is_a_usage_error(tmp_path):
    led = ledger_with_classes(tmp_path / "l.json", classes="")
    led.add_site({"code": other_code(1), "name": "无等级"})
    with pytest.raises(UsageError, match="risk class"):
        led.make_annual_plan(2027, 1, {}, [])


@settings(max_examples=60, deadline=None)
@given(classes=st.lists(st.sampled_from("ABCD"), min_size=1, max_size=30),
       freqs=st.fixed_dictionaries({c: st.sampled_from([0, 0.25, 0.5, 1, 1.5, 2, 3, 4, 6, 12]) for c in "ABCD"}),
       share=st.sampled_from([0, 0.1, 0.5, 1.0]), seed=st.integers(0, 2**32))
def test_plan_property(classes, freqs, share, seed):
    sites = [{"code": f"S{i:03d}", "class": c, "domains": [], "silent": False} for i, c in enumerate(classes)]
    pool = {"sites": sites, "frequencies": {"base": {k: float(v) for k, v in freqs.items()}, "by_domain": {}},
            "random_share": share, "silent_extra": 0, "inspectors": PAIR}
    result = plan_from(pool, seed)
    assert result == plan_from(pool, seed)
    per_site = Counter(v["site"] for v in result["visits"])
    for s in sites:
        f = freqs[s["class"]]
        assert per_site[s["code"]] in (math.floor(f), math.floor(f) + 1)
        if f == math.floor(f):
            assert per_site[s["code"]] == f
    for f in {freqs[c] for c in classes if freqs[c] != math.floor(freqs[c])}:
        group = [s["code"] for s in sites if freqs[s["class"]] == f]
        extra = sum(per_site[c] - math.floor(f) for c in group)
        assert extra == round((f - math.floor(f)) * len(group))
    assert all(1 <= v["quarter"] <= 4 for v in result["visits"])
    with_visit = [c for c in per_site if per_site[c]]
    assert sum(v["kind"] == "random" for v in result["visits"]) == round(share * len(with_visit))


def test_plan_on_sqlite_is_the_same_plan(tmp_path):
    a = ledger_with_classes(tmp_path / "l.json")
    b = ledger_with_classes(tmp_path / "l.sqlite")
    pa, pb = a.make_annual_plan(2027, 8, {}, PAIR), b.make_annual_plan(2027, 8, {}, PAIR)
    assert pa["result"] == pb["result"] and pa["sha256"] == pb["sha256"]
    assert b.verify_annual_plan(pb["id"])["ok"] and b.plan_progress(year=2027)["planned"] == len(pb["result"]["visits"])
