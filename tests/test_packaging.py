"""The wheel ships every package: a package missing from setup.cfg works in a checkout and
fails with ModuleNotFoundError after `pip install` (it happened with case/, integrity/, plan/
and campaign/)."""
from __future__ import annotations

import configparser
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_every_package_of_the_source_tree_is_listed_in_setup_cfg():
    cfg = configparser.ConfigParser()
    cfg.read(ROOT / "setup.cfg", encoding="utf-8")
    listed = {p.strip() for p in cfg["options"]["packages"].split() if p.strip()}
    found = {".".join(p.parent.relative_to(ROOT).parts) for p in (ROOT / "inspect_cli").rglob("__init__.py")}
    assert sorted(found - listed) == []
