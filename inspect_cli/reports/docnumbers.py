"""Document numbers (文书编号): a pattern from the settings and a per-kind, per-year sequence
kept in the ledger's ``documents`` table.

Two kinds of records live there:

- ``seq:KIND:YEAR`` (or ``seq:KIND:YEAR:DEVICE`` with ``org.device`` set) →
  ``{"kind", "year", "seq"}``: the last number used;
- ``KIND:SUBJECT`` → ``{"kind", "subject", "year", "seq", "number", "date", ...}``: the
  number given to one document and, once rendered, its frozen content (see
  :mod:`inspect_cli.reports.issued`), so printing the same document again gives the same document;
- ``KIND:SUBJECT@N`` → the N-th correction of that document. An issued row is never rewritten
  (the PostgreSQL guard refuses it): the row a correction replaces only gains ``replaced_by``,
  and the current document is the end of that chain (:func:`current_key`). Ledgers written
  before this kept the current document at ``KIND:SUBJECT`` and moved a replaced one to
  ``KIND:SUBJECT~N``; they are read as they are.

Two laptops issuing offline never print the same number when each has its own
``org.device`` code: the sequence part then reads ``DEVICE-SEQ`` (e.g. 〔2026〕B-7号), each device
counting its own series (see docs/reports.md).
"""
from __future__ import annotations

from typing import TYPE_CHECKING, Any, Optional

from ..errors import ReportError

if TYPE_CHECKING:
    from ..ledger import Ledger

NUMBERED = ("record", "order", "review", "forest-notice", "filing", "penalty")  # documents with a number
FROZEN = ("record", "order", "review")  # numbered documents whose text is frozen when issued (issued.py)


def format_number(pattern: str, org: str, year: int, seq: Any, device: str = "") -> str:
    """The printed number; with a ``device`` and no ``{device}`` in the pattern the sequence
    part becomes ``DEVICE-SEQ``."""
    shown = seq
    if device and "{device}" not in pattern and str(seq).strip():
        shown = f"{device}-{seq}"
    try:
        return pattern.format(org=org, year=year, seq=shown, device=device)
    except (KeyError, IndexError, ValueError) as e:
        raise ReportError(f"document-number pattern {pattern!r} is invalid ({e}); it may use {{org}}, {{year}}, "
                          "{device} and {seq}, e.g. （{org}）应急责改〔{year}〕{seq}号 — inspect config set docno.order …") from None


def org_code(settings: dict[str, Any]) -> str:
    return str(settings.get("org.code") or settings.get("org.name") or "    ")


def device_code(settings: dict[str, Any]) -> str:
    return str(settings.get("org.device") or "").strip()


def _chain(store: Any, kind: str, subject: str) -> tuple[str, Optional[dict[str, Any]], int]:
    """The key and row of the current version of a document, and how many versions it has."""
    key = f"{kind}:{subject}"
    row: Optional[dict[str, Any]] = store.get("documents", key)
    n = 0
    while row is not None and row.get("replaced_by"):
        nxt = store.get("documents", f"{kind}:{subject}@{n + 1}")
        if nxt is None:  # the correction itself never arrived (a partial copy): this is the last held
            break
        n += 1
        key, row = f"{kind}:{subject}@{n}", nxt
    return key, row, (0 if row is None else n + 1)


def current_key(store: Any, kind: str, subject: str) -> str:
    """The key of the row holding the document's current version (``KIND:SUBJECT`` or ``…@N``)."""
    return _chain(store, kind, subject)[0]


def lookup(store: Any, kind: str, subject: str) -> Optional[dict[str, Any]]:
    """The current version of a numbered document, None when never issued."""
    return _chain(store, kind, subject)[1]


def next_version_key(store: Any, kind: str, subject: str) -> str:
    """Where a new version of the document goes: ``KIND:SUBJECT`` first, then ``…@1``, ``…@2``."""
    versions = _chain(store, kind, subject)[2]
    return f"{kind}:{subject}" if versions == 0 else f"{kind}:{subject}@{versions}"


def _counter_key(kind: str, year: int, device: str) -> str:
    return f"seq:{kind}:{year}" + (f":{device}" if device else "")


def numbers_in_use(store: Any) -> set[str]:
    """Every document number recorded in this ledger (read field by field: frozen content is
    kept in separate rows and never decoded here)."""
    return {str(r["number"]) for r in store.find("documents", fields=("number",)) if r.get("number")}


def assign(store: Any, kind: str, subject: str, date: str, settings: dict[str, Any], commit: bool = True,
           fresh: bool = False) -> str:
    """The number of document ``kind`` about ``subject``; a new one only the first time.

    With ``commit`` (inside a write transaction, so two processes never take the same
    number) the number is stored; without, it is only what the next number would be: a
    report is rendered with that, and the number is taken only once the render succeeded
    and the number rendered is still the next one (:func:`take`).
    ``fresh`` gives a new number even when the document has one (a correction).
    A number already printed on another document of this ledger (one imported from a
    laptop with the same series, say) is skipped.
    """
    known = None if fresh else lookup(store, kind, subject)
    if known:
        return str(known["number"])
    year = int(date[:4])
    pattern = str(settings.get(f"docno.{kind}") or "{seq}")
    if not (settings.get("org.code") or settings.get("org.name")):
        # No issuing authority yet: print a blank number and keep the sequence untouched, so
        # the first real document gets 1号 (inspect config set org.code …).
        return format_number(pattern, "    ", year, "    ")
    from ..sync.blocks import next_from_block

    device = device_code(settings)
    key = _counter_key(kind, year, device)
    block = next_from_block(store, kind, year)  # a laptop that syncs with the bureau numbers from its blocks
    if block:
        seq = block[0]
        number = format_number(pattern, org_code(settings), year, seq, device)
    else:
        counter = store.get("documents", key) or {"kind": kind, "year": year, "seq": 0}
        seq = int(counter["seq"]) + 1
        number = format_number(pattern, org_code(settings), year, seq, device)
        used = numbers_in_use(store)
        while number in used:
            seq += 1
            number = format_number(pattern, org_code(settings), year, seq, device)
    if not commit:
        return number
    if block:
        store.put("documents", f"blocks:{kind}:{year}", block[1])
    else:
        store.put("documents", key, {"kind": kind, "year": year, "seq": seq, **({"device": device} if device else {})})
    store.put("documents", next_version_key(store, kind, subject) if fresh else f"{kind}:{subject}",
              {"kind": kind, "subject": subject, "year": year, "seq": seq, "number": number, "date": date,
               **({"device": device} if device else {})})
    return number


def claim(ctx: dict[str, Any], kind: str, subject: str, date: str, shown: Optional[str] = None,
          fresh: bool = False) -> None:
    """Note in a report's context that number ``shown`` was printed for ``kind``/``subject``
    (None: the document's own ``ctx["number"]``, read when the number is taken)."""
    ctx.setdefault("number_claims", []).append([kind, subject, date, shown, fresh])


def take(ledger: "Ledger", ctx: dict[str, Any], settings: dict[str, Any]) -> bool:
    """Store the numbers a rendered report showed; False (and nothing stored) when one of
    them is no longer the number this document would get — another process took it
    meanwhile — so the report must be built and rendered again."""
    return ledger.issue_document(ctx, settings, None) is not None
