"""`problems_of` never raises: any file gets a list of ``FILE:LINE: message`` lines."""
from __future__ import annotations

import copy
import re
import textwrap
from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from inspect_cli.checklist.loader import problems_of

from .helpers import GOOD, resolver

SETTINGS = settings(max_examples=200, deadline=None,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])

KEYS = ["id", "version", "title", "domain", "applies_to", "sources", "attributes", "parameters", "sections",
        "extends", "skip", "override", "items", "text", "basis", "source", "clause", "severity", "type", "when",
        "pass", "min", "max", "options", "value", "zh", "en", "key", "major_standard", "item", "reason",
        "rectify_days", "tags", "unit", "description", "in_force", "repeat"]
SCALARS = st.one_of(
    st.none(), st.booleans(), st.integers(min_value=-10**20, max_value=10**20), st.floats(allow_nan=True),
    st.text(max_size=12),
    st.sampled_from(["major", "general", "boolean", "number", "choice", "text", "GEN", "MAJ", "M-1", "G-2",
                     "test-minimal@1", "dust-explosion@1", "nosuch@1", "failed(\"M-1\")", "site.x", "site.grade",
                     "in_period(param.season_start, param.season_end)", "__import__('os')", "第一条", "2023-05-15",
                     "01-01", "main"]),
)
KEYS_ST = st.one_of(st.sampled_from(KEYS), st.text(max_size=6), st.integers(-3, 3), st.booleans(), st.none())
VALUES = st.recursive(
    SCALARS,
    lambda inner: st.one_of(st.lists(inner, max_size=4), st.dictionaries(KEYS_ST, inner, max_size=5)),
    max_leaves=30,
)


def dump(value) -> str:
    return yaml.safe_dump(value, allow_unicode=True, sort_keys=False)


def assert_problem_lines(path: Path, text: str, with_base: bool = True) -> list[str]:
    path.write_text(text, encoding="utf-8")
    problems, checklist = problems_of(path, resolver() if with_base else None)
    assert isinstance(problems, list)
    assert all(isinstance(p, str) for p in problems)
    line = re.compile(re.escape(str(path)) + r":[1-9][0-9]*: ")
    assert all(line.match(p) for p in problems), problems
    assert (checklist is None) == bool(problems)
    n_lines = len(text.splitlines()) + 1  # a superset of YAML's line breaks (\x85 and \u2028 are some)
    assert all(int(p[len(str(path)) + 1:].split(":", 1)[0]) <= n_lines + 1 for p in problems), problems
    return problems


@pytest.fixture(scope="module")
def fuzz_dir(tmp_path_factory):
    return tmp_path_factory.mktemp("fuzz")


@SETTINGS
@given(VALUES)
def test_random_yaml_structures_never_crash_the_validator(fuzz_dir, value):
    problems = assert_problem_lines(fuzz_dir / "random.yaml", dump(value))
    assert problems  # nothing random is a valid checklist


@SETTINGS
@given(st.dictionaries(st.sampled_from(KEYS), VALUES, min_size=1, max_size=8))
def test_random_checklist_shaped_mappings_never_crash_the_validator(fuzz_dir, value):
    assert_problem_lines(fuzz_dir / "shaped.yaml", dump(value))


@SETTINGS
@given(st.text(alphabet=st.sampled_from(list("ab:-[]{}&*!|>'\"#%@`,?\n\t ") + ["\u4e2d", "1", "\x85", "\ufeff"]),
               max_size=200))
def test_random_yaml_ish_text_never_crashes_the_validator(fuzz_dir, text):
    assert_problem_lines(fuzz_dir / "text.yaml", text)


# --- mutations of the valid test checklists -------------------------------------------------

def _load(name: str):
    return yaml.safe_load((GOOD / name).read_text(encoding="utf-8"))


MINIMAL = _load("minimal.yaml")
OVERLAY = _load("overlay.yaml")


def _paths(value, prefix=()):
    """Every path (keys and indices) inside a nested value."""
    out = [prefix]
    if isinstance(value, dict):
        for k, v in value.items():
            out += _paths(v, prefix + (k,))
    elif isinstance(value, list):
        for i, v in enumerate(value):
            out += _paths(v, prefix + (i,))
    return out


def _mutate(data, path, action, replacement):
    data = copy.deepcopy(data)
    if not path:
        return replacement if action == "replace" else data
    parent = data
    for p in path[:-1]:
        parent = parent[p]
    last = path[-1]
    if action == "drop":
        del parent[last]
    elif action == "replace":
        parent[last] = replacement
    elif action == "duplicate" and isinstance(parent, list):
        parent.append(copy.deepcopy(parent[last]))
    elif action == "wrap":
        parent[last] = [parent[last]]
    return data


def mutations(base):
    paths = _paths(base)
    return st.tuples(st.sampled_from(paths), st.sampled_from(["drop", "replace", "duplicate", "wrap"]), VALUES).map(
        lambda t: _mutate(base, *t))


@SETTINGS
@given(mutations(MINIMAL))
def test_mutated_valid_checklist_never_crashes_the_validator(fuzz_dir, data):
    assert_problem_lines(fuzz_dir / "mutant.yaml", dump(data))


@SETTINGS
@given(mutations(OVERLAY))
def test_mutated_valid_overlay_never_crashes_the_validator(fuzz_dir, data):
    assert_problem_lines(fuzz_dir / "overlay-mutant.yaml", dump(data))
    assert_problem_lines(fuzz_dir / "overlay-mutant-nobase.yaml", dump(data), with_base=False)


@pytest.mark.parametrize("drop", ["id", "version", "title", "domain", "applies_to", "sources", "sections"])
def test_dropping_a_required_header_key_names_it(tmp_path, drop):
    data = copy.deepcopy(MINIMAL)
    del data[drop]
    problems = assert_problem_lines(tmp_path / "c.yaml", dump(data))
    assert f"{tmp_path / 'c.yaml'}:1: missing required key {drop!r}" in problems


# --- crashes found by the fuzzer, kept as plain regression tests ---------------------------

HEADER = textwrap.dedent("""\
    id: bad
    version: 1
    title: 坏检查表
    domain: dust_explosion
    applies_to: {description: 测试企业}
    sources:
      - {key: GEN, title: 测试安全规定}
    """)


def test_basis_source_that_is_a_list_is_a_problem_not_a_crash(tmp_path):
    # BUG rules.py _severity: `basis[0].get("source") not in sources` raises TypeError (unhashable list)
    text = HEADER + textwrap.dedent("""\
        sections:
          - id: main
            title: 主要
            items:
              - id: A-1
                text: 已建立制度
                basis: {source: [GEN], clause: 第一条}
                severity: general
                type: boolean
        """)
    problems = assert_problem_lines(tmp_path / "c.yaml", text)
    assert problems == [f"{tmp_path / 'c.yaml'}:14: sections[0].items[0].basis: each basis must be a mapping "
                        "{source: KEY, clause: 第X条（Y）} with both keys"]


def test_overlay_range_with_text_bound_is_a_problem_not_a_crash(tmp_path):
    # BUG rules.py _tightens: compares 'low' < 19.5 (TypeError) when an override's pass.min is not a number
    text = textwrap.dedent("""\
        id: ov
        version: 1
        extends: test-minimal@1
        title: 叠加
        domain: dust_explosion
        applies_to: {description: 测试企业}
        override:
          - item: G-2
            pass: {min: low}
        """)
    problems = assert_problem_lines(tmp_path / "c.yaml", text)
    assert problems == [f"{tmp_path / 'c.yaml'}:9: override[0].pass.min: must be a number or a reference site.NAME / param.NAME, not 'low'"]


@pytest.mark.parametrize("ref", ["", "dust-explosion", "@1", "x@y"])
def test_an_extends_that_is_not_id_at_version_is_a_problem_not_a_crash(fuzz_dir, ref):
    problems = assert_problem_lines(fuzz_dir / "bad-extends.yaml", f"extends: {ref!r}\n")
    assert any("extends" in p for p in problems)
