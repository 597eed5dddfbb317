"""Batch re-inspection from a filled plan: all or nothing."""
from __future__ import annotations

import csv
import io

import pytest

from builders import inspect_dust, ledger_with_site, other_code
from cli.runner import invoke

TWO = ["--inspector", "张伟:44010012345", "--inspector", "李娜:44010067890"]


@pytest.fixture
def ledger_path(tmp_path):
    path = tmp_path / "ledger.json"
    ledger = ledger_with_site(path, today="2026-03-02")
    inspect_dust(ledger, {"GM10-11-10": {}, "DP6-9": {}, "DP6-10b": {}}, tmp_path)
    ledger.add_site({"code": other_code(7), "name": "第二家木业", "attributes": {"wood_dust": True}})
    inspect_dust(ledger, {"DP6-9": {}}, tmp_path, code=other_code(7))
    return path


def read_rows(path):
    return list(csv.DictReader(io.StringIO(path.read_text(encoding="utf-8-sig"))))


def write_rows(path, rows):
    with open(path, "w", encoding="utf-8-sig", newline="") as f:
        w = csv.DictWriter(f, fieldnames=list(rows[0]))
        w.writeheader()
        w.writerows(rows)


def test_plan_is_a_plain_table_grouped_by_site(ledger_path, tmp_path):
    out = tmp_path / "plan.csv"
    r = invoke(["reinspect", "plan", "--due-by", "2026-04-30", "--out", str(out), "--ledger", str(ledger_path),
                "--today", "2026-04-02"])
    assert r.exit_code == 0 and "4 hazard(s) at 2 site(s)" in r.stdout
    rows = read_rows(out)
    assert list(rows[0])[:3] == ["site", "site_name", "hazard_id"]
    assert {"hazard_id", "result", "note", "deadline", "evidence"} <= set(rows[0])
    assert [r["site"] for r in rows] == sorted(r["site"] for r in rows)
    assert all(r["result"] == "" for r in rows)


def test_filled_plan_applies_in_one_write(ledger_path, tmp_path):
    out = tmp_path / "plan.csv"
    invoke(["reinspect", "plan", "--severity", "general", "--out", str(out), "--ledger", str(ledger_path),
            "--today", "2026-04-02"])
    rows = read_rows(out)
    rows[0].update(result="pass", note="已整改", evidence="photo.png")
    rows[1].update(result="fail", deadline="2026-04-20")
    rows[2].update(result="skip")
    write_rows(out, rows)
    r = invoke(["reinspect", "apply", str(out), *TWO, "--ledger", str(ledger_path), "--today", "2026-04-02", "--json"])
    assert r.exit_code == 0, r.stderr
    assert {k: r.json()[k] for k in ("closed", "reopened", "unchanged")} == {"closed": 1, "reopened": 1, "unchanged": 1}
    again = invoke(["reinspect", "apply", str(out), *TWO, "--ledger", str(ledger_path), "--today", "2026-04-02"])
    assert again.exit_code == 4 and "is closed: cannot reinspect" in again.stderr


def test_a_bad_row_in_the_middle_leaves_the_ledger_byte_identical(ledger_path, tmp_path):
    out = tmp_path / "plan.csv"
    invoke(["reinspect", "plan", "--out", str(out), "--ledger", str(ledger_path), "--today", "2026-04-02"])
    rows = read_rows(out)
    for row in rows:
        row.update(result="fail", deadline="2026-05-01")
    rows[1].update(result="")
    rows[2].update(deadline="next month")
    rows.append(dict(rows[0], hazard_id="H-00000-00000"))
    write_rows(out, rows)
    before = ledger_path.read_bytes()
    for extra in ([], ["--dry-run"]):
        r = invoke(["reinspect", "apply", str(out), *TWO, "--ledger", str(ledger_path), "--today", "2026-04-02", *extra])
        assert r.exit_code == 4
        assert "line 3:" in r.stderr and "empty result" in r.stderr
        assert "line 4:" in r.stderr and "'next month' is not a date" in r.stderr
        assert "line 6: H-00000-00000: no hazard" in r.stderr
        assert ledger_path.read_bytes() == before


def test_dry_run_reports_and_changes_nothing(ledger_path, tmp_path):
    out = tmp_path / "plan.yaml"
    invoke(["reinspect", "plan", "--severity", "general", "--out", str(out), "--ledger", str(ledger_path), "--today", "2026-04-02"])
    text = out.read_text(encoding="utf-8").replace("result: ''", "result: pass")
    out.write_text(text, encoding="utf-8")
    before = ledger_path.read_bytes()
    r = invoke(["reinspect", "apply", str(out), *TWO, "--dry-run", "--ledger", str(ledger_path), "--today", "2026-04-02"])
    assert r.exit_code == 0 and "Dry run, nothing changed: would have closed 3" in r.stdout
    assert ledger_path.read_bytes() == before


def test_ten_thousand_rows_apply_in_one_write(tmp_path, monkeypatch):
    from inspect_cli.hazard import moves as hz
    from inspect_cli.hazard.batchplan import PLAN_COLUMNS
    from inspect_cli.clock import Clock
    from inspect_cli.ledger import open_ledger
    from inspect_cli.storage import jsonfile

    ledger = open_ledger(tmp_path / "ledger.json", today="2026-03-01")
    clock = Clock.make("2026-03-01")
    with ledger.write() as st:
        ids = [hz.register(st, {"site": "S", "severity": "general", "item": "X", "deadline": "2026-03-08"},
                           clock, "t")["id"] for _ in range(10_000)]
    plan = tmp_path / "plan.csv"
    write_rows(plan, [dict.fromkeys(PLAN_COLUMNS, "") | {"hazard_id": h, "result": "pass"} for h in ids])
    writes = []
    real = jsonfile.atomic_write_bytes
    monkeypatch.setattr(jsonfile, "atomic_write_bytes", lambda p, d: (writes.append(p), real(p, d)))
    summary = open_ledger(tmp_path / "ledger.json", today="2026-03-09").reinspect_apply(
        plan, [{"name": "张伟", "cert": "1"}])
    assert len(summary["closed"]) == 10_000 and len(writes) == 1


def test_a_plan_that_is_neither_utf8_nor_gb18030_is_refused_with_its_line(ledger_path, tmp_path):
    # It used to be decoded with errors="replace": notes became U+FFFD and were applied.
    out = tmp_path / "plan.csv"
    invoke(["reinspect", "plan", "--due-by", "2026-04-30", "--out", str(out), "--ledger", str(ledger_path),
            "--today", "2026-04-02"])
    rows = read_rows(out)
    for row in rows:
        row["result"] = "pass"
    write_rows(out, rows)
    data = out.read_bytes().replace(b"\r\n", b"\n").split(b"\n")
    data[2] = data[2] + b"\xff\xfe"  # not UTF-8, and no GB18030 either
    out.write_bytes(b"\n".join(data))
    before = ledger_path.read_bytes()
    r = invoke(["reinspect", "apply", str(out), *TWO, "--ledger", str(ledger_path), "--today", "2026-04-02"])
    assert r.exit_code == 4, r.stderr
    assert f"{out}:3: the file is neither UTF-8 nor GB18030/GBK text" in r.stderr
    assert ledger_path.read_bytes() == before
