"""Which columns the 隐患台账 XLSX has, and in what order: the bundled set, or a bureau's own
from a small YAML file (the ``report.ledger_columns`` setting)::

    columns:
      - 序号
      - 被检查单位
      - key: description        # a column key or its Chinese header
        header: 隐患及问题        # printed instead of the default header
        width: 40
      - 整改措施

``inspect report ledger --format xlsx`` then writes exactly those columns.
"""
from __future__ import annotations

import os
from pathlib import Path

from ..errors import UsageError

Column = tuple[str, str, str, int]  # key, zh header, en header, width


def load_columns(path: str, known: list[Column]) -> list[Column]:
    """The columns a YAML file names; :class:`UsageError` naming the file and the entry."""
    from ..yamlio import YamlProblem, load_file

    p = Path(os.path.expanduser(path))
    if not p.is_file():
        raise UsageError(f"ledger column file {p} does not exist (the report.ledger_columns setting)")
    try:
        doc, _ = load_file(p)
    except YamlProblem as e:
        raise UsageError(f"{p}:{e.line or 1}: {e.message}") from None
    entries = doc.get("columns") if isinstance(doc, dict) else None
    if not isinstance(entries, list) or not entries:
        raise UsageError(f"{p}: write a list under 'columns:', e.g. columns: [序号, 隐患编号, 被检查单位]")
    by_name = {c[0]: c for c in known}
    by_name.update({c[1]: c for c in known})
    out: list[Column] = []
    for n, entry in enumerate(entries, start=1):
        spec = entry if isinstance(entry, dict) else {"key": entry}
        name = str(spec.get("key") or "")
        col = by_name.get(name)
        if col is None:
            raise UsageError(f"{p}: column {n} {name!r} is not a ledger column; the columns are: "
                             + "、".join(c[1] for c in known))
        width = spec.get("width", col[3])
        if not isinstance(width, int) or not 2 <= width <= 120:
            raise UsageError(f"{p}: column {n} ({name}): width must be a whole number from 2 to 120")
        header = str(spec.get("header") or "")
        out.append((col[0], header or col[1], header or col[2], width))
    return out
