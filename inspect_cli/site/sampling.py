"""双随机: draw sites and inspector pairs at random, reproducibly, and record the draw.

The algorithm (``inspect-cli/draw-v1``), so anyone can re-check a published draw:

1. The site pool is the codes of the sites matching every ``--where``, sorted by code.
   The inspector pool is the ``{name, cert}`` entries, de-duplicated and sorted by
   ``(name, cert)``.
2. ``rng = random.Random(seed)`` (Python's Mersenne Twister seeded with the integer).
3. ``sites = rng.sample(site_pool, N)`` — the drawn sites, in the order drawn.
4. ``team = rng.sample(inspector_pool, M)`` — the drawn inspectors, in the order drawn
   (``M`` defaults to ``min(2N, pool size)``).
5. Site ``i`` (0-based) gets ``team[2i mod M]`` and ``team[(2i+1) mod M]``: two distinct
   inspectors (``M >= 2``), each inspector sent to ⌊2N/M⌋ or ⌈2N/M⌉ sites. When
   ``M > 2N`` the inspectors after the first ``2N`` are reserves (替补, e.g. for 回避).

The record keeps the pools, seed and result, and ``sha256`` of their canonical JSON
(:func:`digest`), for publication: :func:`verify` recomputes both.
"""
from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
import json
import random
from pathlib import Path
from typing import Any, Iterable, Optional

from ..clock import Clock
from ..errors import NotFound, UsageError, ValidationFailed
from ..inputs import read_text, load_yaml
from ..ids import new_id, normalise
from ..storage.interface import Store

ALGORITHM = "inspect-cli/draw-v1"
SITE_MATCH_FIELDS = ("industry", "risk_class", "name", "code", "address")
_TRUE = {"true", "yes", "是"}
_FALSE = {"false", "no", "否"}


# the pools ------------------------------------------------------------------------

def _text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip().lower()


def _wanted(value: str) -> set[str]:
    """``A,B`` means either; yes/no/是/否 mean true/false."""
    out = set()
    for part in str(value).split(","):
        t = part.strip().lower()
        if t in _TRUE:
            t = "true"
        elif t in _FALSE:
            t = "false"
        if t:
            out.add(t)
    return out


def site_value(site: dict[str, Any], attr: str) -> Any:
    """A site field (industry, risk_class…) or, failing that, a site attribute."""
    if attr in SITE_MATCH_FIELDS and site.get(attr) is not None:
        return site.get(attr)
    return (site.get("attributes") or {}).get(attr)


def site_matches(site: dict[str, Any], where: dict[str, str]) -> bool:
    for attr, value in where.items():
        v = site_value(site, attr)
        if v is None:
            return False
        if _text(v) not in _wanted(value):
            return False
    return True


def parse_where(values: Iterable[str]) -> dict[str, str]:
    """``ATTR=VALUE`` texts → a dict; UsageError on a malformed one."""
    out: dict[str, str] = {}
    for text in values:
        attr, sep, value = str(text).partition("=")
        if not sep or not attr.strip() or not value.strip():
            raise UsageError(f"--where {text!r} must be ATTR=VALUE, e.g. risk_class=A or industry=机械")
        out[attr.strip()] = value.strip()
    return out


def site_pool(store: Store, where: dict[str, str]) -> list[dict[str, Any]]:
    """The sites matching every condition, sorted by code; UsageError for an attribute no site has."""
    sites = store.find("sites", order_by="code")
    known = set(SITE_MATCH_FIELDS)
    for s in sites:
        known.update((s.get("attributes") or {}).keys())
    for attr in where:
        if attr not in known:
            import difflib

            near = difflib.get_close_matches(attr, sorted(known), n=1)
            hint = f"; did you mean {near[0]!r}?" if near else f"; known: {', '.join(sorted(known))}"
            raise UsageError(f"--where {attr}=…: no site has a field or attribute {attr!r}{hint}")
    return sorted((s for s in sites if site_matches(s, where)), key=lambda s: s["code"])


def parse_pool_inspector(text: str) -> dict[str, str]:
    name, _, cert = str(text).partition(":")
    return {"name": name.strip(), "cert": cert.strip()}


def read_inspector_pool(path: Path) -> list[dict[str, str]]:
    """A CSV (header ``name,cert``; 姓名/执法证号 accepted) or a YAML list of ``{name, cert}``."""
    path = Path(path)
    if path.suffix.lower() in (".yaml", ".yml"):
        data, _ = load_yaml(path)
        if isinstance(data, dict) and isinstance(data.get("inspectors"), list):
            data = data["inspectors"]
        if not isinstance(data, list):
            raise ValidationFailed(f"{path}: an inspector pool is a list of {{name, cert}} (or NAME:CERT texts)")
        rows = []
        for n, entry in enumerate(data, start=1):
            if isinstance(entry, str):
                rows.append(parse_pool_inspector(entry))
            elif isinstance(entry, dict):
                rows.append({"name": str(entry.get("name") or "").strip(), "cert": str(entry.get("cert") or "").strip()})
            else:
                raise ValidationFailed(f"{path}: entry {n} is neither {{name, cert}} nor NAME:CERT")
        return rows
    text = read_text(path)
    reader = csv.reader(io.StringIO(text, newline=""))
    header = [h.strip().lower() for h in next(reader, [])]
    aliases = {"姓名": "name", "执法证号": "cert", "证号": "cert", "certificate": "cert"}
    header = [aliases.get(h, h) for h in header]
    if "name" not in header or "cert" not in header:
        raise ValidationFailed(f"{path}: the first line must be the header name,cert (or 姓名,执法证号)")
    ni, ci = header.index("name"), header.index("cert")
    return [{"name": row[ni].strip() if len(row) > ni else "", "cert": row[ci].strip() if len(row) > ci else ""}
            for row in reader if any(c.strip() for c in row)]


def inspector_pool(entries: Iterable[dict[str, str]]) -> list[dict[str, str]]:
    """De-duplicated and sorted; every inspector needs a name and an enforcement certificate number."""
    problems = []
    seen: dict[tuple[str, str], dict[str, str]] = {}
    for n, e in enumerate(entries, start=1):
        name, cert = str(e.get("name") or "").strip(), str(e.get("cert") or "").strip()
        if not name:
            problems.append(f"inspector {n}: no name")
        elif not cert:
            problems.append(f"inspector {name}: no enforcement certificate number (执法证号); write NAME:CERT")
        else:
            seen[(name, cert)] = {"name": name, "cert": cert}
    if problems:
        raise ValidationFailed("the inspector pool is incomplete", problems)
    return [seen[k] for k in sorted(seen)]


# the draw ---------------------------------------------------------------------------

def draw_from(sites: list[str], inspectors: list[dict[str, str]], sites_n: int, inspectors_m: Optional[int],
              seed: int) -> dict[str, Any]:
    """The pure draw (see the module docstring); pools must already be sorted."""
    if sites_n < 1:
        raise UsageError("--sites must be at least 1")
    if sites_n > len(sites):
        raise UsageError(f"cannot draw {sites_n} site(s) from a pool of {len(sites)}; "
                         "lower --sites or widen --where")
    m = inspectors_m if inspectors_m is not None else min(2 * sites_n, len(inspectors))
    if len(inspectors) < 2:
        raise UsageError(f"the inspector pool has {len(inspectors)} inspector(s); each site needs two: "
                         "give --inspector-pool FILE or --pool-inspector NAME:CERT (at least two)")
    if m < 2:
        raise UsageError("--inspectors must be at least 2: each site is inspected by two inspectors")
    if m > len(inspectors):
        raise UsageError(f"cannot draw {m} inspectors from a pool of {len(inspectors)}")
    rng = random.Random(int(seed))
    drawn_sites = rng.sample(sites, sites_n)
    team = rng.sample(inspectors, m)
    assigned = [{"site": code, "inspectors": [team[(2 * i) % m], team[(2 * i + 1) % m]]}
                for i, code in enumerate(drawn_sites)]
    return {"assignments": assigned, "inspectors": team, "reserves": team[2 * sites_n:]}


def canonical(record: dict[str, Any]) -> bytes:
    """The published content of a draw: algorithm, sizes, seed, pools and result."""
    body = {k: record.get(k) for k in ("algorithm", "seed", "sites_n", "inspectors_m", "pool", "result")}
    return json.dumps(body, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode("utf-8")


def digest(record: dict[str, Any]) -> str:
    return hashlib.sha256(canonical(record)).hexdigest()


def draw(store: Store, sites_n: int, inspectors_m: Optional[int], where: dict[str, str], seed: int,
         pool_inspectors: Iterable[dict[str, str]], today: dt.date, actor: str) -> dict[str, Any]:
    """Draw from the ledger's sites and the given inspectors, and record the draw in ``draws``."""
    if isinstance(seed, bool) or not isinstance(seed, int) or seed < 0:
        raise UsageError(f"--seed must be a non-negative integer, not {seed!r}")
    sites = site_pool(store, where)
    if not sites:
        cond = " and ".join(f"{k}={v}" for k, v in where.items()) or "(none)"
        raise UsageError(f"no site in the ledger matches {cond}; see inspect site list")
    inspectors = inspector_pool(pool_inspectors)
    codes = [s["code"] for s in sites]
    result = draw_from(codes, inspectors, sites_n, inspectors_m, seed)
    names = {s["code"]: s.get("name") for s in sites}
    record: dict[str, Any] = {
        "id": new_id("draw"), "algorithm": ALGORITHM, "seed": seed, "sites_n": sites_n,
        "inspectors_m": len(result["inspectors"]), "where": dict(where),
        "pool": {"sites": codes, "inspectors": inspectors}, "result": result,
        "site_names": {a["site"]: names.get(a["site"]) for a in result["assignments"]},
        "date": today.isoformat(), "actor": actor, "recorded_at": Clock.make(today.isoformat()).now(),
    }
    record["sha256"] = digest(record)
    store.put("draws", record["id"], record)
    return record


def get(store: Store, draw_id: str) -> dict[str, Any]:
    rec = store.get("draws", normalise(draw_id))
    if rec is None:
        raise NotFound(f"no draw {draw_id!r} in this ledger; see the id printed by inspect sample")
    return rec


def verify(store: Store, draw_id: str) -> dict[str, Any]:
    """Re-run a recorded draw from its pool and seed: ``{ok, problems, record, recomputed, pool_changed}``.

    ``pool_changed`` (informational) says whether the ledger's sites matching the same
    ``where`` differ today from the recorded pool; the check itself uses the recorded pool.
    """
    rec = get(store, draw_id)
    problems = []
    if rec.get("algorithm") != ALGORITHM:
        problems.append(f"draw {rec['id']} used algorithm {rec.get('algorithm')!r}; this version knows {ALGORITHM}")
    recomputed: Optional[dict[str, Any]] = None
    pool = rec.get("pool") or {}
    try:
        recomputed = draw_from(list(pool.get("sites") or []), list(pool.get("inspectors") or []),
                               int(rec.get("sites_n") or 0), rec.get("inspectors_m"), int(rec.get("seed") or 0))
    except (UsageError, TypeError, ValueError) as e:
        problems.append(f"the recorded pool and seed cannot be drawn again: {e}")
    if recomputed is not None and recomputed != rec.get("result"):
        problems.append("re-running the draw from the recorded pool and seed gives a different result: "
                        "the recorded result was changed")
    if pool.get("sites") != sorted(pool.get("sites") or []):
        problems.append("the recorded site pool is not sorted by code, as every draw's is")
    if digest(rec) != rec.get("sha256"):
        problems.append("the recorded sha256 does not match the draw's content (pool, seed or result changed)")
    try:
        current = [s["code"] for s in site_pool(store, rec.get("where") or {})]
    except UsageError:
        current = []
    return {"ok": not problems, "problems": problems, "record": rec, "recomputed": recomputed,
            "pool_changed": current != pool.get("sites")}
