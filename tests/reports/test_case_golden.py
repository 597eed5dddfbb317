"""The case documents (立案审批表, 行政处罚决定书), HTML and Markdown, against golden files.

A case is opened on the fixed ledger's failed re-inspection and decided; ids and times are
deterministic. Regenerate after an intended change with
``INSPECT_REGEN_GOLDEN=1 pytest tests/reports/test_case_golden.py`` and review the diff.
"""
from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest

from inspect_cli.case.records import OpenRequest
from inspect_cli.errors import ReportError
from inspect_cli.ledger import open_ledger
from inspect_cli.reports import render_report

from .fixture import INSPECTORS, deterministic

GOLDEN = Path(__file__).parent / "golden"
REGEN = bool(os.environ.get("INSPECT_REGEN_GOLDEN"))


@pytest.fixture()
def case_ledger(ledger_path: Path, monkeypatch: Any) -> tuple[Any, str]:
    from inspect_cli.case import records

    deterministic(monkeypatch)
    counter = iter(range(1, 100))
    monkeypatch.setattr(records, "new_id", lambda kind: f"C-00000-{next(counter):05d}")

    def at(day: str) -> Any:
        return open_ledger(ledger_path, today=day, actor="张伟")

    failed = next(h["id"] for h in at("2026-04-15").hazards()[0] if h["item"] == "DP6-CL-1")
    cid = at("2026-03-21").open_case(OpenRequest(handlers=INSPECTORS, reinspections=[failed]))["id"]
    for day, move, args in (("2026-03-23", "investigate", {"note": "询问安全负责人王建国并制作询问笔录；调取粉尘清扫记录，未见"}),
                            ("2026-03-24", "notify", {"types": ["fine"], "amount": 8000}),
                            ("2026-03-26", "statement", {"text": "已建立清扫制度，请求从轻"})):
        at(day).case_move(cid, move, args)
    return at, cid


@pytest.mark.parametrize("fmt", ["html", "md"])
@pytest.mark.parametrize("kind", ["filing", "penalty"])
def test_case_documents_match_their_golden_files(case_ledger, tmp_path, kind, fmt):
    at, cid = case_ledger
    at("2026-03-27").case_move(cid, "decide", {"types": ["fine"], "amount": 5000})
    ledger = at("2026-04-15")
    out = tmp_path / f"{kind}.{fmt}"
    result = render_report(ledger, kind, cid, fmt=fmt, out=out)
    assert result["number"] == ("（榕某应急）应急立〔2026〕1号" if kind == "filing" else "（榕某应急）应急罚〔2026〕1号")
    text = out.read_text(encoding="utf-8")
    golden = GOLDEN / f"case-{kind}.{fmt}"
    if REGEN:
        golden.write_text(text, encoding="utf-8")
    assert golden.exists(), f"no golden file {golden}; run INSPECT_REGEN_GOLDEN=1 pytest tests/reports/test_case_golden.py"
    assert text == golden.read_text(encoding="utf-8"), f"case-{kind}.{fmt} differs from its golden file"


def test_no_penalty_document_before_a_penalty_decision_and_no_number_taken(case_ledger, tmp_path):
    at, cid = case_ledger
    with pytest.raises(ReportError, match="has no decision yet"):
        render_report(at("2026-03-27"), "penalty", cid, out=tmp_path / "p.html")
    at("2026-03-27").case_move(cid, "decide", {"no_penalty": True, "reason": "已当场改正，违法行为轻微"})
    with pytest.raises(ReportError, match="不予处罚"):
        render_report(at("2026-03-27"), "penalty", cid, out=tmp_path / "p.html")
    assert at("2026-03-27").document_number("penalty", cid, "2026-03-27", at("2026-03-27").settings()) \
        == "（榕某应急）应急罚〔2026〕1号"  # the failed renders took no number
