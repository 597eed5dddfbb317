"""Kinds of inspection (检查类别) and their names, Chinese (authoritative) and English.

This is the one home of the kinds: the CLI's ``--kind`` choices, the reports, the ledger,
the statistics and the annual plan read them from here.

- ``enforcement`` 执法检查: a routine enforcement visit (two certified inspectors).
- ``random`` 双随机: a visit drawn by ``inspect sample`` (双随机、一公开).
- ``special`` 专项: a visit of a campaign (专项整治, ``inspect run --campaign``).
- ``lookback`` 回头看: a re-check of a site or hazard drawn by ``inspect sample lookback``.
- ``unannounced`` 暗访暗查: no prior notice is given, and none is recorded.
- ``self`` 自查: the enterprise's own inspection (one person, no certificate); it produces
  hazards the enterprise rectifies itself and only the enterprise's 隐患排查治理记录, never 执法文书.
- ``complaint`` 举报核查: a visit to check a complaint or report (举报).
"""
from __future__ import annotations

# kind → (Chinese, English)
KIND_NAMES: dict[str, tuple[str, str]] = {
    "enforcement": ("执法检查", "enforcement"), "random": ("双随机", "random (double-random)"),
    "special": ("专项", "special campaign"), "lookback": ("回头看", "look-back"),
    "unannounced": ("暗访暗查", "unannounced"), "self": ("自查", "self-inspection"),
    "complaint": ("举报核查", "complaint check"),
}
KINDS: tuple[str, ...] = tuple(KIND_NAMES)
# the kinds made by the bureau (with enforcement documents); ``self`` is the enterprise's own
ENFORCEMENT_KINDS: tuple[str, ...] = tuple(k for k in KINDS if k != "self")
# kinds whose visit is made without prior notice to the site (暗访暗查): no notice is recorded
WITHOUT_NOTICE: frozenset[str] = frozenset({"unannounced"})


def kind_name(kind: str, lang: str = "zh") -> str:
    """The printed name of a kind; an unknown one (an older ledger) is shown as it is."""
    names = KIND_NAMES.get(kind)
    if names is None:
        return kind or "—"
    return names[1] if lang == "en" else names[0]


def prior_notice(kind: str) -> bool:
    """Whether the site is told of the visit beforehand (False for 暗访暗查)."""
    return kind not in WITHOUT_NOTICE
