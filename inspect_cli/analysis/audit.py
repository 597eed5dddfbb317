"""Data-quality audit: 遏制隐患数据趋同、避重就轻 — copied, down-graded or unsupported records.

Rules (docs/analysis.md has the full text):

- ``copied_text`` (数据趋同): the same custom hazard description or note — equal after
  normalisation, or ``difflib`` ratio ≥ 0.9 within the same checklist item — recorded at
  two or more different sites. A description that is the checklist's default finding text
  (what the tool writes when the inspector gives none) is expected to repeat and is never
  compared; texts shorter than :data:`MIN_TEXT` characters are too generic to tell.
- ``downgraded_major`` (避重就轻): an item whose checklist severity is major recorded as a
  general hazard.
- ``closed_without_evidence``: closed by re-inspection (复查合格) with no evidence on the
  passing re-inspection and none on the reported fix.
- ``on_spot_without_evidence`` (lower level): closed on the spot (当场整改) with no evidence.
- ``major_closed_without_plan``: a major hazard closed without a 治理方案.
- ``too_few_inspectors``: an inspection other than a self-inspection (自查) with fewer than
  two inspectors holding distinct certificate numbers (执法证号).
- ``major_without_standard``: a major hazard whose basis cites no source of kind
  ``determination-standard`` (only a 重大事故隐患判定标准 makes a hazard major).
"""
from __future__ import annotations

import datetime as dt
import difflib
import gc
import re
import unicodedata
from contextlib import contextmanager
from typing import Any, Callable, Iterable, Iterator, Optional

from ..errors import InspectError
from ..storage.interface import Store

RATIO = 0.9
MIN_TEXT = 10
MAX_COMPARISONS = 100_000
KINDS = ("copied_text", "downgraded_major", "major_without_standard", "closed_without_evidence",
         "major_closed_without_plan", "too_few_inspectors", "on_spot_without_evidence")
KIND_ZH = {
    "copied_text": "隐患描述雷同（数据趋同）",
    "downgraded_major": "重大隐患项记为一般隐患（避重就轻）",
    "major_without_standard": "重大隐患无判定标准依据",
    "closed_without_evidence": "复查销号无佐证材料",
    "major_closed_without_plan": "重大隐患销号无治理方案",
    "too_few_inspectors": "执法检查人员不足两名持证",
    "on_spot_without_evidence": "当场整改无佐证材料",
}
LEVEL = {k: "error" for k in KINDS} | {"on_spot_without_evidence": "warning"}

# A function giving the default description texts of (checklist, version, item, answer), or
# None when the checklist is unknown (its descriptions are then not compared).
Defaults = Callable[[str, Any, str, Any], Optional[set[str]]]

_PAREN_TAIL = re.compile(r"[（(][^（）()]*[）)]\s*$")


def normalise_text(text: Any) -> str:
    """For comparison: NFKC, lower case, without whitespace, punctuation or symbols."""
    t = unicodedata.normalize("NFKC", str(text or "")).lower()
    return "".join(c for c in t if unicodedata.category(c)[0] not in "PZSC")


def registry_defaults(registry: Any) -> Defaults:
    """Default texts from a checklist :class:`~inspect_cli.checklist.registry.Registry` (cached)."""
    from ..inspection.record import describe

    cache: dict[tuple[str, Any], Any] = {}

    def defaults(checklist: str, version: Any, item_id: str, answer: Any) -> Optional[set[str]]:
        key = (checklist, version)
        if key not in cache:
            try:
                cache[key] = registry.get(f"{checklist}@{version}" if version is not None else checklist)
            except InspectError:  # unknown or broken checklist: say so in the summary, compare no descriptions
                cache[key] = None
        cl = cache[key]
        item = cl.item(item_id) if cl is not None else None
        if item is None:
            return None
        texts = {item.finding_text.zh, item.text.zh}
        try:
            texts.add(describe(item, {"answer": answer}))
        # an odd stored answer: the plain finding text still counts as default
        except (TypeError, ValueError, KeyError, AttributeError, IndexError):
            pass
        return texts

    return defaults


_NORMALISED: dict[frozenset[str], frozenset[str]] = {}


def _is_default(description: str, defaults: set[str]) -> bool:
    key = frozenset(defaults)
    norm = _NORMALISED.get(key)
    if norm is None:
        if len(_NORMALISED) > 10_000:
            _NORMALISED.clear()
        norm = _NORMALISED[key] = frozenset(normalise_text(t) for t in defaults)
    if normalise_text(description) in norm:
        return True
    stripped = _PAREN_TAIL.sub("", description.strip())
    return stripped != description.strip() and normalise_text(stripped) in norm


class _Union:
    def __init__(self) -> None:
        self.parent: dict[str, str] = {}

    def find(self, x: str) -> str:
        self.parent.setdefault(x, x)
        while self.parent[x] != x:
            self.parent[x] = self.parent[self.parent[x]]
            x = self.parent[x]
        return x

    def union(self, a: str, b: str) -> None:
        ra, rb = self.find(a), self.find(b)
        if ra != rb:
            self.parent[max(ra, rb)] = min(ra, rb)


def copied_texts(hazards: Iterable[dict[str, Any]], defaults: Optional[Defaults], ratio: float = RATIO,
                 max_comparisons: int = MAX_COMPARISONS) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    """Findings of custom texts repeated across sites, and what was checked.

    Exact (normalised) repeats are found across the whole ledger with a dict; near repeats
    only between distinct texts of the same checklist item, of similar length, at most
    ``max_comparisons`` ``SequenceMatcher`` ratios in all.
    """
    uses: dict[str, list[tuple[str, str, str]]] = {}  # normalised text → (hazard id, site, field)
    sample: dict[str, str] = {}
    groups: dict[tuple[str, str], set[str]] = {}
    unknown: set[str] = set()
    custom = 0
    for h in hazards:
        found: list[tuple[str, str]] = []
        desc = str(h.get("description") or "")
        if desc.strip():
            d = defaults(h.get("checklist") or "", h.get("checklist_version"), h.get("item") or "",
                         h.get("answer")) if defaults else None
            if d is None:
                unknown.add(f"{h.get('checklist')}@{h.get('checklist_version')}")
            elif not _is_default(desc, d):
                found.append(("description", desc))
        note = str(h.get("note") or "")
        if note.strip():
            found.append(("note", note))
        for field, raw in found:
            norm = normalise_text(raw)
            if len(norm) < MIN_TEXT:
                continue
            custom += 1
            uses.setdefault(norm, []).append((h["id"], h.get("site") or "?", field))
            sample.setdefault(norm, raw.strip())
            groups.setdefault((h.get("checklist") or "?", h.get("item") or "?"), set()).add(norm)

    uf = _Union()
    comparisons = 0
    truncated = False
    similar: dict[frozenset[str], float] = {}
    for key in sorted(groups):
        texts = sorted(groups[key], key=lambda t: (len(t), t))
        if len(texts) < 2:
            continue
        matcher = difflib.SequenceMatcher(autojunk=False)
        for i, a in enumerate(texts):
            if truncated:
                break
            matcher.set_seq2(a)
            limit = len(a) * (2 / ratio - 1)  # longer texts cannot reach the ratio
            for b in texts[i + 1:]:
                if len(b) > limit:
                    break
                if uf.find(a) == uf.find(b):
                    continue
                if comparisons >= max_comparisons:
                    truncated = True
                    break
                comparisons += 1
                matcher.set_seq1(b)
                if matcher.real_quick_ratio() >= ratio and matcher.quick_ratio() >= ratio:
                    r = matcher.ratio()
                    if r >= ratio:
                        uf.union(a, b)
                        similar[frozenset((a, b))] = r
        if truncated:
            break

    clusters: dict[str, list[str]] = {}
    for norm in uses:
        clusters.setdefault(uf.find(norm), []).append(norm)
    lowest: dict[str, float] = {}
    for pair, r in similar.items():
        root = uf.find(next(iter(pair)))
        lowest[root] = min(r, lowest.get(root, 1.0))
    findings = []
    for root, members in clusters.items():
        rows = [u for m in members for u in uses[m]]
        sites = sorted({site for _, site, _ in rows})
        if len(sites) < 2:
            continue
        ids = sorted({hid for hid, _, _ in rows})
        texts = sorted(members, key=lambda m: (-len(uses[m]), m))
        exact = len(members) == 1
        best = lowest.get(root, 1.0)
        shown = sample[texts[0]]
        fields = sorted({f for _, _, f in rows})
        message = (f"the same {'/'.join(fields)} text at {len(sites)} different sites "
                   f"({len(ids)} hazards{'' if exact else f', similarity ≥ {best:.2f}'}): “{_clip(shown)}”")
        findings.append({"kind": "copied_text", "level": LEVEL["copied_text"], "hazards": ids, "inspections": [],
                         "sites": sites, "message": message, "text": shown,
                         "variants": [sample[m] for m in texts], "exact": exact})
    checked = {"texts_compared": custom, "distinct_texts": len(uses), "comparisons": comparisons,
               "comparisons_truncated": truncated, "checklists_unknown": sorted(unknown)}
    return findings, checked


def _clip(text: str, n: int = 60) -> str:
    return text if len(text) <= n else text[: n - 1] + "…"


def _has_evidence(entry: Optional[dict[str, Any]]) -> bool:
    return bool(entry and entry.get("evidence"))


def hazard_findings(h: dict[str, Any]) -> list[dict[str, Any]]:
    """The per-hazard rules (everything but copied text)."""
    out = []
    site = h.get("site") or "?"
    label = f"{h.get('checklist')} {h.get('item')}{'[' + h['unit'] + ']' if h.get('unit') else ''}"

    def flag(kind: str, message: str, **extra: Any) -> None:
        out.append({"kind": kind, "level": LEVEL[kind], "hazards": [h["id"]],
                    "inspections": [h["inspection"]] if h.get("inspection") else [], "sites": [site],
                    "message": message, **extra})

    if h.get("item_severity") == "major" and h.get("severity") == "general":
        reason = str(h.get("downgrade_reason") or "").strip()
        flag("downgraded_major", f"{h['id']} at {site}: major item {label} recorded as a general hazard; "
                                 f"downgrade reason: {reason or '(none given)'}", downgrade_reason=reason or None)
    if h.get("status") == "closed":
        on_spot = h.get("closed_reason") == "当场整改"
        if on_spot:
            if not h.get("evidence"):
                flag("on_spot_without_evidence", f"{h['id']} at {site}: {label} closed on the spot (当场整改) "
                                                 "with no evidence (photo) recorded")
        else:
            passes = [r for r in h.get("reinspections") or [] if r.get("result") == "pass"]
            last = passes[-1] if passes else None
            if not _has_evidence(last) and not _has_evidence(h.get("fix")):
                flag("closed_without_evidence", f"{h['id']} at {site}: {label} closed on "
                                                f"{h.get('closed_date')} ({h.get('closed_reason') or 'closed'}) with no "
                                                "evidence on the re-inspection nor on the reported fix")
        if h.get("severity") == "major" and not h.get("plan"):
            how = "on the spot" if on_spot else f"on {h.get('closed_date')}"
            flag("major_closed_without_plan", f"{h['id']} at {site}: major hazard {label} closed {how} "
                                              "without a 治理方案 (rectification plan)")
    return out


def inspection_findings(rec: dict[str, Any]) -> list[dict[str, Any]]:
    kind = rec.get("kind")
    if kind == "self" or rec.get("status") not in (None, "completed"):
        return []
    inspectors = rec.get("inspectors") or []
    certs = {str(i.get("cert") or "").strip() for i in inspectors} - {""}
    if len(certs) >= 2:
        return []
    names = "、".join(f"{i.get('name')}{':' + i['cert'] if i.get('cert') else ''}" for i in inspectors) or "(none)"
    return [{"kind": "too_few_inspectors", "level": LEVEL["too_few_inspectors"], "hazards": [],
             "inspections": [rec["id"]], "sites": [rec.get("site") or "?"],
             "message": f"{rec['id']} ({kind}, {rec.get('date')}) at {rec.get('site')}: "
                        f"{len(certs)} inspector(s) with distinct certificate numbers, two are required: {names}"}]


def run(store: Store, today: dt.date, defaults: Optional[Defaults] = None, ratio: float = RATIO,
        max_comparisons: int = MAX_COMPARISONS, source_kind: Optional[Callable[[str, Any, str], Optional[str]]] = None
        ) -> dict[str, Any]:
    """The audit of the whole ledger: ``{"findings", "counts", "checked"}``.

    ``defaults`` tells the checklist's default description texts (see
    :func:`registry_defaults`); None means the bundled checklists. Descriptions of
    checklists it does not know are not compared (listed in ``checked``), only notes.
    """
    if defaults is None or source_kind is None:
        from ..checklist.legal import registry_source_kinds
        from ..checklist.registry import Registry

        reg = Registry.discover()
        defaults = defaults or registry_defaults(reg)
        source_kind = source_kind or registry_source_kinds(reg)
    with paused_gc():
        return _run(store, today, defaults, ratio, max_comparisons, source_kind)


@contextmanager
def paused_gc() -> Iterator[None]:
    """No cyclic garbage collection while a pass over the whole ledger allocates its results.

    The collector would otherwise walk the hundreds of thousands of live ledger records
    again and again (most of the run time on a city's year); nothing here makes cycles.
    """
    was = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was:
            gc.enable()


def _run(store: Store, today: dt.date, defaults: Defaults, ratio: float, max_comparisons: int,
         source_kind: Optional[Callable[[str, Any, str], Optional[str]]] = None) -> dict[str, Any]:
    from ..checklist.legal import unsupported_major

    hazards = store.find("hazards")
    findings: list[dict[str, Any]] = []
    copied, checked = copied_texts(hazards, defaults, ratio, max_comparisons)
    findings += copied
    for h in hazards:
        findings += hazard_findings(h)
        why = unsupported_major(h, source_kind)
        if why:
            site = h.get("site") or "?"
            findings.append({"kind": "major_without_standard", "level": LEVEL["major_without_standard"],
                             "hazards": [h["id"]], "inspections": [h["inspection"]] if h.get("inspection") else [],
                             "sites": [site], "message": f"{h['id']} at {site}: major hazard {h.get('checklist')} "
                                                         f"{h.get('item')} — {why}"})
    inspections = store.find("inspections", fields=("id", "kind", "inspectors", "site", "status", "date"))
    for rec in inspections:
        findings += inspection_findings(rec)
    order = {k: n for n, k in enumerate(KINDS)}
    findings.sort(key=lambda f: (order[f["kind"]], f["sites"][0] if f["sites"] else "",
                                 (f["hazards"] or f["inspections"] or [""])[0]))
    counts = dict.fromkeys(KINDS, 0)
    for f in findings:
        counts[f["kind"]] += 1
    checked.update(hazards=len(hazards), inspections=len(inspections), today=today.isoformat())
    return {"findings": findings, "counts": counts, "checked": checked}


def audit(store: Store, today: dt.date, defaults: Optional[Defaults] = None) -> list[dict[str, Any]]:
    """The findings only (see :func:`run`)."""
    return list(run(store, today, defaults)["findings"])
