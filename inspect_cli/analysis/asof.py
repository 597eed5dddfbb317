"""Hazards as they stood at the end of a day: the base of the bulletin and of past-month figures."""
from __future__ import annotations

from typing import Any, Optional

from ..hazard import history, lifecycle
from ..storage.interface import Store

# Above this many hazards changed since the day, one pass over all events beats id batches.
REPLAY_ALL_ABOVE = 200_000


def hazards_as_of(st: Store, iso_as_of: str, fields: Optional[tuple[str, ...]] = None,
                  ids: Optional[list[str]] = None) -> list[dict[str, Any]]:
    """Every hazard as it stood at the end of ``iso_as_of``.

    A hazard with no event after that day is its stored record; only the hazards changed
    since are replayed from their events up to that day — so this month's bulletin reads
    the hazards once and almost no events, and an old month's still comes out exact.
    """
    if ids is None:
        current = st.find("hazards", {"created": ("<=", iso_as_of)}, fields=fields)
    else:
        current = [h for i in range(0, len(ids), 500)
                   for h in st.find("hazards", {"id": ("in", ids[i:i + 500]), "created": ("<=", iso_as_of)})]
    if ids is None:
        changed = changed_after(st, iso_as_of)
    else:  # only these hazards' events: a past month's few listed rows never scan every later event
        changed = {str(s) for i in range(0, len(ids), 500)
                   for (s,) in st.count_by("events", ("subject",), {"subject": ("in", ids[i:i + 500]),
                                                                    "date": (">", iso_as_of)})}
    if not changed:
        return current
    events_by: dict[str, list[dict[str, Any]]] = {}
    wanted = sorted(changed)
    if len(wanted) > REPLAY_ALL_ABOVE:
        chunks = [st.find("events", {"date": ("<=", iso_as_of)})]
    else:
        chunks = [st.find("events", {"subject": ("in", wanted[i:i + 500]), "date": ("<=", iso_as_of)})
                  for i in range(0, len(wanted), 500)]
    for chunk in chunks:
        for e in chunk:
            if e["subject"] in changed:
                events_by.setdefault(e["subject"], []).append(e)
    out = [h for h in current if h["id"] not in changed]
    for evs in events_by.values():
        out.append(lifecycle.replay(history.main_line(evs)))  # not another laptop's branch
    return out


def changed_after(st: Store, iso_day: str) -> set[str]:
    """The hazards with an event dated after ``iso_day`` (their stored record is not that day's)."""
    # grouped by (date, subject), the order of their index: SQLite then reads only the later
    # events' index entries (grouped by subject alone, it walks the whole (subject, seq) index)
    return {str(s) for (_, s) in st.count_by("events", ("date", "subject"), {"date": (">", iso_day)})}


def replay_as_of(st: Store, iso_day: str, ids: list[str]) -> list[dict[str, Any]]:
    """These hazards as they stood at the end of ``iso_day``, replayed from their events up to
    it (each its main line); a hazard with no event by then is left out."""
    events_by: dict[str, list[dict[str, Any]]] = {}
    for i in range(0, len(ids), 500):
        for e in st.find("events", {"subject": ("in", ids[i:i + 500]), "date": ("<=", iso_day)}):
            events_by.setdefault(e["subject"], []).append(e)
    return [lifecycle.replay(history.main_line(evs)) for evs in events_by.values()]
