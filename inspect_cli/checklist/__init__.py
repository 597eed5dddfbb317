"""Checklists: the YAML format, its validator, the `when` language and the registry."""
from __future__ import annotations

from .loader import load_checklist, problems_of
from .model import Checklist, Item, Section
from .registry import Registry, checklist_dirs

__all__ = ["Checklist", "Item", "Section", "Registry", "checklist_dirs", "load_checklist", "problems_of"]
