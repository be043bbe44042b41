"""The one error shape: every failure, whatever its cause, has ok/error/errors/status."""

from __future__ import annotations

import io
from collections.abc import Callable
from typing import Any

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient

from assistant import keys
from assistant.app import create_app
from assistant.endpoint import Endpoint
from assistant.errors import Conflict
from assistant.settings import Settings
from knowledge.models import Role
from tests.conftest import MiniShop

Auth = Callable[[int], dict[str, str]]


def assert_error_shape(body: dict[str, Any], status: int) -> None:
    assert set(body) >= {"ok", "error", "errors", "status"}, body
    assert body["ok"] is False
    assert body["status"] == status
    assert isinstance(body["error"], str) and body["error"]
    assert isinstance(body["errors"], list)
    for item in body["errors"]:
        assert set(item) == {"field", "message"} and item["message"], item


async def test_malformed_json_is_a_400_naming_the_body(
    client: TestClient, mini_shop: MiniShop, auth: Auth
) -> None:
    response = await client.post(
        "/api/usage",
        data=b"{not json",
        headers={**auth(mini_shop.agent_id), "Content-Type": "application/json"},
    )
    assert response.status == 400
    body = await response.json()
    assert_error_shape(body, 400)
    assert body["errors"][0]["field"] == "body"


@pytest.mark.parametrize(
    ("payload", "field", "words"),
    [
        ({"kind": "quick_reply", "ref_id": "seven"}, "ref_id", "整数"),
        ({"kind": "quick_reply", "ref_id": 1.5}, "ref_id", "整数"),
        ({"kind": "macro", "ref_id": 1}, "kind", "quick_reply"),
        ({"kind": "quick_reply", "ref_id": 1, "colour": "red"}, "colour", "不认识"),
        ({"ref_id": 1}, "kind", "必填"),
        ({"kind": "quick_reply", "ref_id": 0}, "ref_id", "大于 0"),
    ],
)
async def test_bad_fields_are_named_with_the_reason(
    client: TestClient, mini_shop: MiniShop, auth: Auth, payload: dict[str, Any], field: str, words: str
) -> None:
    response = await client.post("/api/usage", json=payload, headers=auth(mini_shop.agent_id))
    assert response.status == 400
    body = await response.json()
    assert_error_shape(body, 400)
    assert [e["field"] for e in body["errors"]] == [field]
    assert words in body["errors"][0]["message"]
    assert field in body["error"]


async def test_a_json_array_body_is_refused(client: TestClient, mini_shop: MiniShop, auth: Auth) -> None:
    response = await client.post("/api/usage", json=[1, 2], headers=auth(mini_shop.agent_id))
    assert_error_shape(await response.json(), 400)


async def test_unknown_route_and_unknown_id_are_404(
    client: TestClient, mini_shop: MiniShop, auth: Auth
) -> None:
    response = await client.get("/api/no-such-thing", headers=auth(mini_shop.agent_id))
    assert response.status == 404
    assert_error_shape(await response.json(), 404)
    response = await client.get("/api/shops/9999", headers=auth(mini_shop.agent_id))
    assert response.status == 404
    assert "9999" in (await response.json())["error"]


async def test_wrong_method_is_405_with_the_allowed_ones(client: TestClient) -> None:
    response = await client.delete("/healthz")
    assert response.status == 405
    body = await response.json()
    assert_error_shape(body, 405)
    assert "GET" in body["allowed_methods"]


async def test_too_large_a_body_is_413(
    client: TestClient, mini_shop: MiniShop, auth: Auth, settings: Settings
) -> None:
    big = b'{"kind": "quick_reply", "ref_id": 1, "conversation": "' + b"x" * settings.max_body_bytes + b'"}'
    response = await client.post(
        "/api/usage",
        data=io.BytesIO(big),
        headers={**auth(mini_shop.agent_id), "Content-Type": "application/json"},
    )
    assert response.status == 413
    assert_error_shape(await response.json(), 413)


def _app_with(settings: Settings, *endpoints: Endpoint) -> web.Application:
    app = create_app(settings)
    for endpoint in endpoints:
        app.router.add_route(endpoint.method, endpoint.path, endpoint.handler, name=endpoint.name)
        app[keys.ENDPOINTS][endpoint.name] = endpoint
    return app


async def test_conflict_and_unexpected_errors(
    aiohttp_client: Callable[..., Any],
    settings: Settings,
    mini_shop: MiniShop,
    auth: Auth,
    caplog: pytest.LogCaptureFixture,
) -> None:
    async def stale(request: web.Request) -> web.Response:
        raise Conflict.field("version", "你看到的是第 1 版，当前是第 2 版", current={"version": 2})

    async def broken(request: web.Request) -> web.Response:
        raise RuntimeError("secret internal detail /etc/passwd")

    client = await aiohttp_client(
        _app_with(
            settings,
            Endpoint("POST", "/api/test/stale", stale, "test_stale", "raises 409"),
            Endpoint("GET", "/api/test/broken", broken, "test_broken", "raises"),
        )
    )
    response = await client.post("/api/test/stale", json={}, headers=auth(mini_shop.agent_id))
    body = await response.json()
    assert response.status == 409
    assert_error_shape(body, 409)
    assert body["current"] == {"version": 2}
    assert body["errors"] == [{"field": "version", "message": "你看到的是第 1 版，当前是第 2 版"}]

    response = await client.get("/api/test/broken", headers=auth(mini_shop.agent_id))
    body = await response.json()
    assert response.status == 500
    assert_error_shape(body, 500)
    assert "secret" not in str(body) and "passwd" not in str(body)
    assert any("secret internal detail" in r.getMessage() or r.exc_info for r in caplog.records)


async def test_role_checks_use_the_route_table(
    aiohttp_client: Callable[..., Any], settings: Settings, mini_shop: MiniShop, auth: Auth
) -> None:
    async def approve(request: web.Request) -> web.Response:
        return web.json_response({"ok": True})

    client = await aiohttp_client(
        _app_with(
            settings,
            Endpoint("POST", "/api/test/approve", approve, "test_approve", "x", role=Role.SUPERVISOR),
        )
    )
    for agent_id in (mini_shop.agent_id, mini_shop.editor_id):
        response = await client.post("/api/test/approve", json={}, headers=auth(agent_id))
        assert response.status == 403
        assert_error_shape(await response.json(), 403)
    response = await client.post("/api/test/approve", json={}, headers=auth(mini_shop.supervisor_id))
    assert response.status == 200
