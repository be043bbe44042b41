"""Order and buyer snapshots from the host, through the real app: strict fields, newest platform time wins."""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any

import pytest
import sqlite_utils
from aiohttp.test_utils import TestClient

from knowledge.database import AsyncDatabase
from tests.commerce import factory
from tests.conftest import MiniShop

Auth = Callable[[int], dict[str, str]]
ORDER_ID = "4100000000000001"


def snapshot(**changes: Any) -> dict[str, Any]:
    base: dict[str, Any] = {
        "type": "order.snapshot",
        "shop": "test_shop",
        "order_id": ORDER_ID,
        "buyer": "tb_新买家",
        "modified_at": "2026-11-11T10:05:00+08:00",
        "status": "shipped",
        "created_at": "2026-11-11T09:00:00+08:00",
        "paid_at": "2026-11-11T09:02:00+08:00",
        "shipped_at": "2026-11-11T10:00:00+08:00",
        "price_fen": 25_800,
        "postage_fen": 0,
        "address": {
            "name": "王小二",
            "phone": "13812345276",
            "province": "浙江省",
            "city": "杭州市",
            "district": "西湖区",
            "detail": "文三路90号东部软件园3号楼",
        },
        "seller_remark": "送小样",
        "remark_flag": "green",
        "courier": "顺丰速运",
        "tracking_no": "SF1234567890",
        "lines": [
            {
                "item_id": 999_999,
                "sku": "MUG-2",
                "title": "手冲咖啡杯",
                "unit_price_fen": 12_900,
                "quantity": 2,
            },
        ],
        "logistics": [
            {
                "at": "2026-11-11T10:00:00+08:00",
                "status": "collected",
                "location": "杭州",
                "description": "顺丰已揽收",
            },
            {
                "at": "2026-11-11T12:00:00+08:00",
                "status": "in_transit",
                "location": "杭州",
                "description": "快件已到达杭州转运中心",
            },
        ],
    }
    base.update(changes)
    return base


async def post(
    client: TestClient, headers: dict[str, str], event: dict[str, Any]
) -> tuple[int, dict[str, Any]]:
    response = await client.post("/api/events", json=event, headers=headers)
    return response.status, await response.json()


async def test_a_new_order_snapshot_shows_in_the_buyer_card_and_order_detail(
    client: TestClient, mini_shop: MiniShop, auth: Auth, store_db: AsyncDatabase
) -> None:
    item_id = store_db.write_sync(
        lambda db: factory.item(db, mini_shop.shop_id, "MUG-1", "陶瓷马克杯", "杯子")
    )
    event = snapshot()
    event["lines"] = [
        *event["lines"],
        {"item_id": item_id, "sku": "MUG-1", "title": "陶瓷马克杯", "unit_price_fen": 0 + 100, "quantity": 1},
    ]
    headers = auth(mini_shop.agent_id)
    status, body = await post(client, headers, event)
    assert status == 200, body
    assert body["snapshot"] == {
        "applied": True,
        "reason": "new",
        "order_id": ORDER_ID,
        "buyer": "tb_新买家",
        "version": 1,
        "kept_local": [],
        "unknown_items": [999_999],
    }
    card = await (await client.get("/api/buyers/tb_新买家", headers=headers)).json()
    assert [o["order_id"] for o in card["card"]["open_orders"]] == [ORDER_ID]
    detail = (await (await client.get(f"/api/orders/{ORDER_ID}", headers=headers)).json())["order"]
    assert detail["status"] == "shipped" and detail["logistics"]["tracking_no"] == "SF1234567890"
    assert [(line["item_id"], line["quantity"]) for line in detail["lines"]] == [(None, 2), (item_id, 1)]
    assert [e["status"] for e in detail["logistics"]["events"]] == ["in_transit", "collected"]  # newest first
    assert detail["address"]["phone"] == "138****5276" and detail["seller_remark"] == "送小样"


async def test_an_older_snapshot_never_overwrites_a_newer_one(
    client: TestClient, mini_shop: MiniShop, auth: Auth
) -> None:
    headers = auth(mini_shop.agent_id)
    newer = snapshot(modified_at="2026-11-11T03:00:00Z", status="delivered", seller_remark="已签收")
    assert (await post(client, headers, newer))[1]["snapshot"]["reason"] == "new"
    # The same moment written in another offset is not newer either.
    for modified in ("2026-11-11T10:05:00+08:00", "2026-11-11T11:00:00+08:00"):
        status, body = await post(client, headers, snapshot(modified_at=modified, seller_remark="旧的"))
        assert (
            status == 200 and body["snapshot"]["applied"] is False and body["snapshot"]["reason"] == "older"
        )
    detail = (await (await client.get(f"/api/orders/{ORDER_ID}", headers=headers)).json())["order"]
    assert detail["status"] == "delivered" and detail["seller_remark"] == "已签收" and detail["version"] == 1

    same = snapshot(
        modified_at="2026-11-11T11:00:00.000001+08:00", status="delivered", seller_remark="已签收"
    )
    body = (await post(client, headers, same))[1]
    assert body["snapshot"]["reason"] == "unchanged" and body["snapshot"]["version"] == 1
    later = snapshot(modified_at="2026-11-12T09:00:00+08:00", status="completed", seller_remark="已签收")
    body = (await post(client, headers, later))[1]
    assert body["snapshot"]["reason"] == "updated" and body["snapshot"]["version"] == 2
    detail = (await (await client.get(f"/api/orders/{ORDER_ID}", headers=headers)).json())["order"]
    assert detail["status"] == "completed" and detail["version"] == 2


@pytest.mark.parametrize(
    ("change", "field"),
    [
        (lambda e: e.update(price_fen=258.0), "price_fen"),
        (lambda e: e.update(price_fen="25800"), "price_fen"),
        (lambda e: e.update(status="等待买家付款"), "status"),
        (lambda e: e.update(modified_at="2026-11-11 10:05"), "modified_at"),
        (lambda e: e.update(modified_at="2026-11-11T10:05:00"), "modified_at"),
        (lambda e: e.update(colour="red"), "colour"),
        (lambda e: e.pop("address"), "address"),
        (lambda e: e["address"].update(phone="5276"), "address.phone"),
        (lambda e: e["address"].update(street="文三路"), "address.street"),
        (lambda e: e.update(lines=[]), "lines"),
        (lambda e: e["lines"][0].update(quantity="2"), "lines.0.quantity"),
        (lambda e: e["logistics"][1].update(status="lost"), "logistics.1.status"),
        (lambda e: e["logistics"][0].update(at="2026-11-11T10:00:00"), "logistics.0.at"),
        (lambda e: e.update(order_id="A-1"), "order_id"),
        (lambda e: e.update(disputed="no"), "disputed"),
    ],
)
async def test_an_invalid_order_snapshot_names_the_field_and_changes_nothing(
    client: TestClient, mini_shop: MiniShop, auth: Auth, change: Callable[[dict[str, Any]], Any], field: str
) -> None:
    event = copy.deepcopy(snapshot())
    change(event)
    status, body = await post(client, auth(mini_shop.agent_id), event)
    assert status == 400, body
    assert [e["field"] for e in body["errors"]] == [field], body
    response = await client.get(f"/api/orders/{ORDER_ID}", headers=auth(mini_shop.agent_id))
    assert response.status in (400, 404)


async def test_snapshots_of_a_shop_the_agent_is_not_in_are_refused(
    client: TestClient, mini_shop: MiniShop, auth: Auth
) -> None:
    status, body = await post(client, auth(mini_shop.outsider_id), snapshot())
    assert status == 403 and body["errors"][0]["field"] == "shop"
    status, body = await post(client, auth(mini_shop.agent_id), snapshot(shop="nowhere"))
    assert status == 400 and body["errors"][0]["field"] == "shop"
    assert (await post(client, auth(mini_shop.agent_id), snapshot()))[0] == 200
    status, body = await post(
        client, auth(mini_shop.agent_id), snapshot(shop="other_shop", modified_at="2026-11-12T00:00:00+08:00")
    )
    assert status == 400 and body["errors"][0]["field"] == "order_id"


async def test_buyer_snapshots_are_ordered_too_and_keep_our_tiers_and_tags(
    client: TestClient, mini_shop: MiniShop, auth: Auth, store_db: AsyncDatabase
) -> None:
    headers = auth(mini_shop.agent_id)
    buyer = {
        "type": "buyer.snapshot",
        "shop": "test_shop",
        "buyer": "tb_老朋友",
        "platform_level": 3,
        "modified_at": "2026-11-11T10:00:00+08:00",
        "first_seen_at": "2024-05-01T12:00:00+08:00",
    }
    assert (await post(client, headers, buyer))[1]["snapshot"]["reason"] == "new"
    card = (await (await client.get("/api/buyers/tb_老朋友", headers=headers)).json())["card"]
    assert card["buyer"]["platform_level"] == 3
    older = {**buyer, "platform_level": 1, "modified_at": "2026-11-10T10:00:00+08:00"}
    assert (await post(client, headers, older))[1]["snapshot"]["reason"] == "older"
    store_db.write_sync(
        lambda db: db.execute(
            "UPDATE buyers SET member_tier = 'gold', tags = '[\"VIP\"]' WHERE nick = 'tb_老朋友'"
        )
    )
    newer = {**buyer, "platform_level": 5, "modified_at": "2026-11-12T10:00:00+08:00"}
    assert (await post(client, headers, newer))[1]["snapshot"]["reason"] == "updated"

    def row(db: sqlite_utils.Database) -> tuple[Any, ...]:
        return tuple(
            db.execute(
                "SELECT platform_level, member_tier, tags FROM buyers WHERE nick = 'tb_老朋友'"
            ).fetchone()
        )

    assert store_db.read_sync(row) == (5, "gold", '["VIP"]')
    for bad, field in (
        ({"platform_level": 7}, "platform_level"),
        ({"platform_level": "5"}, "platform_level"),
        ({"tier": "gold"}, "tier"),
        ({"buyer": ""}, "buyer"),
    ):
        status, body = await post(client, headers, {**buyer, **bad})
        assert status == 400 and [e["field"] for e in body["errors"]] == [field], body


async def test_a_snapshot_keeps_the_fields_of_an_edit_still_waiting_for_the_platform(
    client: TestClient, mini_shop: MiniShop, auth: Auth
) -> None:
    headers = auth(mini_shop.agent_id)
    unpaid = snapshot(
        status="awaiting_payment", paid_at=None, shipped_at=None, courier=None, tracking_no=None, logistics=[]
    )
    await post(client, headers, unpaid)
    response = await client.post(
        f"/api/orders/{ORDER_ID}/remark",
        headers={**headers, "Idempotency-Key": "k-remark-1"},
        json={"version": 1, "text": "周五前发", "flag": "red"},
    )
    assert response.status == 200
    # The host pushes a snapshot taken before the platform applied our remark; the price changed there.
    status, body = await post(
        client, headers, {**unpaid, "modified_at": "2026-11-11T10:06:00+08:00", "price_fen": 23_800}
    )
    assert status == 200 and body["snapshot"]["kept_local"] == ["seller_remark", "remark_flag"]
    detail = (await (await client.get(f"/api/orders/{ORDER_ID}", headers=headers)).json())["order"]
    assert (
        detail["seller_remark"] == "周五前发"
        and detail["remark_flag"] == "red"
        and detail["price_fen"] == 23_800
    )
