"""Printed labels of the reports. Chinese is authoritative; ``--lang en`` prints English
labels and keeps every Chinese content (findings, legal citations, names) as recorded."""
from __future__ import annotations

from typing import Any

from ..hazard import vocab
from ..inspection.kinds import KIND_NAMES

_LABELS: dict[str, tuple[str, str]] = {
    # document titles
    "title_record": ("现场检查记录", "On-site inspection record (现场检查记录)"),
    "title_order": ("责令限期整改指令书", "Rectification order (责令限期整改指令书)"),
    "title_review": ("整改复查意见书", "Re-inspection opinion (整改复查意见书)"),
    "title_closure": ("隐患整改销号报告", "Hazard closure report (隐患整改销号报告)"),
    "title_ledger": ("隐患台账", "Hazard ledger (隐患台账)"),
    "title_bulletin": ("隐患排查治理月度通报", "Monthly hazard bulletin (月度通报)"),
    # parties
    "authority": ("执法机关", "Enforcing authority"),
    "number": ("文书编号", "Document number"),
    "site": ("被检查单位", "Inspected unit"),
    "site_reviewed": ("被复查单位", "Re-inspected unit"),
    "code": ("统一社会信用代码", "Unified social credit code"),
    "address": ("地址", "Address"),
    "contact": ("法定代表人（负责人）", "Legal representative / person in charge"),
    "position": ("职务", "Position"),
    "phone": ("联系电话", "Telephone"),
    "place": ("检查场所", "Place inspected"),
    "time": ("检查时间", "Time of inspection"),
    "time_to": ("至", "to"),
    "kind": ("检查类别", "Kind of inspection"),
    "checklist": ("检查表", "Checklist"),
    "inspectors": ("检查人员", "Inspectors"),
    "cert": ("执法证号", "Certificate no."),
    "identification": ("我们是{org}行政执法人员{names}，证件号码为{certs}，这是我们的证件（出示证件）。现依法对你单位进行现场检查，请予以配合。",
                       "We are enforcement officers {names} of {org}, certificate numbers {certs} (certificates shown). "
                       "We are inspecting your unit according to law; please cooperate. "
                       "[Printed form: 我们是{org}行政执法人员{names}，证件号码为{certs}，这是我们的证件（出示证件）。现依法对你单位进行现场检查，请予以配合。]"),
    "situation": ("检查情况", "Findings of the inspection"),
    "situation_colon": ("检查情况：", "Findings of the inspection:"),
    "time_value": ("{y}年{m}月{d}日{h}时{mi}分至{em}月{ed}日{eh}时{emi}分", "{y}-{m}-{d} {h}:{mi} to {em}-{ed} {eh}:{emi}"),
    "blank_short": ("＿＿", "__"),
    "annex_record": ("附页：检查情况附表", "Annex: details of the inspection (附页)"),
    "annex_order": ("附页：存在问题明细", "Annex: details of the problems (附页)"),
    "annex_review": ("附页：复查情况明细", "Annex: details of the re-inspection (附页)"),
    "annex_of": ("本附页为{number}的组成部分。", "This annex is part of {number}."),
    "see_annex": ("（详见附页）", "(details in the annex)"),
    "replaces": ("本文书更正并替代{number}，原文书同时作废。更正原因：{reason}",
                 "This document corrects and replaces {number}, which is void. Reason: {reason}"),
    "truncated": ("……（以下省略{n}字，全文见隐患台账{ref}）", "… ({n} more characters omitted; full text in the ledger, {ref})"),
    "checked": ("检查内容", "What was checked"),
    "checked_summary": ("依据《{title}》逐项检查，共检查 {total} 项：合格 {pass} 项，不合格 {fail} 项，不适用 {na} 项，记录 {recorded} 项。",
                        "Checked item by item against 《{title}》: {total} items, {pass} passed, {fail} failed, "
                        "{na} not applicable, {recorded} recorded."),
    "records": ("记录事项", "Recorded facts"),
    "no_findings": ("未发现问题。", "No problems found."),
    "found_intro": ("经查，你单位存在下列问题：", "On inspection, your unit has the following problems:"),
    # finding fields
    "item": ("检查项", "Checklist item"),
    "finding": ("存在问题", "Problem"),
    "location": ("部位", "Location"),
    "basis": ("依据", "Legal basis"),
    "measured": ("实测值", "Measured"),
    "range": ("合格范围", "Acceptable range"),
    "note": ("检查人员备注", "Inspector's note"),
    "item_note": ("条款说明", "Note on the item"),
    "evidence": ("证据", "Evidence"),
    "severity": ("隐患等级", "Severity"),
    "major": ("重大事故隐患", "major hazard (重大事故隐患)"),
    "general": ("一般事故隐患", "general hazard (一般事故隐患)"),
    "downgraded": ("判定标准列为重大，按一般登记，理由", "Listed as major in the standard, recorded as general because"),
    "deadline": ("整改期限", "Deadline"),
    "status": ("状态", "Status"),
    "on_spot": ("已当场整改", "fixed on the spot (当场整改)"),
    "interim": ("临时管控措施", "Interim control measures"),
    "no_interim": ("未记录", "none recorded"),
    "plan": ("治理方案", "Rectification plan (治理方案)"),
    "supervision": ("挂牌督办", "Listed supervision (挂牌督办)"),
    "extensions": ("延期", "Extensions (延期)"),
    "fix": ("企业报告整改完成", "Fix reported by the unit"),
    "reinspections": ("复查", "Re-inspections (复查)"),
    "closed": ("销号", "Closed (销号)"),
    "flag_no_plan": ("重大事故隐患销号时未见治理方案记录", "Major hazard closed without a 治理方案 on record"),
    "unverified": ("（依据未核实）", "(basis not verified)"),
    "image_missing": ("文件缺失", "file missing"),
    "image_large": ("图片过大，未嵌入", "image too large to embed"),
    "overdue_days": ("逾期{days}天", "{days} days overdue"),
    # order
    "order_deadline": ("现责令你单位对上述{parts}整改完毕，达到有关法律法规规章和标准规定的要求。由此造成事故的，依法追究有关人员的责任。",
                       "Your unit is ordered to rectify {parts}, to the requirements of laws, regulations, rules and standards. "
                       "Anyone responsible for an accident caused by them will be held liable according to law."),
    "order_part": ("第{items}项问题于{date}前", "problems {items} above by {date}"),
    "order_part_sep": ("、", "; "),
    "order_during": ("整改期间，你单位应当采取措施，确保安全生产。对安全生产违法行为，将依法予以行政处罚。",
                     "During rectification your unit must take measures to ensure safe production. Violations will be penalised according to law."),
    "order_on_spot": ("上述第{items}项问题已当场整改。", "Problems {items} above were fixed on the spot."),
    "order_major": ("第{items}项为重大事故隐患。重大事故隐患排除前或者排除过程中无法保证安全的，应当从危险区域内撤出作业人员，暂时停产停业或者停止使用相关设施、设备；重大事故隐患排除后，经审查同意，方可恢复生产经营和使用（《中华人民共和国安全生产法》第六十五条）。",
                    "Items {items} are major hazards. Where safety cannot be ensured before or during their removal, workers are to be withdrawn from the "
                    "danger area and production or the equipment concerned suspended; operation resumes only after review and approval "
                    "(Work Safety Law art. 65)."),
    "remedy": ("如果不服本指令，可以依法在60日内向{recon}申请行政复议，或者在6个月内依法向{court}提起行政诉讼，但本指令不停止执行，法律另有规定的除外。",
               "If you disagree with this order you may apply for administrative reconsideration within 60 days to {recon}, "
               "or bring an administrative suit within 6 months before {court}; the order is executed meanwhile unless "
               "the law provides otherwise."),
    "remedy_recon_blank": ("________人民政府", "the ________ people's government"),
    "remedy_court_blank": ("________人民法院", "the ________ people's court"),
    # review
    "review_recital": ("本机关于{date}作出了责令限期整改的决定[{order}]，经对你单位整改情况进行复查，提出如下意见：",
                       "On {date} this authority issued the rectification order ({order}). Having re-inspected your unit's rectification, "
                       "its opinion is as follows:"),
    "review_date": ("复查日期", "Re-inspection date"),
    "group_pass": ("以下隐患已整改合格，符合安全要求：", "The following hazards are rectified and meet the requirements:"),
    "group_fail": ("以下隐患未整改合格：", "The following hazards are not rectified:"),
    "group_pending": ("以下隐患尚未复查：", "The following hazards have not been re-inspected yet:"),
    "item_no": ("原第{n}项", "item {n}"),
    "opinion": ("复查意见", "Opinion"),
    "op_pass": ("已整改完毕，经复查合格，予以销号。", "Rectified; passed re-inspection; closed (销号)."),
    "op_fail": ("未整改完毕，责令于{date}前整改完毕；逾期未整改的，依据《中华人民共和国安全生产法》第一百零二条依法处理。",
                "Not rectified; to be rectified by {date}; if not, it will be dealt with under Work Safety Law art. 102."),
    "op_fixed": ("单位已报告整改完成，待复查。", "Reported fixed by the unit; awaiting re-inspection."),
    "op_none": ("尚未复查。", "Not yet re-inspected."),
    "op_on_spot": ("已当场整改。", "Fixed on the spot."),
    "result_pass": ("合格", "passed"),
    "result_fail": ("不合格", "failed"),
    "history": ("整改全过程", "The whole history"),
    "event_date": ("日期", "Date"),
    "event": ("事项", "Event"),
    "actor": ("经办人", "By"),
    "detail": ("内容", "Details"),
    "hash": ("校验", "Hash"),
    "site_summary": ("本单位共登记隐患 {total} 项，已销号 {closed} 项，未销号 {open} 项。",
                     "{total} hazards registered for this unit: {closed} closed, {open} not closed."),
    # ledger
    "filters": ("筛选条件", "Filters"),
    "all": ("全部", "all"),
    "count": ("共 {n} 项", "{n} hazards"),
    "id": ("隐患编号", "Hazard id"),
    "created": ("发现日期", "Found on"),
    "domain": ("领域", "Domain"),
    "closed_date": ("销号日期", "Closed on"),
    "inspection": ("检查编号", "Inspection"),
    "office": ("整改与复查", "Rectification and re-inspection"),
    "measures": ("整改措施", "Measures taken"),
    "responsible": ("整改责任人", "Responsible (unit)"),
    "funds": ("整改资金", "Funds"),
    "fix_date": ("整改完成日期", "Fixed on"),
    "reviewer": ("复查人", "Re-inspected by"),
    "order_number": ("指令书文号", "Order number"),
    "source_kind": ("隐患来源/检查类别", "Source"),
    "extension_count": ("延期次数", "Extensions"),
    # bulletin
    "month": ("通报月份", "Month"),
    "as_of": ("统计截至", "Figures as of"),
    "b_work": ("一、检查工作量", "1. Inspection workload"),
    "b_work_text": ("本月检查单位 {sites} 家、{visits} 家次，出动执法人员 {officers} 人，检查覆盖率 {coverage}（本月检查单位数÷登记单位数 {registered} 家）。",
                    "This month {sites} units were inspected in {visits} visits by {officers} officers; coverage {coverage} "
                    "(units inspected ÷ {registered} registered units)."),
    "b_docs": ("下达执法文书", "Documents issued"),
    "b_counts": ("二、隐患总体情况（按领域、等级、状态）", "2. Hazards by domain, severity and status"),
    "b_month": ("三、本月新增与销号", "3. New and closed this month"),
    "b_on_time": ("本月销号隐患 {closed} 项，其中按期整改（在整改期限内销号）{on_time} 项，按期整改率 {rate}；整改资金（已登记的）{funds} 元。",
                  "{closed} hazards closed this month, {on_time} by their deadline: on-time rate {rate}; funds recorded: {funds} yuan."),
    "b_supervision": ("挂牌督办：共 {listed} 项，已销号 {closed} 项，未销号 {open} 项，其中逾期 {overdue} 项。",
                      "Listed supervision (挂牌督办): {listed} hazards, {closed} closed, {open} open, of which {overdue} overdue."),
    "b_breakdown": ("六、按区域、行业分布", "6. By region and industry"),
    "b_compare": ("八、与上月及去年同期比较", "8. Compared with last month and the same month last year"),
    "b_notes": ("十、通报事项", "10. Notes"),
    "region": ("区域（乡镇/街道）", "Region (乡镇/街道)"),
    "industry": ("行业", "Industry"),
    "f_visits": ("检查家次", "Visits"),
    "f_sites": ("检查单位数", "Units inspected"),
    "f_officers": ("出动执法人员", "Officers"),
    "f_documents_total": ("下达执法文书", "Documents issued"),
    "f_new": ("新增隐患", "New hazards"),
    "f_new_major": ("其中重大事故隐患", "of which major"),
    "f_closed": ("销号隐患", "Closed"),
    "f_on_time_rate": ("按期整改率", "On-time rate"),
    "f_funds": ("整改资金（元）", "Funds (yuan)"),
    "f_unknown": ("未填写", "not recorded"),
    "f_item": ("项目", "Figure"),
    "f_change": ("环比", "vs last month"),
    "f_hazards": ("隐患数", "Hazards"),
    "f_rate": ("整改率", "Closure rate"),
    "b_new": ("本月新增隐患", "New this month"),
    "b_closed": ("本月销号隐患", "Closed this month"),
    "b_rate": ("四、重大事故隐患整改销号率与挂牌督办", "4. Major hazards: closure rate and listed supervision"),
    "b_rate_text": ("{year}年1月1日至{as_of}登记重大事故隐患 {total} 项，已销号 {closed} 项，整改销号率 {rate}，目标 {target}，{verdict}。",
                    "Major hazards registered 1 Jan {year} to {as_of}: {total}; closed: {closed}; closure rate {rate} against a target of {target}: {verdict}."),
    "b_met": ("已达到目标", "target met"),
    "b_not_met": ("未达到目标", "target NOT met"),
    "b_no_major": ("无重大事故隐患", "no major hazards"),
    "b_overdue": ("五、逾期未整改隐患（按逾期天数）", "5. Overdue hazards by days overdue"),
    "b_sites": ("七、未销号隐患最多的单位", "7. Units with the most open hazards"),
    "b_flags": ("九、需关注事项", "9. Points needing attention"),
    "b_none": ("无", "none"),
    "total": ("合计", "Total"),
    "open_count": ("未销号", "Open"),
    "major_open": ("其中重大", "of which major"),
    "days": ("逾期天数", "Days overdue"),
    "bucket": ("逾期天数", "Days overdue"),
    "rate": ("销号率", "Closure rate"),
    "target": ("目标", "Target"),
    # signatures
    "sign_inspectors": ("执法人员（签名）", "Enforcement officers (signature)"),
    "sign_officer": ("安全生产监管行政执法人员（签名）：", "Enforcement officer (signature):"),
    "cert_no": ("证号：", "Certificate no.:"),
    "sign_inspectors_record": ("检查人员（签名）", "Inspectors (signature)"),
    "sign_site": ("被检查单位负责人（签字）", "Person in charge of the unit (signature)"),
    "sign_site_record": ("被检查单位现场负责人（签名）", "Person in charge on site (signature)"),
    "sign_site_order": ("被检查单位负责人（签名）", "Person in charge of the unit (signature)"),
    "sign_site_review": ("被复查单位负责人（签名）", "Person in charge of the re-inspected unit (signature)"),
    "refusal": ("被检查单位负责人拒绝签字的，记录情况：", "If the person in charge refuses to sign, record it here:"),
    "seal": ("（印章）", "(seal)"),
    "date_blank": ("年　　月　　日", "date: ______"),
    "pages": ("共　　页　第　　页", "page ___ of ___"),
    "copy_note": ("本文书一式两份：一份由安全生产监督管理部门备案，一份交被检查单位。",
                  "Made in two copies: one filed by the work-safety authority, one for the inspected unit."),
    "copy_note_review": ("本文书一式两份：一份由安全生产监督管理部门备案，一份交被复查单位。",
                         "Made in two copies: one filed by the work-safety authority, one for the re-inspected unit."),
    "unverified_form": ("文书式样按资料重构，版式未经官方式样核对。", "Layout reconstructed; not checked against the official 式样."),
    "generated": ("生成", "Generated"),
    "head_digest": ("本文书所载隐患记录摘要（SHA-256）", "Digest of the hazard records this document states (SHA-256)"),
    "seal_digest": ("本通报所据台账封存摘要（SHA-256，可用 inspect verify --seal 核对）",
                    "Seal digest of the ledger this bulletin reports (SHA-256; check with inspect verify --seal)"),
    "sealed_on": ("封存日期", "sealed on"),
    "no_seal": ("台账尚未封存，本通报不载封存摘要。", "The ledger has not been sealed: this bulletin carries no seal digest."),
}

STATUS, EVENTS, KINDS = vocab.STATUS, vocab.EVENTS, KIND_NAMES
pick = vocab.pick


def labels(lang: str) -> dict[str, str]:
    i = 1 if lang == "en" else 0
    return {k: v[i] for k, v in _LABELS.items()}


def domain_name(domain: Any, lang: str) -> str:
    from ..checklist.model import DOMAIN_NAMES

    names = DOMAIN_NAMES.get(str(domain))
    return names.get(lang, names["zh"]) if names else str(domain or "")


def severity_name(sev: Any, lang: str) -> str:
    return labels(lang).get(str(sev), str(sev))


def plan_part_names(lang: str) -> dict[str, str]:
    from ..hazard.lifecycle import PLAN_PARTS_ZH

    en = {"goals": "goals and tasks", "measures": "methods and measures", "funds": "funds and materials",
          "responsible": "organisation and people responsible", "deadline": "time limit and requirements",
          "safety": "safety measures and emergency plan"}
    return {k: (f"{en[k]} ({v})" if lang == "en" else v) for k, v in PLAN_PARTS_ZH.items()}
