"""Are the evidence files the ledger cites still beside it? A ledger copied without its
``<name>.evidence/`` folder must not pass ``verify`` or be exported as if it were whole."""
from __future__ import annotations

from pathlib import Path
from typing import Any, Iterator

from .storage.interface import Store


def cited(store: Store) -> Iterator[tuple[str, dict[str, Any]]]:
    """``(where, reference)`` for every stored evidence file a record cites."""
    # records edited outside inspect-cli (not mappings) are reported by verify elsewhere
    for h in store.find("hazards"):
        if not isinstance(h, dict):
            continue
        for ref in _list(h.get("evidence")):
            yield f"hazard {h.get('id')}", ref
    for e in store.find("events"):
        if not isinstance(e, dict) or not isinstance(e.get("data") or {}, dict):
            continue
        for ref in _list(e.get("evidence")) + _list((e.get("data") or {}).get("evidence")):
            yield f"hazard {e.get('subject')} ({e.get('type')} {e.get('date')})", ref
    for rec in store.find("inspections"):
        answers = rec.get("answers") if isinstance(rec, dict) else None
        for key, detail in (answers if isinstance(answers, dict) else {}).items():
            for ref in _list(detail.get("evidence_files") if isinstance(detail, dict) else None):
                yield f"inspection {rec.get('id')} {key}", ref


def _list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


def missing_evidence(store: Store, folder: Path, check_hash: bool = True) -> list[str]:
    """One line per evidence file that is absent from ``folder`` or no longer matches its sha256."""
    from .evidence import sha256_file

    problems: list[str] = []
    seen: set[str] = set()
    for where, ref in cited(store):
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
