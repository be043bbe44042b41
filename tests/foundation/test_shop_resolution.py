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
