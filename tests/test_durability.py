"""Real processes: a killed writer never corrupts the ledger; concurrent writers all land."""
from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
import time

import pytest

from inspect_cli.storage import open_backend

WRITER = r"""
import sys
from inspect_cli.storage import open_backend
backend = open_backend(__import__("pathlib").Path(sys.argv[1]), sys.argv[2])
start = int(sys.argv[3])
blob = "隐患描述" * 200
for n in range(start, start + 10_000):
    with backend.write() as st:
        st.put("hazards", f"H-{n:06d}", {"id": f"H-{n:06d}", "n": n, "status": "open", "text": blob})
    print(n, flush=True)
"""

pytestmark = pytest.mark.slow


@pytest.mark.parametrize("backend_name", ["tinydb", "sqlite"])
def test_sigkill_at_random_moments_never_loses_a_committed_record(tmp_path, backend_name):
    if backend_name == "sqlite":
        pytest.importorskip("inspect_cli.storage.sqlite")
    path = tmp_path / ("ledger.sqlite" if backend_name == "sqlite" else "ledger.json")
    rng = random.Random(20261123)
    committed: set[int] = set()
    start = 0
    for trial in range(100):
        proc = subprocess.Popen([sys.executable, "-c", WRITER, str(path), backend_name, str(start)],
                                stdout=subprocess.PIPE, text=True)
        # Let it get through start-up and some writes, then kill it at a random moment.
        time.sleep(rng.uniform(0.25, 0.6))
        proc.send_signal(signal.SIGKILL)
        out, _ = proc.communicate()
        done = [int(x) for x in out.split()]
        committed.update(done)
        start = (max(done) + 1) if done else start
        with open_backend(path, backend_name).read() as st:  # must always be readable
            present = {r["n"] for r in st.find("hazards")}
        missing = committed - present
        assert not missing, f"trial {trial}: committed records lost: {sorted(missing)[:5]}"
    assert len(committed) > 100, "the writer never got going: the test proved nothing"
    leftovers = [p.name for p in tmp_path.iterdir() if p.name.endswith(".tmp")]
    assert len(leftovers) <= 100  # killed mid-write leaves at most a temp file, never a broken ledger




def test_four_processes_writing_at_once_all_land(tmp_path):
    """4 workers × 25 `inspect site add` processes at once: all 100 sites land."""
    from inspect_cli.site.uscc import make_code

    path = tmp_path / "ledger.json"
    env = dict(os.environ, INSPECT_LOCK_TIMEOUT="60")
    worker = r"""
import subprocess, sys
ledger, codes = sys.argv[1], sys.argv[2:]
for n, code in enumerate(codes):
    subprocess.run([sys.executable, "-m", "inspect_cli", "site", "add", "--code", code, "--name", f"单位{code[-4:]}",
                    "--ledger", ledger], check=True)
"""
    codes = [make_code(f"worker-{n}") for n in range(100)]
    assert len(set(codes)) == 100
    procs = [subprocess.Popen([sys.executable, "-c", worker, str(path), *codes[w::4]], env=env) for w in range(4)]
    assert [p.wait(timeout=300) for p in procs] == [0, 0, 0, 0]
    data = json.loads(path.read_text(encoding="utf-8"))
    assert sorted(data["sites"]) == sorted(codes)


def test_busy_ledger_gives_a_clear_message_and_changes_nothing(tmp_path):
    from filelock import FileLock

    path = tmp_path / "ledger.json"
    env = dict(os.environ, INSPECT_LOCK_TIMEOUT="0.5")
    with FileLock(str(path) + ".lock"):
        r = subprocess.run([sys.executable, "-m", "inspect_cli", "config", "set", "org.name", "x", "--ledger", str(path)],
                           env=env, capture_output=True, text=True, timeout=60)
    assert r.returncode == 7
    assert "another inspect process is using the ledger" in r.stderr
    assert "Traceback" not in r.stderr
    assert not path.exists()


def test_corrupt_ledger_is_named_and_never_overwritten(tmp_path):
    path = tmp_path / "ledger.json"
    path.write_text('{"sites": {"A": {"code": "A"', encoding="utf-8")
    before = path.read_bytes()
    r = subprocess.run([sys.executable, "-m", "inspect_cli", "config", "set", "org.name", "x", "--ledger", str(path)],
                       capture_output=True, text=True, timeout=60)
    assert r.returncode == 6
    assert str(path) in r.stderr and "left untouched" in r.stderr
    assert "Traceback" not in r.stderr
    assert path.read_bytes() == before


def test_ledger_from_a_newer_version_is_refused(tmp_path):
    path = tmp_path / "ledger.json"
    path.write_text(json.dumps({"_meta": {"ledger": {"format": "inspect-cli-ledger", "schema": 99}}}), encoding="utf-8")
    r = subprocess.run([sys.executable, "-m", "inspect_cli", "config", "show", "--ledger", str(path)],
                       capture_output=True, text=True, timeout=60)
    assert r.returncode == 6
    assert "newer inspect-cli" in r.stderr
