"""The words of the hazard lifecycle, Chinese (authoritative) and English: states, events, severities.

Every command and report takes its labels from here, so a new state or event is named once.
"""
from __future__ import annotations

from typing import Any

# state → (Chinese, English)
STATUS: dict[str, tuple[str, str]] = {
    "open": ("待整改", "open"), "planned": ("治理中", "plan recorded"),
    "fixed": ("已整改待复查", "fixed, awaiting re-inspection"), "closed": ("已销号", "closed"),
}
# the same, short enough for a table column head
STATUS_SHORT: dict[str, tuple[str, str]] = {
    "open": ("待整改", "open"), "planned": ("治理中", "planned"), "fixed": ("待复查", "fixed"), "closed": ("已销号", "closed"),
}
# event type → (Chinese, English)
EVENTS: dict[str, tuple[str, str]] = {
    "registered": ("登记", "registered"), "closed_on_spot": ("当场整改销号", "fixed on the spot, closed"),
    "plan": ("治理方案", "plan (治理方案)"), "supervise": ("挂牌督办", "listed supervision"),
    "interim": ("临时管控措施", "interim measures"), "extended": ("延期", "extended"),
    "fixed": ("企业报告整改完成", "reported fixed"), "reinspected": ("复查", "re-inspected"),
    "resolved": ("冲突处理", "conflict resolved"),  # a conflict between laptops settled
}
# severity → (short Chinese, full Chinese, English)
SEVERITY: dict[str, tuple[str, str, str]] = {
    "general": ("一般", "一般事故隐患", "general"), "major": ("重大", "重大事故隐患", "major"),
}


def pick(table: dict[str, tuple[str, str]], key: Any, lang: str) -> str:
    """The label of ``key`` in ``lang`` (``zh`` or ``en``); an unknown key prints as itself."""
    pair = table.get(str(key))
    return (pair[1] if lang == "en" else pair[0]) if pair else str(key)


def zh(table: dict[str, tuple[str, str]]) -> dict[str, str]:
    """The Chinese labels of a table, keyed as the table."""
    return {k: v[0] for k, v in table.items()}
