"""Bundles for merging ledgers from many laptops: export, and a checked, idempotent import.

A bundle is a zip file: ``bundle.json`` (what it is), one JSON-lines file per table,
``settings.json`` (the organisation's ``org.*`` settings) and the evidence files as
``evidence/ab/<sha256><.ext>``. Nothing else may be in it.

A bundle is untrusted input. Before anything is written, :func:`check_members` checks every
member name against that layout (no absolute paths, empty segments, ``..``, drive letters,
backslashes, symlinks or devices) and every evidence file's bytes against its name;
:func:`check_records` checks every record, and :func:`plan` replays each hazard's whole
history (this ledger's events and the bundle's together). Any failure refuses the whole
bundle, naming the record, and the ledger is left byte-identical.

Hazards merge as sets of events: both sides' events are kept, and the hazard is the replay
of the main line that :func:`history.main_line` picks from the events alone. So two ledgers
that exchange bundles end with the same events and the same hazards whatever the order of
the imports; where both sides changed a hazard, the other branch is a conflict
(``inspect conflicts``) that travels with the events.

``inspect export`` and ``inspect import`` run these checks and this merge in bounded memory,
a page and a batch of hazards at a time (:mod:`.stream`); :func:`merge` itself takes a bundle
held in memory (``inspect sync``'s, which is what one ledger lacks of another).
"""
from __future__ import annotations

import datetime as dt
import json
import re
import stat
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Iterator, Optional

from .. import evidence as ev
from ..hazard import history, lifecycle
from ..case import sync as case_sync
from ..errors import IntegrityError, ValidationFailed
from ..ids import ID_PATTERN
from ..storage.interface import Store

BUNDLE_FORMAT = "inspect-cli-bundle"
BUNDLE_VERSION = 2  # 2: documents.jsonl and settings.json; evidence/ab/<sha256><.ext> only
# cases / case_events: administrative cases (inspect_cli/case/sync.py), absent from older bundles
TABLES = ("sites", "inspections", "hazards", "events", "draws", "documents", "cases", "case_events")
REQUIRED = ("sites", "inspections", "hazards", "events", "draws")  # version 1 bundles have no documents
# A records member is read line by line and staged on disk, never whole in memory: the limit
# only keeps a hostile bundle from filling the disk. A city's year is ~2 GB of inspections.
MAX_RECORDS_BYTES = 16 * 1024 ** 3
MAX_WHOLE_MEMBER_BYTES = 64 * 1024 ** 2  # bundle.json, settings.json: read whole
MAX_LINE_BYTES = 64 * 1024 ** 2  # one record (an inspection with its answers is tens of kB)
# Records written by inspect-cli deflate 2-20 times; deflate itself stops near 1,000. A large
# member that inflates more than this is a zip bomb.
BOMB_RATIO, BOMB_FLOOR_BYTES = 200, 64 * 1024 ** 2
_EVIDENCE_MEMBER = re.compile(r"evidence/([0-9a-f]{2})/([0-9a-f]{64})((?:\.[a-z0-9]{1,10})?)\Z")
_FIXED_MEMBERS = {"bundle.json", "settings.json", *(f"{t}.jsonl" for t in TABLES)}
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}\Z")
_ID = ID_PATTERN
Record = dict[str, Any]


# export ----------------------------------------------------------------------------------------
def org_settings(store: Store) -> dict[str, Any]:
    saved = store.get("settings", "org") or {}
    return {k: v for k, v in saved.items() if k.startswith("org.")}


def _key(r: Record) -> str:
    return str(r.get("id") or r.get("code") or f"{r.get('kind')}:{r.get('subject')}")


def evidence_refs(records: dict[str, list[Record]]) -> list[tuple[str, Any]]:
    """Every evidence reference in the records, with the record that cites it."""
    out: list[tuple[str, Any]] = []
    tagged = [("hazard", e) for e in records.get("events", [])] + [("case", e) for e in records.get("case_events", [])]
    for whose, e in tagged:
        if not isinstance(e, dict):
            continue
        where = f"event {e.get('id')} of {whose} {e.get('subject')}"
        raw = e.get("data")
        data: dict[str, Any] = raw if isinstance(raw, dict) else {}
        for key, refs in (("evidence", e.get("evidence")), ("data.evidence", data.get("evidence"))):
            if refs is None:
                continue
            if not isinstance(refs, list):
                out.append((f"{where} ({key})", "not a list"))
                continue
            out += [(where, r) for r in refs]
    for rec in records.get("inspections", []):
        if not isinstance(rec, dict):
            continue
        raw_answers = rec.get("answers")
        answers: dict[str, Any] = raw_answers if isinstance(raw_answers, dict) else {}
        for key, a in answers.items():
            if isinstance(a, dict) and a.get("evidence_files") is not None:
                refs = a["evidence_files"]
                where = f"inspection {rec.get('id')} answer {key}"
                out += [(where, r) for r in refs] if isinstance(refs, list) else [(where, "not a list")]
    return out


# reading and checking a bundle ---------------------------------------------------------------------
@dataclass
class Bundle:
    path: Path
    meta: dict[str, Any]
    records: dict[str, list[Record]]
    settings: dict[str, Any]
    evidence: dict[str, zipfile.ZipInfo] = field(default_factory=dict)  # "ab/sha.ext" → member



def read_meta(z: zipfile.ZipFile, members: dict[str, zipfile.ZipInfo], path: Path) -> tuple[dict[str, Any], dict[str, Any]]:
    """``bundle.json`` (an inspect-cli bundle of a version this one reads) and ``settings.json``."""
    meta = _json_member(z, "bundle.json", path)
    if not isinstance(meta, dict) or meta.get("format") != BUNDLE_FORMAT:
        raise ValidationFailed(f"{path} is not an inspect-cli bundle; nothing was imported")
    version = meta.get("version", 0)
    if not isinstance(version, int) or version > BUNDLE_VERSION:
        raise ValidationFailed(f"{path} was written by a newer inspect-cli (bundle version {version}); upgrade")
    settings = _json_member(z, "settings.json", path) if "settings.json" in members else {}
    if not isinstance(settings, dict):
        raise ValidationFailed(f"{path}: settings.json is not a mapping; nothing was imported")
    return meta, settings


def check_members(z: zipfile.ZipFile) -> dict[str, zipfile.ZipInfo]:
    """Every member must be one the bundle layout names: refuse the bundle otherwise."""
    problems: list[str] = []
    members: dict[str, zipfile.ZipInfo] = {}
    for info in z.infolist():
        name = info.filename
        why = _member_problem(info)
        if why:
            problems.append(f"member {name!r}: {why}")
        elif name in members:
            problems.append(f"member {name!r} appears twice")
        else:
            members[name] = info
    if problems:
        raise ValidationFailed(f"{z.filename} is not a bundle inspect-cli wrote: it holds members outside the bundle "
                               "layout; nothing was imported", problems)
    return members


def _member_problem(info: zipfile.ZipInfo) -> str:
    name = info.filename
    mode = info.external_attr >> 16
    kind = stat.S_IFMT(mode)
    if kind and kind != stat.S_IFREG:
        return "a symlink, folder or device, not a plain file"
    if info.is_dir():
        return "a folder entry"
    if "\\" in name or "\x00" in name:
        return "a backslash or NUL in the name"
    if name.startswith("/") or re.match(r"[A-Za-z]:", name):
        return "an absolute path"
    parts = name.split("/")
    if any(p == "" for p in parts):
        return "an empty path segment"
    if any(p in (".", "..") for p in parts):
        return "a '.' or '..' segment"
    if name in _FIXED_MEMBERS:
        return ""
    if name.startswith("evidence/"):
        m = _EVIDENCE_MEMBER.match(name)
        if not m or m.group(1) != m.group(2)[:2]:
            return "evidence must be named evidence/ab/<sha256 of its bytes><.ext>"
        if info.file_size > ev.MAX_EVIDENCE_BYTES:
            return f"evidence over {ev.MAX_EVIDENCE_BYTES // 2**20} MiB"
        return ""
    return "not part of the bundle layout (bundle.json, settings.json, <table>.jsonl, evidence/ab/<sha256>)"


def _check_size(info: zipfile.ZipInfo, path: Path, limit: int = MAX_RECORDS_BYTES) -> None:
    if info.file_size > limit:
        raise ValidationFailed(f"{path}: {info.filename} is too large; nothing was imported")
    if info.file_size > BOMB_FLOOR_BYTES and info.file_size > BOMB_RATIO * max(info.compress_size, 1):
        raise ValidationFailed(f"{path}: {info.filename} inflates {info.file_size // max(info.compress_size, 1)} "
                               f"times ({info.file_size // 2**20} MiB): a zip bomb, not records inspect-cli "
                               "wrote; nothing was imported")


def iter_rows(z: zipfile.ZipFile, info: zipfile.ZipInfo, path: Path) -> Iterator[tuple[Any, str]]:
    """Each record of a ``<table>.jsonl`` member with its line, read line by line (never the
    whole member in memory at once)."""
    _check_size(info, path)
    n = 0
    with z.open(info) as f:
        pending: list[bytes] = []  # the pieces of a line not finished yet (joined once it ends)
        held = 0
        while True:
            chunk = f.read(1 << 20)  # a megabyte at a time: ZipExtFile.readline is slow
            lines = chunk.split(b"\n")
            if chunk:
                tail = lines.pop()
            else:
                tail, lines = b"", [b""] if pending else []
            if lines and pending:
                lines[0] = b"".join(pending) + lines[0]
                pending, held = [], 0
            if tail:
                pending.append(tail)
                held += len(tail)
                if held > MAX_LINE_BYTES:
                    raise ValidationFailed(f"{path}: {info.filename} line {n + len(lines) + 1} is longer than "
                                           f"{MAX_LINE_BYTES // 2**20} MiB: not a record inspect-cli wrote; "
                                           "nothing was imported")
            for line in lines:
                n += 1
                if not line.strip():
                    continue
                try:
                    text = line.decode("utf-8").rstrip("\r")
                    yield json.loads(text), text
                except ValueError as e:
                    raise ValidationFailed(f"{path}: {info.filename} line {n} is not JSON ({e}); "
                                           "nothing was imported") from None
            if not chunk:
                return


def _read_member(z: zipfile.ZipFile, info: zipfile.ZipInfo, path: Path) -> bytes:
    _check_size(info, path, MAX_WHOLE_MEMBER_BYTES)
    with z.open(info) as f:
        data = f.read(MAX_WHOLE_MEMBER_BYTES + 1)
    if len(data) > MAX_WHOLE_MEMBER_BYTES:
        raise ValidationFailed(f"{path}: {info.filename} is too large; nothing was imported")
    return data


def _json_member(z: zipfile.ZipFile, name: str, path: Path) -> Any:
    try:
        return json.loads(_read_member(z, z.getinfo(name), path))
    except KeyError:
        raise ValidationFailed(f"{path} has no {name}; it is not an inspect-cli bundle; nothing was imported") from None
    except ValueError as e:
        raise ValidationFailed(f"{path}: {name} is not JSON ({e}); nothing was imported") from None


def check_evidence_bytes(z: zipfile.ZipFile, bundle: Bundle) -> None:
    """Each evidence file's bytes must hash to its name."""
    import hashlib

    bad = []
    for rel, info in sorted(bundle.evidence.items()):
        h, size = hashlib.sha256(), 0
        with z.open(info) as f:
            for chunk in iter(lambda: f.read(1 << 20), b""):
                size += len(chunk)
                if size > ev.MAX_EVIDENCE_BYTES:
                    break
                h.update(chunk)
        if size > ev.MAX_EVIDENCE_BYTES:
            bad.append(f"evidence/{rel}: over {ev.MAX_EVIDENCE_BYTES // 2**20} MiB")
        elif h.hexdigest() != rel.split("/")[1][:64]:
            bad.append(f"evidence/{rel}: its bytes do not hash to its name (sha256 {h.hexdigest()})")
    if bad:
        raise IntegrityError(f"{bundle.path}: evidence does not match its content hash; nothing was imported", bad)


def check_records(bundle: Bundle) -> list[str]:
    """Every incoming record well formed, every event known and hashed, every evidence
    reference addressed by hash. Problems name the record."""
    r = bundle.records
    problems: list[str] = []
    for table in ("sites", "inspections", "hazards", "events", "draws", "documents"):
        for rec in r[table]:
            problems += record_problems(table, rec)
    for where, ref in evidence_refs(r):
        problems += ev.reference_problems(ref, where)
    problems += case_sync.verify_incoming(r)
    for key, value in bundle.settings.items():
        if not (isinstance(key, str) and key.startswith("org.")) or not isinstance(value, (str, int, float)):
            problems.append(f"setting {str(key)[:40]!r}: only org.* settings with plain values travel in bundles")
    subjects = {e.get("subject") for e in r["events"] if isinstance(e, dict)}
    for h in r["hazards"]:
        if isinstance(h, dict) and h.get("id") not in subjects:
            problems.append(f"hazard {h.get('id')}: the bundle holds no history for it")
    return problems


def record_problems(table: str, rec: Any) -> list[str]:
    """The checks of :func:`check_records` that need only the record itself (cases and their
    events are checked a whole case at a time: :func:`.case.sync.verify_incoming`)."""
    if table == "sites":
        return _site_problems(rec)
    if table == "inspections":
        return _inspection_problems(rec)
    if table == "hazards":
        if not isinstance(rec, dict) or not isinstance(rec.get("id"), str) or not _ID.match(rec["id"]):
            return [f"hazard {_show(rec)}: not a hazard record"]
        return []
    if table == "events":
        return _event_problems(rec)
    if table == "draws":
        return _draw_problems(rec)
    if table == "documents":
        return _document_problems(rec)
    return []


def _site_problems(s: Any) -> list[str]:
    if not isinstance(s, dict) or not isinstance(s.get("code"), str) or not s["code"].strip():
        return [f"site {_show(s)}: not a site record (no code)"]
    if not isinstance(s.get("name"), str):
        return [f"site {s['code']}: has no name"]
    problems = _shape_problems(f"site {s['code']}", s, _SITE_TEXT)
    attrs = s.get("attributes")
    if attrs is not None and not (isinstance(attrs, dict) and all(
            isinstance(k, str) and isinstance(v, (str, int, float, bool, type(None))) for k, v in attrs.items())):
        problems.append(f"site {s['code']}: attributes must be a mapping of names to plain values")
    return problems


def _show(x: Any) -> str:
    return repr(x)[:60]


def _is_date(v: Any) -> bool:
    if not isinstance(v, str) or not _DATE.match(v):
        return False
    try:
        dt.date.fromisoformat(v)
    except ValueError:
        return False
    return True


def _inspection_problems(i: Any) -> list[str]:
    if not isinstance(i, dict) or not isinstance(i.get("id"), str) or not _ID.match(i["id"]):
        return [f"inspection {_show(i)}: not an inspection record"]
    out = []
    label = f"inspection {i['id']}"
    if not isinstance(i.get("site"), str):
        out.append(f"{label}: names no site")
    if not _is_date(i.get("date")):
        out.append(f"{label}: date {i.get('date')!r} is not a date (YYYY-MM-DD)")
    if i.get("status") not in ("in_progress", "completed"):
        out.append(f"{label}: status {i.get('status')!r} is not in_progress or completed")
    if not isinstance(i.get("answers", {}), dict):
        out.append(f"{label}: its answers are not a mapping")
    if not isinstance(i.get("hazards", []), list) or not all(isinstance(h, str) for h in i.get("hazards", [])):
        out.append(f"{label}: its hazard list is not a list of ids")
    out += _shape_problems(label, i, _INSPECTION_TEXT)
    if not isinstance(i.get("checklist_version", 1), (int, str)) or isinstance(i.get("checklist_version"), bool):
        out.append(f"{label}: checklist_version is not a version")
    people = i.get("inspectors", [])
    if not isinstance(people, list) or not all(isinstance(p, dict) and all(isinstance(v, str) for v in p.values())
                                               for p in people):
        out.append(f"{label}: inspectors must be a list of {{name, cert}}")
    units = i.get("units", {})
    if not isinstance(units, dict) or not all(isinstance(v, list) and all(isinstance(u, str) for u in v)
                                              for v in units.values()):
        out.append(f"{label}: units must map each section to a list of unit names")
    if not isinstance(i.get("ignored", []), list):
        out.append(f"{label}: ignored is not a list")
    answers = i.get("answers", {})
    for key, a in (answers.items() if isinstance(answers, dict) else []):
        if not isinstance(a, dict):
            out.append(f"{label} answer {str(key)[:40]}: not an answer record")
        else:
            out += _shape_problems(f"{label} answer {str(key)[:40]}", a, _ANSWER_TEXT)
    return out


_SITE_TEXT = ("address", "region", "contact", "phone", "industry", "risk_class", "added")
_INSPECTION_TEXT = ("site_name", "checklist", "checklist_title", "domain", "kind", "started_at", "finished_at")
_ANSWER_TEXT = ("outcome",)  # the rest is what the inspector typed (YAML may make it a number)


def _shape_problems(label: str, rec: dict[str, Any], text_fields: tuple[str, ...]) -> list[str]:
    """Fields that later commands read as text must be text (or absent / null)."""
    return [f"{label}: {k} must be text, not {type(rec[k]).__name__}" for k in text_fields
            if rec.get(k) is not None and not isinstance(rec[k], str)]


_EVENT_FIELDS: dict[str, type | tuple[type, ...]] = {
    "id": str, "subject": str, "seq": int, "type": str, "date": str, "at": str, "actor": str, "data": dict,
    "note": str, "evidence": list, "prev": str, "hash": str}


def _event_problems(e: Any) -> list[str]:
    if not isinstance(e, dict):
        return [f"event {_show(e)}: not an event record"]
    label = f"event {str(e.get('id'))[:20]} of hazard {str(e.get('subject'))[:20]}"
    out = []
    for k, t in _EVENT_FIELDS.items():
        if not isinstance(e.get(k), t) or isinstance(e.get(k), bool):
            out.append(f"{label}: field {k} is missing or not a {getattr(t, '__name__', t)}")
    extra = sorted(set(e) - set(_EVENT_FIELDS))
    if extra:
        out.append(f"{label}: unknown field(s) {', '.join(map(str, extra))}")
    if out:
        return out
    if not _ID.match(e["id"]) or not _ID.match(e["subject"]):
        out.append(f"{label}: its id or hazard id is not an inspect-cli id")
    if e["type"] not in lifecycle.EVENT_TYPES:
        out.append(f"{label}: unknown event type {e['type']!r} (known: {', '.join(lifecycle.EVENT_TYPES)})")
    if not _is_date(e["date"]):
        out.append(f"{label}: date {e['date']!r} is not a date (YYYY-MM-DD)")
    if e["hash"] != history.event_hash(e):
        out.append(f"{label} ({e['type']}, {e['date']}): its hash does not match its content (changed after it "
                   "was recorded, or made up)")
    if e["type"] == "registered" and e["data"].get("id") != e["subject"]:
        out.append(f"{label}: registers a different hazard ({e['data'].get('id')!r})")
    return out


def _draw_problems(d: Any) -> list[str]:
    from ..site.sampling import digest

    if not isinstance(d, dict) or not isinstance(d.get("id"), str):
        return [f"draw {_show(d)}: not a draw record"]
    if digest(d) != d.get("sha256"):
        return [f"draw {d['id']}: its sha256 does not match its content"]
    return []


def _numbered_kinds() -> frozenset[str]:
    from ..settings import DEFAULTS

    return frozenset(k[len("docno."):] for k in DEFAULTS if k.startswith("docno."))


_NUMBERED_KINDS = _numbered_kinds()


def _document_problems(d: Any) -> list[str]:
    if not isinstance(d, dict):
        return [f"document {_show(d)}: not a document record"]
    label = f"document {d.get('kind')}:{d.get('subject')}"
    out = []
    if not all(isinstance(d.get(k), str) and d.get(k) for k in ("kind", "subject", "number")):
        out.append(f"{label}: needs kind, subject and number")
    elif not _ID.match(d["subject"]):
        # the subject is an inspection's or a case's id; anything else would land on another
        # row of the table (a correction's KIND:SUBJECT@N, a counter) and forge its chain
        out.append(f"{label}: subject {d['subject'][:40]!r} is not an inspection or case id")
    if not isinstance(d.get("year"), int) or not isinstance(d.get("seq"), int) or isinstance(d.get("seq"), bool):
        out.append(f"{label}: year and seq must be numbers")
    elif d["seq"] < 1 or not 1900 <= d["year"] <= 9999:
        out.append(f"{label}: seq {d['seq']} / year {d['year']} is not a document number's")
    if d.get("kind") not in _NUMBERED_KINDS:
        # a kind of its own would land on other keys of the table (the counters, "seq:KIND:YEAR")
        out.append(f"{label}: kind {str(d.get('kind'))[:20]!r} is not a numbered document "
                   f"({', '.join(sorted(_NUMBERED_KINDS))})")
    if not _is_date(d.get("date")):
        out.append(f"{label}: date {d.get('date')!r} is not a date")
    return out


# merging -----------------------------------------------------------------------------------------------
def merge(store: Store, bundle: Bundle, today: dt.date, checked: bool = False) -> dict[str, Any]:
    """Check the bundle against this ledger and merge it; raises (changing nothing) on any
    problem. Returns what was added, the conflicts found and the settings that differ.
    ``checked``: :func:`check_records` already passed (before the lock was taken)."""
    problems = [] if checked else check_records(bundle)
    if problems:
        raise IntegrityError(f"{bundle.path}: the bundle does not verify; nothing was imported", problems)
    records = bundle.records
    report: dict[str, Any] = {"added": {t: 0 for t in TABLES}, "extended": 0, "conflicts": [], "settings": [],
                              "evidence": 0}
    by_subject: dict[str, dict[str, Record]] = {}
    for e in records["events"] + _legacy_branches(store):
        by_subject.setdefault(e["subject"], {})[e["id"]] = e
    local = _local_events(store, set(by_subject))
    hazard_plans = []
    for hid, incoming in sorted(by_subject.items()):
        mine = local.get(hid, [])
        hazard_plans.append(_plan_hazard(hid, incoming, mine, problems))
    doc_conflicts: list[tuple[str, Record]] = []
    doc_plan = _plan_documents(store, records["documents"], problems, doc_conflicts)
    problems += case_sync.merge_problems(store, records)
    if problems:
        raise IntegrityError(f"{bundle.path}: the bundle's history does not verify against this ledger; "
                             "nothing was imported", problems)
    for table in ("sites", "inspections", "draws"):
        _merge_plain(store, table, records[table], report)
    for plan in hazard_plans:
        if plan is not None:
            _apply_hazard(store, plan, report)
    case_sync.merge(store, records, today, report)
    report["settings"] = _merge_settings(store, bundle.settings)  # first: the counters follow the series
    for key, doc in doc_plan:
        store.put("documents", key, doc)
        report["added"]["documents"] += 1
    _bump_counters(store, [d for _, d in doc_plan])
    _document_conflicts(store, doc_conflicts, report)
    return report


def _document_conflicts(store: Store, doc_conflicts: list[tuple[str, Record]], report: dict[str, Any]) -> None:
    for key, theirs in doc_conflicts:
        conflict_id = f"documents:{key}:{_digest(theirs)}"
        if store.get("conflicts", conflict_id) is None:
            kept = store.get("documents", key) or {}
            store.put("conflicts", conflict_id, {"id": conflict_id, "table": "documents", "record": key,
                                                 "theirs": theirs})
            report["conflicts"].append({"table": "documents", "id": key, "conflict": conflict_id, "message":
                                        f"document {key} was issued on both laptops: {kept.get('number')} here, "
                                        f"{theirs['number']} there; kept this ledger's and stored the other as "
                                        f"conflict {conflict_id}"})


def _legacy_branches(store: Store) -> list[Record]:
    """The other side's events that inspect-cli before bundle version 2 kept only in its
    ``conflicts`` table: merged into the hazards' histories (the records stay as they are)."""
    out = []
    # only the fields read here: a record conflict holds a whole copy of the other side's record
    for rec in store.find("conflicts", fields=("table", "hazard", "their_events")):
        if "table" in rec or "hazard" not in rec or not isinstance(rec.get("their_events"), list):
            continue
        out += [e for e in rec["their_events"] if not _event_problems(e)]
    return out


def _local_events(store: Store, subjects: set[str]) -> dict[str, list[Record]]:
    """This ledger's events (every branch) of the bundle's hazards, in as few reads as possible."""
    if len(subjects) <= 200:  # a small bundle: indexed look-ups
        return {hid: history.all_events_of(store, hid) for hid in subjects}
    grouped: dict[str, list[Record]] = {}
    for e in store.find("events"):  # one pass, however many hazards the bundle holds
        if e.get("subject") in subjects:
            grouped.setdefault(e["subject"], []).append(e)
    return grouped


@dataclass
class _HazardPlan:
    hid: str
    new: list[Record]
    state: Record
    had: int
    before: list[str]
    after: list[dict[str, Any]]


def _plan_hazard(hid: str, incoming: dict[str, Record], mine: list[Record], problems: list[str]) -> Optional[_HazardPlan]:
    known = {e["id"]: e for e in mine if isinstance(e, dict) and "id" in e}
    new = []
    for eid, e in sorted(incoming.items()):
        if eid in known:
            if known[eid].get("hash") != e["hash"]:
                problems.append(f"event {eid} of hazard {hid}: differs from this ledger's event of the same id")
            continue
        new.append(e)
    if not new:
        return None
    union = list(known.values()) + new
    line = history.main_line(union)
    try:
        state = lifecycle.replay(line)
    except Exception as exc:  # noqa: BLE001 - bad data in an event: a problem, not a crash
        problems.append(f"hazard {hid}: its history cannot be replayed ({exc!r}); nothing was imported")
        return None
    state["head"], state["events"], state["head_date"] = ((line[-1]["hash"], line[-1]["seq"], line[-1]["date"])
                                                          if line else ("", 0, ""))
    hashes = [e["hash"] for e in line]

    def replay(events: list[Record]) -> dict[str, Any]:  # the main line was just replayed: not twice
        return state if [e.get("hash") for e in events] == hashes else lifecycle.replay(events)

    found = history.verify_chain(state, union, replay, first="registered")
    if found:
        problems += found
        return None
    before = [c["id"] for c in history.conflicts(hid, list(known.values()))] if known else []
    after = history.conflicts(hid, union, line)
    return _HazardPlan(hid, new, state, len(known), before, after)


def _apply_hazard(store: Store, plan: _HazardPlan, report: dict[str, Any]) -> None:
    store.put_many("events", [(e["id"], e) for e in plan.new])
    if store.get("hazards", plan.hid) != plan.state:
        store.put("hazards", plan.hid, plan.state)
    _report_hazard(plan, report)


def _report_hazard(plan: _HazardPlan, report: dict[str, Any]) -> None:
    report["added"]["events"] += len(plan.new)
    if plan.had:
        report["extended"] += 1
    else:
        report["added"]["hazards"] += 1
    for c in plan.after:
        if c["id"] not in plan.before and c["status"] == "open":
            report["conflicts"].append({
                "table": "hazards", "id": plan.hid, "conflict": c["id"],
                "message": f"hazard {plan.hid} was changed on both ledgers after event {c['fork']}: both histories "
                           f"are kept; this ledger now shows the one recorded first, the other "
                           f"({len(c['theirs'])} event(s)) is conflict {c['id']} (inspect conflicts)"})


def _merge_plain(store: Store, table: str, rows: list[Record], report: dict[str, Any]) -> None:
    key = "code" if table == "sites" else "id"
    put: dict[str, Record] = {}  # written together at the end (a bundle may repeat a record)
    kept: dict[str, Record] = {}

    held: dict[str, Record] = {}
    if key == "id":  # one indexed query for the page instead of one per record
        ids = sorted({str(r[key]) for r in rows})
        for i in range(0, len(ids), 500):
            held.update((str(r.get("id")), r) for r in store.find(table, {"id": ("in", ids[i:i + 500])}))

    def mine_of(k: str) -> Optional[Record]:
        return put[k] if k in put else held.get(k) if key == "id" else store.get(table, k)

    for row in rows:
        mine = mine_of(row[key])
        if mine is None:
            put[row[key]] = row
            report["added"][table] += 1
        elif mine != row:
            if table == "inspections" and mine.get("status") == "in_progress" and row.get("status") == "completed":
                put[row[key]] = row
                continue
            if _same_but_bookkeeping(mine, row):
                continue
            conflict_id = f"{table}:{row[key]}:{_digest(row)}"
            if conflict_id not in kept and store.get("conflicts", conflict_id) is None:
                kept[conflict_id] = {"id": conflict_id, "table": table, "record": row[key], "theirs": row}
                report["conflicts"].append({"table": table, "id": row[key], "conflict": conflict_id, "message":
                                            f"{table[:-1]} {row[key]} differs between the ledgers; kept this ledger's "
                                            f"copy and stored the other as conflict {conflict_id}"})
    store.put_many(table, put.items())
    store.put_many("conflicts", kept.items())


def _digest(row: Record) -> str:
    import hashlib

    return hashlib.sha256(json.dumps(row, sort_keys=True, ensure_ascii=False).encode()).hexdigest()[:12]


def _same_but_bookkeeping(a: Record, b: Record) -> bool:
    skip = {"added"}
    return {k: v for k, v in a.items() if k not in skip} == {k: v for k, v in b.items() if k not in skip}


def known_numbers(store: Store) -> dict[str, tuple[Any, Any]]:
    """This ledger's document numbers: number → (kind, subject) of the document that has it."""
    numbers: dict[str, tuple[Any, Any]] = {}
    for d in store.find("documents", fields=("number", "kind", "subject")):
        if d.get("number"):
            numbers.setdefault(d["number"], (d.get("kind"), d.get("subject")))
    return numbers


def plan_document(store: Store, d: Record, numbers: dict[str, tuple[Any, Any]], seen: dict[str, tuple[Any, Any]],
                  problems: list[str], conflicts: list[tuple[str, Record]]) -> bool:
    """Whether an incoming numbered document is to be added (then its number is noted in
    ``seen``). The same document held with another number is kept as a conflict; a number this
    ledger (or the bundle) gave another document refuses the bundle."""
    key = f"{d['kind']}:{d['subject']}"
    mine = store.get("documents", key)
    if mine is not None:
        if mine.get("number") != d["number"]:
            # the same document served on both laptops: not a collision of numbers, but
            # two papers for one case; keep this ledger's, store the other as a conflict
            conflicts.append((key, d))
        return False
    clash = numbers.get(d["number"]) or seen.get(d["number"])
    if clash is not None:
        problems.append(f"document number {d['number']}: given to {d['kind']} {d['subject']} in the bundle and to "
                        f"{clash[0]} {clash[1]} in this ledger — two documents may not share "
                        "a number (give each laptop its own series: docs/reports.md)")
        return False
    seen[d["number"]] = (d["kind"], d["subject"])
    return True


def _plan_documents(store: Store, docs: list[Record], problems: list[str],
                    conflicts: list[tuple[str, Record]]) -> list[tuple[str, Record]]:
    """Documents to add (see :func:`plan_document`)."""
    numbers = known_numbers(store)
    seen: dict[str, tuple[Any, Any]] = {}
    return [(f"{d['kind']}:{d['subject']}", d) for d in docs
            if plan_document(store, d, numbers, seen, problems, conflicts)]


def _bump_counters(store: Store, docs: list[Record]) -> None:
    """After taking another laptop's documents of this ledger's own series, the next number
    follows them instead of repeating one."""
    from ..reports.docnumbers import format_number, org_code
    from ..settings import DEFAULTS

    saved = store.get("settings", "org") or {}
    settings = {**DEFAULTS, **saved}
    for d in docs:
        pattern = str(settings.get(f"docno.{d['kind']}") or "{seq}")
        if format_number(pattern, org_code(settings), d["year"], d["seq"]) != d["number"]:
            continue
        key = f"seq:{d['kind']}:{d['year']}"
        counter = store.get("documents", key) or {"kind": d["kind"], "year": d["year"], "seq": 0}
        if int(counter.get("seq") or 0) < d["seq"]:
            store.put("documents", key, dict(counter, seq=d["seq"]))


def _merge_settings(store: Store, theirs: dict[str, Any]) -> list[dict[str, Any]]:
    """org.* settings: taken where this ledger has none; a different value is reported, kept."""
    saved = dict(store.get("settings", "org") or {})
    differ, changed = [], False
    for key, value in sorted(theirs.items()):
        mine = saved.get(key)
        if mine in (None, "") and value not in (None, ""):
            saved[key] = value
            changed = True
        elif value not in (None, "") and mine != value:
            differ.append({"key": key, "mine": mine, "theirs": value,
                           "message": f"setting {key} is {mine!r} here and {value!r} in the bundle; kept {mine!r}"})
    if changed:
        store.put("settings", "org", saved)
    return differ


# evidence -----------------------------------------------------------------------------------------------
def copy_cited_evidence(z: zipfile.ZipFile, bundle: Bundle, evidence_dir: Path, cited: Callable[[str], bool]) -> int:
    """Write the bundle's evidence files for which ``cited(name)`` (the records cite them) and
    that are missing or short here: temp name, fsync, rename, each re-hashed as it is written.
    Called before the records that cite them are committed."""
    copied = 0
    for rel, info in sorted(bundle.evidence.items()):
        if not cited(rel):
            continue
        target = evidence_dir / rel
        if target.is_file() and target.stat().st_size == info.file_size:
            continue
        with z.open(info) as f:
            tmp = ev.write_temp(f, target.parent)
        if tmp[1] != rel.split("/")[1][:64]:
            ev.discard(tmp[0])
            raise IntegrityError(f"evidence/{rel} changed while it was imported; nothing was imported")
        ev.place(tmp, target)
        copied += 1
    return copied
