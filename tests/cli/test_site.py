from __future__ import annotations

import pytest

from builders import SITE, other_code
from cli.runner import invoke


@pytest.fixture
def ledger(tmp_path):
    return str(tmp_path / "ledger.json")


def test_add_and_show_a_site(ledger):
    r = invoke(["site", "add", "--code", SITE, "--name", "某某木业有限公司", "--industry", "木材加工",
                "--attr", "wood_dust=true", "--attr", "workers=12", "--ledger", ledger, "--json"])
    assert r.exit_code == 0, r.stderr
    assert r.json()["attributes"] == {"wood_dust": True, "workers": 12}
    shown = invoke(["site", "show", SITE.lower(), "--ledger", ledger, "--json"]).json()
    assert shown["name"] == "某某木业有限公司" and shown["inspections"] == []


def test_a_wrong_check_character_is_refused_without_a_guessed_code(ledger, tmp_path):
    r = invoke(["site", "add", "--code", "91350100M000100Y44", "--name", "x", "--ledger", ledger])
    assert r.exit_code == 4
    assert r.stderr == ("Error: unified social credit code '91350100M000100Y44' fails its check (校验码不符): at least "
                        "one character is wrong; re-read the whole code from the business licence (营业执照) and type "
                        "it again\n")
    assert not (tmp_path / "ledger.json").exists()


def test_the_same_code_twice_is_refused(ledger):
    invoke(["site", "add", "--code", SITE, "--name", "x", "--ledger", ledger])
    r = invoke(["site", "add", "--code", SITE, "--name", "y", "--ledger", ledger])
    assert r.exit_code == 4 and "already in the ledger" in r.stderr


def test_import_checks_every_row_first_and_imports_nothing_on_a_bad_row(ledger, tmp_path):
    csv = tmp_path / "sites.csv"
    csv.write_text("统一社会信用代码,单位名称,行业,attr.wood_dust\n"
                   f"{other_code(1)},甲公司,木材加工,true\n"
                   "91350100M000100Y44,乙公司,木材加工,false\n"
                   f"{other_code(3)},,木材加工,true\n", encoding="utf-8")
    r = invoke(["site", "import", str(csv), "--ledger", ledger])
    assert r.exit_code == 4
    assert "row 3:" in r.stderr and "row 4:" in r.stderr and "nothing was imported" in r.stderr
    from pathlib import Path

    assert not Path(ledger).exists()  # a refused first write creates no ledger (a read then says so)
    assert invoke(["site", "list", "--ledger", ledger, "--json"]).exit_code == 3
    r = invoke(["site", "import", str(csv), "--skip-invalid", "--ledger", ledger, "--json"])
    assert r.exit_code == 0
    assert r.json()["imported"] == 1 and [s["row"] for s in r.json()["skipped"]] == [3, 4]
    sites = invoke(["site", "list", "--ledger", ledger, "--json"]).json()
    assert [(s["name"], s["attributes"]) for s in sites] == [("甲公司", {"wood_dust": True})]


def test_bad_attribute_syntax_is_a_clear_error(ledger):
    r = invoke(["site", "add", "--code", SITE, "--name", "x", "--attr", "Bad Key=1", "--ledger", ledger])
    assert r.exit_code == 4 and "Traceback" not in r.stderr
