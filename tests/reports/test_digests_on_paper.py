"""Paper that has left the office pins the history (issue 10, item 3): the bulletin prints the
ledger's seal digest, an order and a review the digest of their hazards' history heads."""
from __future__ import annotations

import json
import re

from cli.runner import invoke
from inspect_cli.reports import render_report


def _digest(text: str, label: str) -> str:
    m = re.search(label + r"[^：]*：(?:<span class=\"hash\">)?([0-9a-f]{64})", text)
    assert m, f"no {label} digest printed"
    return m.group(1)


def test_the_bulletin_prints_the_digest_that_inspect_seal_gives(ledger, ledger_path, tmp_path):
    out = tmp_path / "bulletin.md"
    render_report(ledger, "bulletin", None, fmt="md", out=out, month="2026-03")
    printed = _digest(out.read_text(encoding="utf-8"), "封存摘要")
    r = invoke(["seal", "--out", str(tmp_path / "seal.json"), "--ledger", str(ledger_path), "--json"])
    assert r.exit_code == 0, r.stderr
    assert printed == json.loads(r.stdout)["digest"]


def test_an_order_prints_the_digest_of_its_hazards_heads_and_it_moves_with_them(ledger, tmp_path):
    out = tmp_path / "order.md"
    render_report(ledger, "order", "I-00000-00002", fmt="md", out=out)
    rec = ledger.inspection("I-00000-00002")
    printed = _digest(out.read_text(encoding="utf-8"), "隐患记录摘要")
    assert printed == ledger.head_hashes(list(rec["hazards"]))
    open_ids = [h for h in rec["hazards"] if ledger.hazard(h)[0]["status"] != "closed"]
    if open_ids:
        ledger.interim(open_ids[0], "设置警戒线")  # a later event moves the head: the paper no longer matches
        assert ledger.head_hashes(list(rec["hazards"])) != printed
