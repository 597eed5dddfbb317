"""Amounts in capitals, 区域 of a site, and the rates' windows and breakdowns."""
from __future__ import annotations

import datetime as dt

import pytest

from inspect_cli.case import rates
from inspect_cli.reports.case_documents import upper_yuan
from inspect_cli.case.records import region_of
from inspect_cli.storage.jsonfile import MemoryStore


@pytest.mark.parametrize("amount, text", [
    (1, "壹元整"), (10, "壹拾元整"), (20000, "贰万元整"), (10500, "壹万零伍佰元整"), (100001, "壹拾万零壹元整"),
    (101000, "壹拾万壹仟元整"), (100100, "壹拾万零壹佰元整"), (1000000, "壹佰万元整"),
    (123456789, "壹亿贰仟叁佰肆拾伍万陆仟柒佰捌拾玖元整"), (0, "零元整"),
])
def test_fines_print_in_financial_capitals(amount, text):
    assert upper_yuan(amount) == text


@pytest.mark.parametrize("site, region", [
    ({"address": "福州市闽侯县工业园区1号"}, "闽侯县"),
    ({"address": "深圳市宝安区环保路8号"}, "宝安区"),
    ({"address": "广东省广州市黄埔区开发大道1号"}, "黄埔区"),
    ({"address": "工业园区1号"}, "未注明区域"),
    ({"address": "深圳市宝安区环保路8号", "attributes": {"region": "新安街道"}}, "新安街道"),
])
def test_region_is_the_site_attribute_or_the_district_of_the_address(site, region):
    assert region_of(site) == region


def _case(cid, opened, region, decision=None, execution=None, service=None, stage="filed"):
    return {"id": cid, "opened": opened, "region": region, "domain": "dust_explosion", "site": "S", "stage": stage,
            "stage_since": opened, "decision": decision, "execution": execution, "service": service,
            "closed_date": None}


def test_rates_count_cases_by_their_opening_and_decisions_as_of_today():
    store = MemoryStore({})
    store.put("sites", "S", {"code": "S", "address": "深圳市宝安区环保路8号"})
    for n, day in enumerate(("2026-03-02", "2026-03-05", "2026-04-02")):
        store.put("inspections", f"I{n}", {"id": f"I{n}", "status": "completed", "kind": "enforcement", "site": "S",
                                           "domain": "dust_explosion", "date": day, "hazards": ["H"]})
    store.put("inspections", "I9", {"id": "I9", "status": "completed", "kind": "self", "site": "S",
                                    "domain": "dust_explosion", "date": "2026-03-03", "hazards": ["H"]})
    fine = {"outcome": "penalty", "types": ["fine"], "amount": 8000, "date": "2026-03-20"}
    store.put("cases", "C1", _case("C1", "2026-03-10", "宝安区", fine, {"date": "2026-03-25", "how": "paid",
                                                                       "amount": 8000}, stage="executed"))
    store.put("cases", "C2", _case("C2", "2026-03-12", "宝安区",
                                   {"outcome": "penalty", "types": ["warning"], "amount": 0, "date": "2026-03-28"},
                                   service={"date": "2026-03-29"}, stage="served"))
    store.put("cases", "C3", _case("C3", "2026-04-03", "宝安区", dict(fine, date="2026-04-20"), stage="decided"))
    march = rates.compute(store, dt.date(2026, 3, 31), "2026-03-01", "2026-03-31")["metrics"]
    assert (march["inspections_with_findings"], march["cases"], march["filing_rate"]) == (2, 2, 1.0)
    assert (march["penalty_decisions"], march["penalties_executed"], march["penalty_execution_rate"]) == (2, 2, 1.0)
    assert (march["fines_decided_yuan"], march["fines_collected_yuan"]) == (8000, 8000)
    # as of an earlier day, the later decision and execution do not count yet
    early = rates.compute(store, dt.date(2026, 3, 22), "2026-03-01", "2026-03-31")["metrics"]
    assert (early["penalty_decisions"], early["penalties_executed"], early["penalty_execution_rate"]) == (1, 0, 0.0)
    whole = rates.compute(store, dt.date(2026, 4, 30))
    assert whole["metrics"]["case_penalty_rate"] == 1.0 and whole["metrics"]["penalty_execution_rate"] == 0.6667
    assert set(whole["by_month"]) == {"2026-03", "2026-04"}
    assert whole["by_region"]["宝安区"]["cases"] == 3
    empty = rates.compute(MemoryStore({}), dt.date(2026, 4, 30))["metrics"]
    assert empty["filing_rate"] is None and empty["penalty_execution_rate"] is None


def test_the_month_without_regions_has_the_same_figures(tmp_path):
    """by_region=False (the bulletin's month) skips reading the sites; every other figure is the same."""
    import datetime as dt

    from builders import inspect_dust, ledger_with_site
    from inspect_cli.case.rates import compute

    led = ledger_with_site(tmp_path / "ledger.sqlite", today="2026-03-02")
    inspect_dust(led, {"DP6-9": {}}, tmp_path)
    with led.read() as st:
        full = compute(st, dt.date(2026, 3, 20))
        light = compute(st, dt.date(2026, 3, 20), by_region=False)
    assert full["metrics"]["inspections_with_findings"] == 1 and full["by_region"]
    assert light["by_region"] == {} and {k: v for k, v in light.items() if k != "by_region"} == \
        {k: v for k, v in full.items() if k != "by_region"}


@pytest.mark.parametrize("name", ["ledger.json", "ledger.sqlite"])
def test_a_city_of_sites_takes_each_sites_region_field(tmp_path, name):
    """Above 2000 sites the rates read every site's 区域 in one pass: the region field comes
    first there too (SQLite's pass read only the address and attributes)."""
    from inspect_cli.ledger import open_ledger

    led = open_ledger(tmp_path / name, today="2026-03-20")
    with led.write() as st:
        st.put_many("sites", [(f"S{n}", {"code": f"S{n}", "address": "深圳市宝安区环保路8号",
                                         **({"region": "新安街道"} if n % 2 else {"attributes": {"region": "西乡街道"}})})
                              for n in range(2001)])
        for n in range(2001):
            st.put("inspections", f"I{n}", {"id": f"I{n}", "status": "completed", "kind": "enforcement",
                                            "site": f"S{n}", "domain": "dust_explosion", "date": "2026-03-02",
                                            "hazards": ["H"]})
    by_region = led.enforcement_rates()["by_region"]
    assert {k: v["inspections_with_findings"] for k, v in by_region.items()} == {"新安街道": 1000, "西乡街道": 1001}
