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


def test_the_bulletin_prints_the_digest_of_the_latest_seal_and_the_ledger_still_verifies_against_it(
        ledger, ledger_path, tmp_path):
    out = tmp_path / "bulletin.md"
    render_report(ledger, "bulletin", None, fmt="md", out=out, month="2026-03")
    assert "台账尚未封存" in out.read_text(encoding="utf-8")  # no seal yet: no digest, said so
    r = invoke(["seal", "--out", str(tmp_path / "seal.json"), "--ledger", str(ledger_path), "--json",
                "--today", "2026-03-31"])
    assert r.exit_code == 0, r.stderr
    sealed = json.loads(r.stdout)
    assert sealed["recorded"] is True
    ledger.interim(next(h["id"] for h in ledger.hazards()[0] if h["status"] == "open"), "设置警戒线")  # a later change
    render_report(ledger, "bulletin", None, fmt="md", out=out, month="2026-03")
    text = out.read_text(encoding="utf-8")
    assert _digest(text, "封存摘要") == sealed["digest"] and "封存日期 2026-03-31" in text
    # what the paper cites can be checked: the ledger extends the seal
    v = invoke(["verify", "--seal", str(tmp_path / "seal.json"), "--digest", sealed["digest"][:16],
                "--ledger", str(ledger_path)])
    assert v.exit_code == 0, v.stdout + v.stderr


def test_a_seal_of_a_ledger_it_cannot_write_is_written_but_not_recorded(ledger, tmp_path, monkeypatch):
    from contextlib import contextmanager

    from inspect_cli.errors import LedgerError

    @contextmanager
    def read_only():  # what the reader role or a hot standby gives
        raise LedgerError("the ledger is read-only here")
        yield

    monkeypatch.setattr(ledger, "write", read_only)
    made = ledger.seal(tmp_path / "seal.json")
    assert (tmp_path / "seal.json").exists() and made["recorded"] is False and "read-only" in made["not_recorded"]
    assert ledger.last_seal() is None


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
