"""Plain data of a loaded checklist. Built only by the loader, after validation."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any, Callable, Optional, Union

SEVERITIES = ("general", "major")
ITEM_TYPES = ("boolean", "number", "choice", "text")
DOMAIN_NAMES = {
    "hazardous_chemicals": {"zh": "危险化学品", "en": "hazardous chemicals"},
    "dust_explosion": {"zh": "粉尘涉爆", "en": "dust explosion"},
    "limited_space": {"zh": "有限空间", "en": "limited space"},
    "forest_fire": {"zh": "森林防火", "en": "forest fire"},
}


@dataclass(frozen=True)
class Text:
    """A text whose Chinese is authoritative and English a gloss."""

    zh: str
    en: str = ""

    def get(self, lang: str) -> str:
        return (self.en or self.zh) if lang == "en" else self.zh

    def to_dict(self) -> dict[str, str]:
        return {"zh": self.zh, "en": self.en}


SOURCE_KINDS = ("law", "regulation", "rule", "determination-standard", "standard", "local")
DETERMINATION = "determination-standard"


def partial_date(text: str) -> Optional[dt.date]:
    """``YYYY-MM-DD``, ``YYYY-MM`` or ``YYYY`` → the first day it can mean; None when empty."""
    if not text:
        return None
    parts = [int(p) for p in str(text).split("-")]
    return dt.date(parts[0], parts[1] if len(parts) > 1 else 1, parts[2] if len(parts) > 2 else 1)


@dataclass(frozen=True)
class Source:
    key: str
    title: str
    number: str
    in_force: str
    major_standard: bool = False
    verification: str = "unverified"
    note: str = ""
    kind: str = ""
    repealed: str = ""
    superseded_by: Optional[tuple[str, str]] = None

    def cite(self) -> str:
        return f"《{self.title}》（{self.number}）" if self.number else f"《{self.title}》"

    @property
    def is_determination_standard(self) -> bool:
        """A 重大事故隐患判定标准: the only kind of source that can make an item major."""
        return self.kind == DETERMINATION

    def replacement(self) -> str:
        if not self.superseded_by:
            return ""
        title, number = self.superseded_by
        return f"《{title}》（{number}）" if number else f"《{title}》"

    def not_in_force(self, on: dt.date) -> str:
        """Why this source is not in force on ``on`` (empty when it is)."""
        start = partial_date(self.in_force)
        if start is not None and on < start:
            return f"{self.cite()} is in force only from {self.in_force}"
        end = partial_date(self.repealed)
        if end is not None and on >= end:
            repl = self.replacement()
            return f"{self.cite()} was repealed on {self.repealed}" + (f"; replaced by {repl}" if repl else "")
        return ""

    def to_dict(self) -> dict[str, Any]:
        return {"key": self.key, "title": self.title, "number": self.number, "kind": self.kind,
                "in_force": self.in_force, "repealed": self.repealed or None,
                "superseded_by": ({"title": self.superseded_by[0], "number": self.superseded_by[1]}
                                  if self.superseded_by else None),
                "major_standard": self.major_standard, "verification": self.verification, "note": self.note}


UNVERIFIED_ARTICLE = "（条款待核实）"


@dataclass(frozen=True)
class Basis:
    source: Source
    clause: str
    unverified: bool = False  # the article number was not verified against the text

    def cite(self) -> str:
        """The citation as every document prints it; an unverified article is marked （条款待核实）."""
        return f"{self.source.cite()}{self.clause}" + (UNVERIFIED_ARTICLE if self.unverified else "")

    def to_dict(self) -> dict[str, Any]:
        return {"source": self.source.key, "title": self.source.title, "number": self.source.number,
                "clause": self.clause, "citation": self.cite(), "verification": self.source.verification}


@dataclass(frozen=True)
class Option:
    value: str
    text: Text
    passes: bool
    na: bool = False


Bound = Union[float, str, None]  # a number, or a reference "site.NAME" / "param.NAME"


def _fmt_bound(v: Bound) -> str:
    return v if isinstance(v, str) else f"{v:g}"


@dataclass(frozen=True)
class PassRange:
    min: Bound = None
    max: Bound = None

    @property
    def references(self) -> list[str]:
        """The site attributes and parameters this range refers to (``site.NAME``…)."""
        return [v for v in (self.min, self.max) if isinstance(v, str)]

    def resolve(self, lookup: "Callable[[str], Optional[float]]") -> "PassRange":
        """This range with each reference replaced by its value; raises KeyError naming an unknown one."""
        def one(v: Bound) -> Bound:
            if not isinstance(v, str):
                return v
            value = lookup(v)
            if value is None:
                raise KeyError(v)
            return float(value)
        return PassRange(one(self.min), one(self.max))

    def contains(self, value: float) -> bool:
        if self.references:
            raise ValueError(f"range refers to {', '.join(self.references)}: resolve it first")
        lo, hi = self.min, self.max
        return (lo is None or value >= float(lo)) and (hi is None or value <= float(hi))

    def describe(self, unit: str = "") -> str:
        u = f" {unit}" if unit else ""
        if self.min is not None and self.max is not None:
            return f"{_fmt_bound(self.min)}–{_fmt_bound(self.max)}{u}"
        if self.min is not None:
            return f"≥ {_fmt_bound(self.min)}{u}"
        if self.max is not None:
            return f"≤ {_fmt_bound(self.max)}{u}"
        return "any"


@dataclass
class Item:
    id: str
    text: Text
    basis: list[Basis]
    severity: str
    type: str
    section: str
    finding: Optional[Text] = None
    guidance: Optional[Text] = None
    when: Optional[str] = None
    evidence_required: bool = False
    rectify_days: Optional[int] = None
    tags: list[str] = field(default_factory=list)
    note: Optional[Text] = None
    unit: str = ""
    pass_range: Optional[PassRange] = None
    options: list[Option] = field(default_factory=list)
    combines: list[str] = field(default_factory=list)
    once_per_visit: bool = False
    line: int = 0

    @property
    def finding_text(self) -> Text:
        return self.finding or self.text

    def option(self, value: str) -> Optional[Option]:
        return next((o for o in self.options if o.value == value), None)

    def to_dict(self, lang: str = "zh") -> dict[str, Any]:
        d: dict[str, Any] = {
            "id": self.id, "section": self.section, "text": self.text.get(lang),
            "text_zh": self.text.zh, "text_en": self.text.en,
            "finding": self.finding_text.get(lang), "severity": self.severity, "type": self.type,
            "basis": [b.to_dict() for b in self.basis],
            "guidance": self.guidance.get(lang) if self.guidance else None,
            "when": self.when, "evidence_required": self.evidence_required,
            "rectify_days": self.rectify_days, "tags": list(self.tags),
            "note": self.note.get(lang) if self.note else None,
        }
        if self.type == "number":
            d["unit"] = self.unit
            d["pass"] = {"min": self.pass_range.min if self.pass_range else None,
                         "max": self.pass_range.max if self.pass_range else None}
        if self.type == "choice":
            d["options"] = [{"value": o.value, "text": o.text.get(lang), "pass": None if o.na else o.passes, "na": o.na}
                            for o in self.options]
        if self.combines:
            d["combines"] = list(self.combines)
        if self.once_per_visit:
            d["once_per_visit"] = True
        return d


@dataclass
class Section:
    id: str
    title: Text
    items: list[Item]
    repeat: Optional[Text] = None
    when: Optional[str] = None


@dataclass
class Attribute:
    name: str
    type: str
    text: Text
    options: list[str] = field(default_factory=list)


@dataclass
class Skip:
    item: str
    reason: str


@dataclass
class Checklist:
    id: str
    version: int
    title: Text
    domain: str
    applies_to: dict[str, Any]
    sources: dict[str, Source]
    sections: list[Section]
    attributes: dict[str, Attribute] = field(default_factory=dict)
    parameters: dict[str, Any] = field(default_factory=dict)
    extends: Optional[str] = None
    skipped: list[Skip] = field(default_factory=list)
    path: str = ""
    origin: str = "bundled"

    @property
    def ref(self) -> str:
        return f"{self.id}@{self.version}"

    def items(self) -> list[Item]:
        return [i for s in self.sections for i in s.items]

    def item(self, item_id: str) -> Optional[Item]:
        return next((i for i in self.items() if i.id == item_id), None)

    def domain_name(self, lang: str) -> str:
        return DOMAIN_NAMES.get(self.domain, {}).get(lang, self.domain)

    def cited_sources(self) -> list[Source]:
        """The sources the items cite, in the order they are declared."""
        keys = {b.source.key for i in self.items() for b in i.basis}
        return [s for s in self.sources.values() if s.key in keys]

    def legal_problems(self, on: dt.date) -> list[tuple[Source, str]]:
        """Each cited source not in force on ``on``, with the reason."""
        out = [(s, s.not_in_force(on)) for s in self.cited_sources()]
        return [(s, why) for s, why in out if why]

    def legal_status(self, on: dt.date) -> str:
        """``in_force``, ``cites_repealed`` or ``not_yet_in_force`` on the date ``on``."""
        problems = self.legal_problems(on)
        if any(s.repealed and (partial_date(s.repealed) or on) <= on for s, _ in problems):
            return "cites_repealed"
        return "not_yet_in_force" if problems else "in_force"

    def summary(self, lang: str = "zh") -> dict[str, Any]:
        items = self.items()
        return {
            "id": self.id, "version": self.version, "ref": self.ref, "title": self.title.get(lang),
            "domain": self.domain, "domain_name": self.domain_name(lang), "items": len(items),
            "major_items": sum(1 for i in items if i.severity == "major"),
            "sources": [s.key for s in self.sources.values()], "extends": self.extends,
            "origin": self.origin, "path": self.path,
        }

    def summary_on(self, on: dt.date, lang: str = "zh") -> dict[str, Any]:
        d = self.summary(lang)
        d["status"] = self.legal_status(on)
        d["status_on"] = on.isoformat()
        d["status_detail"] = [why for _, why in self.legal_problems(on)]
        return d

    def to_dict(self, lang: str = "zh") -> dict[str, Any]:
        d = self.summary(lang)
        d["applies_to"] = self.applies_to
        d["sources"] = [s.to_dict() for s in self.sources.values()]
        d["parameters"] = dict(self.parameters)
        d["attributes"] = {a.name: {"type": a.type, "text": a.text.get(lang), "options": a.options}
                           for a in self.attributes.values()}
        d["skipped"] = [{"item": s.item, "reason": s.reason} for s in self.skipped]
        d["sections"] = [{"id": s.id, "title": s.title.get(lang),
                          "repeat": s.repeat.get(lang) if s.repeat else None, "when": s.when,
                          "items": [i.to_dict(lang) for i in s.items]} for s in self.sections]
        return d
