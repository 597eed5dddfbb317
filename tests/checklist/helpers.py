"""Shared paths and helpers of the checklist tests."""
from __future__ import annotations

from pathlib import Path

TESTS = Path(__file__).resolve().parent.parent
DATA = TESTS / "data"
BAD = DATA / "bad-checklists"
GOOD = DATA / "good-checklists"
REPO = TESTS.parent
BUNDLED_IDS = ("dust-explosion", "forest-fire", "hazardous-chemicals", "limited-space")


def resolver(*dirs: Path):
    """The registry's base resolver, with the good test checklists (test-minimal@1) known."""
    from inspect_cli.checklist.registry import Registry

    return Registry.discover(list(dirs) or [GOOD]).resolver()
