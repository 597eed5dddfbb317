"""`inspect verify`, `inspect seal` and `inspect ledger upgrade` walk a ledger in batches
(issue 14): the same problems are found whichever batch they fall in, a seal made before
the change still verifies with the same digest, and `ledger upgrade --rebuild` repairs the
indexed columns of an SQLite ledger."""
from __future__ import annotations

import json
import shutil
import sqlite3
from pathlib import Path

import pytest

from builders import inspect_dust, ledger_with_site, other_code
from cli.runner import invoke
from inspect_cli import open_ledger
from inspect_cli.integrity import seal as sealing
from inspect_cli.integrity import verify as verifying
from inspect_cli.storage.sqlite import LAYOUT_VERSION

FIXTURE = Path(__file__).parent / "data" / "sealed-ledger"
DIGEST = (FIXTURE / "digest.txt").read_text().strip()


def restore(path: Path):
    """The fixture ledger (the demo's records) in a new ledger at ``path``, with its evidence."""
    data = json.loads((FIXTURE / "records.json").read_text(encoding="utf-8"))
    ledger = open_ledger(path, today="2026-04-01")
    with ledger.write() as st:
        for table, rows in data.items():
            if table != "meta":
                st.put_many(table, [(key, record) for key, record in rows])
    shutil.copytree(FIXTURE / "evidence", ledger.evidence_dir, dirs_exist_ok=True)
    return ledger


@pytest.fixture(params=["ledger.sqlite", "ledger.json"])
def fixture_ledger(request, tmp_path):
    return restore(tmp_path / request.param)


def test_a_seal_made_before_streaming_still_verifies_with_the_same_digest(fixture_ledger, tmp_path):
    """seal.json and digest.txt were written by `inspect seal` of the code before this change
    (whole tables in memory, one Python sort): the streamed leaves must give the same digest."""
    path = str(fixture_ledger.path)
    r = invoke(["verify", "--ledger", path, "--seal", str(FIXTURE / "seal.json"), "--digest", DIGEST])
    assert r.exit_code == 0, r.stdout + r.stderr
    assert f"Seal {DIGEST[:16]}… of 2026-04-01: 37 sealed record(s) checked." in r.stdout
    from inspect_cli.integrity.seal import seal_digest

    with fixture_ledger.read() as st:
        assert seal_digest(st) == DIGEST
    r = invoke(["seal", "--out", str(tmp_path / "again.json"), "--ledger", path, "--today", "2026-04-01", "--json"])
    assert r.exit_code == 0 and r.json()["digest"] == DIGEST
    assert r.json()["counts"] == {"site": 3, "inspection": 2, "event": 16, "case_event": 8, "document": 8}
    old = json.loads((FIXTURE / "seal.json").read_text(encoding="utf-8"))
    text = (tmp_path / "again.json").read_text(encoding="utf-8")
    new = json.loads(text)
    assert new["records"] == old["records"] and new["digest"] == old["digest"] == DIGEST
    # the file is written piece by piece, in exactly the format json.dumps(indent=0) gave
    assert text == json.dumps(new, ensure_ascii=False, indent=0) + "\n"


def test_a_seal_of_an_empty_table_set_has_the_format_of_before(tmp_path):
    ledger = open_ledger(tmp_path / "l.sqlite", today="2026-04-01")
    with ledger.write() as st:  # a ledger with nothing to seal
        st.set_meta(st.meta())
    made = ledger.seal(tmp_path / "s.json")
    text = (tmp_path / "s.json").read_text(encoding="utf-8")
    assert json.loads(text)["records"] == [] and made["digest"] == sealing.digest_of([])
    assert text == json.dumps(json.loads(text), ensure_ascii=False, indent=0) + "\n"


@pytest.mark.parametrize("dump", [
    lambda s: json.dumps(s),                                          # one line
    lambda s: json.dumps(s, ensure_ascii=False, indent=2),           # pretty-printed by hand
    lambda s: json.dumps(dict(reversed(list(s.items()))), indent=1),  # the records first
    lambda s: " \n" + json.dumps(s, separators=(",", ":")) + "\n\n",  # compact, blank lines around
])
@pytest.mark.parametrize("piece", [1, 3, 64, 1 << 20])
def test_a_seal_file_is_read_piece_by_piece_whatever_its_layout(tmp_path, monkeypatch, dump, piece):
    monkeypatch.setattr(sealing, "PIECE", piece)  # tokens, numbers included, cut across pieces
    seal = json.loads((FIXTURE / "seal.json").read_text(encoding="utf-8"))
    seal["extra"] = {"n": 12345678901234, "x": [1.5e3, None, True, "文"]}
    (tmp_path / "s.json").write_text(dump(seal), encoding="utf-8")
    assert sealing.read(tmp_path / "s.json") == seal


@pytest.mark.parametrize("text, code, says", [
    ('{"format": "inspect-cli-seal", "version": 1, "records": [["site", "a", "b"]', 4, "not a readable seal"),
    ('{"format": "inspect-cli-seal", "version": 1, "records": []} trailing', 4, "not a readable seal"),
    ('{"format": "inspect-cli-seal" "version": 1}', 4, "not a readable seal"),
    ('["inspect-cli-seal"]', 4, "is not an inspect-cli seal"),
    ('{"format": "other", "records": []}', 4, "is not an inspect-cli seal"),
    ('{"format": "inspect-cli-seal", "version": 9, "records": []}', 4, "newer inspect-cli"),
    ('{"format": "inspect-cli-seal", "version": 1, "records": [["site", "a"]]}', 8, "record list"),
    ('{"format": "inspect-cli-seal", "version": 1, "records": "all"}', 8, "record list"),
    ('{"format": "inspect-cli-seal", "version": 1}', 8, "record list"),
])
def test_a_broken_seal_file_is_refused_as_before(fixture_ledger, tmp_path, text, code, says):
    (tmp_path / "bad.json").write_text(text, encoding="utf-8")
    r = invoke(["verify", "--ledger", str(fixture_ledger.path), "--seal", str(tmp_path / "bad.json")])
    assert r.exit_code == code and says in r.stderr + r.stdout and "Traceback" not in r.stderr


# a ledger of six hazards, walked two at a time ------------------------------------------------
@pytest.fixture
def six(tmp_path, monkeypatch):
    """Three inspections of two hazards each, read two hazards (and two inspections) per batch."""
    monkeypatch.setattr(verifying, "BATCH", 2)
    monkeypatch.setattr(sealing, "BATCH", 2)
    path = tmp_path / "ledger.sqlite"
    ledger = ledger_with_site(path, today="2026-03-02")
    for n in (1, 2):
        ledger.add_site({"code": other_code(n), "name": f"第{n}公司", "industry": "木材加工",
                         "attributes": {"wood_dust": True}})
    inspect_dust(ledger, {"GM10-11-10": {}, "DP6-9": {}}, tmp_path)
    for n in (1, 2):
        inspect_dust(ledger, {"GM10-11-10": {}, "DP6-9": {}}, tmp_path, code=other_code(n))
    conn = sqlite3.connect(path)
    hazards = [r[0] for r in conn.execute("SELECT id FROM hazards ORDER BY rowid")]
    conn.close()
    assert len(hazards) == 6
    r = invoke(["seal", "--out", str(tmp_path / "seal.json"), "--ledger", str(path), "--today", "2026-03-31"])
    assert r.exit_code == 0, r.stderr
    return path, hazards


def test_problems_are_found_in_every_batch(six, tmp_path):
    path, hazards = six
    assert invoke(["verify", "--ledger", str(path)]).exit_code == 0
    with sqlite3.connect(path) as conn:
        # batch 2: an event's content edited
        conn.execute("UPDATE events SET data = json_set(data, '$.note', '改过') WHERE subject = ?", (hazards[2],))
        # batch 2: a hazard removed, its events left behind (orphans)
        conn.execute("DELETE FROM hazards WHERE id = ?", (hazards[3],))
        # batch 3: a hazard removed with its whole history; its inspection still names it
        conn.execute("DELETE FROM hazards WHERE id = ?", (hazards[5],))
        conn.execute("DELETE FROM events WHERE subject = ?", (hazards[5],))
        # an event of a hazard that never was
        conn.execute("INSERT INTO events (id, subject, seq, date, data) SELECT 'E-FAKE', 'H-00000-NEVER', seq, date, "
                     "json_set(json_set(data, '$.subject', 'H-00000-NEVER'), '$.id', 'E-FAKE') FROM events LIMIT 1")
    r = invoke(["verify", "--ledger", str(path), "--json"])
    assert r.exit_code == 8
    out = r.json()
    problems = "\n".join(out["problems"])
    assert f"{hazards[2]} event 1 (registered" in problems and "hash mismatch" in problems
    assert f"1 event(s) belong to hazard {hazards[3]}, which is not in the ledger" in problems
    assert "1 event(s) belong to hazard H-00000-NEVER, which is not in the ledger" in problems
    assert f"hazard {hazards[5]}, found at inspection" in problems and "is missing from the ledger" in problems
    assert f"hazard {hazards[3]}, found at inspection" in problems
    assert not any(h in problems for h in (hazards[0], hazards[1], hazards[4]))
    assert out["hazards"] == 4 and out["events"] == 6 and out["ok"] is False
    # the seal names the same changes, across its batches too
    r = invoke(["verify", "--ledger", str(path), "--seal", str(tmp_path / "seal.json"), "--json"])
    seal = r.json()["seal"]
    assert seal["changed"] == 1 and seal["removed"] == 1 and seal["added"]["event"] == 1
    assert f"of hazard {hazards[5]}: sealed on 2026-03-31 but no longer in the ledger (removed)" in "\n".join(
        r.json()["problems"])


def test_verify_reads_the_ledger_a_batch_at_a_time(six, monkeypatch):
    """No query hands verify more than a batch of hazards or inspections, or the events of
    more than a batch of hazards; no table is read whole."""
    from inspect_cli.storage.sqlite import SqliteStore

    path, _ = six
    largest: dict[str, int] = {}
    find = SqliteStore.find
    items = SqliteStore.iter_items

    def spy_find(self, table, where=None, *args, **kw):
        rows = find(self, table, where, *args, **kw)
        assert where or kw.get("limit") or table not in ("events", "hazards", "inspections"), f"all {table} at once"
        largest[table] = max(largest.get(table, 0), len(rows))
        return rows

    def spy_items(self, table, batch=2000):
        for chunk in items(self, table, batch):
            largest[table] = max(largest.get(table, 0), len(chunk))
            yield chunk

    monkeypatch.setattr(SqliteStore, "find", spy_find)
    monkeypatch.setattr(SqliteStore, "iter_items", spy_items)
    r = invoke(["verify", "--ledger", str(path), "--json", "--quiet"])
    assert r.exit_code == 0 and r.json()["hazards"] == 6 and r.json()["events"] == 6
    assert largest["hazards"] <= 2 and largest["inspections"] <= 2 and largest["events"] <= 2
    # sealing and checking a seal read the sealed tables a batch at a time too
    r = invoke(["seal", "--out", str(path.parent / "again.json"), "--ledger", str(path), "--json"])
    assert r.exit_code == 0 and r.json()["counts"]["event"] == 6
    r = invoke(["verify", "--seal", str(path.parent / "again.json"), "--ledger", str(path), "--json"])
    assert r.exit_code == 0 and r.json()["seal"]["checked"] == 6 + 3 + 3  # events, inspections, sites
    assert max(largest.values()) <= 2, largest


def test_verify_and_seal_keep_json_clean_and_take_quiet(six, tmp_path):
    path, _ = six
    r = invoke(["verify", "--ledger", str(path), "--json", "-q"])
    assert r.exit_code == 0 and r.json()["ok"] is True and r.stderr == ""
    r = invoke(["seal", "--out", str(tmp_path / "s2.json"), "--ledger", str(path), "--json", "--quiet"])
    assert r.exit_code == 0 and r.json()["counts"]["event"] == 6 and "records" not in r.json()


def test_verify_shows_a_bar_on_a_terminal_and_stdout_stays_json(six):
    import os
    import pty
    import subprocess
    import sys

    path, _ = six
    controller, terminal = pty.openpty()
    proc = subprocess.run([sys.executable, "-m", "inspect_cli", "verify", "--ledger", str(path), "--json"],
                          stdout=subprocess.PIPE, stderr=terminal, env=dict(os.environ), timeout=120)
    os.close(terminal)
    os.close(controller)
    assert proc.returncode == 0 and json.loads(proc.stdout)["ok"] is True


# ledger upgrade ------------------------------------------------------------------------------
def test_upgrade_rebuild_repairs_a_column_edited_behind_the_ledgers_back(six):
    path, hazards = six
    with sqlite3.connect(path) as conn:
        conn.execute("UPDATE hazards SET status = 'closed', severity = 'general' WHERE id = ?", (hazards[4],))
        conn.execute("UPDATE events SET date = '2020-01-01' WHERE subject = ?", (hazards[1],))
    r = invoke(["verify", "--ledger", str(path)])
    assert r.exit_code == 8 and "indexed column(s) status, severity disagree" in r.stdout
    plain = invoke(["ledger", "upgrade", "--ledger", str(path)])
    assert plain.exit_code == 0 and f"layout {LAYOUT_VERSION} (current)" in plain.stdout
    assert invoke(["verify", "--ledger", str(path)]).exit_code == 8  # without --rebuild nothing is recomputed
    r = invoke(["ledger", "upgrade", str(path), "--rebuild", "--json"])
    assert r.exit_code == 0, r.stderr
    done = r.json()
    assert done["backend"] == "sqlite" and done["rebuild"] is True and done["layout"] == LAYOUT_VERSION
    assert any(line.startswith("hazards:") and "1 row(s) disagreed" in line for line in done["done"])
    assert any(line.startswith("events:") and "1 row(s) disagreed" in line for line in done["done"])
    assert invoke(["verify", "--ledger", str(path)]).exit_code == 0
    with sqlite3.connect(path) as conn:
        assert conn.execute("SELECT status, severity, json_extract(data, '$.status'), json_extract(data, '$.severity') "
                            "FROM hazards WHERE id = ?", (hazards[4],)).fetchone() in (("open", "major") * 2,
                                                                                       ("open", "general") * 2)


def test_upgrade_brings_an_older_layout_up_to_date_and_says_what_it_did(six):
    path, _ = six
    with sqlite3.connect(path) as conn:
        for table, column in (("hazards", "closed_date"), ("events", "date")):
            # the indexes on the column go first (SQLite refuses to drop an indexed column)
            for (name,) in conn.execute("SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = ? "
                                        "AND sql IS NOT NULL", (table,)).fetchall():
                if column in [r[2] for r in conn.execute(f"PRAGMA index_info({name})")]:
                    conn.execute(f"DROP INDEX {name}")
            conn.execute(f"ALTER TABLE {table} DROP COLUMN {column}")
        conn.execute("PRAGMA user_version = 1")
    r = invoke(["ledger", "upgrade", "--ledger", str(path)])
    assert r.exit_code == 0, r.stderr
    assert f"layout 1 → {LAYOUT_VERSION}" in r.stdout
    assert "hazards: added the indexed column(s) closed_date" in r.stdout
    assert "events: added the indexed column(s) date" in r.stdout and "events_date" in r.stdout
    with sqlite3.connect(path) as conn:
        assert conn.execute("PRAGMA user_version").fetchone()[0] == LAYOUT_VERSION
        assert conn.execute("SELECT COUNT(*) FROM events WHERE date = '2026-03-02'").fetchone()[0] == 6
    assert invoke(["verify", "--ledger", str(path)]).exit_code == 0


def test_upgrade_of_a_tinydb_ledger_says_it_needs_none(tmp_path):
    path = tmp_path / "ledger.json"
    ledger_with_site(path)
    before = path.read_bytes()
    r = invoke(["ledger", "upgrade", "--ledger", str(path), "--json"])
    assert r.exit_code == 0 and r.json()["needed"] is False and "needs no upgrade" in r.json()["done"][0]
    assert path.read_bytes() == before


def test_upgrade_of_a_missing_ledger_or_rebuild_of_a_server_is_refused(tmp_path):
    r = invoke(["ledger", "upgrade", str(tmp_path / "typo.sqlite")])
    assert r.exit_code == 3 and "there is no ledger" in r.stderr and not (tmp_path / "typo.sqlite").exists()
    r = invoke(["ledger", "upgrade", "postgresql://nobody@127.0.0.1:1/none", "--rebuild"])
    assert r.exit_code == 2 and "--rebuild is for an SQLite ledger file" in r.stderr


def test_upgrade_refuses_a_file_that_is_not_a_ledger_and_leaves_it_untouched(tmp_path):
    path = tmp_path / "notes.sqlite"
    path.write_text("not a database\n", encoding="utf-8")
    r = invoke(["ledger", "upgrade", "--ledger", str(path), "--rebuild"])
    assert r.exit_code == 6 and "not an inspect-cli ledger" in r.stderr and "Traceback" not in r.stderr
    assert path.read_text(encoding="utf-8") == "not a database\n"
    other = tmp_path / "other.sqlite"
    with sqlite3.connect(other) as conn:
        conn.execute("CREATE TABLE t (x)")
    before = other.read_bytes()
    r = invoke(["ledger", "upgrade", str(other)])
    assert r.exit_code == 6 and "another program" in r.stderr and other.read_bytes() == before
