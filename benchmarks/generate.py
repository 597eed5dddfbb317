"""A realistic synthetic ledger: a city's year of inspections and hazards, at any size.

    python benchmarks/generate.py --hazards 10000 --out /tmp/bench/l10k.sqlite [--also /tmp/bench/l10k.json]

Proportions follow one city's year (Guangzhou 2020: ~437,000 inspections, ~361,500 hazards):
1.21 inspections per hazard, 0–3 findings per inspection, ~3 % major hazards, inspections
spread over 2026 with full answer records from the bundled checklists. Every hazard is made
with the real :func:`inspect_cli.hazard.moves.register` / :func:`~inspect_cli.hazard.moves.record`, so
its hash chain is valid (``inspect verify`` passes). By "today" (default 2026-12-20) most old
hazards are closed (on the spot, or fixed and re-inspected), recent ones open, planned or
fixed, and some are overdue. Everything is written in one transaction per backend.
"""
from __future__ import annotations

import argparse
import datetime as dt
import random
import sys
import time
from pathlib import Path
from typing import Any

from inspect_cli.hazard import moves as hazards

from inspect_cli.inspection import answers as inspection
from inspect_cli.inspection.answers import example_answer
from inspect_cli.checklist import Registry
from inspect_cli.clock import Clock, _zone
from inspect_cli.ids import new_id
from inspect_cli.site.data import normalise_site
from inspect_cli.storage import open_backend
from inspect_cli.storage.jsonfile import MemoryStore
from inspect_cli.site.uscc import make_code

INSPECTIONS_PER_HAZARD = 437_000 / 361_500
FINDINGS = ((0, 45), (1, 35), (2, 13), (3, 7))  # findings per inspection: mean ≈ 0.82
MAJOR_SHARE = 0.03
YEAR = 2026
PEOPLE = [("张伟", "44010012345"), ("李娜", "44010067890"), ("王强", "44010023456"), ("刘洋", "44010034567"),
          ("陈静", "44010045678"), ("杨帆", "44010056789")]
INDUSTRIES = ["木材加工", "金属制品", "化工", "食品制造", "纺织", "林场", "仓储", "建材"]
CHECKLIST_FOR = {"木材加工": "dust-explosion", "金属制品": "dust-explosion", "纺织": "dust-explosion",
                 "化工": "hazardous-chemicals", "仓储": "hazardous-chemicals", "食品制造": "limited-space",
                 "建材": "limited-space", "林场": "forest-fire"}


class Templates:
    """Per checklist: the passing answers of a whole inspection, and each item's hazard fields."""

    def __init__(self) -> None:
        reg = Registry.discover()
        self.checklists = {c.id: c for c in reg.all()}
        self.answers: dict[str, dict[str, Any]] = {}
        self.steps: dict[str, tuple[list[Any], list[Any]]] = {}
        site = {"code": "X", "name": "x", "attributes": {}}
        for cid, c in self.checklists.items():
            units = self.units(cid)
            walked = inspection.walk(c, site, dt.date(YEAR, 3, 2), units,
                                     lambda st, so: inspection.normalise_answer(st.item, {"answer": _passing(st.item)}))
            self.answers[cid] = walked
            failable = [s for s in inspection.steps(c, units) if s.key in walked and s.item.type != "text"]
            self.steps[cid] = ([s for s in failable if s.item.severity == "major"],
                               [s for s in failable if s.item.severity != "major"])

    def units(self, cid: str) -> dict[str, list[str]]:
        return {s.id: [f"1号{s.repeat.zh}"] for s in self.checklists[cid].sections if s.repeat}


def _passing(item: Any) -> Any:
    return example_answer(item, True)


def _failing(item: Any) -> Any:
    return example_answer(item, False)


def generate(n_hazards: int, today: dt.date, seed: int = 1) -> MemoryStore:
    rng = random.Random(seed)
    t = Templates()
    zone = _zone()
    store = MemoryStore({})
    n_sites = max(20, n_hazards // 3)
    sites = []
    for i in range(n_sites):
        industry = INDUSTRIES[i % len(INDUSTRIES)]
        site = normalise_site({"code": make_code(i), "name": f"某某{industry}有限公司{i}", "address": f"某市某区某路{i}号",
                               "contact": "赵六", "phone": "020-12345678", "industry": industry,
                               "risk_class": "ABCD"[rng.randrange(4)], "attributes": {"wood_dust": True}})
        site["added"] = f"{YEAR}-01-01"
        sites.append(site)
    store.put_many("sites", [(s["code"], s) for s in sites])
    store.put("settings", "org", {"org.name": "某市应急管理局", "org.code": "穗应急"})
    n_inspections = round(n_hazards * INSPECTIONS_PER_HAZARD)
    start, last = dt.date(YEAR, 1, 5), min(today, dt.date(YEAR, 12, 18))
    span = (last - start).days
    made = 0
    counts, weights = zip(*FINDINGS)
    for n in range(n_inspections):
        left_insp = n_inspections - n
        k = rng.choices(counts, weights)[0] if made < n_hazards else 0
        if left_insp <= (n_hazards - made) // 3 + 1:  # make sure the hazards all fit
            k = 3
        k = min(k, n_hazards - made)
        site = sites[rng.randrange(n_sites)]
        cid = CHECKLIST_FOR[site["industry"]]
        c = t.checklists[cid]
        date = start + dt.timedelta(days=rng.randrange(span + 1))
        people = rng.sample(PEOPLE, 2)
        inspectors = [{"name": a, "cert": b} for a, b in people]
        who = ", ".join(p["name"] for p in inspectors)
        at = f"{date.isoformat()}T{9 + rng.randrange(8):02d}:{rng.randrange(60):02d}:00+08:00"
        answers = {key: dict(v, by=who, at=at) for key, v in t.answers[cid].items()}
        rec = {"id": new_id("inspection"), "site": site["code"], "site_name": site["name"], "checklist": c.id,
               "checklist_version": c.version, "checklist_title": c.title.zh, "domain": c.domain, "kind": "enforcement",
               "inspectors": inspectors, "date": date.isoformat(), "started_at": at, "finished_at": at,
               "status": "completed", "units": t.units(cid), "answers": answers, "hazards": [], "ignored": []}
        majors, generals = t.steps[cid]
        chosen: dict[str, Any] = {}
        while len(chosen) < k:
            pool = majors if (majors and rng.random() < MAJOR_SHARE) or not generals else generals
            step = rng.choice(pool)
            chosen[step.key] = step
        for step in chosen.values():
            detail = inspection.normalise_answer(step.item, {"answer": _failing(step.item)})
            answers[step.key] = dict(detail, by=who, at=at)
            h = _hazard(store, rng, rec, c, step, detail, site, date, today, zone, inspectors, who)
            rec["hazards"].append(h["id"])
        made += len(chosen)
        store.put("inspections", rec["id"], rec)
    return store


def _hazard(store: MemoryStore, rng: random.Random, rec: dict[str, Any], c: Any, step: Any, detail: dict[str, Any],
            site: dict[str, Any], date: dt.date, today: dt.date, zone: Any, inspectors: list[dict[str, str]],
            who: str) -> dict[str, Any]:
    item = step.item
    severity = item.severity
    days = item.rectify_days or (30 if severity == "major" else 7)
    deadline = date + dt.timedelta(days=days)
    data = {
        "inspection": rec["id"], "site": site["code"], "site_name": site["name"], "checklist": c.id,
        "checklist_version": c.version, "domain": c.domain, "item": item.id, "section": step.section.id,
        "unit": step.unit, "item_text": item.text.zh, "description": item.finding_text.zh,
        "location": rng.choice(["", "一车间", "二车间", "仓库", "除尘器旁"]), "basis": [b.to_dict() for b in item.basis],
        "severity": severity, "item_severity": item.severity, "downgrade_reason": None, "answer": detail.get("answer"),
        "measured": None, "note": "", "evidence": [], "deadline": deadline.isoformat(), "created": rec["date"],
        "kind": rec["kind"], "inspectors": inspectors, "item_note": item.note.zh if item.note else None,
    }

    def on(day: dt.date) -> Clock:
        return Clock(min(day, today), zone)

    h = hazards.register(store, data, on(date), who)
    if rng.random() < 0.2:  # fixed on the spot
        return hazards.record(store, h, "closed_on_spot", on(date), who, {"reason": "当场整改"})
    age = (today - date).days
    day = date
    if severity == "major":
        if rng.random() < 0.7:
            day = day + dt.timedelta(days=rng.randrange(1, 5))
            h = hazards.record(store, h, "plan", on(day), "企业", {"plan": {p: "按方案落实" for p in
                                                                          ("goals", "measures", "funds", "responsible", "deadline", "safety")}})
        if rng.random() < 0.15:
            h = hazards.record(store, h, "supervise", on(day), who, {"level": "市级", "authority": "市安委办",
                                                                       "date": min(day, today).isoformat()})
        if rng.random() < 0.3:
            h = hazards.record(store, h, "interim", on(day), "企业", {"measures": "停止相关作业并设置警示"})
    if rng.random() < 0.05:
        to = (dt.date.fromisoformat(h["deadline"]) + dt.timedelta(days=14)).isoformat()
        h = hazards.record(store, h, "extended", on(day), who, {"to": to, "reason": "设备采购周期"})
    due = dt.date.fromisoformat(h["deadline"])
    r = rng.random()
    if age <= (due - date).days:  # still within the deadline: mostly open or awaiting re-inspection
        if r < 0.3:
            day = min(today, max(day, date + dt.timedelta(days=rng.randrange(1, max(2, age + 1)))))
            h = hazards.record(store, h, "fixed", on(day), "企业", {}, "已整改")
        return h
    if r < 0.07:  # overdue and never fixed
        return h
    # time runs forward: never before the plan / measures above
    fixed_day = max(day, date + dt.timedelta(days=rng.randrange(1, max(2, (due - date).days + 1))))
    h = hazards.record(store, h, "fixed", on(fixed_day), "企业", {}, "已整改，附照片")
    if r < 0.10:  # fixed, re-inspection still to come
        return h
    check = min(today, fixed_day + dt.timedelta(days=rng.randrange(1, 10)))
    result = "fail" if r < 0.13 else "pass"
    new_deadline = (check + dt.timedelta(days=days)).isoformat() if result == "fail" else None
    evidence = [dict(PHOTO, name="复查照片.jpg")]
    return hazards.record(store, h, "reinspected", on(check), who,
                          {"result": result, "inspectors": inspectors, "deadline": new_deadline}, "复查", evidence)


PHOTO_BYTES = b"\xff\xd8\xff\xe0" + b"re-inspection photo" * 54
_SHA = __import__("hashlib").sha256(PHOTO_BYTES).hexdigest()
PHOTO = {"sha256": _SHA, "size": len(PHOTO_BYTES), "file": f"{_SHA[:2]}/{_SHA}.jpg"}


def write(store: MemoryStore, path: Path, backend: str | None = None) -> None:
    """Write every table into a new ledger in one transaction, with the one evidence file
    its re-inspections cite (so ``inspect verify`` finds it whole)."""
    from inspect_cli.paths import evidence_dir

    target = evidence_dir(path) / PHOTO["file"]
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_bytes(PHOTO_BYTES)
    b = open_backend(path, backend)
    if b.exists():
        raise SystemExit(f"{path} exists; remove it first")
    with b.write() as out:
        for table, rows in store.data.items():
            if not table.startswith("_"):
                out.put_many(table, rows.items())


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--hazards", type=int, required=True)
    ap.add_argument("--out", type=Path, required=True, help=".json → TinyDB, .sqlite/.db → SQLite")
    ap.add_argument("--also", type=Path, action="append", default=[], help="write the same ledger here too")
    ap.add_argument("--today", default=f"{YEAR}-12-20")
    ap.add_argument("--seed", type=int, default=1)
    a = ap.parse_args(argv)
    t0 = time.perf_counter()
    store = generate(a.hazards, dt.date.fromisoformat(a.today), a.seed)
    t1 = time.perf_counter()
    sizes = {k: len(v) for k, v in store.data.items()}
    print(f"generated {sizes} in {t1 - t0:.1f} s", file=sys.stderr)
    for path in [a.out, *a.also]:
        t2 = time.perf_counter()
        write(store, path)
        size = open_backend(path).size_bytes()  # a TinyDB ledger's table files included
        print(f"wrote {path} ({size / 2**20:.0f} MiB) in {time.perf_counter() - t2:.1f} s", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
