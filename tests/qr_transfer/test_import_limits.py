"""Imports are bounded: damaged or hostile .xlsx files get a clear 400 naming the limit, through the
real app; a declared range of 16,384 columns costs no more memory than the columns used."""

from __future__ import annotations

import asyncio
import tracemalloc
from collections.abc import Callable

import pytest
from aiohttp.test_utils import TestClient

from knowledge.xlsx_guard import ImportLimits
from quick_replies.transfer import TransferError, read_sheet
from tests.conftest import MiniShop
from tests.foundation.test_api_errors import assert_error_shape
from tests.qr_transfer import xlsx_files as xf
from tests.qr_transfer.test_api import _import

Auth = Callable[[int], dict[str, str]]


@pytest.mark.parametrize(
    ("make", "words"),
    [
        (xf.malformed, "XML 格式不对"),
        (xf.laughs_in_sheet, "DTD"),
        (xf.laughs_in_workbook, "DTD"),
        (lambda: xf.wide_row(100_000), "超过 2000 个单元格"),
        (lambda: xf.many_rows(20_100), "表格超过 20020 行"),
        (lambda: xf.unpacks_big(70), "解压后超过 64 MB"),
        (lambda: xf.book(b"\x00\x01 not xml"), "XML 格式不对"),
    ],
    ids=["malformed", "laughs-sheet", "laughs-workbook", "wide-row", "rows", "unpacked", "binary-sheet"],
)
async def test_hostile_xlsx_gets_a_clear_400(
    client: TestClient, mini_shop: MiniShop, auth: Auth, make: Callable[[], bytes], words: str
) -> None:
    response = await _import(client, auth(mini_shop.editor_id), make(), name="p.xlsx")
    assert response.status == 400, await response.text()
    body = await response.json()
    assert_error_shape(body, 400)
    assert words in body["error"] and body["errors"][0]["field"] == "file"
    assert "Error" not in body["error"] and "Traceback" not in body["error"]


async def test_a_declared_huge_range_imports_the_columns_used(
    client: TestClient, mini_shop: MiniShop, auth: Auth
) -> None:
    response = await _import(client, auth(mini_shop.editor_id), xf.declared_xfd(300), name="p.xlsx")
    assert response.status == 200, await response.text()
    plan = await response.json()
    assert plan["added"] == 299 and plan["applied"] is False


def test_declared_dimension_is_ignored_so_memory_stays_flat() -> None:
    """300 rows declared A1:XFD20000: padded to 16,384 columns they would take ~40 MB."""
    data = xf.declared_xfd(300)
    tracemalloc.start()
    try:
        sheet = read_sheet(data)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert len(sheet.rows) == 299 and sheet.columns == ["code", "body"]
    assert peak < 8 * 1024 * 1024, f"peak {peak / 2**20:.1f} MB"


def test_every_limit_names_itself() -> None:
    from quick_replies.transfer import _xlsx_rows

    tight = ImportLimits(rows=10, row_cells=5, cells=30, shared_strings=3, unpacked_bytes=200_000)
    with pytest.raises(TransferError, match="超过 10 行"):
        _xlsx_rows(xf.many_rows(20), tight)
    with pytest.raises(TransferError, match="超过 5 个单元格"):
        _xlsx_rows(xf.wide_row(6), tight)
    with pytest.raises(TransferError, match="表格超过 10 个单元格"):
        _xlsx_rows(xf.many_rows(9), ImportLimits(cells=10))
    strings = "<sst>" + "<si><t>x</t></si>" * 4 + "</sst>"
    with pytest.raises(TransferError, match="超过 3 条"):
        _xlsx_rows(xf.book(xf.rows_xml(2), extra={"xl/sharedStrings.xml": strings}), tight)
    with pytest.raises(TransferError, match="超过 0 秒"):
        _xlsx_rows(xf.many_rows(5), ImportLimits(seconds=0))


def test_csv_problems_are_in_our_words() -> None:
    with pytest.raises(TransferError, match="CSV 格式有误") as caught:
        read_sheet(("编码,内容\nfh," + "x" * 200_000 + "\n").encode())
    assert "field larger" not in str(caught.value)
    wide = ("编码,内容" + ",x" * 100_000 + "\nfh,好的\n").encode()
    assert [r.cells for r in read_sheet(wide).rows] == [{"code": "fh", "body": "好的"}]


async def test_imported_bodies_are_linted_like_a_save(
    client: TestClient, mini_shop: MiniShop, auth: Auth
) -> None:
    data = (
        "编码,内容\n"
        "ok,亲 {{ buyer.nick }}，好的\n"
        '"bad","{% macro f() %}{{ f() }}{% endmacro %}{{ f() }}"\n'
        "broken,{{ buyer.nick \n"
    ).encode()
    for dry_run in (True, False):
        response = await _import(client, auth(mini_shop.editor_id), data, dry_run=dry_run)
        assert response.status == 200, await response.text()
        plan = await response.json()
        assert plan["added"] == 1 and plan["skipped"] == 2
        reasons = {r["code"]: r["reason"] for r in plan["rows"] if r["action"] == "skipped"}
        assert "调用了它自己" in reasons["bad"] and "缺少 }}" in reasons["broken"]
        assert all(r["skip"] == "invalid" for r in plan["rows"] if r["action"] == "skipped")


async def test_imports_at_once_all_answer(client: TestClient, mini_shop: MiniShop, auth: Auth) -> None:
    """Imports take turns (one slot): three at once all get their own answer."""
    editor = auth(mini_shop.editor_id)
    files = [xf.declared_xfd(50), xf.laughs_in_sheet(), xf.declared_xfd(20)]
    responses = await asyncio.gather(*(_import(client, editor, f, name="p.xlsx") for f in files))
    assert [r.status for r in responses] == [200, 400, 200]
    assert [(await r.json()).get("added") for r in responses] == [49, None, 19]
