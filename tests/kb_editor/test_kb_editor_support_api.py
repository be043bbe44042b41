"""The knowledge editor's helpers through the real app: the item picker and marking an unmatched
question handled (role, shop scoping, the one error shape)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import sqlite_utils
from aiohttp import web
from aiohttp.test_utils import TestClient

from assistant import keys
from knowledge import store
from knowledge.models import Item, ItemKnowledge
from tests.conftest import MiniShop

Auth = Callable[[int], dict[str, str]]


def _item(shop_id: int, sku: str, title: str) -> Item:
    return Item(id=1, shop_id=shop_id, sku=sku, title=title, category="厨房", price_fen=9900, stock=5)


async def _seed_items(app: web.Application, shop: MiniShop) -> dict[str, int]:
    def fn(db: sqlite_utils.Database) -> dict[str, int]:
        kettle = store.insert_item(db, _item(shop.shop_id, "K-1", "电热水壶 1.7L"), None)
        pot = store.insert_item(
            db, _item(shop.shop_id, "P-2", "不粘锅 28cm"), ItemKnowledge(item_id=1, selling_points=["不粘"])
        )
        lamp = store.insert_item(db, _item(shop.other_shop_id, "L-3", "台灯"), None)
        return {"kettle": kettle, "pot": pot, "lamp": lamp}

    return dict(await app[keys.DB].write(fn))


async def _json(resp: Any) -> dict[str, Any]:
    return dict(await resp.json())


async def test_item_picker_searches_the_shop_and_puts_hot_items_first(
    client: TestClient, auth: Auth, mini_shop: MiniShop
) -> None:
    ids = await _seed_items(client.app, mini_shop)
    resp = await client.post(
        "/api/kb/intents",
        headers=auth(mini_shop.editor_id),
        json={
            "shop_id": mini_shop.shop_id,
            "key": "pot_size",
            "name": "锅的尺寸",
            "examples": ["锅多大"],
            "answers": ["28厘米"],
            "item_id": ids["pot"],
        },
    )
    assert resp.status == 201, await resp.json()
    url = f"/api/kb/items?shop={mini_shop.shop_id}"
    body = await _json(await client.get(url, headers=auth(mini_shop.editor_id)))
    assert [(i["id"], i["hot_answers"], i["has_knowledge"]) for i in body["items"]] == [
        (ids["pot"], 1, True),
        (ids["kettle"], 0, False),
    ]
    body = await _json(await client.get(url + "&q=水壶", headers=auth(mini_shop.editor_id)))
    assert [i["sku"] for i in body["items"]] == ["K-1"]
    body = await _json(await client.get(url + "&hot=true", headers=auth(mini_shop.editor_id)))
    assert [i["id"] for i in body["items"]] == [ids["pot"]]
    resp = await client.put(
        f"/api/kb/items/{ids['kettle']}/knowledge",
        headers=auth(mini_shop.editor_id),
        json={"item_id": ids["kettle"], "selling_points": ["烧水快"]},
    )
    assert resp.status == 200, await resp.json()
    body = await _json(await client.get(url + "&q=K-", headers=auth(mini_shop.editor_id)))
    # the first save keeps what the item had (nothing) as a revision of its own, then the save
    assert [(i["has_knowledge"], i["knowledge_revisions"]) for i in body["items"]] == [(True, 2)]


async def test_item_picker_is_for_editors_of_the_shop(
    client: TestClient, auth: Auth, mini_shop: MiniShop
) -> None:
    resp = await client.get(f"/api/kb/items?shop={mini_shop.shop_id}", headers=auth(mini_shop.agent_id))
    assert resp.status == 403
    resp = await client.get(
        f"/api/kb/items?shop={mini_shop.other_shop_id}", headers=auth(mini_shop.editor_id)
    )
    body = await _json(resp)
    assert resp.status == 404 and body["ok"] is False and body["errors"][0]["field"] == "shop"
    resp = await client.get(
        f"/api/kb/items?shop={mini_shop.shop_id}&limit=0", headers=auth(mini_shop.editor_id)
    )
    body = await _json(resp)
    assert resp.status == 400 and body["errors"][0]["field"] == "limit"


async def test_an_unmatched_question_is_handled_once(
    client: TestClient, auth: Auth, mini_shop: MiniShop
) -> None:
    await client.post(
        "/api/suggest",
        headers=auth(mini_shop.agent_id),
        json={"shop": mini_shop.shop_id, "message": "你们老板是哪里人"},
    )
    url = f"/api/kb/unmatched?shop={mini_shop.shop_id}"
    messages = (await _json(await client.get(url, headers=auth(mini_shop.editor_id))))["messages"]
    assert len(messages) == 1
    message_id = messages[0]["id"]
    resp = await client.delete(f"/api/kb/unmatched/{message_id}", headers=auth(mini_shop.agent_id))
    assert resp.status == 403
    resp = await client.delete(f"/api/kb/unmatched/{message_id}", headers=auth(mini_shop.editor_id))
    assert resp.status == 200 and (await _json(resp))["handled"] == message_id
    assert (await _json(await client.get(url, headers=auth(mini_shop.editor_id))))["messages"] == []
    resp = await client.delete(f"/api/kb/unmatched/{message_id}", headers=auth(mini_shop.editor_id))
    body = await _json(resp)
    assert resp.status == 404 and "已被处理" in body["error"]


async def test_a_sample_context_is_served_for_previews(
    client: TestClient, auth: Auth, mini_shop: MiniShop
) -> None:
    body = await _json(await client.get("/api/kb/samples/campaign", headers=auth(mini_shop.editor_id)))
    assert body["name"] == "campaign" and body["context"]["campaign"]
    context = {**body["context"], "campaign": {**body["context"]["campaign"], "discount": "满999减99"}}
    resp = await client.post(
        "/api/kb/preview",
        headers=auth(mini_shop.editor_id),
        json={"template": "双11 {{ campaign.discount }}", "context": context},
    )
    assert (await _json(resp))["text"] == "双11 满999减99"
    resp = await client.get("/api/kb/samples/nope", headers=auth(mini_shop.editor_id))
    body = await _json(resp)
    assert resp.status == 404 and body["errors"][0]["field"] == "name"
    assert (await client.get("/api/kb/samples/campaign", headers=auth(mini_shop.agent_id))).status == 403
