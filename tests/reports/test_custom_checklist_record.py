"""A record of an inspection made with a checklist from --checklist-dir prints its item texts.

It used to print bare item ids: the report rebuilt the registry without the user's folders
and a silent ``except Exception`` hid the miss.
"""
from __future__ import annotations

import re

from builders import INSPECTORS, answers, ledger_with_site
from cli.runner import invoke
from inspect_cli.checklist import Registry
from inspect_cli.checklist.registry import checklist_dirs
from inspect_cli.resources import bundled_dir


def test_the_record_of_a_custom_checklist_prints_its_item_texts(tmp_path, monkeypatch):
    monkeypatch.delenv("INSPECT_CHECKLIST_PATH", raising=False)
    own = tmp_path / "own"
    own.mkdir()
    text = (bundled_dir("checklists") / "dust-explosion.yaml").read_text(encoding="utf-8")
    text = re.sub(r"(?m)^id: dust-explosion$", "id: my-dust", text, count=1)
    (own / "my-dust.yaml").write_text(text, encoding="utf-8")
    reg = Registry.discover(checklist_dirs([str(own)]))
    checklist = reg.get("my-dust")
    ledger = ledger_with_site(tmp_path / "ledger.json")
    doc = answers("dust-explosion", {"collectors": ["1号除尘系统"]}, {"DP6-9": {}})
    rec = ledger.run_answers(checklist, "91350100M000100Y43", INSPECTORS, "enforcement", doc, tmp_path)
    out = tmp_path / "record.html"
    item_text = checklist.item("DP6-9").text.zh
    r = invoke(["report", "record", rec["inspection"]["id"], "--out", str(out), "--checklist-dir", str(own),
                "--ledger", str(tmp_path / "ledger.json")])
    assert r.exit_code == 0, r.stderr
    assert item_text in out.read_text(encoding="utf-8")
