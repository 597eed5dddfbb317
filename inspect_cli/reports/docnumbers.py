"""Document numbers (文书编号): a pattern from the settings and a per-kind, per-year sequence
kept in the ledger's ``documents`` table.

Two kinds of records live there:

- ``seq:KIND:YEAR`` → ``{"kind", "year", "seq"}``: the last number used;
- ``KIND:SUBJECT`` → ``{"kind", "subject", "year", "seq", "number", "date"}``: the number given
  to one document, so rendering the same document again prints the same number.
"""
from __future__ import annotations

from typing import TYPE_CHECKING, Any, Optional

from ..errors import ReportError

if TYPE_CHECKING:
    from ..ledger import Ledger

def format_number(pattern: str, org: str, year: int, seq: int) -> str:
    try:
        return pattern.format(org=org, year=year, seq=seq)
    except (KeyError, IndexError, ValueError) as e:
        raise ReportError(f"document-number pattern {pattern!r} is invalid ({e}); it may use {{org}}, {{year}} "
                          "and {seq}, e.g. （{org}）应急责改〔{year}〕{seq}号 — inspect config set docno.order …") from None


def org_code(settings: dict[str, Any]) -> str:
    return str(settings.get("org.code") or settings.get("org.name") or "    ")


def lookup(store: Any, kind: str, subject: str) -> Optional[dict[str, Any]]:
    return store.get("documents", f"{kind}:{subject}")  # type: ignore[no-any-return]


def assign(store: Any, kind: str, subject: str, date: str, settings: dict[str, Any], commit: bool = True) -> str:
    """The number of document ``kind`` about ``subject``; a new one only the first time.

    With ``commit`` (inside a write transaction, so two processes never take the same
    number) the number is stored; without, it is only what the next number would be: a
    report is rendered with that, and the number is taken only once the render succeeded.
    """
    known = lookup(store, kind, subject)
    if known:
        return str(known["number"])
    year = int(date[:4])
    if not (settings.get("org.code") or settings.get("org.name")):
        # No issuing authority yet: print a blank number and keep the sequence untouched, so
        # the first real document gets 1号 (inspect config set org.code …).
        return format_number(str(settings.get(f"docno.{kind}") or "{seq}"), "    ", year, "    ")  # type: ignore[arg-type]
    from ..sync.blocks import next_from_block

    block = next_from_block(store, kind, year)  # a laptop that syncs with the bureau numbers from its blocks
    counter = store.get("documents", f"seq:{kind}:{year}") or {"kind": kind, "year": year, "seq": 0}
    seq = block[0] if block else int(counter["seq"]) + 1
    pattern = str(settings.get(f"docno.{kind}") or "{seq}")
    number = format_number(pattern, org_code(settings), year, seq)
    if not commit:
        return number
    if block:
        store.put("documents", f"blocks:{kind}:{year}", block[1])
    else:
        store.put("documents", f"seq:{kind}:{year}", {"kind": kind, "year": year, "seq": seq})
    store.put("documents", f"{kind}:{subject}",
              {"kind": kind, "subject": subject, "year": year, "seq": seq, "number": number, "date": date})
    return number


def claim(ctx: dict[str, Any], kind: str, subject: str, date: str) -> None:
    """Note in a report's context that a number was shown for ``kind``/``subject``."""
    ctx.setdefault("number_claims", []).append([kind, subject, date])


def take(ledger: Ledger, ctx: dict[str, Any], settings: dict[str, Any]) -> bool:
    """Store the numbers a rendered report showed; False when one was taken meanwhile by
    another process (the report must then be built and rendered again)."""
    claims = ctx.get("number_claims") or []
    if not claims:
        return True
    return ledger.take_document_numbers([(k, s, d) for k, s, d in claims], settings)
