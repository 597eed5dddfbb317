"""Compact inspections in table files read back exactly as they were stored (storage/compact.py)."""
from __future__ import annotations

import copy
import json

from hypothesis import given, settings
from hypothesis import strategies as st

from inspect_cli.storage.compact import pack, unpack

NAMES = st.sampled_from(["张伟", "李娜", "王强"])
JSONS = st.recursive(st.none() | st.booleans() | st.integers(-10**6, 10**6) | st.text(max_size=8),
                     lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5), inner, max_size=3),
                     max_leaves=8)
TIMES = st.sampled_from(["2026-02-06T12:02:00+08:00", "2026-02-06T12:03:07+08:00", "2026-02-07T09:00:00+08:00",
                         "2026-02-06T12:02:00.500000+08:00", "2026-02-06T04:02:00+00:00", "not a time", "2026-02-06"])


@st.composite
def entries(draw):
    kind = draw(st.integers(0, 3))
    if kind == 0:  # what inspect-cli writes
        return {"answer": draw(JSONS), "outcome": draw(st.sampled_from(["pass", "fail", "na"])),
                "by": draw(st.sampled_from(["张伟, 李娜", "李娜", "root", None])), "at": draw(TIMES)}
    if kind == 1:  # with a note or other fields, any order
        keys = draw(st.permutations(["answer", "outcome", "by", "at", "note"]))
        return {k: draw(JSONS) if k != "at" else draw(TIMES) for k in keys}
    return draw(JSONS)  # anything at all


@st.composite
def inspections(draw):
    rec = {"id": "I-1", "inspectors": [{"name": n, "cert": "1"} for n in draw(st.lists(NAMES, max_size=3))],
           "started_at": draw(st.sampled_from(["2026-02-06T12:02:00+08:00", None, "garbage"]))}
    rec["answers"] = draw(st.dictionaries(st.text(min_size=1, max_size=12), entries(), max_size=12))
    if draw(st.booleans()):
        rec["status"] = "completed"  # a field after the answers keeps its place
    return rec


@settings(max_examples=300, deadline=None)
@given(inspections())
def test_pack_then_unpack_gives_back_the_same_record_key_order_included(rec):
    original = copy.deepcopy(rec)
    stored = json.dumps(pack(rec), ensure_ascii=False)
    assert rec == original  # packing never changes the record it was given
    back = unpack(json.loads(stored))
    assert back == original
    assert json.dumps(back, ensure_ascii=False) == json.dumps(original, ensure_ascii=False)


def test_plain_answers_shrink():
    rec = {"id": "I-1", "inspectors": [{"name": "张伟", "cert": "1"}, {"name": "李娜", "cert": "2"}],
           "started_at": "2026-02-06T12:02:00+08:00",
           "answers": {f"DP6-{n}": {"answer": "yes", "outcome": "pass", "by": "张伟, 李娜",
                                    "at": "2026-02-06T12:02:00+08:00"} for n in range(40)}}
    full, small = len(json.dumps(rec, ensure_ascii=False)), len(json.dumps(pack(rec), ensure_ascii=False))
    assert small < full / 3
