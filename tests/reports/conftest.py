from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from .fixture import build

TODAY = "2026-04-15"


@pytest.fixture(scope="session")
def built_ledger(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The fixed ledger, built once per session (ids and times deterministic)."""
    folder = tmp_path_factory.mktemp("built")
    with pytest.MonkeyPatch.context() as mp:
        return build(folder, mp)


@pytest.fixture()
def ledger_path(built_ledger: Path, tmp_path: Path) -> Path:
    """A private copy of the fixed ledger: document numbers start afresh in every test."""
    target = tmp_path / "ledger"
    shutil.copytree(built_ledger.parent, target, ignore=shutil.ignore_patterns("*.lock"))
    return target / built_ledger.name


@pytest.fixture()
def ledger(ledger_path: Path):
    from inspect_cli.ledger import open_ledger

    return open_ledger(ledger_path, today=TODAY, actor="张伟")
