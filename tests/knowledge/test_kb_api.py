"""The knowledge-base API through the real app: suggest, preview/lint, CRUD, history, rollback, bad input."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from aiohttp.test_utils import TestClient

from tests.conftest import MiniShop

Auth = Callable[[int], dict[str, str]]

SHIP = {
    "key": "ship_time",
    "name": "发货时间",
    "topic": "shipping",
    "keywords": ["发货"],
    "examples": ["什么时候发货", "下单后多久发货", "几天能发出"],
    "answers": ["{{ buyer.name }}，付款后48小时内发货哦", "亲，拍下后两天内寄出～"],
}
PAY = {
    "key": "pay_remind",
    "name": "催付款",
    "topic": "payment",
    "keywords": ["付款"],
    "examples": ["怎么付款", "付款方式有哪些"],
    "answers": ["亲，订单还没付款哦，付款后马上安排发货～"],
}
CHEAP = {
    "key": "cheaper",
    "name": "议价",
    "topic": "price",
    "examples": ["能便宜点吗", "可以优惠吗", "有折扣吗"],
    "answers": ["亲，现在已经是活动价啦～"],
}


async def _create(client: TestClient, auth: Auth, shop: MiniShop, data: dict[str, Any]) -> dict[str, Any]:
    resp = await client.post(
        "/api/kb/intents", json={"shop_id": shop.shop_id, **data}, headers=auth(shop.editor_id)
    )
    body = await resp.json()
    assert resp.status == 201, body
    return dict(body["intent"])


async def test_suggest_ranks_renders_and_explains(
    client: TestClient, auth: Auth, mini_shop: MiniShop
) -> None:
    for data in (SHIP, PAY, CHEAP):
        await _create(client, auth, mini_shop, data)
    resp = await client.post(
        "/api/suggest",
        headers=auth(mini_shop.agent_id),
        json={
            "shop": mini_shop.shop_id,
            "message": "親，請問什麼時候發貨呀？？能便宜點嗎😊",
            "buyer": "小雨",
        },
    )
    body = await resp.json()
    assert resp.status == 200, body
    assert body["confident"] is True
    first, second = body["questions"]
    assert first["suggestions"][0]["key"] == "ship_time"
    assert second["suggestions"][0]["key"] == "cheaper"
    top = first["suggestions"][0]
    assert "发货" in top["why"]["matched_words"] and top["why"]["example"]
    assert "{{" not in top["answer"] and top["variants"] == 2
    assert 0 <= top["score"] <= 1


async def test_unpaid_order_turns_shipping_into_payment(
    client: TestClient, auth: Auth, mini_shop: MiniShop
) -> None:
    for data in (SHIP, PAY):
        await _create(client, auth, mini_shop, data)
    body = await (
        await client.post(
            "/api/suggest",
            headers=auth(mini_shop.agent_id),
            json={"shop": mini_shop.shop_id, "message": "什么时候发货", "order_status": "awaiting_payment"},
        )
    ).json()
    top = body["questions"][0]["suggestions"][0]
    assert top["key"] == "pay_remind" and top["why"]["order_status"] == "awaiting_payment"
    body = await (
        await client.post(
            "/api/suggest",
            headers=auth(mini_shop.agent_id),
            json={"shop": mini_shop.shop_id, "message": "什么时候发货", "order_status": "paid"},
        )
    ).json()
    assert body["questions"][0]["suggestions"][0]["key"] == "ship_time"


async def test_no_confident_match_is_said_and_kept(
    client: TestClient, auth: Auth, mini_shop: MiniShop
) -> None:
    await _create(client, auth, mini_shop, SHIP)
    body = await (
        await client.post(
            "/api/suggest",
            headers=auth(mini_shop.agent_id),
            json={"shop": mini_shop.shop_id, "message": "你们老板是哪里人"},
        )
    ).json()
    assert body["confident"] is False and body["questions"][0]["confident"] is False
    await client.post(
        "/api/suggest",
        headers=auth(mini_shop.agent_id),
        json={"shop": mini_shop.shop_id, "message": "你们老板是哪里人？"},
    )
    listed = await (
        await client.get(f"/api/kb/unmatched?shop={mini_shop.shop_id}", headers=auth(mini_shop.editor_id))
    ).json()
    assert "messages" in listed, listed
    assert [(m["normalized"], m["count"]) for m in listed["messages"]] == [("你们老板是哪里人", 2)]


@pytest.mark.parametrize(
    ("payload", "status", "field"),
    [
        ({"message": ""}, 400, "message"),
        ({"message": "   "}, 400, "message"),
        ({"message": "发货" * 1000}, 400, "message"),
        ({"message": "发货", "item": 999}, 404, "item"),
        ({"message": "发货", "order": "nope"}, 404, "order"),
        ({"message": "发货", "shop": 999}, 404, "shop"),
        ({"message": "发货", "extra": 1}, 400, "extra"),
    ],
)
async def test_suggest_bad_input(
    client: TestClient, auth: Auth, mini_shop: MiniShop, payload: dict[str, Any], status: int, field: str
) -> None:
    resp = await client.post(
        "/api/suggest", headers=auth(mini_shop.agent_id), json={"shop": mini_shop.shop_id, **payload}
    )
    body = await resp.json()
    assert resp.status == status, body
    assert body["ok"] is False and body["status"] == status and body["error"]
    assert field in [e["field"] for e in body["errors"]]


async def test_preview_renders_and_lints(client: TestClient, auth: Auth, mini_shop: MiniShop) -> None:
    headers = auth(mini_shop.editor_id)
    body = await (
        await client.post(
            "/api/kb/preview",
            headers=headers,
            json={
                "template": "{{ buyer.name }}，{{ item.title }} {{ item.price_fen|money }}",
                "sample": "unpaid_order",
            },
        )
    ).json()
    assert body["text"] == "佳宁，加厚珊瑚绒四件套 1.8m床 ¥259" and body["findings"] == []
    body = await (
        await client.post(
            "/api/kb/preview", headers=headers, json={"template": "亲\n{{ buyer.name ", "sample": "new_buyer"}
        )
    ).json()
    assert body["text"] is None
    assert [(f["kind"], f["line"]) for f in body["findings"]] == [("syntax", 2)]
    assert body["findings"][0]["column"] >= 1
    body = await (
        await client.post(
            "/api/kb/preview",
            headers=headers,
            json={"template": "{{ buyer.nik }}{{ 1|monie }}{{ ''.__class__ }}"},
        )
    ).json()
    assert {f["kind"] for f in body["findings"]} >= {"unknown_variable", "unknown_filter", "unsafe"}
    resp = await client.post("/api/kb/preview", headers=auth(mini_shop.agent_id), json={"template": "x"})
    assert resp.status == 403


async def test_template_with_syntax_error_is_refused_on_save(
    client: TestClient, auth: Auth, mini_shop: MiniShop
) -> None:
    resp = await client.post(
        "/api/kb/intents",
        headers=auth(mini_shop.editor_id),
        json={"shop_id": mini_shop.shop_id, **SHIP, "answers": ["好的", "{% if %}"]},
    )
    body = await resp.json()
    assert resp.status == 400 and body["errors"][0]["field"] == "answers.1"
    assert body["errors"][0]["message"].startswith("第 1 行第 ")  # a field error stands alone: it says where


async def test_crud_versions_revisions_and_rollback(
    client: TestClient, auth: Auth, mini_shop: MiniShop
) -> None:
    headers = auth(mini_shop.editor_id)
    intent = await _create(client, auth, mini_shop, SHIP)
    url = f"/api/kb/intents/{intent['id']}"
    changed = {**intent, "examples": [*intent["examples"], "啥时候寄出"], "name": "发货时效"}
    resp = await client.put(url, headers=headers, json=changed)
    assert resp.status == 200
    assert (await resp.json())["intent"]["version"] == 2
    stale = await client.put(url, headers=headers, json={**changed, "name": "旧的"})
    body = await stale.json()
    assert stale.status == 409 and body["current"]["version"] == 2 and body["current"]["name"] == "发货时效"
    history = await (await client.get(f"/api/kb/intents/{intent['id']}/revisions", headers=headers)).json()
    assert [r["action"] for r in history["revisions"]] == ["update", "create"]
    first = history["revisions"][-1]["id"]
    resp = await client.post(
        f"/api/kb/intents/{intent['id']}/rollback", headers=headers, json={"revision_id": first, "version": 2}
    )
    restored = (await resp.json())["intent"]
    assert resp.status == 200 and restored["name"] == "发货时间" and restored["version"] == 3
    listed = await (
        await client.get(f"/api/kb/intents?shop={mini_shop.shop_id}&q=发货", headers=headers)
    ).json()
    assert [i["key"] for i in listed["intents"]] == ["ship_time"]
    resp = await client.delete(f"{url}?version=3", headers=headers)
    assert resp.status == 200
    assert (await client.get(url, headers=headers)).status == 404
    resp = await client.post(
        f"/api/kb/intents/{intent['id']}/rollback", headers=headers, json={"revision_id": first}
    )
    assert resp.status == 200 and (await resp.json())["intent"]["version"] == 5
    suggest = await (
        await client.post(
            "/api/suggest",
            headers=auth(mini_shop.agent_id),
            json={"shop": mini_shop.shop_id, "message": "什么时候发货"},
        )
    ).json()
    assert suggest["questions"][0]["suggestions"][0]["key"] == "ship_time"


async def test_agent_cannot_edit(client: TestClient, auth: Auth, mini_shop: MiniShop) -> None:
    resp = await client.post(
        "/api/kb/intents", headers=auth(mini_shop.agent_id), json={"shop_id": mini_shop.shop_id, **SHIP}
    )
    assert resp.status == 403


async def test_synonym_edit_changes_matching(client: TestClient, auth: Auth, mini_shop: MiniShop) -> None:
    await _create(client, auth, mini_shop, {**CHEAP, "examples": ["可以打个折吗"]})
    await _create(client, auth, mini_shop, SHIP)
    before = await (
        await client.post(
            "/api/suggest",
            headers=auth(mini_shop.agent_id),
            json={"shop": mini_shop.shop_id, "message": "能让利吗"},
        )
    ).json()
    resp = await client.post(
        "/api/kb/synonyms",
        headers=auth(mini_shop.editor_id),
        json={"shop_id": mini_shop.shop_id, "words": ["打折", "让利"]},
    )
    assert resp.status == 201
    after = await (
        await client.post(
            "/api/suggest",
            headers=auth(mini_shop.agent_id),
            json={"shop": mini_shop.shop_id, "message": "能让利吗"},
        )
    ).json()
    score = after["questions"][0]["suggestions"][0]
    assert score["key"] == "cheaper"
    old = before["questions"][0]["suggestions"]
    assert not old or old[0]["score"] < score["score"]


async def test_campaign_scripts_active_only_in_window(
    client: TestClient, auth: Auth, mini_shop: MiniShop
) -> None:
    now = datetime.now(UTC)
    campaign = {
        "shop_id": mini_shop.shop_id,
        "name": "双11",
        "rules": "满300减40",
        "starts_at": (now - timedelta(hours=1)).isoformat(),
        "ends_at": (now + timedelta(days=1)).isoformat(),
        "variables": {"discount": "满300减40"},
        "scripts": [
            {
                "kind": "welcome",
                "title": "欢迎",
                "body": "欢迎光临{{ shop.name }}，{{ campaign.name }}{{ campaign.discount }}",
            },
            {
                "kind": "emergency",
                "situation": "付款失败",
                "title": "支付故障",
                "body": "亲，支付通道拥堵，请稍后再试",
            },
        ],
    }
    resp = await client.post("/api/kb/campaigns", headers=auth(mini_shop.editor_id), json=campaign)
    created = (await resp.json())["campaign"]
    assert resp.status == 201 and all(s["id"] for s in created["scripts"])
    scripts = await (
        await client.get(f"/api/kb/scripts?shop={mini_shop.shop_id}", headers=auth(mini_shop.agent_id))
    ).json()
    assert scripts["scripts"][0]["text"] == "欢迎光临测试旗舰店，双11满300减40"
    body = await (
        await client.post(
            "/api/suggest",
            headers=auth(mini_shop.agent_id),
            json={"shop": mini_shop.shop_id, "message": "付款失败了怎么办"},
        )
    ).json()
    top = body["questions"][0]["suggestions"][0]
    assert top["kind"] == "script" and top["why"]["campaign_boost"] > 0
    ended = {
        **created,
        "starts_at": (now - timedelta(days=3)).isoformat(),
        "ends_at": (now - timedelta(days=2)).isoformat(),
    }
    resp = await client.put(
        f"/api/kb/campaigns/{created['id']}", headers=auth(mini_shop.editor_id), json=ended
    )
    assert resp.status == 200
    body = await (
        await client.post(
            "/api/suggest",
            headers=auth(mini_shop.agent_id),
            json={"shop": mini_shop.shop_id, "message": "付款失败了怎么办"},
        )
    ).json()
    assert all(s["kind"] != "script" for s in body["questions"][0]["suggestions"])
