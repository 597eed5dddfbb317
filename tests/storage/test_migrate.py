"""Migration between backends: every record, unchanged, counted and verified."""
from __future__ import annotations

import json
import sqlite3

import pytest

from builders import INSPECTORS, inspect_dust, ledger_with_site, other_code
from inspect_cli.errors import LedgerError, UsageError
from inspect_cli.ledger import open_ledger
from inspect_cli.storage.migrate import migrate
from inspect_cli.storage import open_backend
from inspect_cli.storage.interface import TABLES


def real_ledger(path, folder):
    """Sites, inspections and hazards with histories, made through the public API."""
    ledger = ledger_with_site(path, today="2026-03-02")
    ledger.add_site({"code": other_code(1), "name": "另一家木业公司", "industry": "木材加工", "risk_class": "B",
                     "attributes": {"wood_dust": True}})
    out = inspect_dust(ledger, {"GM10-11-10": {}, "DP6-9": {}}, folder)
    inspect_dust(ledger, {"DP6-9": {"note": "除尘器旁"}}, folder, code=other_code(1))
    ids = {h["item"]: h["id"] for h in out["hazards"]}
    ledger.set_setting("org.name", "某市应急管理局")
    later = open_ledger(path, today="2026-03-05")
    later.extend(ids["DP6-9"], "2026-03-20", "采购周期")
    later.fixed(ids["DP6-9"], "已整改")
    later.reinspect(ids["DP6-9"], "pass", INSPECTORS[:1])
    later.interim(ids["GM10-11-10"], "停止产尘作业")
    return ledger


def dump(path, backend=None):
    b = open_backend(path, backend)
    with b.read() as st:
        return st.meta(), {t: json.dumps(st.find(t), ensure_ascii=False) for t in TABLES}


def test_tinydb_to_sqlite_to_tinydb_keeps_every_record(tmp_path):
    src = tmp_path / "ledger.json"
    real_ledger(src, tmp_path)
    counts = migrate(src, tmp_path / "city.sqlite")
    assert counts["hazards"] == 3 and counts["events"] == 7 and counts["sites"] == 2 and counts["settings"] == 1
    assert counts["inspections"] == 2
    back = migrate(tmp_path / "city.sqlite", tmp_path / "back.json")
    assert back == counts
    original = dump(src)
    assert dump(tmp_path / "city.sqlite") == original
    assert dump(tmp_path / "back.json") == original
    for p in ("city.sqlite", "back.json"):
        result = open_ledger(tmp_path / p).verify()
        assert result["problems"] == [] and result["hazards"] == 3
    led = open_ledger(tmp_path / "city.sqlite", today="2026-03-06")
    assert led.settings()["org.name"] == "某市应急管理局"
    rows, total = led.hazards()
    assert total == 3 and {h["status"] for h in rows} == {"open", "closed"}


def test_records_keep_their_keys(tmp_path):
    src = tmp_path / "ledger.json"
    real_ledger(src, tmp_path)
    migrate(src, tmp_path / "city.db")
    con = sqlite3.connect(tmp_path / "city.db")
    assert con.execute("SELECT id FROM settings").fetchall() == [("org",)]
    assert sorted(r[0] for r in con.execute("SELECT id FROM sites")) == sorted([other_code(1), "91350100M000100Y43"])
    con.close()


@pytest.mark.parametrize("dst", ["full.json", "full.sqlite"])
def test_a_destination_with_records_is_refused_and_untouched(tmp_path, dst):
    src = tmp_path / "ledger.json"
    real_ledger(src, tmp_path)
    ledger_with_site(tmp_path / dst)
    before = dump(tmp_path / dst)
    with pytest.raises(LedgerError, match="already holds records"):
        migrate(src, tmp_path / dst)
    assert dump(tmp_path / dst) == before


def test_a_missing_source_or_the_same_file_is_refused(tmp_path):
    with pytest.raises(LedgerError, match="no ledger"):
        migrate(tmp_path / "none.json", tmp_path / "x.sqlite")
    with pytest.raises(UsageError, match="same file"):
        migrate(tmp_path / "a.json", tmp_path / "a.json")
    assert not (tmp_path / "x.sqlite").exists()


def test_backend_given_explicitly(tmp_path):
    src = tmp_path / "ledger.data"
    real_ledger(tmp_path / "ledger.json", tmp_path)
    migrate(tmp_path / "ledger.json", src, dst_backend="sqlite")
    assert src.read_bytes()[:16] == b"SQLite format 3\x00"
    counts = migrate(src, tmp_path / "again.json", src_backend="sqlite")
    assert counts["hazards"] == 3


def test_migrate_takes_the_evidence_files_along(tmp_path):
    ledger = ledger_with_site(tmp_path / "a.json", today="2026-03-02")
    inspect_dust(ledger, {"GM10-11-10": {}}, tmp_path)
    counts = migrate(tmp_path / "a.json", tmp_path / "b.sqlite")
    assert counts["evidence files"] == 1
    assert [p.name for p in (tmp_path / "a.evidence").rglob("*.png")] == [p.name for p in (tmp_path / "b.evidence").rglob("*.png")]
