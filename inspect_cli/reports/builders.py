"""Which function builds the context of each report kind (:data:`.kinds.KINDS`).

A new document is a builder here, a template pair in ``templates/`` and a line in
:mod:`.kinds`; the builders read through the Ledger and return plain data.
"""
from __future__ import annotations

from typing import Any, Callable

from .bulletin import bulletin
from .case_documents import filing, penalty
from .context import closure, ledger_table, order, record, review
from .forest import build as forest_notice

BUILDERS: dict[str, Callable[..., dict[str, Any]]] = {
    "record": record, "order": order, "review": review, "closure": closure, "ledger": ledger_table,
    "bulletin": bulletin, "filing": filing, "penalty": penalty, "forest-notice": forest_notice,
}
