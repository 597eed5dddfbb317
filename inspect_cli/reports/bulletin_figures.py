"""The figures a bureau's 月度通报 publishes beyond hazard counts.

Workload (sites inspected, visits, officers), documents issued by type, hazards and closure
by 区域 and by 行业, 按期整改率 and 检查覆盖率, 整改资金, 挂牌督办 status, the same figures for last
month and for the same month last year, and the narrative slots (典型问题, 下一步工作) of a
``--notes`` Markdown file. All from records already read by the bulletin (the light hazard
rows) plus one light read of inspections, sites and document numbers.
"""
from __future__ import annotations

import calendar
import datetime as dt
import re
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Mapping, Optional, Sequence

from ..errors import UsageError
from . import labels as lb

if TYPE_CHECKING:
    from ..ledger import Ledger
    from .issued import IssuedDocument

EXTRA_FIELDS = ("supervision", "fix", "plan")  # light hazard fields these figures need
NOTES_MAX = 200_000
NOTE_SLOTS = ("典型问题", "下一步工作")
_AMOUNT = re.compile(r"(\d+(?:\.\d+)?)\s*(万)?\s*元")


@dataclass(frozen=True)
class Window:
    """A calendar month."""

    first: dt.date
    last: dt.date

    @classmethod
    def of(cls, year: int, month: int) -> "Window":
        return cls(dt.date(year, month, 1), dt.date(year, month, calendar.monthrange(year, month)[1]))

    def previous(self) -> "Window":
        d = self.first - dt.timedelta(days=1)
        return Window.of(d.year, d.month)

    def year_before(self) -> "Window":
        return Window.of(self.first.year - 1, self.first.month)

    def holds(self, iso: Any) -> bool:
        return bool(iso) and self.first.isoformat() <= str(iso)[:10] <= self.last.isoformat()


def yuan(value: Any) -> Optional[float]:
    """An amount of money: a number (yuan), or the first ``N元`` / ``N万元`` in a text."""
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, (int, float)):
        return float(value)
    m = _AMOUNT.search(str(value))
    if not m:
        return None
    return float(m.group(1)) * (10_000 if m.group(2) else 1)


def _funds(h: Mapping[str, Any]) -> Optional[float]:
    fix = h.get("fix") or {}
    amount = yuan(fix.get("funds"))
    if amount is None:
        amount = yuan((h.get("plan") or {}).get("funds"))
    return amount


def _rate(part: int, whole: int) -> Optional[float]:
    return part / whole if whole else None


def pct(rate: Optional[float]) -> str:
    return "—" if rate is None else f"{rate:.1%}"


def window_figures(w: Window, hazards: Sequence[Mapping[str, Any]], inspections: Sequence[Mapping[str, Any]],
                   documents: Sequence["IssuedDocument"]) -> dict[str, Any]:
    """The comparable figures of one month."""
    visits = [i for i in inspections if w.holds(i.get("date"))]
    officers = {str(p.get("cert") or p.get("name")) for i in visits for p in i.get("inspectors") or []
                if p.get("cert") or p.get("name")}
    new = [h for h in hazards if w.holds(h.get("created"))]
    closed = [h for h in hazards if h.get("status") == "closed" and w.holds(h.get("closed_date"))]
    on_time = [h for h in closed if h.get("deadline") and str(h["closed_date"]) <= str(h["deadline"])]
    fixed = [h for h in hazards if w.holds((h.get("fix") or {}).get("date")) or
             (h.get("status") == "closed" and w.holds(h.get("closed_date")) and not h.get("fix"))]
    amounts = [a for a in (_funds(h) for h in fixed) if a is not None]
    docs: dict[str, int] = {"record": 0, "order": 0, "review": 0}
    for d in documents:
        if w.holds(d.date) and d.kind in docs:
            docs[d.kind] += 1
    return {
        "visits": len(visits), "sites": len({i.get("site") for i in visits}), "officers": len(officers),
        "documents": docs, "documents_total": sum(docs.values()),
        "new": len(new), "new_major": sum(1 for h in new if h.get("severity") == "major"),
        "closed": len(closed), "on_time": len(on_time), "on_time_rate": _rate(len(on_time), len(closed)),
        "funds": sum(amounts), "funds_known": len(amounts),
    }


def breakdown(hazards: Sequence[Mapping[str, Any]], sites: Mapping[str, Mapping[str, Any]], key: str, w: Window,
              unknown: str) -> list[dict[str, Any]]:
    """Hazards and closure per 区域 or 行业 (``key`` of the site), largest first."""
    rows: dict[str, dict[str, Any]] = {}
    for h in hazards:
        name = str((sites.get(str(h.get("site") or "")) or {}).get(key) or "") or unknown
        r = rows.setdefault(name, {"name": name, "total": 0, "closed": 0, "major": 0, "new": 0, "closed_month": 0})
        r["total"] += 1
        r["closed"] += h.get("status") == "closed"
        r["major"] += h.get("severity") == "major"
        r["new"] += w.holds(h.get("created"))
        r["closed_month"] += h.get("status") == "closed" and w.holds(h.get("closed_date"))
    out = sorted(rows.values(), key=lambda r: (-r["total"], r["name"] == unknown, r["name"]))
    for r in out:
        r["rate"] = pct(_rate(r["closed"], r["total"]))
    return out


def supervision(hazards: Sequence[Mapping[str, Any]], as_of: dt.date) -> dict[str, int]:
    listed = [h for h in hazards if h.get("supervision")]
    closed = [h for h in listed if h.get("status") == "closed"]
    late = [h for h in listed if h.get("status") != "closed" and h.get("deadline") and str(h["deadline"]) < as_of.isoformat()]
    return {"listed": len(listed), "closed": len(closed), "open": len(listed) - len(closed), "overdue": len(late)}


def read_notes(path: Optional[str]) -> list[dict[str, Any]]:
    """The narrative sections of a ``--notes`` Markdown file: ``## 典型问题`` and
    ``## 下一步工作`` (others are kept too, in file order), each as paragraphs and list items."""
    if not path:
        return []
    p = Path(path)
    try:
        data = p.read_bytes()
    except OSError as e:
        raise UsageError(f"--notes {p}: cannot read it ({e.strerror})") from None
    if len(data) > NOTES_MAX:
        raise UsageError(f"--notes {p} is {len(data)} bytes; a bulletin's notes are at most {NOTES_MAX} bytes")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise UsageError(f"--notes {p} is not UTF-8 text") from None
    sections: list[dict[str, Any]] = []
    current: Optional[dict[str, Any]] = None
    para: list[str] = []

    def flush() -> None:
        if current is not None and para:
            current["blocks"].append({"kind": "p", "text": "".join(para)})
        para.clear()

    for raw in text.splitlines():
        line = raw.strip()
        m = re.match(r"^#{1,6}\s*(.+?)\s*#*$", line)
        if m:
            flush()
            current = {"title": m.group(1), "blocks": []}
            sections.append(current)
        elif current is None:
            continue  # text before the first heading: a title or a comment
        elif not line:
            flush()
        elif re.match(r"^[-*+]\s+", line) or re.match(r"^\d+[.、．)]\s*", line):
            flush()
            current["blocks"].append({"kind": "li", "text": re.sub(r"^([-*+]|\d+[.、．)])\s*", "", line)})
        else:
            para.append(line)
    flush()
    if not any(s["title"] in NOTE_SLOTS for s in sections):
        raise UsageError(f"--notes {p} has no section {' or '.join(NOTE_SLOTS)}: start them with '## 典型问题' "
                         "and '## 下一步工作'")
    order = {t: n for n, t in enumerate(NOTE_SLOTS)}
    return sorted(sections, key=lambda s: order.get(s["title"], len(order)))


def figures(ledger: "Ledger", hazards: Sequence[Mapping[str, Any]], first: dt.date, as_of: dt.date, lang: str,
            notes: Optional[str]) -> dict[str, Any]:
    """Everything the bulletin adds to its hazard tables (see the module doc)."""
    L = lb.labels(lang)
    w = Window.of(first.year, first.month)
    inspections, sites, documents = ledger.report_sources()
    this = window_figures(w, hazards, inspections, documents)
    last_month = window_figures(w.previous(), hazards, inspections, documents)
    last_year = window_figures(w.year_before(), hazards, inspections, documents)
    registered = sum(1 for s in sites.values() if not s.get("added") or str(s["added"])[:10] <= as_of.isoformat())
    coverage = _rate(this["sites"], registered)

    def fmt(key: str, f: dict[str, Any]) -> str:
        if key == "on_time_rate":
            return pct(f[key])
        if key == "funds":
            return f"{f[key]:,.0f}" if f["funds_known"] else "—"
        return str(f[key])

    keys = ("visits", "sites", "officers", "documents_total", "new", "new_major", "closed", "on_time_rate", "funds")
    comparison = [{"label": L[f"f_{k}"], "this": fmt(k, this), "last_month": fmt(k, last_month),
                   "last_year": fmt(k, last_year),
                   "change": _change(this[k], last_month[k]) if k not in ("on_time_rate", "funds") else ""}
                  for k in keys]
    funds_text = f"{this['funds']:,.0f}" if this["funds_known"] else "—"
    sup = supervision(hazards, as_of)
    return {
        "work_text": L["b_work_text"].format(sites=this["sites"], visits=this["visits"], officers=this["officers"],
                                             coverage=pct(coverage), registered=registered),
        "on_time_text": L["b_on_time"].format(closed=this["closed"], on_time=this["on_time"],
                                              rate=pct(this["on_time_rate"]), funds=funds_text),
        "supervision_text": L["b_supervision"].format(**sup),
        "workload": this, "coverage": pct(coverage), "coverage_rate": coverage, "registered": registered,
        "documents_by_type": [{"label": L[f"title_{k}"], "count": this["documents"][k]} for k in ("record", "order", "review")],
        "on_time_pct": pct(this["on_time_rate"]),
        "funds_text": funds_text, "funds_known": this["funds_known"],
        "by_region": breakdown(hazards, sites, "region", w, L["f_unknown"]),
        "by_industry": breakdown(hazards, sites, "industry", w, L["f_unknown"]),
        "supervision": sup,
        "comparison": comparison,
        "comparison_months": [f"{w.first.year}年{w.first.month}月" if lang == "zh" else w.first.strftime("%Y-%m")
                              for w in (w, w.previous(), w.year_before())],
        "notes": read_notes(notes),
    }


def _change(now: int, before: int) -> str:
    if before == 0:
        return "—"
    return f"{(now - before) / before:+.0%}"
