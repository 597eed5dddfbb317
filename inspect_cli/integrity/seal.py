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

Memory stays bounded whatever the size of the ledger: records are read ``BATCH`` at a time,
sorted (sealing) or matched against the seal's lines (checking) in a scratch SQLite file
(:mod:`.scratch`), and the seal file is written and read piece by piece.
"""
from __future__ import annotations

import hashlib
import json
from contextlib import contextmanager
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any, Callable, Iterable, Iterator, Optional

from ..errors import IntegrityError, ValidationFailed
from ..storage.interface import Store

if TYPE_CHECKING:
    import sqlite3

SEAL_FORMAT = "inspect-cli-seal"
SEAL_VERSION = 1
KINDS = ("site", "inspection", "event", "case_event", "document")
Leaf = tuple[str, str, str]


def record_hash(record: Any) -> str:
    return hashlib.sha256(json.dumps(record, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
                          .encode("utf-8")).hexdigest()


# records read from the ledger per query while sealing or checking a seal (memory stays bounded)
BATCH = 500
# the tables whose records a seal names (what a progress bar counts)
SEALED_TABLES = ("sites", "inspections", "events", "case_events", "documents")
Advance = Callable[[int], None]


def _nothing(n: int) -> None:
    return None


def _is_sealed_document(d: Any) -> bool:
    return bool(d.get("number") and d.get("kind") and d.get("subject"))


def _document_id(key: str, d: dict[str, Any]) -> str:
    """``KIND:SUBJECT``; a correction (the row ``KIND:SUBJECT@N``) is a sealed record of its own."""
    base = f"{d['kind']}:{d['subject']}"
    return key if key.startswith(base + "@") else base


def _sealed_form(key: str, d: dict[str, Any]) -> dict[str, Any]:
    """A document as sealed: the row a later correction replaces gains ``replaced_by`` and
    nothing else (docnumbers.py), so that mark is left out and an earlier seal still holds. A
    replaced row of an older ledger (``KIND:SUBJECT~N``, moved there with the mark) is sealed
    as it is, as it always was; a row that never had the mark hashes as it always did."""
    return d if "~" in key else {k: v for k, v in d.items() if k != "replaced_by"}


def _rows(store: Store, progress: Optional[Advance] = None) -> Iterator[tuple[str, str, str, str, str]]:
    """``(at, rank, kind, id, sha256)`` of every sealed record, table by table, each table in
    insertion order, ``BATCH`` records at a time (the order :func:`leaves` sorts them from)."""
    advance = progress or _nothing
    for _, s in _each(store, "sites", advance):
        yield str(s.get("added") or ""), "0", "site", str(s.get("code")), record_hash(s)
    for _, i in _each(store, "inspections", advance):
        if i.get("status") == "completed":
            yield str(i.get("finished_at") or i.get("date") or ""), "1", "inspection", str(i["id"]), record_hash(i)
    for _, e in _each(store, "events", advance):
        # "hazard/event": a removed event still names its hazard
        yield str(e.get("at") or e.get("date") or ""), "2", "event", f"{e.get('subject')}/{e['id']}", record_hash(e)
    for _, e in _each(store, "case_events", advance):  # a case (行政处罚案件) is the replay of its events, like a hazard
        yield (str(e.get("at") or e.get("date") or ""), "2", "case_event", f"{e.get('subject')}/{e['id']}",
               record_hash(e))
    for key, d in _each(store, "documents", advance):
        if _is_sealed_document(d):
            yield str(d.get("date") or ""), "3", "document", _document_id(key, d), record_hash(_sealed_form(key, d))


def _each(store: Store, table: str, advance: Advance) -> Iterator[tuple[str, Any]]:
    from ..storage.migrate import batches

    for batch in batches(store, table, BATCH):
        yield from batch
        advance(len(batch))


def leaves(store: Store, progress: Optional[Advance] = None) -> Iterator[Leaf]:
    """``(kind, id, sha256)`` of every sealed record, in append order (sites and inspections
    by date, events by their recording time, documents by date), ties by id, then by table
    and insertion order: Python's stable sort of the records as the ledger lists them.

    A generator: the records are read ``BATCH`` at a time and sorted on disk (a scratch
    SQLite file; UTF-8 byte order is code-point order, as Python compares strings), so
    memory stays bounded whatever the size of the ledger."""
    from .scratch import scratch

    with scratch() as db:
        db.execute("CREATE TABLE leaf (at TEXT, rank TEXT, rid TEXT, seq INTEGER, kind TEXT, sha TEXT)")
        rows = _rows(store, progress)
        seq = 0
        while chunk := [(at, rank, rid, seq + n, kind, sha)
                        for n, (at, rank, kind, rid, sha) in enumerate(_take(rows, BATCH))]:
            db.executemany("INSERT INTO leaf VALUES (?, ?, ?, ?, ?, ?)", chunk)
            seq += len(chunk)
        for kind, rid, sha in db.execute("SELECT kind, rid, sha FROM leaf ORDER BY at, rank, rid, seq"):
            yield str(kind), str(rid), str(sha)


def _take(rows: Iterator[Any], n: int) -> list[Any]:
    out = []
    for row in rows:
        out.append(row)
        if len(out) >= n:
            break
    return out


def digest_of(items: Iterable[Leaf]) -> str:
    h = hashlib.sha256()
    for kind, rid, sha in items:
        h.update(f"{kind}\t{rid}\t{sha}\n".encode("utf-8"))
    return h.hexdigest()


def seal_digest(store: Store, progress: Optional[Advance] = None) -> str:
    """The digest a seal of this ledger would carry now (printed on the monthly bulletin)."""
    return digest_of(leaves(store, progress))


def head_hashes(hazards: Iterable[dict[str, Any]]) -> str:
    """The digest of what a document states about its hazards: sha256 over ``id:head``
    of each, by id. An order or review prints it; it pins those hazards' histories."""
    h = hashlib.sha256()
    for hz in sorted(hazards, key=lambda x: str(x.get("id"))):
        h.update(f"{hz.get('id')}:{hz.get('head', '')}\n".encode("utf-8"))
    return h.hexdigest()


def make(store: Store, date: str, at: str, ledger: str, out: Path,
         progress: Optional[Advance] = None) -> dict[str, Any]:
    """Write a seal of the ledger as it is now to ``out``; returns the seal without its records.

    The records stream from the ledger into the file (sorted on disk, see :func:`leaves`); the
    file is the same JSON as ever (``json.dumps(seal, ensure_ascii=False, indent=0)``), written
    next to ``out`` and moved into place when complete: a crash leaves the old file or none."""
    import tempfile

    counts = {k: 0 for k in KINDS}
    h = hashlib.sha256()
    with tempfile.TemporaryFile("w+", encoding="utf-8") as body:  # the record list, while counts and digest add up
        first = True
        for kind, rid, sha in leaves(store, progress):
            h.update(f"{kind}\t{rid}\t{sha}\n".encode("utf-8"))
            counts[kind] = counts.get(kind, 0) + 1
            body.write(("[\n" if first else ",\n") + json.dumps([kind, rid, sha], ensure_ascii=False, indent=0))
            first = False
        body.write("[]" if first else "\n]")  # an empty list is "[]", as json.dumps writes it
        seal = {"format": SEAL_FORMAT, "version": SEAL_VERSION, "date": date, "sealed_at": at, "ledger": ledger,
                "counts": counts, "digest": h.hexdigest()}
        head = json.dumps(dict(seal, records=[]), ensure_ascii=False, indent=0)
        assert head.endswith("[]\n}")
        body.seek(0)
        _write_streamed(Path(out), head[:-len("[]\n}")], body, "\n}\n")
    return seal


def _write_streamed(out: Path, head: str, body: IO[str], tail: str) -> None:
    """``head`` + ``body`` + ``tail`` into ``out``, atomically (:func:`.files.atomic_writer`)."""
    import codecs
    import shutil

    from ..storage.files import atomic_writer

    out.parent.mkdir(parents=True, exist_ok=True)
    with atomic_writer(out) as raw:
        f = codecs.getwriter("utf-8")(raw)
        f.write(head)
        shutil.copyfileobj(body, f, 1 << 20)
        f.write(tail)


class Sealed:
    """A seal file read line by line: its stated fields, and its records in a scratch table
    ``sealed(seq, kind, rid, sha)`` with the digest and counts they make."""

    def __init__(self, head: dict[str, Any], db: sqlite3.Connection, digest: str, counts: dict[str, int],
                 n: int) -> None:
        self.head, self.db, self.digest, self.counts, self.n = head, db, digest, counts, n

    def get(self, key: str, default: Any = None) -> Any:
        return self.head.get(key, default)


@contextmanager
def opened(path: Path) -> Iterator[Sealed]:
    """Read a seal file for :func:`check`. Its records go straight into a scratch table, so
    memory holds one record at a time; the file is read once, ``PIECE`` characters at a time."""
    from .scratch import scratch

    path = Path(path)
    with scratch() as db:
        db.execute("CREATE TABLE sealed (seq INTEGER PRIMARY KEY, kind TEXT, rid TEXT, sha TEXT)")
        state: dict[str, Any] = {}

        def start() -> None:  # (again, for a second "records" key: the last one counts, as in json.loads)
            db.execute("DELETE FROM sealed")
            state.update(ok=True, hash=hashlib.sha256(), counts={k: 0 for k in KINDS}, n=0, pending=[])

        def record(r: Any) -> None:
            if not (isinstance(r, list) and len(r) == 3 and all(isinstance(x, str) for x in r)):
                state["ok"] = False
                return
            kind, rid, sha = r
            state["hash"].update(f"{kind}\t{rid}\t{sha}\n".encode("utf-8"))
            if kind in state["counts"]:
                state["counts"][kind] += 1
            state["pending"].append((state["n"], kind, rid, sha))
            state["n"] += 1
            if len(state["pending"]) >= BATCH:
                flush()

        def flush() -> None:
            db.executemany("INSERT INTO sealed VALUES (?, ?, ?, ?)", state["pending"])
            state["pending"] = []

        try:
            head = _parse(path, start, record)
        except FileNotFoundError:
            raise ValidationFailed(f"there is no seal file {path}") from None
        except (OSError, ValueError, UnicodeDecodeError) as e:
            raise ValidationFailed(f"{path} is not a readable seal ({e})") from None
        if not isinstance(head, dict) or head.get("format") != SEAL_FORMAT:
            raise ValidationFailed(f"{path} is not an inspect-cli seal (inspect seal --out FILE writes one)")
        if not isinstance(head.get("version"), int) or head["version"] > SEAL_VERSION:
            raise ValidationFailed(f"{path} was written by a newer inspect-cli (seal version {head.get('version')}); upgrade")
        if not state or not state["ok"]:
            raise IntegrityError(f"{path}: the seal's record list was edited (not kind, id, sha256 lines)",
                                 [f"seal {path}: its record list is malformed"])
        flush()
        db.execute("CREATE INDEX sealed_key ON sealed (kind, rid)")
        yield Sealed(head, db, state["hash"].hexdigest(), state["counts"], state["n"])


# a value of the seal other than its record list, or one record, is never near this size
MAX_TOKEN = 4 << 20
# characters read from a seal file at a time
PIECE = 1 << 20


def _parse(path: Path, start: Callable[[], None], record: Callable[[Any], None]) -> Any:
    """The seal's top-level fields, its ``records`` handed one by one to ``record`` (after
    ``start()``) instead of being kept. A file that is not one JSON object is read whole,
    as ``json.loads`` would, to say what it is. ValueError for anything json.loads refuses."""
    decoder = json.JSONDecoder()
    with open(path, encoding="utf-8") as f:
        text = _Text(f)
        text.skip()
        if text.peek() != "{":
            return json.loads(text.rest())  # not an object: json.loads says what is wrong, or it is refused as such
        text.expect("{")
        head: dict[str, Any] = {}
        text.skip()
        if text.peek() == "}":
            text.expect("}")
        else:
            while True:
                text.skip()
                key = text.value(decoder)
                if not isinstance(key, str):
                    raise ValueError(f"a key of the seal is not a string (at character {text.pos})")
                text.skip()
                text.expect(":")
                text.skip()
                if key == "records" and text.peek() == "[":
                    start()
                    head[key] = None
                    text.expect("[")
                    text.skip()
                    if text.peek() == "]":
                        text.expect("]")
                    else:
                        while True:
                            text.skip()
                            record(text.value(decoder))
                            text.skip()
                            if text.delimiter("]"):
                                break
                else:
                    if key == "records":
                        start()
                        record(None)  # not a list: malformed
                    head[key] = text.value(decoder)
                text.skip()
                if text.delimiter("}"):
                    break
        text.skip()
        if text.peek() != "":
            raise ValueError(f"Extra data after the seal (at character {text.pos})")
        return head


class _Text:
    """A text file read in pieces, with the few moves :func:`_parse` makes."""

    def __init__(self, f: IO[str]) -> None:
        self.f, self.buf, self.i, self.pos, self.eof = f, "", 0, 0, False

    def _more(self) -> bool:
        if self.eof:
            return False
        piece = self.f.read(PIECE)
        if not piece:
            self.eof = True
            return False
        self.buf = self.buf[self.i:] + piece
        self.i = 0
        return True

    def skip(self) -> None:
        while True:
            while self.i < len(self.buf) and self.buf[self.i] in " \t\n\r":
                self.i += 1
                self.pos += 1
            if self.i < len(self.buf) or not self._more():
                return

    def peek(self) -> str:
        if self.i >= len(self.buf):
            self._more()
        return self.buf[self.i] if self.i < len(self.buf) else ""

    def take(self) -> str:
        c = self.peek()
        if c:
            self.i += 1
            self.pos += 1
        return c

    def expect(self, c: str) -> None:
        got = self.take()
        if got != c:
            raise ValueError(f"Expecting {c!r} at character {self.pos}, found {got or 'the end of the file'!r}")

    def delimiter(self, close: str) -> bool:
        """True at ``close`` (the end of the list or object), False at a comma; else ValueError."""
        c = self.take()
        if c == close:
            return True
        if c != ",":
            raise ValueError(f"Expecting ',' delimiter at character {self.pos - len(c)}")
        return False

    def value(self, decoder: json.JSONDecoder) -> Any:
        while True:
            try:
                value, end = decoder.raw_decode(self.buf, self.i)
            except ValueError:
                if len(self.buf) - self.i > MAX_TOKEN or not self._more():
                    raise
                continue
            if end >= len(self.buf) and not self.eof and self._more():
                continue  # a number may go on in the next piece: decode it again, whole
            self.pos += end - self.i
            self.i = end
            return value

    def rest(self) -> str:
        while self._more():
            pass
        return self.buf[self.i:]


def read(path: Path) -> dict[str, Any]:
    """The whole seal as a dict (its records as lists): for a small seal, or a test."""
    with opened(path) as sealed:
        records = [[k, r, s] for k, r, s in sealed.db.execute("SELECT kind, rid, sha FROM sealed ORDER BY seq")]
        return dict(sealed.head, records=records)


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


def check(store: Store, seal: Sealed, path: Path, expected_digest: Optional[str] = None,
          progress: Optional[Advance] = None) -> dict[str, Any]:
    """Every sealed record still present and unchanged: ``{digest, date, checked, problems}``.

    The ledger's records are read ``BATCH`` at a time into the seal's scratch database and
    matched there against the sealed lines: memory holds a batch, not the ledger."""
    problems: list[str] = []
    digest = seal.digest
    if digest != seal.get("digest"):
        problems.append(f"seal {path}: its records do not hash to its digest {str(seal.get('digest'))[:16]}… "
                        "(the seal file was edited)")
    stated = seal.get("counts")
    actual = dict(seal.counts)
    if not isinstance(stated, dict) or {k: stated.get(k, 0) for k in KINDS} != actual:
        problems.append(f"seal {path}: its counts {stated} are not those of its records {actual} "
                        "(the seal file was edited: records removed or added)")
    if expected_digest and not digest.startswith(expected_digest.strip().lower()):
        problems.append(f"seal {path}: its digest {digest[:16]}… is not the one given ({expected_digest}): "
                        "a different seal")
    db = seal.db
    db.execute("CREATE TABLE now (kind TEXT, rid TEXT, sha TEXT, PRIMARY KEY (kind, rid))")
    rows = ((kind, rid, sha) for _, _, kind, rid, sha in _rows(store, progress))
    while chunk := _take(rows, BATCH):  # one read of each table; a key seen twice keeps its last record
        db.executemany("INSERT OR REPLACE INTO now VALUES (?, ?, ?)", chunk)
    removed = changed = 0
    for kind, rid, current in db.execute("SELECT s.kind, s.rid, n.sha FROM sealed s LEFT JOIN now n "
                                         "ON n.kind = s.kind AND n.rid = s.rid WHERE n.sha IS NOT s.sha "
                                         "ORDER BY s.seq"):
        label = _label(kind, rid, _current(store, kind, rid))
        if current is None:
            removed += 1
            problems.append(f"{label}: sealed on {seal.get('date')} but no longer in the ledger (removed)")
        else:
            changed += 1
            problems.append(f"{label}: changed since the seal of {seal.get('date')}")
    added = {k: 0 for k in KINDS}
    for kind, n in db.execute("SELECT kind, COUNT(*) FROM now n WHERE NOT EXISTS (SELECT 1 FROM sealed s "
                              "WHERE s.kind = n.kind AND s.rid = n.rid) GROUP BY kind"):
        added[kind] = added.get(kind, 0) + int(n)
    return {"digest": digest, "date": seal.get("date"), "checked": seal.n, "removed": removed,
            "changed": changed, "added": added, "problems": problems}


def _label(kind: str, rid: str, rec: Optional[dict[str, Any]]) -> str:
    if kind in ("event", "case_event"):
        subject, _, event = rid.rpartition("/")
        what = f" ({rec.get('type')}, {rec.get('date')})" if rec is not None else ""
        return f"event {event} of {'hazard' if kind == 'event' else 'case'} {subject}{what}"
    if kind == "document" and rec is not None:
        return f"document {rec.get('number')} ({rid})"
    return f"{kind} {rid}"
