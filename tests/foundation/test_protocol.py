"""HTTP details of the contract: Allow on 405, HEAD wherever GET, exact static names, a strictly
parsed Host, and the security headers on every response, errors included."""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable

import pytest
from aiohttp.test_utils import TestClient

from assistant.routes import ENDPOINTS
from tests.conftest import MiniShop
from tests.foundation.test_api_errors import assert_error_shape
from tests.foundation.test_hostile_inputs import raw_request
from tests.quick_replies.test_api import _create, _group

Auth = Callable[[int], dict[str, str]]


async def test_405_carries_allow(client: TestClient, mini_shop: MiniShop, auth: Auth) -> None:
    for method, path, allowed in [
        ("DELETE", "/healthz", {"GET", "HEAD"}),
        ("POST", "/api/me", {"GET", "HEAD"}),
        ("PATCH", "/api/quick-replies/1", {"GET", "HEAD", "PUT", "DELETE"}),
    ]:
        response = await client.request(method, path, headers=auth(mini_shop.agent_id))
        assert response.status == 405, path
        assert set(response.headers["Allow"].split(", ")) == allowed, path
        assert set((await response.json())["allowed_methods"]) == allowed


async def test_head_answers_wherever_get_does(client: TestClient, mini_shop: MiniShop, auth: Auth) -> None:
    plain = [e for e in ENDPOINTS if e.method == "GET" and "{" not in e.path and e.query is None]
    assert len(plain) >= 5
    for endpoint in plain:
        headers = auth(mini_shop.supervisor_id)
        got = await client.get(endpoint.path, headers=headers)
        head = await client.head(endpoint.path, headers=headers)
        assert head.status == got.status, endpoint.path
        assert head.headers["Content-Type"] == got.headers["Content-Type"], endpoint.path
        assert await head.read() == b"", endpoint.path
    # The role check applies to HEAD exactly as to GET.
    response = await client.head("/api/me")
    assert response.status == 401
    # A HEAD on the event stream gets its headers and does not hold the connection open.
    response = await client.head("/api/events/stream", headers=auth(mini_shop.agent_id))
    assert response.status == 200 and response.headers["Content-Type"].startswith("text/event-stream")
    response = await client.head("/static/shared/ui.js")
    assert response.status == 200 and int(response.headers["Content-Length"]) > 100


async def test_static_files_are_served_by_their_exact_name(client: TestClient) -> None:
    assert (await client.get("/static/shared/ui.js")).status == 200
    for path in [
        "/static/shared/ui.js/",
        "/static/shared//ui.js",
        "/static/shared/.ui.js",
        "/static/..%2Fpages.py",
        "/static/nope.js",
    ]:
        response = await client.get(path)
        assert response.status == 404, path
        assert_error_shape(await response.json(), 404)


@pytest.mark.parametrize(
    "host",
    [
        "127.0.0.1:8765@evil.example",
        "[::1].evil.example",
        "[::1]evil.example",
        "localhost:8765:1",
        "127.0.0.1:99999",
        "127.0.0.1:",
        "127.0.0.1:８７６５",  # full-width digits
        "localhost.evil.example",
        "127.0.0.1 evil.example",
        "user@127.0.0.1",
    ],
)
async def test_host_headers_are_parsed_strictly(client: TestClient, host: str) -> None:
    response = await client.get("/healthz", headers={"Host": host})
    assert response.status == 403
    body = await response.json()
    assert_error_shape(body, 403)
    assert body["errors"][0]["field"] == "Host"


@pytest.mark.parametrize("host", ["127.0.0.1", "LOCALHOST:80", "[::1]", "[::1]:65535"])
async def test_well_formed_local_hosts_pass(client: TestClient, host: str) -> None:
    response = await client.get("/healthz", headers={"Host": host})
    assert response.status == 200


async def test_security_headers_are_on_every_response_errors_included(
    client: TestClient, mini_shop: MiniShop, auth: Auth
) -> None:
    agent = auth(mini_shop.agent_id)
    order_key = {"Idempotency-Key": uuid.uuid4().hex}
    cases = [
        ("GET", "/api/me", {}, None, 401),
        ("GET", "/api/no-such-thing", agent, None, 404),
        ("GET", "/no-such-page", {}, None, 404),
        ("DELETE", "/healthz", {}, None, 405),
        ("POST", "/api/usage", agent, {"kind": "nope"}, 400),
        ("GET", "/healthz", {"Host": "evil.example"}, None, 403),
        ("POST", "/api/orders/100001/remark", {**agent, **order_key}, {"version": 1, "text": "x"}, 404),
        ("GET", "/api/me", agent, None, 200),
        ("GET", "/static/shared/ui.js", {}, None, 200),
        ("GET", "/sidebar", {}, None, 200),
    ]
    for method, path, headers, body, status in cases:
        response = await client.request(method, path, headers=headers, json=body)
        assert response.status == status, (path, await response.text())
        assert response.headers.get("X-Content-Type-Options") == "nosniff", path
        assert response.headers.get("Referrer-Policy") == "no-referrer", path
        if status >= 400 or path.startswith("/api/"):
            assert response.headers.get("Cache-Control") == "no-store", path


async def test_a_409_carries_the_headers_too(client: TestClient, mini_shop: MiniShop, auth: Auth) -> None:
    group = await _group(client, mini_shop, auth)
    phrase = await _create(
        client, mini_shop.editor_id, auth, group_id=group, code="fh", title="发货", body="48h"
    )
    update = {
        "group_id": group,
        "code": "fh",
        "title": "发货",
        "body": "24h",
        "version": phrase["version"] + 5,
    }
    response = await client.put(
        f"/api/quick-replies/{phrase['id']}", json=update, headers=auth(mini_shop.editor_id)
    )
    assert response.status == 409, await response.text()
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Cache-Control"] == "no-store"


async def test_an_unexpected_failure_carries_the_headers_too(client: TestClient) -> None:
    status, headers, body = await raw_request(client, b"GET /healthz HTTP/1.1\r\nHost: \xff")
    assert status == 403 and headers["x-content-type-options"] == "nosniff"
    assert json.loads(body)["status"] == 403
