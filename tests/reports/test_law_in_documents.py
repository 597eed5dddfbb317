"""What the law work changes in documents: unverified articles are marked, user checklists' texts print."""
from __future__ import annotations

import yaml
from builders import INSPECTOR_ARGS, SITE, answers, ledger_with_site
from cli.runner import invoke

from checklist.helpers import DATA

FIREWORKS = DATA / "site-range"


def _run(tmp_path, path, ref, doc, *extra):
    f = tmp_path / "answers.yaml"
    f.write_text(yaml.safe_dump(doc, allow_unicode=True), encoding="utf-8")
    r = invoke(["run", ref, "--site", SITE, *INSPECTOR_ARGS, "--answers", str(f), "--ledger", path,
                "--today", "2026-03-02", "--json", *extra])
    assert r.exit_code == 0, r.stderr
    return r.json()


def test_an_unverified_article_prints_as_such_on_the_order(tmp_path):
    path = str(tmp_path / "ledger.json")
    ledger_with_site(tmp_path / "ledger.json", today="2026-03-02")
    out = _run(tmp_path, path, "dust-explosion", answers("dust-explosion", {"collectors": ["1号"]}, {"DP6-MT-1": {}}))
    assert out["hazards"][0]["basis"][0]["citation"] == \
        "《工贸企业粉尘防爆安全规定》（中华人民共和国应急管理部令第6号）检修和动火作业相关条款（条款待核实）"
    for kind in ("order", "record"):
        r = invoke(["report", kind, out["inspection"], "--format", "md", "--out", str(tmp_path / f"{kind}.md"),
                    "--ledger", path, "--today", "2026-03-02"])
        assert r.exit_code == 0, r.stderr
        assert "检修和动火作业相关条款（条款待核实）" in (tmp_path / f"{kind}.md").read_text(encoding="utf-8"), kind
    shown = invoke(["checklist", "show", "dust-explosion", "--today", "2026-03-02"], env={"COLUMNS": "250"}).stdout
    assert "检修和动火作业相关条款（条款待核实）" in shown


def test_report_prints_the_item_texts_of_a_users_checklist_from_checklist_dir_and_env(tmp_path):
    path = str(tmp_path / "ledger.json")
    ledger_with_site(tmp_path / "ledger.json", today="2026-03-02", attributes={"approved_charge": 500})
    out = _run(tmp_path, path, "fireworks-store", {"site": {"approved_headcount": 3}, "answers": {"FW-1": 2, "FW-2": 520, "FW-3": "3号库，组合烟花"}},
               "--checklist-dir", str(FIREWORKS))
    text = "记录抽查仓库的编号和存放品种"  # a recorded (text) item prints with its checklist text

    def record(*extra, env=None):
        target = tmp_path / "record.md"
        r = invoke(["report", "record", out["inspection"], "--format", "md", "--out", str(target), "--ledger", path,
                    "--today", "2026-03-02", *extra], env=env)
        assert r.exit_code == 0, r.stderr
        return target.read_text(encoding="utf-8")

    assert text not in record()  # the checklist is not known: bare ids
    assert text in record("--checklist-dir", str(FIREWORKS))
    assert text in record(env={"INSPECT_CHECKLIST_PATH": str(FIREWORKS)})
    r = invoke(["report", "record", out["inspection"], "--checklist-dir", str(tmp_path / "nope"), "--ledger", path])
    assert r.exit_code == 3
