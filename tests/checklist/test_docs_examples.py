"""Every YAML example in docs/checklist-format.md (and the answers example of docs/ledger.md) is valid.

Whole files (with an ``id``) are validated as they are; fragments are put into a small
checklist: header keys replace its own, item lists become a section, item keys complete an item.
"""
from __future__ import annotations

import copy
import re
import textwrap

import pytest
import yaml

from inspect_cli.checklist.loader import problems_of
from inspect_cli.checklist.registry import Registry

from .helpers import REPO

FORMAT = REPO / "docs" / "checklist-format.md"
BLOCK = re.compile(r"```yaml\n(.*?)```", re.S)

SKELETON = yaml.safe_load("""
id: doc-example
version: 1
title: 文档示例
domain: doc_example
applies_to: {description: 示例}
sources:
  - {key: GM10, title: 工贸企业重大事故隐患判定标准, kind: determination-standard, in_force: 2023-05-15}
  - {key: DP6, title: 工贸企业粉尘防爆安全规定, kind: rule, in_force: 2021-09-01}
  - {key: LS13, title: 工贸企业有限空间作业安全规定, kind: rule, in_force: 2024-01-01}
attributes:
  wet_process: {type: boolean, text: 湿式}
  dust_collectors: {type: boolean, text: 有除尘系统}
  toxic_gas_risk: {type: boolean, text: 中毒风险}
  contracted_work: {type: boolean, text: 发包}
  approved_headcount: {type: number, text: 核定人数}
sections:
  - id: base
    title: 前置项
    items:
      - {id: GM10-3-1, text: 统一协调管理承包单位, basis: {source: GM10, clause: 第三条（一）}, severity: major, type: boolean}
      - {id: LS13-6, text: 已辨识有限空间, basis: {source: LS13, clause: 第六条}, severity: general, type: boolean}
      - {id: LS13-11, text: 已设置警示标志, basis: {source: LS13, clause: 第十一条}, severity: general, type: boolean}
""")
ITEM = {"id": "DOC-1", "text": "示例检查项", "basis": {"source": "DP6", "clause": "第九条"}, "severity": "general",
        "type": "boolean"}


def examples() -> list[str]:
    return [textwrap.dedent(b) for b in BLOCK.findall(FORMAT.read_text(encoding="utf-8"))]


def as_checklist(value) -> dict:
    """A whole checklist for an example (or the example itself when it is one)."""
    if isinstance(value, dict) and "id" in value and ("sections" in value or "extends" in value):
        return value
    doc = copy.deepcopy(SKELETON)
    if isinstance(value, list):  # a list of items
        doc["sections"].append({"id": "doc", "title": "示例", "items": value})
    elif isinstance(value, dict) and set(value) & {"sources", "attributes", "parameters", "sections"}:
        for key, v in value.items():
            if key == "sources":  # the example's own sources replace the skeleton's of the same key
                doc["sources"] = [s for s in doc["sources"] if s["key"] not in {x["key"] for x in v}] + v
            elif key == "sections":
                doc["sections"] += v
            else:
                doc.setdefault(key, {}).update(v)
    else:  # keys of one item (an answer type, a basis)
        item = dict(ITEM, **value)
        doc["sections"].append({"id": "doc", "title": "示例", "items": [{k: v for k, v in item.items() if v is not None}]})
    return doc


def test_the_format_doc_has_examples():
    assert len(examples()) >= 10


@pytest.mark.parametrize("n", range(len(examples())))
def test_every_yaml_example_in_the_format_doc_is_valid(tmp_path, n):
    value = yaml.safe_load(examples()[n])
    path = tmp_path / "example.yaml"
    path.write_text(yaml.safe_dump(as_checklist(value), allow_unicode=True), encoding="utf-8")
    problems, checklist = problems_of(path, Registry.discover().resolver())
    assert problems == [], examples()[n]
    assert checklist is not None


def test_the_answers_example_names_real_items_of_its_checklist():
    text = (REPO / "docs" / "ledger.md").read_text(encoding="utf-8")
    block = text[text.index("## Answers files"):]
    doc = yaml.safe_load(BLOCK.search(block).group(1))
    c = Registry.discover().get("dust-explosion")
    repeated = {s.id for s in c.sections if s.repeat}
    assert set(doc["units"]) <= repeated
    for key in doc["answers"]:
        item_id = key.split("[")[0]
        assert c.item(item_id) is not None, key
