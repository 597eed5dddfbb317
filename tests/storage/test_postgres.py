"""The bureau's PostgreSQL ledger: init and roles, guards, read-only use, migration, concurrency.

Runs against the server of ``INSPECT_TEST_PG_URL`` (``.ci/run`` starts one); see tests/pgserver.py.
"""
from __future__ import annotations

import json
import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest

from builders import SITE, inspect_dust, ledger_with_site
from cli.runner import invoke
from inspect_cli.errors import LedgerError
from inspect_cli.ledger import open_ledger
from pgserver import fresh_database, role_url


@pytest.fixture
def url(request):
    return fresh_database(request)


@pytest.fixture
def roles(url):
    """Role names of this test (roles are cluster-wide: each test names its own, via the options)."""
    tag = secrets.token_hex(3)
    writer, reader = f"w_{tag}", f"r_{tag}"
    r = invoke(["ledger", "init", url, "--writer-role", writer, "--reader-role", reader])
    assert r.exit_code == 0, r.stderr
    import psycopg

    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute(f"CREATE ROLE {writer}_login LOGIN IN ROLE {writer}")
        conn.execute(f"CREATE ROLE {reader}_login LOGIN IN ROLE {reader}")
    yield {"writer": role_url(url, f"{writer}_login"), "reader": role_url(url, f"{reader}_login"),
           "out": r.stdout}
    with psycopg.connect(url, autocommit=True) as conn:
        for role in (f"{writer}_login", f"{reader}_login", writer, reader):
            conn.execute(f"DROP OWNED BY {role}")
            conn.execute(f"DROP ROLE {role}")


def with_hazards(url, tmp_path, today="2026-03-02"):
    ledger = ledger_with_site(url, today=today)
    result = inspect_dust(ledger, {"GM10-11-10": {}, "DP6-9": {}}, tmp_path)
    return ledger, [h["id"] for h in result["hazards"]]


def psql(url, sql):
    import psycopg

    with psycopg.connect(url, autocommit=True) as conn:
        cur = conn.execute(sql)
        return cur.fetchall() if cur.description else None


# init, roles, guards --------------------------------------------------------------------------
def test_init_prints_what_it_did_and_a_second_init_changes_nothing(url, roles):
    assert "created schema inspect" in roles["out"] and "granted" in roles["out"] and "SELECT only" in roles["out"]
    r = invoke(["ledger", "info", "--ledger", url, "--json"])
    assert r.exit_code == 0 and r.json()["backend"] == "postgresql" and r.json()["exists"] is True
    again = invoke(["ledger", "init", url, "--writer-role", "x_w", "--reader-role", "x_r", "--json"])
    assert again.exit_code == 0 and not any("created schema" in d for d in again.json()["done"])
    psql(url, "DROP OWNED BY x_w; DROP OWNED BY x_r; DROP ROLE x_w; DROP ROLE x_r")


def test_init_of_a_file_is_a_usage_error(tmp_path):
    r = invoke(["ledger", "init", str(tmp_path / "l.json")])
    assert r.exit_code == 2 and "postgresql://" in r.stderr


def test_the_writer_works_but_cannot_change_or_delete_an_event(url, roles, tmp_path):
    ledger, ids = with_hazards(roles["writer"], tmp_path)
    r = invoke(["hazard", "interim", ids[0], "--measures", "停用除尘器", "--ledger", roles["writer"]])
    assert r.exit_code == 0, r.stderr
    import psycopg

    for sql in ("UPDATE inspect.events SET data = data || '{\"note\": \"x\"}'",
                "DELETE FROM inspect.events", "DELETE FROM inspect.documents", "TRUNCATE inspect.events"):
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            psql(roles["writer"], sql)
    # the guards: not even the owner (a superuser here) may change history
    for sql in ("UPDATE inspect.events SET data = data || '{\"note\": \"x\"}'", "DELETE FROM inspect.events",
                "TRUNCATE inspect.events", "DELETE FROM inspect.inspections"):
        with pytest.raises(psycopg.errors.RaiseException):
            psql(url, sql)
    # nor may the writer switch the guards off by claiming to be an upgrade
    with pytest.raises(psycopg.errors.RaiseException):
        psql(roles["writer"], "BEGIN; SET LOCAL inspect.upgrade = 'on'; "
                              "UPDATE inspect.inspections SET data = data || '{\"answers\": {}}'; COMMIT")
    assert invoke(["verify", "--ledger", url]).exit_code == 0


def test_issued_documents_are_permanent_and_numbers_only_go_up(url, roles):
    ledger = open_ledger(roles["writer"], today="2026-03-02")
    ledger.set_setting("org.code", "榕应急")
    assert ledger.take_document_numbers([("order", "I-1", "2026-03-02")], ledger.settings())
    import psycopg

    with pytest.raises(psycopg.errors.RaiseException):
        psql(roles["writer"], "UPDATE inspect.documents SET data = data || '{\"number\": \"9\"}' WHERE id = 'order:I-1'")
    with pytest.raises(psycopg.errors.RaiseException):
        psql(roles["writer"], "UPDATE inspect.documents SET data = jsonb_set(data, '{seq}', '0') WHERE id LIKE 'seq:%'")


def test_the_reader_reads_everything_and_cannot_write(url, roles, tmp_path):
    _, ids = with_hazards(roles["writer"], tmp_path)
    reader = roles["reader"]
    for args in (["hazard", "list", "--json"], ["hazard", "show", ids[0], "--json"], ["stats", "--json"],
                 ["verify"], ["audit", "--json"], ["ledger", "info", "--json"]):
        r = invoke(args + ["--ledger", reader], env={"INSPECT_TODAY": "2026-03-02"})
        assert r.exit_code in (0, 1), (args, r.stderr)  # audit exits 1 when it flags something
        assert "Error" not in r.stderr, (args, r.stderr)
    assert len(json.loads(invoke(["hazard", "list", "--json", "--ledger", reader]).stdout)["hazards"]) == 2
    before = psql(url, "SELECT count(*) FROM inspect.events")
    r = invoke(["hazard", "interim", ids[0], "--measures", "x", "--ledger", reader])
    assert r.exit_code == 6 and "inspect_reader may only read" in r.stderr
    assert psql(url, "SELECT count(*) FROM inspect.events") == before
    import psycopg

    with pytest.raises(psycopg.errors.InsufficientPrivilege):
        psql(reader, "INSERT INTO inspect.settings (id, data) VALUES ('x', '{}')")


def test_the_reader_renders_a_document_the_writer_numbered(url, roles, tmp_path):
    ledger = ledger_with_site(roles["writer"])
    ledger.set_setting("org.code", "榕应急")
    result = inspect_dust(ledger, {"GM10-11-10": {}}, tmp_path)
    ins = result["inspection"]["id"]
    first = invoke(["report", "order", ins, "--format", "md", "--out", str(tmp_path / "w.md"), "--ledger", roles["writer"]])
    assert first.exit_code == 0, first.stderr
    again = invoke(["report", "order", ins, "--format", "md", "--out", str(tmp_path / "r.md"), "--ledger", roles["reader"]])
    assert again.exit_code == 0, again.stderr
    assert "应急责改〔2026〕1号" in (tmp_path / "r.md").read_text(encoding="utf-8")
    assert (tmp_path / "r.md").read_text(encoding="utf-8") == (tmp_path / "w.md").read_text(encoding="utf-8")


def test_reads_run_in_a_read_only_transaction(url, tmp_path):
    with_hazards(url, tmp_path)
    ledger = open_ledger(url)
    import psycopg

    with ledger.read() as st:
        with pytest.raises(psycopg.errors.ReadOnlySqlTransaction):
            st.conn.execute("INSERT INTO inspect.settings (id, data) VALUES ('x', '{}')")


def test_an_older_layout_is_refused_until_ledger_upgrade(url, tmp_path):
    with_hazards(url, tmp_path)
    psql(url, "UPDATE inspect._meta SET value = value || '{\"layout\": 0}'")
    r = invoke(["hazard", "list", "--ledger", url])
    assert r.exit_code == 6 and "inspect ledger upgrade" in r.stderr
    r = invoke(["ledger", "upgrade", url])
    assert r.exit_code == 0 and "layout 0 → 2" in r.stdout, r.stderr
    assert invoke(["hazard", "list", "--ledger", url]).exit_code == 0


def test_ledger_upgrade_from_layout_1_adds_the_tally_columns_and_keeps_the_guards(url, tmp_path):
    from inspect_cli.storage.pglayout import COLUMNS

    with_hazards(url, tmp_path)
    want = json.loads(invoke(["stats", "--json", "--ledger", url], env={"INSPECT_TODAY": "2026-03-05"}).stdout)
    # a ledger made by the previous version: layout 1 had none of the tally columns
    psql(url, "ALTER TABLE inspect.hazards DROP COLUMN closed_reason, DROP COLUMN item, DROP COLUMN checklist_version")
    psql(url, "ALTER TABLE inspect.inspections DROP COLUMN kind, DROP COLUMN status, DROP COLUMN domain, "
              "DROP COLUMN hazards")
    psql(url, "UPDATE inspect._meta SET value = value || '{\"layout\": 1}'")
    r = invoke(["stats", "--json", "--ledger", url], env={"INSPECT_TODAY": "2026-03-05"})
    assert r.exit_code == 6 and "inspect ledger upgrade" in r.stderr  # a reader never upgrades
    assert not psql(url, "SELECT 1 FROM information_schema.columns WHERE table_schema = 'inspect' "
                         "AND table_name = 'hazards' AND column_name = 'item'")
    r = invoke(["ledger", "upgrade", url])
    assert r.exit_code == 0 and "layout 1 → 2" in r.stdout and "closed_reason" in r.stdout, r.stderr
    for table, cols in COLUMNS.items():
        got = {c for (c,) in psql(url, "SELECT column_name FROM information_schema.columns WHERE table_schema = "
                                       f"'inspect' AND table_name = '{table}'")}
        assert {c for c, _ in cols} <= got, table
    # the new columns hold what the records say, and the tallies read them
    assert psql(url, "SELECT count(*) FROM inspect.hazards WHERE item IS DISTINCT FROM data->>'item'") == [(0,)]
    assert psql(url, "SELECT count(*) FROM inspect.inspections WHERE hazards IS DISTINCT FROM data->'hazards'") == [(0,)]
    assert json.loads(invoke(["stats", "--json", "--ledger", url],
                             env={"INSPECT_TODAY": "2026-03-05"}).stdout) == want
    # the guards still refuse to rewrite history
    with pytest.raises(Exception, match="hash-chained history"):
        psql(url, "UPDATE inspect.events SET data = data || '{\"note\": \"x\"}'")
    r = invoke(["ledger", "upgrade", url])
    assert r.exit_code == 0 and "layout 2 is current" in r.stdout


# evidence -------------------------------------------------------------------------------------
def test_evidence_is_stored_in_the_database_by_content_and_travels_in_a_bundle(url, tmp_path):
    ledger, ids = with_hazards(url, tmp_path)
    stored = psql(url, "SELECT file, sha256, size FROM inspect._evidence")
    assert len(stored) == 1 and stored[0][0].startswith(stored[0][1][:2] + "/" + stored[0][1])
    assert not list(tmp_path.glob("*.evidence"))
    photo = tmp_path / "fixed.jpg"
    photo.write_bytes(b"\xff\xd8\xff" + b"x" * 100)
    r = invoke(["hazard", "fixed", ids[0], "--note", "已整改", "--evidence", str(photo), "--ledger", url],
               env={"INSPECT_TODAY": "2026-03-05"})
    assert r.exit_code == 0, r.stderr
    assert psql(url, "SELECT count(*) FROM inspect._evidence")[0][0] == 2
    # a bundle from the database carries the files; a file ledger importing it gets them beside it
    out = tmp_path / "b.zip"
    assert invoke(["export", "--out", str(out), "--ledger", url]).exit_code == 0
    laptop = tmp_path / "laptop.sqlite"
    assert invoke(["import", str(out), "--ledger", str(laptop)]).exit_code == 0
    assert len([p for p in (tmp_path / "laptop.evidence").rglob("*") if p.is_file()]) == 2


def test_a_command_that_fails_stores_no_evidence(url, tmp_path):
    ledger, ids = with_hazards(url, tmp_path)
    photo = tmp_path / "p.jpg"
    photo.write_bytes(b"\xff\xd8\xff" + b"y" * 50)
    r = invoke(["hazard", "fixed", "H-00000-00000", "--evidence", str(photo), "--ledger", url])
    assert r.exit_code == 3
    assert psql(url, "SELECT count(*) FROM inspect._evidence")[0][0] == 1


# errors ---------------------------------------------------------------------------------------
def test_no_server_is_a_clear_error_exit_10():
    r = invoke(["hazard", "list", "--ledger", "postgresql://nobody@127.0.0.1:1/none"])
    assert r.exit_code == 10 and "cannot connect" in r.stderr and "Traceback" not in r.stderr


def test_no_driver_is_a_clear_error_exit_10(monkeypatch):
    monkeypatch.setitem(sys.modules, "psycopg", None)
    r = invoke(["hazard", "list", "--ledger", "postgresql://nobody@127.0.0.1/none"])
    assert r.exit_code == 10 and "inspect-cli[postgres]" in r.stderr


def test_the_driver_is_not_loaded_by_a_file_ledger(tmp_path):
    code = ("import sys; from inspect_cli.cli.main import main\n"
            "try:\n    main(['hazard', 'list', '--ledger', sys.argv[1]])\nexcept SystemExit:\n    pass\n"
            "print('psycopg' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code, str(tmp_path / "l.sqlite")], capture_output=True, text=True)
    assert out.stdout.strip().splitlines()[-1] == "False"


def test_a_changed_event_cannot_be_put_again(url, tmp_path):
    with_hazards(url, tmp_path)
    backend = open_ledger(url).backend
    with backend.read() as st:
        ev = st.find("events")[0]
    with pytest.raises(LedgerError, match="cannot be changed"):
        with backend.write() as st:
            st.put("events", ev["id"], dict(ev, note="edited"))


# migration ------------------------------------------------------------------------------------
def test_a_demo_ledger_migrated_into_postgresql_lists_the_same_hazards(url, tmp_path):
    assert invoke(["demo", "--out", str(tmp_path / "demo")]).exit_code == 0
    src = tmp_path / "demo" / "ledger.json"
    r = invoke(["ledger", "migrate", str(src), url, "--json"])
    assert r.exit_code == 0, r.stderr
    data = r.json()
    assert data["verify"]["ok"] and data["counts"]["evidence files"] > 0
    env = {"INSPECT_TODAY": "2026-04-01"}
    mine = invoke(["hazard", "list", "--limit", "1000", "--json", "--ledger", str(src)], env=env).json()
    theirs = invoke(["hazard", "list", "--limit", "1000", "--json", "--ledger", url], env=env).json()
    assert theirs == mine and mine["hazards"]
    # and back out again, evidence included
    back = tmp_path / "back.sqlite"
    r = invoke(["ledger", "migrate", url, str(back), "--json"])
    assert r.exit_code == 0 and r.json()["counts"]["evidence files"] == data["counts"]["evidence files"]
    assert invoke(["hazard", "list", "--limit", "1000", "--json", "--ledger", str(back)], env=env).json() == mine


def test_a_killed_migrate_leaves_nothing_that_a_second_refuses(url, tmp_path):
    src = tmp_path / "big.sqlite"
    rows = [(f"H-{i:06d}", {"id": f"H-{i:06d}", "status": "open", "site": "S"}) for i in range(5000)]
    backend = open_ledger(src).backend
    with backend.write() as st:
        st.put_many("sites", [("S", {"code": "S", "name": "x"})])
    with backend.write() as st:
        st.put_many("conflicts", rows)  # plain records: enough to need several batches
    code = ("import os, signal, sys\nfrom inspect_cli.storage.migrate import migrate\n"
            "def stop(table, n):\n    if table == 'conflicts':\n        os.kill(os.getpid(), signal.SIGKILL)\n"
            "migrate(sys.argv[1], sys.argv[2], progress=stop)\n")
    p = subprocess.run([sys.executable, "-c", code, str(src), url], capture_output=True, text=True)
    assert p.returncode == -9, p.stderr
    assert psql(url, "SELECT count(*) FROM information_schema.tables WHERE table_schema = 'inspect'")[0][0] == 0
    r = invoke(["ledger", "migrate", str(src), url, "--json"])
    assert r.exit_code == 0, r.stderr
    assert r.json()["counts"]["conflicts"] == 5000


# concurrency ----------------------------------------------------------------------------------
def _spawn(args, env):
    return subprocess.Popen([sys.executable, "-m", "inspect_cli"] + args, env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)


def test_20_concurrent_writers_on_one_hazard_lose_nothing(url, tmp_path):
    _, ids = with_hazards(url, tmp_path)
    env = dict(os.environ, INSPECT_TODAY="2026-03-03", INSPECT_LEDGER=url)
    procs = [_spawn(["hazard", "interim", ids[0], "--measures", f"措施 {n}"], env) for n in range(20)]
    results = [(p.wait(timeout=120), p.stderr.read()) for p in procs]
    assert [code for code, _ in results] == [0] * 20, results
    hazard, events = open_ledger(url).hazard(ids[0])
    assert sorted(i["measures"] for i in hazard["interim"]) == sorted(f"措施 {n}" for n in range(20))
    assert [e["seq"] for e in events] == list(range(1, len(events) + 1))
    assert invoke(["verify", "--ledger", url]).exit_code == 0


def test_concurrent_document_numbers_are_gapless(url):
    ledger = open_ledger(url, today="2026-03-02")
    ledger.set_setting("org.code", "榕应急")
    code = ("import sys\nfrom inspect_cli.ledger import open_ledger\n"
            "l = open_ledger(sys.argv[1], today='2026-03-02')\n"
            "assert l.take_document_numbers([('order', sys.argv[2], '2026-03-02')], l.settings())\n")
    procs = [subprocess.Popen([sys.executable, "-c", code, url, f"I-{n}"], stderr=subprocess.PIPE, text=True)
             for n in range(15)]
    assert [p.wait(timeout=120) for p in procs] == [0] * 15
    with ledger.read() as st:
        seqs = sorted(d["seq"] for d in st.find("documents") if not d.get("id", "").startswith("seq:")
                      and "subject" in d)
    assert seqs == list(range(1, 16))
