"""``inspect verify``: every hazard's history, the evidence files, the SQLite index, a seal.

The ledger is walked in batches, so memory stays bounded whatever its size: ``BATCH``
hazards at a time (in insertion order), with the events of just those hazards (one query
on ``events.subject``, indexed); the inspections' hazard lists ``BATCH`` at a time, each
batch's hazard ids looked up in one query; the cases likewise. Events that belong to no
hazard are found by counting: every event is either fetched with its hazard or an orphan,
so only when the counts differ are the events' subjects grouped to name the orphans.
"""
from __future__ import annotations

from contextlib import ExitStack
from pathlib import Path
from typing import Any, Callable, Iterable, Optional

from .. import evidence as ev
from ..hazard import history, lifecycle
from ..storage.interface import Store, Where, matches

# hazards (and inspections, cases) read per query; events come with their hazards' batch
BATCH = 1000
# the tables verify reads (what its progress bar counts)
VERIFIED_TABLES = ("hazards", "events", "inspections", "cases", "case_events")
Advance = Callable[[int], None]


def _nothing(n: int) -> None:
    return None


def find(store: Store, table: str, where: Where, fields: Optional[tuple[str, ...]] = None) -> list[Any]:
    """:meth:`Store.find`, on a ledger file edited by hand too: there a record that is not a
    record (a string, say) cannot be looked into by a condition, so the table is read whole,
    as verify always did, and only the records are matched (the rest are reported apart)."""
    try:
        return store.find(table, where, fields=fields)
    except (AttributeError, TypeError):
        return [r for r in store.find(table) if isinstance(r, dict) and matches(r, where)]


def present(store: Store, table: str, ids: Iterable[Any]) -> set[str]:
    """Which of ``ids`` are ids of records in ``table`` (one query per ``BATCH`` ids)."""
    wanted = sorted({i for i in ids if isinstance(i, str)})
    found: set[str] = set()
    for n in range(0, len(wanted), BATCH):
        found |= {str(r.get("id")) for r in find(store, table, {"id": ("in", wanted[n:n + BATCH])}, ("id",))
                  if isinstance(r, dict)}
    return found


def events_of(store: Store, table: str, subjects: list[str]) -> list[Any]:
    """The events of these subjects, in insertion order."""
    return find(store, table, {"subject": ("in", subjects)}) if subjects else []


def subject_counts(store: Store, table: str) -> dict[Any, int]:
    """Events per subject (``GROUP BY subject``; on SQLite it reads the index only)."""
    try:
        return {k[0]: n for k, n in store.count_by(table, ("subject",)).items()}
    except (AttributeError, TypeError):  # an event that is not a record (a hand-edited ledger file)
        out: dict[Any, int] = {}
        for e in store.find(table):
            key = e.get("subject", "?") if isinstance(e, dict) else "?"
            out[key] = out.get(key, 0) + 1
        return out


def verify(ledger: Any, seal_path: Optional[Path] = None, digest: Optional[str] = None,
           progress: Optional[Advance] = None) -> dict[str, Any]:
    """``{hazards, events, evidence, problems[, seal]}``; ``problems`` empty when untouched."""
    from ..storage.evidence import evidence_store, file_problems as stored_file_problems
    from ..storage.migrate import batches
    from ..sync.bundle import evidence_refs
    from . import seal as sealing

    advance = progress or _nothing
    with ExitStack() as stack:
        # a seal file that cannot be read is refused before the ledger is opened
        seal = stack.enter_context(sealing.opened(Path(seal_path))) if seal_path else None
        st = stack.enter_context(ledger.read())
        problems: list[str] = []
        in_ledger = evidence_store(st)  # a PostgreSQL ledger keeps the files inside itself
        checked: set[str] = set()

        def check_evidence(events: list[Any]) -> None:
            # a failing answer's evidence is cited by the event that registered its hazard
            nonlocal problems
            for where, ref in evidence_refs({"events": [e for e in events if isinstance(e, dict)]}):
                problems += ev.reference_problems(ref, where)
                f = ref.get("file") if isinstance(ref, dict) else None
                if f and f not in checked:
                    checked.add(str(f))
                    problems += (stored_file_problems(in_ledger, ref, where) if in_ledger is not None
                                 else ev.file_problems(ledger.evidence_dir, ref, where))

        n_hazards = matched = 0
        for batch in batches(st, "hazards", BATCH):
            records = [h for _, h in batch]
            bad = [h for h in records if not isinstance(h, dict) or not isinstance(h.get("id"), str)]
            problems += [f"a hazard record is not a record ({str(h)[:40]!r}): edited outside inspect-cli" for h in bad]
            good = [h for h in records if h not in bad]
            evs = events_of(st, "events", sorted({h["id"] for h in good}))
            by: dict[str, list[Any]] = {}
            for e in evs:
                by.setdefault(e.get("subject"), []).append(e)
            for h in good:
                mine = by.pop(h["id"], [])  # a second record under the same id gets none, as before
                matched += len(mine)
                problems += history.verify_chain(h, mine, lifecycle.replay, first="registered")
            check_evidence(evs)
            n_hazards += len(good)
            advance(len(batch) + len(evs))
        n_events = st.count("events")
        if matched != n_events:  # events whose hazard is not in the ledger: name them by subject
            counts = subject_counts(st, "events")
            hazards = present(st, "hazards", counts)
            orphans = {s: n for s, n in counts.items() if not (isinstance(s, str) and s in hazards)}
            del counts, hazards
            for subject, n in orphans.items():
                problems.append(f"{n} event(s) belong to hazard {'?' if subject is None else subject}, "
                                "which is not in the ledger (removed?)")
            named = sorted(s for s in orphans if isinstance(s, str))
            for n in range(0, len(named), BATCH):  # their evidence is still checked
                check_evidence(events_of(st, "events", named[n:n + BATCH]))
        for chunk in batches_of(st, "inspections", ("id", "hazards")):  # not the answers: large
            refs = [(rec, hid) for rec in chunk if isinstance(rec, dict)
                    for hid in (rec.get("hazards") or []) if isinstance(rec.get("hazards"), list)]
            known = present(st, "hazards", (hid for _, hid in refs))
            for rec, hid in refs:
                if not isinstance(hid, str) or hid not in known:
                    problems.append(f"hazard {hid}, found at inspection {rec.get('id')}, is missing from the ledger "
                                    "(removed with its history?)")
            advance(len(chunk))
        mismatches = getattr(st, "column_mismatches", None)
        if mismatches is not None:
            problems += mismatches()
        from ..case.records import verify as verify_cases

        n_cases, n_case_events, case_problems = verify_cases(st, lambda ids: present(st, "hazards", ids), advance)
        problems += case_problems
        out: dict[str, Any] = {"hazards": n_hazards, "events": n_events, "cases": n_cases,
                               "case_events": n_case_events, "evidence": len(checked), "problems": problems}
        if seal is not None:
            result = sealing.check(st, seal, Path(str(seal_path)), digest, advance)
            problems += result["problems"]
            out["seal"] = {k: v for k, v in result.items() if k != "problems"}
        return out


def batches_of(store: Store, table: str, fields: tuple[str, ...]) -> Iterable[list[Any]]:
    """Records of a table keyed by ``id``, only ``fields`` of each, ``BATCH`` at a time in id order."""
    from ..storage.interface import iter_records

    if getattr(store, "iter_items", None) is None:  # a ledger file: its records are in memory already
        rows = store.find(table, fields=fields)
        for n in range(0, len(rows), BATCH):
            yield rows[n:n + BATCH]
        return
    chunk: list[Any] = []
    for rec in iter_records(store, table, fields=fields, batch=BATCH):
        chunk.append(rec)
        if len(chunk) >= BATCH:
            yield chunk
            chunk = []
    if chunk:
        yield chunk
