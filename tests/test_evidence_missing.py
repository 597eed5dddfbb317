"""A ledger copied without its evidence folder: verify says so, export refuses; each names the files."""
from __future__ import annotations

import shutil

import pytest

from builders import inspect_dust, ledger_with_site
from cli.runner import invoke


@pytest.fixture
def moved(tmp_path):
    """A ledger with evidence, then copied to another 'laptop' without ledger.evidence/."""
    home = tmp_path / "office"
    home.mkdir()
    ledger = ledger_with_site(home / "ledger.json")
    inspect_dust(ledger, {"GM10-11-10": {}}, home)
    laptop = tmp_path / "laptop"
    laptop.mkdir()
    shutil.copy(home / "ledger.json", laptop / "ledger.json")
    return home, laptop


def test_verify_passes_with_the_evidence_folder(moved):
    home, _ = moved
    r = invoke(["verify", "--ledger", str(home / "ledger.json")])
    assert r.exit_code == 0, r.stdout + r.stderr


def test_verify_names_each_missing_evidence_file(moved):
    _, laptop = moved
    r = invoke(["verify", "--ledger", str(laptop / "ledger.json"), "--json"])
    assert r.exit_code == 8
    problems = r.json()["problems"]
    assert len(problems) == 1 and "is missing" in problems[0]


def test_verify_notices_a_changed_evidence_file(moved):
    home, _ = moved
    (stored,) = [p for p in (home / "ledger.evidence").rglob("*") if p.is_file()]
    stored.write_bytes(b"another photo")
    r = invoke(["verify", "--ledger", str(home / "ledger.json")])
    assert r.exit_code == 8 and "changed" in r.stdout


def test_export_refuses_when_evidence_is_missing_and_writes_nothing(moved, tmp_path):
    _, laptop = moved
    out = tmp_path / "bundle.zip"
    r = invoke(["export", "--out", str(out), "--ledger", str(laptop / "ledger.json")])
    assert r.exit_code == 8
    assert "not exported: 1 evidence file(s)" in r.stderr and "is missing" in r.stderr
    assert str(laptop / "ledger.evidence") in r.stderr
    assert not out.exists()


def test_export_with_the_evidence_folder_holds_every_file(moved, tmp_path):
    home, laptop = moved
    shutil.copytree(home / "ledger.evidence", laptop / "ledger.evidence")
    r = invoke(["export", "--out", str(tmp_path / "b.zip"), "--ledger", str(laptop / "ledger.json"), "--json"])
    assert r.exit_code == 0, r.stderr
    import zipfile

    assert len([n for n in zipfile.ZipFile(tmp_path / "b.zip").namelist() if n.startswith("evidence/")]) == 1


def test_export_since_checks_only_the_evidence_it_carries(moved, tmp_path):
    """A partial export whose records cite no missing photo is not refused."""
    from builders import other_code

    _, laptop = moved
    later = invoke(["site", "add", "--code", other_code(5), "--name", "新单位", "--ledger", str(laptop / "ledger.json"),
                    "--today", "2026-05-01"])
    assert later.exit_code == 0
    r = invoke(["export", "--out", str(tmp_path / "b.zip"), "--since", "2026-04-01",
                "--ledger", str(laptop / "ledger.json"), "--today", "2026-05-01"])
    assert r.exit_code == 0, r.stderr
