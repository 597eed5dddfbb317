"""No text overflows its box in the PDF of any document: every line of text stays inside
its table cell and inside the page's margins (WeasyPrint's own layout boxes, checked the way
an officer would see the printed page)."""
from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from inspect_cli.reports import build_context, render_text

DOCS = [("record", "I-00000-00002", None), ("order", "I-00000-00002", None), ("review", "I-00000-00002", None),
        ("closure", "H-00000-00003", None), ("ledger", None, None), ("bulletin", None, "2026-03")]
EPS = 0.5  # px


def _boxes(box: Any, parents: tuple[Any, ...] = ()) -> Any:
    yield box, parents
    for child in getattr(box, "children", ()) or ():
        yield from _boxes(child, parents + (box,))


def overflows(html: str) -> list[str]:
    weasyprint = pytest.importorskip("weasyprint")
    from weasyprint.formatting_structure import boxes as B

    doc = weasyprint.HTML(string=html).render()
    problems = []
    for n, page in enumerate(doc.pages, start=1):
        root = page._page_box
        left = root.margin_left
        right = root.margin_width() - root.margin_right
        for box, parents in _boxes(root):
            if not isinstance(box, B.TextBox) or not box.text.strip():
                continue
            if any(isinstance(p, B.MarginBox) for p in parents):
                continue
            x0, x1 = box.position_x, box.position_x + box.width
            if x0 < left - EPS or x1 > right + EPS:
                problems.append(f"page {n}: {box.text[:30]!r} runs past the page margin ({x0:.0f}–{x1:.0f} of {left:.0f}–{right:.0f})")
            cell = next((p for p in reversed(parents) if isinstance(p, B.TableCellBox)), None)
            if cell is not None:
                c0, c1 = cell.position_x, cell.position_x + cell.border_width()
                if x0 < c0 - EPS or x1 > c1 + EPS:
                    problems.append(f"page {n}: {box.text[:30]!r} overflows its table cell")
    return problems


@pytest.mark.parametrize("kind,subject,month", DOCS, ids=[d[0] for d in DOCS])
def test_no_text_overflows_its_box(ledger, kind, subject, month):
    ctx = build_context(ledger, kind, subject, month=month)
    assert overflows(render_text(kind, "pdf", ctx)) == []


def test_the_check_sees_an_overflow():
    html = ('<html><body><table style="width:50mm;table-layout:fixed"><tr><td style="white-space:nowrap">'
            + "法定代表人（负责人）" * 3 + "</td></tr></table></body></html>")
    assert any("overflows its table cell" in p for p in overflows(html))


def test_a_long_unit_name_and_ids_stay_inside_the_record(tmp_path):
    from inspect_cli.ledger import open_ledger

    from .fixture import build

    with pytest.MonkeyPatch.context() as mp:
        path = build(tmp_path / "long", mp, site_name="福州市某某区某某镇某某村某某木材加工与家具制造有限责任公司第二分公司")
    ledger = open_ledger(path, today="2026-04-15")
    for kind in ("record", "order"):
        ctx = build_context(ledger, kind, "I-00000-00002")
        assert overflows(render_text(kind, "pdf", ctx)) == []
    assert Path(path).exists()


def _classes(box: Any) -> set[str]:
    element = getattr(box, "element", None)
    return set((element.get("class") or "").split()) if element is not None else set()


def stranded_labels(html: str) -> list[str]:
    """Finding labels (检查项, 依据, 证据…) whose value does not start on the label's page."""
    weasyprint = pytest.importorskip("weasyprint")

    doc = weasyprint.HTML(string=html).render()
    pages_of: dict[int, dict[str, set[int]]] = {}
    for n, page in enumerate(doc.pages, start=1):
        for box, parents in _boxes(page._page_box):
            cls = _classes(box)
            kv = next((p for p in reversed(parents) if "kv" in _classes(p)), None)
            if ("k" in cls or "v" in cls) and kv is not None:
                pair = id(kv.element)
                pages_of.setdefault(pair, {"k": set(), "v": set()})["k" if "k" in cls else "v"].add(n)
    return [f"a label on page {min(p['k'])} has its value from page {min(p['v'])}"
            for p in pages_of.values() if p["k"] and p["v"] and min(p["k"]) != min(p["v"])]


@pytest.mark.parametrize("kind", ["record", "order", "closure"])
def test_no_label_is_left_without_its_value_at_a_page_foot(ledger, kind):
    ctx = build_context(ledger, kind, "H-00000-00003" if kind == "closure" else "I-00000-00002")
    assert stranded_labels(render_text(kind, "pdf", ctx)) == []
