"""Running a checklist at a site: which items apply, what an answer means, what fails."""
from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import Any, Callable, Mapping, Optional

from ..checklist import when as when_lang
from ..checklist.model import Checklist, Item, Section
from ..errors import ValidationFailed

from .kinds import KINDS
ANSWER_KEYS = ("answer", "note", "location", "evidence", "deadline", "fixed_on_spot", "severity",
               "downgrade_reason", "description")
_UNIT_KEY = re.compile(r"^(?P<item>[^\[\]]+)\[(?P<unit>[^\[\]]+)\]$")


@dataclass(frozen=True)
class Step:
    """One question of an inspection: an item, for one unit where its section repeats."""

    item: Item
    section: Section
    unit: Optional[str] = None

    @property
    def key(self) -> str:
        return f"{self.item.id}[{self.unit}]" if self.unit else self.item.id


def parse_inspector(text: str) -> dict[str, str]:
    """``NAME:CERT_NO`` (certificate optional for self-inspection) → ``{name, cert}``."""
    name, _, cert = str(text).partition(":")
    if not name.strip():
        raise ValueError(f"inspector {text!r} has no name: use NAME:CERT_NO, e.g. 张伟:44010012345")
    return {"name": name.strip(), "cert": cert.strip()}


def inspector_problems(kind: str, inspectors: list[dict[str, str]]) -> list[str]:
    if kind not in KINDS:
        return [f"kind {kind!r} is not valid; use one of: {', '.join(KINDS)}"]
    with_cert = {i["cert"] for i in inspectors if i.get("cert")}  # one person listed twice counts once
    if kind == "self":
        return [] if inspectors else ["a self-inspection needs one inspector: --inspector NAME[:CERT]"]
    if len(with_cert) < 2:
        return [f"an {kind} inspection needs at least two different inspectors with enforcement certificate "
                f"numbers (执法证号), given {len(with_cert)}: --inspector NAME:CERT_NO --inspector NAME:CERT_NO"]
    return []


def require_inspectors(kind: str, inspectors: list[dict[str, str]]) -> None:
    """The one check of who may carry out an inspection of ``kind`` (exit 4 when not met)."""
    problems = inspector_problems(kind, inspectors)
    if problems:
        raise ValidationFailed(problems[0], problems[1:])


def steps(checklist: Checklist, units: dict[str, list[str]]) -> list[Step]:
    """Every question in checklist order; a repeated section once per named unit."""
    out: list[Step] = []
    for section in checklist.sections:
        names = units.get(section.id, []) if section.repeat else [None]
        for name in names:
            out += [Step(item, section, name) for item in section.items]
    return out


def site_values(site: Mapping[str, Any]) -> dict[str, Any]:
    values = dict(site.get("attributes") or {})
    for key in ("industry", "risk_class", "name", "code", "address"):
        values.setdefault(key, site.get(key))
    return values


def make_context(checklist: Checklist, site: Mapping[str, Any], date: dt.date,
                 answers: dict[str, dict[str, Any]], unit: Optional[str] = None,
                 unit_items: frozenset[str] = frozenset()) -> when_lang.Context:
    def key(item_id: str) -> str:
        return f"{item_id}[{unit}]" if unit and item_id in unit_items else item_id

    return when_lang.Context(
        site=site_values(site), params=dict(checklist.parameters), month_day=date.strftime("%m-%d"),
        outcome=lambda i: (answers.get(key(i)) or {}).get("outcome"),
        raw=lambda i: (answers.get(key(i)) or {}).get("answer"),
    )


def applies(step: Step, checklist: Checklist, site: Mapping[str, Any], date: dt.date,
            answers: dict[str, dict[str, Any]]) -> bool:
    """Whether a question applies, given the site and the answers so far."""
    if step.item.once_per_visit and step.item.id in (site.get("_answered_this_visit") or {}):
        return False  # answered in another inspection of this visit (see inspect_cli.inspection.visit)
    unit_items = frozenset(i.id for i in step.section.items) if step.unit else frozenset()
    ctx = make_context(checklist, site, date, answers, step.unit, unit_items)
    if step.section.when and not when_lang.evaluate(step.section.when, ctx):
        return False
    return not step.item.when or when_lang.evaluate(step.item.when, ctx)


def normalise_answer(item: Item, raw: Any) -> dict[str, Any]:
    """A raw answer (text or a mapping with details) → ``{answer, outcome, …}``; ValueError if wrong."""
    detail = dict(raw) if isinstance(raw, dict) else {"answer": raw}
    unknown = sorted(set(detail) - set(ANSWER_KEYS))
    if unknown:
        raise ValueError(f"unknown key(s) {', '.join(unknown)}; an answer may have: {', '.join(ANSWER_KEYS)}")
    if "answer" not in detail:
        raise ValueError("the mapping has no 'answer:' key (yes, no, na, a number or an option)")
    value, outcome = interpret(item, detail.get("answer"))
    detail["answer"], detail["outcome"] = value, outcome
    if detail.get("evidence") is not None and not isinstance(detail["evidence"], list):
        detail["evidence"] = [detail["evidence"]]
    return detail


def interpret(item: Item, value: Any) -> tuple[Any, str]:
    """The canonical answer and its outcome: pass, fail, na or recorded (text items)."""
    if isinstance(value, bool):  # YAML 1.1 reads yes/no as booleans
        value = "yes" if value else "no"
    text = str(value).strip().lower() if value is not None else ""
    if text in ("na", "n/a", "不适用"):
        return "na", "na"
    if item.type == "boolean":
        mapping = {"yes": "pass", "y": "pass", "是": "pass", "合格": "pass", "no": "fail", "n": "fail", "否": "fail", "不合格": "fail"}
        if text not in mapping:
            raise ValueError(f"answer {value!r} is not yes, no or na")
        return ("yes" if mapping[text] == "pass" else "no"), mapping[text]
    if item.type == "number":
        try:
            number = float(text)
        except ValueError:
            raise ValueError(f"answer {value!r} is not a number (measured value in {item.unit or 'the item unit'}) or na") from None
        if number != number or number in (float("inf"), float("-inf")):
            raise ValueError(f"answer {value!r} is not a finite number")
        if item.pass_range and item.pass_range.references:
            names = ", ".join(item.pass_range.references)
            raise ValueError(f"its pass range needs {names}, which this site has not recorded: give the value under "
                             f"'site:' in the answers file (e.g. site: {{{item.pass_range.references[0].partition('.')[2]}: 120}})")
        ok = item.pass_range.contains(number) if item.pass_range else True
        return number, "pass" if ok else "fail"
    if item.type == "choice":
        option = item.option(str(value).strip()) if value is not None else None
        if option is None:
            raise ValueError(f"answer {value!r} is not one of: {', '.join(o.value for o in item.options)} or na")
        if option.na:  # a "does not apply" option is recorded as such, never counted as passed
            return option.value, "na"
        return option.value, "pass" if option.passes else "fail"
    if not text:
        raise ValueError("a text item needs some text (or na)")
    return str(value), "recorded"


def walk(checklist: Checklist, site: Mapping[str, Any], date: dt.date, units: dict[str, list[str]],
         answer_for: Callable[[Step, dict[str, dict[str, Any]]], Optional[dict[str, Any]]]) -> dict[str, dict[str, Any]]:
    """Go through the applicable questions in order, asking ``answer_for`` each one.

    ``answer_for`` returns the normalised answer or None to stop (e.g. unanswered).
    """
    answers: dict[str, dict[str, Any]] = {}
    for step in steps(checklist, units):
        if not applies(step, checklist, site, date, answers):
            continue
        if step.item.combines:  # one determination made of earlier failures: never asked
            keys = part_keys(step)
            parts = [answers.get(k) for k in keys]
            if all(p is not None and p.get("outcome") == "fail" for p in parts):
                answers[step.key] = combine(step.item, keys, [p for p in parts if p is not None])
            continue
        step = resolve_step(step, checklist, site)
        answer = answer_for(step, answers)
        if answer is not None:
            answers[step.key] = answer
    return answers


def bound_value(ref: str, checklist: Checklist, site: Mapping[str, Any]) -> Optional[float]:
    """The number a range bound ``site.NAME`` / ``param.NAME`` stands for at this site (None if unknown)."""
    space, _, name = ref.partition(".")
    value = site_values(site).get(name) if space == "site" else checklist.parameters.get(name)
    if isinstance(value, bool) or value is None:
        return None
    try:
        return float(value)
    except (TypeError, ValueError):
        return None


def missing_bounds(item: Item, checklist: Checklist, site: Mapping[str, Any]) -> list[str]:
    """The references of an item's pass range that this site has no value for."""
    refs = item.pass_range.references if item.pass_range else []
    return [r for r in refs if bound_value(r, checklist, site) is None]


def resolve_step(step: Step, checklist: Checklist, site: Mapping[str, Any]) -> Step:
    """The step with its pass range resolved against the site (unchanged if a value is missing)."""
    rng = step.item.pass_range
    if rng is None or not rng.references:
        return step
    import dataclasses

    from ..checklist.model import PassRange

    def one(v: Any) -> Any:  # a missing value stays a reference: the answer then says which is needed
        known = bound_value(v, checklist, site) if isinstance(v, str) else v
        return v if known is None and isinstance(v, str) else known

    resolved = PassRange(one(rng.min), one(rng.max))
    return Step(dataclasses.replace(step.item, pass_range=resolved), step.section, step.unit)


def with_site_values(site: Mapping[str, Any], values: Optional[Mapping[str, Any]]) -> dict[str, Any]:
    """The site with attribute values given on site for one inspection (``site:`` of an answers file)."""
    if not values:
        return dict(site)
    return dict(site, attributes={**(site.get("attributes") or {}), **values})


def part_keys(step: Step) -> list[str]:
    """The answer keys of the items a combining step is made of (same unit where they repeat)."""
    own = {i.id for i in step.section.items}
    return [f"{p}[{step.unit}]" if step.unit and p in own else p for p in step.item.combines]


def combine(item: Item, keys: list[str], parts: list[dict[str, Any]]) -> dict[str, Any]:
    """The answer of a combining item when all its parts failed: one finding carrying every fact.

    Evidence, locations and notes of the parts are kept; the deadline is the earliest one given;
    it counts as fixed on the spot only when every part was.
    """
    deadlines = sorted(str(p["deadline"]) for p in parts if p.get("deadline"))
    facts = "；".join(str(p.get("description") or "").strip() or k for k, p in zip(keys, parts))
    detail: dict[str, Any] = {
        "answer": "no", "outcome": "fail", "derived": True, "combines": list(keys),
        "description": f"{item.finding_text.zh.rstrip('；;。')}（{facts}）" if any(p.get("description") for p in parts)
        else item.finding_text.zh,
        "evidence": [e for p in parts for e in p.get("evidence") or []],
        "evidence_files": [e for p in parts for e in p.get("evidence_files") or []],
        "location": "；".join(dict.fromkeys(str(p["location"]) for p in parts if p.get("location"))),
        "note": "；".join(dict.fromkeys(str(p["note"]) for p in parts if p.get("note"))),
        "fixed_on_spot": all(p.get("fixed_on_spot") is True for p in parts),
    }
    if deadlines:
        detail["deadline"] = deadlines[0]
    return detail


def split_key(key: str) -> tuple[str, Optional[str]]:
    m = _UNIT_KEY.match(key)
    return (m["item"].strip(), m["unit"].strip()) if m else (key, None)


def example_answer(item: Item, passes: bool = True) -> Any:
    """An answer with the given outcome (for generated answer files, tests and benchmarks)."""
    if item.type == "boolean":
        return "yes" if passes else "no"
    if item.type == "number":
        r = item.pass_range
        assert r is not None and (r.min is not None or r.max is not None)
        if passes:
            return r.min if r.min is not None else r.max
        return (r.max + 1) if r.max is not None else r.min - 1  # type: ignore[operator]
    if item.type == "choice":
        return next(o.value for o in item.options if o.passes == passes)
    if not passes:
        raise ValueError(f"{item.id} is a text item: it never fails")
    return "已记录"
