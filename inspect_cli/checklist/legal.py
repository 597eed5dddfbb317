"""The law in force on the inspection date: which checklists may be run, and what to say when not."""
from __future__ import annotations

import datetime as dt
from typing import Any, Optional

from ..errors import ChecklistError
from .model import Checklist

STATUS_TEXT = {
    "zh": {"in_force": "现行有效", "cites_repealed": "引用已废止的法规", "not_yet_in_force": "所引依据尚未施行"},
    "en": {"in_force": "in force", "cites_repealed": "cites repealed law", "not_yet_in_force": "cites law not yet in force"},
}


def refusal(checklist: Checklist, on: dt.date, registry: Optional[Any] = None) -> str:
    """Why ``checklist`` cannot be run for an inspection dated ``on`` (empty when it can)."""
    problems = checklist.legal_problems(on)
    if not problems:
        return ""
    reasons = "; ".join(why for _, why in problems)
    text = (f"{checklist.ref} cannot be used for an inspection dated {on.isoformat()}: it cites a source not in "
            f"force on that date: {reasons}.")
    others = [r for r in registry.versions_in_force(checklist.id, on) if r != checklist.ref] if registry else []
    if others:
        text += f" Use {others[-1]} (in force on {on.isoformat()})."
    elif registry is not None:
        text += f" No version of {checklist.id} is in force on that date."
    return text


def require_in_force(checklist: Checklist, on: dt.date, registry: Optional[Any] = None) -> None:
    """Raise :class:`ChecklistError` (exit 1) when ``checklist`` cites a source not in force on ``on``."""
    why = refusal(checklist, on, registry)
    if why:
        raise ChecklistError(why)


def repeal_warnings(checklist: Checklist, today: dt.date) -> list[str]:
    """A line for each declared source that is repealed as of ``today``."""
    out = []
    for s in checklist.sources.values():
        why = s.not_in_force(today)
        if why and s.repealed:
            out.append(f"warning: source {s.key} {why} (as of {today.isoformat()})")
    return out
