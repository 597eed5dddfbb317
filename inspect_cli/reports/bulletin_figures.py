"""The figures a bureau's 月度通报 publishes beyond hazard counts.

Workload (sites inspected, visits, officers), documents issued by type, hazards and closure
by 区域 and by 行业, 按期整改率 and 检查覆盖率, 整改资金, 挂牌督办 status, the same figures for last
month and for the same month last year, and the narrative slots (典型问题, 下一步工作) of a
``--notes`` Markdown file. All from the bulletin's tally (GROUP BY counts :mod:`..analysis.tally`, as of the bulletin's day) plus the sites' 区域/行业 and
the document numbers.
"""
from __future__ import annotations

import calendar
import datetime as dt
import re
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Mapping, Optional, Sequence

from ..analysis.tally import yuan
from ..errors import UsageError
from . import labels as lb

__all__ = ["Window", "figures", "read_notes", "yuan"]

if TYPE_CHECKING:
    from ..analysis.tally import Tally
    from ..analysis.tally import Window as TallyWindow
    from ..ledger import Ledger
    from .issued import IssuedDocument

NOTES_MAX = 200_000
NOTE_SLOTS = ("典型问题", "下一步工作")


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


def _rate(part: int, whole: int) -> Optional[float]:
    return part / whole if whole else None


def pct(rate: Optional[float]) -> str:
    return "—" if rate is None else f"{rate:.1%}"


def window_figures(w: Window, counted: "TallyWindow", documents: Sequence["IssuedDocument"]) -> dict[str, Any]:
    """The comparable figures of one month (its hazards and visits counted by the tally)."""
    docs: dict[str, int] = {"record": 0, "order": 0, "review": 0}
    for d in documents:
        if w.holds(d.date) and d.kind in docs:
            docs[d.kind] += 1
    return {
        "visits": counted.visits, "sites": counted.sites, "officers": counted.officers,
        "documents": docs, "documents_total": sum(docs.values()),
        "new": counted.new, "new_major": counted.new_major,
        "closed": counted.closed, "on_time": counted.on_time, "on_time_rate": _rate(counted.on_time, counted.closed),
        "funds": counted.funds, "funds_known": len(counted.amounts),
    }


def breakdown(per_site: Mapping[str, Sequence[int]], sites: Mapping[str, Mapping[str, Any]], key: str,
              unknown: str) -> list[dict[str, Any]]:
    """Hazards and closure per 区域 or 行业 (``key`` of the site), largest first, from the tally's
    counts per site (total, closed, major, new and closed this month)."""
    rows: dict[str, dict[str, Any]] = {}
    for code, counts in per_site.items():
        name = str((sites.get(code) or {}).get(key) or "") or unknown
        r = rows.setdefault(name, {"name": name, "total": 0, "closed": 0, "major": 0, "new": 0, "closed_month": 0})
        for n, k in enumerate(("total", "closed", "major", "new", "closed_month")):
            r[k] += counts[n]
    out = sorted(rows.values(), key=lambda r: (-r["total"], r["name"] == unknown, r["name"]))
    for r in out:
        r["rate"] = pct(_rate(r["closed"], r["total"]))
    return out


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


def figures(ledger: "Ledger", tally: "Tally", first: dt.date, as_of: dt.date, lang: str,
            notes: Optional[str]) -> dict[str, Any]:
    """Everything the bulletin adds to its hazard tables (see the module doc)."""
    L = lb.labels(lang)
    w = Window.of(first.year, first.month)
    sites = ledger.site_fields(("industry", "region"))
    documents = ledger.issued_documents()
    this, last_month, last_year = (window_figures(x, counted, documents)
                                   for x, counted in zip((w, w.previous(), w.year_before()), tally.windows))
    registered = tally.registered_sites
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
    listed, closed = tally.supervision["listed"], tally.supervision["closed"]
    sup = {"listed": listed, "closed": closed, "open": listed - closed, "overdue": tally.supervision["overdue"]}
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
        "by_region": breakdown(tally.sites, sites, "region", L["f_unknown"]),
        "by_industry": breakdown(tally.sites, sites, "industry", L["f_unknown"]),
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
