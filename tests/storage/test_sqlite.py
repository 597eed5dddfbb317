"""What only the SQLite backend has: indexes, SQL transactions, its own file checks."""
from __future__ import annotations

import json
import os
import random
import signal
import sqlite3
import subprocess
import sys
import threading

import pytest

from inspect_cli.errors import LedgerBusy, LedgerError
from inspect_cli.storage.jsonfile import MemoryStore
from inspect_cli.storage.sqlite import LAYOUT_VERSION, SqliteBackend

ACTIVE = ["fixed", "open", "planned"]


def hazard(i: int) -> dict:
    return {"id": f"H-{i:05d}", "site": f"S{i % 7}", "status": ("open", "fixed", "closed", "planned")[i % 4],
            "severity": "major" if i % 10 == 0 else "general", "deadline": f"2026-{1 + i % 12:02d}-{1 + i % 28:02d}",
            "created": "2026-01-01", "description": f"隐患 {i}"}


@pytest.fixture
def backend(tmp_path):
    return SqliteBackend(tmp_path / "ledger.sqlite")


@pytest.fixture
def filled(backend):
    with backend.write() as st:
        st.put_many("hazards", [(h["id"], h) for h in map(hazard, range(2000))])
        st.conn.execute("ANALYZE")
    return backend


def test_overdue_list_and_count_use_the_status_deadline_indexes(filled):
    where = {"status": ("in", ACTIVE), "deadline": ("<", "2026-03-01")}
    with filled.read() as st:
        plan = " ".join(st.explain("hazards", where, order_by="deadline", limit=50))
        assert "USING INDEX" in plan and "deadline" in plan and "SCAN hazards" not in plan
        clause, params, rest = st._where("hazards", dict(where, severity="major"))
        assert not rest
        count_plan = " ".join(r[-1] for r in st.conn.execute("EXPLAIN QUERY PLAN SELECT COUNT(*) FROM hazards" + clause, params))
        assert "COVERING INDEX hazards_severity_status_deadline" in count_plan


def test_events_by_subject_use_the_index(filled):
    with filled.write() as st:
        st.put("events", "E-1", {"id": "E-1", "subject": "H-00001", "seq": 1})
    with filled.read() as st:
        plan = " ".join(st.explain("events", {"subject": "H-00001"}, order_by="seq"))
        assert "INDEX events_subject_seq (subject=?)" in plan  # then sorts the few events of one hazard


def test_same_results_as_the_reference_semantics(filled):
    rng = random.Random(7)
    rows = [hazard(i) for i in range(2000)]
    for r in rows[::13]:
        del r["deadline"]  # missing fields
    for r in rows[::17]:
        r["note"] = None
    with filled.write() as st:
        st.put_many("hazards", [(h["id"], h) for h in rows])
    ref = MemoryStore({"hazards": {h["id"]: h for h in rows}})
    conds = [("status", ("in", ACTIVE)), ("status", ("not in", ["closed", None])), ("severity", ("!=", "major")),
             ("deadline", ("<", "2026-04-01")), ("deadline", ("between", ("2026-02-01", "2026-05-01"))),
             ("deadline", (">=", "2026-06-01")), ("site", "S3"), ("note", None), ("note", ("!=", None)),
             ("description", ("in", ["隐患 3", "隐患 5", None])), ("deadline", ("not in", ["2026-01-01"]))]
    with filled.read() as st:
        for _ in range(200):
            where = dict(rng.sample(conds, rng.randint(0, 3)))
            order = rng.choice([None, "deadline", "site", "description", "note"])
            kw = dict(order_by=order, descending=rng.random() < 0.5, limit=rng.choice([None, 10]), offset=rng.choice([0, 5]))
            assert [h["id"] for h in st.find("hazards", where, **kw)] == [h["id"] for h in ref.find("hazards", where, **kw)]
            assert st.count("hazards", where) == ref.count("hazards", where)


def test_list_values_fall_back_to_python(backend):
    with backend.write() as st:
        st.put("hazards", "H-1", {"id": "H-1", "site": ["a", "b"], "tags": ["x"]})
        st.put("hazards", "H-2", {"id": "H-2", "site": "a", "tags": "x"})
    with backend.read() as st:
        assert [h["id"] for h in st.find("hazards", {"site": ["a", "b"]})] == ["H-1"]
        assert [h["id"] for h in st.find("hazards", {"tags": ("in", [["x"]])})] == ["H-1"]
        assert st.count("hazards", {"tags": "x"}) == 1


def test_rollback_leaves_the_file_as_it_was(backend):
    with backend.write() as st:
        st.put("hazards", "H-1", hazard(1))
    with pytest.raises(KeyError):
        with backend.write() as st:
            st.put_many("hazards", [(h["id"], h) for h in map(hazard, range(2, 100))])
            raise KeyError("boom")
    con = sqlite3.connect(backend.path)
    assert con.execute("SELECT COUNT(*) FROM hazards").fetchone()[0] == 1
    con.close()


def test_reading_a_missing_ledger_creates_no_file(backend):
    with backend.read() as st:
        assert st.count("hazards") == 0 and st.meta() == {}
    assert not backend.path.exists()


def test_a_read_is_a_snapshot_while_a_write_commits(backend):
    with backend.write() as st:
        st.put("hazards", "H-1", hazard(1))
    with backend.read() as st:
        assert st.count("hazards") == 1
        t = threading.Thread(target=lambda: _put(backend, 2))
        t.start()
        t.join()
        assert st.count("hazards") == 1 and st.get("hazards", "H-00002") is None
    with backend.read() as st:
        assert st.count("hazards") == 2


def _put(backend, i):
    with backend.write() as st:
        st.put("hazards", hazard(i)["id"], hazard(i))


def test_a_second_writer_waits_then_reports_busy(backend, monkeypatch):
    monkeypatch.setenv("INSPECT_LOCK_TIMEOUT", "0.2")
    errors = []
    with backend.write() as st:
        st.put("hazards", "H-1", hazard(1))
        t = threading.Thread(target=lambda: _catch(errors, lambda: _put(backend, 2)))
        t.start()
        t.join()
    assert errors and isinstance(errors[0], LedgerBusy)


def _catch(errors, f):
    try:
        f()
    except Exception as e:  # noqa: BLE001
        errors.append(e)


def test_committed_records_survive_sigkill(backend):
    code = f"""
import os, signal
from pathlib import Path
from inspect_cli.storage.sqlite import SqliteBackend
b = SqliteBackend(Path({str(backend.path)!r}))
with b.write() as st:
    st.put("hazards", "H-1", {{"id": "H-1", "status": "open"}})
with b.write() as st:
    st.put("hazards", "H-2", {{"id": "H-2", "status": "open"}})
    os.kill(os.getpid(), signal.SIGKILL)
"""
    proc = subprocess.run([sys.executable, "-c", code])
    assert proc.returncode == -signal.SIGKILL
    with backend.read() as st:
        assert st.get("hazards", "H-1") == {"id": "H-1", "status": "open"}
        assert st.get("hazards", "H-2") is None
    _put(backend, 3)  # the lock of the killed process is free again


def test_a_database_of_another_program_is_refused_and_untouched(backend):
    con = sqlite3.connect(backend.path)
    con.execute("CREATE TABLE customers (name TEXT)")
    con.commit()
    con.close()
    before = backend.path.read_bytes()
    for tx in (backend.read, backend.write):
        with pytest.raises(LedgerError, match="another program") as e:
            with tx() as st:
                st.put("hazards", "H-1", hazard(1))
        assert str(backend.path) in str(e.value)
    assert backend.path.read_bytes() == before


def test_a_text_file_is_refused_on_read_too(backend):
    backend.path.write_text("name,code\n")
    with pytest.raises(LedgerError, match="not an SQLite database"):
        with backend.read():
            pass


@pytest.mark.parametrize("change", ["schema", "layout"])
def test_a_newer_ledger_is_refused_naming_the_file(backend, change):
    with backend.write() as st:
        st.put("hazards", "H-1", hazard(1))
        if change == "schema":
            st.set_meta(dict(st.meta(), schema=99))
        else:
            st.conn.execute(f"PRAGMA user_version = {LAYOUT_VERSION + 1}")
    for tx in (backend.read, backend.write):
        with pytest.raises(LedgerError, match="newer inspect-cli") as e:
            with tx():
                pass
        assert str(backend.path) in str(e.value)


def test_records_are_stored_as_json_with_indexed_columns(backend):
    h = hazard(3)
    with backend.write() as st:
        st.put("hazards", h["id"], h)
        st.put("custom_table", "x", {"a": 1})
    con = sqlite3.connect(backend.path)
    row = con.execute("SELECT status, deadline, data FROM hazards").fetchone()
    assert row[:2] == (h["status"], h["deadline"]) and json.loads(row[2]) == h
    assert con.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    con.close()
    with backend.read() as st:
        assert st.get("custom_table", "x") == {"a": 1}
        assert st.find("no_such_table") == [] and st.count("no_such_table") == 0


def test_replacing_a_record_keeps_its_place(backend):
    with backend.write() as st:
        for i in range(3):
            st.put("hazards", f"H-{i}", {"id": f"H-{i}", "v": 0})
        st.put("hazards", "H-0", {"id": "H-0", "v": 1})
    with backend.read() as st:
        assert [h["id"] for h in st.find("hazards")] == ["H-0", "H-1", "H-2"]


def test_an_empty_file_becomes_a_ledger(backend):
    backend.path.touch()
    with backend.write() as st:
        st.put("hazards", "H-1", hazard(1))
    with backend.read() as st:
        assert st.count("hazards") == 1
    assert os.path.getsize(backend.path) > 0


def test_a_ledger_of_the_older_layout_is_upgraded_in_place(tmp_path):
    import sqlite3

    from builders import inspect_dust, ledger_with_site
    from cli.runner import invoke

    path = tmp_path / "ledger.sqlite"
    ledger = ledger_with_site(path, today="2026-03-02")
    inspect_dust(ledger, {"DP6-9": {}}, tmp_path)
    conn = sqlite3.connect(path)
    conn.executescript("DROP INDEX events_date_subject; DROP INDEX events_type_date_subject; "
                       "ALTER TABLE events DROP COLUMN date; "
                       "DROP INDEX hazards_status_closed_date_severity_closed_reason_created; "
                       "DROP INDEX hazards_closed_date; ALTER TABLE hazards DROP COLUMN closed_date; "
                       "PRAGMA user_version = 1;")
    conn.close()
    r = invoke(["report", "bulletin", "--month", "2026-03", "--format", "md", "--out", str(tmp_path / "b.md"),
                "--ledger", str(path), "--today", "2026-03-20"])
    assert r.exit_code == 0, r.stderr
    conn = sqlite3.connect(path)
    assert conn.execute("PRAGMA user_version").fetchone()[0] == LAYOUT_VERSION
    assert conn.execute("SELECT COUNT(*) FROM events WHERE date = '2026-03-02'").fetchone()[0] >= 1
    conn.close()
    assert invoke(["verify", "--ledger", str(path)]).exit_code == 0


def test_a_layout_2_ledger_gets_its_tally_columns_and_counts_the_same(tmp_path):
    """Layout 3 adds the columns stats count on; a ledger of layout 2 is filled in place, same figures."""
    import sqlite3

    from builders import inspect_dust, ledger_with_site
    from cli.runner import invoke

    path = tmp_path / "ledger.sqlite"
    ledger = ledger_with_site(path, today="2026-03-02")
    inspect_dust(ledger, {"DP6-9": {}, "GM10-11-10": {}}, tmp_path)
    args = ["stats", "--json", "--ledger", str(path), "--today", "2026-03-20"]
    before = invoke(args).json()
    conn = sqlite3.connect(path)
    conn.executescript("DROP INDEX inspections_date_status_kind_domain; DROP INDEX hazards_domain_severity_status_created;"
                       "DROP INDEX hazards_checklist_checklist_version_item_site_created;"
                       "DROP INDEX hazards_status_closed_date_severity_closed_reason_created;"
                       "DROP INDEX inspections_status_date_kind_hazards_domain; DROP INDEX inspections_status_kind_domain_date;"
                       "DROP INDEX inspections_status_site_kind_hazards_date;"
                       "DROP INDEX inspections_status_date_site_inspectors;"
                       "ALTER TABLE inspections DROP COLUMN hazards;"
                       "ALTER TABLE inspections DROP COLUMN kind; ALTER TABLE inspections DROP COLUMN status;"
                       "ALTER TABLE inspections DROP COLUMN domain; ALTER TABLE hazards DROP COLUMN closed_reason;"
                       "ALTER TABLE hazards DROP COLUMN item; ALTER TABLE hazards DROP COLUMN checklist_version;"
                       "PRAGMA user_version = 2;")
    conn.close()
    after = invoke(args).json()
    assert after == before and after["hazards"]["count"] == 2 and after["inspections"]["count"] == 1
    conn = sqlite3.connect(path)
    assert conn.execute("PRAGMA user_version").fetchone()[0] == LAYOUT_VERSION
    assert conn.execute("SELECT kind, status FROM inspections").fetchall() == [("enforcement", "completed")]
    assert sorted(r[0] for r in conn.execute("SELECT item FROM hazards")) == ["DP6-9", "GM10-11-10"]
    conn.close()


def test_a_layout_3_ledger_gets_the_bulletin_columns_and_the_same_bulletin(tmp_path):
    """Layout 4 adds what the bulletin counts on (a hazard's supervision/fix/plan, an event's type,
    inspectors, a site's code/region/added): a layout-3 ledger is filled in place, same bulletin."""
    import sqlite3

    from builders import inspect_dust, ledger_with_site
    from cli.runner import invoke

    path = tmp_path / "ledger.sqlite"
    ledger = ledger_with_site(path, today="2026-03-02")
    inspect_dust(ledger, {"DP6-9": {}, "GM10-11-10": {}}, tmp_path)
    args = ["report", "bulletin", "--month", "2026-03", "--format", "md", "--ledger", str(path), "--today", "2026-03-20"]
    assert invoke(args + ["--out", str(tmp_path / "before.md")]).exit_code == 0
    conn = sqlite3.connect(path)
    conn.executescript("DROP INDEX events_date_subject; DROP INDEX events_type_date_subject; "
                       "DROP INDEX hazards_supervision_status_deadline_created; "
                       "DROP INDEX inspections_status_date_site_inspectors; "
                       "ALTER TABLE events DROP COLUMN type; ALTER TABLE hazards DROP COLUMN supervision; "
                       "ALTER TABLE hazards DROP COLUMN fix; ALTER TABLE hazards DROP COLUMN plan; "
                       "ALTER TABLE inspections DROP COLUMN inspectors; ALTER TABLE sites DROP COLUMN code; "
                       "ALTER TABLE sites DROP COLUMN region; ALTER TABLE sites DROP COLUMN added; "
                       "ALTER TABLE sites DROP COLUMN address; ALTER TABLE sites DROP COLUMN attributes; "
                       "PRAGMA user_version = 3;")
    conn.close()
    assert invoke(args + ["--out", str(tmp_path / "after.md")]).exit_code == 0
    assert (tmp_path / "after.md").read_text("utf-8") == (tmp_path / "before.md").read_text("utf-8")
    conn = sqlite3.connect(path)
    assert conn.execute("PRAGMA user_version").fetchone()[0] == LAYOUT_VERSION
    assert conn.execute("SELECT COUNT(*) FROM events WHERE type = 'registered'").fetchone()[0] == 2
    conn.close()
    assert invoke(["verify", "--ledger", str(path)]).exit_code == 0
