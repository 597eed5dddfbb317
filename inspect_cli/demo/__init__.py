"""``inspect demo``: a fresh ledger that walks the whole closed loop, with every report."""
from __future__ import annotations

import struct
import zlib
from pathlib import Path
from typing import Any, Callable, Optional

from ..checklist.registry import Registry
from ..ledger import Ledger, open_ledger
from ..resources import bundled_dir
from ..yamlio import compose_text, construct

INSPECTORS = [{"name": "张伟", "cert": "44010012345"}, {"name": "李娜", "cert": "44010067890"}]
WOOD, SEWAGE = "91350100M000100Y43", "91440300708461136T"
Step = Callable[[str], None]


def _data(name: str) -> str:
    return (bundled_dir("demo") / name).read_text(encoding="utf-8")


def _photo(path: Path, rgb: tuple[int, int, int]) -> Path:
    """A small solid-colour PNG standing in for an evidence photo."""
    w, h = 160, 120
    raw = b"".join(b"\x00" + bytes(rgb) * w for _ in range(h))

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    path.write_bytes(b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", w, h, 8, 2, 0, 0, 0))
                     + chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b""))
    return path


MARKER = ".inspect-demo"
# What a demo puts in its folder; --force removes exactly these (and the ledger's own files,
# ledger.*: its lock, evidence and any side files of the storage), nothing else the folder holds.
MADE = ("reports", "evidence-originals", MARKER)


def is_demo(out: Path) -> bool:
    """Whether ``out`` holds a demo made by ``inspect demo`` (its marker, or the demo's own settings)."""
    if (out / MARKER).is_file():
        return True
    if not (out / "ledger.json").is_file():
        return False
    try:
        settings = open_ledger(out / "ledger.json").settings()
    except Exception:  # unreadable: certainly not ours to remove
        return False
    return settings.get("org.code") == "某应急" and settings.get("org.name") == "某某市应急管理局"


def clear(out: Path) -> list[str]:
    """Remove a previous demo's files from ``out`` (``inspect demo --force``); returns what was removed."""
    import shutil

    from ..errors import UsageError

    if not is_demo(out):
        raise UsageError(f"{out / 'ledger.json'} is not a demo ledger made by inspect demo: --force only rebuilds a demo; "
                         f"choose another folder with --out")
    removed = []
    for name in (*sorted(p.name for p in out.glob("ledger.*")), *MADE):
        path = out / name
        if path.is_dir() and not path.is_symlink():
            shutil.rmtree(path)
        elif path.exists() or path.is_symlink():
            path.unlink()
        else:
            continue
        removed.append(name)
    return removed


def pdf_notes(notes: list[str]) -> list[str]:
    """The reasons PDFs were not made, each once (every PDF fails for the same missing piece)."""
    return list(dict.fromkeys(notes))


def at(ledger: Ledger, day: str) -> Ledger:
    return open_ledger(ledger.path, today=day, actor="demo")


def build(out: Path, step: Optional[Step] = None) -> dict[str, Any]:
    """Build ``out/ledger.json`` and the reports; returns what was made."""
    say = step or (lambda _msg: None)
    out.mkdir(parents=True, exist_ok=True)
    ledger_path = out / "ledger.json"
    if ledger_path.exists():
        from ..errors import UsageError

        raise UsageError(f"{ledger_path} already exists: rebuild the demo there with inspect demo --out {out} --force, "
                         f"or choose another folder with --out")
    (out / MARKER).write_text("This folder was made by `inspect demo`; `inspect demo --force` rebuilds it.\n",
                              encoding="utf-8")
    work = out / "evidence-originals"
    work.mkdir(exist_ok=True)
    for name, rgb in (("photo-dust.png", (150, 120, 90)), ("photo-vent.png", (90, 110, 140)),
                      ("photo-after.png", (90, 160, 100)), ("photo-o2.png", (200, 200, 90))):
        _photo(work / name, rgb)
    reg = Registry.discover()
    ledger = open_ledger(ledger_path, today="2026-03-02", actor="demo")
    ledger.set_setting("org.name", "某某市应急管理局")
    ledger.set_setting("org.code", "某应急")
    (work / "sites.csv").write_text(_data("sites.csv"), encoding="utf-8")
    ledger.import_sites(work / "sites.csv")
    say("3 sites imported")
    runs = {}
    for checklist_id, site, day in (("dust-explosion", WOOD, "2026-03-02"), ("limited-space", SEWAGE, "2026-03-05")):
        doc = construct(compose_text(_data(f"{checklist_id}-answers.yaml")))
        result = at(ledger, day).run_answers(reg.get(checklist_id), site, INSPECTORS, "enforcement", doc, work)
        runs[checklist_id] = result
        say(f"{checklist_id} at {site}: inspection {result['inspection']['id']}, {len(result['hazards'])} hazard(s)")
    _loop(ledger, runs, work, say)
    case_id = _case(ledger, runs, say)
    return {"ledger": ledger_path, "runs": runs, "work": work, "cases": [case_id]}


def _case(ledger: Ledger, runs: dict[str, Any], say: Step) -> str:
    """The hazard whose re-inspection failed becomes a case (立案) and runs to 结案."""
    from ..case.records import OpenRequest

    failed = next(h["id"] for h in runs["limited-space"]["hazards"] if h["item"] == "LS13-9a")
    case = at(ledger, "2026-03-21").open_case(OpenRequest(handlers=INSPECTORS, reinspections=[failed]))
    cid = case["id"]
    steps: list[tuple[str, str, dict[str, Any]]] = [
        ("2026-03-23", "investigate", {"note": "询问安全负责人陈志强并制作询问笔录；调取2025年以来培训记录，未见有限空间作业专题培训"}),
        ("2026-03-24", "notify", {"types": ["fine"], "amount": 20000}),
        ("2026-03-26", "statement", {"text": "已联系培训机构，计划4月上旬完成培训，请求从轻处罚"}),
        ("2026-03-27", "decide", {"types": ["fine"], "amount": 15000}),
        ("2026-03-27", "serve", {"method": "直接送达", "recipient": "陈志强"}),
        ("2026-03-30", "execute", {"how": "paid"}),
        ("2026-03-31", "close", {}),
    ]
    for day, move, args in steps:
        at(ledger, day).case_move(cid, move, args)
    say(f"case {cid} opened on the failed re-inspection of {failed}: 立案 → 调查取证 → 告知 → 陈述申辩 → 决定 "
        "(罚款 15000 元) → 送达 → 执行 → 结案")
    return str(cid)


def _loop(ledger: Ledger, runs: dict[str, Any], work: Path, say: Step) -> None:
    """Take the hazards through plan, extension, fix and re-inspection to closure."""
    dust = {h["item"]: h["id"] for h in runs["dust-explosion"]["hazards"]}
    space = {h["item"]: h["id"] for h in runs["limited-space"]["hazards"]}
    photo = (work / "photo-after.png",)
    plan = {"goals": "消除作业现场积尘，杜绝粉尘爆炸风险", "measures": "制定并张贴粉尘清理制度，每班清扫并记录；停产清理积尘",
            "funds": "清扫设备及人工费用2万元，已列入本月预算", "responsible": "安全部 王建国（负责人），各班组长",
            "deadline": "2026-03-25前完成", "safety": "清理期间停止产尘作业，禁止使用压缩空气吹扫，配备灭火器材"}
    at(ledger, "2026-03-03").plan(dust["GM10-11-10"], plan)
    at(ledger, "2026-03-03").interim(dust["GM10-11-10"], "砂光车间暂停生产，每班清扫两次并记录")
    at(ledger, "2026-03-06").fixed(dust["DP6-9"], "已为砂光岗位配发防尘口罩并培训佩戴", photo)
    at(ledger, "2026-03-07").reinspect(dust["DP6-9"], "pass", INSPECTORS, "现场核查均已佩戴", photo)
    at(ledger, "2026-03-20").fixed(dust["GM10-11-10"], "已停产清理积尘，清理制度已上墙", photo)
    at(ledger, "2026-03-24").reinspect(dust["GM10-11-10"], "pass", INSPECTORS, "积尘已清理，清扫记录完整", photo)
    at(ledger, "2026-03-24").extend(dust["GM10-11-3"], "2026-04-30", "泄爆片需定制，供货周期约五周")
    for item, hid in space.items():
        if item == "LS13-11":
            at(ledger, "2026-03-12").fixed(hid, "已在入口设置警示标志", photo)
            at(ledger, "2026-03-13").reinspect(hid, "pass", INSPECTORS[:1], "警示标志已设置")
        elif item == "LS13-9a":
            at(ledger, "2026-03-20").reinspect(hid, "fail", INSPECTORS[:1], "培训计划未落实", deadline="2026-04-10")
    say("hazards taken through plan, extension, fix and re-inspection; some closed (销号), some still open")


def render_all(out: Path, made: dict[str, Any], today: str = "2026-03-31",
               say: Optional[Step] = None) -> tuple[list[str], list[str]]:
    """Every report kind into ``out/reports``: ``(files, notes)``; PDF only where it can be made."""
    from ..errors import ReportError
    from ..reports import render_report

    say = say or (lambda _msg: None)
    ledger = open_ledger(made["ledger"], today=today, actor="demo")
    folder = out / "reports"
    dust, space = made["runs"]["dust-explosion"], made["runs"]["limited-space"]
    closed_major = next(h["id"] for h in dust["hazards"] if h["item"] == "GM10-11-10")
    jobs: list[tuple[str, Optional[str], str]] = []
    for run in (dust, space):
        iid = run["inspection"]["id"]
        jobs += [("record", iid, "html"), ("order", iid, "html"), ("order", iid, "md"), ("review", iid, "html")]
    jobs += [("closure", closed_major, "html"), ("closure", WOOD, "html"), ("ledger", None, "html"),
             ("ledger", None, "xlsx"), ("bulletin", None, "html"), ("bulletin", None, "xlsx"),
             ("order", dust["inspection"]["id"], "pdf"), ("bulletin", None, "pdf")]
    for cid in made.get("cases") or []:
        jobs += [("filing", cid, "html"), ("penalty", cid, "html"), ("penalty", cid, "md")]
    files, notes = [], []
    for kind, subject, fmt in jobs:
        name = f"{kind}-{subject}.{fmt}" if subject else f"{kind}-2026-03.{fmt}" if kind == "bulletin" else f"{kind}.{fmt}"
        try:
            result = render_report(ledger, kind, subject, fmt, folder / name, month="2026-03" if kind == "bulletin" else None)
        except ReportError as e:
            if fmt != "pdf":
                raise
            notes.append(f"PDFs not made: {e}")
            continue
        files.append(result["out"])
        say(f"{kind} {fmt}: {result['out']}")
    return files, pdf_notes(notes)
