"""Rules across keys: ids, citations, severity, ranges, `when` references, overlays.

Every function takes possibly malformed data (the schema may have failed) and must
never raise: anything not of the expected shape is skipped, the schema already said so.
"""
from __future__ import annotations

import difflib
from typing import Any, Iterator, Optional

from . import when as when_lang
from .model import DETERMINATION, Checklist, partial_date
from .schema import BOUND_REF, Path, Problem

BUILTIN_SITE_FIELDS = ("industry", "risk_class", "name", "code", "address")


def _dicts(value: Any) -> list[tuple[int, dict[str, Any]]]:
    return [(i, v) for i, v in enumerate(value) if isinstance(v, dict)] if isinstance(value, list) else []


def iter_items(data: dict[str, Any]) -> Iterator[tuple[Path, dict[str, Any]]]:
    for si, section in _dicts(data.get("sections")):
        for ii, item in _dicts(section.get("items")):
            yield ("sections", si, "items", ii), item


def check_semantics(data: dict[str, Any], base: Optional[Checklist]) -> list[Problem]:
    if "extends" in data and base is None:
        # Without its base an overlay's citations and references cannot be judged: saying
        # they are unknown would only bury the one real problem (the missing base).
        return _attributes(data)
    sources = _sources(data, base)
    problems = _duplicates(data, base) + _source_rules(data)
    for path, item in iter_items(data):
        problems += _item(path, item, sources)
    problems += _whens(data, base)
    problems += _bounds(data, base)
    problems += _combines(data, base)
    problems += _attributes(data)
    if base is not None:
        problems += _overlay(data, base)
    return problems


def _sources(data: dict[str, Any], base: Optional[Checklist]) -> dict[str, bool]:
    """Declared source keys → whether each is a major-hazard determination standard."""
    found = {k: s.is_determination_standard for k, s in base.sources.items()} if base else {}
    for _, s in _dicts(data.get("sources")):
        if isinstance(s.get("key"), str):
            found[s["key"]] = is_determination(s)
    return found


def is_determination(source: dict[str, Any]) -> bool:
    """``kind: determination-standard`` (or the older ``major_standard: true`` without a kind)."""
    kind = source.get("kind")
    return kind == DETERMINATION if kind is not None else source.get("major_standard") is True


def _source_rules(data: dict[str, Any]) -> list[Problem]:
    problems: list[Problem] = []
    for i, s in _dicts(data.get("sources")):
        path: Path = ("sources", i)
        kind, legacy = s.get("kind"), s.get("major_standard")
        if isinstance(kind, str) and isinstance(legacy, bool) and legacy != (kind == DETERMINATION):
            problems.append((path + ("major_standard",), f"major_standard: {str(legacy).lower()} contradicts kind: {kind}; "
                             "drop major_standard (kind: determination-standard is what makes a source a 判定标准)"))
        start, end = _date(s.get("in_force")), _date(s.get("repealed"))
        if start and end and end <= start:
            problems.append((path + ("repealed",), f"repealed {s['repealed']} is not after in_force {s['in_force']}"))
        if s.get("superseded_by") is not None and s.get("repealed") is None:
            problems.append((path + ("superseded_by",), "superseded_by needs the date the source was repealed: add repealed: YYYY-MM-DD"))
    return problems


def _date(value: Any) -> Any:
    try:
        return partial_date(value) if isinstance(value, str) and value else None
    except ValueError:
        return None  # the schema already says so


def _duplicates(data: dict[str, Any], base: Optional[Checklist]) -> list[Problem]:
    problems: list[Problem] = []
    seen: dict[str, Path] = {}
    base_sections = {s.id for s in base.sections} if base else set()
    if base:
        seen = {i.id: ("extends",) for i in base.items()}
    for path, item in iter_items(data):
        iid = item.get("id")
        if not isinstance(iid, str):
            continue
        if iid in seen:
            where = "the base checklist" if seen[iid] == ("extends",) else _fmt(seen[iid])
            problems.append((path + ("id",), f"duplicate item id {iid!r} (already used at {where}); item ids must be unique"))
        else:
            seen[iid] = path
    section_ids: set[str] = set()
    for si, s in _dicts(data.get("sections")):
        sid = s.get("id")
        if isinstance(sid, str):
            if sid in section_ids:
                problems.append((("sections", si, "id"), f"duplicate section id {sid!r}"))
            section_ids.add(sid)
            if sid in base_sections and any(k in s for k in ("repeat", "when")):
                problems.append((("sections", si), f"section {sid!r} extends a base section: it may only add items"))
    keys: set[str] = set()
    for i, s in _dicts(data.get("sources")):
        k = s.get("key")
        if isinstance(k, str):
            if k in keys or (base and k in base.sources):
                problems.append((("sources", i, "key"), f"duplicate source key {k!r}"))
            keys.add(k)
    return problems


def appended_sections(data: dict[str, Any], base: Optional[Checklist]) -> set[int]:
    """Indexes of overlay sections that add items to a base section (named by id alone)."""
    ids = {s.id for s in base.sections} if base else set()
    return {i for i, s in _dicts(data.get("sections")) if isinstance(s.get("id"), str) and s["id"] in ids}


def _fmt(path: Path) -> str:
    return "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in path).lstrip(".")


def _basis_list(item: dict[str, Any]) -> list[dict[str, Any]]:
    b = item.get("basis")
    entries = b if isinstance(b, list) else [b]
    return [e for e in entries if isinstance(e, dict)]


def _item(path: Path, item: dict[str, Any], sources: dict[str, bool]) -> list[Problem]:
    problems: list[Problem] = []
    basis = _basis_list(item)
    for n, entry in enumerate(basis):
        key = entry.get("source")
        if isinstance(key, str) and key not in sources:
            near = difflib.get_close_matches(key, list(sources), n=1)
            hint = f"did you mean {near[0]!r}?" if near else "declare it under 'sources'"
            problems.append((path + ("basis",), f"basis cites source {key!r}, which is not declared; {hint}"))
    problems += _severity(path, item, basis, sources)
    problems += _answer_type(path, item)
    return problems


def _severity(path: Path, item: dict[str, Any], basis: list[dict[str, Any]], sources: dict[str, bool]) -> list[Problem]:
    if not basis or not isinstance(basis[0].get("source"), str) or basis[0]["source"] not in sources:
        return []
    from_major = sources[basis[0]["source"]]
    sev = item.get("severity")
    if from_major and sev == "general":
        return [(path + ("severity",), f"item cites a major-hazard determination standard ({basis[0]['source']}) first, "
                 "so it is major by definition: set severity: major")]
    if not from_major and sev == "major":
        return [(path + ("severity",), "a major item must cite a major-hazard determination standard first "
                 "(a source of kind: determination-standard); only a 重大事故隐患判定标准 makes a hazard major: "
                 "set severity: general or fix the basis")]
    return []


def _answer_type(path: Path, item: dict[str, Any]) -> list[Problem]:
    kind = item.get("type")
    problems: list[Problem] = []
    if kind != "number":
        problems += [(path + (k,), f"{k!r} belongs to number items only") for k in ("unit", "pass") if k in item]
    if kind != "choice" and "options" in item:
        problems.append((path + ("options",), "'options' belongs to choice items only"))
    if kind == "number":
        rng = item.get("pass")
        if not isinstance(rng, dict) or not any(isinstance(rng.get(k), (int, float, str)) for k in ("min", "max")):
            problems.append((path, "a number item needs a pass range: pass: {min: ..., max: ...}"))
        else:
            problems += range_problems(path + ("pass",), rng)
    if kind == "choice":
        problems += _options(path, item.get("options"))
    return problems


def range_problems(path: Path, rng: dict[str, Any]) -> list[Problem]:
    lo, hi = rng.get("min"), rng.get("max")
    nums = all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in (lo, hi))
    if nums and lo > hi:  # type: ignore[operator]
        return [(path, f"inverted range: min {lo} is greater than max {hi}; swap them")]
    return []


def _options(path: Path, options: Any) -> list[Problem]:
    opts = _dicts(options)
    if len(opts) < 2:
        return [(path, "a choice item needs at least two options, each {value, text, pass}")]
    values = [o.get("value") for _, o in opts]
    problems: list[Problem] = []
    dup = {v for v in values if values.count(v) > 1}
    if dup:
        problems.append((path + ("options",), f"duplicate option value(s): {', '.join(map(str, sorted(dup, key=str)))}"))
    for n, o in opts:
        if o.get("na") is True and "pass" in o:
            problems.append((path + ("options", n), "an option is either not applicable (na: true) or has pass: true/false, not both"))
        elif o.get("na") is not True and not isinstance(o.get("pass"), bool):
            problems.append((path + ("options", n), "each option needs pass: true or false (or na: true for a not-applicable option)"))
    passes = [o.get("pass") for _, o in opts if o.get("na") is not True]
    if True not in passes or False not in passes:
        problems.append((path + ("options",), "a choice item needs at least one passing and one failing option"))
    return problems


def _whens(data: dict[str, Any], base: Optional[Checklist]) -> list[Problem]:
    attrs = set(BUILTIN_SITE_FIELDS)
    params: set[str] = set()
    earlier: list[str] = []
    if base:
        attrs |= set(base.attributes)
        params |= set(base.parameters)
        earlier += [i.id for i in base.items()]
    if isinstance(data.get("attributes"), dict):
        attrs |= {str(k) for k in data["attributes"]}
    if isinstance(data.get("parameters"), dict):
        params |= {str(k) for k in data["parameters"]}
    all_items = [i.get("id") for _, i in iter_items(data)] + earlier
    problems: list[Problem] = []
    applies = data.get("applies_to")
    if isinstance(applies, dict) and isinstance(applies.get("when"), str):
        problems += _when(("applies_to", "when"), applies["when"], attrs, params, [], all_items)
    for si, section in _dicts(data.get("sections")):
        if isinstance(section.get("when"), str):
            problems += _when(("sections", si, "when"), section["when"], attrs, params, earlier, all_items)
        for ii, item in _dicts(section.get("items")):
            if isinstance(item.get("when"), str):
                problems += _when(("sections", si, "items", ii, "when"), item["when"], attrs, params, earlier, all_items)
            if isinstance(item.get("id"), str):
                earlier.append(item["id"])
    return problems


def _when(path: Path, expr: str, attrs: set[str], params: set[str], earlier: list[str], all_items: list[Any]) -> list[Problem]:
    try:
        refs = when_lang.references(expr)
    except when_lang.WhenSyntaxError as e:
        return [(path, f"{e}")]
    problems: list[Problem] = []
    for name in sorted(refs.site - attrs):
        near = difflib.get_close_matches(name, sorted(attrs), n=1)
        hint = f"did you mean site.{near[0]}?" if near else "declare it under 'attributes'"
        problems.append((path, f"site.{name} is not a known site attribute; {hint}"))
    for name in sorted(refs.param - params):
        problems.append((path, f"param.{name} is not declared under 'parameters'"))
    for iid in sorted(refs.items):
        if iid in earlier:
            continue
        if iid in all_items:
            problems.append((path, f"item {iid!r} comes later in the checklist; a when may only use earlier answers"))
        else:
            near = difflib.get_close_matches(iid, [str(i) for i in earlier if i], n=1)
            hint = f"; did you mean {near[0]!r}?" if near else ""
            problems.append((path, f"when names unknown item {iid!r}{hint}"))
    return problems


def _attributes(data: dict[str, Any]) -> list[Problem]:
    attrs = data.get("attributes")
    if not isinstance(attrs, dict):
        return []
    return [(("attributes", k), "a choice attribute needs 'options'") for k, a in attrs.items()
            if isinstance(a, dict) and a.get("type") == "choice" and not a.get("options")]


def _overlay(data: dict[str, Any], base: Checklist) -> list[Problem]:
    problems: list[Problem] = []
    for i, skip in _dicts(data.get("skip")):
        item = base.item(skip["item"]) if isinstance(skip.get("item"), str) else None
        if isinstance(skip.get("item"), str) and item is None:
            problems.append((("skip", i, "item"), f"cannot skip {skip['item']!r}: {base.ref} has no such item"))
        elif item is not None and item.severity == "major":
            problems.append((("skip", i, "item"), f"cannot skip {item.id}: it is a major item in {base.ref}, and an "
                             "overlay may never lower a major item (answer na on site where it does not apply)"))
    for i, ov in _dicts(data.get("override")):
        problems += _override(("override", i), ov, base, data)
    return problems


def _override(path: Path, ov: dict[str, Any], base: Checklist, data: dict[str, Any]) -> list[Problem]:
    item_id = ov.get("item")
    item = base.item(item_id) if isinstance(item_id, str) else None
    if item is None:
        return [(path + ("item",), f"cannot override {ov.get('item')!r}: {base.ref} has no such item")] if isinstance(ov.get("item"), str) else []
    problems: list[Problem] = []
    if item.severity == "major" and ov.get("severity") == "general":
        problems.append((path + ("severity",), f"item {item.id} is major in {base.ref}: an overlay may never lower "
                         "the severity of a major item"))
    sources = dict(_sources(data, base))
    basis = _basis_list(ov)
    for entry in basis:
        key = entry.get("source")
        if isinstance(key, str) and key not in sources:
            problems.append((path + ("basis",), f"basis cites source {key!r}, which is not declared; declare it under 'sources'"))
    determined = any(sources.get(str(e.get("source"))) for e in basis)
    if item.severity == "general" and ov.get("severity") == "major" and not determined:
        problems.append((path + ("severity",), f"item {item.id} is general in {base.ref}: an overlay may raise it to major "
                         "only with a basis citing a 重大事故隐患判定标准 (a source of kind: determination-standard); "
                         f"add basis: {{source: KEY, clause: 第X条}}. {item.basis[0].cite()} alone does not make a hazard major"))
    rng = ov.get("pass")
    if isinstance(rng, dict):
        if item.type != "number":
            problems.append((path + ("pass",), f"item {item.id} is not a number item"))
        else:
            found = range_problems(path + ("pass",), rng) or _tightens(path + ("pass",), rng, item)
            problems += found
            if not found and item.severity == "major" and not determined and _changes(rng, item):
                problems.append((path + ("pass",), f"item {item.id} is major in {base.ref}: a tighter range would make more "
                                 "answers a 重大事故隐患, which only a determination standard can define; add a basis citing "
                                 "a source of kind: determination-standard, or leave the range"))
    return problems


def _changes(rng: dict[str, Any], item: Any) -> bool:
    old = item.pass_range
    return any(k in rng and rng[k] != getattr(old, k) for k in ("min", "max"))


def _tightens(path: Path, rng: dict[str, Any], item: Any) -> list[Problem]:
    old = item.pass_range
    lo, hi = rng.get("min", old.min), rng.get("max", old.max)
    for key, new, was in (("min", lo, old.min), ("max", hi, old.max)):
        if (_is_ref(new) or _is_ref(was)) and new != was:
            return [(path, f"an overlay cannot prove that {key}: {new} is tighter than {key}: {was} of the base: "
                     "a bound that refers to a site attribute or parameter can only be kept as it is")]
    if not all(v is None or (isinstance(v, (int, float)) and not isinstance(v, bool)) for v in (lo, hi)):
        return []  # the schema already says the bound must be a number
    if (old.min is not None and (lo is None or lo < old.min)) or (old.max is not None and (hi is None or hi > old.max)):
        return [(path, f"an overlay may only tighten a range: {old.describe(item.unit)} in the base, "
                 f"so min must be ≥ {old.min} and max ≤ {old.max}")]
    return []


def _bounds(data: dict[str, Any], base: Optional[Checklist]) -> list[Problem]:
    """``pass: {max: site.NAME}`` must name a number attribute or a numeric parameter."""
    attrs: dict[str, Any] = {k: a.type for k, a in base.attributes.items()} if base else {}
    params: dict[str, Any] = dict(base.parameters) if base else {}
    if isinstance(data.get("attributes"), dict):
        attrs.update({str(k): (a or {}).get("type") if isinstance(a, dict) else None for k, a in data["attributes"].items()})
    if isinstance(data.get("parameters"), dict):
        params.update({str(k): (p or {}).get("value") if isinstance(p, dict) else None for k, p in data["parameters"].items()})
    problems: list[Problem] = []
    places = [(path + ("pass",), item.get("pass")) for path, item in iter_items(data)]
    places += [(("override", i, "pass"), ov.get("pass")) for i, ov in _dicts(data.get("override"))]
    for path, rng in places:
        if not isinstance(rng, dict):
            continue
        for key in ("min", "max"):
            ref = rng.get(key)
            if not _is_ref(ref):
                continue
            space, _, name = str(ref).partition(".")
            if space == "site" and attrs.get(name) != "number":
                what = "is not declared under 'attributes'" if name not in attrs else f"is a {attrs[name]} attribute"
                problems.append((path, f"{key}: {ref} {what}; a range may refer only to a number attribute "
                                 f"(attributes: {{{name}: {{type: number, text: ...}}}})"))
            elif space == "param" and (name not in params or isinstance(params[name], bool)
                                       or not isinstance(params[name], (int, float))):
                what = "is not declared under 'parameters'" if name not in params else "is not a number"
                problems.append((path, f"{key}: {ref} {what}; a range may refer only to a numeric parameter"))
    return problems


def _combines(data: dict[str, Any], base: Optional[Checklist]) -> list[Problem]:
    """An item that ``combines`` earlier items is one determination made of their failures."""
    earlier: dict[str, str] = {i.id: i.section for i in base.items()} if base else {}
    problems: list[Problem] = []
    for si, section in _dicts(data.get("sections")):
        for ii, item in _dicts(section.get("items")):
            path: Path = ("sections", si, "items", ii)
            parts = item.get("combines")
            if isinstance(parts, list):
                if item.get("type") != "boolean":
                    problems.append((path + ("type",), "an item that combines others is decided from their answers: use type: boolean"))
                if len(parts) < 2:
                    problems.append((path + ("combines",), "combines needs at least two earlier items"))
                for part in parts:
                    if isinstance(part, str) and part not in earlier:
                        problems.append((path + ("combines",), f"combines names {part!r}, which is not an earlier item"))
                    elif isinstance(part, str) and earlier[part] != section.get("id") and section.get("repeat"):
                        problems.append((path + ("combines",), f"{part!r} is in another section: a repeated section may "
                                         "combine only its own items"))
            if isinstance(item.get("id"), str):
                earlier[item["id"]] = str(section.get("id"))
    return problems


def _is_ref(value: Any) -> bool:
    return isinstance(value, str) and BOUND_REF.match(value) is not None
