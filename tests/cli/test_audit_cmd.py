"""`inspect audit`: grouped output, --json, and exit 1 when anything is flagged."""
from __future__ import annotations

import pytest

from builders import inspect_dust, ledger_with_site, other_code
from cli.runner import invoke

NOTE = "现场检查发现除尘器灰斗下方积尘厚度超过五毫米，且当班未清扫"


@pytest.fixture
def ledger(tmp_path):
    led = ledger_with_site(tmp_path / "ledger.json", today="2026-03-02")
    led.add_site({"code": other_code(1), "name": "乙公司", "industry": "机械"})
    return led


def audit(led, *args):
    return invoke(["audit", "--ledger", str(led.path), "--today", "2026-03-02", *args])


def test_clean_ledger_exits_0(ledger, tmp_path):
    inspect_dust(ledger, {"GM10-11-10": {}}, tmp_path)
    inspect_dust(ledger, {"GM10-11-10": {}}, tmp_path, code=other_code(1))
    r = audit(ledger)
    assert r.exit_code == 0, r.stdout + r.stderr
    assert "Clean: nothing flagged." in r.stdout
    assert audit(ledger, "--json").json()["findings"] == []


def test_findings_exit_1_grouped_by_kind(ledger, tmp_path):
    inspect_dust(ledger, {"GM10-11-10": {"note": NOTE}}, tmp_path)
    inspect_dust(ledger, {"GM10-11-10": {"note": NOTE, "severity": "general", "downgrade_reason": "面积小"}},
                 tmp_path, code=other_code(1))
    r = audit(ledger)
    assert r.exit_code == 1
    assert "数据趋同" in r.stdout and "copied_text (1)" in r.stdout
    assert "避重就轻" in r.stdout and "downgraded_major (1)" in r.stdout
    assert "2 finding(s)." in r.stdout


def test_json_and_ignore(ledger, tmp_path):
    inspect_dust(ledger, {"GM10-11-10": {"severity": "general", "downgrade_reason": "面积小"}}, tmp_path)
    r = audit(ledger, "--json")
    assert r.exit_code == 1
    data = r.json()
    assert [f["kind"] for f in data["findings"]] == ["downgraded_major"]
    assert data["counts"]["downgraded_major"] == 1 and data["checked"]["hazards"] == 1
    r = audit(ledger, "--json", "--ignore", "downgraded_major")
    assert r.exit_code == 0 and r.json()["findings"] == [] and r.json()["ignored"] == ["downgraded_major"]


def test_empty_ledger_is_clean(tmp_path):
    invoke(["config", "set", "org.name", "某应急管理局", "--ledger", str(tmp_path / "none.json")])  # an empty ledger
    r = invoke(["audit", "--ledger", str(tmp_path / "none.json")])
    assert r.exit_code == 0
