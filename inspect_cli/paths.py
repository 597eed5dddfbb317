"""Where the default ledger lives: ``--ledger`` → ``INSPECT_LEDGER`` → XDG data folder."""
from __future__ import annotations

import os
from pathlib import Path
from typing import Optional


def default_ledger_path() -> Path:
    base = os.environ.get("XDG_DATA_HOME") or os.path.join(os.path.expanduser("~"), ".local", "share")
    return Path(base) / "inspect-cli" / "ledger.json"


def ledger_path(explicit: Optional[str] = None) -> Path:
    chosen = explicit or os.environ.get("INSPECT_LEDGER")
    return Path(chosen).expanduser() if chosen else default_ledger_path()


def evidence_dir(ledger: Path) -> Path:
    """Evidence files sit beside the ledger, named by their sha256."""
    return ledger.parent / f"{ledger.stem}.evidence"
