"""Buyer card, notes, tags, risk flags, order lists, logistics exceptions, tracking and related items."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from urllib.parse import quote

import sqlite_utils
from aiohttp.test_utils import TestClient

from assistant.commerce.models import LogisticsStatus, Order, OrderLine, OrderStatus, RefundStatus
from knowledge.database import AsyncDatabase
from tests.commerce import factory
from tests.conftest import MiniShop

Auth = Callable[[int], dict[str, str]]


def seed_returning_buyer(db: AsyncDatabase, shop: MiniShop) -> dict[str, object]:
    """A returning buyer with paid, open, refunded, disputed and stuck orders over two categories."""

    def write(conn: sqlite_utils.Database) -> dict[str, object]:
        lamp = factory.item(conn, shop.shop_id, "LAMP-1", "北欧落地灯", "灯具")
        pot = factory.item(conn, shop.shop_id, "POT-1", "珐琅炖锅", "厨具")
        buyer = factory.buyer(
            shop.shop_id, "tb_小雨", 1, member_tier="gold", platform_level=4, tags=["爱砍价"]
        )

        def lines(item_id: int, title: str, price: int, quantity: int = 1) -> list[OrderLine]:
            return [
                OrderLine(
                    item_id=item_id, sku=f"S{item_id}", title=title, unit_price_fen=price, quantity=quantity
                )
            ]

        orders = [
            factory.order(
                shop.shop_id,
                1,
                OrderStatus.COMPLETED,
                price_fen=60_000,
                age=timedelta(days=200),
                lines=lines(lamp, "北欧落地灯", 60_000),
            ),
            factory.order(
                shop.shop_id,
                1,
                OrderStatus.COMPLETED,
                price_fen=50_000,
                age=timedelta(days=20),
                lines=lines(pot, "珐琅炖锅", 25_000, 2),
            ),
            factory.order(
                shop.shop_id,
                1,
                OrderStatus.SHIPPED,
                price_fen=9_900,
                age=timedelta(days=5),
                lines=lines(lamp, "北欧落地灯", 9_900),
                logistics=[factory.event(LogisticsStatus.IN_TRANSIT, 80)],
            ),
            factory.order(
                shop.shop_id,
                1,
                OrderStatus.REFUNDED,
                price_fen=8_800,
                age=timedelta(days=30),
                refund_status=RefundStatus.REFUNDED,
                lines=lines(pot, "珐琅炖锅", 8_800),
            ),
            factory.order(
                shop.shop_id,
                1,
                OrderStatus.DELIVERED,
                price_fen=7_700,
                age=timedelta(days=3),
                disputed=True,
                lines=lines(pot, "珐琅炖锅", 7_700),
            ),
            factory.order(
                shop.shop_id, 1, OrderStatus.AWAITING_PAYMENT, price_fen=5_500, age=timedelta(hours=1)
            ),
        ]
        factory.save(conn, [buyer], orders)
        factory.save(conn, [factory.buyer(shop.shop_id, "新来的", 2, first_seen_at=factory.NOW)], [])
        return {"lamp": lamp, "pot": pot, "orders": orders}

    return db.write_sync(write)


async def test_buyer_card_tells_who_the_buyer_is(
    client: TestClient, mini_shop: MiniShop, auth: Auth, store_db: AsyncDatabase
) -> None:
    seed_returning_buyer(store_db, mini_shop)
    response = await client.get(f"/api/buyers/{quote('tb_小雨')}", headers=auth(mini_shop.agent_id))
    card = (await response.json())["card"]
    assert response.status == 200
    assert card["customer"]["kind"] == "returning" and card["customer"]["label"] == "老客"
    assert card["buyer"]["member_tier_label"] == "金卡会员" and card["buyer"]["platform_level_label"] == "V4"
    spend = card["spend"]
    assert spend["orders"] == 6 and spend["purchases"] == 4  # completed ×2, shipped, delivered
    assert spend["total_fen"] == 60_000 + 50_000 + 9_900 + 7_700 and spend["total_yuan"] == "¥1,276.00"
    assert spend["average_fen"] == spend["total_fen"] // 4
    assert card["last_purchase"]["summary"] == "珐琅炖锅 ×1"
    assert [c["category"] for c in card["favourite_categories"]] == ["厨具", "灯具"]
    open_statuses = {o["status_label"]: o["alert"] for o in card["open_orders"]}
    assert open_statuses["已发货"] == "物流超过 48 小时未更新"
    assert open_statuses["待付款"].startswith("下单 6") and open_statuses["已签收"] == "纠纷处理中"
    assert card["refunds"]["refunds"] == 1 and card["refunds"]["disputes"] == 1
    assert card["rfm"]["segment_label"] == "重要价值客户" and card["rfm"]["r"] == "high"
    assert card["risk"] is None and card["buyer"]["tags"] == ["爱砍价"]
    fresh = (
        await (await client.get(f"/api/buyers/{quote('新来的')}", headers=auth(mini_shop.agent_id))).json()
    )["card"]
    assert fresh["customer"]["kind"] == "new" and fresh["rfm"]["segment"] == "prospect"
    assert fresh["last_purchase"] is None and fresh["spend"]["total_yuan"] == "¥0.00"


async def test_unknown_buyer_or_shop_is_404(
    client: TestClient, mini_shop: MiniShop, auth: Auth, store_db: AsyncDatabase
) -> None:
    seed_returning_buyer(store_db, mini_shop)
    for url, agent in (
        (f"/api/buyers/{quote('没有这个人')}", mini_shop.agent_id),
        (f"/api/buyers/{quote('tb_小雨')}?shop=999", mini_shop.agent_id),
        (f"/api/buyers/{quote('tb_小雨')}", mini_shop.outsider_id),
        (f"/api/buyers/{quote('tb_小雨')}?shop={mini_shop.shop_id}", mini_shop.outsider_id),
    ):
        response = await client.get(url, headers=auth(agent))
        assert response.status == 404, url
    # The agent logged into both shops finds nobody by that nick in the other shop.
    response = await client.get(
        f"/api/buyers/{quote('tb_小雨')}?shop={mini_shop.other_shop_id}", headers=auth(mini_shop.agent_id)
    )
    assert response.status == 404 and "tb_小雨" in (await response.json())["error"]


async def test_notes_tags_and_risk_flags(
    client: TestClient, mini_shop: MiniShop, auth: Auth, store_db: AsyncDatabase
) -> None:
    seed_returning_buyer(store_db, mini_shop)
    base = f"/api/buyers/{quote('tb_小雨')}"
    response = await client.post(
        f"{base}/notes", json={"text": "要求开专票"}, headers=auth(mini_shop.agent_id)
    )
    assert response.status == 201
    response = await client.post(
        f"{base}/tags",
        json={"version": 1, "add": ["大客户"], "remove": ["爱砍价"]},
        headers=auth(mini_shop.agent_id),
    )
    card = (await response.json())["card"]
    assert card["buyer"]["tags"] == ["大客户"] and card["notes"][0]["text"] == "要求开专票"
    assert card["notes"][0]["agent_name"] == "小美"
    stale = await client.post(
        f"{base}/tags", json={"version": 1, "add": ["x"]}, headers=auth(mini_shop.agent_id)
    )
    assert stale.status == 409 and (await stale.json())["current"]["buyer"]["tags"] == ["大客户"]
    risk = {"version": 2, "flag": "bad_review_extortion", "note": "聊天中要求返现 200 元否则差评，已截图"}
    assert (await client.post(f"{base}/risk", json=risk, headers=auth(mini_shop.agent_id))).status == 403
    missing = await client.post(
        f"{base}/risk", json={**risk, "note": " "}, headers=auth(mini_shop.supervisor_id)
    )
    assert missing.status == 400 and (await missing.json())["errors"][0]["field"] == "note"
    response = await client.post(f"{base}/risk", json=risk, headers=auth(mini_shop.supervisor_id))
    flagged = (await response.json())["card"]["risk"]
    assert response.status == 200 and flagged["label"] == "差评师" and flagged["flagged_by_name"] == "王静"
    assert flagged["note"] == risk["note"] and flagged["flagged_at"]
    cleared = await client.post(
        f"{base}/risk",
        json={"version": 3, "flag": None, "note": "误判，已核实"},
        headers=auth(mini_shop.supervisor_id),
    )
    assert (await cleared.json())["card"]["risk"] is None


async def test_order_list_paginates_and_filters(
    client: TestClient, mini_shop: MiniShop, auth: Auth, store_db: AsyncDatabase
) -> None:
    seed_returning_buyer(store_db, mini_shop)
    base = f"/api/buyers/{quote('tb_小雨')}/orders"
    seen: list[str] = []
    cursor = ""
    while True:
        body = await (await client.get(f"{base}?limit=4{cursor}", headers=auth(mini_shop.agent_id))).json()
        seen.extend(o["id"] for o in body["orders"])
        if body["next_cursor"] is None:
            break
        cursor = f"&cursor={body['next_cursor']}"
    assert len(seen) == len(set(seen)) == 6
    body = await (
        await client.get(f"{base}?status=completed,refunded", headers=auth(mini_shop.agent_id))
    ).json()
    assert {o["status"] for o in body["orders"]} == {"completed", "refunded"}
    bad = await client.get(f"{base}?status=lost", headers=auth(mini_shop.agent_id))
    assert bad.status == 400 and (await bad.json())["errors"][0]["field"] == "status"


async def test_logistics_exceptions_are_detected_and_the_tracking_message_fits(
    client: TestClient, mini_shop: MiniShop, auth: Auth, new_order: Callable[..., Order]
) -> None:
    cases = {
        "stale": [factory.event(LogisticsStatus.IN_TRANSIT, 60)],
        "returned": [factory.event(LogisticsStatus.RETURNED, 2, "收件人拒收，快件退回")],
        "failed_delivery": [factory.event(LogisticsStatus.FAILED_DELIVERY, 3, "电话无人接听，派送失败")],
        "normal": [factory.event(LogisticsStatus.IN_TRANSIT, 5)],
    }
    for state, events in cases.items():
        made = new_order(OrderStatus.SHIPPED, logistics=events)
        body = await (
            await client.get(f"/api/orders/{made.id}/tracking", headers=auth(mini_shop.agent_id))
        ).json()
        assert body["state"] == state
        assert body["exception"] is (state != "normal")
        assert made.tracking_no in body["message"]
    unpaid = new_order(OrderStatus.AWAITING_PAYMENT)
    detail = (await (await client.get(f"/api/orders/{unpaid.id}", headers=auth(mini_shop.agent_id))).json())[
        "order"
    ]
    assert detail["logistics"]["state"] == "not_shipped" and "打包" in detail["logistics"]["message"]
    assert detail["edits"]["price"]["allowed"] is True and detail["edits"]["undo"]["allowed"] is False
    # Personal data is masked in the order detail (the full address is for editing it only).
    assert detail["address"]["full"] == "浙江省杭州市余杭区文一西****"
    assert detail["address"]["phone"] == "138****8000" and detail["address"]["masked"] is True
    assert detail["lines"][0]["subtotal_yuan"] == "¥199.00"


async def test_related_items_combine_pairings_and_bought_together_skipping_out_of_stock(
    client: TestClient, mini_shop: MiniShop, auth: Auth, store_db: AsyncDatabase
) -> None:
    def write(conn: sqlite_utils.Database) -> dict[str, int]:
        ids = {
            "lamp": factory.item(conn, mini_shop.shop_id, "LAMP", "北欧落地灯", "灯具"),
            "bulb": factory.item(
                conn, mini_shop.shop_id, "BULB", "暖光灯泡", "灯具", points=["3000K 暖光不刺眼"]
            ),
            "shade": factory.item(conn, mini_shop.shop_id, "SHADE", "亚麻灯罩", "灯具", stock=0),
            "rug": factory.item(conn, mini_shop.shop_id, "RUG", "羊毛地毯", "家纺"),
        }
        factory.pair(conn, ids["lamp"], ids["bulb"], note="灯泡需另购")
        factory.pair(conn, ids["lamp"], ids["shade"], position=1)
        buyer = factory.buyer(mini_shop.shop_id, "搭配买家", 7)

        def line(key: str) -> OrderLine:
            return OrderLine(item_id=ids[key], sku=key, title=key, unit_price_fen=1_000, quantity=1)

        orders = [
            factory.order(
                mini_shop.shop_id,
                7,
                OrderStatus.COMPLETED,
                price_fen=2_000,
                lines=[line("lamp"), line(other)],
            )
            for other in ("rug", "rug", "shade", "bulb")
        ]
        factory.save(conn, [buyer], orders)
        return ids

    ids = store_db.write_sync(write)
    body = await (
        await client.get(f"/api/items/{ids['lamp']}/related", headers=auth(mini_shop.agent_id))
    ).json()
    related = body["related"]
    assert [r["item_id"] for r in related] == [ids["bulb"], ids["rug"]]
    assert related[0]["source"] == "both" and "灯泡需另购" in related[0]["message"]
    assert related[1]["source"] == "bought_together" and related[1]["bought_together"] == 2
    assert "¥99.00" in related[1]["message"]
    other = await client.get(f"/api/items/{ids['lamp']}/related", headers=auth(mini_shop.outsider_id))
    assert other.status == 404


async def test_address_parse_endpoint(client: TestClient, mini_shop: MiniShop, auth: Auth) -> None:
    response = await client.post(
        "/api/address/parse",
        json={"text": "张三 13800138000 浙江省杭州市余杭区文一西路969号"},
        headers=auth(mini_shop.agent_id),
    )
    body = await response.json()
    assert response.status == 200 and body["ok"] is True
    assert body["address"] == {
        "name": "张三",
        "phone": "13800138000",
        "province": "浙江省",
        "city": "杭州市",
        "district": "余杭区",
        "detail": "文一西路969号",
        "notes": [],
    }
    # An address alone (an export's 收货地址, a buyer changing only the address): name and phone
    # are left empty for the order's current ones; an old district is mapped and said so.
    response = await client.post(
        "/api/address/parse",
        json={"text": "浙江省 杭州市 江干区 凯旋路1号(310000)"},
        headers=auth(mini_shop.agent_id),
    )
    body = await response.json()
    assert response.status == 200, body
    assert (body["address"]["name"], body["address"]["phone"], body["address"]["district"]) == (
        "",
        "",
        "上城区",
    )
    assert body["address"]["detail"] == "凯旋路1号"
    assert len(body["address"]["notes"]) == 1 and "江干区" in body["address"]["notes"][0]
    response = await client.post(
        "/api/address/parse",
        json={"text": "浙江省杭州市西湖区文三路1号 江苏省南京市鼓楼区中山路1号"},
        headers=auth(mini_shop.agent_id),
    )
    body = await response.json()
    assert response.status == 400 and body["errors"][0]["field"] == "region"
    assert "两个不同的地区" in body["errors"][0]["message"]
    response = await client.post(
        "/api/address/parse",
        json={"text": "张三 1380013 浙江省杭州市余杭区文一西路969号"},
        headers=auth(mini_shop.agent_id),
    )
    body = await response.json()
    assert response.status == 400 and body["errors"][0]["field"] == "phone"
