"""Checklists: the YAML format, its validator, the `when` language and the registry.

Submodules load on first use, so a command that only reads the ledger never loads the
validator.
"""
from __future__ import annotations

from typing import Any

_API = {
    "Checklist": "model", "Item": "model", "Section": "model", "Registry": "registry",
    "checklist_dirs": "registry", "load_checklist": "loader", "problems_of": "loader",
}
__all__ = sorted(_API)


def __getattr__(name: str) -> Any:
    if name in _API:
        import importlib

        return getattr(importlib.import_module(f"{__name__}.{_API[name]}"), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
