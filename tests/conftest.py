"""Hermetic tests: no test can touch a real ledger, and the date is fixed."""
from __future__ import annotations

import pytest


def pytest_configure(config):
    config.addinivalue_line("markers", "slow: real subprocesses, wheel builds (still run by default)")


@pytest.fixture(autouse=True)
def dont_touch_the_real_ledger(tmp_path_factory, monkeypatch):
    """The default ledger location points into a fresh temporary folder for every test."""
    home = tmp_path_factory.mktemp("home")
    monkeypatch.setenv("XDG_DATA_HOME", str(home / "data"))
    monkeypatch.setenv("XDG_STATE_HOME", str(home / "state"))
    for var in ("INSPECT_LEDGER", "INSPECT_TODAY", "INSPECT_LANG", "INSPECT_CHECKLIST_PATH", "INSPECT_USER"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("INSPECT_USER", "tester")


@pytest.fixture
def today() -> str:
    return "2026-03-02"
