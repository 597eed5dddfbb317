"""``inspect verify``: every hazard's history, the evidence files, the SQLite index, a seal."""
from __future__ import annotations

from pathlib import Path
from typing import Any, Optional

from .. import evidence as ev
from ..hazard import history, lifecycle


def verify(ledger: Any, seal_path: Optional[Path] = None, digest: Optional[str] = None) -> dict[str, Any]:
    """``{hazards, events, evidence, problems[, seal]}``; ``problems`` empty when untouched."""
    from . import seal as sealing

    seal = sealing.read(Path(seal_path)) if seal_path else None
    with ledger.read() as st:
        events_by: dict[str, list[dict[str, Any]]] = {}
        all_events = st.find("events")
        for e in all_events:
            events_by.setdefault(e.get("subject", "?") if isinstance(e, dict) else "?", []).append(e)
        problems: list[str] = []
        hazards = st.find("hazards")
        bad = [h for h in hazards if not isinstance(h, dict) or not isinstance(h.get("id"), str)]
        problems += [f"a hazard record is not a record ({str(h)[:40]!r}): edited outside inspect-cli" for h in bad]
        hazards = [h for h in hazards if h not in bad]
        for h in hazards:
            problems += history.verify_chain(h, events_by.pop(h["id"], []), lifecycle.replay, first="registered")
        for subject, evs in events_by.items():
            problems.append(f"{len(evs)} event(s) belong to hazard {subject}, which is not in the ledger (removed?)")
        known = {h["id"] for h in hazards}
        inspections = st.find("inspections", fields=("id", "hazards"))  # not the answers: large
        for rec in inspections:
            for hid in rec.get("hazards") or []:
                if hid not in known:
                    problems.append(f"hazard {hid}, found at inspection {rec.get('id')}, is missing from the ledger "
                                    "(removed with its history?)")
        from ..sync.bundle import evidence_refs

        # a failing answer's evidence is cited by the event that registered its hazard
        refs = evidence_refs({"events": [e for e in all_events if isinstance(e, dict)]})
        checked: set[str] = set()
        for where, ref in refs:
            problems += ev.reference_problems(ref, where)
            f = ref.get("file") if isinstance(ref, dict) else None
            if f and f not in checked:
                checked.add(str(f))
                problems += ev.file_problems(ledger.evidence_dir, ref, where)
        mismatches = getattr(st, "column_mismatches", None)
        if mismatches is not None:
            problems += mismatches()
        from ..case.records import verify as verify_cases

        n_cases, n_case_events, case_problems = verify_cases(st, known)
        problems += case_problems
        out: dict[str, Any] = {"hazards": len(hazards), "events": len(all_events), "cases": n_cases,
                               "case_events": n_case_events, "evidence": len(checked), "problems": problems}
        if seal is not None:
            result = sealing.check(st, seal, Path(str(seal_path)), digest)
            problems += result["problems"]
            out["seal"] = {k: v for k, v in result.items() if k != "problems"}
        return out
