"""The annual enforcement plan (年度监督检查计划): which sites, how many visits, which quarter.

The algorithm (``inspect-cli/plan-v1``), so anyone can re-check a recorded plan:

1. The pool is every site with a risk class named in ``plan.frequencies`` (and matching
   every ``--where``), sorted by code, each with its class, its domains and whether its
   self-reports stayed at zero (``silent``, :mod:`.selfreport`). ``rng = random.Random(seed)``.
2. A site's yearly frequency ``f`` is :meth:`Frequencies.visits`. Every site gets ⌊f⌋
   visits. For each distinct fractional frequency (in increasing order of ``f``), the sites
   having it (by code) are sampled: ``rng.sample(group, round(frac × len(group)))`` get one
   visit more. A silent site gets ``silent_extra`` visits more.
3. ``order = rng.sample(codes, len(codes))``; the site at position ``i`` starts in quarter
   ``i mod 4``; its visit ``j`` of ``k`` falls in quarter ``(start + ⌊4j/k⌋) mod 4`` when
   ``k ≤ 4``, else ``(start + j) mod 4`` — spread over the year and balanced across quarters.
4. 双随机 share: ``n = round(random_share × sites with a visit)`` of them are drawn with
   ``inspect-cli/draw-v1`` (:func:`inspect_cli.site.sampling.draw_from`, seed
   ``rng.getrandbits(32)``) from the sites with a visit, with their inspector pairs when an
   inspector pool is given; their first visit is of kind ``random`` (双随机), every other
   visit ``enforcement`` (执法检查).

The record keeps the pool, seed, settings and result, and their ``sha256``
(:func:`inspect_cli.site.sampling.digest`); :func:`verify` recomputes both.
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
from .classes import Frequencies, parse_counts, parse_frequencies, site_class, site_domains

ALGORITHM = "inspect-cli/plan-v1"
TABLE = "plans"


def _quarters(k: int, start: int) -> list[int]:
    if k <= 4:
        return [(start + (4 * j) // k) % 4 + 1 for j in range(k)]
    return [(start + j) % 4 + 1 for j in range(k)]


def plan_from(pool: dict[str, Any], seed: int) -> dict[str, Any]:
    """The pure plan of a recorded pool (see the module docstring): ``{visits, random_draw}``."""
    freq = Frequencies(dict(pool["frequencies"]["base"]), {d: dict(v) for d, v in pool["frequencies"]["by_domain"].items()})
    sites: list[dict[str, Any]] = list(pool["sites"])
    rng = random.Random(int(seed))
    f_of = {s["code"]: freq.visits(s["class"], list(s.get("domains") or [])) for s in sites}
    visits = {c: int(math.floor(f)) for c, f in f_of.items()}
    for f in sorted({f for f in f_of.values() if f != math.floor(f)}):
        group = [s["code"] for s in sites if f_of[s["code"]] == f]
        for code in rng.sample(group, int(round((f - math.floor(f)) * len(group)))):
            visits[code] += 1
    extra = int(pool.get("silent_extra") or 0)
    for s in sites:
        if s.get("silent"):
            visits[s["code"]] += extra
    codes = [s["code"] for s in sites]
    order = rng.sample(codes, len(codes))
    start = {code: i % 4 for i, code in enumerate(order)}
    with_visit = [c for c in codes if visits[c] > 0]
    n_random = int(round(float(pool.get("random_share") or 0) * len(with_visit)))
    draw_seed = rng.getrandbits(32)
    random_draw: Optional[dict[str, Any]] = None
    paired: dict[str, list[dict[str, str]]] = {}
    if n_random:
        inspectors = list(pool.get("inspectors") or [])
        if len(inspectors) >= 2:
            random_draw = sampling.draw_from(with_visit, inspectors, n_random, None, draw_seed)
            paired = {a["site"]: a["inspectors"] for a in random_draw["assignments"]}
        else:  # the site step of draw-v1 alone; the inspectors are drawn when the visit is made
            picked = random.Random(draw_seed).sample(with_visit, n_random)
            random_draw = {"assignments": [{"site": c, "inspectors": []} for c in picked], "inspectors": [],
                           "reserves": []}
            paired = {c: [] for c in picked}
        random_draw["seed"] = draw_seed
    cls = {s["code"]: s["class"] for s in sites}
    out = []
    for code in codes:
        for j, q in enumerate(_quarters(visits[code], start[code])):
            kind = "random" if j == 0 and code in paired else "enforcement"
            out.append({"site": code, "class": cls[code], "quarter": q, "kind": kind,
                        "inspectors": paired.get(code, []) if kind == "random" else []})
    out.sort(key=lambda v: (v["quarter"], v["site"], v["kind"]))
    return {"visits": out, "random_draw": random_draw}


def make_pool(store: Store, year: int, settings: dict[str, Any], where: dict[str, str],
              inspectors: list[dict[str, str]], silent: set[str]) -> dict[str, Any]:
    freq = parse_frequencies(str(settings.get("plan.frequencies") or ""))
    classes = set(freq.classes)
    sites, unclassified = [], []
    for s in sampling.site_pool(store, where):
        c = site_class(s)
        if c in classes:
            sites.append({"code": s["code"], "class": c, "domains": site_domains(s), "silent": s["code"] in silent})
        else:
            unclassified.append(s["code"])
    return {"year": year, "sites": sites, "unclassified": unclassified, "frequencies": freq.as_dict(),
            "random_share": float(settings.get("plan.random_share") or 0),
            "silent_extra": int(settings.get("plan.silent_extra") or 0),
            "silent_months": int(settings.get("plan.silent_months") or 0),
            "counts": list(parse_counts(str(settings.get("plan.counts") or ""))),
            "inspectors": inspectors}


def check_year(year: Any) -> int:
    if isinstance(year, bool) or not isinstance(year, int) or not 2000 <= year <= 2100:
        raise UsageError(f"the plan's year must be a year from 2000 to 2100, not {year!r}")
    return year


def make(store: Store, year: int, seed: int, where: dict[str, str], pool_inspectors: Iterable[dict[str, str]],
         settings: dict[str, Any], today: dt.date, actor: str) -> dict[str, Any]:
    """Make the plan of ``year`` from the ledger's sites and record it in ``plans``."""
    from .selfreport import silent_sites

    check_year(year)
    if isinstance(seed, bool) or not isinstance(seed, int) or seed < 0:
        raise UsageError(f"--seed must be a non-negative integer, not {seed!r}")
    entries = list(pool_inspectors)
    inspectors = sampling.inspector_pool(entries) if entries else []
    months = int(settings.get("plan.silent_months") or 0)
    silent = set()
    if months and int(settings.get("plan.silent_extra") or 0):
        silent = {r["code"] for r in silent_sites(store, today, months)["sites"]}
    pool = make_pool(store, year, settings, where, inspectors, silent)
    if not pool["sites"]:
        cond = " and ".join(f"{k}={v}" for k, v in where.items())
        raise UsageError("no site has a risk class named in plan.frequencies"
                         + (f" and matches {cond}" if cond else "")
                         + f" ({', '.join(parse_frequencies(str(settings.get('plan.frequencies'))).classes)}); "
                           "give sites a 风险等级 (risk_class) or change plan.frequencies with inspect config set")
    result = plan_from(pool, seed)
    number = 1 + max((int(r.get("number") or 0) for r in store.find(TABLE, {"year": year}, fields=("number",))), default=0)
    record: dict[str, Any] = {
        "id": new_id("plan"), "number": number, "algorithm": ALGORITHM, "year": year, "seed": seed, "where": dict(where),
        "pool": pool, "result": result, "date": today.isoformat(), "actor": actor,
        "recorded_at": Clock.make(today.isoformat()).now(),
    }
    record["sha256"] = sampling.digest(record)
    store.put(TABLE, record["id"], record)
    return record


def get(store: Store, plan_id: str) -> dict[str, Any]:
    rec = store.get(TABLE, normalise(plan_id))
    if rec is None:
        raise NotFound(f"no plan {plan_id!r} in this ledger; see inspect plan list")
    return rec


def latest(store: Store, year: int) -> dict[str, Any]:
    """The plan of ``year`` recorded last (a year may be planned again; the last one stands)."""
    found = sorted(store.find(TABLE, {"year": year}), key=lambda r: (int(r.get("number") or 0), r["id"]))
    if not found:
        raise NotFound(f"no plan for {year} in this ledger; make one with inspect plan year {year} --seed S")
    return found[-1]


def listing(store: Store) -> list[dict[str, Any]]:
    out = []
    for r in sorted(store.find(TABLE), key=lambda r: (r.get("year") or 0, int(r.get("number") or 0))):
        out.append({"id": r["id"], "year": r.get("year"), "number": r.get("number"), "seed": r.get("seed"), "date": r.get("date"),
                    "actor": r.get("actor"), "sites": len((r.get("pool") or {}).get("sites") or []),
                    "visits": len((r.get("result") or {}).get("visits") or []), "sha256": r.get("sha256")})
    return out


def verify(store: Store, plan_id: str) -> dict[str, Any]:
    """Re-make a recorded plan from its pool and seed: ``{ok, problems, record}``."""
    rec = get(store, plan_id)
    problems = []
    if rec.get("algorithm") != ALGORITHM:
        problems.append(f"plan {rec['id']} used algorithm {rec.get('algorithm')!r}; this version knows {ALGORITHM}")
    try:
        again = plan_from(rec.get("pool") or {}, int(rec.get("seed") or 0))
        if again != rec.get("result"):
            problems.append("re-making the plan from the recorded pool and seed gives a different result: "
                            "the recorded plan was changed")
    except (KeyError, TypeError, ValueError, UsageError) as e:
        problems.append(f"the recorded pool and seed cannot be planned again: {e}")
    if sampling.digest(rec) != rec.get("sha256"):
        problems.append("the recorded sha256 does not match the plan's content (pool, seed or result changed)")
    return {"ok": not problems, "problems": problems, "record": rec}


def summary(rec: dict[str, Any]) -> list[dict[str, Any]]:
    """Per class: sites, visits, visits per quarter, 双随机 visits — the plan's table."""
    classes = list(Frequencies(rec["pool"]["frequencies"]["base"], rec["pool"]["frequencies"]["by_domain"]).classes)
    rows: dict[str, dict[str, Any]] = {c: {"class": c, "sites": 0, "visits": 0, "q": [0, 0, 0, 0], "random": 0}
                                       for c in classes}
    for s in rec["pool"]["sites"]:
        rows[s["class"]]["sites"] += 1
    for v in rec["result"]["visits"]:
        r = rows[v["class"]]
        r["visits"] += 1
        r["q"][v["quarter"] - 1] += 1
        r["random"] += v["kind"] == "random"
    return [r for r in rows.values() if r["sites"]]
