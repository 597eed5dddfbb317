"""A whole interactive run in a real terminal (a pty through pexpect): Chinese prompts, a
numbered choice, Ctrl-C, then ``--resume`` to the end."""
from __future__ import annotations

import os
import sys

import pytest

from builders import INSPECTOR_ARGS, SITE, ledger_with_site
from inspect_cli.ledger import open_ledger

pexpect = pytest.importorskip("pexpect", reason="pexpect is not installed (pip install -e '.[test]')")

FAILED_OPTION = "已设置但失效或者无效，依第十四条判定为重大事故隐患"
PROGRAM = "import sys; from inspect_cli.cli.main import main; sys.exit(main())"


def spawn(args, tmp_path):
    env = dict(os.environ, INSPECT_TODAY="2026-03-02", COLUMNS="200", LINES="50",
               XDG_STATE_HOME=str(tmp_path / "state"))
    env.pop("INSPECT_LANG", None)
    child = pexpect.spawn(sys.executable, ["-c", PROGRAM, *args], env=env, encoding="utf-8", timeout=30,
                          dimensions=(50, 200))
    return child


def answer_until_done(child, photo):
    """Answer every question the program asks: pass, except GM10-11-3 (choice 2, 失效)."""
    failing = False
    while True:
        i = child.expect([r"GM10-11-3(?![0-9a-z])", r"是否符合？1 是 / 2 否 / 0 不适用（后加 \+ 另写备注）: ",
                          r"选择 1–(\d)，或 0 不适用（后加 \+ 另写备注）: ", r"记录（文字），或“不适用”: ",
                          r"隐患描述（所见情形将附在描述之后） \[", r"部位: ", r"备注: ", r"证据文件.*: ",
                          r"整改期限 \[", r"当场整改？是 / 否 \[否\]: ", r"检查 \S*(I-[0-9A-Z]{5}-[0-9A-Z]{5})\S* 已保存",
                          r"\n\s*(started|finished|开始|结束)[^\n]*: "])  # 检查时间, if asked: left blank
        if i == 0:
            failing = True
        elif i == 1:
            child.sendline("是")
        elif i == 2:
            child.sendline("2" if failing else "1")
        elif i == 3:
            child.sendline("除尘器型号 XYZ")
        elif i in (4, 5, 6, 8, 9):
            failing = False
            child.expect(": ") if i in (4, 8) else None
            child.sendline("")
        elif i == 7:
            child.sendline(photo)
        elif i == 11:
            child.sendline("")
        else:
            return


def test_a_whole_interactive_run_in_a_terminal_with_ctrl_c_and_resume(tmp_path):
    ledger = tmp_path / "ledger.json"
    ledger_with_site(ledger)
    photo = tmp_path / "泄爆口.png"
    photo.write_bytes(b"\x89PNG\r\n\x1a\n1234")
    child = spawn(["run", "dust-explosion", "--site", SITE, *INSPECTOR_ARGS, "--ledger", str(ledger)], tmp_path)
    child.expect("现场的各个除尘系统名称，用 、 ， 或 , 分隔（直接回车：没有）: ")
    child.sendline("1号除尘系统、2号除尘系统")
    child.expect("是否符合？.*: ")
    child.sendline("y+")  # a pass with a note asked for
    child.expect("备注: ")
    child.sendline("厂房为单层钢结构")
    while child.expect([r"是否符合？[^\n]*: ", r"记录（文字），或“不适用”: "]) == 0:
        child.sendline("是")
    child.sendintr()  # Ctrl-C in the middle of a question (the first unit's description)
    child.expect(r"已中止，已保存 (\d+) 项回答。继续：inspect run --resume (I-\S+)")
    saved, inspection_id = int(child.match.group(1)), child.match.group(2)
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 130 and saved >= 2
    rec = open_ledger(ledger).inspection(inspection_id)
    assert rec["status"] == "in_progress" and rec["units"]["collectors"] == ["1号除尘系统", "2号除尘系统"]
    assert [a.get("note") for a in rec["answers"].values()].count("厂房为单层钢结构") == 1

    child = spawn(["run", "--resume", inspection_id, "--ledger", str(ledger)], tmp_path)
    answer_until_done(child, str(photo))
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0
    rec = open_ledger(ledger).inspection(inspection_id)
    assert rec["status"] == "completed" and len(rec["hazards"]) == 2  # GM10-11-3 on each collector
    for hid in rec["hazards"]:
        hazard, _ = open_ledger(ledger).hazard(hid)
        assert hazard["item"] == "GM10-11-3" and FAILED_OPTION in hazard["description"]
        assert hazard["evidence"][0]["name"] == "泄爆口.png"
    assert {open_ledger(ledger).hazard(h)[0]["unit"] for h in rec["hazards"]} == {"1号除尘系统", "2号除尘系统"}
