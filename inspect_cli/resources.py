"""Files shipped inside the wheel (checklists, templates, demo data)."""
from __future__ import annotations

import importlib.resources
from pathlib import Path
from typing import Union

from importlib.abc import Traversable


def bundled_dir(name: str) -> Union[Traversable, Path]:
    """The bundled folder ``name`` as an importlib.resources Traversable.

    In the wheel, ``checklists/`` and ``templates/`` are the packages
    ``inspect_cli.checklists`` and ``inspect_cli.templates``. In a source checkout that
    was not installed, they are the top-level folders beside the package.
    """
    try:
        return importlib.resources.files(f"inspect_cli.{name}")
    except ModuleNotFoundError:
        return Path(__file__).resolve().parent.parent / name
