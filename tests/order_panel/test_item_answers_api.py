"""GET /api/kb/items/{item_id}/answers: the item's own hot-item answers, rendered, before the buyer asks."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import sqlite_utils
from aiohttp import web
from aiohttp.test_utils import TestClient

from assistant import keys
from knowledge import store
from knowledge.models import Item
from tests.conftest import MiniShop

Auth = Callable[[int], dict[str, str]]


async def _items(app: web.Application, shop: MiniShop) -> tuple[int, int, int]:
    def write(db: sqlite_utils.Database) -> tuple[int, int, int]:
        def item(shop_id: int, sku: str, title: str) -> int:
            return store.insert_item(
                db,
                Item(id=1, shop_id=shop_id, sku=sku, title=title, category="厨房", price_fen=19900, stock=5),
                None,
            )

        return (
            item(shop.shop_id, "K-1", "电热水壶 1.7L"),
            item(shop.shop_id, "P-2", "汤锅"),
            item(shop.other_shop_id, "L-3", "台灯"),
        )

    return await app[keys.DB].write(write)


async def _intent(client: TestClient, auth: Auth, shop: MiniShop, **data: Any) -> dict[str, Any]:
    body = {"shop_id": shop.shop_id, "topic": "product", "examples": ["这个怎么样"], **data}
    resp = await client.post("/api/kb/intents", json=body, headers=auth(shop.editor_id))
    out = await resp.json()
    assert resp.status == 201, out
    return dict(out["intent"])


async def test_lists_only_the_items_own_answers_rendered_for_the_buyer(
    client: TestClient, app: web.Application, auth: Auth, mini_shop: MiniShop
) -> None:
    kettle, pot, _ = await _items(app, mini_shop)
    capacity = await _intent(
        client,
        auth,
        mini_shop,
        key="kettle_size",
        name="水壶容量",
        item_id=kettle,
        answers=["{{ buyer.nick }}，{{ item.title }} 能装 1.7 升水～"],
    )
    wash = await _intent(
        client,
        auth,
        mini_shop,
        key="kettle_clean",
        name="水壶除垢",
        item_id=kettle,
        answers=["用柠檬酸煮一遍就干净啦", "加白醋烧开静置半小时即可"],
    )
    await _intent(client, auth, mini_shop, key="pot_size", name="汤锅尺寸", item_id=pot, answers=["24 厘米"])
    await _intent(client, auth, mini_shop, key="general", name="发货", answers=["48 小时内发货"])
    off = await _intent(
        client, auth, mini_shop, key="kettle_old", name="旧问答", item_id=kettle, answers=["旧的"]
    )
    resp = await client.put(
        f"/api/kb/intents/{off['id']}", json={**off, "enabled": False}, headers=auth(mini_shop.editor_id)
    )
    assert resp.status == 200, await resp.json()

    resp = await client.get(
        f"/api/kb/items/{kettle}/answers?shop={mini_shop.shop_id}&buyer=小雨",
        headers=auth(mini_shop.agent_id),
    )
    body = await resp.json()
    assert resp.status == 200, body
    assert body["item_id"] == kettle
    assert [a["id"] for a in body["answers"]] == [capacity["id"], wash["id"]]
    first, second = body["answers"]
    assert first["name"] == "水壶容量" and first["answer"] == "小雨，电热水壶 1.7L 能装 1.7 升水～"
    assert first["variants"] == 1 and first["missing"] == []
    assert second["variants"] == 2 and second["answer"] == wash["answers"][second["variant"]]
    again = await (
        await client.get(
            f"/api/kb/items/{kettle}/answers?shop={mini_shop.shop_id}&buyer=小雨",
            headers=auth(mini_shop.agent_id),
        )
    ).json()
    assert again["answers"] == body["answers"]  # the variant is stable for one buyer


async def test_campaign_bound_answers_only_while_the_campaign_runs(
    client: TestClient, app: web.Application, auth: Auth, mini_shop: MiniShop
) -> None:
    kettle, _, _ = await _items(app, mini_shop)
    now = datetime.now(UTC)
    windows = {
        "running": (now - timedelta(days=1), now + timedelta(days=1)),
        "over": (now - timedelta(days=5), now - timedelta(days=2)),
    }
    ids = {}
    for name, (start, end) in windows.items():
        resp = await client.post(
            "/api/kb/campaigns",
            json={
                "shop_id": mini_shop.shop_id,
                "name": f"活动{name}",
                "starts_at": start.isoformat(),
                "ends_at": end.isoformat(),
                "scripts": [],
            },
            headers=auth(mini_shop.editor_id),
        )
        out = await resp.json()
        assert resp.status == 201, out
        ids[name] = out["campaign"]["id"]
    live = await _intent(
        client,
        auth,
        mini_shop,
        key="k_live",
        name="活动价",
        item_id=kettle,
        campaign_id=ids["running"],
        answers=["活动价 ¥159"],
    )
    await _intent(
        client,
        auth,
        mini_shop,
        key="k_over",
        name="过期活动价",
        item_id=kettle,
        campaign_id=ids["over"],
        answers=["已结束"],
    )
    body = await (
        await client.get(f"/api/kb/items/{kettle}/answers", headers=auth(mini_shop.agent_id))
    ).json()
    assert [a["id"] for a in body["answers"]] == [live["id"]]


async def test_foreign_item_unknown_shop_and_bad_input_are_refused(
    client: TestClient, app: web.Application, auth: Auth, mini_shop: MiniShop
) -> None:
    kettle, _, lamp = await _items(app, mini_shop)
    cases = [
        (
            f"/api/kb/items/{lamp}/answers",
            mini_shop.agent_id,
            404,
            "item",
        ),  # other shop's item, main shop asked
        (f"/api/kb/items/{kettle}/answers", mini_shop.outsider_id, 404, "item"),
        (f"/api/kb/items/{kettle}/answers?shop=999", mini_shop.agent_id, 404, "shop"),
        (f"/api/kb/items/{kettle}/answers?limit=0", mini_shop.agent_id, 400, "limit"),
        ("/api/kb/items/abc/answers", mini_shop.agent_id, 400, "item_id"),
    ]
    for path, agent, status, field in cases:
        resp = await client.get(path, headers=auth(agent))
        body = await resp.json()
        assert resp.status == status, (path, body)
        assert body["errors"][0]["field"] == field, (path, body)
    resp = await client.get(f"/api/kb/items/{kettle}/answers")
    assert resp.status == 401
