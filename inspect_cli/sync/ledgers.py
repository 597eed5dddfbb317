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
FLUSH = 1000  # records a merge into a server keeps before writing them (a table at a time)


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
        scoped = _Scoped(st, records)
        report = merge(cast(Store, scoped), bundle, target.clock.today)
        scoped.flush()
        if any(report["added"].values()) or report["extended"] or report["conflicts"]:
            st.put("imports", f"sync|{target.clock.now()}|{source.location}", {
                "sync": source.location, "date": target.clock.today.isoformat(),
                "added": report["added"], "conflicts": len(report["conflicts"])})
    if progress:
        progress(what, total, total)
    report["evidence"] = copied
    return report


class _Scoped:
    """The target store as the merge sees it.

    - "every event" means every event of the hazards being merged (read by index), not the
      whole table, which at the bureau is a city's year;
    - on a server (a store with ``get_many``), the records the merge will look up (those of the
      arriving keys) are locked and read first, a table at a time, and what it writes is kept
      and written a table at a time by :meth:`flush` (before any other read, and before the
      transaction commits): a few round trips instead of two per record. The merge sees its
      own writes; reads of anything else go to the store as they are.
    """

    def __init__(self, store: Store, records: dict[str, list[dict[str, Any]]]) -> None:
        self._store = store
        self._subjects = sorted({e["subject"] for e in records.get("events", [])})
        self._subject_set = set(self._subjects)
        self._histories: Optional[dict[str, list[dict[str, Any]]]] = None
        # records by (table, key) as JSON text (each get decodes its own copy); None: known absent
        self._known: dict[tuple[str, str], Optional[str]] = {}
        self._pending: dict[str, dict[str, str]] = {}
        self._conflicts_of: set[str] = set()
        self._written: set[tuple[str, str]] = set()
        self._waiting = 0
        get_many = getattr(store, "get_many_json", None)
        self._batched = get_many is not None
        if get_many is None:
            return
        wanted: dict[str, set[str]] = {t: {str(r[KEYS.get(t, "id")]) for r in records.get(t, [])
                                           if isinstance(r, dict) and KEYS.get(t, "id") in r}
                                       for t in ("sites", "inspections", "hazards", "draws", "cases")}
        wanted["hazards"] |= self._subject_set
        wanted["cases"] = wanted["cases"] | {str(e["subject"]) for e in records.get("case_events", [])
                                             if isinstance(e, dict) and "subject" in e}
        wanted["documents"] = {f"{d.get('kind')}:{d.get('subject')}" for d in records.get("documents", [])
                               if isinstance(d, dict)}
        for table, keys in wanted.items():
            found = get_many(table, keys)
            for key in keys:
                self._known[(table, key)] = found.get(key)
        # the conflicts a record held on both sides may already have: "TABLE:KEY:DIGEST"
        self._conflicts_of = {f"{t}:{k}" for (t, k), mine in self._known.items()
                              if mine is not None and t in ("sites", "inspections", "draws", "documents")}
        get_prefixed = getattr(store, "get_prefixed", None)
        if get_prefixed is not None:
            for key, record in get_prefixed("conflicts", [p + ":" for p in self._conflicts_of]).items():
                self._known[("conflicts", key)] = _dumps(record)
        else:
            self._conflicts_of = set()

    def __getattr__(self, name: str) -> Any:
        attr = getattr(self._store, name)
        if not callable(attr):
            return attr

        def call(*args: Any, **kw: Any) -> Any:  # any other method sees what the merge wrote
            self.flush()
            return attr(*args, **kw)

        return call

    def get(self, table: str, id: str) -> Optional[dict[str, Any]]:
        text = self._pending.get(table, {}).get(id)
        if text is None and (table, id) in self._written:
            return self._store.get(table, id)
        if text is None and (table, id) in self._known:
            text = self._known[(table, id)]
            if text is None:
                return None
        if text is not None:
            return cast(dict[str, Any], json.loads(text))
        if table == "conflicts" and ":" in id and id[:id.rindex(":")] in self._conflicts_of:
            return None  # read with the other conflicts of its record: there is none
        return self._store.get(table, id)

    def put(self, table: str, id: str, record: dict[str, Any]) -> None:
        self.put_many(table, [(id, record)])

    def put_many(self, table: str, records: Any) -> None:
        if not self._batched:  # a file ledger: its store writes in place, no round trips to save
            self._store.put_many(table, records)
            return
        pending = self._pending.setdefault(table, {})
        for key, record in records:
            pending[str(key)] = _dumps(record)
            self._waiting += 1
        if self._waiting >= FLUSH:
            self.flush()

    def flush(self) -> None:
        """Write what the merge put, a table at a time (each table's records in the order put)."""
        pending, self._pending, self._waiting = self._pending, {}, 0
        if "events" in pending:
            self._histories = None
        for table, rows in pending.items():
            getattr(self._store, "put_json")(table, list(rows.items()))
            for key in rows:  # read back from the store from now on (memory holds what waits only)
                self._known.pop((table, key), None)
                self._written.add((table, key))

    def find(self, table: str, where: Optional[dict[str, Any]] = None, **kw: Any) -> list[dict[str, Any]]:
        self.flush()
        if (self._batched and table == "events" and kw == {"order_by": "seq"} and where and list(where) == ["subject"]
                and isinstance(where["subject"], str) and where["subject"] in self._subject_set):
            return [dict(e) for e in self._history(where["subject"])]
        if table == "events" and not where and not kw:
            out: list[dict[str, Any]] = []
            for i in range(0, len(self._subjects), CHUNK):
                out += self._store.find("events", {"subject": ("in", self._subjects[i:i + CHUNK])})
            return out
        return self._store.find(table, where, **kw)

    def _history(self, subject: str) -> list[dict[str, Any]]:
        """A merged hazard's events by seq, read with those of every other merged hazard at once."""
        if self._histories is None:
            self._histories = {}
            for i in range(0, len(self._subjects), CHUNK):
                for e in self._store.find("events", {"subject": ("in", self._subjects[i:i + CHUNK])}, order_by="seq"):
                    self._histories.setdefault(e["subject"], []).append(e)
        return self._histories.get(subject, [])

    def count(self, table: str, where: Optional[dict[str, Any]] = None) -> int:
        self.flush()
        return self._store.count(table, where)

    def count_by(self, *args: Any, **kw: Any) -> dict[tuple[Any, ...], int]:
        self.flush()
        return self._store.count_by(*args, **kw)

    def items(self, table: str) -> list[tuple[str, dict[str, Any]]]:
        self.flush()
        return self._store.items(table)

    def iter_items(self, table: str, *args: Any, **kw: Any) -> Any:
        self.flush()
        return getattr(self._store, "iter_items")(table, *args, **kw)


def _dumps(record: Any) -> str:
    return json.dumps(record, ensure_ascii=False, separators=(",", ":"))


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
    if progress:
        progress("compare", 0, 2)
    mine = _manifest_of(here)
    if progress:
        progress("compare", 1, 2)
    theirs = _manifest_of(there)
    if progress:
        progress("compare", 2, 2)
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
