"""Site records (被检查单位): validate one site, parse ``key=value`` attributes, read a sites CSV.

A site is a dict with the keys of :data:`SITE_FIELDS` plus ``attributes`` (a dict of
attribute name → bool, int, float or text). Optional fields that are not given are
``None``, so checklist ``when`` expressions see them as unset (``null``).
"""
from __future__ import annotations

import csv
import io
import re
from pathlib import Path
from typing import Any, Sequence

from . import uscc
from ..errors import ValidationFailed
from ..inputs import read_text

SITE_FIELDS = ("code", "name", "address", "contact", "phone", "industry", "risk_class", "region")
MAX_TEXT = 200

# 分级分类执法 classes. The letters are accepted (either case): local schemes name the
# grades differently (一级/红/重点…), so a translation would guess; a bureau's own labels
# are those named in its ``plan.frequencies`` setting (see inspect_cli.plan.classes).
RISK_CLASSES = ("A", "B", "C", "D")

# Headers used by Chinese office exports; English names are matched case-insensitively.
HEADER_ALIASES = {
    "统一社会信用代码": "code",
    "单位名称": "name",
    "地址": "address",
    "区域": "region",
    "乡镇街道": "region",
    "乡镇/街道": "region",
    "联系人": "contact",
    "联系电话": "phone",
    "行业": "industry",
    "风险等级": "risk_class",
}

_KEY_RE = re.compile(r"[a-z_][a-z0-9_]*")
_PHONE_RE = re.compile(r"\+?[0-9][0-9 -]*")
_INT_RE = re.compile(r"[+-]?(0|[1-9][0-9]*)")
_FLOAT_RE = re.compile(r"[+-]?(0|[1-9][0-9]*)?\.[0-9]+([eE][+-]?[0-9]+)?|[+-]?(0|[1-9][0-9]*)\.?[eE][+-]?[0-9]+")
_TRUE = {"true", "yes", "是"}
_FALSE = {"false", "no", "否"}
_ATTR_PREFIXES = ("attr.", "attr:")


def parse_value(text: str) -> bool | int | float | str:
    """An attribute value: true/false/yes/no (and 是/否) → bool, numbers → int or float, else text.

    Digit strings with a leading zero ("0755") stay text: they are identifiers, not amounts.
    """
    value = text.strip()
    low = value.lower()
    if low in _TRUE:
        return True
    if low in _FALSE:
        return False
    if _INT_RE.fullmatch(value):
        return int(value)
    if _FLOAT_RE.fullmatch(value):
        return float(value)
    return value


def check_attr_key(key: str) -> str:
    """Return ``key`` if it is a valid attribute name, else raise ValidationFailed."""
    if not _KEY_RE.fullmatch(key):
        raise ValidationFailed(f"attribute name {key!r} is invalid: use lower-case letters, digits and '_', "
                               "starting with a letter or '_' (e.g. al_mg_dust)")
    return key


def parse_attr(text: str) -> tuple[str, bool | int | float | str]:
    """Split ``key=value`` (as given to ``--attr``) into a checked key and a typed value."""
    key, sep, value = text.partition("=")
    if not sep:
        raise ValidationFailed(f"attribute {text!r} must be written KEY=VALUE, e.g. al_mg_dust=true")
    key = check_attr_key(key.strip())
    if not value.strip():
        raise ValidationFailed(f"attribute {key!r} has no value (write {key}=VALUE)")
    return key, parse_value(value)


def normalise_site(raw: dict[str, Any], classes: Sequence[str] = RISK_CLASSES) -> dict[str, Any]:
    """Validate one site and return it normalised; ValidationFailed lists every problem."""
    problems: list[str] = []
    unknown = sorted(str(k) for k in raw if k not in SITE_FIELDS and k != "attributes")
    if unknown:
        problems.append(f"unknown site field(s) {', '.join(unknown)}; allowed: {', '.join(SITE_FIELDS)}, attributes")

    text = {f: _text(raw.get(f)) for f in SITE_FIELDS}
    site: dict[str, Any] = {f: text[f] or None for f in SITE_FIELDS}
    try:
        site["code"] = uscc.validate(text["code"])
    except ValidationFailed as exc:
        problems.append(str(exc))
    if not text["name"]:
        problems.append("name (单位名称) is required")
    for f in ("name", "address", "contact", "industry"):
        if len(text[f]) > MAX_TEXT:  # documents print these in a table cell
            problems.append(f"{f} is {len(text[f])} characters long; at most {MAX_TEXT}")
    if text["risk_class"]:
        known = {c.upper(): c for c in classes}
        rc = known.get(text["risk_class"].upper())
        if rc is not None:
            site["risk_class"] = rc
        else:
            problems.append(f"risk_class {text['risk_class']!r} must be one of {', '.join(classes)}")
    if text["phone"]:
        problems.extend(_phone_problems(text["phone"]))
    site["attributes"], attr_problems = _attributes(raw.get("attributes"))
    problems.extend(attr_problems)

    if problems:
        summary = problems[0] if len(problems) == 1 else f"the site has {len(problems)} problems"
        raise ValidationFailed(summary, problems)
    return site


def read_sites_csv(path: Path | str, classes: Sequence[str] = RISK_CLASSES
                   ) -> tuple[list[tuple[int, dict[str, Any]]], list[tuple[int, str]]]:
    """Read a sites CSV: ``(good, bad)`` with ``good`` as ``(line, site)`` and ``bad`` as ``(line, message)``.

    Lines count from 1 (the header). The file may be UTF-8 (with or without BOM) or GB18030/GBK.
    Columns are :data:`SITE_FIELDS` (or the Chinese headers of :data:`HEADER_ALIASES`) and
    ``attr.NAME`` / ``attr:NAME`` for attributes; an empty attribute cell leaves it unset.
    A file-level problem (unreadable, empty, no code or name column) raises ValidationFailed.
    """
    path = Path(path)
    text = read_text(path)
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = next(reader, None)
        if header is None or not any(cell.strip() for cell in header):
            raise ValidationFailed(f"{path}: the file is empty; the first line must be a header "
                                   f"({', '.join(SITE_FIELDS)})")
        columns, bad = _columns(path, header)
        good: list[tuple[int, dict[str, Any]]] = []
        first_at: dict[str, int] = {}
        prev_end = reader.line_num
        for cells in reader:
            # A quoted cell may span lines, so a record starts right after the previous one ended.
            line, prev_end = prev_end + 1, reader.line_num
            if not any(c.strip() for c in cells):
                continue
            row_problems, raw = _row(cells, columns)
            site: dict[str, Any] | None = None
            try:
                site = normalise_site(raw, classes)
            except ValidationFailed as exc:
                row_problems.extend(exc.problems or [str(exc)])
            code = _valid_code(raw.get("code"))
            if code is not None:
                if code in first_at:
                    row_problems.append(f"duplicate code, first at row {first_at[code]}")
                else:
                    first_at[code] = line
            if row_problems:
                bad.extend((line, msg) for msg in row_problems)
            elif site is not None:
                good.append((line, site))
    except csv.Error as exc:
        raise ValidationFailed(f"{path}:{reader.line_num}: not a readable CSV file ({exc})") from exc
    return good, bad


def _text(value: Any) -> str:
    return "" if value is None else str(value).strip()


def _phone_problems(phone: str) -> list[str]:
    if not _PHONE_RE.fullmatch(phone):
        return [f"phone {phone!r} may only contain digits, spaces, '-' and a leading '+'"]
    if not 7 <= len(phone) <= 20:
        return [f"phone {phone!r} is {len(phone)} characters long; expected 7 to 20"]
    return []


def _attributes(raw: Any) -> tuple[dict[str, Any], list[str]]:
    if raw is None:
        return {}, []
    if not isinstance(raw, dict):
        return {}, [f"attributes must be a mapping of name to value, got {type(raw).__name__}"]
    attrs: dict[str, Any] = {}
    problems: list[str] = []
    for key, value in raw.items():
        try:
            check_attr_key(key if isinstance(key, str) else repr(key))
        except ValidationFailed as exc:
            problems.append(str(exc))
            continue
        if key in SITE_FIELDS:
            # `when` expressions read both as site.NAME, so a clash would be ambiguous.
            problems.append(f"attribute {key!r} clashes with the built-in site field of that name")
        elif value is None:
            continue
        elif isinstance(value, (bool, int, float, str)):
            attrs[key] = value.strip() if isinstance(value, str) else value
        else:
            problems.append(f"attribute {key!r} must be true/false, a number or text, got {type(value).__name__}")
    return attrs, problems




def _columns(path: Path, header: list[str]) -> tuple[list[tuple[str, str] | None], list[tuple[int, str]]]:
    """Map each header cell to ("field", name), ("attr", key) or ("blank", column number);
    None for a column already reported as bad."""
    columns: list[tuple[str, str] | None] = []
    unknown: list[str] = []
    bad: list[tuple[int, str]] = []
    seen: dict[tuple[str, str], str] = {}
    for cell in header:
        name = cell.strip().lstrip("\ufeff").strip()
        col: tuple[str, str] | None
        if not name:
            # Excel exports trailing blank columns; they only matter if a row fills them.
            col = ("blank", str(len(columns) + 1))
        elif name in HEADER_ALIASES:
            col = ("field", HEADER_ALIASES[name])
        elif name.lower() in SITE_FIELDS:
            col = ("field", name.lower())
        elif name.lower().startswith(_ATTR_PREFIXES):
            key = name[len("attr."):].strip()
            try:
                col = ("attr", check_attr_key(key))
            except ValidationFailed as exc:
                bad.append((1, f"column {name!r}: {exc}"))
                col = None
            else:
                if key in SITE_FIELDS:
                    bad.append((1, f"column {name!r}: attribute {key!r} clashes with the built-in site field"))
                    col = None
        else:
            unknown.append(name)
            col = None
        if col is not None and col[0] != "blank":
            if col in seen:
                raise ValidationFailed(f"{path}: columns {seen[col]!r} and {name!r} both give "
                                       f"{'attribute ' if col[0] == 'attr' else ''}{col[1]}")
            seen[col] = name
        columns.append(col)
    if unknown:
        allowed = ", ".join(SITE_FIELDS) + " (or " + ", ".join(HEADER_ALIASES) + "), attr.NAME or attr:NAME"
        bad.insert(0, (1, f"unknown column(s) {', '.join(repr(u) for u in unknown)}; allowed: {allowed}"))
    missing = [f for f in ("code", "name") if ("field", f) not in seen]
    if missing:
        raise ValidationFailed(f"{path}: the header has no {' or '.join(missing)} column "
                               f"(header: {', '.join(c.strip() for c in header)})")
    return columns, bad


def _row(cells: list[str], columns: list[tuple[str, str] | None]) -> tuple[list[str], dict[str, Any]]:
    problems: list[str] = []
    raw: dict[str, Any] = {"attributes": {}}
    if len(cells) > len(columns) and any(c.strip() for c in cells[len(columns):]):
        problems.append(f"the row has {len(cells)} cells but the header has {len(columns)} columns")
    # Short rows are accepted: missing trailing cells are empty.
    for col, cell in zip(columns, cells):
        if col is None:
            continue
        kind, name = col
        if kind == "blank":
            if cell.strip():
                problems.append(f"column {name} has a value ({cell.strip()!r}) but no header")
        elif kind == "field":
            raw[name] = cell
        elif cell.strip():
            raw["attributes"][name] = parse_value(cell)
    return problems, raw


def _valid_code(code: Any) -> str | None:
    try:
        return uscc.validate(code) if isinstance(code, str) else None
    except ValidationFailed:
        return None
