"""``inspect sync OTHER``: two ledgers exchange what each lacks (a laptop and the bureau, say).

Each side is summed up by a *manifest*: per table, each record's key and a fingerprint that
changes whenever the record does (a hazard's or a case's ``head``, the hash of its last event;
an inspection's status; a site's or a draw's content). Comparing the two manifests gives what
the other side lacks (pushed) and what this side lacks (pulled); a hazard or a case always
travels with its whole history. What arrives is merged by :func:`.bundle.merge`, exactly as
an imported bundle is: chains replayed and verified first (untrusted input), conflicts kept,
nothing dropped; evidence files travel with the records that name them.

Each direction is one write transaction of the receiving ledger, so a killed sync leaves
both sides consistent, and running it again completes the transfer; a sync with nothing to
do changes neither side.
"""
from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable, Optional, cast

from ..storage.interface import Store
from .bundle import TABLES, Bundle, merge, org_settings

if TYPE_CHECKING:
    from ..ledger import Ledger

Progress = Optional[Callable[[str, int, int], None]]  # (what, done, total)
KEYS = {"sites": "code"}
FINGERPRINT = {"hazards": ("head",), "cases": ("head",), "inspections": ("status",)}
ALL = TABLES
CHUNK = 500


def _digest(r: dict[str, Any]) -> str:
    return hashlib.sha256(json.dumps(r, sort_keys=True, ensure_ascii=False).encode()).hexdigest()[:16]


def manifest(store: Store) -> dict[str, dict[str, str]]:
    """``{table: {key: fingerprint}}`` of the tables that travel (events follow their hazards)."""
    out: dict[str, dict[str, str]] = {}
    out["documents"] = {f"{d['kind']}:{d['subject']}": str(d["number"]) for d in store.find("documents")
                        if "number" in d and "kind" in d and "subject" in d}  # issued documents (not counters)
    for table in ("sites", "inspections", "hazards", "draws", "cases"):
        key = KEYS.get(table, "id")
        fields = FINGERPRINT.get(table)
        if fields:
            rows = store.find(table, fields=(key,) + fields)
            out[table] = {str(r[key]): "|".join(str(r.get(f)) for f in fields) for r in rows if key in r}
        else:
            out[table] = {str(r[key]): _digest(r) for r in store.find(table) if key in r}
    return out


def lacking(mine: dict[str, dict[str, str]], theirs: dict[str, dict[str, str]]) -> dict[str, list[str]]:
    """Keys of this side's records that the other side does not hold as they are here."""
    return {t: sorted(k for k, fp in rows.items() if theirs.get(t, {}).get(k) != fp) for t, rows in mine.items()}


def gather(store: Store, keys: dict[str, list[str]]) -> dict[str, list[dict[str, Any]]]:
    """The records of ``keys`` with the histories of their hazards and cases, as a bundle holds them."""
    records: dict[str, list[dict[str, Any]]] = {t: [] for t in ALL}

    def fetch(table: str, ids: list[str], field: str) -> list[dict[str, Any]]:
        found: list[dict[str, Any]] = []
        for i in range(0, len(ids), CHUNK):
            found += store.find(table, {field: ("in", ids[i:i + CHUNK])})
        return found

    for table in ("sites", "inspections", "hazards", "draws", "cases"):
        records[table] = fetch(table, keys.get(table, []), KEYS.get(table, "id"))
    records["documents"] = [d for k in keys.get("documents", []) if (d := store.get("documents", k))]
    records["events"] = fetch("events", [h["id"] for h in records["hazards"]], "subject")
    records["case_events"] = fetch("case_events", [c["id"] for c in records["cases"]], "subject")
    hazard_sites = {str(h.get("site")) for h in records["hazards"] + records["inspections"]}
    have = {s["code"] for s in records["sites"]}
    records["sites"] += fetch("sites", sorted(hazard_sites - have), "code")  # a hazard arrives with its site
    return records


def transfer(source: "Ledger", target: "Ledger", keys: dict[str, list[str]], what: str,
             progress: Progress = None) -> dict[str, Any]:
    """Merge ``keys`` of ``source`` into ``target`` (one write transaction of ``target``)."""
    from ..storage.evidence import names_in

    if not any(keys.values()):
        return {"added": {t: 0 for t in ALL}, "extended": 0, "conflicts": [], "settings": [], "evidence": 0}
    with source.read() as st:
        records = gather(st, keys)
        settings = org_settings(st)
    total = sum(len(v) for v in records.values())
    if progress:
        progress(what, 0, total)
    names = names_in(records["events"] + records["case_events"] + records["inspections"])
    folder = source.evidence_folder(records["events"] + records["case_events"] + records["inspections"])
    copied = _stage_evidence(folder, names, target)
    with target.write() as st:
        bundle = Bundle(Path(f"the {what} from {source.location}"), {"ledger": source.location},
                        records, settings)
        report = merge(cast(Store, _Scoped(st, {e["subject"] for e in records["events"]})), bundle,
                       target.clock.today)
        if any(report["added"].values()) or report["extended"] or report["conflicts"]:
            st.put("imports", f"sync|{target.clock.now()}|{source.location}", {
                "sync": source.location, "date": target.clock.today.isoformat(),
                "added": report["added"], "conflicts": len(report["conflicts"])})
    if progress:
        progress(what, total, total)
    report["evidence"] = copied
    return report


class _Scoped:
    """The target store as the merge sees it: "every event" means every event of the hazards
    being merged (read by index), not the whole table, which at the bureau is a city's year."""

    def __init__(self, store: Store, subjects: set[str]) -> None:
        self._store = store
        self._subjects = sorted(subjects)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._store, name)

    def find(self, table: str, where: Optional[dict[str, Any]] = None, **kw: Any) -> list[dict[str, Any]]:
        if table == "events" and not where and not kw:
            out: list[dict[str, Any]] = []
            for i in range(0, len(self._subjects), CHUNK):
                out += self._store.find("events", {"subject": ("in", self._subjects[i:i + CHUNK])})
            return out
        return self._store.find(table, where, **kw)


def _stage_evidence(folder: Path, names: list[str], target: "Ledger") -> int:
    """Evidence files the target lacks, into its folder (a database ledger stores them with the
    merge); a file whose bytes do not match its content name is refused, as in a bundle."""
    from .. import evidence as ev
    from ..errors import IntegrityError
    from ..storage.evidence import CONTENT_NAME

    out = target.evidence_dir
    n = 0
    for name in names:
        src, dst = folder / name, out / name
        if not CONTENT_NAME.match(name) or not src.is_file() or (dst.is_file() and dst.stat().st_size == src.stat().st_size):
            continue
        with open(src, "rb") as f:
            tmp = ev.write_temp(f, dst.parent)
        if tmp[1] != name.split("/")[-1][:64]:
            ev.discard(tmp[0])
            raise IntegrityError(f"evidence {name} of {folder} does not match its content hash; nothing was synced")
        ev.place(tmp, dst)
        n += 1
    return n


def sync(here: "Ledger", there: "Ledger", progress: Progress = None) -> dict[str, Any]:
    """Push what ``there`` lacks, then pull what ``here`` lacks; the counts of both directions."""
    mine, theirs = _manifest_of(here), _manifest_of(there)
    push_keys = lacking(mine, theirs)
    pull_keys = lacking(theirs, mine)
    pushed = transfer(here, there, push_keys, "push", progress)
    pulled = transfer(there, here, pull_keys, "pull", progress)
    return {"ledger": here.location, "other": there.location,
            "pushed": _counts(pushed), "pulled": _counts(pulled),
            "conflicts": [c["message"] for c in pushed["conflicts"] + pulled["conflicts"]]}


def _manifest_of(ledger: "Ledger") -> dict[str, dict[str, str]]:
    """A ledger's manifest; a ledger not created yet holds nothing (its first merge creates it)."""
    if not ledger.exists():
        return {}
    with ledger.read() as st:
        return manifest(st)


def _counts(report: dict[str, Any]) -> dict[str, int]:
    added = {t: int(n) for t, n in report["added"].items()}
    return dict(added, extended=int(report["extended"]), conflicts=len(report["conflicts"]),
                evidence=int(report.get("evidence", 0)))
