"""inspect-cli: checklists, hazard ledger and inspection documents for work-safety inspectors.

The Python API is the one the CLI uses::

    from inspect_cli import open_ledger, Registry

    ledger = open_ledger("ledger.json")
    checklist = Registry.discover().get("dust-explosion")

Heavy modules are imported on first use, so ``import inspect_cli`` stays cheap.
"""
from __future__ import annotations

from typing import Any

__version__ = "0.1.0"

_API = {
    "Registry": "inspect_cli.checklist.registry",
    "load_checklist": "inspect_cli.checklist.loader",
    "open_ledger": "inspect_cli.ledger",
    "Ledger": "inspect_cli.ledger",
    "InspectError": "inspect_cli.errors",
}

__all__ = sorted(_API) + ["__version__"]


def __getattr__(name: str) -> Any:
    if name in _API:
        import importlib

        return getattr(importlib.import_module(_API[name]), name)
    raise AttributeError(f"module 'inspect_cli' has no attribute {name!r}")
