"""The bulletin's counted tally (GROUP BY on the stored hazards, corrected by replaying the
hazards changed since the day) gives exactly the figures of the reference: one pass over
every hazard as it stood that day, replayed from its history."""
from __future__ import annotations

import datetime as dt
import random

import pytest

from inspect_cli.analysis.asof import hazards_as_of
from inspect_cli.analysis.tally import EXTRA_FIELDS, LIGHT_FIELDS, Spec, counted, from_records
from inspect_cli.clock import Clock
from inspect_cli.hazard import moves as hazards
from inspect_cli.ledger import open_ledger
from inspect_cli.reports.bulletin_figures import Window

TODAY = dt.date(2026, 3, 20)
TWO = [{"name": "甲", "cert": "1"}, {"name": "乙", "cert": "2"}]


def _fill(st, seed: int, n: int = 150) -> None:
    """Hazards of a quarter with every kind of later event, visits and sites with 区域/行业."""
    rng = random.Random(seed)
    for k in range(12):
        code = f"S{k}"
        st.put("sites", code, {"code": code, "name": code, "region": rng.choice(["东区", "西区", None]),
                               "industry": rng.choice(["化工", "冶金"]), "added": rng.choice([None, "2025-06-01", "2026-02-10"])})
    for k in range(40):
        day = dt.date(2025, 1, 1) + dt.timedelta(days=rng.randrange(440))
        st.put("inspections", f"I-{k}", {"id": f"I-{k}", "site": f"S{rng.randrange(12)}", "date": day.isoformat(),
                                         "status": rng.choice(["completed", "completed", "in_progress"]),
                                         "inspectors": rng.choice([TWO, TWO[:1], [{"name": "丙"}], []])})
    for i in range(n):
        created = dt.date(2025, 12, 1) + dt.timedelta(days=rng.randrange(105))
        deadline = created + dt.timedelta(days=rng.choice((3, 7, 30)))
        major = i % 3 == 0
        data = {"site": f"S{rng.randrange(12)}", "site_name": "s", "checklist": "c", "checklist_version": 1,
                "domain": rng.choice(("dust_explosion", "hazardous_chemicals")), "item": f"I-{i % 5}",
                "item_text": "t", "description": f"d{i}", "severity": "major" if major else "general",
                "item_severity": "general", "deadline": deadline.isoformat(), "created": created.isoformat(),
                "note": "", "evidence": []}
        h = hazards.register(st, data, Clock.make(created.isoformat()), "tester")
        day = created
        steps = rng.choice([["spot"], ["fixed", "pass"], ["fail", "fixed", "pass"], ["extend", "fixed"],
                            ["plan", "supervise", "fixed", "pass"], ["plan", "pass"], ["supervise"], [], ["fail"]])
        if not major:
            steps = [s for s in steps if s not in ("plan", "supervise")]
        for step in steps:
            day = day + dt.timedelta(days=rng.randrange(0, 12))
            if day > TODAY:
                break
            c = Clock.make(day.isoformat())
            if step == "spot":
                h = hazards.record(st, h, "closed_on_spot", c, "tester", {"reason": "当场整改"})
            elif step == "fixed":
                funds = rng.choice([{}, {"funds": "2万元"}, {"funds": 3500}])
                h = hazards.record(st, h, "fixed", c, "企业", funds, "已整改")
            elif step == "pass":
                h = hazards.record(st, h, "reinspected", c, "tester", {"result": "pass", "inspectors": TWO})
            elif step == "fail":
                new = (day + dt.timedelta(days=10)).isoformat()
                h = hazards.record(st, h, "reinspected", c, "tester", {"result": "fail", "inspectors": TWO, "deadline": new})
            elif step == "extend":
                h = hazards.record(st, h, "extended", c, "tester", {"to": (day + dt.timedelta(days=20)).isoformat(),
                                                                    "reason": "r"})
            elif step == "plan":
                plan = {p: "x" for p in ("goals", "measures", "responsible", "deadline", "safety")}
                h = hazards.record(st, h, "plan", c, "tester", {"plan": {**plan, "funds": rng.choice(["5000元", "自筹"])}})
            elif step == "supervise":
                h = hazards.record(st, h, "supervise", c, "tester", {"level": "市级", "authority": "市应急局"})


def _spec(month: str, rows: int) -> Spec:
    first = dt.date.fromisoformat(month + "-01")
    w = Window.of(first.year, first.month)
    return Spec(as_of=min(w.last, TODAY), first=w.first.isoformat(), last=w.last.isoformat(),
                year_start=f"{first.year}-01-01", rows=rows,
                windows=tuple((x.first.isoformat(), x.last.isoformat()) for x in (w, w.previous(), w.year_before())))


def _reference(st, spec: Spec):
    inspections = st.find("inspections")
    return from_records(hazards_as_of(st, spec.day, LIGHT_FIELDS + EXTRA_FIELDS), inspections, st.find("sites"), spec)


@pytest.mark.parametrize("name", ["ledger.json", "ledger.sqlite", "postgresql"])
@pytest.mark.parametrize("seed", [1, 2])
def test_counted_and_replayed_tallies_agree(tmp_path, name, seed, request):
    if name == "postgresql":
        from pgserver import fresh_database

        led = open_ledger(fresh_database(request), today=TODAY.isoformat())
    else:
        led = open_ledger(tmp_path / name, today=TODAY.isoformat())
    with led.write() as st:
        _fill(st, seed)
    for month, rows in [("2026-03", 200), ("2026-03", 5), ("2026-02", 7), ("2026-01", 3), ("2025-12", 200),
                        ("2025-11", 4)]:
        spec = _spec(month, rows)
        with led.read() as st:
            fast, ref = counted(st, spec), _reference(st, spec)
        for part in ("cell", "total", "overdue_cell", "overdue_days", "new_total", "closed_total", "overdue_total",
                     "majors_year", "majors_all", "sites", "supervision", "registered_sites", "new", "closed",
                     "overdue", "unplanned"):
            assert getattr(fast, part) == getattr(ref, part), (month, rows, part)
        for f, r in zip(fast.windows, ref.windows):
            assert (f.new, f.new_major, f.closed, f.on_time, f.visits, f.sites, f.officers) == \
                   (r.new, r.new_major, r.closed, r.on_time, r.visits, r.sites, r.officers), month
            assert sorted(f.amounts) == sorted(r.amounts) and f.funds == r.funds, month
    # the past months really had hazards changed since, and the figures see them
    with led.read() as st:
        assert counted(st, _spec("2026-01", 5)).overdue_total > 0


def test_the_bulletin_counts_a_past_month_as_it_stood(tmp_path):
    """A hazard closed after the month shows open (and overdue) in that month's bulletin."""
    from inspect_cli.reports import build_context

    led = open_ledger(tmp_path / "l.sqlite", today=TODAY.isoformat())
    with led.write() as st:
        data = {"site": "S1", "site_name": "s", "checklist": "c", "checklist_version": 1, "domain": "dust_explosion",
                "item": "I-1", "item_text": "t", "description": "d", "severity": "general", "item_severity": "general",
                "deadline": "2026-01-20", "created": "2026-01-10", "note": "", "evidence": []}
        h = hazards.register(st, data, Clock.make("2026-01-10"), "tester")
        hazards.record(st, h, "reinspected", Clock.make("2026-02-05"), "tester", {"result": "pass", "inspectors": TWO})
    jan = build_context(led, "bulletin", month="2026-01")
    feb = build_context(led, "bulletin", month="2026-02")
    assert jan["overdue_total"] == 1 and jan["totals"]["by_status"] == [1, 0, 0, 0]
    assert feb["overdue_total"] == 0 and feb["totals"]["by_status"] == [0, 0, 0, 1] and feb["closed_total"] == 1


def test_the_counted_tally_reads_only_the_rows_it_lists(tmp_path, monkeypatch):
    """This month's figures are counted, not read: of 600 hazards, whole or light records are
    read only for the first rows of each list (and the closed majors without a plan)."""
    from inspect_cli.storage.sqlite import SqliteStore

    led = open_ledger(tmp_path / "ledger.sqlite", today=TODAY.isoformat())
    with led.write() as st:
        _fill(st, 3, n=600)
    spec = _spec("2026-03", 5)
    read: list[int] = []
    find = SqliteStore.find

    def counting(self, table, *args, **kwargs):
        got = find(self, table, *args, **kwargs)
        if table == "hazards":
            read.append(len(got))
        return got

    monkeypatch.setattr(SqliteStore, "find", counting)
    with led.read() as st:
        t = counted(st, spec)
    assert t.new_total > 50 and sum(t.total.values()) == 600
    assert sum(read) <= 3 * 5 + 3 * 20 + len(t.unplanned), read  # a list's rows, ties on its last key
