"""Load a checklist file: every problem reported at once as ``FILE:LINE: message``."""
from __future__ import annotations

from pathlib import Path as FsPath
from typing import Any, Callable, Optional

from ..errors import ChecklistError, InspectError
from ..yamlio import YamlProblem, load_file
from . import lines as linemap
from . import rules
from .build import build_checklist
from .model import Checklist
from .schema import CHECKLIST, check

BaseResolver = Callable[[str], Checklist]


def problems_of(path: FsPath, resolve_base: Optional[BaseResolver] = None,
                loaded: Optional[tuple[Any, Any]] = None) -> tuple[list[str], Optional[Checklist]]:
    """Validate one file: ``(problems, checklist)``; the checklist is None when invalid.

    ``loaded`` is the file's ``(value, node tree)`` when the caller has parsed it already.
    """
    name = str(path)
    try:
        data, node = loaded if loaded is not None else load_file(path)
    except YamlProblem as e:
        return [f"{name}:{e.line or 1}: {e.message}"], None
    if not isinstance(data, dict):
        what = "empty" if data is None else f"a {type(data).__name__}"
        return [f"{name}:1: a checklist must be a mapping with id, version, title, … — this file is {what}"], None
    found = check(data, CHECKLIST)
    base = None
    if isinstance(data.get("extends"), str) and resolve_base is not None:
        try:
            base = resolve_base(data["extends"])
        except InspectError as e:  # a base that cannot be found or loaded is a problem to report, not a crash
            found.append((("extends",), f"cannot find the base checklist {data['extends']!r}: {e}"))
    elif "extends" in data and not isinstance(data.get("extends"), str):
        found.append((("extends",), "extends must be the id of the base checklist (text)"))
    elif "extends" in data and resolve_base is None:
        found.append((("extends",), "an overlay needs its base: validate it with the checklist registry"))
    appended = rules.appended_sections(data, base)
    found = [p for p in found if not (len(p[0]) == 2 and p[0][0] == "sections" and p[0][1] in appended
                                      and p[1] == "missing required key 'title'")]
    found += rules.check_semantics(data, base)
    lines = linemap.index(node)
    ordered = sorted(found, key=lambda p: linemap.line_of(lines, p[0]))
    problems = [f"{name}:{linemap.line_of(lines, p)}: {_where(p)}{msg}" for p, msg in ordered]
    if problems:
        return problems, None
    return [], build_checklist(data, base, name)


def _where(path: tuple[Any, ...]) -> str:
    return "" if not path else ".".join(str(p) if isinstance(p, str) else f"[{p}]" for p in path).replace(".[", "[") + ": "


def load_checklist(path: FsPath, resolve_base: Optional[BaseResolver] = None,
                   loaded: Optional[tuple[Any, Any]] = None) -> Checklist:
    """Load a valid checklist or raise :class:`ChecklistError` listing every problem."""
    problems, checklist = problems_of(path, resolve_base, loaded)
    if checklist is None:
        raise ChecklistError(f"{path}: invalid checklist ({len(problems)} problem(s))", problems)
    return checklist
