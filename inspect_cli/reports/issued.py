"""Issued documents: a numbered document, once issued, is frozen.

When a 现场检查记录, 责令限期整改指令书 or 整改复查意见书 takes its number, the text rendered with
that number is stored with it, in the same write transaction: the HTML (or Markdown) and the
inputs it was rendered from (canonical JSON), each with its sha256. Printing the document
again returns the stored text, so a reprint is byte-identical (a PDF is made from the stored
HTML). A correction (``inspect report KIND ID --correct REASON``) is a new document with a new
number that names the one it replaces; the replaced one stays in the list, marked so.

Rows of the ``documents`` table used here (besides the ``seq:…`` counters of
:mod:`.docnumbers`):

- ``KIND:SUBJECT``: the current document (number, date, issue time, hashes of its variants,
  ``replaces``);
- ``frozen:KEY``: the stored texts and inputs of the document row ``KEY`` (kept apart so
  listing is cheap);
- ``KIND:SUBJECT@N``: the N-th correction of the document; the row it replaces gains
  ``replaced_by`` and is otherwise left as issued (ledgers written before kept a replaced
  document at ``KIND:SUBJECT~N`` instead);
- ``image:SHA256``: an embedded image (``data:`` URI) of a frozen text, stored once however
  many documents print it; the frozen text holds ``inspect-image:SHA256`` in its place and is
  kept zlib-compressed, so a frozen document costs a few kB beside its photos.
"""
from __future__ import annotations

import base64
import hashlib
import json
import re
import zlib
from dataclasses import dataclass
from typing import Any, Iterable, Mapping, Optional

from .docnumbers import FROZEN, NUMBERED, assign, current_key, lookup

FROZEN_PREFIX = "frozen:"
IMAGE_PREFIX = "image:"
_DATA_URI = re.compile(r"data:image/[a-z+.-]+;base64,[A-Za-z0-9+/=]+")
_IMAGE_REF = re.compile(r"inspect-image:([0-9a-f]{64})")


@dataclass(frozen=True)
class IssuedDocument:
    """One numbered document of the ledger, as ``inspect report list`` shows it."""

    kind: str
    subject: str
    number: str
    date: str
    issued_at: str
    replaces: str
    replaced_by: str
    reason: str
    variants: tuple[str, ...]

    def as_json(self) -> dict[str, Any]:
        return {"kind": self.kind, "subject": self.subject, "number": self.number, "date": self.date,
                "issued_at": self.issued_at, "replaces": self.replaces or None,
                "replaced_by": self.replaced_by or None, "reason": self.reason or None,
                "variants": list(self.variants)}


@dataclass(frozen=True)
class NumberCollision:
    """The same printed number on two different documents (one here, one incoming)."""

    number: str
    ours: str     # KIND:SUBJECT of the document in this ledger
    theirs: str   # KIND:SUBJECT of the incoming one


def sha256_text(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def variant_key(lang: str, fmt: str, form: str) -> str:
    """Which rendering of a document: ``zh.html.full``, ``en.md.strict``… (a PDF is its HTML)."""
    return f"{lang}.{'md' if fmt == 'md' else 'html'}.{form}"


def issued_documents(store: Any) -> list[IssuedDocument]:
    """Every numbered document recorded in ``store``, oldest first (by date, then number)."""
    out = []
    for row in store.find("documents", fields=("kind", "subject", "number", "date", "issued_at", "replaces",
                                                "replaced_by", "reason", "sha256")):
        if row.get("kind") not in NUMBERED or not row.get("number") or not row.get("subject"):
            continue
        out.append(IssuedDocument(
            kind=str(row["kind"]), subject=str(row["subject"]), number=str(row["number"]), date=str(row.get("date") or ""),
            issued_at=str(row.get("issued_at") or ""), replaces=str(row.get("replaces") or ""),
            replaced_by=str(row.get("replaced_by") or ""), reason=str(row.get("reason") or ""),
            variants=tuple(sorted((row.get("sha256") or {}).keys()))))
    return sorted(out, key=lambda d: (d.date, d.kind, d.issued_at, d.number))


def number_collisions(ours: Iterable[Mapping[str, Any]], theirs: Iterable[Mapping[str, Any]]) -> list[NumberCollision]:
    """Numbers printed on different documents in two sets of ``documents`` rows.

    For bundle import: pass this ledger's rows and the bundle's rows (dicts with ``kind``,
    ``subject`` and ``number``; counters and frozen rows are ignored). The same document
    (same kind and subject) with the same number is not a collision.
    """
    mine: dict[str, str] = {}
    for r in ours:
        if r.get("kind") in NUMBERED and r.get("number") and r.get("subject"):
            mine[str(r["number"])] = f"{r['kind']}:{r['subject']}"
    out = []
    for r in theirs:
        if not (r.get("kind") in NUMBERED and r.get("number") and r.get("subject")):
            continue
        key = f"{r['kind']}:{r['subject']}"
        have = mine.get(str(r["number"]))
        if have is not None and have != key:
            out.append(NumberCollision(str(r["number"]), have, key))
    return sorted(out, key=lambda c: c.number)


def own_claim(ctx: Mapping[str, Any]) -> Optional[list[Any]]:
    """The number claim of a document whose text is frozen (a review also cites its order's
    number); None for other documents."""
    for c in ctx.get("number_claims") or []:
        if c[0] == ctx.get("kind") and c[0] in FROZEN:
            return list(c)
    return None


def _shown(ctx: Mapping[str, Any], claim: list[Any]) -> Optional[str]:
    """The number a claim says was printed (a claim without one: the document's own number)."""
    if claim[3] is not None:
        return str(claim[3])
    return str(ctx["number"]) if claim[0] == ctx.get("kind") and ctx.get("number") else None


def frozen_text(store: Any, kind: str, subject: str, variant: str) -> Optional[str]:
    """The stored text of an issued document's rendering, or None when never rendered so."""
    key = current_key(store, kind, subject)
    row = store.get("documents", key)
    if not row or variant not in (row.get("sha256") or {}):
        return None
    frozen = store.get("documents", f"{FROZEN_PREFIX}{key}") or {}
    packed = (frozen.get("texts") or {}).get(variant)
    text = None if packed is None else _unpack(store, str(packed))
    if text is None or sha256_text(text) != row["sha256"][variant]:
        from ..errors import IntegrityError

        raise IntegrityError(f"the stored text of {row['number']} ({variant}) does not match its hash: "
                             "the ledger was edited outside inspect-cli (inspect verify)")
    return str(text)


def _inputs(ctx: Mapping[str, Any]) -> Any:
    """The context as stored: JSON-safe, embedded images replaced by their hash."""
    def clean(v: Any) -> Any:
        if isinstance(v, dict):
            return {str(k): ("sha256:" + str(v.get("sha256", "")) if k == "data_uri" and val else clean(val))
                    for k, val in v.items() if k not in ("L", "number_claims")}
        if isinstance(v, (list, tuple)):
            return [clean(x) for x in v]
        if v is None or isinstance(v, (str, int, float, bool)):
            return v
        return str(v)
    return clean(dict(ctx))


def take_and_freeze(st: Any, now: str, ctx: Mapping[str, Any], settings: Mapping[str, Any],
                    rendered: Optional[tuple[str, str]]) -> Optional[str]:
    """Inside one write transaction ``st``: take the numbers the rendered report printed and
    freeze its text.

    ``rendered`` is ``(variant, text)``. Returns the text to print — the stored one when this
    rendering was frozen meanwhile by another process — or None when a printed number is no
    longer the one the document would get (nothing is stored then; render again).
    """
    claims = ctx.get("number_claims") or []
    own = own_claim(ctx)
    real = bool(settings.get("org.code") or settings.get("org.name"))
    conf = dict(settings)
    for c in claims:
        kind, subject, date, _, fresh = c
        shown = _shown(ctx, c)
        if shown is not None and assign(st, kind, subject, date, conf, commit=False, fresh=fresh) != shown:
            return None
        if fresh and (lookup(st, kind, subject) or {}).get("number", "") != ctx.get("replaces_number", ""):
            return None
    if own is not None and rendered is not None and real and not own[4]:
        stored = frozen_text(st, own[0], own[1], rendered[0])
        if stored is not None:
            return stored
    for kind, subject, date, shown, fresh in claims:
        if fresh:
            _retire(st, kind, subject, str(shown))
        assign(st, kind, subject, date, conf, fresh=fresh)
    if own is not None and rendered is not None and real:
        _freeze(st, now, ctx, own, rendered)
    return rendered[1] if rendered is not None else ""


def _retire(st: Any, kind: str, subject: str, new_number: str) -> None:
    """Mark the document a correction replaces: its row gains ``replaced_by`` and is otherwise
    kept as issued, with its frozen texts (nothing issued is ever rewritten)."""
    key = current_key(st, kind, subject)
    old = st.get("documents", key)
    if old:
        st.put("documents", key, dict(old, replaced_by=new_number))


def _freeze(st: Any, now: str, ctx: Mapping[str, Any], own: list[Any], rendered: tuple[str, str]) -> None:
    kind, subject = own[0], own[1]
    variant, text = rendered
    key = current_key(st, kind, subject)
    row = dict(st.get("documents", key) or {})
    frozen = dict(st.get("documents", f"{FROZEN_PREFIX}{key}") or {"texts": {}, "inputs": {}})
    inputs = json.dumps(_inputs(ctx), ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    frozen["texts"] = dict(frozen.get("texts") or {}, **{variant: _pack(st, text)})
    frozen["inputs"] = dict(frozen.get("inputs") or {}, **{variant: inputs})
    row["sha256"] = dict(row.get("sha256") or {}, **{variant: sha256_text(text)})
    row["inputs_sha256"] = dict(row.get("inputs_sha256") or {}, **{variant: sha256_text(inputs)})
    row.setdefault("issued_at", now)
    if own[4]:
        row["replaces"] = ctx.get("replaces_number") or ""
        row["reason"] = ctx.get("replaces_reason") or ""
    st.put("documents", key, row)
    st.put("documents", f"{FROZEN_PREFIX}{key}", frozen)


def _pack(st: Any, text: str) -> str:
    """A frozen text as stored: each embedded image moved to its own ``image:`` row (once),
    the rest zlib-compressed and base64-encoded."""
    def move(m: "re.Match[str]") -> str:
        uri = m.group(0)
        digest = sha256_text(uri)
        if st.get("documents", IMAGE_PREFIX + digest) is None:
            st.put("documents", IMAGE_PREFIX + digest, {"data": uri})
        return f"inspect-image:{digest}"

    light = _DATA_URI.sub(move, text)
    return "z:" + base64.b64encode(zlib.compress(light.encode("utf-8"), 9)).decode("ascii")


def _unpack(store: Any, packed: str) -> Optional[str]:
    """The text :func:`_pack` stored; None when a part of it is missing."""
    try:
        light = zlib.decompress(base64.b64decode(packed[2:])).decode("utf-8") if packed.startswith("z:") else packed
    except (ValueError, zlib.error, UnicodeDecodeError):
        return None
    missing = False

    def back(m: "re.Match[str]") -> str:
        nonlocal missing
        row = store.get("documents", IMAGE_PREFIX + m.group(1))
        if not row:
            missing = True
            return m.group(0)
        return str(row["data"])

    text = _IMAGE_REF.sub(back, light)
    return None if missing else text
