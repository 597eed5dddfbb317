"""Inspections as records one can find: filters for ``inspection list`` and the whole of one
inspection (answers, the hazards it found, the documents issued about it) for ``inspection show``."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Optional

from ..storage.interface import Store, Where

from .kinds import KIND_NAMES

KIND_ZH = {k: v[0] for k, v in KIND_NAMES.items()}
STATUS_ZH = {"in_progress": "进行中", "completed": "已完成"}
DOCUMENT_ZH = {"record": "现场检查记录", "order": "责令限期整改指令书", "review": "整改复查意见书", "closure": "销号报告"}
# The fields a listing needs: a backend may skip decoding the rest of a large record.
LIST_FIELDS = ("id", "date", "site", "site_name", "checklist", "checklist_version", "kind", "inspectors", "status",
               "hazards", "answers", "finished_at", "started_at")


@dataclass
class InspectionQuery:
    """Filters of ``inspect inspection list``; None means any."""

    site: Optional[str] = None
    date_from: Optional[str] = None
    date_to: Optional[str] = None
    checklist: Optional[str] = None
    inspector: Optional[str] = None
    status: Optional[str] = None


def summary(rec: dict[str, Any]) -> dict[str, Any]:
    """One inspection as ``inspection list --json`` prints it."""
    return {
        "id": rec["id"], "date": rec.get("date"), "site": rec.get("site"), "site_name": rec.get("site_name"),
        "checklist": rec.get("checklist"), "checklist_version": rec.get("checklist_version"), "kind": rec.get("kind"),
        "inspectors": rec.get("inspectors") or [], "status": rec.get("status"),
        "answers": len(rec.get("answers") or {}), "hazards": list(rec.get("hazards") or []),
        "finished_at": rec.get("finished_at"),
    }


def _inspected_by(rec: dict[str, Any], who: str) -> bool:
    """``who`` is an inspector's name or certificate number (执法证号)."""
    who = who.strip()
    return any(who in (i.get("name"), i.get("cert")) for i in rec.get("inspectors") or [])


def _checklist_matches(rec: dict[str, Any], ref: str) -> bool:
    cid, _, version = ref.strip().partition("@")
    return rec.get("checklist") == cid and (not version or str(rec.get("checklist_version")) == version)


def find(store: Store, q: InspectionQuery) -> list[dict[str, Any]]:
    """Summaries of the matching inspections, oldest first (by date, then start time)."""
    where: Where = {}
    if q.site:
        where["site"] = q.site.strip().upper()
    if q.status:
        where["status"] = q.status
    if q.date_from and q.date_to:
        where["date"] = ("between", (q.date_from, q.date_to))
    elif q.date_from:
        where["date"] = (">=", q.date_from)
    elif q.date_to:
        where["date"] = ("<=", q.date_to)
    rows = store.find("inspections", where, order_by="date", fields=LIST_FIELDS)
    if q.checklist:
        rows = [r for r in rows if _checklist_matches(r, q.checklist)]
    if q.inspector:
        rows = [r for r in rows if _inspected_by(r, q.inspector)]
    rows.sort(key=lambda r: (r.get("date") or "", r.get("started_at") or "", r["id"]))
    return [summary(r) for r in rows]


def documents_about(store: Store, subjects: list[str]) -> list[dict[str, Any]]:
    """Numbered documents issued about these subjects (the inspection, its hazards), in order."""
    out: list[dict[str, Any]] = []
    for subject in subjects:
        for kind in DOCUMENT_ZH:
            doc = store.get("documents", f"{kind}:{subject}")
            if doc:
                out.append({"kind": kind, "title": DOCUMENT_ZH[kind], "subject": subject, "number": doc.get("number"),
                            "date": doc.get("date")})
    return out
