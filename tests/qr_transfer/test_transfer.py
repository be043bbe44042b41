"""Reading and writing quick-reply spreadsheets: header detection, encodings, line breaks, formulas."""

from __future__ import annotations

import io

import openpyxl
import pytest

from quick_replies.transfer import TransferError, column_of, read_sheet, to_csv, to_xlsx

RECORDS = [
    {"group": "物流", "title": "发货时间", "code": "fh", "body": "亲，现货48小时内发货\n预售按页面时间",
     "tags": "发货、物流", "enabled": "是", "valid_from": "", "valid_until": ""},
    {"group": "售后", "title": "公式", "code": "gs", "body": "=1+1 不是公式", "tags": "", "enabled": "否",
     "valid_from": "2026-11-11T00:00:00+08:00", "valid_until": "2026-11-12T00:00:00+08:00"},
]  # fmt: skip


def _xlsx(rows: list[list[object]]) -> bytes:
    book = openpyxl.Workbook()
    for row in rows:
        book.active.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


@pytest.mark.parametrize(
    ("header", "column"),
    [("分组", "group"), ("分组名称", "group"), ("快捷编码", "code"), ("短语内容", "body"), ("标题", "title"),
     ("Content", "body"), ("BODY", "body"), (" Group ", "group"), ("code*", "code"), ("标签", "tags"),
     ("启用状态", "enabled"), ("备注", None), ("", None), ("key", "code"), ("monkey", None)],
)  # fmt: skip
def test_headers_are_recognised_by_their_words(header: str, column: str | None) -> None:
    assert column_of(header) == column


def test_the_header_may_sit_below_a_title_row_and_extra_columns_are_ignored() -> None:
    data = (
        "快捷短语导出,暖居生活旗舰店\n,\n序号,分组,编码,短语内容,备注\n1,物流,fh,现货48小时发货,x\n".encode()
    )
    sheet = read_sheet(data)
    assert sheet.header_row == 3 and sheet.columns == ["group", "code", "body"]
    [row] = sheet.rows
    assert row.number == 4 and row.cells == {"group": "物流", "code": "fh", "body": "现货48小时发货"}


def test_a_missing_required_column_is_named() -> None:
    with pytest.raises(TransferError, match="「内容」"):
        read_sheet("分组,编码,标题\n物流,fh,发货\n".encode())
    with pytest.raises(TransferError, match="「编码」"):
        read_sheet("group,title,content\n物流,发货,现货\n".encode())


def test_csv_round_trip_keeps_line_breaks_bom_and_formula_like_text() -> None:
    data = to_csv(RECORDS)
    assert data.startswith(b"\xef\xbb\xbf")  # Excel needs the BOM to read UTF-8 Chinese
    assert b"'=1+1" in data  # Excel would run it as a formula without the guard
    sheet = read_sheet(data)
    assert [r.cells["body"] for r in sheet.rows] == [r["body"] for r in RECORDS]
    assert sheet.rows[0].cells["tags"] == "发货、物流" and sheet.rows[1].number == 3


def test_xlsx_round_trip_keeps_line_breaks_and_text_starting_with_equals() -> None:
    data = to_xlsx(RECORDS)
    book = openpyxl.load_workbook(io.BytesIO(data))
    assert book.active["D3"].data_type == "s"  # stored as text, not a formula
    sheet = read_sheet(data)
    assert sheet.format == "xlsx"
    assert [r.cells["body"] for r in sheet.rows] == [r["body"] for r in RECORDS]
    assert [r.cells["code"] for r in sheet.rows] == ["fh", "gs"]


def test_gbk_csv_from_an_old_excel_is_read() -> None:
    data = "分组,编码,内容\r\n物流,fh,亲，今天发货哦\r\n".encode("gbk")
    with pytest.raises(UnicodeDecodeError):
        data.decode("utf-8")
    [row] = read_sheet(data).rows
    assert row.cells["body"] == "亲，今天发货哦"


def test_utf16_tab_separated_unicode_text_is_read() -> None:
    data = "分组\t编码\t内容\r\n物流\tfh\t现货，发顺丰\r\n".encode("utf-16")
    [row] = read_sheet(data).rows
    assert row.cells == {"group": "物流", "code": "fh", "body": "现货，发顺丰"}


def test_semicolon_separated_csv_is_read() -> None:
    [row] = read_sheet("code;title;content\nfh;发货;现货, 当天发\n".encode()).rows
    assert row.cells["body"] == "现货, 当天发"


def test_xlsx_numbers_dates_and_a_header_lower_down() -> None:
    from datetime import datetime

    data = _xlsx([["导出"], [], ["编码", "内容", "生效开始"], [11, "双11专属", datetime(2026, 11, 11)],
                  [None, None, None], ["fh", "发货", None]])  # fmt: skip
    sheet = read_sheet(data)
    assert sheet.header_row == 3
    assert [r.number for r in sheet.rows] == [4, 6]  # the blank row is not a phrase
    assert sheet.rows[0].cells["code"] == "11" and sheet.rows[0].cells["valid_from"] == datetime(2026, 11, 11)


@pytest.mark.parametrize(
    "data",
    [b"%PDF-1.7 ...", b"\x89PNG\r\n\x1a\n....", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1old xls", b"PK\x03\x04broken zip",
     b"", b"   \n", "随便写的一段话，没有表头".encode()],
)  # fmt: skip
def test_files_that_are_not_tables_of_phrases_are_refused(data: bytes) -> None:
    with pytest.raises(TransferError):
        read_sheet(data)
