"""检查时间: the start and end of an inspection as the inspector gives them.

The record prints them (现场检查记录, 检查时间 ____年__月__日__时__分至__月__日__时__分). They are
not the computer's clock: an inspection entered later (``--today`` back-dated, or from an
answers file) keeps the times it really had, or none — the record then prints the date with
the hours left blank for handwriting.
"""
from __future__ import annotations

import datetime as dt
import re
from typing import Any, Optional

from .errors import UsageError

_HHMM = re.compile(r"^(\d{1,2})[:：时](\d{2})分?$")


def parse_time(value: Any, day: dt.date, zone: dt.tzinfo, what: str) -> str:
    """``09:30`` (on the inspection's day), ``2026-03-02 09:30`` or an ISO timestamp → ISO
    text with the time zone; :class:`UsageError` naming ``what`` otherwise."""
    if isinstance(value, dt.datetime):
        moment = value
    else:
        text = str(value).strip()
        m = _HHMM.match(text)
        try:
            if m:
                moment = dt.datetime.combine(day, dt.time(int(m.group(1)), int(m.group(2))))
            else:
                moment = dt.datetime.fromisoformat(text)
        except ValueError:
            raise UsageError(f"{what} {text!r} is not a time: write HH:MM (on the inspection's date) or "
                             "YYYY-MM-DD HH:MM, e.g. 09:30") from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=zone)
    return moment.isoformat(timespec="minutes")


def visit_times(started: Any, finished: Any, day: dt.date, zone: dt.tzinfo) -> tuple[Optional[str], Optional[str]]:
    """Both times checked: given together, the start on the inspection's date, the end after
    the start and within a day of it."""
    if started in (None, "") and finished in (None, ""):
        return None, None
    if started in (None, "") or finished in (None, ""):
        raise UsageError("give both started and finished (the 检查时间 of the record), or neither")
    a = parse_time(started, day, zone, "started")
    b = parse_time(finished, day, zone, "finished")
    ta, tb = dt.datetime.fromisoformat(a), dt.datetime.fromisoformat(b)
    if ta.date() != day:
        raise UsageError(f"started {a[:16]} is not on the inspection's date {day.isoformat()}")
    if tb <= ta:
        raise UsageError(f"finished {b[:16]} is not after started {a[:16]}")
    if tb - ta > dt.timedelta(hours=24):
        raise UsageError(f"finished {b[:16]} is more than a day after started {a[:16]}")
    return a, b
