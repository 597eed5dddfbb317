"""Plain data of a loaded checklist. Built only by the loader, after validation."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Optional

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


@dataclass(frozen=True)
class Source:
    key: str
    title: str
    number: str
    in_force: str
    major_standard: bool = False
    verification: str = "unverified"
    note: str = ""

    def cite(self) -> str:
        return f"《{self.title}》（{self.number}）" if self.number else f"《{self.title}》"


@dataclass(frozen=True)
class Basis:
    source: Source
    clause: str

    def cite(self) -> str:
        return f"{self.source.cite()}{self.clause}"

    def to_dict(self) -> dict[str, Any]:
        return {"source": self.source.key, "title": self.source.title, "number": self.source.number,
                "clause": self.clause, "citation": self.cite(), "verification": self.source.verification}


@dataclass(frozen=True)
class Option:
    value: str
    text: Text
    passes: bool


@dataclass(frozen=True)
class PassRange:
    min: Optional[float] = None
    max: Optional[float] = None

    def contains(self, value: float) -> bool:
        return (self.min is None or value >= self.min) and (self.max is None or value <= self.max)

    def describe(self, unit: str = "") -> str:
        u = f" {unit}" if unit else ""
        if self.min is not None and self.max is not None:
            return f"{self.min:g}–{self.max:g}{u}"
        if self.min is not None:
            return f"≥ {self.min:g}{u}"
        if self.max is not None:
            return f"≤ {self.max:g}{u}"
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
            d["options"] = [{"value": o.value, "text": o.text.get(lang), "pass": o.passes} for o in self.options]
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

    def summary(self, lang: str = "zh") -> dict[str, Any]:
        items = self.items()
        return {
            "id": self.id, "version": self.version, "ref": self.ref, "title": self.title.get(lang),
            "domain": self.domain, "domain_name": self.domain_name(lang), "items": len(items),
            "major_items": sum(1 for i in items if i.severity == "major"),
            "sources": [s.key for s in self.sources.values()], "extends": self.extends,
            "origin": self.origin, "path": self.path,
        }

    def to_dict(self, lang: str = "zh") -> dict[str, Any]:
        d = self.summary(lang)
        d["applies_to"] = self.applies_to
        d["sources"] = [{"key": s.key, "title": s.title, "number": s.number, "in_force": s.in_force,
                         "major_standard": s.major_standard, "verification": s.verification, "note": s.note}
                        for s in self.sources.values()]
        d["parameters"] = dict(self.parameters)
        d["attributes"] = {a.name: {"type": a.type, "text": a.text.get(lang), "options": a.options}
                           for a in self.attributes.values()}
        d["skipped"] = [{"item": s.item, "reason": s.reason} for s in self.skipped]
        d["sections"] = [{"id": s.id, "title": s.title.get(lang),
                          "repeat": s.repeat.get(lang) if s.repeat else None, "when": s.when,
                          "items": [i.to_dict(lang) for i in s.items]} for s in self.sections]
        return d
