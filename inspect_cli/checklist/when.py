"""The `when` expression language: parsed with :mod:`ast`, walked by hand, never ``eval``.

Grammar: literals, lists, ``site.NAME``, ``param.NAME``, ``failed("ID")``,
``passed("ID")``, ``answer("ID")``, ``in_period(start, end)``, ``and or not``,
comparisons (``== != < <= > >= in`` and ``not in``), parentheses.
"""
from __future__ import annotations

import ast
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any, Callable, Optional

ITEM_FUNCTIONS = ("failed", "passed", "answer")
FUNCTIONS = ITEM_FUNCTIONS + ("in_period",)
NAMESPACES = ("site", "param")
_CONSTANTS = {"true": True, "false": False, "null": None, "True": True, "False": False, "None": None}
MAX_LENGTH = 500


class WhenSyntaxError(ValueError):
    """The expression is not in the `when` language."""


@dataclass
class References:
    """What an expression names, for validation."""

    site: set[str] = field(default_factory=set)
    param: set[str] = field(default_factory=set)
    items: set[str] = field(default_factory=set)


@lru_cache(maxsize=4096)
def parse(expr: str) -> ast.expr:
    """Parse and check an expression; raises :class:`WhenSyntaxError` with a readable reason."""
    if not isinstance(expr, str) or not expr.strip():
        raise WhenSyntaxError("an expression must be non-empty text")
    if len(expr) > MAX_LENGTH:
        raise WhenSyntaxError(f"expression longer than {MAX_LENGTH} characters")
    try:
        tree = ast.parse(expr.strip(), mode="eval").body
    except SyntaxError as e:
        raise WhenSyntaxError(f"not a valid expression ({e.msg})") from e
    _check(tree)
    return tree


def _check(node: ast.AST) -> None:
    if isinstance(node, ast.BoolOp):
        for v in node.values:
            _check(v)
    elif isinstance(node, ast.UnaryOp) and isinstance(node.op, (ast.Not, ast.USub)):
        _check(node.operand)
    elif isinstance(node, ast.Compare):
        for op in node.ops:
            if not isinstance(op, (ast.Eq, ast.NotEq, ast.Lt, ast.LtE, ast.Gt, ast.GtE, ast.In, ast.NotIn)):
                raise WhenSyntaxError(f"operator {type(op).__name__} is not allowed")
        for v in [node.left, *node.comparators]:
            _check(v)
    elif isinstance(node, ast.Constant):
        if not isinstance(node.value, (str, int, float, bool, type(None))):
            raise WhenSyntaxError("only text, numbers, true/false and null are allowed as literals")
    elif isinstance(node, (ast.List, ast.Tuple)):
        for v in node.elts:
            _check(v)
    elif isinstance(node, ast.Name):
        if node.id not in _CONSTANTS:
            raise WhenSyntaxError(f"unknown name {node.id!r}: use site.NAME, param.NAME, failed(\"ITEM\") …")
    elif isinstance(node, ast.Attribute):
        if not (isinstance(node.value, ast.Name) and node.value.id in NAMESPACES):
            raise WhenSyntaxError("only site.NAME and param.NAME may use a dot")
    elif isinstance(node, ast.Call):
        _check_call(node)
    else:
        raise WhenSyntaxError(f"{type(node).__name__} is not allowed in a when expression")


def _check_call(node: ast.Call) -> None:
    name = node.func.id if isinstance(node.func, ast.Name) else None
    if name not in FUNCTIONS or node.keywords:
        raise WhenSyntaxError(f"unknown function: the functions are {', '.join(FUNCTIONS)}")
    if name in ITEM_FUNCTIONS:
        if len(node.args) != 1 or not (isinstance(node.args[0], ast.Constant) and isinstance(node.args[0].value, str)):
            raise WhenSyntaxError(f'{name}() takes one item id in quotes, e.g. {name}("GM10-11-3")')
    else:
        if len(node.args) != 2:
            raise WhenSyntaxError("in_period() takes a start and an end, e.g. in_period(param.start, param.end)")
        for a in node.args:
            _check(a)


def references(expr: str) -> References:
    """Names, parameters and items an expression refers to."""
    refs = References()
    for node in ast.walk(parse(expr)):
        if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name):
            getattr(refs, node.value.id).add(node.attr)
        elif isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in ITEM_FUNCTIONS:
            refs.items.add(node.args[0].value)  # type: ignore[attr-defined]
    return refs


@dataclass
class Context:
    """What an expression is evaluated against at one inspection."""

    site: dict[str, Any] = field(default_factory=dict)
    params: dict[str, Any] = field(default_factory=dict)
    outcome: Callable[[str], Optional[str]] = lambda item_id: None  # "pass" | "fail" | "na" | None
    raw: Callable[[str], Any] = lambda item_id: None
    month_day: str = "01-01"


def evaluate(expr: str, ctx: Context) -> bool:
    """Evaluate an expression to a truth value."""
    return bool(_eval(parse(expr), ctx))


def _eval(node: ast.AST, ctx: Context) -> Any:
    if isinstance(node, ast.BoolOp):
        if isinstance(node.op, ast.And):
            return all(_eval(v, ctx) for v in node.values)
        return any(_eval(v, ctx) for v in node.values)
    if isinstance(node, ast.UnaryOp):
        v = _eval(node.operand, ctx)
        return (not v) if isinstance(node.op, ast.Not) else (-v if isinstance(v, (int, float)) else None)
    if isinstance(node, ast.Compare):
        return _compare(node, ctx)
    if isinstance(node, ast.Constant):
        return node.value
    if isinstance(node, (ast.List, ast.Tuple)):
        return [_eval(v, ctx) for v in node.elts]
    if isinstance(node, ast.Name):
        return _CONSTANTS[node.id]
    if isinstance(node, ast.Attribute):
        space = ctx.site if node.value.id == "site" else ctx.params  # type: ignore[attr-defined]
        return _coerce(space.get(node.attr))
    if isinstance(node, ast.Call):
        return _call(node, ctx)
    raise WhenSyntaxError(type(node).__name__)


def _coerce(value: Any) -> Any:
    """Site attributes typed on the command line arrive as text: read true/false/numbers."""
    if isinstance(value, str):
        low = value.strip().lower()
        if low in ("true", "yes", "是"):
            return True
        if low in ("false", "no", "否"):
            return False
        try:
            return float(low) if "." in low else int(low)
        except ValueError:
            return value
    return value


def _compare(node: ast.Compare, ctx: Context) -> bool:
    left = _eval(node.left, ctx)
    for op, right_node in zip(node.ops, node.comparators):
        right = _eval(right_node, ctx)
        try:
            if isinstance(op, (ast.In, ast.NotIn)):
                # like every comparison, `in` and `not in` with an unset side are false
                ok = left is not None and right is not None and ((left in right) == isinstance(op, ast.In))
            elif left is None or right is None:
                # An unset attribute compares false, so an item never applies by accident;
                # only `== null` asks whether it is unset.
                ok = isinstance(op, ast.Eq) and left is right
            else:
                ok = _OPS[type(op)](left, right)
        except TypeError:
            ok = False
        if not ok:
            return False
        left = right
    return True


_OPS: dict[type, Callable[[Any, Any], bool]] = {
    ast.Eq: lambda a, b: a == b, ast.NotEq: lambda a, b: a != b, ast.Lt: lambda a, b: a < b,
    ast.LtE: lambda a, b: a <= b, ast.Gt: lambda a, b: a > b, ast.GtE: lambda a, b: a >= b,
}


def _call(node: ast.Call, ctx: Context) -> Any:
    name = node.func.id  # type: ignore[attr-defined]
    if name == "in_period":
        start, end = (str(_eval(a, ctx) or "") for a in node.args)
        return in_period(ctx.month_day, start, end)
    item_id = node.args[0].value  # type: ignore[attr-defined]
    if name == "answer":
        return ctx.raw(item_id)
    return ctx.outcome(item_id) == ("fail" if name == "failed" else "pass")


def in_period(month_day: str, start: str, end: str) -> bool:
    """Whether MM-DD lies in [start, end]; a period may cross the new year."""
    if not start or not end:
        return False
    if start <= end:
        return start <= month_day <= end
    return month_day >= start or month_day <= end
