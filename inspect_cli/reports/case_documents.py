"""The case documents: 立案审批表 (``filing``) and 行政处罚决定书 (``penalty``).

They render in the reports' sandboxed environment (:mod:`inspect_cli.reports.env`) with
the reports' frozen numbers: a number is taken once the document rendered, and printing
the same case again prints the same number. The layouts are **reconstructed** (see
docs/reports.md, "Case documents"): the contents of the 行政处罚决定书 follow the list the
行政处罚法 prescribes; no official 式样 of either form was found.
"""
from __future__ import annotations

from typing import TYPE_CHECKING, Any, Optional

from ..errors import ReportError, UsageError
from ..case import machine
from . import labels as lb
from .context import fmt_date, people, site_block
from .docnumbers import claim

if TYPE_CHECKING:
    from ..ledger import Ledger

_LABELS: dict[str, tuple[str, str]] = {
    "title_filing": ("立案审批表", "Case filing approval form (立案审批表)"),
    "title_penalty": ("行政处罚决定书", "Administrative penalty decision (行政处罚决定书)"),
    "cause": ("案由", "Cause of the case"),
    "source": ("案件来源", "Source of the case"),
    "source_date": ("时间", "Date"),
    "party": ("当事人", "Party"),
    "legal_rep": ("法定代表人（负责人）", "Legal representative / person in charge"),
    "party_address": ("地址", "Address"),
    "phone": ("联系电话", "Telephone"),
    "code": ("统一社会信用代码", "Unified social credit code"),
    "summary": ("简要案情及立案理由", "Summary of the case and reason for filing"),
    "violated": ("涉嫌违反的规定", "Provisions allegedly violated"),
    "hazards": ("关联事故隐患", "Hazards the case comes from"),
    "handler_opinion": ("承办人意见", "Opinion of the officers in charge"),
    "handler_text": ("建议立案调查。", "We propose to open a case and investigate."),
    "handlers": ("承办人（签名）", "Officers in charge (signature)"),
    "review_opinion": ("审核意见", "Review opinion"),
    "approval_opinion": ("审批意见", "Approval"),
    "signer": ("签名", "Signature"),
    "date_blank": ("年　　月　　日", "date ________"),
    "cert": ("执法证号", "Certificate no."),
    "p_found": ("经查，", "On investigation: "),
    "p_evidence": ("以上事实有下列证据证明：", "These facts are proven by the following evidence:"),
    "p_violated": ("上述行为违反了{basis}的规定。", "This violates {basis}."),
    "p_notice": ("本机关于{date}向当事人告知了拟作出行政处罚的事实、理由、依据及当事人依法享有的陈述、申辩权{hearing}。{reply}",
                 "On {date} this authority notified the party of the facts, reasons and basis of the proposed penalty "
                 "and of its right to state its case{hearing}. {reply}"),
    "p_hearing_right": ("和要求听证的权利", " and to ask for a hearing"),
    "p_statement": ("当事人进行了陈述、申辩。", "The party stated its case."),
    "p_no_statement": ("当事人在规定期限内未提出陈述、申辩。", "The party made no statement within the time allowed."),
    "p_hearing_held": ("本机关依法举行了听证。", "A hearing was held."),
    "p_hearing_waived": ("当事人放弃听证。", "The party waived the hearing."),
    "p_decision": ("依据{basis}的规定，本机关决定对当事人作出如下行政处罚：", "Under {basis}, this authority imposes:"),
    "p_fine": ("罚款人民币{amount}元（大写：{upper}）。", "a fine of RMB {amount} ({upper})."),
    "p_payment": ("当事人应当自收到本决定书之日起十五日内，将罚款缴至________（指定银行及账号）。到期不缴纳罚款的，本机关可以每日按罚款数额的百分之三加处罚款。",
                  "The party shall pay the fine within 15 days of receiving this decision to ________ (bank and "
                  "account). For late payment, 3% of the fine may be added per day."),
    "p_remedy": ("当事人对本决定不服的，可以自收到本决定书之日起六十日内向________人民政府或者________申请行政复议，或者在六个月内依法向________人民法院提起行政诉讼。行政复议或者行政诉讼期间，本决定不停止执行，法律另有规定的除外。逾期不申请行政复议、不提起行政诉讼又不履行本决定的，本机关将依法申请人民法院强制执行。",
                 "If the party disagrees, it may apply for administrative reconsideration to ________ within 60 days "
                 "of receiving this decision, or sue before the ________ People's Court within 6 months. The decision is "
                 "executed meanwhile unless the law provides otherwise. If the party neither appeals nor complies, this "
                 "authority will apply to the court for enforcement."),
    "seal": ("（印章）", "(seal)"),
    "layout_note": ("本文书版式按《中华人民共和国行政处罚法》规定的决定书内容重构，未经官方式样核对。",
                    "Layout reconstructed from the contents the Administrative Penalty Law prescribes; not checked "
                    "against an official 式样."),
    "filing_note": ("本审批表版式为重构，未经官方式样核对。", "Layout reconstructed; not checked against the official 式样."),
    "src_hazards": ("检查发现", "found on inspection"),
    "src_inspection": ("检查发现", "found on inspection"),
    "src_reinspection": ("复查发现（逾期未整改）", "found on re-inspection (not rectified by the deadline)"),
    "cause_102": ("未采取措施消除事故隐患案", "failure to eliminate accident hazards"),
    "cause_general": ("涉嫌违反安全生产法律法规规章案", "suspected violation of work-safety laws and rules"),
    "types": ("处罚种类", "Kind of penalty"),
}
_DIGITS = "零壹贰叁肆伍陆柒捌玖"
_UNITS = ("", "拾", "佰", "仟")
_GROUPS = ("", "万", "亿")


def labels(lang: str) -> dict[str, str]:
    i = 1 if lang == "en" else 0
    return {**lb.labels(lang), **{k: v[i] for k, v in _LABELS.items()}}


def upper_yuan(amount: int) -> str:
    """An amount of whole yuan in financial capitals: 20000 → 贰万元整, 10500 → 壹万零伍佰元整."""
    if amount <= 0:
        return "零元整"
    groups: list[int] = []
    n = amount
    while n:
        groups.append(n % 10000)
        n //= 10000
    if len(groups) > len(_GROUPS):
        raise ValueError(f"amount {amount} is too large")
    out = ""
    zero = False
    for gi in range(len(groups) - 1, -1, -1):
        g = groups[gi]
        if g == 0:
            zero = bool(out)
            continue
        digits = [g // 1000 % 10, g // 100 % 10, g // 10 % 10, g % 10]
        if out and (zero or digits[0] == 0):
            out += "零"
        zero = False
        part = ""
        pending_zero = False
        for pos, d in enumerate(digits):
            if d == 0:
                pending_zero = bool(part)
                continue
            if pending_zero:
                part += "零"
                pending_zero = False
            part += _DIGITS[d] + _UNITS[3 - pos]
        out += part + _GROUPS[gi]
    return out + "元整"


def _base(ledger: Ledger, kind: str, lang: str, settings: dict[str, Any]) -> dict[str, Any]:
    L = labels(lang)
    return {"kind": kind, "lang": lang, "L": L, "title": L[f"title_{kind}"],
            "org": {"name": settings.get("org.name") or "", "code": settings.get("org.code") or ""},
            "number": "", "today": fmt_date(ledger.clock.today.isoformat(), lang),
            "today_iso": ledger.clock.today.isoformat()}


def _number(ledger: Ledger, kind: str, subject: str, date: str, settings: dict[str, Any], ctx: dict[str, Any]) -> str:
    """The number this document will carry; taken only after the render succeeded."""
    claim(ctx, kind, subject, date)
    return ledger.document_number(kind, subject, date, settings)


def _case(ledger: Ledger, subject: Optional[str]) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    if not subject:
        raise UsageError("this report needs a case id (C-…): see inspect case list")
    return ledger.case(subject)


def _common(ledger: Ledger, case: dict[str, Any], lang: str) -> dict[str, Any]:
    L = labels(lang)
    hazards, created = [], []
    for n, hid in enumerate(case.get("hazards") or [], start=1):
        h, _ = ledger.hazard(hid)
        created.append(str(h.get("created") or ""))
        hazards.append({"n": n, "id": h["id"], "description": h.get("description") or "",
                        "severity_label": lb.severity_name(h.get("severity"), lang),
                        "created": fmt_date(h.get("created"), lang), "deadline": fmt_date(h.get("deadline"), lang),
                        "status_label": lb.pick(lb.STATUS, h.get("status"), lang)})
    source = case.get("source") or {}
    kind = source.get("kind") or "hazards"
    if kind == "reinspection":
        src_date = max(str(r.get("date")) for r in source.get("reinspections") or [{"date": case["opened"]}])
    else:
        src_date = min(created) if created else case["opened"]
    cause = L["cause_102"] if kind == "reinspection" else L["cause_general"]
    return {
        "case": {"id": case["id"], "stage": case["stage"], "stage_label": machine.STAGE_ZH.get(case["stage"], ""),
                 "opened": fmt_date(case.get("opened"), lang), "facts": case.get("facts") or "",
                 "basis": list(case.get("basis") or []), "basis_text": "、".join(case.get("basis") or []),
                 "penalty_basis": case.get("penalty_basis") or "",
                 "cause": f"{case.get('site_name') or ''}{cause}" if lang == "zh" else cause,
                 "source": L[f"src_{kind}"], "source_date": fmt_date(src_date, lang), "region": case.get("region") or "",
                 "handlers": [{"name": h.get("name", ""), "cert": h.get("cert", "")} for h in case.get("handlers") or []],
                 "handlers_text": people(case.get("handlers") or [])},
        "site": site_block(ledger, case["site"], case.get("site_name") or ""),
        "hazards": hazards,
    }


def filing(ledger: Ledger, subject: Optional[str], lang: str, settings: dict[str, Any], **_: Any) -> dict[str, Any]:
    """立案审批表: the case as filed (its later stages are not printed here)."""
    case, _events = _case(ledger, subject)
    ctx = _base(ledger, "filing", lang, settings)
    ctx.update(_common(ledger, case, lang))
    ctx["number"] = _number(ledger, "filing", case["id"], case["opened"], settings, ctx)
    return ctx


def penalty(ledger: Ledger, subject: Optional[str], lang: str, settings: dict[str, Any], **_: Any) -> dict[str, Any]:
    """行政处罚决定书: needs a decision with a penalty (决定)."""
    case, _events = _case(ledger, subject)
    d = case.get("decision")
    if not d:
        raise ReportError(f"case {case['id']} has no decision yet (it is at {case['stage']}): "
                          "inspect case decide ID --penalty … first")
    if d.get("outcome") != "penalty":
        raise ReportError(f"case {case['id']} was decided 不予处罚 ({d.get('reason')}): there is no 行政处罚决定书 to print")
    L = labels(lang)
    ctx = _base(ledger, "penalty", lang, settings)
    ctx.update(_common(ledger, case, lang))
    notice = case.get("notice") or {}
    reply = L["p_statement"] if case.get("statements") else L["p_no_statement"]
    if case.get("hearing"):
        reply += L["p_hearing_held"] if case["hearing"].get("held") else L["p_hearing_waived"]
    amount = int(d.get("amount") or 0)
    basis = d.get("basis") or notice.get("basis") or case.get("penalty_basis") or ""
    evidence = [{"date": fmt_date(i.get("date"), lang), "note": i.get("note") or ""} for i in case.get("investigation") or []]
    ctx.update(
        decision={"date": fmt_date(d.get("date"), lang), "date_iso": d.get("date"),
                  "types": [machine.PENALTY_TYPES[t] for t in d.get("types") or []],
                  "other_types": [machine.PENALTY_TYPES[t] for t in d.get("types") or [] if t != "fine"],
                  "amount": amount, "amount_text": f"{amount:,}", "upper": upper_yuan(amount) if amount else "",
                  "basis": basis},
        evidence=evidence,
        p_violated=L["p_violated"].format(basis="、".join(case.get("basis") or [])),
        p_notice=L["p_notice"].format(date=fmt_date(notice.get("date"), lang),
                                      hearing=L["p_hearing_right"] if notice.get("hearing_right") else "", reply=reply),
        p_decision=L["p_decision"].format(basis=basis),
        p_fine=L["p_fine"].format(amount=f"{amount:,}", upper=upper_yuan(amount)) if amount else "",
    )
    ctx["number"] = _number(ledger, "penalty", case["id"], d["date"], settings, ctx)
    return ctx
