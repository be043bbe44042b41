"""The lookup's previews are rendered with the conversation's context (buyer card, item, order, campaign),
the same context /api/suggest builds; unknown items and orders are refused in the API's error shape."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient

from assistant import keys
from assistant.commerce.models import OrderStatus
from assistant.ttl_cache import TtlCache
from tests.commerce import factory
from tests.conftest import MiniShop
from tests.foundation.test_api_errors import assert_error_shape

Auth = Callable[[int], dict[str, str]]

BODY = (
    "{{ buyer.nick }}（{{ buyer.member_tier }}），{{ item.title }}的订单{{ order.id }}"
    "已由{{ order.courier }}发出，单号{{ order.tracking_no }}"
)


async def _seed(client: TestClient, shop: MiniShop, auth: Auth) -> dict[str, Any]:
    """A phrase using every context name, a member buyer with a shipped order, an item."""
    app: web.Application = client.app
    buyer = factory.buyer(shop.shop_id, "暖暖小鹿", 501, member_tier="gold")
    shipped = factory.order(shop.shop_id, 501, OrderStatus.SHIPPED, age=timedelta(days=2))
    other_shop_order = factory.order(shop.other_shop_id, 502, OrderStatus.PAID)
    stranger = factory.buyer(shop.other_shop_id, "隔壁买家", 502)

    def seed(db: Any) -> int:
        factory.save(db, [buyer, stranger], [shipped, other_shop_order])
        return factory.item(db, shop.shop_id, "LAMP-9", "北欧落地灯", "灯具")

    item_id = await app[keys.DB].write(seed)
    response = await client.post(
        "/api/quick-reply-groups", json={"name": "物流"}, headers=auth(shop.editor_id)
    )
    group = (await response.json())["group"]["id"]
    response = await client.post(
        "/api/quick-replies",
        json={"group_id": group, "code": "wlcx", "title": "物流查询", "body": BODY},
        headers=auth(shop.editor_id),
    )
    assert response.status == 201, await response.text()
    return {"item": item_id, "order": shipped, "other_order": other_shop_order.id}


async def _search(client: TestClient, auth: Auth, who: int, **params: Any) -> Any:
    response = await client.get("/api/quick-replies/search", params=params, headers=auth(who))
    return response.status, await response.json()


async def test_previews_see_the_buyer_card_item_and_order(
    client: TestClient, mini_shop: MiniShop, auth: Auth
) -> None:
    seeded = await _seed(client, mini_shop, auth)
    order = seeded["order"]
    status, body = await _search(
        client,
        auth,
        mini_shop.agent_id,
        q="wlcx",
        buyer="暖暖小鹿",
        item=str(seeded["item"]),
        order=order.id,
    )
    assert status == 200, body
    [hit] = [r for r in body["results"] if r["code"] == "wlcx"]
    assert hit["preview"] == (
        f"暖暖小鹿（金卡会员），北欧落地灯的订单{order.id}已由{order.courier}发出，单号{order.tracking_no}"
    )


async def test_without_context_the_preview_shows_fallbacks_never_tags(
    client: TestClient, mini_shop: MiniShop, auth: Auth
) -> None:
    await _seed(client, mini_shop, auth)
    status, body = await _search(client, auth, mini_shop.agent_id, q="wlcx", buyer="没见过的买家")
    assert status == 200, body
    preview = body["results"][0]["preview"]
    assert preview.startswith("没见过的买家") and "{{" not in preview and "}}" not in preview


@pytest.mark.parametrize(
    ("params", "status", "field"),
    [
        ({"item": "987654"}, 404, "item"),
        ({"order": "20260000000000"}, 404, "order"),
        ({"order": "other_shop"}, 404, "order"),
        ({"item": "abc"}, 400, "item"),
        ({"item": "0"}, 400, "item"),
        ({"order": "x" * 41}, 400, "order"),
        ({"buyer": "买" * 61}, 400, "buyer"),
    ],
)
async def test_unknown_or_bad_context_is_refused_naming_the_field(
    client: TestClient, mini_shop: MiniShop, auth: Auth, params: dict[str, str], status: int, field: str
) -> None:
    seeded = await _seed(client, mini_shop, auth)
    if params.get("order") == "other_shop":
        params = {"order": seeded["other_order"]}  # an order of a shop the search is not about
    got, body = await _search(client, auth, mini_shop.agent_id, q="wlcx", **params)
    assert got == status, body
    assert_error_shape(body, status)
    assert field in {e["field"] for e in body["errors"]}


def test_the_context_cache_forgets_after_its_ttl_and_keeps_at_most_size_entries() -> None:
    now = [100.0]
    cache: TtlCache[str, int] = TtlCache(1.5, size=2, clock=lambda: now[0])
    cache.put("a", 1)
    now[0] += 1.0
    assert cache.get("a") == 1
    now[0] += 1.0
    assert cache.get("a") is None  # stored 2 s ago: read again
    cache.put("a", 1)
    cache.put("b", 2)
    cache.put("c", 3)
    assert (cache.get("a"), cache.get("b"), cache.get("c")) == (None, 2, 3)
