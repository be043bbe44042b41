"""Campaigns and synonym groups through the real app: search and filters, version-checked delete
kept in history, rollback of a delete, and what the matcher sees after each."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

from aiohttp.test_utils import TestClient

from tests.conftest import MiniShop

Auth = Callable[[int], dict[str, str]]


def _campaign(shop_id: int, name: str, start: timedelta, end: timedelta, **extra: Any) -> dict[str, Any]:
    now = datetime.now(UTC)
    return {
        "shop_id": shop_id,
        "name": name,
        "rules": "满300减40",
        "starts_at": (now + start).isoformat(),
        "ends_at": (now + end).isoformat(),
        "scripts": [
            {
                "kind": "emergency",
                "situation": "付款失败",
                "title": "支付故障",
                "body": "亲，支付通道拥堵，请稍后再试",
            }
        ],
        **extra,
    }


async def _post(
    client: TestClient, url: str, headers: dict[str, str], data: dict[str, Any]
) -> dict[str, Any]:
    resp = await client.post(url, headers=headers, json=data)
    body: dict[str, Any] = await resp.json()
    assert resp.status == 201, body
    return body


async def _suggest(client: TestClient, auth: Auth, shop: MiniShop, message: str) -> list[dict[str, Any]]:
    resp = await client.post(
        "/api/suggest", headers=auth(shop.agent_id), json={"shop": shop.shop_id, "message": message}
    )
    return list((await resp.json())["questions"][0]["suggestions"])


async def test_campaign_list_search_and_filters(client: TestClient, auth: Auth, mini_shop: MiniShop) -> None:
    headers = auth(mini_shop.editor_id)
    shop = mini_shop.shop_id
    live = (
        await _post(
            client,
            "/api/kb/campaigns",
            headers,
            _campaign(shop, "双11", -timedelta(hours=1), timedelta(days=1)),
        )
    )["campaign"]
    later = _campaign(shop, "年货节", timedelta(days=30), timedelta(days=40), rules="满199减20")
    later["scripts"] = [{"kind": "welcome", "title": "欢迎", "body": "年货节欢迎您"}]
    soon = (await _post(client, "/api/kb/campaigns", headers, later))["campaign"]
    over = (
        await _post(
            client,
            "/api/kb/campaigns",
            headers,
            _campaign(shop, "618", -timedelta(days=9), -timedelta(days=8)),
        )
    )["campaign"]

    async def ids(query: str) -> list[int]:
        resp = await client.get(f"/api/kb/campaigns?shop={shop}{query}", headers=headers)
        body = await resp.json()
        assert resp.status == 200, body
        return [c["id"] for c in body["campaigns"]]

    assert await ids("") == [live["id"], soon["id"], over["id"]]
    assert await ids("&state=active") == [live["id"]]
    assert await ids("&state=upcoming") == [soon["id"]]
    assert await ids("&state=ended") == [over["id"]]
    assert await ids("&kind=welcome") == [soon["id"]]
    assert await ids("&q=满199") == [soon["id"]]  # rules
    assert await ids("&q=通道拥堵") == [live["id"], over["id"]]  # a script's text
    assert await ids("&q=100%25") == []  # % is a character, not a wildcard
    page = await (await client.get(f"/api/kb/campaigns?shop={shop}&limit=2", headers=headers)).json()
    assert [c["id"] for c in page["campaigns"]] == [live["id"], soon["id"]] and page["next_cursor"] == soon[
        "id"
    ]
    assert await ids(f"&cursor={soon['id']}") == [over["id"]]
    bad = await client.get(f"/api/kb/campaigns?shop={shop}&state=soon", headers=headers)
    assert bad.status == 400 and (await bad.json())["errors"][0]["field"] == "state"


async def test_campaign_delete_is_version_checked_kept_and_restorable(
    client: TestClient, auth: Auth, mini_shop: MiniShop
) -> None:
    headers = auth(mini_shop.editor_id)
    created = (
        await _post(
            client,
            "/api/kb/campaigns",
            headers,
            _campaign(mini_shop.shop_id, "双11", -timedelta(hours=1), timedelta(days=1)),
        )
    )["campaign"]
    url = f"/api/kb/campaigns/{created['id']}"
    assert (await _suggest(client, auth, mini_shop, "付款失败了怎么办"))[0]["kind"] == "script"

    assert (await client.delete(url, headers=auth(mini_shop.agent_id))).status == 403
    stale = await client.delete(f"{url}?version=7", headers=headers)
    body = await stale.json()
    assert (
        stale.status == 409 and body["current"]["name"] == "双11" and body["errors"][0]["field"] == "version"
    )
    missing = await client.delete(url, headers=headers)
    assert missing.status == 400 and (await missing.json())["errors"][0]["field"] == "version"

    # an intent bound to the campaign would go with it: refused, nothing changed
    intent = {
        "shop_id": mini_shop.shop_id,
        "key": "c_gift",
        "name": "活动赠品",
        "examples": ["活动送什么"],
        "answers": ["送收纳袋"],
        "campaign_id": created["id"],
    }
    bound = (await _post(client, "/api/kb/intents", headers, intent))["intent"]
    refused = await client.delete(f"{url}?version=1", headers=headers)
    assert refused.status == 409 and "活动赠品" in (await refused.json())["error"]
    assert (await client.delete(f"/api/kb/intents/{bound['id']}?version=1", headers=headers)).status == 200

    resp = await client.delete(f"{url}?version=1", headers=headers)
    assert resp.status == 200 and (await resp.json())["deleted"] == created["id"]
    assert (await client.delete(f"{url}?version=1", headers=headers)).status == 404
    listed = await (await client.get(f"/api/kb/campaigns?shop={mini_shop.shop_id}", headers=headers)).json()
    assert listed["campaigns"] == []
    assert all(s["kind"] != "script" for s in await _suggest(client, auth, mini_shop, "付款失败了怎么办"))

    history = (await (await client.get(f"{url}/revisions", headers=headers)).json())["revisions"]
    assert [r["action"] for r in history] == ["delete", "create"] and history[0]["after"] is None
    resp = await client.post(f"{url}/rollback", headers=headers, json={"revision_id": history[1]["id"]})
    restored = (await resp.json())["campaign"]
    assert resp.status == 200 and restored["version"] == 3 and restored["scripts"][0]["title"] == "支付故障"
    assert (await _suggest(client, auth, mini_shop, "付款失败了怎么办"))[0]["kind"] == "script"


async def test_synonym_list_search_delete_and_rollback(
    client: TestClient, auth: Auth, mini_shop: MiniShop
) -> None:
    headers = auth(mini_shop.editor_id)
    shop = mini_shop.shop_id
    intent = {
        "shop_id": shop,
        "key": "cheaper",
        "name": "议价",
        "examples": ["可以打个折吗"],
        "answers": ["已经是活动价啦"],
    }
    await _post(client, "/api/kb/intents", headers, intent)
    let = (await _post(client, "/api/kb/synonyms", headers, {"shop_id": shop, "words": ["打折", "让利"]}))[
        "synonym"
    ]
    vip = (await _post(client, "/api/kb/synonyms", headers, {"shop_id": shop, "words": ["会员", "VIP"]}))[
        "synonym"
    ]
    assert (await client.get(f"/api/kb/synonyms?shop={shop}", headers=auth(mini_shop.agent_id))).status == 403

    async def words(query: str) -> list[list[str]]:
        resp = await client.get(f"/api/kb/synonyms?shop={shop}{query}", headers=headers)
        body = await resp.json()
        assert resp.status == 200, body
        return [g["words"] for g in body["synonyms"]]

    assert await words("") == [["打折", "让利"], ["会员", "VIP"]]
    assert await words("&q=让") == [["打折", "让利"]]
    assert await words("&q=vip") == [["会员", "VIP"]]
    assert await words("&q=运费") == []
    page = await (await client.get(f"/api/kb/synonyms?shop={shop}&limit=1", headers=headers)).json()
    assert page["next_cursor"] == let["id"] and await words(f"&cursor={let['id']}") == [["会员", "VIP"]]

    before = (await _suggest(client, auth, mini_shop, "能让利吗"))[0]
    assert before["key"] == "cheaper"
    url = f"/api/kb/synonyms/{let['id']}"
    stale = await client.delete(f"{url}?version=2", headers=headers)
    assert stale.status == 409 and (await stale.json())["current"]["words"] == ["打折", "让利"]
    assert (
        await client.delete(f"/api/kb/synonyms/{vip['id']}?version=1", headers=auth(mini_shop.outsider_id))
    ).status == 403
    resp = await client.delete(f"{url}?version=1", headers=headers)
    assert resp.status == 200 and await words("") == [["会员", "VIP"]]
    after = await _suggest(client, auth, mini_shop, "能让利吗")
    assert not after or after[0]["score"] < before["score"]  # the matcher forgot 让利 ≈ 打折

    history = (await (await client.get(f"{url}/revisions", headers=headers)).json())["revisions"]
    assert [r["action"] for r in history] == ["delete", "create"]
    resp = await client.post(f"{url}/rollback", headers=headers, json={"revision_id": history[1]["id"]})
    assert resp.status == 200 and (await resp.json())["synonym"]["version"] == 3
    assert await words("&q=让利") == [["打折", "让利"]]
    assert (await _suggest(client, auth, mini_shop, "能让利吗"))[0]["score"] == before["score"]


async def test_a_synonym_group_with_a_repeated_word_is_refused(
    client: TestClient, auth: Auth, mini_shop: MiniShop
) -> None:
    headers = auth(mini_shop.editor_id)
    shop = mini_shop.shop_id
    for words, repeated in ((["高仿", "高仿"], "高仿"), (["会员", "VIP", "vip"], "vip")):
        resp = await client.post("/api/kb/synonyms", headers=headers, json={"shop_id": shop, "words": words})
        body = await resp.json()
        assert resp.status == 400, body
        assert [e["field"] for e in body["errors"]] == ["words"]
        assert f"重复的词：{repeated}" in body["errors"][0]["message"]
    listed = await (await client.get(f"/api/kb/synonyms?shop={shop}", headers=headers)).json()
    assert listed["synonyms"] == []  # nothing was written

    group = (await _post(client, "/api/kb/synonyms", headers, {"shop_id": shop, "words": ["打折", "让利"]}))[
        "synonym"
    ]
    resp = await client.put(
        f"/api/kb/synonyms/{group['id']}", headers=headers, json={"shop_id": shop, "words": ["打折", "打折"]}
    )
    assert resp.status == 400 and (await resp.json())["errors"][0]["field"] == "words"
    listed = await (await client.get(f"/api/kb/synonyms?shop={shop}", headers=headers)).json()
    assert [(g["words"], g["version"]) for g in listed["synonyms"]] == [(["打折", "让利"], 1)]
