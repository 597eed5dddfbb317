"""The newcomer's command: inspect demo leaves a verified ledger and a folder of reports."""
from __future__ import annotations

import json

from cli.runner import invoke


def test_demo_builds_a_ledger_walks_the_loop_and_renders_every_report_kind(tmp_path):
    out = tmp_path / "demo"
    r = invoke(["demo", "--out", str(out), "--json"])
    assert r.exit_code == 0, r.stderr
    made = r.json()
    kinds = {p.split("/")[-1].split("-")[0].split(".")[0] for p in made["reports"]}
    assert {"record", "order", "review", "closure", "ledger", "bulletin"} <= kinds
    assert any(p.endswith(".xlsx") for p in made["reports"])
    assert invoke(["verify", "--ledger", made["ledger"]]).exit_code == 0
    hazards = json.loads(invoke(["hazard", "list", "--ledger", made["ledger"], "--json", "--today", "2026-04-01"]).stdout)
    statuses = {h["status"] for h in hazards["hazards"]}
    assert "closed" in statuses and statuses & {"open", "planned", "fixed"}
    again = invoke(["demo", "--out", str(out)])
    assert again.exit_code == 2 and "already exists" in again.stderr


def test_demo_force_rebuilds_a_demo_and_keeps_other_files(tmp_path):
    out = tmp_path / "demo"
    assert invoke(["demo", "--out", str(out), "--json"]).exit_code == 0
    again = invoke(["demo", "--out", str(out)])
    assert again.exit_code == 2 and f"inspect demo --out {out} --force" in again.stderr
    assert "Building" not in again.stdout
    (out / "my-notes.txt").write_text("mine", encoding="utf-8")
    r = invoke(["demo", "--out", str(out), "--force"])
    assert r.exit_code == 0, r.stderr
    assert "Removed the previous demo" in r.stdout and (out / "my-notes.txt").read_text(encoding="utf-8") == "mine"
    assert invoke(["verify", "--ledger", str(out / "ledger.json")]).exit_code == 0
    inspections = invoke(["inspection", "list", "--ledger", str(out / "ledger.json"), "--json"]).json()
    assert inspections["total"] == 2  # rebuilt, not added to


def test_demo_force_does_not_remove_a_real_ledger(tmp_path):
    from builders import ledger_with_site

    ledger_with_site(tmp_path / "ledger.json")
    before = (tmp_path / "ledger.json").read_bytes()
    r = invoke(["demo", "--out", str(tmp_path), "--force"])
    assert r.exit_code == 2 and "is not a demo ledger" in r.stderr
    assert (tmp_path / "ledger.json").read_bytes() == before


def test_missing_pdf_support_is_said_once(tmp_path, monkeypatch):
    from inspect_cli.errors import ReportError
    from inspect_cli.reports import pdf

    def no_pdf(html):
        raise ReportError("PDF output needs WeasyPrint: pip install 'inspect-cli[pdf]'")

    monkeypatch.setattr(pdf, "html_to_pdf", no_pdf)
    r = invoke(["demo", "--out", str(tmp_path / "demo")])
    assert r.exit_code == 0, r.stderr
    assert r.stdout.count("PDFs not made: PDF output needs WeasyPrint: pip install 'inspect-cli[pdf]'") == 1
