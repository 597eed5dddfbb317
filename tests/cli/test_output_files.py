"""A file a command is told to write where it cannot be written (its folder is a file, say):
one clear line and exit 6, no traceback, nothing left behind."""
from __future__ import annotations

import pytest
from builders import inspect_dust, ledger_with_site
from cli.runner import invoke


@pytest.mark.parametrize("args", [["export"], ["seal"], ["report", "ledger"], ["report", "bulletin", "--month", "2026-03"]])
def test_an_out_path_that_cannot_be_written_is_a_clear_error(tmp_path, args):
    path = tmp_path / "ledger.json"
    inspect_dust(ledger_with_site(path, today="2026-03-02"), {"DP6-9": {}}, tmp_path)
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file where a folder should be", encoding="utf-8")
    r = invoke([*args, "--out", str(blocker / "out.file"), "--ledger", str(path), "--today", "2026-03-31"])
    assert r.exit_code == 6, r.stderr
    assert r.stderr.startswith("Error: ") and "not-a-folder" in r.stderr and "Traceback" not in r.stderr
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith(".")) == []
