"""Bundled checklists (YAML), shipped inside the wheel."""
