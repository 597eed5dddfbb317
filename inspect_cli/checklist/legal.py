"""The law in force on the inspection date: which checklists may be run, and what to say when not."""
from __future__ import annotations

import datetime as dt
from typing import Any, Callable, Optional

from ..errors import ChecklistError
from .model import DETERMINATION, Checklist

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


# A function giving the kind of a source cited by (checklist, version, source key), or None
# when the checklist or the source is unknown.
SourceKind = Callable[[str, Any, str], Optional[str]]


def registry_source_kinds(registry: Any) -> SourceKind:
    """Source kinds from a checklist :class:`~inspect_cli.checklist.registry.Registry` (cached)."""
    cache: dict[tuple[str, Any], Optional[Checklist]] = {}

    def kind(checklist: str, version: Any, key: str) -> Optional[str]:
        ck = (checklist, version)
        if ck not in cache:
            try:
                cache[ck] = registry.get(f"{checklist}@{version}" if version is not None else checklist)
            except Exception:  # unknown or broken checklist: the kind cannot be told
                cache[ck] = None
        c = cache[ck]
        source = c.sources.get(key) if c is not None else None
        return (source.kind or None) if source is not None else None

    return kind


def unsupported_major(h: dict[str, Any], source_kind: Optional[SourceKind] = None) -> str:
    """Why a major hazard's basis does not carry a determination standard (empty when it does).

    The kind recorded with each basis entry is used; records made before kinds were recorded
    are looked up in the checklist they were found with.
    """
    if h.get("severity") != "major":
        return ""
    basis = [b for b in h.get("basis") or [] if isinstance(b, dict)]
    if not basis:
        return "its record cites no basis at all"
    kinds = []
    for b in basis:
        k = b.get("kind") or (source_kind(str(h.get("checklist")), h.get("checklist_version"), str(b.get("source")))
                              if source_kind else None)
        kinds.append(k)
    if DETERMINATION in kinds:
        return ""
    cites = "；".join(str(b.get("citation") or b.get("source")) for b in basis)
    if None in kinds:
        return f"no cited source is known to be a 重大事故隐患判定标准 (cites {cites}; the kind of some could not be found)"
    return f"its basis cites no 重大事故隐患判定标准, only {cites}"
