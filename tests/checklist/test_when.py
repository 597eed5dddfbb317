"""The `when` language: safe on any text, total on any site, new-year-wrapping periods."""
from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from inspect_cli.checklist import when
from inspect_cli.checklist.when import Context, WhenSyntaxError, evaluate, in_period, parse, references

SETTINGS = settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])

TOKENS = ["site.a", "site.b", "param.p", "failed(\"X\")", "passed(\"X\")", "answer(\"X\")", "in_period",
          "(", ")", "[", "]", ",", "and", "or", "not", "in", "==", "!=", "<", "<=", ">", ">=", "+", "-", "*",
          "**", ".", "lambda", "__import__", "\"os\"", "1", "2.5", "true", "null", "x", "if", "else", ":",
          "=", ":=", "{", "}", "'", "\\", "\x00", "\n", "#", "@", "yield", "await", "f'{1}'", "b'x'", "...", "1j"]


@SETTINGS
@given(st.text(max_size=600))
def test_parse_raises_only_when_syntax_error_on_any_text(text):
    try:
        parse(text)
    except WhenSyntaxError:
        pass


@SETTINGS
@given(st.lists(st.sampled_from(TOKENS), max_size=40).map(" ".join))
def test_parse_raises_only_when_syntax_error_on_token_soup(text):
    try:
        refs = references(text)
    except WhenSyntaxError:
        return
    assert refs.site <= {"a", "b"} and refs.param <= {"p"} and refs.items <= {"X"}


@pytest.mark.parametrize("expr", [
    '__import__("os")', '__import__("os").system("true")', "open('/etc/passwd')", "site.__class__.x",
    "site.a.b", "().__class__.__bases__", "[x for x in site.a]", "lambda: 1", "site.a + 1", "site.a * 9**9**9",
    "site.a if site.b else 1", "{1: 2}", "{1}", 'f"{site.a}"', "b'x'", "1j", "x", "print", "failed(X)",
    'failed("A", "B")', "failed()", 'failed(id="A")', "in_period(1)", "in_period(1, 2, 3)",
    "site.a is None", "site.a = 1", "(site.a := 1)", "", "   ", "1 " * 300,
    "site.a\x00", "import os",
])
def test_dangerous_or_unsupported_expressions_are_refused(expr):
    with pytest.raises(WhenSyntaxError):
        parse(expr)


@pytest.mark.parametrize("expr,message", [
    ('__import__("os")', "unknown function: the functions are failed, passed, answer, in_period"),
    ("x", "unknown name 'x': use site.NAME, param.NAME, failed(\"ITEM\") …"),
    ("site.a.b", "only site.NAME and param.NAME may use a dot"),
    ("site.a + 1", "BinOp is not allowed in a when expression"),
    ("site.a is None", "operator Is is not allowed"),
    ("failed(X)", 'failed() takes one item id in quotes, e.g. failed("GM10-11-3")'),
    ("in_period(1)", "in_period() takes a start and an end, e.g. in_period(param.start, param.end)"),
    ("", "an expression must be non-empty text"),
    ("a" * 501, "expression longer than 500 characters"),
])
def test_refusal_messages(expr, message):
    with pytest.raises(WhenSyntaxError) as e:
        parse(expr)
    assert str(e.value) == message


# --- valid expressions over random sites -------------------------------------------------

NAMES = ["a", "b", "c"]
ATOMS = st.one_of(
    st.sampled_from([f"site.{n}" for n in NAMES] + ["site.industry", "param.p", "param.q"]),
    st.sampled_from(['failed("X")', 'passed("X")', 'answer("X")', 'answer("Y")', "in_period(param.p, param.q)",
                     'in_period("10-01", "04-30")', "true", "false", "null", "0", "-1", "2.5", '"yes"', '"是"',
                     '""', "[]", '[1, "a", null]', "[site.a, site.b]"]),
)
COMPARE = st.sampled_from(["==", "!=", "<", "<=", ">", ">=", "in", "not in"])


def _exprs():
    return st.recursive(
        ATOMS,
        lambda inner: st.one_of(
            st.tuples(inner, COMPARE, inner).map(lambda t: f"({t[0]} {t[1]} {t[2]})"),
            st.tuples(inner, st.sampled_from(["and", "or"]), inner).map(lambda t: f"({t[0]} {t[1]} {t[2]})"),
            inner.map(lambda e: f"(not {e})"),
            inner.map(lambda e: f"(-{e})"),
            st.lists(inner, max_size=3).map(lambda es: "[" + ", ".join(es) + "]"),
            st.tuples(inner, COMPARE, inner, COMPARE, inner).map(lambda t: "({} {} {} {} {})".format(*t)),
        ),
        max_leaves=12,
    )


VALUES = st.one_of(
    st.none(), st.booleans(), st.integers(), st.floats(allow_nan=True),
    st.sampled_from(["true", "false", "yes", "no", "是", "否", "1", "2.5", "1e3", "", "  ", "grade1", "10-01",
                     "nan", "inf", "1_000", "0x10", "- 3"]),
    st.text(max_size=8), st.lists(st.integers(), max_size=3),
)
SITES = st.dictionaries(st.sampled_from(NAMES + ["industry", "risk_class"]), VALUES, max_size=5)
PARAMS = st.dictionaries(st.sampled_from(["p", "q"]), st.one_of(VALUES, st.sampled_from(["01-01", "12-31"])),
                         max_size=2)
OUTCOMES = st.sampled_from([None, "pass", "fail", "na"])
MONTH_DAYS = st.dates(min_value=dt.date(2024, 1, 1), max_value=dt.date(2024, 12, 31)).map(lambda d: d.strftime("%m-%d"))


@SETTINGS
@given(_exprs(), SITES, PARAMS, OUTCOMES, VALUES, MONTH_DAYS)
def test_valid_expressions_evaluate_to_a_bool_on_any_site(expr, site, params, outcome, raw, month_day):
    assume(len(expr) <= when.MAX_LENGTH)
    refs = references(expr)  # a generated expression is always in the language
    assert refs.site <= {*NAMES, "industry"}
    ctx = Context(site=site, params=params, outcome=lambda _id: outcome, raw=lambda _id: raw, month_day=month_day)
    assert evaluate(expr, ctx) in (True, False)


@pytest.mark.parametrize("expr,site,expected", [
    ("site.a == null", {}, True),
    ("site.a == null", {"a": "x"}, False),
    ("site.a != 1", {}, False),          # an unset attribute compares false, even with !=
    ("site.a < 1", {}, False),
    ("site.a in [1, 2]", {}, False),
    ("site.a not in [1, 2]", {}, False),
    ("1 not in site.a", {}, False),
    ("not (site.a == false)", {}, True),  # the bundled checklists' "treated as true when unset"
    ("site.a", {"a": "true"}, True),     # attributes typed on the command line arrive as text
    ("site.a", {"a": "否"}, False),
    ("site.a > 10", {"a": "12"}, True),
    ("site.a == 2.5", {"a": "2.5"}, True),
    ("site.a < 10", {"a": "abc"}, False),  # text against a number: false, not an error
    ("site.a in site.b", {"a": 1, "b": 5}, False),
    ('site.industry in ["冶金", "机械"]', {"industry": "机械"}, True),
    ("1 < site.a < 3", {"a": 2}, True),
    ("1 < site.a < 3", {"a": 3}, False),
])
def test_evaluation_examples(expr, site, expected):
    assert evaluate(expr, Context(site=site)) is expected


def test_item_functions_read_earlier_outcomes():
    outcomes = {"A": "fail", "B": "pass", "C": "na"}
    ctx = Context(outcome=outcomes.get, raw={"A": "no", "N": 12}.get)
    assert evaluate('failed("A") and passed("B")', ctx)
    assert not evaluate('failed("C") or passed("C") or failed("Z")', ctx)
    assert evaluate('answer("N") >= 10 and answer("A") == "no"', ctx)


# --- in_period ------------------------------------------------------------------------------

@pytest.mark.parametrize("day,expected", [
    ("10-01", True), ("10-02", True), ("12-31", True), ("01-01", True), ("02-29", True), ("04-30", True),
    ("05-01", False), ("09-30", False), ("07-15", False),
])
def test_in_period_crossing_the_new_year(day, expected):
    assert in_period(day, "10-01", "04-30") is expected
    ctx = Context(params={"s": "10-01", "e": "04-30"}, month_day=day)
    assert evaluate("in_period(param.s, param.e)", ctx) is expected


@pytest.mark.parametrize("day,expected", [("01-01", True), ("03-15", True), ("05-31", True), ("06-01", False),
                                          ("12-31", False)])
def test_in_period_within_one_year(day, expected):
    assert in_period(day, "01-01", "05-31") is expected


def test_in_period_with_a_missing_end_is_never_true():
    assert not in_period("03-01", "", "05-31") and not in_period("03-01", "01-01", "")
    assert not evaluate("in_period(param.s, param.e)", Context(params={"s": "01-01"}, month_day="03-01"))


@SETTINGS
@given(MONTH_DAYS, MONTH_DAYS, MONTH_DAYS)
def test_in_period_is_the_set_of_days_from_start_to_end_going_forward(day, start, end):
    year = [(dt.date(2024, 1, 1) + dt.timedelta(days=n)).strftime("%m-%d") for n in range(366)]
    i, j = year.index(start), year.index(end)
    period = year[i:j + 1] if i <= j else year[i:] + year[:j + 1]
    assert in_period(day, start, end) is (day in period)
