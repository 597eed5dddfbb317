"""The ledger's files: the large-ledger layout, upgrades, symlinks, read-only files, leftovers, a full disk."""
from __future__ import annotations

import errno
import json
import os
import sqlite3
from pathlib import Path

import pytest

from builders import INSPECTORS, inspect_dust, ledger_with_site
from cli.runner import invoke
from inspect_cli.errors import LedgerError
from inspect_cli.ledger import open_ledger
from inspect_cli.storage import open_backend, tablefiles
from inspect_cli.storage.interface import TABLES


def real_ledger(path: Path, folder: Path) -> None:
    """A small ledger made through the public API: one file, as main at c51b00a writes it."""
    ledger = ledger_with_site(path, today="2026-03-02")
    out = inspect_dust(ledger, {"GM10-11-10": {}, "DP6-9": {}}, folder)
    inspect_dust(ledger, {}, folder)  # a second inspection, no findings
    ids = {h["item"]: h["id"] for h in out["hazards"]}
    later = open_ledger(path, today="2026-03-05")
    later.fixed(ids["DP6-9"], "已整改")
    later.reinspect(ids["DP6-9"], "pass", INSPECTORS[:1])


def dump(path: Path) -> dict[str, str]:
    with open_backend(path).read() as st:
        return {t: json.dumps(st.find(t), ensure_ascii=False) for t in TABLES}


def small_buckets(monkeypatch) -> None:
    monkeypatch.setattr(tablefiles, "INLINE_MAX", 2000)
    monkeypatch.setattr(tablefiles, "BUCKET_BYTES", 1000)


def files_named(path: Path) -> set[str]:
    main = json.loads(path.read_text(encoding="utf-8"))
    layout = main.get("_layout", {}).get("tables", {})
    return {b["file"] for entry in layout.values() for b in entry["buckets"]}


# the layout ----------------------------------------------------------------------------------

def test_a_one_file_ledger_upgrades_in_place_on_its_first_write_and_verifies(tmp_path, monkeypatch):
    path = tmp_path / "ledger.json"
    real_ledger(path, tmp_path)
    main = json.loads(path.read_text(encoding="utf-8"))
    assert "_layout" not in main and main["_meta"]["ledger"]["schema"] == 1  # today's one-file layout
    before = dump(path)
    assert open_ledger(path).verify()["problems"] == []  # read as it is, nothing written
    assert not tablefiles.folder_of(path).exists()

    small_buckets(monkeypatch)
    assert invoke(["config", "set", "org.name", "某市应急管理局", "--ledger", str(path)]).exit_code == 0
    main = json.loads(path.read_text(encoding="utf-8"))
    assert {"inspections", "events", "hazards"} <= set(main["_layout"]["tables"])
    assert "inspections" not in main and main["_meta"]["ledger"]["schema"] == 2
    folder = tablefiles.folder_of(path)
    assert sorted(p.name for p in folder.iterdir()) == sorted(files_named(path))
    assert len([n for n in files_named(path) if n.startswith("inspections.")]) > 1  # cut into buckets
    stored = b"".join((folder / n).read_bytes() for n in files_named(path) if n.startswith("inspections."))
    plain = sum(len(json.dumps(r, ensure_ascii=False).encode()) for r in open_ledger(path).inspections())
    assert b'"answers":{"~":[' in stored and len(stored) < plain / 2  # answers stored compactly
    after = dump(path)
    assert {t: v for t, v in after.items() if t != "settings"} == {t: v for t, v in before.items() if t != "settings"}
    result = invoke(["verify", "--ledger", str(path)])
    assert result.exit_code == 0, result.stderr


def test_a_change_rewrites_only_the_buckets_it_touches(tmp_path, monkeypatch):
    small_buckets(monkeypatch)
    path = tmp_path / "ledger.json"
    real_ledger(path, tmp_path)
    before = files_named(path)
    hazard = next(h for h in open_ledger(path).hazards()[0] if h["status"] == "open")
    assert invoke(["hazard", "interim", hazard["id"], "--measures", "停止作业", "--ledger", str(path),
                   "--today", "2026-03-06"]).exit_code == 0
    after = files_named(path)
    changed = {n.split(".")[0] for n in after - before}
    assert changed == {"hazards", "events"}  # the inspections' buckets were not rewritten
    assert len(after - before) <= 3
    assert sorted(p.name for p in tablefiles.folder_of(path).iterdir()) == sorted(after)  # superseded ones removed


def test_a_missing_tables_folder_is_named(tmp_path, monkeypatch):
    small_buckets(monkeypatch)
    path = tmp_path / "ledger.json"
    real_ledger(path, tmp_path)
    tablefiles.folder_of(path).rename(tmp_path / "elsewhere")
    r = invoke(["hazard", "list", "--json", "--ledger", str(path)])
    assert r.exit_code == 6 and "ledger.tables" in r.stderr and "Traceback" not in r.stderr


def test_tinydb_can_still_open_it(tmp_path, monkeypatch):
    from tinydb import TinyDB

    from inspect_cli.storage.jsonfile import AtomicJSONStorage

    small_buckets(monkeypatch)
    path = tmp_path / "ledger.json"
    real_ledger(path, tmp_path)
    db = TinyDB(str(path), storage=AtomicJSONStorage)
    assert len(db.table("hazards")) == 2 and len(db.table("events")) == 4 and len(db.table("inspections")) == 2
    before = dump(path)
    db.table("notes").insert({"text": "经TinyDB写入"})  # a write through TinyDB commits like any other
    assert dump(path) == before
    with open_backend(path).read() as st:
        assert [r["text"] for _, r in st.items("notes")] == ["经TinyDB写入"]
    assert open_ledger(path).verify()["problems"] == []


# issue 10: files ------------------------------------------------------------------------------

@pytest.mark.parametrize("name", ["ledger.json", "ledger.sqlite"])
def test_a_symlinked_ledger_is_written_through_to_its_target(tmp_path, name):
    target = tmp_path / "real" / name
    target.parent.mkdir()
    assert invoke(["config", "set", "org.name", "甲", "--ledger", str(target)]).exit_code == 0
    link = tmp_path / name
    link.symlink_to(target)
    r = invoke(["config", "set", "org.name", "乙", "--ledger", str(link)])
    assert r.exit_code == 0, r.stderr
    assert link.is_symlink() and link.resolve() == target
    assert open_ledger(target).settings()["org.name"] == "乙"


@pytest.mark.parametrize("name", ["ledger.json", "ledger.sqlite"])
def test_a_read_only_ledger_gives_exit_6_and_nothing_changes(tmp_path, name):
    path = tmp_path / name
    assert invoke(["config", "set", "org.name", "甲", "--ledger", str(path)]).exit_code == 0
    os.chmod(path, 0o444)
    before = {p.name: p.read_bytes() for p in tmp_path.iterdir() if p.is_file()}
    r = invoke(["config", "set", "org.name", "乙", "--ledger", str(path)])
    assert r.exit_code == 6 and "read-only" in r.stderr and str(path) in r.stderr and "Traceback" not in r.stderr
    assert {p.name: p.read_bytes() for p in tmp_path.iterdir() if p.is_file()} == before
    assert open_ledger(path).settings()["org.name"] == "甲"


@pytest.mark.parametrize("name", ["ledger.json", "ledger.sqlite"])
def test_a_read_only_folder_gives_exit_6_and_nothing_changes(tmp_path, name):
    folder = tmp_path / "ro"
    folder.mkdir()
    path = folder / name
    assert invoke(["config", "set", "org.name", "甲", "--ledger", str(path)]).exit_code == 0
    before = {p.name: p.read_bytes() for p in folder.iterdir() if p.is_file()}
    os.chmod(folder, 0o555)
    try:
        r = invoke(["config", "set", "org.name", "乙", "--ledger", str(path)])
        assert r.exit_code == 6 and "read-only" in r.stderr and "Traceback" not in r.stderr
        assert {p.name: p.read_bytes() for p in folder.iterdir() if p.is_file()} == before
    finally:
        os.chmod(folder, 0o755)


def test_temp_files_of_killed_writes_are_removed_by_the_next_write_not_by_a_read(tmp_path, monkeypatch):
    small_buckets(monkeypatch)
    path = tmp_path / "ledger.json"
    real_ledger(path, tmp_path)
    folder = tablefiles.folder_of(path)
    leftovers = [tmp_path / ".ledger.json.k2j4h1.tmp", folder / ".hazards.0123.json.4242.tmp",
                 folder / "events.0123456789abcdef0123.json"]  # a bucket whose manifest never landed
    for p in leftovers:
        p.write_bytes(b"x" * 1000)
    unrelated = tmp_path / ".other.json.k2j4h1.tmp"
    unrelated.write_bytes(b"keep")
    assert invoke(["hazard", "list", "--json", "--ledger", str(path)]).exit_code == 0
    assert all(p.exists() for p in leftovers)  # a read never deletes
    assert invoke(["config", "set", "org.name", "甲", "--ledger", str(path)]).exit_code == 0
    assert not any(p.exists() for p in leftovers)
    assert unrelated.exists()
    assert open_ledger(path).verify()["problems"] == []


def _no_space(*_a, **_k):
    raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))


def test_a_full_disk_gives_exit_6_with_the_cause_and_changes_nothing_tinydb(tmp_path, monkeypatch):
    small_buckets(monkeypatch)
    path = tmp_path / "ledger.json"
    real_ledger(path, tmp_path)
    hazard = next(h for h in open_ledger(path).hazards()[0] if h["status"] == "open")
    before = {p.relative_to(tmp_path): p.read_bytes() for p in tmp_path.rglob("*") if p.is_file()}
    monkeypatch.setattr(os, "fsync", _no_space)
    r = invoke(["hazard", "interim", hazard["id"], "--measures", "停止作业", "--ledger", str(path),
                "--today", "2026-03-06"])
    monkeypatch.undo()
    assert r.exit_code == 6, r.stderr
    assert "No space left on device" in r.stderr and str(path) in r.stderr and "Traceback" not in r.stderr
    after = {p.relative_to(tmp_path): p.read_bytes() for p in tmp_path.rglob("*") if p.is_file()}
    assert after == before


def test_a_full_disk_gives_exit_6_with_the_cause_and_changes_nothing_sqlite(tmp_path, monkeypatch):
    from inspect_cli.storage.sqlite import SqliteBackend

    path = tmp_path / "ledger.sqlite"
    real_ledger(path, tmp_path)
    before = dump(path)
    connect = SqliteBackend._connect

    def full(self, uri):  # the database may not grow by a single page: SQLITE_FULL, as on a full disk
        conn = connect(self, uri)
        pages = conn.execute("PRAGMA page_count").fetchone()[0]
        conn.execute(f"PRAGMA max_page_count = {max(pages, 1)}")
        return conn

    monkeypatch.setattr(SqliteBackend, "_connect", full)
    with pytest.raises(LedgerError) as e:
        with open_backend(path).write() as st:
            st.put("hazards", "H-X", {"id": "H-X", "description": "某" * 200_000})
    monkeypatch.undo()
    assert e.value.exit_code == 6 and "disk is full" in str(e.value) and str(path) in str(e.value)
    assert dump(path) == before
    with sqlite3.connect(path) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"


def test_verify_names_a_table_file_edited_outside_inspect_cli(tmp_path, monkeypatch):
    """Lists and counts come from a bucket's index line: a record changed behind its back is reported."""
    small_buckets(monkeypatch)
    path = tmp_path / "ledger.json"
    real_ledger(path, tmp_path)
    assert invoke(["verify", "--ledger", str(path)]).exit_code == 0
    buckets = [tablefiles.folder_of(path) / n for n in files_named(path) if n.startswith("hazards.")]
    bucket = next(b for b in buckets if b'"status":"open"' in b.read_bytes())
    lines = bucket.read_bytes().split(b"\n")
    n = next(i for i, line in enumerate(lines) if i >= 2 and b'"status":"open"' in line)
    lines[n] = lines[n].replace(b'"status":"open"', b'"status":"closed"')
    bucket.write_bytes(b"\n".join(lines))
    r = invoke(["verify", "--ledger", str(path)])
    assert r.exit_code == 8
    assert "does not match its content name" in r.stdout + r.stderr
    assert "the indexed column(s) status disagree with the record" in r.stdout + r.stderr
