"""One visit, several checklists: items asked once per visit (10号令 第三条 in every 工贸 checklist).

An item with ``once_per_visit: true`` is not asked again when another inspection of the same
site on the same date has already answered it: the fact was determined once, and a second
answer could only make a second hazard of it.
"""
from __future__ import annotations

from typing import Any, Optional

from .answers import split_key

VISIT_KEY = "_answered_this_visit"


def answered_this_visit(store: Any, site_code: str, date: str, exclude: Optional[str] = None) -> dict[str, str]:
    """Item id → the inspection that answered it, over the site's other inspections on ``date``."""
    out: dict[str, str] = {}
    for rec in store.find("inspections", {"site": site_code, "date": date}, order_by="id",
                          fields=("id", "answers", "status")):
        if rec["id"] == exclude or rec.get("status") == "abandoned":
            continue
        for key in rec.get("answers") or {}:
            out.setdefault(split_key(key)[0], rec["id"])
    return out


def with_visit(store: Any, site: dict[str, Any], date: str, exclude: Optional[str] = None) -> dict[str, Any]:
    """The site record, plus what this visit has already answered (read by :func:`inspection.applies`)."""
    return dict(site, **{VISIT_KEY: answered_this_visit(store, site["code"], date, exclude)})
