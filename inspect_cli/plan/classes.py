"""Risk classes (分级分类) and their yearly inspection frequencies, from the settings.

``plan.frequencies`` is ``CLASS=VISITS`` pairs separated by commas, e.g. ``A=4,B=2,C=1,D=0.5``:
a bureau may use its own labels (``重点=4,一般=1``). A fraction means some sites of the class
get one visit more, drawn from the plan's seed (``D=0.5``: half the D sites, once). Per domain,
``; DOMAIN: CLASS=VISITS,…`` overrides the classes it names for sites whose ``domain``
attribute lists that domain (``A=4,B=2,C=1,D=0.5; dust: A=6,B=3``); a site in several
domains gets the highest frequency.

``plan.counts`` lists the inspection kinds that count as a visit of the plan.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any, Mapping

from ..errors import UsageError
from ..inspection.kinds import KINDS

_LABEL = re.compile(r"^[^\s=,;:]{1,20}$")
MAX_VISITS = 52.0


@dataclass(frozen=True)
class Frequencies:
    """Visits a year by class, and per-domain overrides."""

    base: dict[str, float]
    by_domain: dict[str, dict[str, float]] = field(default_factory=dict)

    @property
    def classes(self) -> list[str]:
        """Every class label, in the order the setting names them."""
        out = list(self.base)
        for over in self.by_domain.values():
            out += [c for c in over if c not in out]
        return out

    def visits(self, risk_class: str, domains: list[str]) -> float:
        """Visits a year of a site of ``risk_class`` in ``domains`` (0 for an unknown class)."""
        found = [self.by_domain[d][risk_class] for d in domains if risk_class in self.by_domain.get(d, {})]
        if found:
            return max(found)
        return self.base.get(risk_class, 0.0)

    def as_dict(self) -> dict[str, Any]:
        return {"base": dict(self.base), "by_domain": {d: dict(v) for d, v in self.by_domain.items()}}


def _pairs(text: str, where: str) -> dict[str, float]:
    out: dict[str, float] = {}
    for part in text.split(","):
        part = part.strip()
        if not part:
            continue
        label, sep, number = part.partition("=")
        label = label.strip()
        if not sep or not _LABEL.match(label):
            raise UsageError(f"plan.frequencies: {part!r} {where} is not CLASS=VISITS, e.g. A=4")
        try:
            visits = float(number.strip())
        except ValueError:
            raise UsageError(f"plan.frequencies: the visits of class {label} {where} must be a number, "
                             f"not {number.strip()!r}") from None
        if not 0 <= visits <= MAX_VISITS or visits != visits:
            raise UsageError(f"plan.frequencies: class {label} {where} must have 0 to {MAX_VISITS:g} visits a year")
        if label in out:
            raise UsageError(f"plan.frequencies: class {label} is given twice {where}")
        out[label] = visits
    return out


def parse_frequencies(text: str) -> Frequencies:
    """The ``plan.frequencies`` setting; :class:`UsageError` saying what is wrong."""
    groups = [g.strip() for g in str(text or "").split(";")]
    base = _pairs(groups[0], "(all domains)") if groups and groups[0] else {}
    by_domain: dict[str, dict[str, float]] = {}
    for g in groups[1:]:
        if not g:
            continue
        domain, sep, rest = g.partition(":")
        domain = domain.strip()
        if not sep or not _LABEL.match(domain):
            raise UsageError(f"plan.frequencies: {g!r} is not DOMAIN: CLASS=VISITS,…, e.g. dust: A=6,B=3")
        if domain in by_domain:
            raise UsageError(f"plan.frequencies: domain {domain} is given twice")
        by_domain[domain] = _pairs(rest, f"(domain {domain})")
    if not base and not by_domain:
        raise UsageError("plan.frequencies names no class; e.g. A=4,B=2,C=1,D=0.5")
    return Frequencies(base, by_domain)


def parse_counts(text: str) -> tuple[str, ...]:
    """The ``plan.counts`` setting: the inspection kinds that count as a planned visit."""
    kinds = tuple(k.strip() for k in str(text or "").split(",") if k.strip())
    bad = [k for k in kinds if k not in KINDS]
    if bad:
        raise UsageError(f"plan.counts: unknown kind {bad[0]!r}; the kinds are: {', '.join(KINDS)}")
    if not kinds:
        raise UsageError(f"plan.counts names no kind; the kinds are: {', '.join(KINDS)}")
    return kinds


def site_domains(site: Mapping[str, Any]) -> list[str]:
    """A site's domains: its ``domain`` (or ``domains``) attribute, comma-separated."""
    attrs = site.get("attributes") or {}
    raw = attrs.get("domain") if attrs.get("domain") is not None else attrs.get("domains")
    if raw is None or isinstance(raw, bool):
        return []
    return sorted({d.strip() for d in str(raw).replace("，", ",").split(",") if d.strip()})


def site_class(site: Mapping[str, Any]) -> str:
    return str(site.get("risk_class") or "").strip()


def risk_classes(settings: Mapping[str, Any]) -> tuple[str, ...]:
    """The risk classes a site may carry: A–D, and the bureau's own labels in ``plan.frequencies``."""
    try:
        own = parse_frequencies(str(settings.get("plan.frequencies") or "")).classes
    except UsageError:
        own = []
    return tuple(dict.fromkeys(["A", "B", "C", "D", *own]))
