"""The bulletin's GROUP BY tally gives exactly the figures of the one-pass tally over records."""
from __future__ import annotations

import datetime as dt
import random

import pytest

from inspect_cli.analysis.tally import LIGHT_FIELDS, bulletin_tally
from inspect_cli.clock import Clock
from inspect_cli.hazard import moves as hazards
from inspect_cli.ledger import open_ledger
from inspect_cli.reports.bulletin import _tally

TODAY = dt.date(2026, 3, 20)


def _fill(st, n: int = 120) -> None:
    rng = random.Random(7)
    for i in range(n):
        created = dt.date(2026, 1, 1) + dt.timedelta(days=rng.randrange(70))
        deadline = created + dt.timedelta(days=rng.choice((3, 7, 30)))
        data = {"site": f"S{i % 9}", "site_name": f"S{i % 9}", "checklist": "c", "checklist_version": 1,
                "domain": rng.choice(("dust_explosion", "hazardous_chemicals")), "item": f"I-{i % 5}",
                "item_text": "t", "description": f"d{i}", "severity": "major" if i % 4 == 0 else "general",
                "item_severity": "general", "deadline": deadline.isoformat(), "created": created.isoformat(),
                "note": "", "evidence": []}
        h = hazards.register(st, data, Clock.make(created.isoformat()), "tester")
        r = rng.random()
        day = min(TODAY, created + dt.timedelta(days=rng.randrange(1, 20)))
        if r < 0.3:
            hazards.record(st, h, "closed_on_spot", Clock.make(created.isoformat()), "tester", {"reason": "当场整改"})
        elif r < 0.5:
            hazards.record(st, h, "reinspected", Clock.make(day.isoformat()), "tester",
                           {"result": "pass", "inspectors": [{"name": "甲", "cert": "1"}, {"name": "乙", "cert": "2"}]})
        elif r < 0.6:
            hazards.record(st, h, "fixed", Clock.make(day.isoformat()), "企业", {}, "已整改")


def _key(rows):
    return [(h["id"], h["days_overdue"]) for h in rows]


@pytest.mark.parametrize("name", ["ledger.json", "ledger.sqlite"])
@pytest.mark.parametrize("month,rows", [("2026-03", 200), ("2026-03", 5), ("2026-02", 7), ("2026-01", 3)])
def test_counted_and_replayed_tallies_agree(tmp_path, name, month, rows):
    led = open_ledger(tmp_path / name, today=TODAY.isoformat())
    with led.write() as st:
        _fill(st)
    first = dt.date.fromisoformat(month + "-01")
    last = (first + dt.timedelta(days=32)).replace(day=1) - dt.timedelta(days=1)
    as_of = min(last, TODAY)
    args = (first.isoformat(), last.isoformat(), "2026-01-01")
    with led.read() as st:
        counted = bulletin_tally(st, as_of, *args, rows)
    replayed = _tally(led.hazards_as_of(as_of.isoformat(), LIGHT_FIELDS), as_of, *args)
    if as_of < TODAY:
        assert counted is None  # hazards changed since that day: the bulletin replays them
        return
    assert counted is not None
    for name_ in ("cell", "total", "overdue_cell", "overdue_days", "new_total", "closed_total", "overdue_total",
                  "majors_year", "majors_all", "per_site"):
        assert getattr(counted, name_) == getattr(replayed, name_), name_
    by_order = lambda h: (h["created"], h["id"])  # noqa: E731
    assert _key(counted.new) == _key(sorted(replayed.new, key=by_order)[:rows])
    assert _key(counted.closed) == _key(sorted(replayed.closed, key=by_order)[:rows])
    assert _key(counted.overdue) == _key(sorted(replayed.overdue, key=lambda h: (-h["days_overdue"], h["id"]))[:rows])
    assert sorted(h["id"] for h in counted.closed_majors) == sorted(h["id"] for h in replayed.closed_majors)
