"""The reports there are and the formats each one takes: the one list the CLI and the renderer share."""
from __future__ import annotations

FORMATS: dict[str, tuple[str, ...]] = {
    "record": ("html", "md", "pdf"), "order": ("html", "md", "pdf"), "review": ("html", "md", "pdf"),
    "closure": ("html", "md", "pdf"), "ledger": ("html", "md", "pdf", "xlsx"), "bulletin": ("html", "md", "pdf", "xlsx"),
    "filing": ("html", "md", "pdf"), "penalty": ("html", "md", "pdf"),  # case documents (reports/case_documents.py)
    "forest-notice": ("html", "md", "pdf"),  # 森林草原火灾隐患整改通知书 (reports/forest.py)
}
KINDS: tuple[str, ...] = tuple(FORMATS)
ALL_FORMATS: tuple[str, ...] = ("html", "md", "pdf", "xlsx")
NEEDS_SUBJECT: tuple[str, ...] = ("record", "order", "review", "closure", "filing", "penalty", "forest-notice")
