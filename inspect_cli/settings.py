"""Organisation settings kept in the ledger (``inspect config``)."""
from __future__ import annotations

from typing import Any

from .errors import UsageError

DEFAULTS: dict[str, Any] = {
    "org.name": "",                     # 执法机关名称, printed on documents
    "org.code": "",                     # short code used in document numbers, e.g. 穗应急
    "org.device": "",                   # this laptop's own number series (A, B, 2…): 〔2026〕A-7号
    "org.officer": "",                  # 经办人 printed on documents when no inspector is named
    "remedy.reconsideration": "",       # 行政复议机关, e.g. 福州市人民政府 (blank: a line to fill in)
    "remedy.court": "",                 # 行政诉讼法院, e.g. 福州市鼓楼区人民法院
    "deadline.general": 7,              # default rectification days by severity
    "deadline.major": 30,
    "bulletin.major_closure_target": 0.8,
    "lang": "zh",
    "docno.record": "（{org}）应急检记〔{year}〕{seq}号",
    "docno.order": "（{org}）应急责改〔{year}〕{seq}号",
    "docno.review": "（{org}）应急复查〔{year}〕{seq}号",
    "docno.forest-notice": "（{org}）林草火患〔{year}〕{seq}号",
    "report.template_dir": "",
    "report.ledger_columns": "",        # YAML file: the ledger XLSX columns a bureau keeps
    "report.banner": "",                # line above the authority on the 执法文书, e.g. 安全生产行政执法文书
    # administrative cases (行政处罚案件): days each stage may last, see docs/cases.md
    "case.days.filed": 7, "case.days.investigating": 30, "case.days.notified": 10, "case.days.decided": 7,
    "case.days.served": 15, "case.days.executed": 10,
    "case.decision_days": 90,
    "case.reply_days": 5,
    "case.hearing_amount": 50000,
    "docno.filing": "（{org}）应急立〔{year}〕{seq}号",
    "docno.penalty": "（{org}）应急罚〔{year}〕{seq}号",
    # the bureau's year (docs/planning.md)
    "plan.frequencies": "A=4,B=2,C=1,D=0.5",
    "plan.counts": "enforcement,random,special,lookback,unannounced,complaint",
    "plan.random_share": 0.2,
    "plan.silent_months": 6,
    "plan.silent_extra": 1,
    "lookback.share": 0.1,
    "lookback.minimum": 50,
    "docno.block": 50,                  # numbers per kind a laptop takes from the bureau at `inspect sync`
}
# whole-number settings that are counts (0 allowed), not days
COUNTS = {"plan.silent_extra": (0, 12), "plan.silent_months": (1, 120), "lookback.minimum": (0, 100000),
          "docno.block": (1, 100000)}
DESCRIPTIONS = {
    "org.name": "name of the enforcing authority (执法机关), printed on documents",
    "org.code": "short code of the authority in document numbers ({org})",
    "org.device": "this laptop's own document-number series (1–4 letters or digits; numbers print as A-7)",
    "org.officer": "经办人 printed on documents when no inspector is named (never the computer's login)",
    "remedy.reconsideration": "body for 行政复议 named in orders (the people's government of that level)",
    "remedy.court": "court for 行政诉讼 named in orders",
    "deadline.general": "default rectification days for general hazards",
    "deadline.major": "default rectification days for major hazards",
    "bulletin.major_closure_target": "target closure rate of major hazards in the monthly bulletin (0–1)",
    "lang": "default language of reports (zh or en)",
    "docno.record": "document-number pattern of 现场检查记录 ({org}, {year}, {seq})",
    "docno.order": "document-number pattern of 责令限期整改指令书",
    "docno.review": "document-number pattern of 整改复查意见书",
    "docno.forest-notice": "document-number pattern of 森林草原火灾隐患整改通知书 (own sequence; no official pattern verified)",
    "report.template_dir": "folder whose templates override the bundled ones",
    "report.ledger_columns": "YAML file listing the columns of the ledger XLSX (see docs/reports.md)",
    "report.banner": "banner printed above the authority on record/order/review (e.g. 安全生产行政执法文书)",
    "case.days.filed": "days from 立案 to the start of 调查取证",
    "case.days.investigating": "days of 调查取证 before the 告知",
    "case.days.notified": "days from the 告知 to the 决定",
    "case.days.decided": "days from the 决定 to its 送达",
    "case.days.served": "days from the 送达 to the 执行 (罚款: 15 days to pay)",
    "case.days.executed": "days from the 执行 to 结案",
    "case.decision_days": "days from 立案 to the decision (行政处罚法: 90)",
    "case.reply_days": "days the party has after the 告知 to state its case or ask for a hearing",
    "case.hearing_amount": "fine in yuan from which the party may ask for a hearing (听证)",
    "docno.filing": "document-number pattern of 立案审批表",
    "docno.penalty": "document-number pattern of 行政处罚决定书",
    "plan.frequencies": "visits a year by risk class, e.g. A=4,B=2,C=1,D=0.5; dust: A=6 (per domain)",
    "plan.counts": "inspection kinds that count as a visit of the annual plan",
    "plan.random_share": "share (0–1) of the planned sites whose first visit is drawn 双随机",
    "plan.silent_months": "months of zero self-reports (自查自报) after which a site is 'silent'",
    "plan.silent_extra": "visits the annual plan adds to a silent site (0 to 12)",
    "lookback.share": "share (0–1) of the pool a 回头看 draw takes at least",
    "lookback.minimum": "how many a 回头看 draw takes at least (or the whole pool, if smaller)",
    "docno.block": "document numbers of each kind a laptop takes from the bureau's ledger at `inspect sync`",
}


def coerce(key: str, value: str) -> Any:
    """Check a ``config set`` value against the setting's type."""
    if key not in DEFAULTS:
        import difflib

        near = difflib.get_close_matches(key, list(DEFAULTS), n=1)
        hint = f"; did you mean {near[0]!r}?" if near else f"; known settings: {', '.join(DEFAULTS)}"
        raise UsageError(f"unknown setting {key!r}{hint}")
    default = DEFAULTS[key]
    try:
        if key in COUNTS:
            low, high = COUNTS[key]
            n = int(value)
            if not low <= n <= high:
                raise UsageError(f"{key} must be a whole number from {low} to {high}, not {value!r}")
            return n
        if key == "case.hearing_amount":
            amount = int(value)
            if amount < 0:
                raise ValueError
            return amount
        if isinstance(default, int):
            days = int(value)
            if not 1 <= days <= 3650:
                raise ValueError
            return days
        if isinstance(default, float):
            rate = float(value)
            if not 0 <= rate <= 1:
                raise ValueError
            return rate
    except ValueError:
        raise UsageError(f"{key} must be {'a whole number of yuan, 0 or more' if key == 'case.hearing_amount' else 'a whole number of days from 1 to 3650' if isinstance(default, int) else 'a number from 0 to 1'}, "
                         f"not {value!r}") from None
    if key == "lang" and value not in ("zh", "en"):
        raise UsageError("lang must be zh or en")
    if key == "plan.frequencies":
        from .plan.classes import parse_frequencies

        parse_frequencies(value)
    if key == "plan.counts":
        from .plan.classes import parse_counts

        parse_counts(value)
    if key == "org.device" and value and not __import__("re").fullmatch(r"[A-Za-z0-9]{1,4}", value):
        raise UsageError("org.device must be 1–4 letters or digits (e.g. A, B2), one per laptop, so numbers read A-7")
    if key.startswith("docno.") and "{seq}" not in value:
        raise UsageError(f"{key} must contain {{seq}} (and may use {{org}} and {{year}})")
    return value
