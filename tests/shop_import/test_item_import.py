"""The item list import: add, update in place, leave, refuse, against the real store."""

from __future__ import annotations

import io
from typing import Any

from assistant.commerce.import_files import ImportOptions
from assistant.commerce.import_report import ImportReport
from assistant.commerce.item_import import import_items
from knowledge.database import AsyncDatabase
from tests.shop_import import exports as ex


def run(
    db: AsyncDatabase, options: ImportOptions, rows: list[dict[str, str]], apply: bool = True
) -> ImportReport:
    data = ex.table_csv(ex.ITEM_HEADER, [ex.item_row(r) for r in rows])
    work = lambda conn: import_items(conn, io.BytesIO(data), options, apply=apply)  # noqa: E731
    return db.write_sync(work) if apply else db.read_sync(work)


def items(db: AsyncDatabase) -> dict[str, dict[str, Any]]:
    return {r["sku"]: dict(r) for r in db.read_sync(lambda c: list(c.query("SELECT * FROM items")))}


def test_items_are_added_then_updated_in_place(store_db: AsyncDatabase, options: ImportOptions) -> None:
    first = run(store_db, options, ex.ITEMS)
    assert (first.added, first.refused) == (4, 0)
    got = items(store_db)
    assert set(got) == {"CHAIR-OAK", "BLANKET-150", "AROMA-01", "TB612300000004"}
    assert got["BLANKET-150"]["price_fen"] == 15990 and got["BLANKET-150"]["category"] == "毛毯"
    assert got["AROMA-01"]["on_sale"] == 0 and got["AROMA-01"]["stock"] == 0
    assert got["CHAIR-OAK"]["platform_item_id"] == "612300000001"
    changed = [dict(i) for i in ex.ITEMS]
    changed[0].update({"宝贝价格": "369.00", "宝贝数量": "80"})
    changed[2].update({"宝贝状态": "出售中"})
    again = run(store_db, options, changed)
    assert (again.added, again.updated, again.left) == (0, 2, 2)
    assert next(r for r in again.rows if r.key == "612300000001").fields == ["price_fen", "stock"]
    got = items(store_db)
    assert len(got) == 4 and got["CHAIR-OAK"]["price_fen"] == 36900 and got["CHAIR-OAK"]["version"] == 2
    assert got["AROMA-01"]["on_sale"] == 1


def test_bad_item_rows_are_refused_with_reasons(store_db: AsyncDatabase, options: ImportOptions) -> None:
    rows = [
        {**ex.ITEMS[0], "商家编码": "椅子-橡木"},
        {**ex.ITEMS[1], "宝贝价格": ""},
        {**ex.ITEMS[2], "宝贝ID": "", "商家编码": ""},
        {**ex.ITEMS[3], "宝贝价格": "29.90-39.90"},
        {**ex.ITEMS[3]},
    ]
    report = run(store_db, options, rows, apply=False)
    reasons = {r.row: (r.action, r.reason) for r in report.rows}
    assert reasons[2] == ("refuse", "商家编码：只能用字母、数字、- 和 _")
    assert reasons[3] == ("refuse", "价格为 0")
    assert reasons[4][1].startswith("既没有宝贝ID也没有商家编码")
    assert reasons[5][0] == "add"  # a price range: its lowest price
    assert reasons[6] == ("refuse", "与第 5 行是同一件商品")
