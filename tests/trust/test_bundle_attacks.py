"""A bundle is untrusted input: each attack found on c51b00a is refused, the ledger unchanged."""
from __future__ import annotations

import json
import stat
import zipfile

import pytest

from builders import INSPECTORS, inspect_dust, ledger_with_site
from cli.runner import invoke
from trust.bundles import edit_events, jsonl, parts, rehash, rows, write


@pytest.fixture
def two(tmp_path):
    """Laptop A with an open major and an open general hazard, its bundle, and laptop B that
    imported it."""
    a = ledger_with_site(tmp_path / "a.json", today="2026-03-02")
    out = inspect_dust(a, {"GM10-11-10": {}, "DP6-9": {}}, tmp_path)
    major = next(h["id"] for h in out["hazards"] if h["severity"] == "major")
    general = next(h["id"] for h in out["hazards"] if h["severity"] == "general")
    assert invoke(["export", "--out", str(tmp_path / "a.zip"), "--ledger", str(tmp_path / "a.json")]).exit_code == 0
    assert invoke(["import", str(tmp_path / "a.zip"), "--ledger", str(tmp_path / "b.json")]).exit_code == 0
    return tmp_path, major, general


def _import(tmp_path, bundle):
    return invoke(["import", str(bundle), "--ledger", str(tmp_path / "b.json")])


def _ledger_bytes(tmp_path):
    """The ledger file and every file in its evidence folder, byte for byte."""
    evidence = tmp_path / "b.evidence"
    return ((tmp_path / "b.json").read_bytes(),
            {str(p): p.read_bytes() for p in sorted(evidence.rglob("*")) if p.is_file()})


@pytest.mark.parametrize("name, says", [
    ("evidence//{abs}/planted.pth", "empty path segment"),
    ("/{abs}/planted.pth", "absolute path"),
    ("evidence/../../planted.pth", "'..'"),
    ("evidence\\..\\planted.pth", "backslash"),
    ("C:/planted.pth", "absolute path"),
    ("evidence/ab/planted.pth", "evidence must be named"),
    ("notes.txt", "not part of the bundle layout"),
])
def test_a_member_outside_the_layout_refuses_the_bundle_and_writes_nothing(two, name, says):
    tmp_path, _, _ = two
    target = tmp_path / "outside"
    target.mkdir()
    before = _ledger_bytes(tmp_path)
    p = parts(tmp_path / "a.zip")
    p[name.format(abs=str(target).lstrip("/"))] = b"import os; os.system('touch /tmp/pwned')\n"
    r = _import(tmp_path, write(tmp_path / "evil.zip", p))
    assert r.exit_code == 4 and says in r.stderr and "nothing was imported" in r.stderr
    assert list(target.iterdir()) == [] and not (tmp_path / "planted.pth").exists()
    assert _ledger_bytes(tmp_path) == before


@pytest.mark.parametrize("mode, says", [(stat.S_IFLNK | 0o777, "symlink"), (stat.S_IFCHR | 0o644, "device")])
def test_a_symlink_or_device_member_is_refused(two, mode, says):
    tmp_path, _, _ = two
    before = _ledger_bytes(tmp_path)
    info = zipfile.ZipInfo("evidence/" + "ab/" + "ab" + "0" * 62 + ".png")
    info.external_attr = mode << 16
    r = _import(tmp_path, write(tmp_path / "evil.zip", parts(tmp_path / "a.zip"), [info], [b"/etc/passwd"]))
    assert r.exit_code == 4 and "symlink, folder or device" in r.stderr
    assert _ledger_bytes(tmp_path) == before


def test_evidence_whose_bytes_do_not_hash_to_its_name_is_refused(two):
    tmp_path, _, _ = two
    p = parts(tmp_path / "a.zip")
    [name] = [n for n in p if n.startswith("evidence/")]
    p[name] = b"not the photo"
    before = _ledger_bytes(tmp_path)
    r = _import(tmp_path, write(tmp_path / "evil.zip", p))
    assert r.exit_code == 8 and "do not hash to its name" in r.stderr
    assert _ledger_bytes(tmp_path) == before


def _close_major_with(tmp_path, major, bogus_hash: bool):
    def change(evs):
        last = max((e for e in evs if e["subject"] == major), key=lambda e: e["seq"])
        forged = dict(last, id="E-ZZZZZ-ZZZZ1", seq=last["seq"] + 1, type="reinspected", date="2026-03-05",
                      data={"result": "pass", "inspectors": INSPECTORS, "deadline": None}, prev=last["hash"],
                      note="", evidence=[])
        forged["hash"] = "0" * 64 if bogus_hash else None
        if not bogus_hash:
            rehash(forged)
        evs.append(forged)

    p = parts(edit_events(tmp_path / "a.zip", tmp_path / "x.zip", change))
    p["hazards.jsonl"] = jsonl([h for h in rows(p["hazards.jsonl"]) if h["id"] != major])  # left out of the list
    return write(tmp_path / "evil.zip", p)


def test_an_event_with_a_bogus_hash_is_not_stored(two):
    tmp_path, major, _ = two
    before = _ledger_bytes(tmp_path)
    r = _import(tmp_path, _close_major_with(tmp_path, major, bogus_hash=True))
    assert r.exit_code == 8 and major in r.stderr and "hash does not match" in r.stderr
    assert _ledger_bytes(tmp_path) == before
    shown = invoke(["hazard", "show", major, "--ledger", str(tmp_path / "b.json"), "--json"]).json()
    assert shown["status"] == "open"
    assert invoke(["verify", "--ledger", str(tmp_path / "b.json")]).exit_code == 0


def test_a_well_hashed_event_for_a_hazard_left_out_of_the_list_still_verifies(two):
    """Hashes are not signatures: a correctly chained event is taken, and the hazard is the
    replay of its events, never the bundle's hazard record, so the ledger still verifies."""
    tmp_path, major, _ = two
    r = _import(tmp_path, _close_major_with(tmp_path, major, bogus_hash=False))
    assert r.exit_code == 0, r.stderr
    assert invoke(["verify", "--ledger", str(tmp_path / "b.json")]).exit_code == 0


@pytest.mark.parametrize("change, says", [
    (lambda e: e.update(type="teleported"), "unknown event type 'teleported'"),
    (lambda e: e.update(type="plan", data={}), "cannot be replayed"),
    (lambda e: e.update(date="2026-02-30"), "is not a date"),
    (lambda e: e.update(date="2026-01-01"), "time runs backwards"),
    (lambda e: e.update(evidence=[{"sha256": "a" * 64, "name": "passwd", "size": 1, "file": "/etc/passwd"}]),
     "not addressed by its content hash"),
    (lambda e: e.update(evidence=[{"name": "passwd", "file": "../../etc/passwd"}]), "has no sha256"),
    (lambda e: e.update(seq="3"), "field seq"),
    (lambda e: e.update(extra=1), "unknown field"),
])
def test_a_crafted_event_is_refused_naming_it(two, change, says):
    tmp_path, _, general = two
    before = _ledger_bytes(tmp_path)

    def add(evs):
        last = max((e for e in evs if e["subject"] == general), key=lambda e: e["seq"])
        new = dict(last, id="E-ZZZZZ-ZZZZ2", seq=last["seq"] + 1, type="interim", date="2026-03-04",
                   data={"measures": "x"}, prev=last["hash"], note="", evidence=[])
        change(new)
        evs.append(rehash(new))

    r = _import(tmp_path, edit_events(tmp_path / "a.zip", tmp_path / "evil.zip", add))
    assert r.exit_code == 8, (r.exit_code, r.stderr)
    assert says in r.stderr and ("E-ZZZZZ-ZZZZ2" in r.stderr or general in r.stderr)
    assert "Traceback" not in r.stderr
    assert _ledger_bytes(tmp_path) == before


def test_evidence_paths_in_imported_records_never_reach_a_report(two):
    """On c51b00a an event citing /etc/passwd was stored and the file embedded in reports."""
    tmp_path, major, _ = two

    def cite(evs):
        first = next(e for e in evs if e["subject"] == major and e["seq"] == 1)
        first["data"]["evidence"] = [{"sha256": "b" * 64, "name": "passwd", "size": 10, "file": "/etc/passwd"}]
        rehash(first)

    r = _import(tmp_path, edit_events(tmp_path / "a.zip", tmp_path / "evil.zip", cite))
    assert r.exit_code == 8 and "/etc/passwd" in r.stderr


def test_broken_records_of_other_tables_are_refused(two):
    tmp_path, _, _ = two
    before = _ledger_bytes(tmp_path)
    for table, bad, says in [("inspections", {"id": "I-AAAAA-AAAAA", "site": "x", "date": "soon", "status": "done"},
                              "is not a date"),
                             ("sites", {"name": "无代码"}, "not a site record"),
                             ("draws", {"id": "D-AAAAA-AAAAA", "sha256": "0"}, "sha256 does not match"),
                             ("documents", {"kind": "order", "subject": "H", "number": "1号"}, "year and seq")]:
        p = parts(tmp_path / "a.zip")
        p[f"{table}.jsonl"] = p[f"{table}.jsonl"] + jsonl([bad])
        r = _import(tmp_path, write(tmp_path / "evil.zip", p))
        assert r.exit_code == 8 and says in r.stderr, (table, r.stderr)
    assert _ledger_bytes(tmp_path) == before


def test_not_json_and_not_a_zip_are_clear_errors(two):
    tmp_path, _, _ = two
    p = parts(tmp_path / "a.zip")
    p["events.jsonl"] = b"{not json\n"
    r = _import(tmp_path, write(tmp_path / "evil.zip", p))
    assert r.exit_code == 4 and "events.jsonl line 1 is not JSON" in r.stderr
    (tmp_path / "junk.zip").write_bytes(b"PK junk")
    assert _import(tmp_path, tmp_path / "junk.zip").exit_code == 4


def test_reimport_repairs_a_short_evidence_file_and_verify_finds_it(two):
    tmp_path, major, _ = two
    [photo] = [p for p in (tmp_path / "b.evidence").rglob("*.png")]
    full = photo.read_bytes()
    photo.write_bytes(full[:10])
    r = invoke(["verify", "--ledger", str(tmp_path / "b.json")])
    assert r.exit_code == 8 and "cut short or changed" in r.stdout
    assert _import(tmp_path, tmp_path / "a.zip").exit_code == 0
    assert photo.read_bytes() == full
    photo.unlink()
    assert "is missing" in invoke(["verify", "--ledger", str(tmp_path / "b.json")]).stdout
    assert _import(tmp_path, tmp_path / "a.zip").exit_code == 0 and photo.read_bytes() == full
    assert invoke(["verify", "--ledger", str(tmp_path / "b.json")]).exit_code == 0


def test_a_report_reads_evidence_only_by_content_hash(tmp_path):
    """A record edited to cite /etc/passwd (or ../..) never makes a report read that file."""
    from inspect_cli.reports.media import evidence_items

    (tmp_path / "ab").mkdir()
    for ref in ({"sha256": "a" * 64, "name": "passwd.png", "file": "/etc/passwd"},
                {"sha256": "a" * 64, "name": "x.png", "file": "../../etc/passwd"},
                {"name": "x.png", "file": "ab/x.png"}):
        [item] = evidence_items([ref], tmp_path)
        assert item["missing"] and item["data_uri"] is None


def test_a_zip_bomb_member_is_refused_before_it_is_inflated(two):
    """A 100 KB bundle whose draws.jsonl inflates to 100 MiB of newlines: refused as a zip bomb
    (it used to be read whole into memory — 512 MiB took 4.7 GB of RAM and 2 minutes)."""
    tmp_path, _, _ = two
    before = _ledger_bytes(tmp_path)
    p = parts(tmp_path / "a.zip")
    del p["draws.jsonl"]
    out = tmp_path / "bomb.zip"
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        for n, d in p.items():
            z.writestr(n, d)
        with z.open("draws.jsonl", "w", force_zip64=True) as f:
            for _ in range(100):
                f.write(b"\n" * (1 << 20))
    r = _import(tmp_path, out)
    assert r.exit_code == 4 and "draws.jsonl" in r.stderr and "zip bomb" in r.stderr, r.stderr
    assert _ledger_bytes(tmp_path) == before


@pytest.mark.parametrize("doc, says", [
    # kind "seq" lands on the key of a number counter: the next 责令整改指令书 of 2027 was -99号
    ({"kind": "seq", "subject": "order:2027", "number": "x", "seq": -100, "year": 2027}, "kind"),
    ({"kind": "order", "subject": "I-ZZZZZ-ZZZZZ", "number": "〔2026〕0号", "seq": 0, "year": 2026}, "seq"),
    # a subject ending in @1 lands on a correction's row: the next print of the order would be
    # a 99号 never issued, named by a forged replaced_by on the order it "corrects"
    ({"kind": "order", "subject": "I-ZZZZZ-ZZZZZ@1", "number": "〔2026〕99号", "seq": 99, "year": 2026},
     "not an inspection or case id"),
])
def test_a_document_record_cannot_reset_a_number_counter(two, doc, says):
    tmp_path, _, _ = two
    p = parts(tmp_path / "a.zip")
    p["documents.jsonl"] = jsonl(rows(p.get("documents.jsonl", b"")) + [dict(doc, date="2026-03-02")])
    before = _ledger_bytes(tmp_path)
    r = _import(tmp_path, write(tmp_path / "evil.zip", p))
    assert r.exit_code == 8 and f"document {doc['kind']}:{doc['subject']}" in r.stderr and says in r.stderr, r.stderr
    assert _ledger_bytes(tmp_path) == before


def test_an_id_outside_crockfords_alphabet_is_refused(two):
    """H-…I… is stored as its own hazard, but `hazard show` reads the I as 1 and shows another
    one: a twin no one can address."""
    tmp_path, major, _ = two

    def change(evs):
        first = min((e for e in evs if e["subject"] == major), key=lambda e: e["seq"])
        twin = major[:-1] + "I" if major[-1] != "I" else major[:-1] + "L"
        evs.append(rehash(dict(first, id="E-ZZZZZ-ZZZZ2", subject=twin, data=dict(first["data"], id=twin))))

    before = _ledger_bytes(tmp_path)
    r = _import(tmp_path, edit_events(tmp_path / "a.zip", tmp_path / "evil.zip", change))
    assert r.exit_code == 8 and "not an inspect-cli id" in r.stderr, r.stderr
    assert _ledger_bytes(tmp_path) == before


@pytest.mark.parametrize("table, change, says", [
    ("sites", {"attributes": "x"}, "attributes"),
    ("sites", {"industry": ["a"]}, "industry"),
    ("sites", {"risk_class": {"a": 1}}, "risk_class"),
    ("sites", {"address": 5}, "address"),
    ("inspections", {"answers": {"GM10-11-1a": 5}}, "answer GM10-11-1a"),
    ("inspections", {"kind": ["x"]}, "kind"),
    ("inspections", {"checklist": 7}, "checklist"),
    ("inspections", {"inspectors": "张伟"}, "inspectors"),
    ("inspections", {"units": {"collectors": "1号"}}, "units"),
])
def test_a_record_that_would_crash_later_commands_is_refused(two, table, change, says):
    """Such records were stored, and from then on `site list`, `stats`, the bulletin or the
    inspection record exited 70 on this ledger."""
    tmp_path, _, _ = two
    p = parts(tmp_path / "a.zip")
    recs = rows(p[f"{table}.jsonl"])
    recs[0] = dict(recs[0], **change)
    p[f"{table}.jsonl"] = jsonl(recs)
    if table == "sites":  # a site this ledger does not have yet
        p["sites.jsonl"] = jsonl(recs + [dict(recs[0], code="91440300708461136T")])
    else:
        p["inspections.jsonl"] = jsonl(recs + [dict(recs[0], id="I-ZZZZZ-ZZZZ3", hazards=[])])
    before = _ledger_bytes(tmp_path)
    r = _import(tmp_path, write(tmp_path / "evil.zip", p))
    assert r.exit_code == 8 and says in r.stderr, r.stderr
    assert _ledger_bytes(tmp_path) == before
    for args in (["site", "list"], ["stats"], ["hazard", "list"]):
        assert invoke([*args, "--ledger", str(tmp_path / "b.json")]).exit_code == 0


def test_an_endless_line_is_refused_without_holding_it(two, monkeypatch):
    """One record line with no end (a member of gigabytes is allowed: records are streamed) is
    refused once it passes the line limit, instead of being gathered in memory."""
    from inspect_cli.sync import bundle as B

    tmp_path, _, _ = two
    monkeypatch.setattr(B, "MAX_LINE_BYTES", 3 << 20)
    p = parts(tmp_path / "a.zip")
    p["sites.jsonl"] = b'{"code": "' + b"x" * (5 << 20)  # under the zip-bomb floor: only the line limit stops it
    before = _ledger_bytes(tmp_path)
    r = _import(tmp_path, write(tmp_path / "evil.zip", p))
    assert r.exit_code == 4 and "sites.jsonl line 1 is longer than 3 MiB" in r.stderr, r.stderr
    assert _ledger_bytes(tmp_path) == before
