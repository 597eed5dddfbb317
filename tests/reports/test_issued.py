"""Numbered documents: the number printed is the number recorded, issued documents are
frozen, corrections name what they replace, and two laptops never print the same number."""
from __future__ import annotations

import hashlib
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from builders import inspect_dust, ledger_with_site
from cli.runner import invoke

from inspect_cli.reports import render_report
from inspect_cli.reports.issued import issued_documents, number_collisions

NUMBER = re.compile(r"（穗应急）应急责改〔2026〕(\S+?)号")


def _ledger_with_inspections(tmp_path: Path, n: int) -> tuple[Path, list[str]]:
    path = tmp_path / "ledger.json"
    ledger = ledger_with_site(path, today="2026-03-02")
    ids = [inspect_dust(ledger, {"DP6-9": {}}, tmp_path)["inspection"]["id"] for _ in range(n)]
    ledger.set_setting("org.code", "穗应急")
    return path, ids


@pytest.mark.slow
def test_eight_concurrent_orders_print_eight_distinct_recorded_numbers(tmp_path):
    path, ids = _ledger_with_inspections(tmp_path, 8)
    env = dict(os.environ, INSPECT_TODAY="2026-03-02")
    procs = [subprocess.Popen([sys.executable, "-m", "inspect_cli", "report", "order", iid, "--format", "md",
                               "--ledger", str(path), "--out", str(tmp_path / f"o{k}.md"), "--json"],
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
             for k, iid in enumerate(ids)]
    results = [p.communicate(timeout=300) + (p.returncode,) for p in procs]
    assert all(rc == 0 for _, _, rc in results), [err for _, err, _ in results]
    reported = [json.loads(out)["number"] for out, _, _ in results]
    printed = []
    for k in range(8):
        found = NUMBER.findall((tmp_path / f"o{k}.md").read_text(encoding="utf-8"))
        assert len(set(found)) == 1, found
        printed.append(f"（穗应急）应急责改〔2026〕{found[0]}号")
    assert printed == reported
    assert sorted(printed) == sorted(f"（穗应急）应急责改〔2026〕{n}号" for n in range(1, 9))
    listed = invoke(["report", "list", "--ledger", str(path), "--json"]).json()["documents"]
    recorded = {d["subject"]: d["number"] for d in listed}
    assert {iid: recorded[iid] for iid in ids} == dict(zip(ids, printed))


def test_a_reprint_is_byte_identical_even_after_the_ledger_changed(ledger, tmp_path):
    first = render_report(ledger, "order", "I-00000-00002", out=tmp_path / "a.html")
    md1 = render_report(ledger, "order", "I-00000-00002", fmt="md", out=tmp_path / "a.md")
    ledger.set_setting("org.name", "另一个名称应急管理局")
    ledger.set_setting("docno.order", "（{org}）改〔{year}〕{seq}号")
    again = render_report(ledger, "order", "I-00000-00002", out=tmp_path / "b.html")
    md2 = render_report(ledger, "order", "I-00000-00002", fmt="md", out=tmp_path / "b.md")
    assert (tmp_path / "a.html").read_bytes() == (tmp_path / "b.html").read_bytes()
    assert (tmp_path / "a.md").read_bytes() == (tmp_path / "b.md").read_bytes()
    assert first["number"] == again["number"] == md1["number"] == md2["number"]
    with ledger.read() as st:
        docs = issued_documents(st)
    assert [(d.kind, d.subject, d.number) for d in docs] == [("order", "I-00000-00002", first["number"])]
    assert docs[0].variants == ("zh.html.full", "zh.md.full")


def test_a_user_template_does_not_change_an_issued_document(ledger, tmp_path):
    render_report(ledger, "record", "I-00000-00002", fmt="md", out=tmp_path / "a.md")
    tpl = tmp_path / "tpl"
    tpl.mkdir()
    (tpl / "record.md.j2").write_text("CHANGED {{ number }}", encoding="utf-8")
    render_report(ledger, "record", "I-00000-00002", fmt="md", out=tmp_path / "b.md", template_dir=tpl)
    assert (tmp_path / "a.md").read_bytes() == (tmp_path / "b.md").read_bytes()


def test_a_correction_is_a_new_document_naming_the_one_it_replaces(ledger, tmp_path):
    old = render_report(ledger, "order", "I-00000-00002", fmt="md", out=tmp_path / "a.md")["number"]
    new = render_report(ledger, "order", "I-00000-00002", fmt="md", out=tmp_path / "b.md", correct="整改期限写错")
    assert new["number"] != old and new["replaces"] == old
    text = (tmp_path / "b.md").read_text(encoding="utf-8")
    assert new["number"] in text and old in text and "整改期限写错" in text
    # the correction is now the document; the replaced one stays listed
    again = render_report(ledger, "order", "I-00000-00002", fmt="md", out=tmp_path / "c.md")
    assert again["number"] == new["number"]
    assert (tmp_path / "b.md").read_bytes() == (tmp_path / "c.md").read_bytes()
    with ledger.read() as st:
        docs = {d.number: d for d in issued_documents(st)}
    assert docs[old].replaced_by == new["number"] and docs[new["number"]].replaces == old


def test_correcting_a_document_never_issued_is_refused(ledger_path, tmp_path):
    r = invoke(["report", "order", "I-00000-00002", "--correct", "x", "--ledger", str(ledger_path),
                "--out", str(tmp_path / "x.html"), "--today", "2026-04-15"])
    assert r.exit_code == 2 and "never issued" in r.stderr
    r = invoke(["report", "list", "--ledger", str(ledger_path), "--json"])
    assert r.json() == {"documents": []}


def test_two_laptops_with_their_own_series_never_print_the_same_number(tmp_path):
    numbers = []
    for device in ("A", "B"):
        folder = tmp_path / device
        folder.mkdir()
        path, ids = _ledger_with_inspections(folder, 2)
        invoke(["config", "set", "org.device", device, "--ledger", str(path)])
        for iid in ids:
            numbers.append(invoke(["report", "order", iid, "--format", "md", "--ledger", str(path), "--json",
                                   "--out", str(folder / f"{iid}.md"), "--today", "2026-03-02"]).json()["number"])
    assert numbers == ["（穗应急）应急责改〔2026〕A-1号", "（穗应急）应急责改〔2026〕A-2号",
                       "（穗应急）应急责改〔2026〕B-1号", "（穗应急）应急责改〔2026〕B-2号"]


def test_a_device_code_must_be_short_letters_or_digits(tmp_path):
    path, _ = _ledger_with_inspections(tmp_path, 1)
    r = invoke(["config", "set", "org.device", "A/1 2", "--ledger", str(path)])
    assert r.exit_code == 2 and "org.device" in r.stderr


def test_a_number_already_on_another_document_is_skipped(ledger, tmp_path):
    with ledger.write() as st:  # as if imported from a laptop that used the same series
        st.put("documents", "order:I-OTHER", {"kind": "order", "subject": "I-OTHER", "year": 2026, "seq": 1,
                                               "number": "（榕某应急）应急责改〔2026〕1号", "date": "2026-03-01"})
    out = render_report(ledger, "order", "I-00000-00002", fmt="md", out=tmp_path / "a.md")
    assert out["number"] == "（榕某应急）应急责改〔2026〕2号"


def test_number_collisions_name_both_documents():
    ours = [{"kind": "order", "subject": "I-1", "number": "N1"}, {"kind": "record", "subject": "I-1", "number": "R1"},
            {"kind": "order", "year": 2026, "seq": 3}]
    theirs = [{"kind": "order", "subject": "I-1", "number": "N1"}, {"kind": "order", "subject": "I-9", "number": "R1"}]
    assert [(c.number, c.ours, c.theirs) for c in number_collisions(ours, theirs)] == [("R1", "record:I-1", "order:I-9")]


def test_a_pdf_reprint_is_byte_identical(ledger_path, tmp_path):
    pytest.importorskip("weasyprint")
    from inspect_cli.ledger import open_ledger

    first = open_ledger(ledger_path, today="2026-04-15")
    render_report(first, "order", "I-00000-00002", fmt="pdf", out=tmp_path / "a.pdf")
    later = open_ledger(ledger_path, today="2026-06-30")
    later.set_setting("org.name", "改名后的应急管理局")
    render_report(later, "order", "I-00000-00002", fmt="pdf", out=tmp_path / "b.pdf")
    assert (tmp_path / "a.pdf").read_bytes() == (tmp_path / "b.pdf").read_bytes()


def test_frozen_texts_are_compact_and_photos_are_stored_once(ledger, tmp_path):
    from inspect_cli.errors import IntegrityError

    render_report(ledger, "record", "I-00000-00002", out=tmp_path / "r.html")
    render_report(ledger, "order", "I-00000-00002", out=tmp_path / "o.html")
    with ledger.read() as st:
        images = [r for r in st.find("documents") if "data" in r]
        frozen = st.get("documents", "frozen:order:I-00000-00002")
    assert len(images) == 1  # the photo of the finding, stored once although both documents print it
    packed = frozen["texts"]["zh.html.full"]
    assert "data:image" not in packed and len(packed) < (tmp_path / "o.html").stat().st_size / 2
    with ledger.write() as st:  # a stored part removed behind inspect-cli's back
        key = "image:" + hashlib.sha256(images[0]["data"].encode()).hexdigest()
        st.put("documents", key, {"data": "data:image/png;base64,AAAA"})
    with pytest.raises(IntegrityError, match="does not match its hash"):
        render_report(ledger, "order", "I-00000-00002", out=tmp_path / "again.html")


@pytest.mark.parametrize("suffix", [".json", ".sqlite"])
def test_a_correction_after_a_seal_keeps_the_seal_valid(tmp_path, suffix):
    from inspect_cli.ledger import open_ledger

    path = tmp_path / f"ledger{suffix}"
    ledger = ledger_with_site(path, today="2026-03-02")
    ins = inspect_dust(ledger, {"DP6-9": {}}, tmp_path)["inspection"]["id"]
    ledger.set_setting("org.code", "穗应急")
    ledger = open_ledger(path, today="2026-03-03")
    first = render_report(ledger, "order", ins, fmt="md", out=tmp_path / "a.md")["number"]
    r = invoke(["seal", "--out", str(tmp_path / "seal.json"), "--ledger", str(path), "--json", "--today", "2026-03-03"])
    assert r.exit_code == 0, r.stderr
    new = render_report(ledger, "order", ins, fmt="md", out=tmp_path / "b.md", correct="整改期限写错")["number"]
    assert new != first
    v = invoke(["verify", "--seal", str(tmp_path / "seal.json"), "--ledger", str(path), "--json"])
    assert v.exit_code == 0, v.stdout
    assert v.json()["seal"]["added"]["document"] == 1 and v.json()["seal"]["changed"] == 0
    # the document sealed is still what was sealed: its number cannot be changed behind the seal
    with ledger.write() as st:
        row = st.get("documents", f"order:{ins}")
        st.put("documents", f"order:{ins}", dict(row, number="（穗应急）应急责改〔2026〕99号"))
    v = invoke(["verify", "--seal", str(tmp_path / "seal.json"), "--ledger", str(path)])
    assert v.exit_code == 8 and "changed since the seal" in v.stdout
