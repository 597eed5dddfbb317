"""XLSX workbooks (openpyxl): the hazard ledger, and the bulletin's tables.

Dates are real dates, counts real numbers; columns have widths, the header is styled and
frozen. One row per hazard, with the checklist id, its version and the stable item id.
"""
from __future__ import annotations

import datetime as dt
import io
from typing import Any, Callable, Optional

LEDGER_COLUMNS: list[tuple[str, str, str, int]] = [
    # key, zh header, en header, width
    ("n", "序号", "No.", 6),
    ("id", "隐患编号", "Hazard id", 16), ("site", "统一社会信用代码", "Site code", 22),
    ("site_name", "被检查单位", "Inspected unit", 28), ("kind_label", "检查类别", "Kind of inspection", 10),
    ("domain_name", "领域", "Domain", 12),
    ("checklist", "检查表", "Checklist", 18), ("checklist_version", "检查表版本", "Checklist version", 10),
    ("item", "检查项编号", "Item id", 14), ("unit", "单元", "Unit", 14),
    ("item_text", "检查项", "Checklist item", 40), ("description", "隐患描述", "Description", 48),
    ("location", "部位", "Location", 16), ("basis", "依据", "Legal basis", 48),
    ("severity_label", "隐患等级", "Severity", 14), ("status_label", "状态", "Status", 14),
    ("created_iso", "发现日期", "Found on", 12), ("original_deadline_iso", "原整改期限", "Original deadline", 12),
    ("deadline_iso", "整改期限", "Deadline", 12), ("overdue", "是否逾期", "Overdue", 9),
    ("days_overdue", "逾期天数", "Days overdue", 9), ("closed_date_iso", "销号日期", "Closed on", 12),
    ("closed_reason", "销号原因", "Closure reason", 12), ("measured_value", "实测值", "Measured", 10),
    ("measured_unit", "单位", "Unit of measure", 10), ("measured_range", "合格范围", "Acceptable range", 14),
    ("note", "检查人员备注", "Inspector's note", 30), ("interim_text", "临时管控措施", "Interim measures", 30),
    ("has_plan", "治理方案", "Plan on record", 9), ("flag_no_plan", "重大隐患无方案销号", "Major closed without plan", 12),
    ("inspection", "检查编号", "Inspection", 16), ("inspectors", "检查人员", "Inspectors", 30),
    ("evidence_count", "证据数", "Evidence files", 8),
    # the columns offices keep (隐患台账): see docs/reports.md
    ("source_kind", "隐患来源/检查类别", "Source / kind of inspection", 14), ("industry", "行业", "Industry", 12),
    ("region", "区域", "Region (乡镇/街道)", 14), ("order_number", "指令书文号", "Order number", 26),
    ("measures", "整改措施", "Measures taken", 36), ("responsible", "整改责任人", "Responsible (unit)", 16),
    ("funds", "整改资金", "Funds", 14), ("fix_date_iso", "整改完成日期", "Fixed on", 12),
    ("reviewer", "复查人", "Re-inspected by", 16), ("review_date_iso", "复查日期", "Re-inspected on", 12),
    ("supervision_level", "挂牌督办级别", "Listed supervision", 12), ("extension_count", "延期次数", "Extensions", 8),
]
DATE_FORMAT = "yyyy-mm-dd"


def _cell(f: dict[str, Any], key: str, lang: str) -> Any:
    m = f.get("measured")
    if key.endswith("_iso"):
        v = f.get(key)
        return dt.date.fromisoformat(str(v)[:10]) if v else None
    if key == "basis":
        return "；".join(b["citation"] + ("（未核实）" if b["unverified"] else "") for b in f["basis"])
    if key == "measured_value":
        try:
            return float(m["value"]) if m else None
        except ValueError:
            return m["value"] if m else None
    if key == "measured_unit":
        return m["unit"] if m else None
    if key == "measured_range":
        return m["range"] if m else None
    if key == "interim_text":
        return "；".join(f"{i['date']} {i['measures']}" for i in f["interim"]) or None
    if key == "has_plan":
        return _yes(bool(f["plan"]), lang)
    if key in ("overdue", "flag_no_plan"):
        return _yes(bool(f.get(key)), lang)
    if key == "evidence_count":
        return len(f["evidence"])
    if key == "extension_count":
        return len(f["extensions"])
    if key in ("n", "funds_amount"):
        return f.get(key)
    if key == "checklist_version":
        return int(f[key]) if f.get(key) is not None else None
    v = f.get(key)
    return None if v in ("", None) else v


def _yes(b: bool, lang: str) -> str:
    return ("yes" if b else "no") if lang == "en" else ("是" if b else "否")


def ledger_workbook(ctx: dict[str, Any]) -> bytes:
    wb = _workbook()
    ws = wb.active
    ws.title = "隐患台账"
    lang = ctx["lang"]
    columns = LEDGER_COLUMNS
    if ctx.get("columns_file"):
        from .ledger_columns import load_columns

        columns = load_columns(str(ctx["columns_file"]), LEDGER_COLUMNS)
    head = [(c[2] if lang == "en" else c[1], c[3]) for c in columns]
    rows = [[_cell(f, c[0], lang) for c in columns] for f in ctx["findings"]]
    _sheet(ws, head, rows)
    info = wb.create_sheet("说明" if lang == "zh" else "About")
    L = ctx["L"]
    for label, value in ((L["title_ledger"], ctx["org"]["name"]), (L["filters"], ctx["filters"]),
                         (L["count"].format(n=ctx["total"]), ""), (L["generated"], ctx["today_iso"])):
        info.append([label, value])
    info.column_dimensions["A"].width, info.column_dimensions["B"].width = 24, 60
    return _save(wb)


def bulletin_workbook(ctx: dict[str, Any]) -> bytes:
    L = ctx["L"]
    wb = _workbook()
    ws = wb.active
    ws.title = "总体情况"
    _sheet(ws, [(L["domain"], 16), (L["severity"], 18)] + [(s, 12) for s in ctx["statuses"]] +
           [(L["overdue_days"].format(days="≥1"), 12), (L["total"], 10)],
           [[c["domain"], c["severity"], *c["by_status"], c["overdue"], c["total"]] for c in ctx["counts"]]
           + [[L["total"], "", *ctx["totals"]["by_status"], ctx["totals"]["overdue"], ctx["totals"]["total"]]])
    short_cols = [("id", L["id"], 16), ("site_name", L["site"], 28), ("item_ref", L["item"], 20),
                  ("description", L["finding"], 48), ("severity", L["severity"], 14), ("created_iso", L["created"], 14),
                  ("deadline_iso", L["deadline"], 14), ("closed_date_iso", L["closed_date"], 14),
                  ("status_label", L["status"], 14)]
    for title, key in ((L["b_new"], "new"), (L["b_closed"], "closed")):
        _sheet(wb.create_sheet(title[:31]), [(c[1], c[2]) for c in short_cols],
               [[_date_or_text(h[c[0]]) if c[0].endswith("_iso") else h[c[0]] for c in short_cols] for h in ctx[key]])
    rate = wb.create_sheet(L["rate"][:31])
    _sheet(rate, [(L["month"], 12), (L["rate"], 12), (L["target"], 12)],
           [[ctx["month"], ctx["rate"], ctx["target"]]], number_formats={1: "0.0%", 2: "0%"})
    rate.append([ctx["rate_text"]])
    over = wb.create_sheet(L["days"][:31])
    _sheet(over, [(L["bucket"], 12), (L["total"], 10)], [[b["label"], b["count"]] for b in ctx["buckets"]])
    over.append([])
    over.append([L["id"], L["site"], L["item"], L["deadline"], L["days"]])
    for h in ctx["overdue"]:
        over.append([h["id"], h["site_name"], h["item_ref"], _date_or_text(h.get("deadline_iso")), h["days_overdue"]])
        over.cell(row=over.max_row, column=4).number_format = DATE_FORMAT
    sites = wb.create_sheet(L["open_count"][:31])
    # the last column counts the site's overdue hazards (it is not a number of days)
    _sheet(sites, [(L["code"], 22), (L["site"], 30), (L["open_count"], 10), (L["major_open"], 10),
                   (L["overdue_days"].format(days="≥1"), 10)],
           [[s["code"], s["name"], s["open"], s["major"], s["overdue"]] for s in ctx["sites"]])
    year = ctx.get("year_plan") or {}
    if year.get("shown"):  # the annual plan done against planned, and relapses (docs/planning.md)
        Y = year["L"]
        ws_year = wb.create_sheet(Y["title"][:31])
        _sheet(ws_year, [(Y["class"], 12), (Y["sites"], 10), (Y["planned"], 10), (Y["done"], 10), (Y["rate"], 10),
                         (Y["not_visited"], 12)],
               [[c["class"], c["sites"], c["planned"], c["done"], c["rate_value"], c["not_visited"]] for c in year["classes"]],
               number_formats={4: "0.0%"})
        ws_year.append([year["plan_text"]])
        ws_year.append([year["relapse_text"]])
        for r in year["relapse_rows"]:
            ws_year.append([r])
    return _save(wb)


def _workbook() -> Any:
    from openpyxl import Workbook

    return Workbook()


def _sheet(ws: Any, head: list[tuple[str, int]], rows: list[list[Any]],
           number_formats: Optional[dict[int, str]] = None) -> None:
    from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
    from openpyxl.utils import get_column_letter

    thin = Side(style="thin", color="999999")
    ws.append([h for h, _ in head])
    for i, (_, width) in enumerate(head, start=1):
        c = ws.cell(row=1, column=i)
        c.font = Font(bold=True)
        c.fill = PatternFill("solid", fgColor="DDE4EE")
        c.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
        c.border = Border(bottom=thin)
        ws.column_dimensions[get_column_letter(i)].width = width
    for row in rows:
        ws.append(row)
        r = ws.max_row
        for i, v in enumerate(row, start=1):
            cell = ws.cell(row=r, column=i)
            if isinstance(v, str):
                cell.data_type = "s"  # user text starting with "=" stays text, never a formula
            elif isinstance(v, dt.date):
                cell.number_format = DATE_FORMAT
            elif number_formats and (i - 1) in number_formats:
                cell.number_format = number_formats[i - 1]
            cell.alignment = Alignment(vertical="top", wrap_text=isinstance(v, str) and len(v) > 20)
    ws.freeze_panes = "A2"
    if rows:
        ws.auto_filter.ref = f"A1:{get_column_letter(len(head))}{len(rows) + 1}"


def _date_or_text(v: Any) -> Any:
    if not v:
        return None
    try:
        return dt.date.fromisoformat(str(v)[:10])
    except ValueError:
        return str(v)


def no_formulas(wb: Any) -> None:
    """Every cell of every sheet that would be a formula becomes text: reports write no
    formulas, so a cell starting with ``=`` can only be user text (a site named
    ``=HYPERLINK(…)``), which must never run in Excel."""
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            for cell in row:
                if cell.data_type == "f":
                    cell.data_type = "s"


def _save(wb: Any) -> bytes:
    no_formulas(wb)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


WRITERS: dict[str, Callable[[dict[str, Any]], bytes]] = {"ledger": ledger_workbook, "bulletin": bulletin_workbook}
