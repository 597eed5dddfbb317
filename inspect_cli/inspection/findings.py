"""What a failed answer means: the finding served on the enterprise and what a failure still needs.

One code path for answers files and the interactive run: both call :func:`describe` and
:func:`failure_problems`.
"""
from __future__ import annotations

import datetime as dt
from typing import Any, Optional

from ..checklist.model import Item
from ..clock import iso_date


def describe(item: Item, detail: dict[str, Any]) -> str:
    """The finding served on the enterprise: what was seen, for answers files and the interactive run alike.

    The inspector's own description (or the item's finding text) followed by the observation:
    the measured value with its range, or the chosen option of a choice item.
    """
    text = str(detail.get("description") or "") or item.finding_text.zh
    seen = observed(item, detail)
    if seen and seen.strip("（）") not in text:
        text += seen
    return text


def observed(item: Item, detail: dict[str, Any]) -> str:
    """``（实测 …）`` or ``（chosen option）``; empty for yes/no and text items."""
    m = measured(item, detail)
    if m:
        return f"（实测 {m['value']:g} {m['unit']}，合格范围 {m['range']}）"
    if item.type == "choice":
        option = item.option(str(detail.get("answer")))
        if option:
            return f"（{option.text.zh}）"
    return ""


def measured(item: Item, detail: dict[str, Any]) -> Optional[dict[str, Any]]:
    if item.type != "number" or not isinstance(detail.get("answer"), (int, float)):
        return None
    rng = item.pass_range.describe(item.unit) if item.pass_range else ""
    return {"value": detail["answer"], "unit": item.unit, "range": rng}


def failure_problems(item: Item, detail: dict[str, Any], today: dt.date) -> list[str]:
    """What a failing answer still needs (evidence, a reason to downgrade, a sane deadline)."""
    out = []
    if item.evidence_required and not detail.get("evidence"):
        out.append("this item requires evidence on failure: add evidence: [photo.jpg]")
    sev = detail.get("severity")
    if sev is not None and sev not in ("general", "major"):
        out.append(f"severity {sev!r} is not general or major")
    if sev == "major" and item.severity == "general" and not any(b.source.is_determination_standard for b in item.basis):
        out.append(f"severity major: {item.id} cites no 重大事故隐患判定标准 (only a determination standard makes a "
                   "hazard major); record it as general")
    if item.severity == "major" and sev == "general" and not str(detail.get("downgrade_reason") or "").strip():
        out.append("recording a major item as general needs downgrade_reason (it is kept and audited)")
    if detail.get("deadline") is not None:
        try:
            detail["deadline"] = iso_date(detail["deadline"])
            if detail["deadline"] < today.isoformat():
                out.append(f"deadline {detail['deadline']} is before the inspection date")
        except ValueError as e:
            out.append(f"deadline {e}")
    if detail.get("fixed_on_spot") is not None:
        flag = as_flag(detail["fixed_on_spot"])
        if flag is None:
            out.append(f"fixed_on_spot must be true or false, not {detail['fixed_on_spot']!r}")
        else:
            detail["fixed_on_spot"] = flag
    return out


def as_flag(value: Any) -> Optional[bool]:
    """true/false as people write them in YAML; None when it is neither."""
    if isinstance(value, bool):
        return value
    return {"true": True, "yes": True, "是": True, "false": False, "no": False, "否": False}.get(str(value).strip().lower())
