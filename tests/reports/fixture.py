"""A fixed small ledger for the report tests: two sites, two inspections, a full lifecycle.

Ids and timestamps are made deterministic (a counter for ids, the action date at 09:30 for
"now"), so rendered reports can be compared with golden files byte for byte.
"""
from __future__ import annotations

import struct
import zlib
from pathlib import Path
from typing import Any, Optional

SITE_A = "91350100M000100Y43"
SITE_B = "91440300708461136T"
INSPECTORS = [{"name": "张伟", "cert": "35010012345"}, {"name": "李娜", "cert": "35010012346"}]
DUST_UNIT = "1号除尘系统"
PIT_UNIT = "1号污水池"


def tiny_png(rgb: tuple[int, int, int] = (200, 40, 40), size: int = 8) -> bytes:
    """A valid size×size PNG of one colour, without Pillow."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    raw = b"".join(b"\x00" + bytes(rgb) * size for _ in range(size))
    ihdr = struct.pack(">IIBBBBB", size, size, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", zlib.compress(raw, 9)) + chunk(b"IEND", b"")


def deterministic(monkeypatch: Any) -> None:
    """Counter ids and a fixed time of day, so two builds give identical ledgers."""
    from inspect_cli.hazard import moves as hazards
    from inspect_cli.hazard import history
    from inspect_cli.inspection import record as inspections
    from inspect_cli.clock import Clock
    from inspect_cli.ids import PREFIXES

    counters: dict[str, int] = {}

    def new_id(kind: str) -> str:
        counters[kind] = counters.get(kind, 0) + 1
        return f"{PREFIXES[kind]}-00000-{counters[kind]:05d}"

    for mod in (hazards, history, inspections):
        monkeypatch.setattr(mod, "new_id", new_id)
    monkeypatch.setattr(Clock, "now", lambda self: f"{self.today.isoformat()}T09:30:00+08:00")


def dust_answers(checklist: Any, fails: dict[str, Any]) -> dict[str, Any]:
    """Every applicable item of dust-explosion answered as passing, except ``fails``."""
    answers: dict[str, Any] = {}
    for section in checklist.sections:
        if section.id == "metal_dust":
            continue  # gated off by the site attributes
        for item in section.items:
            key = f"{item.id}[{DUST_UNIT}]" if section.repeat else item.id
            if item.type == "text":
                answers[key] = "1号除尘系统，砂光及打磨工位，木质粉尘，干式布袋，负压"
            elif item.type == "choice":
                answers[key] = next(o.value for o in item.options if o.passes)
            else:
                answers[key] = "yes"
    answers.update(fails)
    return answers


def pit_answers(checklist: Any, fails: dict[str, Any]) -> dict[str, Any]:
    answers: dict[str, Any] = {}
    for section in checklist.sections:
        for item in section.items:
            key = f"{item.id}[{PIT_UNIT}]" if section.repeat else item.id
            if item.type == "number":
                answers[key] = {"LS-GAS-O2": 20.9, "LS-GAS-LEL": 0}.get(item.id, 0)
            elif item.type == "choice":
                answers[key] = next(o.value for o in item.options if o.passes)
            else:
                answers[key] = "yes"
    answers.update(fails)
    return answers


def build(folder: Path, monkeypatch: Any, site_name: Optional[str] = None, note: Optional[str] = None) -> Path:
    """Write the fixed ledger into ``folder`` and return its path."""
    from inspect_cli.checklist.registry import Registry
    from inspect_cli.ledger import open_ledger

    deterministic(monkeypatch)
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "ledger.json"
    photo = folder / "泄爆片.png"
    photo.write_bytes(tiny_png())
    (folder / "复查照片.png").write_bytes(tiny_png((40, 160, 60)))
    (folder / "清扫记录.pdf").write_bytes(b"%PDF-1.4\n% not really a pdf\n")
    reg = Registry.discover()
    # pinned: the golden documents were made with these versions (version 2 adds 10号令 第三条 items)
    dust, pits = reg.get("dust-explosion@1"), reg.get("limited-space@1")

    def at(day: str) -> Any:
        return open_ledger(path, today=day, actor="张伟")

    led = at("2026-01-05")
    led.set_setting("org.name", "福州市某某区应急管理局")
    led.set_setting("org.code", "榕某应急")
    with led.write() as st:
        st.put("sites", SITE_A, {
            "code": SITE_A, "name": site_name or "福州某某木业有限公司", "address": "福州市某某区工业路8号",
            "contact": "王建国", "phone": "0591-12345678", "industry": "轻工", "risk_class": "B",
            "attributes": {"al_mg_dust": False, "wood_dust": True, "water_reactive_metal_dust": False,
                           "sanding": True, "size_reduction": True}, "added": "2026-01-05"})
        st.put("sites", SITE_B, {
            "code": SITE_B, "name": "深圳某某水务有限公司", "address": "深圳市某某区滨河路1号",
            "contact": "陈明", "phone": "0755-87654321", "industry": "市政", "risk_class": "C",
            "attributes": {"toxic_gas_risk": False, "h2s_risk": False, "co_risk": False, "explosion_risk": False,
                           "contracted_work": False, "rescue_team": False}, "added": "2026-01-05"})

    # January: a limited-space inspection with a measured failure, never rectified (overdue)
    doc_b = {"units": {"entry": [PIT_UNIT]}, "answers": pit_answers(pits, {
        f"LS-GAS-O2[{PIT_UNIT}]": {"answer": 18.2, "note": "进入前未通风，池底检测", "location": "污水处理站"},
        "LS13-9a": {"answer": "no", "note": "未见年度培训记录"},
    })}
    at("2026-01-20").run_answers(pits, SITE_B, INSPECTORS, "enforcement", doc_b, folder)

    # March: the dust-explosion inspection with two major and three general findings
    doc_a = {"units": {"collectors": [DUST_UNIT]}, "answers": dust_answers(dust, {
        f"GM10-11-3[{DUST_UNIT}]": {"answer": "failed", "note": note or "泄爆片被铁板压住，无法泄爆",
                                    "location": "砂光车间北侧", "evidence": ["泄爆片.png", "清扫记录.pdf"]},
        "GM10-11-10": {"answer": "no", "note": "砂光机下方积尘厚约5毫米", "evidence": ["泄爆片.png"]},
        "DP6-CL-1": {"answer": "no", "note": "未见清扫记录"},
        "DP6-IG-1": {"answer": "no", "note": "已当场整改", "fixed_on_spot": True},
        "DP6-8": {"answer": "no"},
    })}
    result = at("2026-03-02").run_answers(dust, SITE_A, INSPECTORS, "enforcement", doc_a, folder)
    by_item = {h["item"]: h["id"] for h in result["hazards"]}

    vent, dust_heap = by_item["GM10-11-3"], by_item["GM10-11-10"]
    at("2026-03-03").interim(vent, "停用1号除尘系统，砂光工位停产，设置警示标志")
    at("2026-03-05").plan(vent, {"goals": "恢复泄爆片有效泄爆", "measures": "拆除压板，更换泄爆片并校核泄爆面积",
                                 "funds": "企业自筹2万元", "responsible": "设备科 王建国", "deadline": "2026-03-25前完成",
                                 "safety": "整改期间停用除尘系统，动火作业审批"})
    at("2026-03-05").supervise(vent, "区级", "福州市某某区安全生产委员会办公室")
    at("2026-03-20").extend(vent, "2026-04-10", "泄爆片定制供货周期延长")
    at("2026-03-28").fixed(vent, "已更换泄爆片", (folder / "复查照片.png",))
    at("2026-03-30").reinspect(vent, "pass", INSPECTORS, "现场核实泄爆片已更换，泄放方向安全",
                               (folder / "复查照片.png",))
    # a major hazard closed without a 治理方案 on record (flagged on the reports)
    at("2026-03-06").fixed(dust_heap, "已清扫")
    at("2026-03-09").reinspect(dust_heap, "pass", INSPECTORS, "积尘已清理", (folder / "复查照片.png",))
    # a general hazard that failed its first re-inspection
    at("2026-03-10").reinspect(by_item["DP6-CL-1"], "fail", INSPECTORS[:1], "仍未建立清扫记录", (), "2026-03-20")
    return path
