"""``inspect sync``: laptops and the bureau exchange what each lacks, verified, idempotent, resumable."""
from __future__ import annotations

import json

import pytest

from builders import SITE, inspect_dust, ledger_with_site, other_code
from cli.runner import invoke
from inspect_cli.ledger import open_ledger
from pgserver import fresh_database


@pytest.fixture(params=["sqlite", "postgresql"])
def bureau(request, tmp_path):
    if request.param == "postgresql":
        return fresh_database(request)
    return str(tmp_path / "bureau.sqlite")


def laptop(tmp_path, name, code=SITE, today="2026-03-02"):
    path = tmp_path / f"{name}.json"
    ledger = ledger_with_site(path, today=today, code=code)
    result = inspect_dust(ledger, {"GM10-11-10": {}, "DP6-9": {}}, tmp_path, code=code)
    return str(path), [h["id"] for h in result["hazards"]]


def sync(ledger, other, *extra, today="2026-03-03"):
    r = invoke(["sync", other, "--ledger", ledger, "--json", *extra], env={"INSPECT_TODAY": today})
    assert r.exit_code == 0, r.stderr
    return r.json()


def hazard_ids(ledger):
    return {h["id"] for h in open_ledger(ledger).hazards()[0]}


def test_two_laptops_see_each_others_hazards_through_the_bureau(tmp_path, bureau):
    a, a_ids = laptop(tmp_path, "a")
    b, b_ids = laptop(tmp_path, "b", code=other_code(7))
    first = sync(a, bureau)
    assert first["pushed"]["hazards"] == 2 and first["pushed"]["events"] == 2 and first["pushed"]["evidence"] == 1
    assert first["pulled"]["hazards"] == 0
    sync(b, bureau)
    again = sync(a, bureau)
    assert again["pulled"]["hazards"] == 2 and again["pushed"]["hazards"] == 0
    assert hazard_ids(a) == hazard_ids(b) == hazard_ids(bureau) == set(a_ids) | set(b_ids)
    # evidence came along: b's photo is beside a's ledger now (content-named)
    assert len([p for p in (tmp_path / "a.evidence").rglob("*") if p.is_file()]) >= 1
    for ledger in (a, b, bureau):
        assert invoke(["verify", "--ledger", ledger]).exit_code == 0


def test_a_second_sync_reports_nothing_new_and_changes_nothing(tmp_path, bureau):
    a, _ = laptop(tmp_path, "a")
    sync(a, bureau)
    before = json.loads(invoke(["ledger", "info", "--json", "--ledger", bureau]).stdout)["counts"]
    second = sync(a, bureau)
    assert all(v == 0 for d in ("pushed", "pulled") for v in second[d].values()), second
    assert json.loads(invoke(["ledger", "info", "--json", "--ledger", bureau]).stdout)["counts"] == before
    r = invoke(["sync", bureau, "--ledger", a], env={"INSPECT_TODAY": "2026-03-03"})
    assert "Pushed to" in r.stdout and r.stdout.count("nothing new") == 2


def test_changes_on_the_laptop_after_a_sync_travel_as_new_events(tmp_path, bureau):
    a, ids = laptop(tmp_path, "a")
    sync(a, bureau)
    assert invoke(["hazard", "interim", ids[0], "--measures", "停机", "--ledger", a]).exit_code == 0
    got = sync(a, bureau)
    assert got["pushed"]["events"] == 1 and got["pushed"]["extended"] == 1
    assert len(open_ledger(bureau).hazard(ids[0])[1]) == 2


def test_a_hazard_changed_on_both_sides_is_a_conflict_kept_not_dropped(tmp_path, bureau):
    a, ids = laptop(tmp_path, "a")
    sync(a, bureau)
    assert invoke(["hazard", "interim", ids[0], "--measures", "laptop", "--ledger", a]).exit_code == 0
    assert invoke(["hazard", "interim", ids[0], "--measures", "bureau", "--ledger", bureau]).exit_code == 0
    got = sync(a, bureau)
    assert got["conflicts"]
    # both branches are kept on both sides, and both sides pick the same main line
    for ledger in (a, bureau):
        history = open_ledger(ledger).hazard_history(ids[0])
        assert sorted((e.get("data") or {}).get("measures") for e in history if e["type"] == "interim") == ["bureau", "laptop"]
        assert open_ledger(ledger).hazard(ids[0])[0].get("conflicts")
    assert open_ledger(a).hazard(ids[0])[0]["interim"] == open_ledger(bureau).hazard(ids[0])[0]["interim"]
    assert all(v == 0 for d in ("pushed", "pulled") for k, v in sync(a, bureau)[d].items())


def test_a_tampered_laptop_is_refused_and_the_bureau_is_unchanged(tmp_path, bureau):
    a, ids = laptop(tmp_path, "a")
    data = json.loads((tmp_path / "a.json").read_text(encoding="utf-8"))
    event = next(e for e in data["events"].values() if e["subject"] == ids[0])
    event["note"] = "edited afterwards"  # the chain's hash no longer covers what the event says
    (tmp_path / "a.json").write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    r = invoke(["sync", bureau, "--ledger", a], env={"INSPECT_TODAY": "2026-03-03"})
    assert r.exit_code == 8 and "does not verify" in r.stderr
    assert not open_ledger(bureau).exists() or hazard_ids(bureau) == set()  # the refused merge added nothing


def test_a_sync_killed_after_the_push_is_completed_by_the_next(tmp_path, bureau, monkeypatch):
    a, a_ids = laptop(tmp_path, "a")
    b, b_ids = laptop(tmp_path, "b", code=other_code(7))
    sync(b, bureau)
    from inspect_cli.sync import ledgers

    real = ledgers.transfer

    def dies_on_pull(source, target, keys, what, progress=None):
        if what == "pull":
            raise KeyboardInterrupt  # the process is stopped between the two directions
        return real(source, target, keys, what, progress)

    monkeypatch.setattr(ledgers, "transfer", dies_on_pull)
    r = invoke(["sync", bureau, "--ledger", a], env={"INSPECT_TODAY": "2026-03-03"})
    assert r.exit_code == 130
    monkeypatch.setattr(ledgers, "transfer", real)
    assert hazard_ids(bureau) == set(a_ids) | set(b_ids) and hazard_ids(a) == set(a_ids)
    done = sync(a, bureau)
    assert done["pushed"]["hazards"] == 0 and done["pulled"]["hazards"] == 2
    assert hazard_ids(a) == set(a_ids) | set(b_ids)


def test_laptops_number_documents_from_blocks_that_never_collide(tmp_path, request):
    bureau = fresh_database(request)
    assert invoke(["config", "set", "docno.block", "3", "--ledger", bureau]).exit_code == 0
    a, _ = laptop(tmp_path, "a")
    b, _ = laptop(tmp_path, "b", code=other_code(7))
    for led in (a, b, bureau):
        assert invoke(["config", "set", "org.code", "榕应急", "--ledger", led]).exit_code == 0
    got_a = sync(a, bureau)
    got_b = sync(b, bureau, "--reserve", "5")
    order_a = next(x for x in got_a["blocks"] if x["kind"] == "order")
    order_b = next(x for x in got_b["blocks"] if x["kind"] == "order")
    assert (order_a["first"], order_a["last"]) == (1, 3) and (order_b["first"], order_b["last"]) == (4, 8)
    la, lb, lc = (open_ledger(x, today="2026-03-03") for x in (a, b, bureau))
    numbers = []
    for led, subjects in ((la, ["I-AAAAA-AAAA1", "I-AAAAA-AAAA2", "I-AAAAA-AAAA3"]), (lb, ["I-BBBBB-BBBB1"]), (lc, ["I-CCCCC-CCCC1"])):
        for s in subjects:
            assert led.take_document_numbers([("order", s, "2026-03-03")], led.settings())
            numbers.append(led.document_number("order", s, "2026-03-03", led.settings()))
    assert numbers == [f"（榕应急）应急责改〔2026〕{n}号" for n in (1, 2, 3, 4, 9)]
    with pytest.raises(Exception, match="--reserve"):
        la.take_document_numbers([("order", "I-AAAAA-AAAA4", "2026-03-03")], la.settings())
    topped = sync(a, bureau)  # fewer than half a block left: a new block
    assert [(x["first"], x["last"]) for x in topped["blocks"] if x["kind"] == "order"] == [(10, 12)]


def test_sync_with_itself_is_a_usage_error(tmp_path):
    a, _ = laptop(tmp_path, "a")
    r = invoke(["sync", a, "--ledger", a])
    assert r.exit_code == 2


@pytest.mark.parametrize("flush", [1000, 1])
def test_a_site_held_differently_on_both_sides_is_one_conflict_reported_once(tmp_path, bureau, flush, monkeypatch):
    from inspect_cli.sync import ledgers

    monkeypatch.setattr(ledgers, "FLUSH", flush)  # 1: every write of the merge goes out at once
    a, _ = laptop(tmp_path, "a")
    b = tmp_path / "b.json"
    ledger_with_site(b, name="另一个名字有限公司")  # the same site code, another name
    first = sync(a, bureau)
    assert first["pushed"]["sites"] == 1
    got = sync(str(b), bureau)
    assert got["pushed"]["conflicts"] == 1 and got["pulled"]["conflicts"] == 1
    # the conflicts are already stored on both sides: the next sync neither adds nor reports one
    again = sync(str(b), bureau)
    assert again["conflicts"] == [] and all(v == 0 for d in ("pushed", "pulled") for v in again[d].values())
    assert open_ledger(bureau).site(SITE)["name"] == "某某木业有限公司"
    assert open_ledger(str(b)).site(SITE)["name"] == "另一个名字有限公司"


def _statements_of_a_push(tmp_path, request, monkeypatch, name, sites):
    """How many SQL statements the bureau runs while a laptop with ``sites`` inspected sites syncs."""
    import psycopg

    bureau = fresh_database(request)
    path = tmp_path / f"{name}.json"
    ledger = None
    for n in range(sites):
        code = SITE if n == 0 else other_code(n)
        if ledger is None:
            ledger = ledger_with_site(path, code=code)
        else:
            ledger.add_site({"code": code, "name": f"工厂{n}", "industry": "木材加工", "attributes": {"wood_dust": True}})
        inspect_dust(ledger, {"GM10-11-10": {}, "DP6-9": {}}, tmp_path, code=code)
    counted = []
    real = psycopg.Cursor.execute

    def execute(self, query, *args, **kw):
        counted.append(str(query))
        return real(self, query, *args, **kw)

    monkeypatch.setattr(psycopg.Cursor, "execute", execute)
    got = sync(str(path), bureau)
    monkeypatch.setattr(psycopg.Cursor, "execute", real)
    assert got["pushed"]["hazards"] == 2 * sites
    return len(counted)


def test_a_push_to_the_bureau_takes_as_many_round_trips_for_many_hazards_as_for_few(tmp_path, request, monkeypatch):
    # a laptop far from the bureau pays for each round trip: the merge reads what it will look
    # up and writes what it adds a table at a time, never a statement per record
    few = _statements_of_a_push(tmp_path, request, monkeypatch, "few", 1)
    many = _statements_of_a_push(tmp_path, request, monkeypatch, "many", 6)
    assert many == few


def _sync_on_a_terminal(tmp_path, bureau, *extra):
    """``inspect sync --json`` with stderr on a pseudo-terminal: (stdout, what the terminal showed)."""
    import os
    import pty
    import subprocess
    import sys

    a, _ = laptop(tmp_path, "a")
    controller, terminal = pty.openpty()
    proc = subprocess.Popen([sys.executable, "-m", "inspect_cli", "sync", bureau, "--ledger", a, "--json", *extra],
                            stdout=subprocess.PIPE, stderr=terminal, env=dict(os.environ, INSPECT_TODAY="2026-03-03"))
    os.close(terminal)
    shown = b""
    while True:
        try:
            chunk = os.read(controller, 65536)
        except OSError:  # the process closed its end
            break
        if not chunk:
            break
        shown += chunk
    out = proc.communicate(timeout=120)[0]
    os.close(controller)
    assert proc.returncode == 0
    return json.loads(out), shown.decode("utf-8", "replace")


def test_on_a_terminal_sync_draws_its_progress_on_stderr_and_stdout_stays_json(tmp_path, bureau):
    result, shown = _sync_on_a_terminal(tmp_path, bureau)
    assert result["pushed"]["hazards"] == 2
    assert "Pushing" in shown or "Comparing" in shown


def test_sync_quiet_draws_nothing_even_on_a_terminal(tmp_path, bureau):
    result, shown = _sync_on_a_terminal(tmp_path, bureau, "--quiet")
    assert result["pushed"]["hazards"] == 2 and shown.strip() == ""
