"""检查时间 on the record comes from the inspector: answers files, run options or the
terminal prompts — never the computer's clock at printing."""
from __future__ import annotations

from pathlib import Path

import yaml
from builders import INSPECTOR_ARGS, SITE, answers, ledger_with_site
from cli.runner import invoke

from inspect_cli.ledger import open_ledger


def _setup(tmp_path: Path, **extra: str) -> tuple[str, str]:
    path = tmp_path / "ledger.json"
    ledger_with_site(path)
    doc = dict(answers("dust-explosion", {"collectors": ["1号除尘系统"]}, {"DP6-9": {}}), **extra)
    f = tmp_path / "answers.yaml"
    f.write_text(yaml.safe_dump(doc, allow_unicode=True), encoding="utf-8")
    return str(path), str(f)


def _run(path: str, f: str, *extra: str):
    return invoke(["run", "dust-explosion", "--site", SITE, *INSPECTOR_ARGS, "--answers", f, "--ledger", path,
                   "--today", "2026-03-02", "--json", *extra])


def _record(path: str, iid: str, tmp_path: Path) -> str:
    r = invoke(["report", "record", iid, "--format", "md", "--ledger", path, "--today", "2026-03-31",
                "--out", str(tmp_path / "r.md")])
    assert r.exit_code == 0, r.stderr
    return (tmp_path / "r.md").read_text("utf-8")


def test_an_answers_file_gives_the_times(tmp_path):
    path, f = _setup(tmp_path, started="09:05", finished="11:40")
    r = _run(path, f)
    assert r.exit_code == 0, r.stderr
    assert "| 检查时间 | 2026年3月2日9时05分至3月2日11时40分 |" in _record(path, r.json()["inspection"], tmp_path)


def test_run_options_give_the_times(tmp_path):
    path, f = _setup(tmp_path)
    r = _run(path, f, "--started", "2026-03-02 14:00", "--finished", "2026-03-02 16:30")
    assert r.exit_code == 0, r.stderr
    assert "2026年3月2日14时00分至3月2日16时30分" in _record(path, r.json()["inspection"], tmp_path)


def test_without_times_a_back_dated_answers_run_leaves_the_hours_blank(tmp_path):
    path, f = _setup(tmp_path)
    r = _run(path, f)
    text = _record(path, r.json()["inspection"], tmp_path)
    assert "| 检查时间 | 2026年3月2日＿＿时＿＿分至＿＿月＿＿日＿＿时＿＿分 |" in text


def test_bad_times_are_refused_and_nothing_is_saved(tmp_path):
    path, f = _setup(tmp_path, started="11:00", finished="10:00")
    r = _run(path, f)
    assert r.exit_code == 2 and "not after" in r.stderr
    r = _run(path, f, "--started", "09:00")
    assert r.exit_code == 2 and "both" in r.stderr
    assert open_ledger(path).inspections() == []


def test_an_interactive_run_takes_the_times_as_options(tmp_path):
    from builders import passing, registry

    from inspect_cli.inspection.record import pending

    path = tmp_path / "ledger.json"
    ledger_with_site(path)
    base = ["--ledger", str(path), "--today", "2026-03-02"]
    r = invoke(["run", "dust-explosion", "--site", SITE, *INSPECTOR_ARGS, *base], input="1号除尘系统\nyes\n\n")
    iid = r.stdout.split("--resume ")[-1].split()[0]
    rec = open_ledger(path).inspection(iid)
    c = registry().get("dust-explosion")
    lines = []
    for step in pending(rec, c, open_ledger(path).site(SITE)):
        lines += [str(passing(step.item)), ""]
    r = invoke(["run", "--resume", iid, "--started", "08:30", "--finished", "09:45", *base],
               input="\n".join(lines) + "\n")
    assert r.exit_code == 0, r.stdout + r.stderr
    assert "2026年3月2日8时30分至3月2日9时45分" in _record(str(path), iid, tmp_path)
