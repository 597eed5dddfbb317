"""Reports: the official documents, the hazard ledger and the monthly bulletin.

::

    from inspect_cli import open_ledger
    from inspect_cli.reports import render_report
    ledger = open_ledger("ledger.json", today="2026-04-15")
    result = render_report(ledger, "order", "I-7K3M9-QXA2B", fmt="pdf", out="order.pdf")
    result["number"]   # （榕某应急）应急责改〔2026〕1号

The kinds are in :data:`KINDS`; the formats each kind takes in :data:`FORMATS`. Core code:
no terminal output here (the CLI prints).
"""
from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING, Any, Optional, Union

from ..errors import ReportError, UsageError
from ..hazard.moves import HazardQuery

from .kinds import FORMATS, KINDS, NEEDS_SUBJECT

if TYPE_CHECKING:
    from ..checklist.registry import Registry
    from ..ledger import Ledger

EXTENSIONS = {"html": ".html", "md": ".md", "pdf": ".pdf", "xlsx": ".xlsx"}


def check_kind_format(kind: str, fmt: str, subject: Optional[str]) -> None:
    """Refuse combinations that cannot work, saying what would."""
    if kind not in KINDS:
        raise UsageError(f"unknown report {kind!r}; the reports are: {', '.join(KINDS)}")
    if fmt not in FORMATS[kind]:
        raise UsageError(f"the {kind} report has no {fmt} format; use one of: {', '.join(FORMATS[kind])}"
                         + (" (xlsx is for the ledger and the bulletin)" if fmt == "xlsx" else ""))
    if kind in NEEDS_SUBJECT and not subject:
        what = ("a hazard id (H-…) or a site code" if kind == "closure" else "a case id (C-…)"
                if kind in ("filing", "penalty") else "a campaign id" if kind == "campaign" else "an inspection id (I-…)")
        raise UsageError(f"the {kind} report needs {what}: inspect report {kind} ID")
    if kind not in NEEDS_SUBJECT and subject:
        raise UsageError(f"the {kind} report takes no ID (got {subject!r}); "
                         + ("filter with --status/--severity/--site/--overdue/--due-before" if kind == "ledger"
                            else "choose the month with --month YYYY-MM"))


def template_dir_of(ledger: Ledger, template_dir: Union[str, Path, None]) -> Optional[Path]:
    """``--template-dir``, else the ``report.template_dir`` setting, else none (bundled only)."""
    chosen = template_dir or ledger.settings().get("report.template_dir") or None
    if not chosen:
        return None
    p = Path(os.path.expanduser(str(chosen)))
    if not p.is_dir():
        raise ReportError(f"template folder {p} does not exist (from --template-dir or the report.template_dir setting)")
    return p


FORMS = ("full", "strict")
MAX_NUMBER_TRIES = 50


def build_context(ledger: Ledger, kind: str, subject: Optional[str] = None, lang: str = "zh",
                  month: Optional[str] = None, query: Optional[HazardQuery] = None,
                  registry: Optional[Registry] = None, form: str = "full", correct: Optional[str] = None,
                  notes: Union[str, Path, None] = None) -> dict[str, Any]:
    """The data a report prints (also what a user template sees); ``registry`` gives the
    checklists' texts (default: the bundled ones and ``INSPECT_CHECKLIST_PATH``); ``correct``
    (a reason) gives a numbered document a new number replacing its issued one; ``notes`` is
    the bulletin's narrative file."""
    from . import forest
    from .builders import BUILDERS

    settings = dict(ledger.settings())
    if kind in ("order", "review") and subject and forest.is_forest(ledger.inspection(subject)):
        raise ReportError(f"inspection {subject} is a forest and grassland fire inspection: its findings are served as a "
                          f"森林草原火灾隐患整改通知书 under {forest.LEGAL_BASIS}, not as a 安全生产 文书: "
                          f"inspect report {forest.KIND} {subject}")
    if correct:
        settings["_correct"] = correct
    if notes:
        settings["_notes"] = str(notes)
    ctx: dict[str, Any] = BUILDERS[kind](ledger, subject, lang, settings, month=month, query=query, registry=registry)
    ctx["form"] = form
    return ctx


def render_text(kind: str, fmt: str, ctx: dict[str, Any], template_dir: Optional[Path] = None) -> str:
    from .env import render

    return render("md" if fmt == "md" else "html", f"{kind}.{'md' if fmt == 'md' else 'html'}.j2", ctx, template_dir)


def render_bytes(ledger: Ledger, kind: str, subject: Optional[str] = None, fmt: str = "html", lang: str = "zh",
                 month: Optional[str] = None, template_dir: Union[str, Path, None] = None,
                 query: Optional[HazardQuery] = None, registry: Optional[Registry] = None,
                 form: str = "full", correct: Optional[str] = None,
                 notes: Union[str, Path, None] = None) -> tuple[bytes, dict[str, Any]]:
    """Render one report. A numbered document is rendered once: its number is taken and its
    text frozen together (:mod:`.issued`); later prints return the frozen text."""
    from .issued import own_claim, variant_key

    check_kind_format(kind, fmt, subject)
    if form not in FORMS:
        raise UsageError(f"--form must be one of: {', '.join(FORMS)}")
    if correct is not None and kind not in ("record", "order", "review"):
        raise UsageError("--correct is for the numbered documents (record, order, review)")
    if correct is not None and not correct.strip():
        raise UsageError("--correct needs the reason of the correction, e.g. --correct '整改期限写错'")
    if fmt == "pdf":
        from .pdf import check_pdf_ready

        check_pdf_ready()
    tdir = template_dir_of(ledger, template_dir)
    variant = variant_key(lang, fmt, form)
    for _ in range(MAX_NUMBER_TRIES):  # a number taken by another process meanwhile: build and render again
        ctx = build_context(ledger, kind, subject, lang, month, query, registry, form, correct, notes)
        if fmt == "xlsx":
            from .xlsx import WRITERS

            return WRITERS[kind](ctx), ctx
        own = own_claim(ctx)
        stored = None
        if own is not None and not correct:
            stored = ledger.frozen_document(own[0], own[1], variant)
        text = stored if stored is not None else render_text(kind, fmt, ctx, tdir)
        if stored is None:
            final = ledger.issue_document(ctx, ledger.settings(), (variant, text) if own is not None else None)
            if final is None:
                continue
            text = final or text
        if fmt == "pdf":
            from .pdf import RenderTimeout, html_to_pdf

            try:
                return html_to_pdf(text), ctx
            except RenderTimeout as e:  # name what made it slow
                raise ReportError(f"{e}; the largest text in this report is {_biggest_text(ctx)}") from None
        return text.encode("utf-8"), ctx
    raise ReportError("document numbers kept being taken by other processes; try again")


def _biggest_text(ctx: Any) -> str:
    """The longest text in a report's data, named by its path (what a slow render blames)."""
    best = ("", 0)
    stack: list[tuple[str, Any]] = [("", ctx)]
    while stack:
        path, v = stack.pop()
        if isinstance(v, dict):
            stack.extend((f"{path}.{k}" if path else str(k), x) for k, x in v.items() if k not in ("L",))
        elif isinstance(v, (list, tuple)):
            stack.extend((f"{path}[{i}]", x) for i, x in enumerate(v))
        elif isinstance(v, str) and not v.startswith("data:") and len(v) > best[1]:
            best = (path, len(v))
    return f"{best[0]} ({best[1]} characters)" if best[0] else ""


def default_out(kind: str, subject: Optional[str], fmt: str, month: Optional[str] = None) -> Path:
    name = kind + (f"-{subject}" if subject else "") + (f"-{month}" if month else "")
    return Path(name.replace("/", "_") + EXTENSIONS[fmt])


def render_report(ledger: Ledger, kind: str, subject: Optional[str] = None, fmt: str = "html",
                  out: Union[str, Path, None] = None, lang: str = "zh", month: Optional[str] = None,
                  template_dir: Union[str, Path, None] = None, query: Optional[HazardQuery] = None,
                  registry: Optional[Registry] = None, form: str = "full", correct: Optional[str] = None,
                  notes: Union[str, Path, None] = None) -> dict[str, Any]:
    """Render one report into ``out``; returns ``{"out", "kind", "format", "number", "replaces"}``."""
    if kind == "bulletin" and not month:
        month = ledger.clock.today.strftime("%Y-%m")
    data, ctx = render_bytes(ledger, kind, subject, fmt, lang, month, template_dir, query, registry, form, correct,
                             notes)
    path = Path(out) if out else default_out(kind, subject, fmt, month if kind == "bulletin" else None)
    if path.parent and not path.parent.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".part")
    tmp.write_bytes(data)
    os.replace(tmp, path)
    return {"out": str(path), "kind": kind, "format": fmt, "number": ctx.get("number") or None,
            "replaces": ctx.get("replaces_number") or None}
