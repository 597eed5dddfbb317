"""Progress bars on long work: stderr only, only on a terminal, never with --quiet, never in --json."""
from __future__ import annotations

import io
import json
import os
import pty
import subprocess
import sys

from builders import inspect_dust, ledger_with_site, other_code
from cli.runner import invoke
from inspect_cli.cli.progress import as_done_total, progress

NOTE = "现场检查发现除尘器灰斗下方积尘厚度超过五毫米，且当班未清扫"


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_a_bar_is_drawn_on_a_terminal_and_counts_every_advance():
    term = Terminal()
    with progress("Auditing", total=1200, stream=term) as advance:
        for _ in range(1200):
            advance(1)
    assert "Auditing" in term.getvalue()


def test_no_bar_when_quiet_or_not_a_terminal():
    for stream, quiet in ((Terminal(), True), (io.StringIO(), False)):
        with progress("Auditing", total=10, quiet=quiet, stream=stream) as advance:
            advance(10)
        assert stream.getvalue() == ""
    term = Terminal()
    with as_done_total("Re-inspecting", quiet=True, stream=term) as update:
        update(1, 1)
    assert term.getvalue() == ""


def test_commands_take_quiet_and_keep_json_clean(tmp_path):
    led = ledger_with_site(tmp_path / "ledger.json", today="2026-03-02")
    led.add_site({"code": other_code(1), "name": "乙公司", "industry": "机械"})
    inspect_dust(led, {"GM10-11-10": {"note": NOTE}}, tmp_path)
    inspect_dust(led, {"GM10-11-10": {"note": NOTE}}, tmp_path, code=other_code(1))
    r = invoke(["audit", "--ledger", str(led.path), "--today", "2026-03-02", "--json", "--quiet"])
    assert r.exit_code == 1 and r.json()["counts"]["copied_text"] == 1
    r = invoke(["ledger", "migrate", str(led.path), str(tmp_path / "copy.sqlite"), "--json", "-q"])
    assert r.exit_code == 0, r.stderr
    assert r.json()["verify"]["ok"] is True


def test_on_a_real_terminal_the_bar_goes_to_stderr_and_stdout_stays_json(tmp_path):
    """stderr is a pseudo-terminal (the bar may draw there); stdout is a pipe holding only JSON."""
    led = ledger_with_site(tmp_path / "ledger.json", today="2026-03-02")
    inspect_dust(led, {"GM10-11-10": {"note": NOTE}}, tmp_path)
    controller, terminal = pty.openpty()
    env = dict(os.environ, INSPECT_TODAY="2026-03-02")
    proc = subprocess.run([sys.executable, "-m", "inspect_cli", "audit", "--ledger", str(led.path), "--json"],
                          stdout=subprocess.PIPE, stderr=terminal, env=env, timeout=120)
    os.close(terminal)
    os.close(controller)
    assert proc.returncode in (0, 1)
    assert json.loads(proc.stdout)["checked"]["hazards"] == 1
