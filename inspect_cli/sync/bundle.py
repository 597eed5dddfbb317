"""Bundles for merging ledgers from many laptops: export, and an idempotent import.

A bundle is a zip file: ``bundle.json`` (what it is), one JSON-lines file per table, and
the evidence files under ``evidence/``. A hazard always travels with its whole history, so
the receiving ledger can verify the chain before taking anything.
"""
from __future__ import annotations

import datetime as dt
import io
import json
import zipfile
from pathlib import Path
from typing import Any, Optional

from ..hazard import history
from ..hazard import lifecycle
from ..errors import IntegrityError, ValidationFailed
from ..storage.interface import Store

BUNDLE_FORMAT = "inspect-cli-bundle"
BUNDLE_VERSION = 1
TABLES = ("sites", "inspections", "hazards", "events", "draws")


def collect(store: Store, since: Optional[str] = None) -> dict[str, list[dict[str, Any]]]:
    """Records to export: with ``since``, hazards changed on or after it (with their whole
    history), inspections of or after it, and the sites they name."""
    events = store.find("events")
    if since:
        changed = {e["subject"] for e in events if str(e.get("date", "")) >= since}
        events = [e for e in events if e["subject"] in changed]
        hazards = [h for h in store.find("hazards") if h["id"] in changed]
        inspections = [i for i in store.find("inspections") if i.get("date", "") >= since
                       or i["id"] in {h.get("inspection") for h in hazards}]
        codes = {h["site"] for h in hazards} | {i["site"] for i in inspections}
        sites = [s for s in store.find("sites") if s["code"] in codes]
        draws = [d for d in store.find("draws") if str(d.get("date", "")) >= since]
    else:
        hazards, inspections, sites, draws = (store.find(t) for t in ("hazards", "inspections", "sites", "draws"))
    return {"sites": sites, "inspections": inspections, "hazards": hazards, "events": events, "draws": draws}


def write_bundle(records: dict[str, list[dict[str, Any]]], evidence_dir: Path, out: Path, meta: dict[str, Any]) -> dict[str, int]:
    from ..storage.files import atomic_write_bytes

    buf = io.BytesIO()
    files = _evidence_files(records)
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("bundle.json", json.dumps(dict(meta, format=BUNDLE_FORMAT, version=BUNDLE_VERSION,
                                                  counts={t: len(records[t]) for t in TABLES}), ensure_ascii=False, indent=1))
        for table in TABLES:
            z.writestr(f"{table}.jsonl", "".join(json.dumps(r, ensure_ascii=False, sort_keys=True) + "\n"
                                                 for r in sorted(records[table], key=_key)))
        for rel in sorted(files):
            if (evidence_dir / rel).is_file():
                z.write(evidence_dir / rel, f"evidence/{rel}")
    out.parent.mkdir(parents=True, exist_ok=True)
    atomic_write_bytes(out, buf.getvalue())
    return {**{t: len(records[t]) for t in TABLES}, "evidence": len(files)}


def _key(r: dict[str, Any]) -> str:
    return str(r.get("id") or r.get("code"))


def _evidence_files(records: dict[str, list[dict[str, Any]]]) -> set[str]:
    files: set[str] = set()
    for e in records["events"]:
        for ev in list(e.get("evidence") or []) + list((e.get("data") or {}).get("evidence") or []):
            if isinstance(ev, dict) and ev.get("file"):
                files.add(ev["file"])
    return files


def read_bundle(path: Path) -> tuple[dict[str, Any], dict[str, list[dict[str, Any]]], zipfile.ZipFile]:
    try:
        z = zipfile.ZipFile(path)
        meta = json.loads(z.read("bundle.json"))
        if meta.get("format") != BUNDLE_FORMAT:
            raise ValueError("not an inspect-cli bundle")
        if meta.get("version", 0) > BUNDLE_VERSION:
            raise ValidationFailed(f"{path} was written by a newer inspect-cli (bundle version {meta['version']}); upgrade")
        records = {t: [json.loads(line) for line in z.read(f"{t}.jsonl").decode("utf-8").splitlines() if line.strip()]
                   for t in TABLES}
    except (zipfile.BadZipFile, KeyError, ValueError, OSError) as e:
        raise ValidationFailed(f"{path} is not a readable inspect-cli bundle ({e}); nothing was imported") from None
    return meta, records, z


def merge(store: Store, records: dict[str, list[dict[str, Any]]], today: dt.date) -> dict[str, Any]:
    """Merge a bundle's records; returns what was added and the conflicts. Never loses a side."""
    _verify_incoming(records)
    report: dict[str, Any] = {"added": {t: 0 for t in TABLES}, "extended": 0, "conflicts": []}
    for table in ("sites", "inspections", "draws"):
        _merge_plain(store, table, records[table], report)
    by_subject: dict[str, list[dict[str, Any]]] = {}
    for e in records["events"]:
        by_subject.setdefault(e["subject"], []).append(e)
    local = _local_events(store, set(by_subject))
    for hid, incoming in sorted(by_subject.items()):
        _merge_hazard(store, hid, sorted(incoming, key=lambda e: e["seq"]), local.get(hid, []), report, today)
    return report


def _local_events(store: Store, subjects: set[str]) -> dict[str, list[dict[str, Any]]]:
    """This ledger's events of the bundle's hazards, grouped, in as few reads as possible."""
    if len(subjects) <= 200:  # a small bundle: indexed look-ups
        return {hid: history.events_of(store, hid) for hid in subjects}
    grouped: dict[str, list[dict[str, Any]]] = {}
    for e in store.find("events"):  # one pass, however many hazards the bundle holds
        if e.get("subject") in subjects:
            grouped.setdefault(e["subject"], []).append(e)
    for evs in grouped.values():
        evs.sort(key=lambda e: e.get("seq") or 0)
    return grouped


def _verify_incoming(records: dict[str, list[dict[str, Any]]]) -> None:
    by_subject: dict[str, list[dict[str, Any]]] = {}
    for e in records["events"]:
        by_subject.setdefault(e.get("subject", "?"), []).append(e)
    problems: list[str] = []
    for h in records["hazards"]:
        problems += history.verify_chain(h, sorted(by_subject.get(h["id"], []), key=lambda e: e.get("seq", 0)),
                                         lifecycle.replay)
    if problems:
        raise IntegrityError("the bundle's history does not verify; nothing was imported", problems)


def _merge_plain(store: Store, table: str, rows: list[dict[str, Any]], report: dict[str, Any]) -> None:
    key = "code" if table == "sites" else "id"
    for row in rows:
        mine = store.get(table, row[key])
        if mine is None:
            store.put(table, row[key], row)
            report["added"][table] += 1
        elif mine != row:
            if table == "inspections" and mine.get("status") == "in_progress" and row.get("status") == "completed":
                store.put(table, row[key], row)
                continue
            if _same_but_bookkeeping(mine, row):
                continue
            conflict_id = f"{table}:{row[key]}:{_digest(row)}"
            if store.get("conflicts", conflict_id) is None:
                store.put("conflicts", conflict_id, {"id": conflict_id, "table": table, "record": row[key], "theirs": row})
                report["conflicts"].append({"table": table, "id": row[key], "message":
                                            f"{table[:-1]} {row[key]} differs between the ledgers; kept this ledger's "
                                            f"copy and stored the other as conflict {conflict_id}"})


def _digest(row: dict[str, Any]) -> str:
    import hashlib

    return hashlib.sha256(json.dumps(row, sort_keys=True, ensure_ascii=False).encode()).hexdigest()[:12]


def _same_but_bookkeeping(a: dict[str, Any], b: dict[str, Any]) -> bool:
    skip = {"added"}
    return {k: v for k, v in a.items() if k not in skip} == {k: v for k, v in b.items() if k not in skip}


def _merge_hazard(store: Store, hid: str, incoming: list[dict[str, Any]], local: list[dict[str, Any]],
                  report: dict[str, Any], today: dt.date) -> None:
    local_ids = [e["id"] for e in local]
    theirs = [e["id"] for e in incoming]
    if theirs[: len(local_ids)] == local_ids:  # theirs extends ours (or is new): append
        extra = incoming[len(local_ids):]
        if not extra:
            return
        for e in extra:
            store.put("events", e["id"], e)
        state = lifecycle.replay(local + extra)
        state["head"], state["events"] = extra[-1]["hash"], extra[-1]["seq"]
        store.put("hazards", hid, state)
        report["added"]["events"] += len(extra)
        if local:
            report["extended"] += 1
        else:
            report["added"]["hazards"] += 1
        return
    if local_ids[: len(theirs)] == theirs:  # we are ahead: nothing new
        return
    common = next((n for n, (a, b) in enumerate(zip(local_ids, theirs)) if a != b), min(len(local_ids), len(theirs)))
    diverged = incoming[common:]
    conflict_id = f"{hid}:{diverged[0]['hash'][:16]}"
    if store.get("conflicts", conflict_id) is None:
        store.put("conflicts", conflict_id, {"id": conflict_id, "hazard": hid, "found": today.isoformat(),
                                             "local_head": local[-1]["hash"] if local else "", "their_events": diverged})
        report["conflicts"].append({"table": "hazards", "id": hid, "message":
                                    f"hazard {hid} was changed on both ledgers after event {common}: kept this ledger's "
                                    f"history and stored the other's {len(diverged)} event(s) as conflict {conflict_id}"})


def copy_evidence(z: zipfile.ZipFile, evidence_dir: Path) -> int:
    copied = 0
    for name in z.namelist():
        if name.startswith("evidence/") and not name.endswith("/"):
            target = evidence_dir / name[len("evidence/"):]
            if ".." in Path(name).parts or target.exists():
                continue
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(z.read(name))
            copied += 1
    return copied
