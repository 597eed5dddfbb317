"""Seals: the case record (执法案卷) pinned outside the ledger file.

A seal is a small JSON file holding one line per sealed record — its kind, its id and the
sha256 of its canonical JSON — in append order, with the date, the counts and a ``digest``:
the sha256 of those lines. The sealed records are every event (every branch of every
hazard), every completed inspection with its answers, every site and every issued document
number, and every event of every administrative case. Hazards and cases are not sealed
themselves: each is the replay of its events, which ``inspect verify`` checks.

``inspect verify --seal FILE`` recomputes the hash of every sealed record in the ledger as
it is now: a record removed or changed since is named, and a ledger swapped for another,
internally consistent history fails too, since its records are not the sealed ones. A
later ledger extends a seal when every sealed line is still there; new records are fine.
The digest printed on paper (bulletin, documents) pins the seal file itself.
"""
from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any, Iterable, Optional

from ..errors import IntegrityError, ValidationFailed
from ..storage.interface import Store

SEAL_FORMAT = "inspect-cli-seal"
SEAL_VERSION = 1
KINDS = ("site", "inspection", "event", "case_event", "document")
Leaf = tuple[str, str, str]


def record_hash(record: Any) -> str:
    return hashlib.sha256(json.dumps(record, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
                          .encode("utf-8")).hexdigest()


def _documents(store: Store) -> list[dict[str, Any]]:
    return [d for d in store.find("documents") if d.get("number") and d.get("kind") and d.get("subject")]


def leaves(store: Store) -> list[Leaf]:
    """``(kind, id, sha256)`` of every sealed record, in append order (sites and inspections
    by date, events by their recording time, documents by date), ties by id."""
    out: list[tuple[str, str, Leaf]] = []
    for s in store.find("sites"):
        out.append((str(s.get("added") or ""), "0", ("site", str(s.get("code")), record_hash(s))))
    for i in store.find("inspections", {"status": "completed"}):
        out.append((str(i.get("finished_at") or i.get("date") or ""), "1", ("inspection", str(i["id"]), record_hash(i))))
    for e in store.find("events"):
        # "hazard/event": a removed event still names its hazard
        out.append((str(e.get("at") or e.get("date") or ""), "2",
                    ("event", f"{e.get('subject')}/{e['id']}", record_hash(e))))
    for e in store.find("case_events"):  # a case (行政处罚案件) is the replay of its events, like a hazard
        out.append((str(e.get("at") or e.get("date") or ""), "2",
                    ("case_event", f"{e.get('subject')}/{e['id']}", record_hash(e))))
    for d in _documents(store):
        out.append((str(d.get("date") or ""), "3", ("document", f"{d['kind']}:{d['subject']}", record_hash(d))))
    out.sort(key=lambda t: (t[0], t[1], t[2][1]))
    return [leaf for _, _, leaf in out]


def digest_of(items: Iterable[Leaf]) -> str:
    h = hashlib.sha256()
    for kind, rid, sha in items:
        h.update(f"{kind}\t{rid}\t{sha}\n".encode("utf-8"))
    return h.hexdigest()


def seal_digest(store: Store) -> str:
    """The digest a seal of this ledger would carry now (printed on the monthly bulletin)."""
    return digest_of(leaves(store))


def head_hashes(hazards: Iterable[dict[str, Any]]) -> str:
    """The digest of what a document states about its hazards: sha256 over ``id:head``
    of each, by id. An order or review prints it; it pins those hazards' histories."""
    h = hashlib.sha256()
    for hz in sorted(hazards, key=lambda x: str(x.get("id"))):
        h.update(f"{hz.get('id')}:{hz.get('head', '')}\n".encode("utf-8"))
    return h.hexdigest()


def make(store: Store, date: str, at: str, ledger: str) -> dict[str, Any]:
    items = leaves(store)
    counts = {k: sum(1 for leaf in items if leaf[0] == k) for k in KINDS}
    return {"format": SEAL_FORMAT, "version": SEAL_VERSION, "date": date, "sealed_at": at, "ledger": ledger,
            "counts": counts, "digest": digest_of(items), "records": [list(leaf) for leaf in items]}


def write(seal: dict[str, Any], out: Path) -> None:
    from ..storage.files import atomic_write_bytes

    out.parent.mkdir(parents=True, exist_ok=True)
    atomic_write_bytes(out, (json.dumps(seal, ensure_ascii=False, indent=0) + "\n").encode("utf-8"))


def read(path: Path) -> dict[str, Any]:
    try:
        seal = json.loads(Path(path).read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ValidationFailed(f"there is no seal file {path}") from None
    except (OSError, ValueError, UnicodeDecodeError) as e:
        raise ValidationFailed(f"{path} is not a readable seal ({e})") from None
    if not isinstance(seal, dict) or seal.get("format") != SEAL_FORMAT:
        raise ValidationFailed(f"{path} is not an inspect-cli seal (inspect seal --out FILE writes one)")
    if not isinstance(seal.get("version"), int) or seal["version"] > SEAL_VERSION:
        raise ValidationFailed(f"{path} was written by a newer inspect-cli (seal version {seal.get('version')}); upgrade")
    recs = seal.get("records")
    if not isinstance(recs, list) or not all(isinstance(r, list) and len(r) == 3 and all(isinstance(x, str) for x in r)
                                             for r in recs):
        raise IntegrityError(f"{path}: the seal's record list was edited (not kind, id, sha256 lines)",
                             [f"seal {path}: its record list is malformed"])
    return seal


def _current(store: Store, kind: str, rid: str) -> Optional[Any]:
    if kind == "site":
        return store.get("sites", rid)
    if kind == "inspection":
        return store.get("inspections", rid)
    if kind == "event":
        return store.get("events", rid.rpartition("/")[2])
    if kind == "case_event":
        return store.get("case_events", rid.rpartition("/")[2])
    if kind == "document":
        return store.get("documents", rid)
    return None


def check(store: Store, seal: dict[str, Any], path: Path, expected_digest: Optional[str] = None) -> dict[str, Any]:
    """Every sealed record still present and unchanged: ``{digest, date, checked, problems}``."""
    items = [(str(r[0]), str(r[1]), str(r[2])) for r in seal["records"]]
    problems: list[str] = []
    digest = digest_of(items)
    if digest != seal.get("digest"):
        problems.append(f"seal {path}: its records do not hash to its digest {str(seal.get('digest'))[:16]}… "
                        "(the seal file was edited)")
    if expected_digest and not digest.startswith(expected_digest.strip().lower()):
        problems.append(f"seal {path}: its digest {digest[:16]}… is not the one given ({expected_digest}): "
                        "a different seal")
    removed = changed = 0
    now = {(kind, rid): sha for kind, rid, sha in leaves(store)}  # one read of each table
    for kind, rid, sha in items:
        current = now.get((kind, rid))
        if current == sha:
            continue
        label = _label(kind, rid, _current(store, kind, rid))
        if current is None:
            removed += 1
            problems.append(f"{label}: sealed on {seal.get('date')} but no longer in the ledger (removed)")
        else:
            changed += 1
            problems.append(f"{label}: changed since the seal of {seal.get('date')}")
    sealed = {(kind, rid) for kind, rid, _ in items}
    added = {k: 0 for k in KINDS}
    for kind, rid in now:
        if (kind, rid) not in sealed:
            added[kind] = added.get(kind, 0) + 1
    return {"digest": digest, "date": seal.get("date"), "checked": len(items), "removed": removed,
            "changed": changed, "added": added, "problems": problems}


def _label(kind: str, rid: str, rec: Optional[dict[str, Any]]) -> str:
    if kind in ("event", "case_event"):
        subject, _, event = rid.rpartition("/")
        what = f" ({rec.get('type')}, {rec.get('date')})" if rec is not None else ""
        return f"event {event} of {'hazard' if kind == 'event' else 'case'} {subject}{what}"
    if kind == "document" and rec is not None:
        return f"document {rec.get('number')} ({rid})"
    return f"{kind} {rid}"
