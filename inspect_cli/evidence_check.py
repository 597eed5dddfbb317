"""Are the evidence files the ledger cites still beside it? A ledger copied without its
``<name>.evidence/`` folder must not pass ``verify`` or be exported as if it were whole."""
from __future__ import annotations

from pathlib import Path
from typing import Any, Iterable, Iterator

from .storage.interface import Store


def cited(store: Store) -> Iterator[tuple[str, dict[str, Any]]]:
    """``(where, reference)`` for every stored evidence file a record of the ledger cites."""
    return cited_by(store.find("hazards"), store.find("events"), store.find("inspections"))


def cited_by(hazards: Iterable[Any], events: Iterable[Any],
             inspections: Iterable[Any]) -> Iterator[tuple[str, dict[str, Any]]]:
    """``(where, reference)`` for every stored evidence file these records cite."""
    # records edited outside inspect-cli (not mappings) are reported by verify elsewhere
    for h in hazards:
        if not isinstance(h, dict):
            continue
        for ref in _list(h.get("evidence")):
            yield f"hazard {h.get('id')}", ref
    for e in events:
        if not isinstance(e, dict) or not isinstance(e.get("data") or {}, dict):
            continue
        for ref in _list(e.get("evidence")) + _list((e.get("data") or {}).get("evidence")):
            yield f"hazard {e.get('subject')} ({e.get('type')} {e.get('date')})", ref
    for rec in inspections:
        answers = rec.get("answers") if isinstance(rec, dict) else None
        for key, detail in (answers if isinstance(answers, dict) else {}).items():
            for ref in _list(detail.get("evidence_files") if isinstance(detail, dict) else None):
                yield f"inspection {rec.get('id')} {key}", ref


def _list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


def missing_evidence(store: Store, folder: Path, check_hash: bool = True) -> list[str]:
    """One line per evidence file of the ledger that is absent from ``folder`` or no longer matches its sha256."""
    return missing_among(cited(store), folder, check_hash)


def missing_among(refs: Iterable[tuple[str, Any]], folder: Path, check_hash: bool = True) -> list[str]:
    """One line per cited evidence file absent from ``folder`` or changed (its sha256)."""
    from .evidence import sha256_file

    problems: list[str] = []
    seen: set[str] = set()
    for where, ref in refs:
        if not isinstance(ref, dict) or not ref.get("file"):
            continue
        rel = str(ref["file"])
        if rel in seen:
            continue
        seen.add(rel)
        path = folder / rel
        name = ref.get("name") or rel
        if not path.is_file():
            problems.append(f"evidence file {path} ({name}, cited by {where}) is missing")
        elif check_hash and ref.get("sha256") and sha256_file(path) != ref["sha256"]:
            problems.append(f"evidence file {path} ({name}, cited by {where}) does not match its sha256: changed")
    return problems
