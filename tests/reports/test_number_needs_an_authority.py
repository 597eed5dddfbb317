"""A document number is only given once the issuing authority is set."""
from __future__ import annotations

from builders import inspect_dust, ledger_with_site
from cli.runner import invoke


def test_no_sequence_is_used_before_the_authority_is_set(tmp_path):
    path = tmp_path / "ledger.json"
    ledger = ledger_with_site(path, today="2026-03-02")
    iid = inspect_dust(ledger, {"DP6-9": {}}, tmp_path)["inspection"]["id"]
    args = ["report", "order", iid, "--format", "md", "--ledger", str(path), "--json"]
    first = invoke([*args, "--out", str(tmp_path / "a.md")]).json()
    assert first["number"] == "（    ）应急责改〔2026〕    号"
    invoke(["config", "set", "org.code", "穗应急", "--ledger", str(path)])
    second = invoke([*args, "--out", str(tmp_path / "b.md")]).json()
    assert second["number"] == "（穗应急）应急责改〔2026〕1号"
    assert invoke([*args, "--out", str(tmp_path / "c.md")]).json()["number"] == second["number"]


def test_a_failed_render_takes_no_number(tmp_path):
    path = tmp_path / "ledger.json"
    ledger = ledger_with_site(path, today="2026-03-02")
    iid = inspect_dust(ledger, {"DP6-9": {}}, tmp_path)["inspection"]["id"]
    invoke(["config", "set", "org.code", "穗应急", "--ledger", str(path)])
    bad = tmp_path / "tpl"
    bad.mkdir()
    (bad / "order.md.j2").write_text("{{ 1 / 0 }}", encoding="utf-8")
    r = invoke(["report", "order", iid, "--format", "md", "--template-dir", str(bad), "--ledger", str(path),
                "--out", str(tmp_path / "x.md")])
    assert r.exit_code == 9 and "ZeroDivisionError" in r.stderr
    ok = invoke(["report", "order", iid, "--format", "md", "--ledger", str(path), "--out", str(tmp_path / "y.md"),
                 "--json"]).json()
    assert ok["number"] == "（穗应急）应急责改〔2026〕1号"
