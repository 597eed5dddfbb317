"""Gates: targets on statistics that a script can act on, e.g. ``major_closure_rate>=0.8``.

A gate is ``METRIC OP NUMBER``: a metric name of :data:`inspect_cli.analysis.stats.METRICS`, one of
``>= <= > < == !=`` and a number (``80%`` means ``0.8``). Spaces are allowed around the
operator. It is parsed by a small regular expression, never evaluated as code.
"""
from __future__ import annotations

import difflib
import math
import operator
import re
from dataclasses import dataclass
from typing import Any, Callable, Iterable, Optional

from ..errors import UsageError

OPERATORS: dict[str, Callable[[float, float], bool]] = {
    ">=": operator.ge, "<=": operator.le, ">": operator.gt, "<": operator.lt, "==": operator.eq, "!=": operator.ne,
}
_GATE = re.compile(r"^\s*(?P<metric>[A-Za-z_][A-Za-z0-9_]*)\s*(?P<op>>=|<=|==|!=|>|<)\s*"
                   r"(?P<value>[-+]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][-+]?\d+)?)\s*(?P<pct>%?)\s*$")
_EPS = 1e-9


@dataclass(frozen=True)
class Gate:
    metric: str
    op: str
    value: float
    text: str

    def __str__(self) -> str:
        return f"{self.metric}{self.op}{self.value:g}"


def parse(expr: str, known: Iterable[str]) -> Gate:
    """One gate from its text; :class:`UsageError` saying what is wrong (unknown metric: did you mean)."""
    names = sorted(known)
    m = _GATE.match(expr or "")
    if not m:
        hint = ""
        if re.search(r"=>|=<|<>", expr or ""):
            hint = " (the operators are >= <= > < == !=)"
        elif re.search(r"[^<>=!]=[^=]", expr or "") and "==" not in (expr or ""):
            hint = " (use == for equality)"
        raise UsageError(f"gate {expr!r} is not METRIC OP NUMBER{hint}, e.g. major_closure_rate>=0.8 or "
                         "overdue_major_over_30_days==0")
    metric = m["metric"]
    if metric not in names:
        near = difflib.get_close_matches(metric, names, n=3, cutoff=0.5)
        hint = f"; did you mean {' or '.join(near)}?" if near else f"; the metrics are: {', '.join(names)}"
        raise UsageError(f"gate {expr!r}: unknown metric {metric!r}{hint}")
    value = float(m["value"])
    if m["pct"]:
        value /= 100
    return Gate(metric, m["op"], value, expr.strip())


def parse_all(exprs: Iterable[str], known: Iterable[str]) -> list[Gate]:
    names = list(known)
    return [parse(e, names) for e in exprs]


def check(gate: Gate, actual: Optional[float]) -> bool:
    """Whether ``actual`` meets the gate; equal within 1e-9 counts as equal (rates are rounded floats)."""
    if actual is None:
        return True
    a, b = float(actual), gate.value
    close = math.isclose(a, b, rel_tol=0, abs_tol=_EPS)
    if gate.op == "==":
        return close
    if gate.op == "!=":
        return not close
    if gate.op in (">=", "<="):
        return close or OPERATORS[gate.op](a, b)
    return not close and OPERATORS[gate.op](a, b)


def evaluate(gates: Iterable[Gate], metrics: dict[str, Any]) -> list[dict[str, Any]]:
    """One result per gate: ``{gate, metric, op, target, actual, passed, skipped}``.

    A metric that is undefined (a rate with nothing to divide, ``None``) cannot miss a
    target: the gate is ``skipped`` and counts as passed.
    """
    out = []
    for g in gates:
        actual = metrics.get(g.metric)
        out.append({"gate": g.text, "metric": g.metric, "op": g.op, "target": g.value, "actual": actual,
                    "passed": check(g, actual), "skipped": actual is None})
    return out


def failed(results: Iterable[dict[str, Any]]) -> list[dict[str, Any]]:
    return [r for r in results if not r["passed"]]
