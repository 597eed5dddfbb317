"""Inspections stored compactly in the TinyDB table files, read back exactly as they were.

An inspection's answer record is ``{item key: {"answer", "outcome", "by", "at"}}``: about 110
bytes per answer, of which the inspectors' names and a full timestamp repeat in every entry.
In a bucket file such an entry is stored as ``[key, answer, outcome, seconds after
started_at]``, with a fifth element ``by`` only where it differs from the inspection's
inspectors (``"张伟, 李娜"``). An entry of any other shape (a note, a measured value,
evidence, other keys or another key order) is kept as it is: ``[key, {…}]``. The answers
then read ``{"~": [entries]}`` in their usual place in the record.

Packing is checked entry by entry: an entry is packed only if unpacking gives back the same
keys, in the same order, with the same values (a timestamp that would not be rebuilt to the
same text, say, stays as it is). Nothing derived from a checklist is used, so a record reads
back byte for byte the same whatever checklists are installed; reports, ``verify`` and
exports see what was stored before.
"""
from __future__ import annotations

import datetime as dt
from typing import Any, Optional

MARK = "~"
PLAIN = ("answer", "outcome", "by", "at")


def _default_by(record: dict[str, Any]) -> Optional[str]:
    inspectors = record.get("inspectors")
    if not isinstance(inspectors, list):
        return None
    try:
        return ", ".join(i["name"] for i in inspectors)
    except (TypeError, KeyError):
        return None


def _start(record: dict[str, Any]) -> Optional[dt.datetime]:
    started = record.get("started_at")
    if not isinstance(started, str):
        return None
    try:
        return dt.datetime.fromisoformat(started)
    except ValueError:
        return None


def pack(record: dict[str, Any]) -> dict[str, Any]:
    """The record with its answers compacted (the same object if there is nothing to pack)."""
    answers = record.get("answers")
    start = _start(record)
    if not isinstance(answers, dict) or not answers or MARK in answers or start is None:
        return record
    by = _default_by(record)
    entries: list[list[Any]] = []
    for key, entry in answers.items():
        packed = _pack_entry(key, entry, start, by)
        entries.append(packed if packed is not None and _unpack_entry(packed, start, by, {}) == (key, entry)
                       else [key, entry])
    return {k: ({MARK: entries} if k == "answers" else v) for k, v in record.items()}


def _pack_entry(key: str, entry: Any, start: dt.datetime, by: Optional[str]) -> Optional[list[Any]]:
    if not isinstance(entry, dict) or tuple(entry) != PLAIN or not isinstance(entry["at"], str):
        return None
    try:
        at = dt.datetime.fromisoformat(entry["at"])
        offset = (at - start).total_seconds()
    except (ValueError, TypeError):
        return None
    if offset != int(offset):
        return None
    out = [key, entry["answer"], entry["outcome"], int(offset)]
    if entry["by"] != by:
        out.append(entry["by"])
    return out


def unpack(record: dict[str, Any]) -> dict[str, Any]:
    """The record as it was stored before :func:`pack` (in place: the record is freshly decoded)."""
    answers = record.get("answers")
    if not (isinstance(answers, dict) and len(answers) == 1 and isinstance(answers.get(MARK), list)):
        return record
    start = _start(record)
    by = _default_by(record)
    times: dict[int, str] = {}
    out: dict[str, Any] = {}
    for packed in answers[MARK]:  # _unpack_entry, inlined: this loop runs for every answer read
        if len(packed) == 2:
            out[packed[0]] = packed[1]
            continue
        at = times.get(packed[3])
        if at is None:
            at = _unpack_entry(packed, start, by, times)[1]["at"]
        out[packed[0]] = {"answer": packed[1], "outcome": packed[2], "by": packed[4] if len(packed) > 4 else by,
                          "at": at}
    record["answers"] = out
    return record


def _unpack_entry(packed: list[Any], start: Optional[dt.datetime], by: Optional[str],
                  times: dict[int, str]) -> tuple[str, Any]:
    if len(packed) == 2:
        return packed[0], packed[1]
    key, answer, outcome, offset = packed[:4]
    at = times.get(offset)
    if at is None:
        assert start is not None
        at = times[offset] = (start + dt.timedelta(seconds=offset)).isoformat()
    return key, {"answer": answer, "outcome": outcome, "by": packed[4] if len(packed) > 4 else by, "at": at}
