"""Helpers to take a bundle apart and put a crafted one together, as an attacker would."""
from __future__ import annotations

import json
import zipfile
from pathlib import Path
from typing import Any, Callable, Optional

from inspect_cli.hazard.history import event_hash


def parts(bundle: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(bundle) as z:
        return {n: z.read(n) for n in z.namelist()}


def rows(data: bytes) -> list[dict[str, Any]]:
    return [json.loads(line) for line in data.decode("utf-8").splitlines() if line.strip()]


def jsonl(records: list[dict[str, Any]]) -> bytes:
    return "".join(json.dumps(r, ensure_ascii=False, sort_keys=True) + "\n" for r in records).encode("utf-8")


def write(out: Path, members: dict[str, bytes], extra: Optional[list[zipfile.ZipInfo]] = None,
          extra_data: Optional[list[bytes]] = None) -> Path:
    with zipfile.ZipFile(out, "w") as z:
        for n, d in members.items():
            z.writestr(n, d)
        for info, data in zip(extra or [], extra_data or []):
            z.writestr(info, data)
    return out


def rehash(e: dict[str, Any]) -> dict[str, Any]:
    e["hash"] = event_hash(e)
    return e


def edit_events(bundle: Path, out: Path, change: Callable[[list[dict[str, Any]]], None]) -> Path:
    p = parts(bundle)
    evs = rows(p["events.jsonl"])
    change(evs)
    p["events.jsonl"] = jsonl(evs)
    return write(out, p)
