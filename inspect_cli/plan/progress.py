"""Done against planned (``inspect plan progress`` and the bulletin): by class, quarter and inspector.

A visit is *done* when a completed inspection of a kind in the plan's ``counts`` was made at
a planned site in the plan's year, up to the day of the figures. Per site, done visits count
against the planned ones up to their number (``done``); the rest are ``extra``. By quarter, an
inspection counts in the quarter of its date; by inspector, every inspector of it counts it.
"""
from __future__ import annotations

import datetime as dt
from collections import Counter
from typing import Any, Optional

from ..storage.interface import Store


def _quarter(iso: str) -> int:
    return (int(iso[5:7]) - 1) // 3 + 1


def _who(i: dict[str, Any]) -> str:
    return f"{i.get('name') or ''}（{i.get('cert') or ''}）" if i.get("cert") else str(i.get("name") or "")


def _rate(done: int, planned: int) -> Optional[float]:
    return round(done / planned, 4) if planned else None


def compute(store: Store, plan: dict[str, Any], as_of: dt.date) -> dict[str, Any]:
    """The comparison of ``plan`` with the ledger's inspections up to ``as_of``."""
    year = int(plan["year"])
    first, last = f"{year}-01-01", min(f"{year}-12-31", as_of.isoformat())
    counts = set(plan["pool"].get("counts") or [])
    cls = {s["code"]: s["class"] for s in plan["pool"]["sites"]}
    planned_site: Counter[str] = Counter(v["site"] for v in plan["result"]["visits"])
    planned_q: Counter[int] = Counter(v["quarter"] for v in plan["result"]["visits"])
    planned_who: Counter[str] = Counter(_who(i) for v in plan["result"]["visits"] for i in v.get("inspectors") or [])
    done_site: Counter[str] = Counter()
    done_q: Counter[int] = Counter()
    done_who: Counter[str] = Counter()
    by_kind: Counter[str] = Counter()
    for rec in store.find("inspections", {"status": "completed", "date": ("between", (first, last))},
                          fields=("site", "date", "status", "kind", "inspectors")):
        day = str(rec.get("date") or "")
        if (rec.get("status") != "completed" or not first <= day <= last or rec.get("site") not in cls
                or rec.get("kind") not in counts):
            continue
        done_site[rec["site"]] += 1
        done_q[_quarter(day)] += 1
        by_kind[str(rec.get("kind"))] += 1
        for i in {_who(i) for i in rec.get("inspectors") or []}:
            done_who[i] += 1
    classes: dict[str, dict[str, Any]] = {}
    for code, c in cls.items():
        row = classes.setdefault(c, {"class": c, "sites": 0, "planned": 0, "done": 0, "extra": 0,
                                     "sites_covered": 0, "sites_not_visited": 0})
        p, d = planned_site[code], done_site[code]
        row["sites"] += 1
        row["planned"] += p
        row["done"] += min(p, d)
        row["extra"] += max(0, d - p)
        row["sites_covered"] += bool(p) and d >= p
        row["sites_not_visited"] += bool(p) and d == 0
    for row in classes.values():
        row["rate"] = _rate(row["done"], row["planned"])
    order = {c: n for n, c in enumerate(plan["pool"]["frequencies"]["base"])}
    by_class = sorted(classes.values(), key=lambda r: (order.get(r["class"], len(order)), r["class"]))
    today_q = _quarter(as_of.isoformat()) if as_of.year == year else (5 if as_of.year > year else 0)
    ends = {1: f"{year}-03-31", 2: f"{year}-06-30", 3: f"{year}-09-30", 4: f"{year}-12-31"}
    # "ended": the quarter is over by the day of the figures; "due_to_date" counts the current quarter too
    by_quarter = [{"quarter": q, "planned": planned_q[q], "done": done_q[q], "rate": _rate(min(done_q[q], planned_q[q]), planned_q[q]),
                   "ended": ends[q] <= as_of.isoformat()} for q in (1, 2, 3, 4)]
    names = sorted(set(planned_who) | set(done_who))
    by_inspector = [{"inspector": n, "planned": planned_who[n], "done": done_who[n]} for n in names]
    planned = sum(planned_site.values())
    done = sum(min(planned_site[c], done_site[c]) for c in cls)
    due = sum(planned_q[q] for q in (1, 2, 3, 4) if q <= today_q)
    return {"plan": plan["id"], "year": year, "as_of": last, "planned": planned, "done": done,
            "extra": sum(max(0, done_site[c] - planned_site[c]) for c in cls), "rate": _rate(done, planned),
            "due_to_date": due, "rate_to_date": _rate(min(done, due), due),
            "by_class": by_class, "by_quarter": by_quarter, "by_inspector": by_inspector,
            "by_kind": dict(sorted(by_kind.items()))}


