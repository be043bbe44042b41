"""JSON bodies are taken with JSON's own types only, as the OpenAPI document says.

pydantic's lax mode took ``0`` for a time (the Unix epoch) or for false, ``"5"`` for 5 and ``1.0``
for 1, while the document said string/date-time, boolean, integer: a client written from the
document and the server disagreed. Each case below goes through the real app.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from aiohttp.test_utils import TestClient

from tests.conftest import MiniShop
from tests.foundation.test_api_errors import assert_error_shape

Auth = Callable[[int], dict[str, str]]


def _campaign(shop: int, change: dict[str, Any] | None = None) -> dict[str, Any]:
    now = datetime.now(UTC)
    return {
        "shop_id": shop,
        "name": "双11",
        "starts_at": now.isoformat(),
        "ends_at": (now + timedelta(days=1)).isoformat(),
        **(change or {}),
    }


async def _group(client: TestClient, shop: MiniShop, auth: Auth) -> int:
    response = await client.post(
        "/api/quick-reply-groups", json={"name": "物流", "shop": shop.shop_id}, headers=auth(shop.editor_id)
    )
    assert response.status == 201, await response.text()
    return int((await response.json())["group"]["id"])


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"starts_at": 0}, "starts_at"),
        ({"ends_at": 1893456000}, "ends_at"),
        ({"version": "1"}, "version"),
        ({"version": 1.0}, "version"),
        ({"shop_id": "1"}, "shop_id"),
    ],
)
async def test_a_campaign_takes_json_types_only(
    client: TestClient, mini_shop: MiniShop, auth: Auth, change: dict[str, Any], field: str
) -> None:
    response = await client.post(
        "/api/kb/campaigns", json=_campaign(mini_shop.shop_id, change), headers=auth(mini_shop.editor_id)
    )
    body = await response.json()
    assert response.status == 400, body
    assert_error_shape(body, 400)
    assert [e["field"] for e in body["errors"]] == [field]
    accepted = await client.post(
        "/api/kb/campaigns", json=_campaign(mini_shop.shop_id), headers=auth(mini_shop.editor_id)
    )
    assert accepted.status == 201, await accepted.text()


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"enabled": 0}, "enabled"),
        ({"enabled": "yes"}, "enabled"),
        ({"position": "3"}, "position"),
        ({"position": 2.0}, "position"),
        ({"valid_from": 0}, "valid_from"),
        ({"scope": 1}, "scope"),
    ],
)
async def test_a_quick_reply_takes_json_types_only(
    client: TestClient, mini_shop: MiniShop, auth: Auth, change: dict[str, Any], field: str
) -> None:
    group = await _group(client, mini_shop, auth)
    phrase = {"group_id": group, "code": "fh", "title": "发货时间", "body": "亲，48小时内发出"}
    response = await client.post(
        "/api/quick-replies", json={**phrase, **change}, headers=auth(mini_shop.editor_id)
    )
    body = await response.json()
    assert response.status == 400, body
    assert [e["field"] for e in body["errors"]] == [field]
    good = {"enabled": False, "position": 3, "valid_from": "2026-11-11T00:00:00+08:00", "scope": "shop"}
    accepted = await client.post(
        "/api/quick-replies",
        json={**phrase, **{k: good[k] for k in change}},
        headers=auth(mini_shop.editor_id),
    )
    assert accepted.status == 201, await accepted.text()


async def test_usage_and_events_are_strict_too(client: TestClient, mini_shop: MiniShop, auth: Auth) -> None:
    headers = auth(mini_shop.agent_id)
    usage = await client.post(
        "/api/usage", json={"kind": "quick_reply", "ref_id": 1, "edited": 1}, headers=headers
    )
    assert usage.status == 400 and (await usage.json())["errors"][0]["field"] == "edited"
    opened = {"type": "conversation.opened", "conversation": "c1", "shop": "test_shop", "buyer": "tb_a"}
    assert (await client.post("/api/events", json=opened, headers=headers)).status == 200
    message = {"type": "message.received", "conversation": "c1", "text": "在吗", "at": 0}
    event = await client.post("/api/events", json=message, headers=headers)
    body = await event.json()
    assert event.status == 400, body
    assert [e["field"] for e in body["errors"]] == ["at"]


async def test_the_document_says_the_same(client: TestClient) -> None:
    schemas = (await (await client.get("/api/openapi.json")).json())["components"]["schemas"]
    assert schemas["Campaign"]["properties"]["starts_at"] == {
        "format": "date-time",
        "title": "Starts At",
        "type": "string",
    }
    assert schemas["QuickReplyIn"]["properties"]["enabled"]["type"] == "boolean"
