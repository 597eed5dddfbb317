"""Site records: normalise_site, parse_attr, read_sites_csv."""
from __future__ import annotations

from pathlib import Path

import pytest

from inspect_cli.errors import ValidationFailed
from inspect_cli.site.data import SITE_FIELDS, normalise_site, parse_attr, parse_value, read_sites_csv
from inspect_cli.site.uscc import make_code

CODE1 = "91350100M000100Y43"
CODE2 = "91110000600037341L"
CODE3 = make_code("site-3")
HEADER = ",".join(f for f in SITE_FIELDS if f != "region")  # a file without the newer region column stays valid


def write(tmp_path: Path, text: str, encoding: str = "utf-8", name: str = "sites.csv") -> Path:
    path = tmp_path / name
    path.write_bytes(text.encode(encoding))
    return path


# --- parse_attr / parse_value ---------------------------------------------------------

@pytest.mark.parametrize("text,expected", [
    ("true", True), ("Yes", True), ("是", True), ("FALSE", False), ("no", False), ("否", False),
    ("12", 12), ("-3", -3), ("0", 0), ("2.5", 2.5), ("1e3", 1000.0), (".5", 0.5),
    ("0755", "0755"), ("grade2", "grade2"), ("nan", "nan"), ("1_000", "1_000"), (" 木材 ", "木材"),
])
def test_parse_value(text: str, expected: object) -> None:
    value = parse_value(text)
    assert value == expected and type(value) is type(expected)


def test_parse_attr() -> None:
    assert parse_attr("al_mg_dust=true") == ("al_mg_dust", True)
    assert parse_attr(" workers = 40 ") == ("workers", 40)
    assert parse_attr("note=a=b") == ("note", "a=b")
    assert parse_attr("_x=铝粉") == ("_x", "铝粉")


@pytest.mark.parametrize("text,match", [
    ("al_mg_dust", "KEY=VALUE"), ("Al=1", "invalid"), ("1a=1", "invalid"), ("a-b=1", "invalid"),
    ("=1", "invalid"), ("a=", "no value"), ("a=  ", "no value"),
])
def test_parse_attr_errors(text: str, match: str) -> None:
    with pytest.raises(ValidationFailed, match=match):
        parse_attr(text)


# --- normalise_site -------------------------------------------------------------------

def test_normalise_site_minimal() -> None:
    site = normalise_site({"code": " 91350100m000100y43 ", "name": " 某木业有限公司 "})
    assert site == {"code": CODE1, "name": "某木业有限公司", "address": None, "contact": None, "phone": None,
                    "industry": None, "risk_class": None, "region": None, "attributes": {}}


def test_normalise_site_full() -> None:
    raw = {"code": CODE1, "name": "甲厂", "address": "福州市", "contact": "张三", "phone": "+86 591-8888 1234",
           "industry": "木材加工", "risk_class": "b", "attributes": {"al_mg_dust": True, "workers": 40}}
    site = normalise_site(raw)
    assert site["risk_class"] == "B" and site["phone"] == "+86 591-8888 1234"
    assert site["attributes"] == {"al_mg_dust": True, "workers": 40}


def test_normalise_site_empty_strings_are_unset() -> None:
    site = normalise_site({"code": CODE1, "name": "甲", "address": "", "contact": "", "phone": "", "industry": "",
                           "risk_class": "", "attributes": {}})
    assert site["risk_class"] is None and site["phone"] is None and site["industry"] is None


def test_normalise_site_reports_every_problem() -> None:
    with pytest.raises(ValidationFailed) as exc:
        normalise_site({"code": "91350100M000100Y44", "name": " ", "risk_class": "E", "phone": "12ab"})
    problems = exc.value.problems
    assert len(problems) == 4
    assert "fails its check" in problems[0]
    assert any("name" in p for p in problems)
    assert any("risk_class 'E'" in p for p in problems)
    assert any("phone" in p for p in problems)


@pytest.mark.parametrize("phone,ok", [
    ("0591-88881234", True), ("13800138000", True), ("+86 138 0013 8000", True), ("123456", False),
    ("1" * 21, False), ("(0591)8888", False), ("138+0013", False), ("-1234567", False),
])
def test_phone(phone: str, ok: bool) -> None:
    raw = {"code": CODE1, "name": "甲", "phone": phone}
    if ok:
        assert normalise_site(raw)["phone"] == phone
    else:
        with pytest.raises(ValidationFailed, match="phone"):
            normalise_site(raw)


@pytest.mark.parametrize("attrs,match", [
    ({"Bad": 1}, "invalid"), ({"industry": "x"}, "clashes"), ({"x": [1]}, "list"), ("x=1", "mapping"),
])
def test_normalise_site_bad_attributes(attrs: object, match: str) -> None:
    with pytest.raises(ValidationFailed, match=match):
        normalise_site({"code": CODE1, "name": "甲", "attributes": attrs})


def test_normalise_site_unknown_field() -> None:
    with pytest.raises(ValidationFailed, match="unknown site field.*legal_rep"):
        normalise_site({"code": CODE1, "name": "甲", "legal_rep": "x"})


# --- read_sites_csv -------------------------------------------------------------------

GOOD = (
    f"{HEADER},attr.al_mg_dust,attr:workers\n"
    f"{CODE1},甲木业有限公司,福州市,张三,0591-88881234,木材加工,A,true,40\n"
    f"{CODE2},乙金属制品厂,北京市,,,金属制品,c,no,\n"
)


def test_good_file(tmp_path: Path) -> None:
    good, bad = read_sites_csv(write(tmp_path, GOOD))
    assert bad == []
    assert [line for line, _ in good] == [2, 3]
    first, second = good[0][1], good[1][1]
    assert first["code"] == CODE1 and first["name"] == "甲木业有限公司" and first["risk_class"] == "A"
    assert first["attributes"] == {"al_mg_dust": True, "workers": 40}
    assert second["risk_class"] == "C" and second["contact"] is None
    assert second["attributes"] == {"al_mg_dust": False}  # empty cell leaves the attribute unset


def test_bom(tmp_path: Path) -> None:
    good, bad = read_sites_csv(write(tmp_path, GOOD, encoding="utf-8-sig"))
    assert bad == [] and len(good) == 2 and good[0][1]["code"] == CODE1


@pytest.mark.parametrize("encoding", ["gbk", "gb18030"])
def test_gbk(tmp_path: Path, encoding: str) -> None:
    text = f"统一社会信用代码,单位名称,地址,行业\r\n{CODE1},甲木业有限公司,福州市仓山区,木材加工\r\n"
    good, bad = read_sites_csv(write(tmp_path, text, encoding=encoding))
    assert bad == []
    assert good[0][1]["name"] == "甲木业有限公司" and good[0][1]["industry"] == "木材加工"


def test_chinese_headers(tmp_path: Path) -> None:
    text = ("统一社会信用代码,单位名称,地址,联系人,联系电话,行业,风险等级\n"
            f"{CODE1},甲,福州,张三,13800138000,木材加工,d\n")
    (line, site), = read_sites_csv(write(tmp_path, text))[0]
    assert line == 2
    assert site == {"code": CODE1, "name": "甲", "address": "福州", "contact": "张三", "phone": "13800138000",
                    "industry": "木材加工", "risk_class": "D", "region": None, "attributes": {}}


def test_english_headers_case_insensitive(tmp_path: Path) -> None:
    good, bad = read_sites_csv(write(tmp_path, f" Code , NAME ,Risk_Class\n{CODE1},甲,b\n"))
    assert bad == [] and good[0][1]["risk_class"] == "B"


def test_bad_rows_have_file_line_numbers(tmp_path: Path) -> None:
    text = (
        "code,name,risk_class\n"          # 1
        f"{CODE1},甲,A\n"                  # 2
        "\n"                               # 3 blank: skipped
        "91350100M000100Y44,乙,B\n"        # 4 wrong check char
        f'{CODE2},"丙\n分厂",Z\n'          # 5-6 quoted name spanning two lines, bad risk class
        f"{CODE3},,A\n"                    # 7 missing name
        "9135,丁,\n"                       # 8 short code
    )
    good, bad = read_sites_csv(write(tmp_path, text))
    assert [line for line, _ in good] == [2]
    assert [line for line, _ in bad] == [4, 5, 7, 8]
    messages = dict(bad)
    assert "fails its check" in messages[4]
    assert "risk_class 'Z'" in messages[5]
    assert "name" in messages[7]
    assert "4 characters long" in messages[8]


def test_row_with_several_problems_reports_each(tmp_path: Path) -> None:
    _, bad = read_sites_csv(write(tmp_path, "code,name,phone\n91350100M000100Y44,,abc\n"))
    assert [line for line, _ in bad] == [2, 2, 2]


def test_duplicates(tmp_path: Path) -> None:
    text = f"code,name\n{CODE1},甲\n{CODE2},乙\n{CODE1.lower()},甲（重复）\n"
    good, bad = read_sites_csv(write(tmp_path, text))
    assert [line for line, _ in good] == [2, 3]
    assert bad == [(4, "duplicate code, first at row 2")]


def test_duplicate_of_bad_row_still_reported(tmp_path: Path) -> None:
    good, bad = read_sites_csv(write(tmp_path, f"code,name\n{CODE1},\n{CODE1},甲\n"))
    assert good == []
    assert bad[0][0] == 2 and bad[1] == (3, "duplicate code, first at row 2")


def test_unknown_columns_reported_once(tmp_path: Path) -> None:
    text = f"code,name,legal_rep,备注\n{CODE1},甲,x,y\n{CODE2},乙,x,y\n"
    good, bad = read_sites_csv(write(tmp_path, text))
    assert len(good) == 2
    assert len(bad) == 1 and bad[0][0] == 1
    assert "'legal_rep', '备注'" in bad[0][1] and "attr.NAME" in bad[0][1] and "risk_class" in bad[0][1]


def test_bad_attr_column(tmp_path: Path) -> None:
    _, bad = read_sites_csv(write(tmp_path, f"code,name,attr.Al-Mg\n{CODE1},甲,true\n"))
    assert bad[0][0] == 1 and "invalid" in bad[0][1]


def test_attr_column_clashing_with_field(tmp_path: Path) -> None:
    _, bad = read_sites_csv(write(tmp_path, f"code,name,attr.industry\n{CODE1},甲,x\n"))
    assert bad[0][0] == 1 and "clashes" in bad[0][1]


def test_too_many_cells(tmp_path: Path) -> None:
    good, bad = read_sites_csv(write(tmp_path, f"code,name\n{CODE1},甲,extra\n{CODE2},乙,\n"))
    assert [line for line, _ in good] == [3]  # a trailing empty cell is harmless
    assert bad[0][0] == 2 and "3 cells" in bad[0][1]


def test_short_rows_and_blank_columns(tmp_path: Path) -> None:
    text = f"code,name,,industry,\n{CODE1},甲\n{CODE2},乙,,木材,\n{CODE3},丙,x,,\n"
    good, bad = read_sites_csv(write(tmp_path, text))
    assert [line for line, _ in good] == [2, 3]
    assert good[1][1]["industry"] == "木材"
    assert bad[0][0] == 4 and "column 3" in bad[0][1]


@pytest.mark.parametrize("text", ["", "\n\n", " , \n"])
def test_empty_file(tmp_path: Path, text: str) -> None:
    with pytest.raises(ValidationFailed, match="empty"):
        read_sites_csv(write(tmp_path, text))


@pytest.mark.parametrize("header,missing", [("name,address", "code"), ("code,address", "name"),
                                            ("address", "code or name")])
def test_missing_required_column(tmp_path: Path, header: str, missing: str) -> None:
    with pytest.raises(ValidationFailed, match=f"no {missing} column"):
        read_sites_csv(write(tmp_path, header + "\n"))


def test_same_column_twice(tmp_path: Path) -> None:
    with pytest.raises(ValidationFailed, match="both give"):
        read_sites_csv(write(tmp_path, f"code,统一社会信用代码,name\n{CODE1},{CODE1},甲\n"))


def test_header_only(tmp_path: Path) -> None:
    assert read_sites_csv(write(tmp_path, HEADER + "\n")) == ([], [])


def test_undecodable_file(tmp_path: Path) -> None:
    path = tmp_path / "bin.csv"
    path.write_bytes(b"code,name\n\xff\xfe\x80\x80\n")
    with pytest.raises(ValidationFailed, match="neither UTF-8 nor GB18030"):
        read_sites_csv(path)


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(ValidationFailed, match="cannot read"):
        read_sites_csv(tmp_path / "nope.csv")


def test_nul_byte_is_validation_failed(tmp_path: Path) -> None:
    # Depending on the Python version csv either rejects NUL or reads it as text; never crash.
    path = write(tmp_path, f"code,name\n{CODE1},甲\x00\n")
    try:
        read_sites_csv(path)
    except ValidationFailed:
        pass
