"""Edges where the service and its OpenAPI document disagreed; each found by the schema fuzzer or
next to what it found, each through the real app."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pytest
from aiohttp.test_utils import TestClient

from tests.conftest import MiniShop
from tests.foundation.test_api_errors import assert_error_shape

Auth = Callable[[int], dict[str, str]]
BIG = 2**63  # one past int64: Python and pydantic took it, SQLite did not (500)


async def _group(client: TestClient, shop: MiniShop, auth: Auth) -> int:
    response = await client.post(
        "/api/quick-reply-groups", json={"name": "物流", "shop": shop.shop_id}, headers=auth(shop.editor_id)
    )
    assert response.status == 201, await response.text()
    return int((await response.json())["group"]["id"])


@pytest.mark.parametrize(
    ("method", "path", "body", "field"),
    [
        (
            "POST",
            "/api/quick-replies",
            {"group_id": BIG, "code": "fh", "title": "t", "body": "b"},
            "group_id",
        ),
        (
            "POST",
            "/api/quick-replies",
            {"group_id": 1, "code": "fh", "title": "t", "body": "b", "position": BIG},
            "position",
        ),
        (
            "POST",
            "/api/kb/intents",
            {"shop_id": 1, "key": "k", "name": "n", "examples": ["a"], "answers": ["b"], "item_id": BIG},
            "item_id",
        ),
        ("POST", "/api/usage", {"kind": "quick_reply", "ref_id": BIG}, "ref_id"),
        ("PUT", "/api/quick-reply-groups/1/order", {"items": [{"id": BIG, "version": 1}]}, "items.0.id"),
        ("POST", "/api/kb/intents/1/rollback", {"revision_id": BIG, "version": 1}, "revision_id"),
        ("POST", "/api/kb/synonyms", {"shop_id": 1, "words": ["发货", "寄出"], "version": BIG}, "version"),
        ("GET", f"/api/kb/campaigns?shop=1&cursor={BIG}", None, "cursor"),
        ("GET", f"/api/kb/intents?shop=1&cursor={BIG}", None, "cursor"),
    ],
)
async def test_an_integer_past_int64_is_a_400_naming_it(
    client: TestClient, mini_shop: MiniShop, auth: Auth, method: str, path: str, body: Any, field: str
) -> None:
    await _group(client, mini_shop, auth)
    response = await client.request(method, path, json=body, headers=auth(mini_shop.supervisor_id))
    payload = await response.json()
    assert response.status == 400, payload
    assert_error_shape(payload, 400)
    assert [e["field"] for e in payload["errors"]] == [field]


async def test_the_largest_int64_is_still_an_integer(
    client: TestClient, mini_shop: MiniShop, auth: Auth
) -> None:
    response = await client.get(
        f"/api/kb/campaigns?shop=1&cursor={BIG - 1}", headers=auth(mini_shop.editor_id)
    )
    assert response.status == 200, await response.text()


async def test_every_integer_in_the_document_is_an_int64(client: TestClient) -> None:
    document = await (await client.get("/api/openapi.json")).json()

    def integers(node: Any) -> list[dict[str, Any]]:
        if isinstance(node, list):
            return [i for n in node for i in integers(n)]
        if not isinstance(node, dict):
            return []
        found = [node] if node.get("type") == "integer" else []
        return found + [i for v in node.values() for i in integers(v)]

    found = integers(document["components"]) + integers(document["paths"])
    assert len(found) > 50
    for schema in found:
        assert schema.get("maximum", schema.get("exclusiveMaximum", BIG)) <= BIG - 1, schema
        assert schema.get("minimum", schema.get("exclusiveMinimum", -BIG - 1)) >= -BIG, schema


async def test_spaces_around_a_name_are_trimmed_and_the_document_says_so(
    client: TestClient, mini_shop: MiniShop, auth: Auth
) -> None:
    # the fuzzer's case: NEL (U+0085) and 30 characters: the schema said maxLength 30, the server trims first
    name = "\u0085" + "*" * 30
    response = await client.post(
        "/api/quick-reply-groups",
        json={"name": name, "shop": mini_shop.shop_id},
        headers=auth(mini_shop.editor_id),
    )
    assert response.status == 201, await response.text()
    assert (await response.json())["group"]["name"] == "*" * 30
    too_long = await client.post(
        "/api/quick-reply-groups",
        json={"name": "*" * 31, "shop": mini_shop.shop_id},
        headers=auth(mini_shop.editor_id),
    )
    assert too_long.status == 400
    document = await (await client.get("/api/openapi.json")).json()
    schema = document["components"]["schemas"]["GroupIn"]["properties"]["name"]
    limits, spaced = schema["anyOf"]
    assert limits["maxLength"] == 30
    assert re.search(spaced["pattern"], name)
    assert not re.search(spaced["pattern"], "*" * 31)
