"""回头看: draw closed hazards or certified sites to re-check, reproducibly, and link relapses.

The algorithm (``inspect-cli/lookback-v1``):

1. The pool is either the closed hazards (``--of hazards``: status ``closed``, closed within
   ``--closed-since``/``--closed-until`` when given, at sites matching every ``--where``),
   sorted by id; or the certified sites (``--of sites``: sites with at least one hazard and
   every hazard closed, 整改销号), sorted by code.
2. ``N = min(pool, max(⌈share × pool⌉, minimum))`` — "at least 10 % or 50" by default
   (``lookback.share``, ``lookback.minimum``; ``--share``/``--minimum`` for one draw).
3. The draw is ``inspect-cli/draw-v1`` (:func:`inspect_cli.site.sampling.draw_from`) on
   that pool with the seed: with an inspector pool, each drawn item also gets its pair of
   inspectors; without, only step 3 of draw-v1 (``random.Random(seed).sample(pool, N)``).

The draw is recorded in ``lookbacks`` with its pool, seed and ``sha256``; :func:`verify`
re-runs it. A look-back inspection (kind ``lookback``) that finds again, at a site, a
failure of an item whose hazard there was closed records a relapse (复发) linking the new
hazard to the original one (:func:`link_relapses`); the bulletin counts relapses.
"""
from __future__ import annotations

import datetime as dt
import math
import random
from typing import Any, Iterable, Optional

from ..clock import Clock
from ..errors import NotFound, UsageError
from ..ids import new_id, normalise
from ..site import sampling
from ..storage.interface import Store

ALGORITHM = "inspect-cli/lookback-v1"
TABLE = "lookbacks"
RELAPSES = "relapses"
OF = ("hazards", "sites")


def size(pool: int, share: float, minimum: int) -> int:
    """How many a look-back takes from a pool: at least ``share`` of it and at least ``minimum``."""
    return min(pool, max(math.ceil(round(share * pool, 9)), minimum))


def pool_of(store: Store, of: str, where: dict[str, str], closed_since: Optional[str],
            closed_until: Optional[str]) -> list[str]:
    if of not in OF:
        raise UsageError(f"--of must be one of: {', '.join(OF)}")
    sites = {s["code"] for s in sampling.site_pool(store, where)}
    hazards = store.find("hazards", fields=("id", "site", "status", "closed_date"))
    if of == "hazards":
        return sorted(h["id"] for h in hazards if h.get("status") == "closed" and h.get("site") in sites
                      and (not closed_since or str(h.get("closed_date") or "") >= closed_since)
                      and (not closed_until or str(h.get("closed_date") or "") <= closed_until))
    by_site: dict[str, list[str]] = {}
    for h in hazards:
        by_site.setdefault(str(h.get("site")), []).append(str(h.get("status")))
    return sorted(c for c in sites if by_site.get(c) and all(s == "closed" for s in by_site[c]))


def draw_items(items: list[str], n: int, inspectors: list[dict[str, str]], seed: int) -> dict[str, Any]:
    if len(inspectors) >= 2:
        return sampling.draw_from(items, inspectors, n, None, seed)
    if inspectors:
        raise UsageError("a look-back's inspector pool needs at least two inspectors (each visit needs two)")
    picked = random.Random(int(seed)).sample(items, n)
    return {"assignments": [{"site": i, "inspectors": []} for i in picked], "inspectors": [], "reserves": []}


def draw(store: Store, of: str, seed: int, where: dict[str, str], share: float, minimum: int,
         closed_since: Optional[str], closed_until: Optional[str], pool_inspectors: Iterable[dict[str, str]],
         today: dt.date, actor: str) -> dict[str, Any]:
    """Draw a look-back and record it in ``lookbacks``."""
    if isinstance(seed, bool) or not isinstance(seed, int) or seed < 0:
        raise UsageError(f"--seed must be a non-negative integer, not {seed!r}")
    if not 0 <= share <= 1:
        raise UsageError(f"--share must be from 0 to 1 (10% is 0.1), not {share!r}")
    if minimum < 0:
        raise UsageError(f"--minimum must be 0 or more, not {minimum!r}")
    items = pool_of(store, of, where, closed_since, closed_until)
    if not items:
        what = "closed hazard" if of == "hazards" else "certified site (every hazard closed)"
        raise UsageError(f"no {what} in the ledger matches; nothing to look back at")
    n = size(len(items), share, minimum)
    if n < 1:
        raise UsageError("the look-back would draw nothing: raise --share or --minimum")
    entries = list(pool_inspectors)
    inspectors = sampling.inspector_pool(entries) if entries else []
    result = draw_items(items, n, inspectors, seed)
    drawn = [a["site"] for a in result["assignments"]]
    if of == "hazards":
        info = {h["id"]: {"site": h.get("site"), "site_name": h.get("site_name"), "item": h.get("item"),
                          "closed_date": h.get("closed_date"), "description": h.get("description")}
                for h in store.find("hazards", {"id": ("in", drawn)})}
    else:
        info = {s["code"]: {"site": s["code"], "site_name": s.get("name")}
                for s in store.find("sites", {"code": ("in", drawn)})}
    number = 1 + max((int(r.get("number") or 0) for r in store.find(TABLE, fields=("number",))), default=0)
    key = "hazard" if of == "hazards" else "site"
    # what was drawn, in the order drawn, with readable keys (``result`` is the algorithm's own output)
    drawn = [dict(info.get(a["site"]) or {}, **{key: a["site"], "inspectors": a["inspectors"]})
             for a in result["assignments"]]
    record: dict[str, Any] = {
        "id": new_id("lookback"), "number": number, "algorithm": ALGORITHM, "seed": seed, "sites_n": n,
        "inspectors_m": len(result["inspectors"]) or None, "of": of, "where": dict(where),
        "closed_since": closed_since, "closed_until": closed_until,
        "pool": {"of": of, "items": items, "inspectors": inspectors, "share": share, "minimum": minimum},
        "result": result, "drawn": drawn, "date": today.isoformat(), "actor": actor,
        "recorded_at": Clock.make(today.isoformat()).now(),
    }
    record["sha256"] = sampling.digest(record)
    store.put(TABLE, record["id"], record)
    return record


def get(store: Store, lookback_id: str) -> dict[str, Any]:
    rec = store.get(TABLE, normalise(lookback_id))
    if rec is None:
        raise NotFound(f"no look-back {lookback_id!r} in this ledger; see the id printed by inspect sample lookback")
    return rec


def verify(store: Store, lookback_id: str) -> dict[str, Any]:
    rec = get(store, lookback_id)
    pool = rec.get("pool") or {}
    problems = []
    if rec.get("algorithm") != ALGORITHM:
        problems.append(f"look-back {rec['id']} used algorithm {rec.get('algorithm')!r}; this version knows {ALGORITHM}")
    items = list(pool.get("items") or [])
    if items != sorted(items):
        problems.append("the recorded pool is not sorted, as every look-back's is")
    if size(len(items), float(pool.get("share") or 0), int(pool.get("minimum") or 0)) != rec.get("sites_n"):
        problems.append("the recorded size does not follow from the pool, share and minimum")
    try:
        again = draw_items(items, int(rec.get("sites_n") or 0), list(pool.get("inspectors") or []), int(rec.get("seed") or 0))
        if again != rec.get("result"):
            problems.append("re-running the look-back from the recorded pool and seed gives a different result: "
                            "the recorded result was changed")
    except (UsageError, TypeError, ValueError) as e:
        problems.append(f"the recorded pool and seed cannot be drawn again: {e}")
    if sampling.digest(rec) != rec.get("sha256"):
        problems.append("the recorded sha256 does not match the look-back's content (pool, seed or result changed)")
    return {"ok": not problems, "problems": problems, "record": rec}


# relapses (复发) ----------------------------------------------------------------------

def _drawn_in(store: Store, site: str, original: str) -> Optional[str]:
    """The last look-back that drew ``original`` or its site."""
    found = None
    for rec in sorted(store.find(TABLE), key=lambda r: int(r.get("number") or 0)):
        drawn = {a["site"] for a in (rec.get("result") or {}).get("assignments") or []}
        if original in drawn or site in drawn:
            found = rec["id"]
    return found


def link_relapses(store: Store, inspection: dict[str, Any], created: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """After a look-back inspection: each new hazard on an item (and unit) whose hazard at the
    same site was closed is a relapse of the latest such closed hazard; recorded in ``relapses``."""
    if inspection.get("kind") != "lookback" or not created:
        return []
    closed: dict[tuple[str, str], dict[str, Any]] = {}
    for h in store.find("hazards", {"site": inspection.get("site")},
                        fields=("id", "site", "item", "unit", "status", "closed_date")):
        if h.get("status") != "closed":
            continue
        key = (str(h.get("item") or ""), str(h.get("unit") or ""))
        if key not in closed or str(h.get("closed_date") or "") > str(closed[key].get("closed_date") or ""):
            closed[key] = h
    out = []
    for h in created:
        original = closed.get((str(h.get("item") or ""), str(h.get("unit") or "")))
        if original is None:
            continue
        rec = {"id": h["id"], "hazard": h["id"], "original": original["id"], "site": h.get("site"),
               "item": h.get("item"), "inspection": inspection.get("id"), "date": inspection.get("date"),
               "original_closed": original.get("closed_date"),
               "lookback": _drawn_in(store, str(h.get("site")), original["id"])}
        store.put(RELAPSES, rec["id"], rec)
        out.append(rec)
    return out


def relapses(store: Store, since: Optional[str] = None, until: Optional[str] = None) -> list[dict[str, Any]]:
    """The recorded relapses found in a date window, by date."""
    return sorted((r for r in store.find(RELAPSES)
                   if (not since or str(r.get("date") or "") >= since) and (not until or str(r.get("date") or "") <= until)),
                  key=lambda r: (str(r.get("date") or ""), r["id"]))
