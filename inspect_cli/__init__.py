"""inspect-cli: checklists, hazard ledger and inspection documents for work-safety inspectors.

The Python API is the one the CLI uses::

    from inspect_cli import HazardQuery, Registry, open_ledger

    ledger = open_ledger("ledger.json", today="2026-03-15")
    ledger.add_site({"code": "91350100M000100Y43", "name": "某某木业有限公司", "attributes": {"wood_dust": True}})
    checklist = Registry.discover().get("dust-explosion")
    result = ledger.run_answers(checklist, "91350100M000100Y43", inspectors, "enforcement", answers, folder)
    rows, total = ledger.hazards(HazardQuery(overdue=True, severity="major"))
    ledger.reinspect_apply("plan.csv", inspectors)

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
    "HazardQuery": "inspect_cli.hazard.moves",
    "migrate": "inspect_cli.storage.migrate",
}

__all__ = sorted(_API) + ["__version__"]


def __getattr__(name: str) -> Any:
    if name in _API:
        import importlib

        return getattr(importlib.import_module(_API[name]), name)
    raise AttributeError(f"module 'inspect_cli' has no attribute {name!r}")
