"""A correction on the bureau's PostgreSQL ledger, whose guard refuses any change to an issued
document: the correction is a new row, and the one it replaces only gains ``replaced_by``."""
from __future__ import annotations

import pytest
from builders import inspect_dust, ledger_with_site
from cli.runner import invoke
from pgserver import fresh_database

from inspect_cli.reports.issued import issued_documents


@pytest.fixture
def url(request):
    return fresh_database(request)


def test_a_correction_on_postgresql_keeps_the_replaced_document_as_issued(url, tmp_path):
    ledger = ledger_with_site(url, today="2026-03-02")
    ledger.set_setting("org.code", "榕应急")
    ins = inspect_dust(ledger, {"GM10-11-10": {}}, tmp_path)["inspection"]["id"]
    args = ["--format", "md", "--ledger", url, "--today", "2026-03-03", "--json"]
    first = invoke(["report", "order", ins, "--out", str(tmp_path / "a.md"), *args])
    assert first.exit_code == 0, first.stderr
    fixed = invoke(["report", "order", ins, "--out", str(tmp_path / "b.md"), "--correct", "整改期限写错", *args])
    assert fixed.exit_code == 0, fixed.stderr
    again = invoke(["report", "order", ins, "--out", str(tmp_path / "c.md"), "--correct", "地址写错", *args])
    assert again.exit_code == 0, again.stderr
    numbers = [r.json()["number"] for r in (first, fixed, again)]
    assert len(set(numbers)) == 3
    reprint = invoke(["report", "order", ins, "--out", str(tmp_path / "d.md"), *args])
    assert reprint.json()["number"] == numbers[2]
    assert (tmp_path / "c.md").read_bytes() == (tmp_path / "d.md").read_bytes()
    # the first print is still the document it was: same text on a reprint of its frozen row
    assert numbers[0] in (tmp_path / "a.md").read_text(encoding="utf-8")
    with ledger.read() as st:
        docs = {d.number: d for d in issued_documents(st)}
    assert docs[numbers[0]].replaced_by == numbers[1] and docs[numbers[1]].replaces == numbers[0]
    assert docs[numbers[1]].replaced_by == numbers[2] and docs[numbers[2]].replaces == numbers[1]
    assert not docs[numbers[2]].replaced_by
    assert invoke(["verify", "--ledger", url]).exit_code == 0
