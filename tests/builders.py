"""Small ledgers for tests, built through the public API."""
from __future__ import annotations

from pathlib import Path
from typing import Any, Optional

from inspect_cli.inspection import answers as inspection
from inspect_cli.checklist import Registry
from inspect_cli.ledger import open_ledger
from inspect_cli.site.uscc import make_code

SITE = "91350100M000100Y43"
INSPECTORS = [{"name": "张伟", "cert": "44010012345"}, {"name": "李娜", "cert": "44010067890"}]
INSPECTOR_ARGS = ["--inspector", "张伟:44010012345", "--inspector", "李娜:44010067890"]
_REGISTRY: Optional[Registry] = None


def registry() -> Registry:
    global _REGISTRY
    if _REGISTRY is None:
        _REGISTRY = Registry.discover()
    return _REGISTRY


def passing(item: Any) -> Any:
    return inspection.example_answer(item, True)


def failing(item: Any) -> Any:
    return inspection.example_answer(item, False)


def answers(checklist_id: str, units: dict[str, list[str]], fail: dict[str, Any] = None,
            site: Optional[dict] = None, date: str = "2026-03-02") -> dict[str, Any]:
    """A complete answers document: everything applicable passes except ``fail`` (key → detail)."""
    import datetime as dt

    c = registry().get(checklist_id)
    fail = dict(fail or {})
    site = site or {"code": SITE, "name": "x", "attributes": {}}

    def answer_for(step, so_far):
        if step.key in fail:
            detail = fail[step.key]
            detail = dict(detail) if isinstance(detail, dict) else {}
            detail.setdefault("answer", failing(step.item))
        else:
            detail = {"answer": passing(step.item)}
        return inspection.normalise_answer(step.item, detail)

    walked = inspection.walk(c, site, dt.date.fromisoformat(date), units, answer_for)
    out = {k: v["answer"] for k, v in walked.items() if not v.get("derived")}  # combined items are never answered
    for key, detail in fail.items():
        if isinstance(detail, dict):
            out[key] = dict(detail, answer=detail.get("answer", out.get(key)))
    return {"units": units, "answers": out}


def ledger_with_site(path: Path, today: str = "2026-03-02", code: str = SITE, name: str = "某某木业有限公司",
                     attributes: Optional[dict] = None):
    ledger = open_ledger(path, today=today)
    ledger.add_site({"code": code, "name": name, "industry": "木材加工", "attributes": attributes or {"wood_dust": True}})
    return ledger


def inspect_dust(ledger, fail: dict[str, Any], evidence_dir: Path, code: str = SITE) -> dict[str, Any]:
    """Run the dust checklist at ``code``; failures of major items get a photo as evidence."""
    photo = evidence_dir / "photo.png"
    if not photo.exists():
        photo.write_bytes(b"\x89PNG\r\n\x1a\n" + b"0" * 64)
    c = registry().get("dust-explosion")
    fail = {k: (dict(v, evidence=v.get("evidence", ["photo.png"])) if isinstance(v, dict) else {"evidence": ["photo.png"]})
            for k, v in fail.items()}
    site = ledger.site(code)
    doc = answers("dust-explosion", {"collectors": ["1号除尘系统"]}, fail, site, ledger.clock.today.isoformat())
    return ledger.run_answers(c, code, INSPECTORS, "enforcement", doc, evidence_dir)


def other_code(n: int) -> str:
    return make_code(f"9135010000000{n:04d}")
