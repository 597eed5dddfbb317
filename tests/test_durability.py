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

# Prepended to a writer or reader: tables move into small table files from their first records.
SMALL_BUCKETS = """
from inspect_cli.storage import tablefiles
tablefiles.INLINE_MAX, tablefiles.BUCKET_BYTES = 2000, 20000
"""


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


def test_sqlite_busy_writer_is_reported_without_a_lock_file(tmp_path):
    """SQLite keeps writers apart with its own lock: exit 7 and nothing changed, no .lock file."""
    path = tmp_path / "ledger.sqlite"
    env = dict(os.environ, INSPECT_LOCK_TIMEOUT="0.5")
    assert subprocess.run([sys.executable, "-m", "inspect_cli", "config", "set", "org.name", "甲", "--ledger", str(path)],
                          env=env, capture_output=True, timeout=60).returncode == 0
    holder = subprocess.Popen([sys.executable, "-c", f"""
import sys, time
from pathlib import Path
from inspect_cli.storage.sqlite import SqliteBackend
with SqliteBackend(Path({str(path)!r})).write() as st:
    st.put("settings", "x", {{"k": 1}})
    print("holding", flush=True)
    time.sleep(5)
"""], stdout=subprocess.PIPE, text=True)
    assert holder.stdout.readline().strip() == "holding"
    r = subprocess.run([sys.executable, "-m", "inspect_cli", "config", "set", "org.name", "乙", "--ledger", str(path)],
                       env=env, capture_output=True, text=True, timeout=60)
    holder.wait(timeout=60)
    # exit 7, not 0: it gave up after its timeout instead of waiting for the holder to finish
    assert r.returncode == 7 and "another inspect process is using the ledger" in r.stderr, r.stderr
    r = subprocess.run([sys.executable, "-m", "inspect_cli", "config", "show", "--json", "--ledger", str(path)],
                       capture_output=True, text=True, timeout=60)
    assert "甲" in r.stdout and "乙" not in r.stdout
    assert not (tmp_path / "ledger.sqlite.lock").exists()


def test_killed_writes_leave_nothing_after_the_next_write(tmp_path):
    """Temp files and unfinished table files of killed writers are removed by the next write."""
    from inspect_cli.storage import tablefiles

    path = tmp_path / "ledger.json"
    rng = random.Random(20261130)
    start = 0
    for trial in range(12):  # small buckets: the table files exist from the first records on
        proc = subprocess.Popen([sys.executable, "-c", SMALL_BUCKETS + WRITER, str(path), "tinydb", str(start)],
                                stdout=subprocess.PIPE, text=True)
        time.sleep(rng.uniform(0.4, 1.0))
        proc.send_signal(signal.SIGKILL)
        out, _ = proc.communicate()
        done = [int(x) for x in out.split()]
        start = (max(done) + 1) if done else start
    with open_backend(path, "tinydb").write() as st:
        st.put("settings", "after", {"n": start})
    assert [p.name for p in tmp_path.iterdir() if p.name.endswith(".tmp")] == []
    main = json.loads(path.read_text(encoding="utf-8"))
    named = {b["file"] for entry in main.get("_layout", {}).get("tables", {}).values() for b in entry["buckets"]}
    folder = tablefiles.folder_of(path)
    assert named, "the writer never filled a table past the one-file size: the test proved nothing"
    assert sorted(p.name for p in folder.iterdir()) == sorted(named)
    with open_backend(path, "tinydb").read() as st:
        assert st.count("hazards") >= start - 1


MIGRATIONS = [("ledger.json", "copy.sqlite"), ("ledger.sqlite", "copy.json")]


@pytest.mark.parametrize("src_name, dst_name", MIGRATIONS)
def test_a_killed_migrate_leaves_no_destination_and_a_later_one_simply_runs(tmp_path, src_name, dst_name):
    from pathlib import Path

    root = Path(__file__).resolve().parent.parent
    src, dst = tmp_path / src_name, tmp_path / dst_name
    subprocess.run([sys.executable, str(root / "benchmarks" / "generate.py"), "--hazards", "400", "--out", str(src)],
                   check=True, capture_output=True, timeout=300)
    # Killed from inside, right after a table's records were written and before the copy is
    # committed and renamed: a kill after a random sleep proved nothing on a fast machine,
    # where every migrate had finished before its kill.
    killer = ("import os, signal, sys\n"
              "from inspect_cli.storage.migrate import migrate\n"
              "def stop(table, n):\n"
              "    if table == sys.argv[3]:\n"
              "        os.kill(os.getpid(), signal.SIGKILL)\n"
              "migrate(sys.argv[1], sys.argv[2], progress=stop)\n")
    for trial, table in enumerate(("sites", "inspections", "hazards", "events", "settings", "hazards")):
        proc = subprocess.run([sys.executable, "-c", killer, str(src), str(dst), table], capture_output=True,
                              timeout=300)
        assert proc.returncode == -signal.SIGKILL, f"trial {trial}: migrate was not killed at {table}"
        assert not dst.exists(), f"trial {trial}: a killed migrate left its destination"
        leftovers = [p.name for p in tmp_path.iterdir() if p.name.startswith("copy.") and not p.name.endswith(".lock")]
        assert leftovers == [], f"trial {trial}: a killed migrate left {leftovers}"
    r = subprocess.run([sys.executable, "-m", "inspect_cli", "ledger", "migrate", str(src), str(dst)],
                       capture_output=True, text=True, timeout=300)
    assert r.returncode == 0, r.stderr
    assert "verify: OK" in r.stdout + r.stderr
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".migrating.")] == []


READER = SMALL_BUCKETS + r"""
import sys, time
from pathlib import Path
from inspect_cli.storage import open_backend
path = Path(sys.argv[1])
last, reads, deadline = -1, 0, time.monotonic() + float(sys.argv[2])
while time.monotonic() < deadline:
    backend = open_backend(path, "tinydb")  # a fresh snapshot each time, as a new command takes
    with backend.read() as st:
        n = st.count("hazards")
        rows = st.find("hazards", {"status": "open"}, order_by="n")
        assert len(rows) == n and [r["n"] for r in rows] == sorted(r["n"] for r in rows), "inconsistent snapshot"
        assert all(st.get("hazards", r["id"]) == r for r in rows[-3:])
    assert n >= last, f"went back in time: {n} after {last}"
    last, reads = n, reads + 1
print(reads, last)
"""


def test_readers_never_fail_while_a_writer_replaces_and_sweeps_table_files(tmp_path):
    """A reader holds the files of its snapshot open: buckets swept by a writer meanwhile stay readable."""
    path = tmp_path / "ledger.json"
    writer = subprocess.Popen([sys.executable, "-c", SMALL_BUCKETS + WRITER, str(path), "tinydb", "0"],
                              stdout=subprocess.DEVNULL)
    try:
        time.sleep(1.0)  # the ledger exists and has moved into table files
        readers = [subprocess.run([sys.executable, "-c", READER, str(path), "4"], capture_output=True, text=True,
                                  timeout=120) for _ in range(2)]
    finally:
        writer.kill()
        writer.wait()
    for r in readers:
        assert r.returncode == 0, r.stderr[-2000:]
        reads, seen = map(int, r.stdout.split())
        assert reads > 10 and seen > 0
    assert any(p.name.startswith("hazards.") for p in (tmp_path / "ledger.tables").iterdir())
