"""The three 执法文书 carry the official sentences of ../shared/reference/documents.md word for
word, in the form's order; nothing internal is printed on a served document."""
from __future__ import annotations

import html as htmllib
import re
from pathlib import Path

import pytest

from inspect_cli.reports import render_report

ORDER_SENTENCES = [
    "经查，你单位存在下列问题：",
    "现责令你单位对上述第4项问题于2026年3月9日前、第5项问题于2026年3月17日前、第1、3项问题于2026年4月1日前整改完毕，"
    "达到有关法律法规规章和标准规定的要求。由此造成事故的，依法追究有关人员的责任。",
    "整改期间，你单位应当采取措施，确保安全生产。对安全生产违法行为，将依法予以行政处罚。",
    "如果不服本指令，可以依法在60日内向________人民政府申请行政复议，或者在6个月内依法向________人民法院提起行政诉讼，"
    "但本指令不停止执行，法律另有规定的除外。",
    "被检查单位负责人（签名）：",
    "本文书一式两份：一份由安全生产监督管理部门备案，一份交被检查单位。",
]
RECORD_SENTENCES = [
    "我们是福州市某某区应急管理局行政执法人员张伟、李娜，证件号码为35010012345、35010012346，这是我们的证件（出示证件）。"
    "现依法对你单位进行现场检查，请予以配合。",
    "检查情况：",
    "检查人员（签名）：",
    "被检查单位现场负责人（签名）：",
]
REVIEW_SENTENCES = [
    "本机关于2026年3月2日作出了责令限期整改的决定[（榕某应急）应急责改〔2026〕1号]，经对你单位整改情况进行复查，提出如下意见：",
    "以下隐患已整改合格，符合安全要求：",
    "以下隐患未整改合格：",
    "被复查单位负责人（签名）：",
    "本文书一式两份：一份由安全生产监督管理部门备案，一份交被复查单位。",
]
SERVED = [("record", RECORD_SENTENCES), ("order", ORDER_SENTENCES), ("review", REVIEW_SENTENCES)]


def plain(path: Path) -> str:
    """The text a reader sees: tags, Markdown escapes and spaces gone."""
    text = path.read_text(encoding="utf-8")
    text = re.sub(r"<style>.*?</style>", "", text, flags=re.S)
    text = htmllib.unescape(re.sub(r"<[^>]+>", "", text))
    text = re.sub(r"\\(.)", r"\1", text)
    return re.sub(r"[ \t\r\n]+", "", text)


def form_part(text: str) -> str:
    """The form itself, without its 附页."""
    return text.split("附页：")[0]


@pytest.mark.parametrize("fmt", ["html", "md"])
@pytest.mark.parametrize("kind,sentences", SERVED, ids=[s[0] for s in SERVED])
def test_each_official_sentence_is_printed_verbatim(ledger, tmp_path, kind, sentences, fmt):
    if kind == "review":
        render_report(ledger, "order", "I-00000-00002", fmt=fmt, out=tmp_path / f"o.{fmt}")
    text = plain(Path(render_report(ledger, kind, "I-00000-00002", fmt=fmt, out=tmp_path / f"r.{fmt}")["out"]))
    for s in sentences:
        assert s.replace(" ", "") in text, s


@pytest.mark.parametrize("fmt", ["html", "md"])
def test_each_officer_signs_on_their_own_line_with_their_certificate(ledger, tmp_path, fmt):
    for kind in ("order", "review"):
        text = plain(Path(render_report(ledger, kind, "I-00000-00002", fmt=fmt, out=tmp_path / f"{kind}.{fmt}")["out"]))
        form = form_part(text)
        assert form.count("安全生产监管行政执法人员（签名）：") == 2
        assert re.search(r"安全生产监管行政执法人员（签名）：[＿　]*证号：35010012345", form)
        assert re.search(r"安全生产监管行政执法人员（签名）：[＿　]*证号：35010012346", form)
        assert "签收" not in form


def test_the_record_keeps_the_forms_field_order_and_leaves_deadlines_to_the_order(ledger, tmp_path):
    text = form_part(plain(Path(render_report(ledger, "record", "I-00000-00002", out=tmp_path / "r.html")["out"])))
    fields = ["被检查单位", "地址", "法定代表人（负责人）", "职务", "联系电话", "检查场所", "检查时间", "我们是", "检查情况：",
              "检查人员（签名）", "被检查单位现场负责人（签名）"]
    where = [text.index(f) for f in fields]
    assert where == sorted(where)
    for extra in ("统一社会信用代码", "检查类别", "整改期限", "《工贸企业重大事故隐患判定标准》", "dust-explosion@1", "H-00000-"):
        assert extra not in text, extra


def test_the_review_number_is_in_square_brackets_not_nested(ledger, tmp_path):
    render_report(ledger, "order", "I-00000-00002", out=tmp_path / "o.html")
    text = plain(Path(render_report(ledger, "review", "I-00000-00002", out=tmp_path / "r.html")["out"]))
    assert "[（榕某应急）应急责改〔2026〕1号]" in text and "（（" not in text


def test_the_remedy_names_the_bodies_from_the_settings(ledger, tmp_path):
    ledger.set_setting("remedy.reconsideration", "福州市某某区人民政府")
    ledger.set_setting("remedy.court", "福州市某某区人民法院")
    text = plain(Path(render_report(ledger, "order", "I-00000-00002", fmt="md", out=tmp_path / "o.md")["out"]))
    assert ("如果不服本指令，可以依法在60日内向福州市某某区人民政府申请行政复议，或者在6个月内依法向福州市某某区人民法院提起行政诉讼，"
            "但本指令不停止执行，法律另有规定的除外。") in text


@pytest.mark.parametrize("fmt", ["html", "md"])
@pytest.mark.parametrize("kind", ["record", "order", "review"])
def test_strict_form_prints_the_form_alone(ledger, tmp_path, kind, fmt):
    text = plain(Path(render_report(ledger, kind, "I-00000-00002", fmt=fmt, out=tmp_path / f"r.{fmt}", form="strict")["out"]))
    for extra in ("附页", "统一社会信用代码", "第六十五条", "dust-explosion@1", "H-00000-"):
        assert extra not in text, extra


@pytest.mark.parametrize("fmt", ["html", "md"])
@pytest.mark.parametrize("kind", ["record", "order", "review"])
def test_nothing_internal_is_printed_on_a_served_document(ledger_path, tmp_path, kind, fmt):
    from inspect_cli.ledger import open_ledger

    ledger = open_ledger(ledger_path, today="2026-04-15", actor="root")
    text = plain(Path(render_report(ledger, kind, "I-00000-00002", fmt=fmt, out=tmp_path / f"r.{fmt}")["out"]))
    assert "未经官方式样核对" not in text and "按资料重构" not in text
    assert "重大事故隐患销号时未见治理方案记录" not in text  # H-00000-00005 is such a hazard: it stays in audit/internal reports
    assert "root" not in text


def test_the_closure_report_never_prints_a_computer_login_as_actor(ledger_path, tmp_path):
    from inspect_cli.ledger import open_ledger

    ledger = open_ledger(ledger_path, today="2026-04-15", actor="root")
    ledger.interim("H-00000-00006", "设置警示标志")
    text = Path(render_report(ledger, "closure", "H-00000-00006", out=tmp_path / "c.html")["out"]).read_text("utf-8")
    assert "设置警示标志" in text and "root" not in text
    ledger.set_setting("org.officer", "root")  # a configured officer may be printed, whatever the name
    text = Path(render_report(ledger, "closure", "H-00000-00006", out=tmp_path / "d.html")["out"]).read_text("utf-8")
    assert '<span class="nobreak">root</span>' in text


def test_a_back_dated_inspection_without_times_leaves_the_hours_blank(ledger, tmp_path):
    text = plain(Path(render_report(ledger, "record", "I-00000-00002", fmt="md", out=tmp_path / "r.md")["out"]))
    assert "检查时间|2026年3月2日＿＿时＿＿分至＿＿月＿＿日＿＿时＿＿分" in text
    assert "2026年4月15日" not in form_part(text)  # neither the print date nor the computer's clock


def test_the_times_the_inspector_gave_are_printed(ledger, tmp_path):
    ledger.set_visit_times("I-00000-00002", "09:05", "11:40")
    text = plain(Path(render_report(ledger, "record", "I-00000-00002", fmt="md", out=tmp_path / "r.md")["out"]))
    assert "检查时间|2026年3月2日9时05分至3月2日11时40分" in text


@pytest.mark.parametrize("started,finished,message", [
    ("11:40", "09:05", "not after"), ("09:05", None, "both"), ("9.30", "10:00", "not a time"),
    ("2026-03-03 09:00", "2026-03-03 10:00", "not on the inspection's date"),
])
def test_bad_times_are_refused(ledger, started, finished, message):
    from inspect_cli.errors import UsageError

    with pytest.raises(UsageError, match=message):
        ledger.set_visit_times("I-00000-00002", started, finished)


def test_a_huge_note_is_cut_with_a_marker_and_renders_quickly(tmp_path):
    from inspect_cli.ledger import open_ledger

    from .fixture import build

    with pytest.MonkeyPatch.context() as mp:
        path = build(tmp_path / "big", mp, note="积尘" * 500_000)  # a 1 MB note
    ledger = open_ledger(path, today="2026-04-15")
    md = Path(render_report(ledger, "order", "I-00000-00002", fmt="md", out=tmp_path / "o.md")["out"]).read_text("utf-8")
    assert "……（以下省略998000字，全文见隐患台账H-00000-00003）" in md
    assert len(md) < 40_000
    pytest.importorskip("weasyprint")
    out = render_report(ledger, "order", "I-00000-00002", fmt="pdf", out=tmp_path / "o.pdf")["out"]
    assert Path(out).read_bytes()[:5] == b"%PDF-"


def test_a_slow_pdf_render_is_stopped_and_names_the_largest_text(monkeypatch):
    pytest.importorskip("weasyprint")
    from inspect_cli.errors import ReportError
    from inspect_cli.reports import pdf

    monkeypatch.setenv("INSPECT_RENDER_TIMEOUT", "1")
    page = "<p>" + "长" * 400_000 + "</p>"
    with pytest.raises(ReportError, match=r"more than 1 s.*findings\[0\]\.note"):
        pdf.html_to_pdf(page * 4, what="findings[0].note (1000000 characters)")


def test_the_banner_is_a_setting_printed_on_the_three_documents_only(ledger, tmp_path):
    ledger.set_setting("report.banner", "安全生产行政执法文书")
    for kind in ("record", "order"):
        text = plain(Path(render_report(ledger, kind, "I-00000-00002", out=tmp_path / f"{kind}.html")["out"]))
        assert f"安全生产行政执法文书福州市某某区应急管理局{'现场检查记录' if kind == 'record' else '责令限期整改指令书'}" in text
    text = plain(Path(render_report(ledger, "ledger", out=tmp_path / "l.html")["out"]))
    assert "安全生产行政执法文书" not in text


def test_report_list_and_correct_on_the_command_line(ledger_path, tmp_path):
    from cli.runner import invoke

    base = ["--ledger", str(ledger_path), "--today", "2026-04-15"]
    first = invoke(["report", "order", "I-00000-00002", "--format", "md", "--out", str(tmp_path / "a.md"), "--json", *base])
    second = invoke(["report", "order", "I-00000-00002", "--format", "md", "--out", str(tmp_path / "b.md"), "--json",
                     "--correct", "期限有误", *base]).json()
    assert second["replaces"] == first.json()["number"] == "（榕某应急）应急责改〔2026〕1号"
    listing = invoke(["report", "list", *base]).stdout.splitlines()
    assert listing == ["2026-03-02  order   （榕某应急）应急责改〔2026〕1号  I-00000-00002  replaced by （榕某应急）应急责改〔2026〕2号",
                       "2026-03-02  order   （榕某应急）应急责改〔2026〕2号  I-00000-00002  replaces （榕某应急）应急责改〔2026〕1号"]
    r = invoke(["report", "ledger", "--correct", "x", *base])
    assert r.exit_code == 2 and "--correct is for the numbered documents" in r.stderr
