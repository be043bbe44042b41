"""The order import against the real store: every status, refunds, lines, changed addresses, broken rows,
re-imports in place, conflicts with local edits, all-or-nothing applies."""

from __future__ import annotations

import dataclasses
import io
import random
from datetime import timedelta
from typing import Any

import pytest

from assistant.commerce import store
from assistant.commerce.address import parse_address
from assistant.commerce.import_files import ImportOptions
from assistant.commerce.import_report import ImportReport, PlanChanged
from assistant.commerce.item_import import import_items
from assistant.commerce.order_import import import_orders
from assistant.commerce.order_rows import Items, RowParser
from knowledge.database import AsyncDatabase
from knowledge.spreadsheet import TableError
from tests.shop_import import exports as ex

ORDER_1, ORDER_2, ORDER_3, ORDER_4, ORDER_5, ORDER_6, ORDER_7 = (o["订单编号"] for o in ex.ORDERS)


def run(db: AsyncDatabase, options: ImportOptions, orders: bytes, lines: bytes | None = None, *, apply: bool = False,
        plan: str | None = None) -> ImportReport:  # fmt: skip
    def work(conn: Any) -> ImportReport:
        return import_orders(conn, io.BytesIO(orders), options, lines_file=io.BytesIO(lines) if lines else None,
                             apply=apply, expected_plan=plan)  # fmt: skip

    return db.write_sync(work) if apply else db.read_sync(work)


def items(db: AsyncDatabase, options: ImportOptions) -> ImportReport:
    return db.write_sync(
        lambda conn: import_items(conn, io.BytesIO(ex.realistic_items()), options, apply=True)
    )


def rows(db: AsyncDatabase, sql: str, params: tuple[Any, ...] = ()) -> list[dict[str, Any]]:
    return db.read_sync(lambda conn: [dict(r) for r in conn.query(sql, params)])


def by_row(report: ImportReport) -> dict[int, tuple[str, str]]:
    return {r.row: (r.action, r.reason) for r in report.rows}


def test_the_dry_run_lists_every_row_and_writes_nothing(
    store_db: AsyncDatabase, options: ImportOptions
) -> None:
    report = run(store_db, options, ex.realistic_orders(), ex.realistic_lines())
    assert (report.rows_read, report.added, report.refused, report.buyers_added) == (7, 6, 1, 4)
    assert report.encoding == "gb18030" and report.header_row == 1
    assert by_row(report)[8] == ("refuse", "买家应付货款「abc」不是金额：请写成 128.00 这样的元")
    assert [r.action for r in report.rows if r.row < 8] == ["add"] * 6
    assert rows(store_db, "SELECT count(*) AS n FROM orders")[0]["n"] == 0
    assert rows(store_db, "SELECT count(*) AS n FROM buyers")[0]["n"] == 0


def test_apply_writes_orders_lines_and_buyers_as_the_export_says(
    store_db: AsyncDatabase, options: ImportOptions
) -> None:
    items(store_db, options)
    dry = run(store_db, options, ex.realistic_orders(), ex.realistic_lines())
    done = run(store_db, options, ex.realistic_orders(), ex.realistic_lines(), apply=True, plan=dry.plan_id)
    assert done.plan_id == dry.plan_id and done.applied
    got = {r["id"]: r for r in rows(store_db, "SELECT * FROM orders")}
    assert set(got) == {ORDER_1, ORDER_2, ORDER_3, ORDER_4, ORDER_5, ORDER_6}  # the broken row left nothing
    assert [got[o]["status"] for o in (ORDER_1, ORDER_2, ORDER_3, ORDER_4, ORDER_6)] == [
        "awaiting_payment", "paid", "shipped", "completed", "cancelled"]  # fmt: skip
    refunded = got[ORDER_5]
    assert (refunded["status"], refunded["refund_status"], refunded["refund_fen"]) == (
        "refunded",
        "refunded",
        15990,
    )
    paid = got[ORDER_2]
    assert (paid["price_fen"], paid["postage_fen"], paid["seller_remark"]) == (47880, 1000, "双11赠品已备注")
    assert (paid["province"], paid["city"], paid["district"]) == ("广东省", "深圳市", "南山区")
    assert paid["address_detail"] == "粤海街道科技南十二路2号金蝶软件园B栋5楼"
    assert paid["receiver_name"] == "李明" and paid["receiver_phone"] == "13800138000"
    assert got[ORDER_1]["buyer_message"] == "周末送货"
    shipped = got[ORDER_3]  # 修改后的收货地址 wins over the original one
    assert (shipped["district"], shipped["address_detail"]) == ("滨江区", "江南大道3888号2幢801")
    assert (shipped["courier"], shipped["tracking_no"]) == ("顺丰速运", "SF1234567890123")
    lines = rows(store_db, "SELECT l.*, i.sku AS item_sku FROM order_lines l LEFT JOIN items i ON i.id = l.item_id"
                           " WHERE order_id = ? ORDER BY l.id", (ORDER_2,))  # fmt: skip
    assert [(x["title"], x["unit_price_fen"], x["quantity"]) for x in lines] == [
        ("北欧实木餐椅 橡木款", 39900, 1), ("棉麻抱枕套 45x45", 3990, 2)]  # fmt: skip
    assert [x["item_sku"] for x in lines] == ["CHAIR-OAK", "TB612300000004"]  # by 商家编码, then by title
    buyers = {r["nick"]: r for r in rows(store_db, "SELECT * FROM buyers")}
    assert set(buyers) == {"暖暖小屋", "木子李2019", "tb_8844221", "夜猫子"}
    assert buyers["暖暖小屋"]["first_seen_at"].startswith(
        "2026-11-01T09:00:00"
    )  # the older of her two orders
    assert rows(store_db, "SELECT kind, added, refused FROM shop_imports ORDER BY id") == [
        {"kind": "items", "added": 4, "refused": 0},
        {"kind": "orders", "added": 6, "refused": 1},
    ]


@pytest.mark.parametrize("form", ["utf-8-sig", "xlsx"])
def test_utf8_bom_and_xlsx_give_the_same_import(
    store_db: AsyncDatabase, options: ImportOptions, form: str
) -> None:
    gbk = run(store_db, options, ex.realistic_orders(), ex.realistic_lines())
    if form == "xlsx":
        orders = ex.to_xlsx(ex.ORDER_HEADER, [ex.order_row(o) for o in ex.ORDERS])
        lines = ex.to_xlsx(ex.LINE_HEADER, [ex.line_row(x) for x in ex.LINES])
    else:
        orders, lines = ex.realistic_orders("utf-8-sig"), ex.realistic_lines("utf-8-sig")
    other = run(store_db, options, orders, lines)
    assert other.format == ("xlsx" if form == "xlsx" else "csv")
    assert other.plan_id == gbk.plan_id
    assert [(r.row, r.action, r.key, r.reason) for r in other.rows] == [
        (r.row, r.action, r.key, r.reason) for r in gbk.rows
    ]


def test_reimporting_updates_in_place_and_never_duplicates(
    store_db: AsyncDatabase, options: ImportOptions
) -> None:
    run(store_db, options, ex.realistic_orders(), ex.realistic_lines(), apply=True)
    again = run(store_db, options, ex.realistic_orders(), ex.realistic_lines(), apply=True)
    assert (again.added, again.updated, again.left, again.refused) == (0, 0, 6, 1)
    assert by_row(again)[2] == ("leave", "没有变化")
    newer = [dict(o) for o in ex.ORDERS]
    newer[1].update({"订单状态": "卖家已发货，等待买家确认", "物流单号": "YT5550001", "物流公司": "圆通速递"})
    later = dataclasses.replace(options, exported_at=options.exported_at + timedelta(days=1))
    data = ex.table_csv(ex.ORDER_HEADER, [ex.order_row(o) for o in newer])
    report = run(store_db, later, data, ex.realistic_lines(), apply=True)
    assert (report.added, report.updated, report.left) == (0, 1, 5)
    assert by_row(report)[3][0] == "update"
    assert next(r for r in report.rows if r.row == 3).fields == ["courier", "status", "tracking_no"]
    order = rows(store_db, "SELECT status, tracking_no, version FROM orders WHERE id = ?", (ORDER_2,))[0]
    assert order == {"status": "shipped", "tracking_no": "YT5550001", "version": 2}
    assert rows(store_db, "SELECT count(*) AS n FROM orders")[0]["n"] == 6
    assert rows(store_db, "SELECT count(*) AS n FROM order_lines WHERE order_id = ?", (ORDER_2,))[0]["n"] == 2
    without_lines = run(store_db, later, data, apply=True)  # the orders file alone keeps the lines we have
    assert without_lines.left == 6
    assert rows(store_db, "SELECT count(*) AS n FROM order_lines WHERE order_id = ?", (ORDER_2,))[0]["n"] == 2
    history = store_db.read_sync(lambda conn: store.audit_entries(conn, "order", ORDER_2))
    assert history[0].action == "import" and (history[0].after or {})["status"] == "shipped"
    # an older export than the one that wrote the order never overwrites it
    stale = run(store_db, options, ex.realistic_orders(), ex.realistic_lines())
    assert by_row(stale)[3][0] == "leave" and "更新导出" in by_row(stale)[3][1]


def test_a_local_edit_after_the_export_is_a_conflict_and_kept(
    store_db: AsyncDatabase, options: ImportOptions
) -> None:
    run(store_db, options, ex.realistic_orders(), ex.realistic_lines(), apply=True)
    after_export = (options.exported_at + timedelta(hours=1)).isoformat()

    def edit(conn: Any) -> None:  # what the order panel's 改备注 writes: the new columns and an audit entry
        assert store.update_order(conn, ORDER_2, {"seller_remark": "改发顺丰"}, 1, after_export)
        store.insert_audit(conn, at=after_export, agent_id=None, shop_id=options.shop_id, entity="order",
                           entity_id=ORDER_2, action="remark", reason="", before={"seller_remark": "双11赠品已备注"},
                           after={"seller_remark": "改发顺丰"})  # fmt: skip

    store_db.write_sync(edit)
    newer = [dict(o) for o in ex.ORDERS]
    newer[1].update({"订单状态": "卖家已发货，等待买家确认", "订单备注": "双11赠品已备注"})
    data = ex.table_csv(ex.ORDER_HEADER, [ex.order_row(o) for o in newer])
    dry = run(store_db, options, data, ex.realistic_lines())  # the same export time: made before the edit
    row = next(r for r in dry.rows if r.key == ORDER_2)
    assert row.action == "conflict" and "订单备注" in row.reason and "保留本地的值" in row.reason
    assert dry.conflicts == 1
    run(store_db, options, data, ex.realistic_lines(), apply=True, plan=dry.plan_id)
    order = rows(store_db, "SELECT status, seller_remark FROM orders WHERE id = ?", (ORDER_2,))[0]
    assert order == {"status": "shipped", "seller_remark": "改发顺丰"}  # status updated, the edit kept
    forced = dataclasses.replace(options, overwrite_conflicts=True)
    again = run(store_db, forced, data, ex.realistic_lines(), apply=True)
    assert next(r for r in again.rows if r.key == ORDER_2).action == "update"
    assert (
        rows(store_db, "SELECT seller_remark FROM orders WHERE id = ?", (ORDER_2,))[0]["seller_remark"]
        == "双11赠品已备注"
    )


def test_a_broken_line_refuses_its_whole_order(store_db: AsyncDatabase, options: ImportOptions) -> None:
    broken = [dict(x) for x in ex.LINES]
    broken[2]["购买数量"] = "两件"  # the second line of the multi-line order
    lines = ex.table_csv(ex.LINE_HEADER, [ex.line_row(x) for x in broken])
    report = run(store_db, options, ex.realistic_orders(), lines, apply=True)
    assert by_row(report)[3] == ("refuse", "宝贝明细第 4 行：购买数量「两件」不是 1–999 的整数")
    assert rows(store_db, "SELECT count(*) AS n FROM orders WHERE id = ?", (ORDER_2,))[0]["n"] == 0
    assert rows(store_db, "SELECT count(*) AS n FROM order_lines WHERE order_id = ?", (ORDER_2,))[0]["n"] == 0
    assert report.added == 5


def test_a_plan_that_changed_since_the_dry_run_writes_nothing(
    store_db: AsyncDatabase, options: ImportOptions
) -> None:
    dry = run(store_db, options, ex.realistic_orders(), ex.realistic_lines())
    first = [dict(ex.ORDERS[0])]
    run(store_db, options, ex.table_csv(ex.ORDER_HEADER, [ex.order_row(o) for o in first]), apply=True)
    with pytest.raises(PlanChanged) as changed:
        run(store_db, options, ex.realistic_orders(), ex.realistic_lines(), apply=True, plan=dry.plan_id)
    assert changed.value.report.added == 5 and by_row(changed.value.report)[2][0] == "leave"
    assert rows(store_db, "SELECT count(*) AS n FROM orders")[0]["n"] == 1


def test_bad_rows_each_get_their_reason(store_db: AsyncDatabase, options: ImportOptions) -> None:
    base = dict(ex.ORDERS[0])
    cases = [
        {**base, "订单编号": "33010000000000000A1"},
        {**base, "订单编号": "3301000000000000091", "订单状态": "已经好了"},
        {**base, "订单编号": "3301000000000000092", "联系手机": "139****5678"},
        {**base, "订单编号": "3301000000000000093", "收货地址": "火星 奥林匹斯山 1号"},
        {**base, "订单编号": "3301000000000000094", "订单创建时间": ""},
        {**base, "订单编号": "3301000000000000095", "买家会员名": ""},
        {**base},
        {**base},  # the same order number twice
    ]
    report = run(store_db, options, ex.table_csv(ex.ORDER_HEADER, [ex.order_row(o) for o in cases]))
    reasons = by_row(report)
    assert "不是数字编号" in reasons[2][1]
    assert "订单状态「已经好了」不认识" in reasons[3][1]
    assert "打码" in reasons[4][1]
    assert reasons[5][1].startswith("收货地址看不懂")
    assert reasons[6][1] == "没有订单创建时间"
    assert reasons[7][1] == "没有买家会员名"
    assert reasons[8][0] == "add"
    assert reasons[9] == ("refuse", "订单编号与第 8 行重复")


def test_a_file_without_the_required_columns_says_which(
    store_db: AsyncDatabase, options: ImportOptions
) -> None:
    data = ex.table_csv(["订单编号", "买家会员名", "宝贝标题"], [["1", "a", "b"]])
    with pytest.raises(TableError, match=r"「订单状态」.*「订单创建时间」"):
        run(store_db, options, data)


def test_the_spaced_export_address_reads_as_the_parser_reads_it(options: ImportOptions) -> None:
    parser = RowParser(options, Items(), None)
    addresses = [o["收货地址"] for o in ex.ORDERS]
    rng = random.Random(3)
    for province, city, district, road in ex._PLACES:
        addresses.append(
            f"{province} {city} {district} {road} {rng.randrange(1, 999)}号 3幢 {rng.randrange(101, 2999)}室(310000)"
        )
    addresses += ["广东省 东莞市 长安镇 振安路 8号", "浙江省 温州市 永嘉县 瓯北镇 双塔路 12号", "上海 上海市 浦东新区 世纪大道 100号 环球金融中心 58F"]  # fmt: skip
    for address in addresses:
        fast = parser.address({"receiver": "张三", "mobile": "13912345678", "address": address})
        slow = parse_address(f"张三 13912345678 {address}")
        assert fast._asdict() == slow.model_dump(), address
