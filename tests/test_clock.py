"""The clock: Asia/Shanghai by default (a fixed UTC+8, which is what the tz database says for
every date since 1991), another zone by INSPECT_TZ, a clear error for a name that is none."""
from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, strategies as st

from inspect_cli.clock import Clock
from inspect_cli.errors import UsageError


@given(st.datetimes(min_value=dt.datetime(1992, 1, 1), max_value=dt.datetime(2099, 12, 31)))
def test_the_default_zone_gives_the_times_of_asia_shanghai(moment):
    ours = Clock.make("2026-03-02").zone
    assert moment.replace(tzinfo=ours).utcoffset() == moment.replace(tzinfo=ZoneInfo("Asia/Shanghai")).utcoffset()


def test_inspect_tz_chooses_another_zone(monkeypatch):
    monkeypatch.setenv("INSPECT_TZ", "Asia/Urumqi")
    assert dt.datetime(2026, 3, 2, 12).replace(tzinfo=Clock.make().zone).utcoffset() == dt.timedelta(hours=6)


def test_an_unknown_zone_is_a_usage_error(monkeypatch):
    monkeypatch.setenv("INSPECT_TZ", "Mars/Olympus")
    with pytest.raises(UsageError, match="not a time zone"):
        Clock.make()
