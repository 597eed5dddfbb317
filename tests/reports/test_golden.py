"""Every report, HTML and Markdown, from the fixed ledger and date, against golden files.

Regenerate after an intended change with ``INSPECT_REGEN_GOLDEN=1 pytest tests/reports``
and review the diff of ``tests/reports/golden``.
"""
from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

from inspect_cli.reports import render_report

GOLDEN = Path(__file__).parent / "golden"
REGEN = bool(os.environ.get("INSPECT_REGEN_GOLDEN"))
CASES = [
    ("record", "I-00000-00002", None, "record"),
    ("order", "I-00000-00002", None, "order"),
    ("review", "I-00000-00002", None, "review"),
    ("closure", "H-00000-00003", None, "closure-hazard"),
    ("closure", "91350100M000100Y43", None, "closure-site"),
    ("ledger", None, None, "ledger"),
    ("bulletin", None, "2026-03", "bulletin"),
]


@pytest.mark.parametrize("fmt", ["html", "md"])
@pytest.mark.parametrize("kind,subject,month,name", CASES, ids=[c[3] for c in CASES])
def test_golden(ledger, tmp_path, kind, subject, month, name, fmt):
    out = tmp_path / f"{name}.{fmt}"
    render_report(ledger, kind, subject, fmt=fmt, out=out, month=month)
    text = _without_seal_digest(out.read_text(encoding="utf-8"))
    golden = GOLDEN / f"{name}.{fmt}"
    if REGEN:
        GOLDEN.mkdir(exist_ok=True)
        golden.write_text(text, encoding="utf-8")
    assert golden.exists(), f"no golden file {golden}; run INSPECT_REGEN_GOLDEN=1 pytest tests/reports"
    assert text == golden.read_text(encoding="utf-8"), f"{name}.{fmt} differs from its golden file"


def _without_seal_digest(text: str) -> str:
    """The bulletin's seal digest covers the whole fixed ledger, whose build is not byte-stable
    across sessions; test_seal_digest_on_paper checks the value itself."""
    return re.sub(r"(封存摘要[^：]*：(?:<span class=\"hash\">)?)[0-9a-f]{64}", r"\1<seal digest>", text)


def test_english_labels_keep_chinese_content(ledger, tmp_path):
    out = Path(render_report(ledger, "order", "I-00000-00002", out=tmp_path / "o.html", lang="en")["out"])
    text = out.read_text(encoding="utf-8")
    assert "Rectification order" in text
    assert "干式除尘系统未采取泄爆、惰化、抑爆等任一种爆炸防控措施" in text
    assert "《工贸企业重大事故隐患判定标准》" in text
