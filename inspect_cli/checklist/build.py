"""Turn validated checklist data into the model, merging an overlay onto its base."""
from __future__ import annotations

import copy
from typing import Any, Optional

from .model import (DETERMINATION, Attribute, Basis, Checklist, Item, Option, PassRange, Section, Skip,
                    Source, Text)


def text(value: Any) -> Text:
    if isinstance(value, dict):
        return Text(str(value.get("zh", "")).strip(), str(value.get("en") or "").strip())
    return Text(str(value).strip())


def opt_text(value: Any) -> Optional[Text]:
    return None if value is None else text(value)


def _source(d: dict[str, Any]) -> Source:
    from .rules import is_determination

    determination = is_determination(d)
    sup = d.get("superseded_by")
    return Source(key=d["key"], title=d["title"], number=d.get("number") or "", in_force=str(d.get("in_force") or ""),
                  major_standard=determination, verification=d.get("verification") or "unverified",
                  note=text(d["note"]).zh if d.get("note") else "",
                  kind=d.get("kind") or (DETERMINATION if determination else ""),
                  repealed=str(d.get("repealed") or ""),
                  superseded_by=(str(sup["title"]), str(sup.get("number") or "")) if isinstance(sup, dict) else None)


def _item(d: dict[str, Any], section: str, sources: dict[str, Source]) -> Item:
    basis = d["basis"] if isinstance(d["basis"], list) else [d["basis"]]
    rng = d.get("pass")
    return Item(
        id=d["id"], text=text(d["text"]), section=section, severity=d["severity"], type=d["type"],
        basis=[Basis(sources[b["source"]], b["clause"], b.get("unverified") is True) for b in basis],
        finding=opt_text(d.get("finding")), guidance=opt_text(d.get("guidance")), when=d.get("when"),
        evidence_required=bool(d.get("evidence_required")), rectify_days=d.get("rectify_days"),
        tags=list(d.get("tags") or []), note=opt_text(d.get("note")), unit=d.get("unit") or "",
        pass_range=PassRange(rng.get("min"), rng.get("max")) if isinstance(rng, dict) else None,
        options=[Option(str(o["value"]), text(o["text"]), bool(o.get("pass")), o.get("na") is True)
                 for o in d.get("options") or []],
        combines=[str(c) for c in d.get("combines") or []], once_per_visit=d.get("once_per_visit") is True,
    )


def build_checklist(data: dict[str, Any], base: Optional[Checklist], path: str) -> Checklist:
    sources = dict(base.sources) if base else {}
    sources.update({s["key"]: _source(s) for s in data.get("sources") or []})
    sections = copy.deepcopy(base.sections) if base else []
    by_id = {s.id: s for s in sections}
    for sd in data.get("sections") or []:
        items = [_item(i, sd["id"], sources) for i in sd["items"]]
        if sd["id"] in by_id:
            by_id[sd["id"]].items.extend(items)
        else:
            sections.append(Section(sd["id"], text(sd["title"]), items, opt_text(sd.get("repeat")), sd.get("when")))
    attributes = dict(base.attributes) if base else {}
    for name, a in (data.get("attributes") or {}).items():
        attributes[name] = Attribute(name, a["type"], text(a["text"]), [str(o) for o in a.get("options") or []])
    parameters = dict(base.parameters) if base else {}
    parameters.update({k: v["value"] for k, v in (data.get("parameters") or {}).items()})
    checklist = Checklist(
        id=data["id"], version=data["version"], title=text(data["title"]), domain=data["domain"],
        applies_to=_applies(data["applies_to"]), sources=sources, sections=sections,
        attributes=attributes, parameters=parameters, extends=data.get("extends"), path=path,
        skipped=list(base.skipped) if base else [],
    )
    if base:
        _apply_overlay(checklist, data)
    return checklist


def _applies(d: dict[str, Any]) -> dict[str, Any]:
    desc = text(d["description"])
    return {"description": desc.zh, "description_en": desc.en, "industries": list(d.get("industries") or []),
            "when": d.get("when")}


def _apply_overlay(checklist: Checklist, data: dict[str, Any]) -> None:
    skips = [Skip(s["item"], s["reason"]) for s in data.get("skip") or []]
    skipped = {s.item for s in skips}
    checklist.skipped += skips
    for section in checklist.sections:
        section.items = [i for i in section.items if i.id not in skipped]
    for ov in data.get("override") or []:
        item = checklist.item(ov["item"])
        if item is None:
            continue  # overriding a skipped item: the skip wins
        if isinstance(ov.get("pass"), dict):
            old = item.pass_range or PassRange()
            item.pass_range = PassRange(ov["pass"].get("min", old.min), ov["pass"].get("max", old.max))
        if ov.get("basis") is not None:
            extra = ov["basis"] if isinstance(ov["basis"], list) else [ov["basis"]]
            # the overlay's basis comes first: it is what the (raised or tightened) severity rests on
            item.basis = [Basis(checklist.sources[b["source"]], b["clause"], b.get("unverified") is True)
                          for b in extra] + item.basis
        # a key written but left empty (None) is treated as absent, as the schema does
        for key in ("rectify_days", "evidence_required", "severity"):
            if ov.get(key) is not None:
                setattr(item, key, ov[key])
        for key in ("guidance", "note"):
            if ov.get(key) is not None:
                setattr(item, key, text(ov[key]))
        if ov.get("tags") is not None:
            item.tags = list(ov["tags"])
