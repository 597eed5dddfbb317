"""The annual plan as an XLSX workbook (openpyxl), styled like the ledger's (reports/xlsx.py)."""
from __future__ import annotations

from pathlib import Path
from typing import Any

from ..inspection.kinds import kind_name
from ..reports.xlsx import _save, _sheet, _workbook
from .annual import summary


def plan_workbook(rec: dict[str, Any], names: dict[str, str]) -> bytes:
    """Sheets: 检查安排 (one row a visit), 按风险等级 (per class and quarter), 说明 (seed, sha256)."""
    wb = _workbook()
    ws = wb.active
    ws.title = "检查安排"
    _sheet(ws, [("季度", 8), ("统一社会信用代码", 22), ("被检查单位", 30), ("风险等级", 10), ("检查类别", 12),
                ("检查人员", 30), ("执法证号", 30)],
           [[f"Q{v['quarter']}", v["site"], names.get(v["site"], ""), v["class"], kind_name(v["kind"]),
             "、".join(i["name"] for i in v.get("inspectors") or []),
             "、".join(i["cert"] for i in v.get("inspectors") or [])] for v in rec["result"]["visits"]])
    _sheet(wb.create_sheet("按风险等级"), [("风险等级", 10), ("单位数", 10), ("检查次数", 10), ("一季度", 10),
                                       ("二季度", 10), ("三季度", 10), ("四季度", 10), ("双随机", 10)],
           [[r["class"], r["sites"], r["visits"], *r["q"], r["random"]] for r in summary(rec)])
    info = wb.create_sheet("说明")
    pool = rec["pool"]
    freq = "，".join(f"{c}={v:g}" for c, v in pool["frequencies"]["base"].items())
    for d, over in pool["frequencies"]["by_domain"].items():
        freq += f"；{d}: " + "，".join(f"{c}={v:g}" for c, v in over.items())
    for label, value in (("年度监督检查计划", f"{rec['year']}年"), ("计划编号", rec["id"]), ("算法", rec["algorithm"]),
                         ("随机种子", str(rec["seed"])), ("检查频次（次/年）", freq),
                         ("双随机比例", f"{pool['random_share']:.0%}"),
                         ("自报为零加密检查", f"{pool['silent_months']}个月内自查自报为零的单位加{pool['silent_extra']}次"),
                         ("未定级单位数", str(len(pool["unclassified"]))), ("编制日期", rec["date"]),
                         ("sha256", rec["sha256"])):
        info.append([label, value])
    info.column_dimensions["A"].width, info.column_dimensions["B"].width = 22, 70
    return _save(wb)


def write_plan_xlsx(rec: dict[str, Any], names: dict[str, str], out: Path) -> None:
    """Write the workbook atomically; :class:`ReportError` (exit 9) when the file cannot be written."""
    from ..errors import ReportError
    from ..storage.files import atomic_write_bytes

    try:
        atomic_write_bytes(Path(out), plan_workbook(rec, names))
    except OSError as e:
        raise ReportError(f"cannot write {out}: {e.strerror or e}") from None
