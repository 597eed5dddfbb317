"""Real processes: a killed import never leaves a cut-short evidence file under its final
name; eight processes storing the same new photo all succeed."""
from __future__ import annotations

import hashlib
import os
import random
import signal
import subprocess
import sys
import time

import pytest

from inspect_cli.hazard import moves as hz
from inspect_cli.clock import Clock
from inspect_cli.ledger import open_ledger

pytestmark = pytest.mark.slow


def _ledger_with_hazards(path, n):
    ledger = open_ledger(path, today="2026-03-02")
    with ledger.write() as st:
        return [hz.register(st, {"site": "S", "severity": "general", "item": f"X{i}", "deadline": "2026-03-09"},
                            Clock.make("2026-03-02"), "t")["id"] for i in range(n)]


def _cli(*args):
    return [sys.executable, "-m", "inspect_cli", *map(str, args)]


STORE = r"""
import pathlib, sys, time
from inspect_cli.ledger import open_ledger
path, hid, photo, go = sys.argv[1:5]
pathlib.Path(go + "." + hid).touch()  # ready
while not pathlib.Path(go).exists():  # all eight start storing at the same moment
    time.sleep(0.001)
open_ledger(path, today="2026-03-03").fixed(hid, "已整改", (pathlib.Path(photo),))
"""


def test_eight_processes_storing_the_same_new_evidence_all_succeed(tmp_path):
    """On c51b00a seven of eight exited 70: they shared one temp name."""
    path = tmp_path / "l.json"
    ids = _ledger_with_hazards(path, 8)
    photo = tmp_path / "photo.jpg"
    photo.write_bytes(os.urandom(16 * 2**20))
    go = tmp_path / "go"
    env = dict(os.environ, INSPECT_LOCK_TIMEOUT="60")
    procs = [subprocess.Popen([sys.executable, "-c", STORE, str(path), hid, str(photo), str(go)],
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env) for hid in ids]
    while len(list(tmp_path.glob("go.*"))) < 8 and all(p.poll() is None for p in procs):
        time.sleep(0.01)  # every process started up and waits at the line
    go.touch()
    results = [(p.wait(), p.stderr.read()[-300:]) for p in procs]
    assert [code for code, _ in results] == [0] * 8, results
    digest = hashlib.sha256(photo.read_bytes()).hexdigest()
    stored = list((tmp_path / "l.evidence").rglob(f"{digest}*"))
    assert len(stored) == 1 and stored[0].read_bytes() == photo.read_bytes()
    assert not [p for p in (tmp_path / "l.evidence").rglob("*.part")]
    assert open_ledger(path).verify()["problems"] == []


def test_a_killed_import_never_leaves_a_short_evidence_file_and_reimport_completes(tmp_path):
    src = tmp_path / "a.json"
    [hid] = _ledger_with_hazards(src, 1)
    photo = tmp_path / "big.jpg"
    photo.write_bytes(os.urandom(40 * 2**20))
    open_ledger(src, today="2026-03-03").fixed(hid, "已整改", (photo,))
    open_ledger(src).export(tmp_path / "a.zip")
    digest = hashlib.sha256(photo.read_bytes()).hexdigest()
    dst = tmp_path / "b.json"
    target = tmp_path / "b.evidence" / digest[:2] / f"{digest}.jpg"
    rng = random.Random(20261130)
    killed_early = 0
    for _ in range(8):
        if dst.exists():
            dst.unlink()
        if target.exists():
            target.unlink()
        proc = subprocess.Popen(_cli("import", tmp_path / "a.zip", "--ledger", dst),
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        time.sleep(rng.uniform(0.2, 1.2))
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        if target.exists():  # under its final name, a file is whole or absent
            assert hashlib.sha256(target.read_bytes()).hexdigest() == digest
        if dst.exists():  # the records are committed only after the evidence is in place
            assert target.exists()
            assert open_ledger(dst).verify()["problems"] == []
        else:
            killed_early += 1
    assert killed_early, "no kill landed before the import finished: the test proved nothing"
    r = subprocess.run(_cli("import", tmp_path / "a.zip", "--ledger", dst), capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    assert hashlib.sha256(target.read_bytes()).hexdigest() == digest
    assert open_ledger(dst).verify()["problems"] == []


def test_an_import_removes_evidence_temp_files_that_killed_copies_left(tmp_path):
    src = tmp_path / "a.json"
    [hid] = _ledger_with_hazards(src, 1)
    photo = tmp_path / "p.jpg"
    photo.write_bytes(b"photo")
    open_ledger(src, today="2026-03-03").fixed(hid, "已整改", (photo,))
    open_ledger(src).export(tmp_path / "a.zip")
    folder = tmp_path / "b.evidence" / "ab"
    folder.mkdir(parents=True)
    stale, fresh = folder / ".evidence.old.part", folder / ".evidence.new.part"
    stale.write_bytes(b"half a photo")
    fresh.write_bytes(b"being written")
    os.utime(stale, (time.time() - 7200, time.time() - 7200))
    open_ledger(tmp_path / "b.json").import_bundle(tmp_path / "a.zip")
    assert not stale.exists() and fresh.exists()
