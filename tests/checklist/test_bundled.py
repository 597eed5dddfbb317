"""The four bundled checklists: valid, and faithful to their major-hazard determination standards."""
from __future__ import annotations

import re

import pytest

from inspect_cli.checklist.loader import problems_of
from inspect_cli.checklist.registry import Registry

from .helpers import BUNDLED_IDS, REPO

CN = {"一": 1, "二": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9, "十": 10}


def cn_number(text: str) -> int:
    """一 … 九十九 as an int (二十 = 20, 十三 = 13)."""
    if "十" not in text:
        return CN[text]
    tens, _, ones = text.partition("十")
    return (CN[tens] if tens else 1) * 10 + (CN[ones] if ones else 0)


@pytest.fixture(scope="module")
def bundled():
    reg = Registry.discover()
    return {c.id: c for c in reg.all() if c.origin == "bundled"}


# Older versions kept for inspections dated before their law was repealed: file stem → id.
OLD_VERSIONS = {"forest-fire-541": "forest-fire", "dust-explosion-v1": "dust-explosion", "limited-space-v1": "limited-space",
                "hazardous-chemicals-v1": "hazardous-chemicals"}


def test_bundled_files_are_the_four_checklists_and_the_kept_old_versions():
    assert sorted(p.stem for p in (REPO / "checklists").glob("*.yaml")) == sorted([*BUNDLED_IDS, *OLD_VERSIONS])


@pytest.mark.parametrize("stem", [*BUNDLED_IDS, *OLD_VERSIONS])
def test_bundled_checklist_validates(stem):
    path = REPO / "checklists" / f"{stem}.yaml"
    problems, checklist = problems_of(path, Registry.discover().resolver())
    assert problems == []
    assert checklist.id == OLD_VERSIONS.get(stem, stem) and checklist.version >= 1 and checklist.items()


def test_registry_knows_the_four_bundled_checklists(bundled):
    assert sorted(bundled) == sorted(BUNDLED_IDS)
    assert {c.domain for c in bundled.values()} == {"hazardous_chemicals", "dust_explosion", "limited_space", "forest_fire"}


def _major_source(c, number_part: str):
    keys = [s.key for s in c.sources.values() if number_part in s.number]
    assert len(keys) == 1, f"{c.ref}: expected one source numbered …{number_part}…, found {keys}"
    src = c.sources[keys[0]]
    assert src.is_determination_standard, f"{src.key} ({src.number}) must be of kind determination-standard"
    return src


def test_hazardous_chemicals_has_all_twenty_hc121_major_hazards(bundled):
    c = bundled["hazardous-chemicals"]
    src = _major_source(c, "121号")
    items = [i for i in c.items() if i.basis[0].source.key == src.key]
    assert len(items) >= 20
    assert all(i.severity == "major" for i in items), [i.id for i in items if i.severity != "major"]
    numbers = set()
    for i in items:
        m = re.match(r"第([一二三四五六七八九十]+)", i.basis[0].clause)
        assert m, f"{i.id}: clause {i.basis[0].clause!r} does not name which of the 20 hazards"
        numbers.add(cn_number(m[1]))
    assert numbers == set(range(1, 21))


def test_dust_explosion_covers_gm10_article_11_items_one_to_ten_as_major(bundled):
    c = bundled["dust-explosion"]
    src = _major_source(c, "第10号")
    covered = set()
    for i in c.items():
        first = i.basis[0]
        m = re.fullmatch(r"第十一条（([一二三四五六七八九十]+)）", first.clause)
        if first.source.key == src.key and m:
            assert i.severity == "major", i.id
            covered.add(cn_number(m[1]))
    assert covered == set(range(1, 11))


def test_limited_space_major_items_cite_gm10_article_13_or_3(bundled):
    c = bundled["limited-space"]
    src = _major_source(c, "第10号")
    major = [i for i in c.items() if i.severity == "major"]
    assert major
    for i in major:
        assert i.basis[0].source.key == src.key, i.id
        assert i.basis[0].clause.startswith(("第十三条", "第三条")), (i.id, i.basis[0].clause)


@pytest.mark.parametrize("cid", ["dust-explosion", "limited-space"])
def test_every_gongmao_checklist_asks_article_3_once_per_visit(bundled, cid):
    items = {i.basis[0].clause: i for i in bundled[cid].items() if i.basis[0].clause.startswith("第三条")}
    assert sorted(items) == ["第三条（一）", "第三条（三）", "第三条（二）"]
    assert all(i.severity == "major" and i.once_per_visit for i in items.values())
    assert [i.id for i in items.values()] == ["GM10-3-1", "GM10-3-2", "GM10-3-3"]


def test_the_gas_detector_over_claim_is_gone(bundled):
    c = bundled["limited-space"]
    assert c.item("GM10-13-2b-D1") is None
    assert not any("D1" in (i.guidance.zh if i.guidance else "") for i in c.items())
    assert c.item("LS13-13b").severity == "general"


def test_forest_fire_has_no_major_items(bundled):
    c = bundled["forest-fire"]
    assert [i.id for i in c.items() if i.severity == "major"] == []
    assert not any(s.is_determination_standard for s in c.sources.values())


@pytest.mark.parametrize("cid", BUNDLED_IDS)
def test_every_item_cites_a_declared_source(bundled, cid):
    c = bundled[cid]
    for i in c.items():
        assert i.basis, i.id
        for b in i.basis:
            assert c.sources.get(b.source.key) is b.source or c.sources.get(b.source.key) == b.source, (i.id, b)
            assert b.clause.strip(), i.id


@pytest.mark.parametrize("cid", BUNDLED_IDS)
def test_major_iff_first_basis_is_a_major_hazard_determination_standard(bundled, cid):
    c = bundled[cid]
    wrong = [i.id for i in c.items() if (i.severity == "major") != i.basis[0].source.is_determination_standard]
    assert wrong == []


@pytest.mark.parametrize("cid", BUNDLED_IDS)
def test_item_ids_are_unique_and_every_item_has_chinese_text(bundled, cid):
    items = bundled[cid].items()
    ids = [i.id for i in items]
    assert len(ids) == len(set(ids))
    assert all(i.text.zh.strip() for i in items)
