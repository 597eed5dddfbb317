"""inspect ledger backup DEST: a consistent copy with evidence, verified; never overwrites."""
from __future__ import annotations

import subprocess
import sys
import time

import pytest

from builders import inspect_dust, ledger_with_site
from cli.runner import invoke
from inspect_cli.storage.migrate import migrate


@pytest.fixture
def source(tmp_path):
    path = tmp_path / "office" / "ledger.json"
    path.parent.mkdir()
    ledger = ledger_with_site(path)
    inspect_dust(ledger, {"GM10-11-10": {}, "DP6-9": {}}, tmp_path)
    return path


@pytest.mark.parametrize("src_suffix, dest_name", [(".json", "copy.json"), (".json", "copy.sqlite"),
                                                   (".sqlite", "copy.sqlite"), (".sqlite", "copy.json")])
def test_a_backup_holds_every_record_and_photo_and_verifies(source, tmp_path, src_suffix, dest_name):
    if src_suffix == ".sqlite":
        sqlite = source.with_suffix(".sqlite")
        migrate(source, sqlite)
        source = sqlite
    before = source.read_bytes()
    dest = tmp_path / "usb" / dest_name
    r = invoke(["ledger", "backup", str(dest), "--ledger", str(source), "--json"])
    assert r.exit_code == 0, r.stderr
    out = r.json()
    assert out["verify"]["ok"] and out["counts"]["hazards"] == 2 and out["counts"]["evidence files"] == 1
    assert source.read_bytes() == before
    listed = invoke(["hazard", "list", "--ledger", str(dest), "--json"]).json()
    assert listed["total"] == 2
    assert invoke(["verify", "--ledger", str(dest)]).exit_code == 0
    assert len([p for p in (dest.parent / f"{dest.stem}.evidence").rglob("*") if p.is_file()]) == 1


def test_a_backup_never_overwrites(source, tmp_path):
    dest = tmp_path / "copy.json"
    dest.write_text("mine", encoding="utf-8")
    r = invoke(["ledger", "backup", str(dest), "--ledger", str(source)])
    assert r.exit_code == 2 and "already exists: a backup never overwrites" in r.stderr
    assert dest.read_text(encoding="utf-8") == "mine"
    same = invoke(["ledger", "backup", str(source), "--ledger", str(source)])
    assert same.exit_code == 2


def test_no_ledger_no_backup(tmp_path):
    r = invoke(["ledger", "backup", str(tmp_path / "copy.json"), "--ledger", str(tmp_path / "missing.json")])
    assert r.exit_code == 3 and not (tmp_path / "copy.json").exists()


def test_a_backup_of_a_ledger_missing_its_evidence_fails_verify(source, tmp_path):
    import shutil

    shutil.rmtree(source.parent / "ledger.evidence")
    r = invoke(["ledger", "backup", str(tmp_path / "copy.json"), "--ledger", str(source)])
    assert r.exit_code == 8 and "is missing" in r.stderr and "PROBLEM" in r.stderr


def test_the_backup_waits_for_the_ledger_lock(source, tmp_path):
    """Another process holds the ledger's lock: the backup does not copy a half-written ledger."""
    holder = subprocess.Popen([sys.executable, "-c", (
        "import sys, time; from filelock import FileLock; l = FileLock(sys.argv[1]); l.acquire(); "
        "print('held', flush=True); time.sleep(30)"), str(source) + ".lock"], stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "held"
        r = invoke(["ledger", "backup", str(tmp_path / "copy.json"), "--ledger", str(source)],
                   env={"INSPECT_LOCK_TIMEOUT": "1"})
        assert r.exit_code == 7 and "another inspect process is using the ledger" in r.stderr
        assert not (tmp_path / "copy.json").exists()
    finally:
        holder.kill()
        holder.wait()
    time.sleep(0.1)
    assert invoke(["ledger", "backup", str(tmp_path / "copy.json"), "--ledger", str(source)]).exit_code == 0
