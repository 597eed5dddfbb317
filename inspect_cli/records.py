"""The records that cross the Ledger's seam: sites, inspections, hazards and their events.

They are JSON objects in storage and plain dicts in memory; these ``TypedDict`` types name
their keys for readers and for mypy. Every key is optional (``total=False``) because records
written by older versions, or imported from other laptops, may lack newer keys; code reads
them with ``.get``. Functions that only read a record take ``Mapping[str, Any]``, so a typed
record and a plain dict both fit.
"""
from __future__ import annotations

from typing import Any, TypedDict


class Inspector(TypedDict):
    """An inspector: a name and an enforcement certificate number (执法证号)."""

    name: str
    cert: str


class Basis(TypedDict, total=False):
    """One legal basis of an item: the source, its article or clause, and how well it was verified."""

    source: str
    title: str
    number: str
    clause: str
    citation: str
    verification: str


class Site(TypedDict, total=False):
    """A site (被检查单位), keyed by its unified social credit code."""

    code: str
    name: str
    address: str
    region: str  # 区域: 乡镇/街道
    contact: str
    phone: str
    industry: str
    risk_class: str
    attributes: dict[str, Any]


class Answer(TypedDict, total=False):
    """One answered step of an inspection, keyed ``ITEM`` or ``ITEM[unit]``."""

    outcome: str  # pass, fail, na, recorded
    answer: Any
    finding: str
    note: str
    evidence: list[str]
    evidence_files: list[dict[str, Any]]
    by: str
    at: str


class Inspection(TypedDict, total=False):
    """One visit: a checklist run at a site by named inspectors."""

    id: str
    site: str
    site_name: str
    checklist: str
    checklist_version: str
    checklist_title: str
    domain: str
    kind: str
    inspectors: list[Inspector]
    date: str
    started_at: str
    finished_at: str
    status: str  # in_progress, completed
    units: dict[str, list[str]]
    answers: dict[str, Answer]
    hazards: list[str]
    ignored: list[str]
    campaign: str  # the campaign (专项整治) it was made under, see inspect_cli.campaign
    prior_notice: bool  # False for 暗访暗查 (unannounced)


class Event(TypedDict, total=False):
    """One link of a hazard's hash chain: what happened, when, by whom."""

    id: str
    subject: str
    seq: int
    type: str
    date: str
    at: str
    actor: str
    data: dict[str, Any]
    note: str
    evidence: list[dict[str, Any]]
    prev: str
    hash: str


class Hazard(TypedDict, total=False):
    """A hazard (隐患): the replay of its events, with its chain's head and length."""

    id: str
    site: str
    site_name: str
    inspection: str
    checklist: str
    checklist_version: str
    item: str
    item_text: str
    item_note: str
    item_severity: str  # the checklist's severity, before any downgrade
    section: str
    unit: str
    domain: str
    kind: str
    inspectors: list[Inspector]
    severity: str  # general, major
    downgrade_reason: str
    answer: Any
    choice: str
    location: str
    measured: dict[str, Any]
    note: str
    evidence: list[dict[str, Any]]
    status: str  # open, planned, fixed, closed
    description: str
    basis: list[Basis]
    deadline: str
    created: str
    closed_date: str
    closed_reason: str
    plan: dict[str, Any]
    fix: dict[str, Any]
    interim: list[dict[str, Any]]
    supervision: dict[str, Any]
    extensions: list[dict[str, Any]]
    reinspections: list[dict[str, Any]]
    head: str
    events: int
    head_date: str  # the date of the head event (the time-order rule reads it)
    relapse_of: dict[str, Any]  # derived by Ledger.hazard: the closed hazard it relapses (回头看), never stored
    cases: list[dict[str, Any]]  # derived by Ledger.hazard: the cases (行政处罚案件) opened on it, never stored
    # derived when read, never stored
    overdue: bool
    days_overdue: int
    conflicts: list[dict[str, Any]]
