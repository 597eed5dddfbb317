"""`inspect export` / `inspect import` at city scale: written and read a page at a time, hazards
merged a batch at a time in one transaction, whatever order an untrusted bundle lists events in."""
from __future__ import annotations

import json
import os
import pty
import random
import select
import shutil
import signal
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from cli.runner import invoke
from inspect_cli.ledger import open_ledger
from inspect_cli.sync import stream
from trust.bundles import jsonl, parts, rehash, rows, write

ROOT = Path(__file__).resolve().parent.parent
TODAY = "2026-12-20"


@pytest.fixture(scope="module")
def generated(tmp_path_factory):
    """A realistic ledger of 90 hazards (with its evidence folder), made by the benchmark generator."""
    folder = tmp_path_factory.mktemp("generated")
    subprocess.run([sys.executable, str(ROOT / "benchmarks" / "generate.py"), "--hazards", "90", "--out",
                    str(folder / "src.sqlite"), "--today", TODAY], check=True, capture_output=True, timeout=300)
    return folder / "src.sqlite"


def _copy(src: Path, dst: Path) -> Path:
    shutil.copy(src, dst)
    ev_src, ev_dst = src.with_suffix(".evidence"), dst.with_suffix(".evidence")
    if ev_src.is_dir():
        shutil.copytree(ev_src, ev_dst)
    return dst


def _export(ledger: Path, out: Path, *extra: str) -> Path:
    r = invoke(["export", "--out", str(out), "--ledger", str(ledger), "--today", TODAY, "--json", *extra])
    assert r.exit_code == 0, r.stderr
    return out


def _import(bundle: Path, ledger: Path, *extra: str):
    return invoke(["import", str(bundle), "--ledger", str(ledger), "--today", TODAY, "--json", *extra])


def _content(ledger: Path) -> dict[str, dict[str, str]]:
    """Every record of the tables a bundle carries, by key (the ledger as a reader sees it)."""
    led = open_ledger(ledger)
    out = {}
    with led.read() as st:
        for t in ("sites", "inspections", "hazards", "events", "draws", "documents", "cases", "case_events"):
            out[t] = {k: json.dumps(r, sort_keys=True, ensure_ascii=False) for k, r in st.items(t)}
    return out


def _small_batches(monkeypatch, hazards: int = 7, page: int = 11) -> None:
    monkeypatch.setattr(stream, "HAZARD_BATCH", hazards)
    monkeypatch.setattr(stream, "CASE_BATCH", 2)
    monkeypatch.setattr(stream, "PAGE", page)


def test_export_in_pages_writes_the_same_members_as_a_whole_export(tmp_path, generated, monkeypatch):
    """Paging (here 11 records a page) changes nothing in the bundle: each member holds every
    record once, in key order, and the counts of bundle.json say so."""
    led = _copy(generated, tmp_path / "a.sqlite")
    whole = parts(_export(led, tmp_path / "whole.zip"))
    _small_batches(monkeypatch)
    paged = parts(_export(led, tmp_path / "paged.zip"))
    assert set(paged) == set(whole)
    for name in whole:
        if name != "bundle.json":
            assert paged[name] == whole[name], name
    meta = json.loads(paged["bundle.json"])
    assert meta["format"] == "inspect-cli-bundle" and meta["counts"]["hazards"] == 90
    keys = [r["id"] for r in rows(paged["events.jsonl"])]
    assert keys == sorted(keys) and len(set(keys)) == len(keys) == meta["counts"]["events"]
    assert [r["code"] for r in rows(paged["sites.jsonl"])] == sorted(r["code"] for r in rows(paged["sites.jsonl"]))


def test_events_scattered_anywhere_in_the_bundle_still_merge(tmp_path, generated, monkeypatch):
    """An untrusted bundle may list a hazard's events anywhere and in any order: each hazard is
    still replayed with all of its events, across any number of staging pages and batches."""
    led = _copy(generated, tmp_path / "a.sqlite")
    p = parts(_export(led, tmp_path / "a.zip"))
    events = rows(p["events.jsonl"])
    random.Random(7).shuffle(events)
    p["events.jsonl"] = jsonl(events)
    shuffled = write(tmp_path / "shuffled.zip", p)
    _small_batches(monkeypatch, hazards=4, page=5)
    r = _import(shuffled, tmp_path / "b.sqlite")
    assert r.exit_code == 0, r.stderr
    assert r.json()["added"]["hazards"] == 90 and r.json()["added"]["events"] == len(events)
    assert _content(tmp_path / "b.sqlite") == _content(led)
    assert invoke(["verify", "--ledger", str(tmp_path / "b.sqlite")]).exit_code == 0


@pytest.mark.parametrize("batch", [1, 3, 89, 90, 91])
def test_batch_boundaries_change_nothing(tmp_path, generated, monkeypatch, batch):
    """More hazards than one batch, exactly one batch, one short: the same ledger and report,
    into a new ledger and into one that already holds some of the hazards (extended)."""
    src = _copy(generated, tmp_path / "a.sqlite")
    half = _copy(generated, tmp_path / "half.sqlite")
    with open_ledger(half).write() as st:  # the other laptop has only the first registrations
        for h in st.find("hazards")[::2]:
            evs = sorted(st.find("events", {"subject": h["id"]}), key=lambda e: e["seq"])
            if len(evs) > 1:
                st.put("hazards", h["id"], _replayed(evs[:1]))
                for e in evs[1:]:
                    _delete(st, e["id"])
    bundle = _export(src, tmp_path / "a.zip")
    monkeypatch.setattr(stream, "HAZARD_BATCH", batch)
    new = _import(bundle, tmp_path / "new.sqlite")
    assert new.exit_code == 0, new.stderr
    assert new.json()["added"]["hazards"] == 90 and _content(tmp_path / "new.sqlite") == _content(src)
    grown = _import(bundle, half)
    assert grown.exit_code == 0, grown.stderr
    assert grown.json()["extended"] > 0 and grown.json()["conflicts"] == []
    assert _content(half)["events"] == _content(src)["events"]
    assert _content(half)["hazards"] == _content(src)["hazards"]


def _replayed(events):
    from inspect_cli.hazard import lifecycle

    state = lifecycle.replay(events)
    state.update(head=events[-1]["hash"], events=len(events), head_date=events[-1]["date"])
    return state


def _delete(st, event_id: str) -> None:
    # no Store method deletes (the ledger only grows): the test reaches into SQLite to make
    # "the other laptop", which never received these events
    st.conn.execute("DELETE FROM events WHERE id = ?", (event_id,))


@pytest.mark.parametrize("name", ["b.sqlite", "b.json"])
def test_a_bundle_refused_late_in_a_large_import_leaves_the_ledger_byte_identical(tmp_path, generated, monkeypatch,
                                                                                  name):
    """The forged hazard sorts last: every earlier batch was already merged inside the import's
    transaction when the forgery is found. All of it is rolled back."""
    src = _copy(generated, tmp_path / "a.sqlite")
    bundle = _export(src, tmp_path / "a.zip")
    p = parts(bundle)
    events = rows(p["events.jsonl"])
    last = max(e["subject"] for e in events)
    forged = next(e for e in events if e["subject"] == last and e["seq"] == 1)
    forged["data"]["severity"] = "general" if forged["data"].get("severity") == "major" else "major"
    rehash(forged)  # its own hash matches: only replaying the chain finds the forgery
    p["events.jsonl"] = jsonl(events)
    bad = write(tmp_path / "bad.zip", p)
    target = tmp_path / name
    other = open_ledger(target, today=TODAY)
    other.add_site({"code": "91350100M000100Y43", "name": "甲公司"})
    _small_batches(monkeypatch, hazards=5)
    before = target.read_bytes()
    r = _import(bad, target)
    assert r.exit_code == 8, r.stdout
    assert "does not verify" in r.stderr and last in r.stderr
    assert target.read_bytes() == before
    assert _import(bundle, target).exit_code == 0  # the genuine bundle goes in


def test_memory_holds_a_page_or_a_batch_never_the_ledger(tmp_path, generated, monkeypatch):
    """Counted, not timed: the records held at once by export and import stay within a page or
    a batch of hazards, whatever the size of the ledger."""
    led = _copy(generated, tmp_path / "a.sqlite")
    _small_batches(monkeypatch, hazards=5, page=20)
    held: list[int] = []
    monkeypatch.setattr(stream, "held_hook", held.append)
    counts = open_ledger(led, today=TODAY).export(tmp_path / "a.zip")
    assert held and max(held) <= 20 < counts["events"]
    held.clear()
    report = open_ledger(tmp_path / "b.sqlite", today=TODAY).import_bundle(tmp_path / "a.zip")
    assert report["added"]["events"] == counts["events"]
    # a page of staged records, or the events of five hazards (here and in the bundle)
    assert held and max(held) <= 60 < counts["events"]


def test_export_since_streams_the_changed_hazards_with_their_whole_history(tmp_path, generated, monkeypatch):
    led = _copy(generated, tmp_path / "a.sqlite")
    with open_ledger(led).read() as st:
        events = st.find("events")
        hazards = {h["id"]: h for h in st.find("hazards")}
        inspections = {i["id"]: i for i in st.find("inspections")}
    since = sorted(e["date"] for e in events)[len(events) * 3 // 4]
    changed = {e["subject"] for e in events if e["date"] >= since}
    _small_batches(monkeypatch, page=7)
    p = parts(_export(led, tmp_path / "since.zip", "--since", since))
    got = {t: rows(p[f"{t}.jsonl"]) for t in ("hazards", "events", "inspections", "sites")}
    assert {h["id"] for h in got["hazards"]} == changed
    assert sorted(e["id"] for e in got["events"]) == sorted(e["id"] for e in events if e["subject"] in changed)
    wanted = {i for i, rec in inspections.items() if rec["date"] >= since} | {hazards[h]["inspection"] for h in changed}
    assert [i["id"] for i in got["inspections"]] == sorted(wanted)
    assert {s["code"] for s in got["sites"]} == ({hazards[h]["site"] for h in changed}
                                                 | {inspections[i]["site"] for i in wanted})
    r = _import(tmp_path / "since.zip", tmp_path / "b.sqlite")
    assert r.exit_code == 0 and r.json()["added"]["hazards"] == len(changed)


def test_json_and_quiet_keep_stdout_clean(tmp_path, generated):
    led = _copy(generated, tmp_path / "a.sqlite")
    r = _export(led, tmp_path / "a.zip", "--quiet")
    r = invoke(["export", "--out", str(tmp_path / "a.zip"), "--ledger", str(led), "--json", "-q"])
    assert r.exit_code == 0 and r.json()["hazards"] == 90 and r.stderr == ""
    r = _import(tmp_path / "a.zip", tmp_path / "b.sqlite", "--quiet")
    assert r.exit_code == 0 and r.json()["added"]["hazards"] == 90


def _on_a_terminal(args: list[str]) -> tuple[subprocess.CompletedProcess, str]:
    """Run with stderr on a pseudo-terminal and stdout a pipe; what the terminal showed."""
    controller, terminal = pty.openpty()
    env = dict(os.environ, INSPECT_TODAY=TODAY, COLUMNS="100")
    env.pop("INSPECT_QUIET", None)
    proc = subprocess.Popen([sys.executable, "-m", "inspect_cli", *args], stdout=subprocess.PIPE, stderr=terminal,
                            env=env)
    os.close(terminal)
    shown = b""
    while True:
        ready, _, _ = select.select([controller], [], [], 0.1)
        if ready:
            try:
                chunk = os.read(controller, 65536)
            except OSError:
                chunk = b""
            if not chunk and proc.poll() is not None:
                break
            shown += chunk
        elif proc.poll() is not None:
            break
    out = proc.stdout.read()
    proc.wait(timeout=120)
    os.close(controller)
    return subprocess.CompletedProcess(args, proc.returncode, out), shown.decode("utf-8", "replace")


def test_on_a_terminal_the_bar_is_on_stderr_and_stdout_is_only_json(tmp_path, generated):
    led = _copy(generated, tmp_path / "a.sqlite")
    out, shown = _on_a_terminal(["export", "--out", str(tmp_path / "a.zip"), "--ledger", str(led), "--json"])
    assert out.returncode == 0 and json.loads(out.stdout)["hazards"] == 90
    assert "Exporting" in shown
    out, shown = _on_a_terminal(["import", str(tmp_path / "a.zip"), "--ledger", str(tmp_path / "b.sqlite"), "--json"])
    assert out.returncode == 0 and json.loads(out.stdout)["added"]["hazards"] == 90
    assert "Importing" in shown
    out, shown = _on_a_terminal(["import", str(tmp_path / "a.zip"), "--ledger", str(tmp_path / "b.sqlite"), "--json",
                                 "--quiet"])
    assert out.returncode == 0 and "Importing" not in shown


KILLER = """
import os, signal, sys
from pathlib import Path
from inspect_cli.ledger import open_ledger
from inspect_cli.sync import stream
stream.HAZARD_BATCH = 10
merge = stream._merge_hazards
done = []
def merge_then_die(*a, **k):
    merge(*a, **k)
    done.append(1)
    if len(done) == int(sys.argv[3]):
        os.kill(os.getpid(), signal.SIGKILL)
stream._merge_hazards = merge_then_die
open_ledger(Path(sys.argv[2]), today="2026-12-20").import_bundle(Path(sys.argv[1]))
"""


@pytest.mark.parametrize("name", ["b.sqlite", "b.json"])
def test_a_killed_import_leaves_the_old_ledger_and_the_next_import_completes(tmp_path, generated, name):
    """Killed from inside, after some batches of hazards were merged in the import's one
    transaction: the ledger is the old one (its records, and verify passes)."""
    src = _copy(generated, tmp_path / "a.sqlite")
    bundle = _export(src, tmp_path / "a.zip")
    target = tmp_path / name
    open_ledger(target, today=TODAY).add_site({"code": "91350100M000100Y43", "name": "甲公司"})
    before = _content(target)
    for batches in (1, 5):
        proc = subprocess.run([sys.executable, "-c", KILLER, str(bundle), str(target), str(batches)],
                              capture_output=True, timeout=300)
        assert proc.returncode == -signal.SIGKILL, proc.stderr.decode()
        assert _content(target) == before
        assert invoke(["verify", "--ledger", str(target)]).exit_code == 0
    r = _import(bundle, target)
    assert r.exit_code == 0 and r.json()["added"]["hazards"] == 90
    assert _content(target)["events"] == _content(src)["events"]


def test_the_staging_file_is_removed_after_an_import_and_after_a_refusal(tmp_path, generated, monkeypatch):
    led = _copy(generated, tmp_path / "a.sqlite")
    bundle = _export(led, tmp_path / "a.zip")
    monkeypatch.setenv("TMPDIR", str(tmp_path / "tmp"))
    (tmp_path / "tmp").mkdir()
    import tempfile

    monkeypatch.setattr(tempfile, "tempdir", None)
    assert _import(bundle, tmp_path / "b.sqlite").exit_code == 0
    p = parts(bundle)
    p["events.jsonl"] = p["events.jsonl"].replace(b'"seq": 1', b'"seq": 7', 1)
    assert _import(write(tmp_path / "bad.zip", p), tmp_path / "b.sqlite").exit_code == 8
    assert list((tmp_path / "tmp").iterdir()) == []


def test_a_bundle_whose_member_does_not_inflate_is_refused(tmp_path, generated):
    """Damaged deflate data in a member (zlib's error, not the zip module's): refused as
    unreadable with a clear message, nothing imported."""
    led = _copy(generated, tmp_path / "a.sqlite")
    bundle = _export(led, tmp_path / "a.zip")
    data = bundle.read_bytes()
    with zipfile.ZipFile(bundle) as z:
        info = z.getinfo("events.jsonl")
    cut = bytearray(data)
    start = info.header_offset + 30 + len(info.filename) + len(info.extra) + 100
    cut[start:start + 64] = b"\x00" * 64
    (tmp_path / "cut.zip").write_bytes(bytes(cut))
    r = _import(tmp_path / "cut.zip", tmp_path / "b.sqlite")
    assert r.exit_code == 4 and "not a readable inspect-cli bundle" in r.stderr  # not an internal error (70)
    assert not (tmp_path / "b.sqlite").exists()


def test_a_postgresql_ledger_exports_and_imports_in_pages(tmp_path, generated, monkeypatch, request):
    """The bureau's server ledger: the same paged export (evidence fetched from the database)
    and batched import (evidence stored in it with the merge)."""
    from pgserver import fresh_database

    url = fresh_database(request)
    src = _copy(generated, tmp_path / "a.sqlite")
    bundle = _export(src, tmp_path / "a.zip")
    _small_batches(monkeypatch, hazards=8, page=13)
    r = _import(bundle, url)
    assert r.exit_code == 0, r.stderr
    assert r.json()["added"]["hazards"] == 90 and r.json()["evidence"] == 1
    again = _export(url, tmp_path / "b.zip")
    first, second = parts(bundle), parts(again)
    assert set(first) == set(second)
    assert all(first[n] == second[n] for n in first if n != "bundle.json")
    assert _import(again, tmp_path / "c.sqlite").exit_code == 0
    assert _content(tmp_path / "c.sqlite") == _content(src)


def test_any_order_and_any_batch_sizes_give_the_same_ledger(tmp_path, generated):
    """Property: however the bundle orders its events and however small the pages and batches,
    the imported ledger is the exported one."""
    import tempfile

    from hypothesis import HealthCheck, given, settings
    from hypothesis import strategies as hs

    src = _copy(generated, tmp_path / "a.sqlite")
    p = parts(_export(src, tmp_path / "a.zip"))
    events = rows(p["events.jsonl"])
    want = _content(src)

    @settings(max_examples=8, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    @given(seed=hs.integers(0, 2**16), batch=hs.integers(1, 120), page=hs.integers(1, 300))
    def check(seed: int, batch: int, page: int) -> None:
        shuffled = list(events)
        random.Random(seed).shuffle(shuffled)
        with tempfile.TemporaryDirectory(dir=tmp_path) as d:
            bundle = write(Path(d) / "b.zip", dict(p, **{"events.jsonl": jsonl(shuffled)}))
            saved = (stream.HAZARD_BATCH, stream.PAGE)
            stream.HAZARD_BATCH, stream.PAGE = batch, page
            try:
                report = open_ledger(Path(d) / "b.sqlite", today=TODAY).import_bundle(bundle)
            finally:
                stream.HAZARD_BATCH, stream.PAGE = saved
            assert report["added"]["hazards"] == 90
            assert _content(Path(d) / "b.sqlite") == want

    check()


def test_member_limits_records_are_streamed_the_small_json_members_are_capped(generated, tmp_path, monkeypatch):
    """Records members are read line by line and staged on disk, so they may be as large as a
    city's year (an inspections member is ~2 GB at 360k hazards); the members read whole
    (bundle.json, settings.json) keep a small cap."""
    from inspect_cli.sync import bundle as B

    assert B.MAX_RECORDS_BYTES >= 8 * 1024 ** 3 and B.MAX_WHOLE_MEMBER_BYTES <= 64 * 1024 ** 2
    bundle = _export(generated, tmp_path / "b.zip")
    target = tmp_path / "new.sqlite"
    monkeypatch.setattr(B, "MAX_WHOLE_MEMBER_BYTES", 64)  # bundle.json is larger than this
    r = _import(bundle, target)
    assert r.exit_code == 4 and "bundle.json is too large" in r.stderr and not target.exists()
    monkeypatch.undo()
    assert _import(bundle, target).exit_code == 0
