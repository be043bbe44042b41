"""One shop resolution: a shop the service does not know and one the agent has not logged into get
the same answer everywhere: 404, one message, the field named."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from aiohttp.test_utils import TestClient

from tests.conftest import MiniShop

Auth = Callable[[int], dict[str, str]]


def _requests(shop: int) -> list[tuple[str, str, dict[str, Any] | None, str]]:
    return [
        ("GET", f"/api/quick-replies?shop={shop}", None, "shop"),
        ("GET", f"/api/quick-replies/search?q=a&shop={shop}", None, "shop"),
        ("GET", f"/api/buyers/x?shop={shop}", None, "shop"),
        ("GET", f"/api/kb/intents?shop={shop}", None, "shop"),
        ("GET", f"/api/kb/scripts?shop={shop}", None, "shop"),
        ("POST", "/api/suggest", {"shop": shop, "message": "发货"}, "shop"),
        ("POST", "/api/usage", {"shop": shop, "kind": "quick_reply", "ref_id": 1}, "shop"),
        ("GET", f"/api/shops/{shop}", None, "shop_id"),
    ]


@pytest.mark.parametrize("who", ["unknown", "not_logged_in"])
async def test_every_area_answers_a_foreign_shop_alike(
    client: TestClient, mini_shop: MiniShop, auth: Auth, who: str
) -> None:
    shop = 999 if who == "unknown" else mini_shop.other_shop_id
    agent = mini_shop.editor_id  # logged into the test shop only
    for method, path, body, field in _requests(shop):
        response = await client.request(method, path, json=body, headers=auth(agent))
        answer = await response.json()
        assert response.status == 404, (path, answer)
        assert answer["error"] == f"没有编号为 {shop} 的店铺，或 李娜 没有登录它", (path, answer)
        assert answer["errors"] == [{"field": field, "message": "不是你登录的店铺"}], (path, answer)


async def test_the_events_route_names_its_shop_by_code_with_the_same_refusal(
    client: TestClient, mini_shop: MiniShop, auth: Auth
) -> None:
    """The chat client names a shop by its code: the check is ``resolve_shop``'s (its message, the field
    named), with the 403 that route has always answered; a code no shop has is the event's own 400."""
    event = {"type": "conversation.opened", "conversation": "c-1", "shop": "other_shop", "buyer": "tb_x"}
    response = await client.post("/api/events", json=event, headers=auth(mini_shop.editor_id))
    answer = await response.json()
    assert response.status == 403, answer
    assert answer["error"] == "没有编码为 other_shop 的店铺，或 李娜 没有登录它", answer
    assert answer["errors"] == [{"field": "shop", "message": "不是你登录的店铺"}], answer
    response = await client.post(
        "/api/events", json={**event, "shop": "no_such_shop"}, headers=auth(mini_shop.editor_id)
    )
    answer = await response.json()
    assert response.status == 400 and answer["errors"][0]["field"] == "shop", answer
