"""The checklist file format as data: which keys each mapping takes and what they hold.

:func:`check` walks a value against a schema and returns ``(path, message)`` problems;
the loader maps each path to a line of the file.
"""
from __future__ import annotations

import difflib
import re
from dataclasses import dataclass
from typing import Any, Optional, Union

from .model import ITEM_TYPES

Path = tuple[Union[str, int], ...]
Problem = tuple[Path, str]

SLUG = re.compile(r"^[a-z0-9][a-z0-9_-]*$")
ITEM_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]*$")
KEY = re.compile(r"^[A-Za-z0-9_-]+$")
NAME = re.compile(r"^[a-z_][a-z0-9_]*$")
DATE = re.compile(r"^\d{4}(-\d{2}(-\d{2})?)?$")
REF = re.compile(r"^[a-z0-9][a-z0-9_-]*@[1-9][0-9]*$")


@dataclass(frozen=True)
class Field:
    """One key of a mapping. ``kind`` names a checker below; ``of`` is a nested schema."""

    kind: str
    required: bool = False
    of: Any = None
    choices: tuple[str, ...] = ()
    pattern: Optional[re.Pattern[str]] = None
    hint: str = ""


TEXT_KEYS = {"zh": Field("str", required=True), "en": Field("str")}
SOURCE_KINDS = ("law", "regulation", "rule", "determination-standard", "standard", "local")
SUPERSEDED_BY = {"title": Field("str", True), "number": Field("str")}
SOURCE = {
    "key": Field("str", True, pattern=KEY, hint="letters, digits, - and _"),
    "title": Field("str", True), "number": Field("str"),
    "kind": Field("str", choices=SOURCE_KINDS),
    "in_force": Field("date"), "repealed": Field("date"), "superseded_by": Field("map", of=SUPERSEDED_BY),
    "major_standard": Field("bool"),
    "verification": Field("str", choices=("verified-official", "verified-copy", "verified-partial", "unverified")),
    "note": Field("text"),
}
BASIS = {"source": Field("str", True), "clause": Field("str", True), "unverified": Field("bool")}
OPTION = {"value": Field("str", True), "text": Field("text", True), "pass": Field("bool"), "na": Field("bool")}
BOUND_REF = re.compile(r"^(site|param)\.[a-z_][a-z0-9_]*$")
RANGE = {"min": Field("bound"), "max": Field("bound")}
ITEM = {
    "id": Field("str", True, pattern=ITEM_ID, hint="letters, digits, '.', '-' and '_'"),
    "text": Field("text", True), "finding": Field("text"), "guidance": Field("text"),
    "basis": Field("basis", True), "severity": Field("str", True, choices=("general", "major")),
    "type": Field("str", True, choices=ITEM_TYPES),
    "when": Field("str"), "evidence_required": Field("bool"), "rectify_days": Field("days"),
    "tags": Field("list", of=Field("str")), "note": Field("text"),
    "unit": Field("str"), "pass": Field("map", of=RANGE), "options": Field("list", of=Field("map", of=OPTION)),
    "combines": Field("list", of=Field("str")), "once_per_visit": Field("bool"),
}
SECTION = {
    "id": Field("str", True, pattern=SLUG, hint="lower-case letters, digits, - and _"),
    "title": Field("text", True), "repeat": Field("text"), "when": Field("str"),
    "items": Field("list", True, of=Field("map", of=ITEM)),
}
ATTRIBUTE = {"type": Field("str", True, choices=("boolean", "number", "text", "choice")),
             "text": Field("text", True), "options": Field("list", of=Field("str"))}
PARAMETER = {"value": Field("scalar", True), "text": Field("text", True)}
APPLIES_TO = {"description": Field("text", True), "industries": Field("list", of=Field("str")), "when": Field("str")}
SKIP = {"item": Field("str", True), "reason": Field("str", True)}
OVERRIDE = {
    "item": Field("str", True), "pass": Field("map", of=RANGE), "rectify_days": Field("days"),
    "guidance": Field("text"), "note": Field("text"), "evidence_required": Field("bool"),
    "tags": Field("list", of=Field("str")), "severity": Field("str", choices=("general", "major")),
    "basis": Field("basis"),
}
CHECKLIST = {
    "id": Field("str", True, pattern=SLUG, hint="lower-case letters, digits, - and _, e.g. dust-explosion"),
    "version": Field("version", True), "title": Field("text", True),
    "domain": Field("str", True, pattern=SLUG, hint="e.g. dust_explosion"),
    "applies_to": Field("map", True, of=APPLIES_TO),
    "sources": Field("list", True, of=Field("map", of=SOURCE)),
    "attributes": Field("dict", of=Field("map", of=ATTRIBUTE)),
    "parameters": Field("dict", of=Field("map", of=PARAMETER)),
    "sections": Field("list", True, of=Field("map", of=SECTION)),
    "extends": Field("str", pattern=REF, hint="BASE_ID@VERSION, e.g. dust-explosion@1"),
    "skip": Field("list", of=Field("map", of=SKIP)),
    "override": Field("list", of=Field("map", of=OVERRIDE)),
}
OVERLAY_OPTIONAL = ("sources", "sections")


def type_name(value: Any) -> str:
    return {dict: "a mapping", list: "a list", str: "text", bool: "true/false", int: "a number",
            float: "a number", type(None): "empty"}.get(type(value), type(value).__name__)


def check(value: Any, schema: dict[str, Field], path: Path = ()) -> list[Problem]:
    """Check a mapping against a schema: unknown keys, missing keys, wrong kinds."""
    if not isinstance(value, dict):
        return [(path, f"must be a mapping, not {type_name(value)}")]
    problems: list[Problem] = []
    for key in value:
        if key not in schema:
            near = difflib.get_close_matches(str(key), list(schema), n=1, cutoff=0.6)
            hint = f"; did you mean {near[0]!r}?" if near else f"; allowed keys: {', '.join(schema)}"
            problems.append((path + (key,), f"unknown key {key!r}{hint}"))
    for key, f in schema.items():
        if key not in value or value[key] is None:
            if f.required and not (path == () and key in OVERLAY_OPTIONAL and "extends" in value):
                problems.append((path, f"missing required key {key!r}"))
            continue
        problems += check_field(value[key], f, path + (key,))
    return problems


def check_field(v: Any, f: Field, path: Path) -> list[Problem]:
    kind = f.kind
    if kind == "map":
        return check(v, f.of, path)
    if kind in ("list", "dict"):
        want = list if kind == "list" else dict
        if not isinstance(v, want):
            return [(path, f"must be {type_name(want())}, not {type_name(v)}")]
        pairs: Any = enumerate(v) if isinstance(v, list) else v.items()
        out: list[Problem] = []
        for k, sub in pairs:
            if kind == "dict" and not NAME.match(str(k)):
                out.append((path + (k,), f"name {k!r} must be lower-case letters, digits and _"))
            out += check_field(sub, f.of, path + (k,))
        return out
    msg = _scalar(v, f)
    return [(path, msg)] if msg else []


def _scalar(v: Any, f: Field) -> str:
    kind = f.kind
    if kind == "text":
        if isinstance(v, str):
            return "" if v.strip() else "text must not be empty"
        if isinstance(v, dict):
            if not str(v.get("zh") or "").strip():
                return "missing Chinese text: add a 'zh' entry (Chinese is authoritative, 'en' is a gloss)"
            extra = [k for k in v if k not in TEXT_KEYS]
            return (f"unknown key {extra[0]!r} in a text; use 'zh' and 'en' (inside {{...}} a comma or "
                    "': ' splits the text: put it in quotes)") if extra else ""
        return f"must be text or a mapping with 'zh' and 'en', not {type_name(v)}"
    if kind == "str":
        if not isinstance(v, str) or not v.strip():
            return f"must be non-empty text, not {type_name(v)}"
        if f.pattern and not f.pattern.match(v):
            return f"{v!r} is not valid: use {f.hint}"
        if f.choices and v not in f.choices:
            near = difflib.get_close_matches(v, f.choices, n=1)
            hint = f" (did you mean {near[0]!r}?)" if near else ""
            return f"{v!r} is not valid{hint}; use one of: {', '.join(f.choices)}"
        return ""
    if kind == "bool":
        return "" if isinstance(v, bool) else f"must be true or false, not {v!r}"
    if kind == "number":
        ok = isinstance(v, (int, float)) and not isinstance(v, bool)
        return "" if ok else f"must be a number, not {v!r}"
    if kind == "bound":
        ref = isinstance(v, str) and BOUND_REF.match(v) is not None
        return "" if (isinstance(v, (int, float)) and not isinstance(v, bool)) or ref else f"must be a number or a reference site.NAME / param.NAME, not {v!r}"
    if kind in ("days", "version"):
        ok = isinstance(v, int) and not isinstance(v, bool) and v >= 1
        what = "a whole number of days, at least 1" if kind == "days" else "a whole number, at least 1"
        return "" if ok else f"must be {what}, not {v!r}"
    if kind == "date" and isinstance(v, str) and DATE.match(v) and not _real_date(v):
        return f"{v!r} is not a real date"
    if kind == "date":
        return "" if isinstance(v, str) and DATE.match(v) else f"must be a date YYYY-MM-DD (or YYYY-MM, YYYY), not {v!r}"
    if kind == "scalar":
        return "" if isinstance(v, (str, int, float, bool)) else f"must be a single value, not {type_name(v)}"
    if kind == "basis":
        return _basis(v)
    raise AssertionError(kind)


def _real_date(v: str) -> bool:
    import datetime as dt

    parts = [int(p) for p in v.split("-")]
    try:
        dt.date(parts[0], parts[1] if len(parts) > 1 else 1, parts[2] if len(parts) > 2 else 1)
    except ValueError:
        return False
    return True


def _basis(v: Any) -> str:
    entries = v if isinstance(v, list) else [v]
    if not entries:
        return "must cite at least one source: {source: KEY, clause: 第X条}"
    for e in entries:
        if not isinstance(e, dict) or set(e) - set(BASIS) or not all(isinstance(e.get(k), str) and e.get(k)
                                                                      for k in ("source", "clause")):
            return "each basis must be a mapping {source: KEY, clause: 第X条（Y）} with both keys"
        if "unverified" in e and not isinstance(e["unverified"], bool):
            return "a basis's unverified must be true or false"
    return ""
