"""Shared paths and helpers of the checklist tests."""
from __future__ import annotations

import functools
from pathlib import Path

TESTS = Path(__file__).resolve().parent.parent
DATA = TESTS / "data"
BAD = DATA / "bad-checklists"
GOOD = DATA / "good-checklists"
REPO = TESTS.parent
BUNDLED_IDS = ("dust-explosion", "forest-fire", "hazardous-chemicals", "limited-space")


@functools.lru_cache(maxsize=None)
def resolver(*dirs: Path):
    """The registry's base resolver, with the good test checklists (test-minimal@1) known.

    Cached: discovering reads every bundled file, and the fuzz tests resolve bases thousands of times.
    """
    from inspect_cli.checklist.registry import Registry

    return Registry.discover(list(dirs) or [GOOD]).resolver()
