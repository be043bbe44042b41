"""Cells of seller-center exports: money, quoting, times, status texts, headers, encodings."""

from __future__ import annotations

import io
from datetime import datetime

import pytest

from assistant.commerce import import_cells as c
from assistant.commerce.models import OrderStatus
from knowledge.spreadsheet import TableError, detect_encoding, open_table
from tests.shop_import.conftest import ZONE
from tests.shop_import.exports import ORDER_HEADER, STATUS_TEXTS, table_csv


@pytest.mark.parametrize(
    ("cell", "fen"),
    [("128.00", 12800), ("0.10", 10), ("1,280.50", 128050), ("¥99", 9900), ('="59.90"', 5990), ("", 0),
     (128, 12800), (59.9, 5990), (0.1, 10), ("19.99", 1999), ("１２.３０", 1230)],
)  # fmt: skip
def test_money_is_read_as_exact_fen(cell: object, fen: int) -> None:
    assert c.fen(cell, "总金额") == fen


@pytest.mark.parametrize(("cell", "words"), [("12.345", "两位小数"), ("abc", "不是金额"), ("-5.00", "负数")])
def test_money_that_is_not_money_is_refused_with_the_column(cell: str, words: str) -> None:
    with pytest.raises(ValueError, match=words) as error:
        c.fen(cell, "买家应付货款")
    assert "买家应付货款" in str(error.value)


def test_long_numbers_lose_their_export_guards() -> None:
    assert c.number_id('="3301000000000000001"', "订单编号") == "3301000000000000001"
    assert c.number_id("'3301000000000000001", "订单编号") == "3301000000000000001"
    assert c.number_id(" 3301000000000000001\t", "订单编号") == "3301000000000000001"
    with pytest.raises(ValueError, match="Excel"):
        c.number_id(3.301e18, "订单编号")
    with pytest.raises(ValueError, match="不是数字"):
        c.number_id("TB-1", "订单编号")


def test_every_status_text_of_the_export_has_our_status() -> None:
    expected = [OrderStatus.AWAITING_PAYMENT, OrderStatus.PAID, OrderStatus.SHIPPED, OrderStatus.COMPLETED,
                OrderStatus.CANCELLED]  # fmt: skip
    assert [c.status(text) for text in STATUS_TEXTS] == expected
    assert c.status("买家已付款,等待卖家发货") is OrderStatus.PAID  # half-width comma
    assert c.status(" 卖家已发货，等待买家确认 ") is OrderStatus.SHIPPED
    with pytest.raises(ValueError, match="等待买家付款"):
        c.status("已经好了")


def test_times_take_the_shop_zone() -> None:
    assert c.moment("2026-11-11 10:23:45", ZONE, "t") == datetime(2026, 11, 11, 10, 23, 45, tzinfo=ZONE)
    assert c.moment("2026/11/11 10:23", ZONE, "t") == datetime(2026, 11, 11, 10, 23, tzinfo=ZONE)
    assert c.moment(datetime(2026, 11, 11, 10, 0), ZONE, "t") == datetime(2026, 11, 11, 10, tzinfo=ZONE)
    assert c.moment("", ZONE, "t") is None
    with pytest.raises(ValueError, match="订单创建时间"):
        c.moment("昨天", ZONE, "订单创建时间")


def test_headers_are_found_by_text_with_stray_spaces_and_aliases() -> None:
    cells = [
        " 订单编号 ",
        "买家昵称",
        "订单状态 ",
        "备注",
        "总金额",
        " 下单时间",
        "收货人",
        "收货地址",
        "手机",
    ]
    found = c.header_map(cells, c.ORDER_COLUMNS)
    assert found["order_id"] == 0 and found["nick"] == 1 and found["status"] == 2 and found["created_at"] == 5
    assert "备注" not in found
    assert c.missing_columns(found, c.ORDER_COLUMNS, c.ORDER_REQUIRED) == []
    shuffled = list(reversed(cells))
    assert c.header_map(shuffled, c.ORDER_COLUMNS)["order_id"] == len(cells) - 1


def test_missing_required_columns_are_named() -> None:
    found = c.header_map(["订单编号", "买家会员名", "订单状态"], c.ORDER_COLUMNS)
    missing = c.missing_columns(found, c.ORDER_COLUMNS, c.ORDER_REQUIRED)
    assert "「订单创建时间」" in missing
    assert "「买家应付货款」或「总金额」" in missing
    assert "「联系手机」或「联系电话」" in missing


@pytest.mark.parametrize(
    ("encoding", "detected"), [("gbk", "gb18030"), ("utf-8-sig", "utf-8-sig"), ("utf-8", "utf-8")]
)
def test_csv_encodings_are_detected(encoding: str, detected: str) -> None:
    data = table_csv(ORDER_HEADER, [["1", "买家", "交易成功"]], encoding=encoding)
    assert detect_encoding(data) == detected
    table = open_table(io.BytesIO(data), len(data), score=lambda row: len(c.header_map(row, c.ORDER_COLUMNS)))
    header, row = list(table.rows)
    assert header[0].strip() == "订单编号" and row[1] == "买家"
    assert table.progress() == 1.0


def test_an_old_excel_file_is_refused() -> None:
    data = b"\xd0\xcf\x11\xe0" + b"\x00" * 100
    with pytest.raises(TableError, match=r"\.xls"):
        open_table(io.BytesIO(data), len(data), score=lambda row: 0)
