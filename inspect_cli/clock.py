"""Today and now, injectable: ``--today`` / ``INSPECT_TODAY``; time zone Asia/Shanghai by default."""
from __future__ import annotations

import datetime as dt
import os
from dataclasses import dataclass
from typing import Optional

from .errors import UsageError

DEFAULT_TZ = "Asia/Shanghai"


def parse_date(text: str, what: str = "date") -> dt.date:
    """Parse YYYY-MM-DD or raise :class:`UsageError` saying so."""
    try:
        return dt.date.fromisoformat(str(text).strip())
    except ValueError:
        hint = " (from INSPECT_TODAY)" if what == "--today" and os.environ.get("INSPECT_TODAY") == text else ""
        raise UsageError(f"{what}{hint} {text!r} is not a date: use YYYY-MM-DD, e.g. 2026-03-15") from None


_ISO = __import__("re").compile(r"^\d{4}-\d{2}-\d{2}$")


def iso_date(value: object) -> str:
    """A date from a file (YAML date or text ``YYYY-MM-DD``) as ISO text; ValueError otherwise.

    Stricter than :func:`datetime.date.fromisoformat`, which also takes ``20260401``:
    a deadline stored in another shape would compare wrongly with every other one.
    """
    if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
        return value.isoformat()
    text = str(value).strip()
    if not _ISO.match(text):
        raise ValueError(f"{value!r} is not a date: write YYYY-MM-DD, e.g. 2026-04-30")
    try:
        return dt.date.fromisoformat(text).isoformat()
    except ValueError:
        raise ValueError(f"{value!r} is not a real date") from None


_SHANGHAI = dt.timezone(dt.timedelta(hours=8), "CST")


def _zone() -> dt.tzinfo:
    name = os.environ.get("INSPECT_TZ", DEFAULT_TZ)
    if name == DEFAULT_TZ:
        # Asia/Shanghai has kept UTC+8 without DST since 1991: a fixed offset gives the same
        # times for every date this tool records, without loading the tz database (~3 ms a command)
        return _SHANGHAI
    try:
        from zoneinfo import ZoneInfo, available_timezones

        return ZoneInfo(name)
    except (ImportError, KeyError, ValueError, OSError):  # unknown name, no tz database
        if name != DEFAULT_TZ and available_timezones():
            raise UsageError(f"INSPECT_TZ={name!r} is not a time zone; e.g. Asia/Shanghai, Asia/Urumqi") from None
        # no tz database on this machine: Asia/Shanghai has had no DST since 1991
        return _SHANGHAI


@dataclass(frozen=True)
class Clock:
    """The date an action counts for, and the real moment it was recorded."""

    today: dt.date
    zone: dt.tzinfo

    def now(self) -> str:
        return dt.datetime.now(self.zone).isoformat(timespec="seconds")

    @classmethod
    def make(cls, today: Optional[str] = None) -> "Clock":
        zone = _zone()
        text = today or os.environ.get("INSPECT_TODAY")
        day = parse_date(text, "--today") if text else dt.datetime.now(zone).date()
        return cls(day, zone)
