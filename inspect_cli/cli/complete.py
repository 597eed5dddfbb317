"""Shell completion of ids: checklist ids, site codes, open hazard ids, inspection ids.

Enable it with ``eval "$(_INSPECT_COMPLETE=bash_source inspect)"`` (``zsh_source``,
``fish_source`` for the other shells). Completion only reads: it never creates a ledger, and
any problem (no ledger yet, a busy one) just offers nothing.
"""
from __future__ import annotations

from typing import Any, Callable, Optional

import click
from click.shell_completion import CompletionItem

Completer = Callable[[click.Context, click.Parameter, str], list[CompletionItem]]


def _ledger(ctx: click.Context) -> Optional[Any]:
    from ..ledger import open_ledger

    path = None
    c: Optional[click.Context] = ctx
    while c is not None and path is None:
        path = c.params.get("ledger_path")
        c = c.parent
    ledger = open_ledger(path)
    return ledger if ledger.exists() else None


def _safe(fn: Callable[[click.Context, str], list[CompletionItem]]) -> Completer:
    def complete(ctx: click.Context, param: click.Parameter, incomplete: str) -> list[CompletionItem]:
        try:
            return fn(ctx, incomplete)
        except Exception:  # completion must never print a traceback into the shell
            return []

    return complete


def _matching(pairs: list[tuple[str, str]], incomplete: str) -> list[CompletionItem]:
    want = incomplete.strip().upper()
    return [CompletionItem(value, help=help_text) for value, help_text in pairs if value.upper().startswith(want)]


def _checklists(ctx: click.Context, incomplete: str) -> list[CompletionItem]:
    from ..checklist.registry import Registry, checklist_dirs

    dirs: tuple[str, ...] = ()
    c: Optional[click.Context] = ctx
    while c is not None and not dirs:
        dirs = tuple(c.params.get("checklist_dirs") or ())
        c = c.parent
    reg = Registry.discover(checklist_dirs(dirs))
    titles: dict[str, str] = {}
    for (cid, _), entry in sorted(reg.entries.items()):  # the latest version's title; files are not loaded
        data = entry.loaded[0] if entry.loaded else {}
        title = data.get("title") if isinstance(data, dict) else None
        titles[cid] = str(title.get("zh", "")) if isinstance(title, dict) else ""
    want = incomplete.strip().lower()
    return [CompletionItem(cid, help=title) for cid, title in titles.items() if cid.startswith(want)]


def _sites(ctx: click.Context, incomplete: str) -> list[CompletionItem]:
    ledger = _ledger(ctx)
    if ledger is None:
        return []
    return _matching([(s["code"], s.get("name") or "") for s in ledger.sites()], incomplete)


def _open_hazards(ctx: click.Context, incomplete: str) -> list[CompletionItem]:
    from ..hazard.moves import HazardQuery
    from ..hazard.lifecycle import ACTIVE

    ledger = _ledger(ctx)
    if ledger is None:
        return []
    rows, _ = ledger.hazards(HazardQuery(status=ACTIVE, sort="deadline"))
    return _matching([(h["id"], f"{h.get('site_name') or h['site']} {h['item']}" + (f"[{h['unit']}]" if h.get("unit") else ""))
                      for h in rows], incomplete)


def _inspections(ctx: click.Context, incomplete: str) -> list[CompletionItem]:
    ledger = _ledger(ctx)
    if ledger is None:
        return []
    return _matching([(r["id"], f"{r.get('date')} {r.get('site_name') or r.get('site')} {r.get('checklist')}")
                      for r in ledger.find_inspections()], incomplete)


complete_checklists = _safe(_checklists)
complete_sites = _safe(_sites)
complete_open_hazards = _safe(_open_hazards)
complete_inspections = _safe(_inspections)
