"""Bundles at city scale: ``inspect export`` and ``inspect import`` in bounded memory.

**Export** writes the bundle as it reads the ledger: each table member is written into the zip
page by page (keyset paging on the record's key, so memory holds one page, never a table), and
the evidence files the records cite are listed in a small SQLite file on disk, then copied one
by one. The zip is written to a temp file beside the output and renamed into place: a failed or
killed export leaves no bundle (or the previous one). The layout is :mod:`.bundle`'s, unchanged.

**Import** never holds a bundle in memory. The bundle is *staged* into a temporary SQLite file
(deleted afterwards), every record checked as it is staged, with the checks of
:func:`.bundle.check_records`. Then, in one write transaction of the ledger, the staged
hazards are walked in batches of :data:`HAZARD_BATCH`: the staged events of those hazards (an
untrusted bundle may scatter a hazard's events anywhere in its events member) and this ledger's
events of the same hazards are replayed together, as :func:`.bundle.merge` does, and applied.
Any problem anywhere refuses the whole bundle: the transaction is rolled back and the ledger is
left byte-identical.
"""
from __future__ import annotations

import datetime as dt
import heapq
import json
import marshal
import sqlite3
import tempfile
import zipfile
import zlib
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Callable, Iterable, Iterator, Optional

from .. import evidence as ev
from ..case import sync as case_sync
from ..errors import IntegrityError, LedgerError, ValidationFailed
from ..storage.interface import Store, Where
from . import bundle as B

Record = dict[str, Any]
Advance = Optional[Callable[[int], None]]
PAGE = 2000  # records read from the ledger (or the staging file) at a time
HAZARD_BATCH = 1000  # hazards replayed and merged at a time on import
CASE_BATCH = 200  # cases checked and merged at a time on import
MAX_PROBLEMS = 10_000  # problems listed in a refusal (a hostile bundle may hold millions)
# Deflate level of the bundle's members: level 1 is several times faster than the default 6
# and records still shrink 5-10 times (any zip reader reads any level).
COMPRESS_LEVEL = 1
# Set by tests: called with the number of bundle records held in memory at once.
held_hook: Optional[Callable[[int], None]] = None


def _held(n: int) -> None:
    if held_hook is not None:
        held_hook(n)


def _nothing(n: int = 1) -> None:
    return None


# reading a ledger page by page -------------------------------------------------------------------
def pages(store: Store, table: str, key: str, where: Optional[Where] = None,
          size: Optional[int] = None) -> Iterator[list[Record]]:
    """A table's records ordered by their unique field ``key``, ``size`` at a time (keyset paging:
    each page is one :meth:`Store.find` after the last key seen)."""
    size = size or PAGE
    after = ""
    while True:
        cond: Where = dict(where or {})
        cond[key] = (">", after)
        found = store.find(table, cond, order_by=key, limit=size)
        rows = [r for r in found if isinstance(r.get(key), str)]
        if rows:
            _held(len(rows))
            yield rows
        if len(found) < size or not rows:
            return
        after = str(rows[-1][key])


def _by_ids(store: Store, table: str, ids: Iterable[str], field: str = "id",
            size: Optional[int] = None) -> Iterator[list[Record]]:
    """The records whose ``field`` is one of ``ids`` (sorted), a page of ids at a time."""
    size = size or PAGE
    chunk: list[str] = []
    for i in ids:
        chunk.append(i)
        if len(chunk) >= size:
            yield from _found(store, table, field, chunk)
            chunk = []
    if chunk:
        yield from _found(store, table, field, chunk)


def _found(store: Store, table: str, field: str, chunk: list[str]) -> Iterator[list[Record]]:
    rows = sorted(store.find(table, {field: ("in", chunk)}), key=lambda r: (str(r.get(field)), str(r.get("id"))))
    if rows:
        _held(len(rows))
        yield rows


def _documents(store: Store) -> Iterator[list[Record]]:
    """Issued documents (not the number counters), by ``kind:subject`` as a bundle lists them."""
    kinds = [k[0] for k in store.count_by("documents", ("kind",)) if isinstance(k[0], str)]
    for kind in sorted(kinds, key=lambda k: f"{k}:"):
        for rows in pages(store, "documents", "subject", {"kind": kind}):
            yield [d for d in rows if "number" in d and "kind" in d]


def _flat(groups: Iterable[list[Record]]) -> Iterator[Record]:
    for g in groups:
        yield from g


def _unique(rows: Iterable[Record], key: str) -> Iterator[Record]:
    last = None
    for r in rows:
        if r.get(key) != last:
            yield r
        last = r.get(key)


def _chunked(rows: Iterable[Record], size: Optional[int] = None) -> Iterator[list[Record]]:
    size = size or PAGE
    chunk: list[Record] = []
    for r in rows:
        chunk.append(r)
        if len(chunk) >= size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def export_tables(store: Store, since: Optional[str]) -> Iterator[tuple[str, Iterator[list[Record]]]]:
    """``(table, pages of its records)`` in the bundle's order: with ``since``, hazards changed on
    or after it (with their whole history, every branch), inspections of or after it and those
    the hazards came from, the sites they name, draws of or after it, changed cases."""
    if not since:
        yield "sites", pages(store, "sites", "code")
        for t in ("inspections", "hazards", "events", "draws"):
            yield t, pages(store, t, "id")
        yield "documents", _documents(store)
        yield "cases", pages(store, "cases", "id")
        yield "case_events", pages(store, "case_events", "id")
        return
    changed: set[str] = set()
    for rows in pages(store, "events", "id", {"date": (">=", since)}):
        changed |= {str(e["subject"]) for e in rows if "subject" in e}
    changed |= case_sync.linked_hazards(store, since)  # a case travels with its hazards
    hazard_ids = sorted(changed)
    codes: set[str] = set()
    of_hazards: set[str] = set()
    for rows in _by_ids(store, "hazards", hazard_ids):
        codes |= {str(h.get("site")) for h in rows}
        of_hazards |= {str(h["inspection"]) for h in rows if h.get("inspection")}
    for rows in pages(store, "inspections", "id", {"date": (">=", since)}):
        codes |= {str(i.get("site")) for i in rows}
    for rows in _by_ids(store, "inspections", sorted(of_hazards)):
        codes |= {str(i.get("site")) for i in rows}

    def sites() -> Iterator[list[Record]]:
        yield from _by_ids(store, "sites", sorted(codes), field="code")  # one query a page, not a get a site

    def inspections() -> Iterator[list[Record]]:
        recent = _flat(pages(store, "inspections", "id", {"date": (">=", since)}))
        older = _flat(_by_ids(store, "inspections", sorted(of_hazards)))
        yield from _chunked(_unique(heapq.merge(recent, older, key=lambda r: str(r["id"])), "id"))

    changed_cases: set[str] = set()
    for rows in pages(store, "case_events", "id", {"date": (">=", since)}):
        changed_cases |= {str(e["subject"]) for e in rows if "subject" in e}
    yield "sites", sites()
    yield "inspections", inspections()
    yield "hazards", _by_ids(store, "hazards", hazard_ids)
    yield "events", _by_ids(store, "events", hazard_ids, field="subject")
    yield "draws", pages(store, "draws", "id", {"date": (">=", since)})
    yield "documents", _documents(store)
    yield "cases", _by_ids(store, "cases", sorted(changed_cases))
    yield "case_events", _by_ids(store, "case_events", sorted(changed_cases), field="subject")


# export --------------------------------------------------------------------------------------------
class _Cited:
    """The evidence files the exported records cite, kept on disk (a city's year cites many)."""

    RANK = {"events": 0, "case_events": 1, "inspections": 2}  # whose reference names a file (as collect())

    def __init__(self, folder: Path) -> None:
        self.db = sqlite3.connect(folder / "cited.sqlite", isolation_level=None)
        self.db.execute("PRAGMA journal_mode=OFF")
        self.db.execute("PRAGMA synchronous=OFF")
        self.db.execute("CREATE TABLE cited (file TEXT PRIMARY KEY, rank INTEGER, place TEXT, ref TEXT)")

    def add(self, table: str, rows: list[Record]) -> None:
        if table not in self.RANK:
            return
        found = [(str(ref["file"]), self.RANK[table], where, json.dumps(ref, ensure_ascii=False))
                 for where, ref in B.evidence_refs({table: rows}) if isinstance(ref, dict) and ref.get("file")]
        self.db.executemany("INSERT INTO cited VALUES (?, ?, ?, ?) ON CONFLICT(file) DO UPDATE SET "
                            "rank=excluded.rank, place=excluded.place, ref=excluded.ref WHERE excluded.rank >= rank",
                            found)

    def pages(self) -> Iterator[list[tuple[str, str, Record]]]:
        after = ""
        while True:
            rows = self.db.execute("SELECT file, place, ref FROM cited WHERE file > ? ORDER BY file LIMIT ?",
                                   (after, PAGE)).fetchall()
            if not rows:
                return
            yield [(f, w, json.loads(r)) for f, w, r in rows]
            after = rows[-1][0]

    def close(self) -> None:
        self.db.close()


def export_bundle(store: Store, out: Path, meta: dict[str, Any], since: Optional[str],
                  folder_for: Callable[[list[str]], Path], refuse: Callable[[list[str]], Exception],
                  advance: Advance = None) -> dict[str, int]:
    """Write the bundle of ``store`` to ``out`` as it is read (see the module's docstring).

    ``folder_for(names)``: the folder holding those evidence files (a database ledger fetches
    them into it first). ``refuse(missing)``: the error raised, writing nothing, when cited
    evidence files are missing or changed. Returns the counts of records and evidence files."""
    from ..storage.files import atomic_writer

    advance = advance or _nothing
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="inspect-export-") as work, atomic_writer(out) as f:
        cited = _Cited(Path(work))
        try:
            counts = _write_zip(f, store, since, cited, meta, folder_for, refuse, advance)
        finally:
            cited.close()
    return counts


def _write_zip(f: Any, store: Store, since: Optional[str], cited: _Cited, meta: dict[str, Any],
               folder_for: Callable[[list[str]], Path], refuse: Callable[[list[str]], Exception],
               advance: Callable[[int], None]) -> dict[str, int]:
    counts: dict[str, int] = {}
    with zipfile.ZipFile(f, "w", zipfile.ZIP_DEFLATED, compresslevel=COMPRESS_LEVEL) as z:
        z.writestr("settings.json", json.dumps(B.org_settings(store), ensure_ascii=False, sort_keys=True, indent=1))
        for table, groups in export_tables(store, since):
            n = 0
            with z.open(f"{table}.jsonl", "w", force_zip64=True) as member:
                for rows in groups:
                    member.write("".join(json.dumps(r, ensure_ascii=False, sort_keys=True) + "\n"
                                         for r in rows).encode("utf-8"))
                    cited.add(table, rows)
                    n += len(rows)
                    advance(len(rows))
            counts[table] = n
        missing, written = [], 0
        for refs in cited.pages():
            folder = folder_for([name for name, _, _ in refs])
            for name, where, ref in refs:
                problems = ev.file_problems(folder, ref, where)
                if problems:
                    missing += problems
                elif not missing and ev.resolve(folder, ref) is not None:  # well formed, whole: it travels
                    z.write(folder / name, f"evidence/{name}")
                    written += 1
        if missing:  # a bundle must not pass for whole while photos its records cite are lost
            raise refuse(missing)
        z.writestr("bundle.json", json.dumps(dict(meta, format=B.BUNDLE_FORMAT, version=B.BUNDLE_VERSION,
                                                  counts=counts), ensure_ascii=False, indent=1))
    return {**counts, "evidence": written}


# import: staging ---------------------------------------------------------------------------------------
class Staged:
    """A bundle's records in a temporary SQLite file: one table per bundle table, rows in bundle
    order, events and case events indexed by their subject. Records are kept as ``marshal``
    bytes of what was parsed and checked (read back several times faster than JSON)."""

    def __init__(self, folder: Path) -> None:
        self.db = sqlite3.connect(folder / "bundle.sqlite", isolation_level=None)
        for pragma in ("journal_mode=OFF", "synchronous=OFF", "temp_store=FILE", "cache_size=-8000"):
            self.db.execute(f"PRAGMA {pragma}")
        self.db.execute("BEGIN")
        for t in B.TABLES + ("legacy",):
            self.db.execute(f"CREATE TABLE {t} (n INTEGER PRIMARY KEY, subject TEXT, data BLOB)")
        self.db.execute("CREATE TABLE cited (file TEXT PRIMARY KEY)")
        self.counts = {t: 0 for t in B.TABLES}

    def add(self, table: str, rows: list[tuple[Optional[str], bytes]]) -> None:
        self.db.executemany(f"INSERT INTO {table} (subject, data) VALUES (?, ?)", rows)
        if table in self.counts:
            self.counts[table] += len(rows)

    def cite(self, files: Iterable[str]) -> None:
        self.db.executemany("INSERT OR IGNORE INTO cited VALUES (?)", ((f,) for f in files))

    def finish(self) -> None:
        for t in ("events", "case_events", "cases", "legacy"):
            self.db.execute(f"CREATE INDEX {t}_subject ON {t} (subject, n)")
        self.db.execute("CREATE TABLE hids (hid TEXT PRIMARY KEY)")
        self.db.execute("INSERT OR IGNORE INTO hids SELECT subject FROM events WHERE subject IS NOT NULL "
                        "UNION SELECT subject FROM legacy")
        self.db.execute("CREATE TABLE cids (cid TEXT PRIMARY KEY)")
        self.db.execute("INSERT OR IGNORE INTO cids SELECT subject FROM case_events WHERE subject IS NOT NULL "
                        "UNION SELECT subject FROM cases WHERE subject IS NOT NULL")
        self.db.execute("COMMIT")

    def rows(self, table: str) -> Iterator[list[Record]]:
        """A staged table in bundle order, a page at a time."""
        after = 0
        while True:
            got = self.db.execute(f"SELECT n, data FROM {table} WHERE n > ? ORDER BY n LIMIT ?", (after, PAGE)).fetchall()
            if not got:
                return
            page = [marshal.loads(d) for _, d in got]
            _held(len(page))
            yield page
            after = got[-1][0]

    def keys(self, table: str, column: str, size: int) -> Iterator[list[str]]:
        after = ""
        while True:
            got = [r[0] for r in self.db.execute(f"SELECT {column} FROM {table} WHERE {column} > ? ORDER BY {column} "
                                                 "LIMIT ?", (after, size))]
            if not got:
                return
            yield got
            after = got[-1]

    def of(self, table: str, subjects: list[str]) -> list[Record]:
        """The staged records of these subjects; each subject's in bundle order."""
        out: list[Record] = []
        for i in range(0, len(subjects), 500):  # SQLite before 3.32 takes at most 999 parameters
            part = subjects[i:i + 500]
            out += [marshal.loads(d) for (d,) in self.db.execute(
                f"SELECT data FROM {table} WHERE subject IN ({','.join('?' * len(part))}) ORDER BY n", part)]
        return out

    def has_subjects(self, table: str, subjects: list[str]) -> set[str]:
        out: set[str] = set()
        for i in range(0, len(subjects), 500):
            part = subjects[i:i + 500]
            out |= {r[0] for r in self.db.execute(
                f"SELECT DISTINCT subject FROM {table} WHERE subject IN ({','.join('?' * len(part))})", part)}
        return out

    def is_cited(self, file: str) -> bool:
        return self.db.execute("SELECT 1 FROM cited WHERE file = ?", (file,)).fetchone() is not None

    def orphans(self) -> Iterator[str]:
        """Hazard records whose history the bundle does not hold."""
        for (hid,) in self.db.execute("SELECT subject FROM hazards WHERE subject IS NOT NULL AND subject NOT IN "
                                      "(SELECT subject FROM events WHERE subject IS NOT NULL) ORDER BY n"):
            yield hid

    def close(self) -> None:
        self.db.close()


class _Problems(list[str]):
    """Problems found, at most :data:`MAX_PROBLEMS` of them listed (and how many more)."""

    def __init__(self) -> None:
        super().__init__()
        self.more = 0

    def extend_capped(self, found: Iterable[str]) -> None:
        for p in found:
            if len(self) < MAX_PROBLEMS:
                self.append(p)
            else:
                self.more += 1

    def listed(self) -> list[str]:
        return list(self) + ([f"… and {self.more} more problem(s)"] if self.more else [])


def _subject(table: str, rec: Any) -> Optional[str]:
    if not isinstance(rec, dict):
        return None
    value = rec.get("id") if table in ("hazards", "cases") else rec.get("subject") if table in (
        "events", "case_events") else None
    return value if isinstance(value, str) else None


def stage(z: zipfile.ZipFile, bundle: B.Bundle, members: dict[str, zipfile.ZipInfo], staged: Staged,
          advance: Callable[[int], None]) -> _Problems:
    """Copy every table member into ``staged``, checking each record as :func:`.bundle.check_records`
    does; the problems found (the bundle is refused when there are any)."""
    problems = _Problems()
    for table in B.TABLES:
        name = f"{table}.jsonl"
        if name not in members:
            if table in B.REQUIRED:
                raise ValidationFailed(f"{bundle.path} has no {name}; nothing was imported")
            continue
        batch: list[tuple[Optional[str], bytes]] = []
        recs: list[Any] = []
        for rec, _ in B.iter_rows(z, members[name], bundle.path):
            if table != "cases" and table != "case_events":  # a case's history is checked whole below
                problems.extend_capped(B.record_problems(table, rec))
            batch.append((_subject(table, rec), marshal.dumps(rec)))
            recs.append(rec)
            if len(batch) >= PAGE:
                _stage_page(staged, table, batch, recs, problems)
                advance(len(batch))
                batch, recs = [], []
        if batch:
            _stage_page(staged, table, batch, recs, problems)
            advance(len(batch))
    for key, value in bundle.settings.items():
        if not (isinstance(key, str) and key.startswith("org.")) or not isinstance(value, (str, int, float)):
            problems.append(f"setting {str(key)[:40]!r}: only org.* settings with plain values travel in bundles")
    return problems


def _stage_page(staged: Staged, table: str, batch: list[tuple[Optional[str], bytes]], recs: list[Any],
                problems: _Problems) -> None:
    _held(len(recs))
    cited = []
    for where, ref in B.evidence_refs({table: recs}):
        found = ev.reference_problems(ref, where)
        problems.extend_capped(found)
        if not found and isinstance(ref, dict) and ref.get("file"):
            cited.append(str(ref["file"]))
    staged.cite(cited)
    staged.add(table, batch)


def check_staged(staged: Staged, problems: _Problems) -> None:
    """What needs more than one record: each case's whole history, each hazard's presence."""
    for cids in staged.keys("cids", "cid", CASE_BATCH):
        problems.extend_capped(case_sync.verify_incoming({"cases": staged.of("cases", cids),
                                                          "case_events": staged.of("case_events", cids)}))
    loose = [marshal.loads(d) for (d,) in staged.db.execute("SELECT data FROM cases WHERE subject IS NULL ORDER BY n")]
    loose_events = [marshal.loads(d) for (d,) in staged.db.execute(
        "SELECT data FROM case_events WHERE subject IS NULL ORDER BY n")]
    if loose or loose_events:
        problems.extend_capped(case_sync.verify_incoming({"cases": loose, "case_events": loose_events}))
    problems.extend_capped(f"hazard {hid}: the bundle holds no history for it" for hid in staged.orphans())


# import: merging -------------------------------------------------------------------------------------------
def merge_staged(store: Store, staged: Staged, bundle: B.Bundle, today: dt.date,
                 advance: Callable[[int], None]) -> dict[str, Any]:
    """:func:`.bundle.merge` over a staged bundle, a batch at a time, inside the caller's one
    write transaction: raises (the caller's transaction then changes nothing) on any problem."""
    problems = _Problems()
    report: dict[str, Any] = {"added": {t: 0 for t in B.TABLES}, "extended": 0, "conflicts": [], "settings": [],
                              "evidence": 0}
    doc_conflicts: list[tuple[str, Record]] = []
    doc_plan = _plan_documents(store, staged, problems, doc_conflicts)
    for cids in staged.keys("cids", "cid", CASE_BATCH):
        evs = staged.of("case_events", cids)
        named = sorted({h for e in evs if e.get("type") == "opened" for h in (e.get("data") or {}).get("hazards") or []
                        if isinstance(h, str)})
        stubs = [{"subject": h} for h in staged.has_subjects("events", named)]
        problems.extend_capped(case_sync.merge_problems(store, {"case_events": evs, "events": stubs}))
    if not problems:
        for table in ("sites", "inspections", "draws"):
            for rows in staged.rows(table):
                B._merge_plain(store, table, rows, report)
                advance(len(rows))
    legacy = B._legacy_branches(store)
    if legacy:
        staged.db.execute("BEGIN")
        staged.add("legacy", [(e["subject"], marshal.dumps(e)) for e in legacy])
        staged.db.execute("INSERT OR IGNORE INTO hids SELECT subject FROM legacy")
        staged.db.execute("COMMIT")
    for hids in staged.keys("hids", "hid", HAZARD_BATCH):
        _merge_hazards(store, staged, hids, problems, report, advance)
    if problems:
        raise IntegrityError(f"{bundle.path}: the bundle's history does not verify against this ledger; "
                             "nothing was imported", problems.listed())
    advance(staged.counts["hazards"])
    for cids in staged.keys("cids", "cid", CASE_BATCH):
        evs = staged.of("case_events", cids)
        case_sync.merge(store, {"case_events": evs}, today, report)
        advance(len(evs) + len(staged.of("cases", cids)))
    report["settings"] = B._merge_settings(store, bundle.settings)  # first: the counters follow the series
    for chunk in _chunked_ints(doc_plan):
        docs = _staged_rows(staged, "documents", chunk)
        store.put_many("documents", [(f"{d['kind']}:{d['subject']}", d) for d in docs])
        report["added"]["documents"] += len(docs)
        B._bump_counters(store, docs)
    advance(staged.counts["documents"])
    B._document_conflicts(store, doc_conflicts, report)
    return report


def _chunked_ints(ns: list[int], size: Optional[int] = None) -> Iterator[list[int]]:
    size = size or PAGE
    for i in range(0, len(ns), size):
        yield ns[i:i + size]


def _staged_rows(staged: Staged, table: str, ns: list[int]) -> list[Record]:
    """The staged records of numbers ``ns`` (a page of them), in that order."""
    marks = ",".join("?" * len(ns))
    got = dict(staged.db.execute(f"SELECT n, data FROM {table} WHERE n IN ({marks})", ns).fetchall())
    return [marshal.loads(got[n]) for n in ns if n in got]


def _plan_documents(store: Store, staged: Staged, problems: _Problems,
                    conflicts: list[tuple[str, Record]]) -> list[int]:
    """:func:`.bundle.plan_document` over the staged documents: the staged rows to add."""
    numbers = B.known_numbers(store)
    seen: dict[str, tuple[Any, Any]] = {}
    out: list[int] = []
    after = 0
    while True:
        got = staged.db.execute("SELECT n, data FROM documents WHERE n > ? ORDER BY n LIMIT ?", (after, PAGE)).fetchall()
        if not got:
            return out
        after = got[-1][0]
        for n, data in got:
            found: list[str] = []
            if B.plan_document(store, marshal.loads(data), numbers, seen, found, conflicts):
                out.append(n)
            problems.extend_capped(found)


def _merge_hazards(store: Store, staged: Staged, hids: list[str], problems: _Problems, report: dict[str, Any],
                   advance: Callable[[int], None]) -> None:
    """Replay and merge one batch of hazards: the bundle's events (wherever they were in it),
    the legacy branches, and this ledger's events of the same hazards."""
    incoming: dict[str, dict[str, Record]] = {}
    n_events = 0
    for table in ("events", "legacy"):
        for e in staged.of(table, hids):
            incoming.setdefault(e["subject"], {})[e["id"]] = e
            n_events += table == "events"
    local: dict[str, list[Record]] = {}
    for e in store.find("events", {"subject": ("in", hids)}):
        local.setdefault(e["subject"], []).append(e)
    _held(n_events + sum(len(v) for v in local.values()))
    plans = []
    for hid in hids:
        found: list[str] = []
        plan = B._plan_hazard(hid, incoming.get(hid, {}), local.get(hid, []), found)
        problems.extend_capped(found)
        if plan is not None:
            plans.append(plan)
    if not problems and plans:
        mine = {h["id"]: h for h in store.find("hazards", {"id": ("in", [p.hid for p in plans])})}
        store.put_many("events", [(e["id"], e) for p in plans for e in p.new])
        store.put_many("hazards", [(p.hid, p.state) for p in plans if mine.get(p.hid) != p.state])
        for p in plans:
            B._report_hazard(p, report)
    advance(n_events)


# import ---------------------------------------------------------------------------------------------------
@contextmanager
def _reading(path: Path) -> Iterator[None]:
    """A bundle that cannot be read (a damaged zip, a member that does not inflate) is refused."""
    try:
        yield
    except (zipfile.BadZipFile, zlib.error, UnicodeDecodeError, OSError, RuntimeError) as e:
        raise ValidationFailed(f"{path} is not a readable inspect-cli bundle ({e}); nothing was imported") from None


@contextmanager
def _opened(path: Path) -> Iterator[tuple[zipfile.ZipFile, B.Bundle, dict[str, zipfile.ZipInfo]]]:
    """The bundle's zip, its meta and settings read and its evidence checked against its names."""
    with _reading(path):
        z = zipfile.ZipFile(path)
    with z:
        with _reading(path):
            members = B.check_members(z)
            meta, settings = B.read_meta(z, members, path)
            bundle = B.Bundle(path, meta, {t: [] for t in B.TABLES}, settings,
                              {name[len("evidence/"):]: info for name, info in members.items()
                               if name.startswith("evidence/")})
            B.check_evidence_bytes(z, bundle)
        yield z, bundle, members


def bundle_records(path: Path) -> Optional[int]:
    """How many records a bundle says it holds (for a progress bar only; None if it does not say)."""
    try:
        with zipfile.ZipFile(path) as z:
            with z.open("bundle.json") as f:
                meta = json.loads(f.read(1 << 20))
        counts = meta.get("counts") if isinstance(meta, dict) else None
        if isinstance(counts, dict) and all(isinstance(v, int) and v >= 0 for v in counts.values()):
            return int(sum(counts.values()))
    except (OSError, KeyError, ValueError, zipfile.BadZipFile, RuntimeError):
        pass
    return None


def import_bundle(ledger: Any, path: Path, progress: Advance = None) -> dict[str, Any]:
    """Check and merge a bundle into ``ledger``, in bounded memory (see the module's docstring).
    ``progress(n)`` is called as records are staged, then as they are merged."""
    advance = progress or _nothing
    with _opened(path) as (z, bundle, members), tempfile.TemporaryDirectory(prefix="inspect-import-") as work:
        try:
            staged = Staged(Path(work))
        except sqlite3.Error as e:
            raise _unstaged(path, work, e) from None
        try:
            try:
                with _reading(path):
                    problems = stage(z, bundle, members, staged, advance)
                staged.finish()
                check_staged(staged, problems)
            except sqlite3.Error as e:
                raise _unstaged(path, work, e) from None
            if problems:
                raise IntegrityError(f"{path}: the bundle does not verify; nothing was imported", problems.listed())
            with ledger.write() as st:
                report = merge_staged(st, staged, bundle, ledger.clock.today, advance)
                ev.remove_stale_temps(ledger.evidence_dir)  # left by killed imports, under the lock
                report["evidence"] = B.copy_cited_evidence(z, bundle, ledger.evidence_dir, staged.is_cited)
                if any(report["added"].values()) or report["extended"] or report["conflicts"]:
                    st.put("imports", f"{bundle.meta.get('exported_at')}|{bundle.meta.get('ledger')}", {
                        "bundle": str(path), "meta": bundle.meta, "date": ledger.clock.today.isoformat(),
                        "added": report["added"], "conflicts": len(report["conflicts"])})
        finally:
            staged.close()
    return report


def _unstaged(path: Path, work: str, e: sqlite3.Error) -> LedgerError:
    """The staging file (in TMPDIR) could not be written: full, say."""
    return LedgerError(f"could not stage {path} in {work} ({e}): free space there or set TMPDIR to a roomier "
                       "folder; nothing was imported")
