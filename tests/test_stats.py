"""Statistics (inspect_cli.analysis.stats) and gates (inspect_cli.analysis.gates)."""
from __future__ import annotations

import datetime as dt

import pytest

from builders import INSPECTORS, inspect_dust, ledger_with_site, other_code
from inspect_cli.analysis import gates
from inspect_cli.hazard import moves as hazards
from inspect_cli.analysis import stats
from inspect_cli.clock import Clock
from inspect_cli.errors import UsageError
from inspect_cli.ledger import open_ledger

TODAY = dt.date(2026, 3, 31)


def hazard(st, n, *, site="S1", severity="general", created="2026-03-01", deadline="2026-03-08",
           domain="dust_explosion", item="I-1", checklist="c"):
    data = {"site": site, "site_name": site, "checklist": checklist, "checklist_version": 1, "domain": domain,
            "item": item, "item_text": f"text of {item}", "description": f"d{n}", "severity": severity,
            "item_severity": severity, "deadline": deadline, "created": created, "note": "", "evidence": []}
    return hazards.register(st, data, Clock.make(created), "tester")


def close(st, h, date, reason="reinspect"):
    clock = Clock.make(date)
    if reason == "on_spot":
        return hazards.record(st, h, "closed_on_spot", clock, "tester", {"reason": "当场整改"})
    return hazards.record(st, h, "reinspected", clock, "tester", {"result": "pass", "inspectors": INSPECTORS})


@pytest.fixture
def ledger(tmp_path):
    return open_ledger(tmp_path / "ledger.json", today=TODAY.isoformat())


def compute(ledger, **kw):
    with ledger.read() as st:
        return stats.compute(st, TODAY, **kw)


def test_empty_ledger_has_zero_counts_and_undefined_rates(ledger):
    with ledger.write():
        pass  # created, and empty (a ledger that does not exist is refused, not read as empty)
    assert ledger.exists()
    s = compute(ledger)
    m = s["metrics"]
    assert set(m) == set(stats.METRICS)
    assert m["hazards"] == 0 and m["inspections"] == 0 and m["overdue_major_over_30_days"] == 0
    assert m["closure_rate"] is None and m["major_closure_rate"] is None
    assert s["top_items"] == []


def test_closure_rates_count_closed_over_registered(ledger):
    with ledger.write() as st:
        hs = [hazard(st, i, severity="major" if i < 4 else "general", deadline="2026-04-30") for i in range(10)]
        close(st, hs[0], "2026-03-10")
        close(st, hs[1], "2026-03-11")
        close(st, hs[2], "2026-03-12")
        close(st, hs[4], "2026-03-01", "on_spot")
    m = compute(ledger)["metrics"]
    assert (m["hazards"], m["major_hazards"], m["general_hazards"]) == (10, 4, 6)
    assert (m["closed_hazards"], m["closed_major"], m["closed_on_spot"]) == (4, 3, 1)
    assert m["closure_rate"] == 0.4
    assert m["major_closure_rate"] == 0.75
    assert m["general_closure_rate"] == round(1 / 6, 4)
    assert m["open_hazards"] == 6 and m["open_major"] == 1


def test_closure_after_the_report_date_does_not_count(ledger):
    with ledger.write() as st:
        close(st, hazard(st, 1, deadline="2026-04-30"), "2026-04-05")
    m = compute(ledger)["metrics"]  # as of 2026-03-31
    assert m["closed_hazards"] == 0 and m["open_hazards"] == 1


@pytest.mark.parametrize("days,bucket", [(1, "1-7"), (7, "1-7"), (8, "8-30"), (30, "8-30"), (31, "31-90"),
                                         (90, "31-90"), (91, ">90"), (400, ">90")])
def test_overdue_buckets_by_days_past_deadline(ledger, days, bucket):
    deadline = (TODAY - dt.timedelta(days=days)).isoformat()
    with ledger.write() as st:
        hazard(st, 1, severity="major", created="2024-01-01", deadline=deadline)
        hazard(st, 2, severity="general", created="2024-01-01", deadline=TODAY.isoformat())  # due today: not overdue
    s = compute(ledger)
    assert s["overdue"]["by_severity"]["major"][bucket] == 1
    assert sum(s["overdue"]["by_severity"]["major"].values()) == 1
    assert sum(s["overdue"]["by_severity"]["general"].values()) == 0
    m = s["metrics"]
    assert m["overdue_major"] == 1 and m["overdue_hazards"] == 1
    assert m["overdue_major_over_30_days"] == (1 if days > 30 else 0)
    assert m["overdue_major_over_90_days"] == (1 if days > 90 else 0)


def test_closed_hazards_are_never_overdue(ledger):
    with ledger.write() as st:
        close(st, hazard(st, 1, deadline="2026-03-02"), "2026-03-20")
    assert compute(ledger)["metrics"]["overdue_hazards"] == 0


def test_window_and_filters(ledger):
    with ledger.write() as st:
        hazard(st, 1, created="2026-02-28", site="S1")
        hazard(st, 2, created="2026-03-01", site="S1", domain="forest_fire")
        hazard(st, 3, created="2026-03-31", site="S2")
        hazard(st, 4, created="2026-04-01", site="S2")
    assert compute(ledger, since="2026-03-01", until="2026-03-31")["metrics"]["hazards"] == 2
    assert compute(ledger, since="2026-03-01")["metrics"]["hazards"] == 3
    assert compute(ledger, until="2026-03-01")["metrics"]["hazards"] == 2
    assert compute(ledger, domain="forest_fire")["metrics"]["hazards"] == 1
    assert compute(ledger, site="s2")["metrics"]["hazards"] == 2  # codes are upper case
    s = compute(ledger, since="2026-03-01", until="2026-03-31")
    assert s["hazards"]["by_domain"] == {"dust_explosion": {"general": {"open": 1}},
                                         "forest_fire": {"general": {"open": 1}}}


def test_top_items_most_failed_first(ledger):
    with ledger.write() as st:
        for n in range(3):
            hazard(st, n, item="B", site=f"S{n}")
        hazard(st, 9, item="A")
    top = compute(ledger)["top_items"]
    assert [(t["item"], t["count"], t["sites"]) for t in top] == [("B", 3, 3), ("A", 1, 1)]
    assert top[0]["item_text"] == "text of B" and top[0]["checklist"] == "c" and top[0]["checklist_version"] == 1
    assert len(compute(ledger, top=1)["top_items"]) == 1


def test_inspections_by_kind_and_domain(tmp_path):
    led = ledger_with_site(tmp_path / "l.json")
    inspect_dust(led, {"DP6-9": {}}, tmp_path)
    with led.read() as st:
        s = stats.compute(st, led.clock.today)
    assert s["inspections"]["count"] == 1
    assert s["inspections"]["by_kind"] == {"enforcement": 1}
    assert s["inspections"]["by_domain"] == {"dust_explosion": 1}
    assert s["metrics"]["enforcement_inspections"] == 1
    with led.read() as st:
        assert stats.compute(st, led.clock.today, since="2026-03-03")["inspections"]["count"] == 0


class CountingStore:
    """Wraps a store and counts queries: statistics must read hazards once, not per hazard."""

    def __init__(self, st):
        self.st, self.calls = st, []

    def find(self, table, where=None, **kw):
        self.calls.append(("find", table))
        return self.st.find(table, where, **kw)

    def get(self, table, id):
        self.calls.append(("get", table))
        return self.st.get(table, id)

    def count(self, table, where=None):
        self.calls.append(("count", table))
        return self.st.count(table, where)


def test_one_query_for_all_hazards(ledger):
    with ledger.write() as st:
        for n in range(200):
            hazard(st, n, site=f"S{n % 7}", severity="major" if n % 3 else "general", deadline="2026-03-10")
    with ledger.read() as st:
        wrapped = CountingStore(st)
        s = stats.compute(wrapped, TODAY, since="2026-01-01")
    # the hazards once; then the enforcement rates' fixed queries (sites for 区域, inspections, settings, cases)
    assert wrapped.calls == [("find", "inspections"), ("find", "hazards"), ("find", "sites"), ("find", "inspections"),
                             ("get", "settings"), ("find", "cases")]
    assert s["metrics"]["hazards"] == 200


def test_scales_to_many_hazards():
    """100,000 hazards in memory are summarised in well under the time of loading them."""
    import time

    from inspect_cli.storage.jsonfile import MemoryStore

    rows = {}
    for i in range(100_000):
        hid = f"H-{i:06d}"
        rows[hid] = {"id": hid, "site": f"S{i % 5000}", "severity": "major" if i % 10 == 0 else "general",
                     "status": ("open", "planned", "fixed", "closed")[i % 4], "created": f"2025-{1 + i % 12:02d}-15",
                     "deadline": f"2026-{1 + i % 3:02d}-{1 + i % 28:02d}", "domain": "dust_explosion",
                     "checklist": "c", "checklist_version": 1, "item": f"I-{i % 40}", "item_text": "t",
                     "closed_date": "2026-01-01" if i % 4 == 3 else None}
    store = MemoryStore({"hazards": rows})
    start = time.perf_counter()
    s = stats.compute(store, TODAY)
    assert time.perf_counter() - start < 10
    assert s["metrics"]["hazards"] == 100_000
    assert s["metrics"]["closed_hazards"] == 25_000


# gates -----------------------------------------------------------------------------

KNOWN = list(stats.METRICS)


@pytest.mark.parametrize("text,metric,op,value", [
    ("major_closure_rate>=0.8", "major_closure_rate", ">=", 0.8),
    ("overdue_major_over_30_days==0", "overdue_major_over_30_days", "==", 0.0),
    ("  closure_rate >= 80% ", "closure_rate", ">=", 0.8),
    ("hazards<1e3", "hazards", "<", 1000.0),
    ("overdue_hazards!=5", "overdue_hazards", "!=", 5.0),
    ("inspections>.5", "inspections", ">", 0.5),
    ("open_hazards<=-1", "open_hazards", "<=", -1.0),
])
def test_parse_gate(text, metric, op, value):
    g = gates.parse(text, KNOWN)
    assert (g.metric, g.op, g.value) == (metric, op, pytest.approx(value))


def test_unknown_metric_suggests_the_near_one():
    with pytest.raises(UsageError, match=r"unknown metric 'major_closure_rat'.*did you mean major_closure_rate"):
        gates.parse("major_closure_rat>=0.8", KNOWN)


def test_unknown_metric_without_near_name_lists_the_metrics():
    with pytest.raises(UsageError, match="the metrics are: .*closure_rate"):
        gates.parse("zzz>=1", KNOWN)


@pytest.mark.parametrize("text,hint", [
    ("closure_rate=0.8", "use == for equality"),
    ("closure_rate=>0.8", "the operators are"),
    ("closure_rate>=abc", "METRIC OP NUMBER"),
    ("__import__('os').system('true')", "METRIC OP NUMBER"),
    ("closure_rate>=0.8 and 1", "METRIC OP NUMBER"),
    ("", "METRIC OP NUMBER"),
])
def test_malformed_gates_are_usage_errors(text, hint):
    with pytest.raises(UsageError) as e:
        gates.parse(text, KNOWN)
    assert hint in str(e.value)
    assert e.value.exit_code == 2


def test_evaluate_pass_fail_and_skip():
    metrics = {"major_closure_rate": 0.75, "overdue_major_over_30_days": 0, "closure_rate": None, "hazards": 3}
    gs = gates.parse_all(["major_closure_rate>=0.8", "overdue_major_over_30_days==0", "closure_rate>=0.9",
                          "hazards>3", "hazards>=3", "hazards!=3"], KNOWN)
    results = gates.evaluate(gs, metrics)
    assert [r["passed"] for r in results] == [False, True, True, False, True, False]
    assert results[2]["skipped"] is True
    assert [r["gate"] for r in gates.failed(results)] == ["major_closure_rate>=0.8", "hazards>3", "hazards!=3"]


def test_float_rates_compare_with_tolerance():
    g = gates.parse("closure_rate==0.3", KNOWN)
    assert gates.check(g, 0.1 + 0.2)
    assert gates.check(gates.parse("closure_rate>=0.3", KNOWN), 0.1 + 0.2)
    assert not gates.check(gates.parse("closure_rate>0.3", KNOWN), 0.1 + 0.2)


def test_stats_over_a_real_inspection_and_closure(tmp_path):
    led = ledger_with_site(tmp_path / "l.json", today="2026-03-02")
    led.add_site({"code": other_code(1), "name": "乙", "industry": "机械"})
    out = inspect_dust(led, {"GM10-11-10": {}, "DP6-9": {}}, tmp_path)
    inspect_dust(led, {"DP6-9": {}}, tmp_path, code=other_code(1))
    general = next(h["id"] for h in out["hazards"] if h["item"] == "DP6-9")
    led.fixed(general, "已整改")
    later = open_ledger(led.path, today="2026-03-05")
    later.reinspect(general, "pass", INSPECTORS, "合格", (tmp_path / "photo.png",))
    with open_ledger(led.path, today="2026-04-15").read() as st:
        s = stats.compute(st, dt.date(2026, 4, 15))
    m = s["metrics"]
    assert (m["inspections"], m["hazards"], m["closed_hazards"], m["major_hazards"]) == (2, 3, 1, 1)
    assert m["closure_rate"] == round(1 / 3, 4)
    assert m["major_closure_rate"] == 0.0
    assert m["overdue_hazards"] == 2  # the major (30-day deadline) and the other site's general
    assert s["top_items"][0]["item"] == "DP6-9" and s["top_items"][0]["sites"] == 2

