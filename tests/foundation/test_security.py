"""Host check, tokens, roles, cross-origin writes."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from aiohttp.test_utils import TestClient

from assistant.app import create_app
from assistant.settings import Settings
from tests.conftest import MiniShop
from tests.foundation.test_api_errors import assert_error_shape

Auth = Callable[[int], dict[str, str]]


@pytest.mark.parametrize("host", ["evil.example.com", "kefu.attacker.net:8765", "192.168.1.5:8765", ""])
async def test_foreign_host_names_are_refused(client: TestClient, host: str) -> None:
    response = await client.get("/healthz", headers={"Host": host})
    assert response.status == 403
    body = await response.json()
    assert_error_shape(body, 403)
    assert body["errors"][0]["field"] == "Host"


@pytest.mark.parametrize("host", ["127.0.0.1:8765", "localhost", "localhost:1234", "[::1]:8765"])
async def test_local_host_names_are_accepted(client: TestClient, host: str) -> None:
    response = await client.get("/healthz", headers={"Host": host})
    assert response.status == 200, await response.text()


async def test_public_routes_need_no_token(client: TestClient) -> None:
    for path in ("/healthz", "/plugin_manifest.json", "/api/openapi.json"):
        response = await client.get(path)
        assert response.status == 200, path


@pytest.mark.parametrize(
    "header",
    [None, "Bearer", "Bearer nonsense", "Basic eGlhb21laTpwdw==", "Bearer kf1.0000", "Bearer kf999.abc"],
)
async def test_api_calls_need_a_valid_token(client: TestClient, header: str | None) -> None:
    headers = {"Authorization": header} if header else {}
    response = await client.get("/api/me", headers=headers)
    assert response.status == 401
    body = await response.json()
    assert_error_shape(body, 401)
    assert body["errors"][0]["field"] == "Authorization"


async def test_a_token_names_its_agent(client: TestClient, mini_shop: MiniShop, auth: Auth) -> None:
    response = await client.get("/api/me", headers=auth(mini_shop.agent_id))
    body = await response.json()
    assert body["ok"] is True
    assert body["agent"]["login"] == "xiaomei"
    assert [s["code"] for s in body["shops"]] == ["test_shop", "other_shop"]


async def test_a_token_from_another_secret_is_refused(
    aiohttp_client: Callable[..., Any],
    settings: Settings,
    mini_shop: MiniShop,
    token_for: Callable[[int], str],
) -> None:
    token = token_for(mini_shop.agent_id)
    (settings.data_dir / "secret.key").write_text("ab" * 32)
    client = await aiohttp_client(create_app(settings))
    response = await client.get("/api/me", headers={"Authorization": f"Bearer {token}"})
    assert response.status == 401


async def test_agents_only_see_their_own_shops(client: TestClient, mini_shop: MiniShop, auth: Auth) -> None:
    response = await client.get(f"/api/shops/{mini_shop.shop_id}", headers=auth(mini_shop.outsider_id))
    assert response.status == 404
    response = await client.get(f"/api/shops/{mini_shop.other_shop_id}", headers=auth(mini_shop.outsider_id))
    assert response.status == 200


async def test_cross_origin_writes_are_refused(client: TestClient, mini_shop: MiniShop, auth: Auth) -> None:
    payload = {"kind": "quick_reply", "ref_id": 1}
    response = await client.post(
        "/api/usage", json=payload, headers={**auth(mini_shop.agent_id), "Origin": "https://evil.example.com"}
    )
    assert response.status == 403
    assert (await response.json())["errors"][0]["field"] == "Origin"
    same_origin = str(client.make_url("")).rstrip("/")
    response = await client.post(
        "/api/usage", json=payload, headers={**auth(mini_shop.agent_id), "Origin": same_origin}
    )
    assert response.status == 202


async def test_listed_origins_may_write(
    aiohttp_client: Callable[..., Any], settings: Settings, mini_shop: MiniShop, auth: Auth
) -> None:
    client = await aiohttp_client(
        create_app(settings.model_copy(update={"allowed_origins": ("https://workbench.example.com",)}))
    )
    response = await client.post(
        "/api/usage",
        json={"kind": "quick_reply", "ref_id": 1},
        headers={**auth(mini_shop.agent_id), "Origin": "https://workbench.example.com"},
    )
    assert response.status == 202


async def test_usage_is_recorded_off_the_request_path(
    aiohttp_client: Callable[..., Any], settings: Settings, mini_shop: MiniShop, auth: Auth
) -> None:
    from assistant import keys

    app = create_app(settings)
    client = await aiohttp_client(app)
    for ref in (1, 2, 2):
        response = await client.post(
            "/api/usage",
            json={"kind": "quick_reply", "ref_id": ref, "edited": ref == 1},
            headers=auth(mini_shop.agent_id),
        )
        assert response.status == 202
    await app[keys.USAGE].flush()
    rows = await app[keys.DB].read(
        lambda db: db.execute("SELECT ref_id, edited, agent_id FROM usage_events ORDER BY id").fetchall()
    )
    assert rows == [(1, 1, mini_shop.agent_id), (2, 0, mini_shop.agent_id), (2, 0, mini_shop.agent_id)]


async def test_a_failing_deferred_write_never_blocks_usage_events(
    aiohttp_client: Callable[..., Any], settings: Settings, mini_shop: MiniShop, auth: Auth
) -> None:
    from assistant import keys

    app = create_app(settings)
    client = await aiohttp_client(app)
    recorder = app[keys.USAGE]

    def broken(db: Any) -> None:
        raise RuntimeError("bad record")

    recorder.defer(broken)
    response = await client.post(
        "/api/usage", json={"kind": "intent", "ref_id": 7}, headers=auth(mini_shop.agent_id)
    )
    assert response.status == 202
    assert await recorder.flush() == 0  # the batch failed as a whole ...
    assert await recorder.flush() == 1  # ... the event was kept, the bad record dropped
    rows = await app[keys.DB].read(lambda db: db.execute("SELECT kind, ref_id FROM usage_events").fetchall())
    assert rows == [("intent", 7)]


async def test_a_flush_waits_for_the_batch_already_being_written(
    aiohttp_client: Callable[..., Any], settings: Settings, mini_shop: MiniShop, auth: Auth
) -> None:
    import asyncio
    import threading

    from assistant import keys

    app = create_app(settings)
    await aiohttp_client(app)
    recorder = app[keys.USAGE]
    started, release = threading.Event(), threading.Event()

    def slow(db: Any) -> None:
        started.set()
        release.wait(5)
        db.execute(
            "INSERT INTO usage_events (agent_id, shop_id, kind, ref_id, conversation, edited, at)"
            " VALUES (?, ?, 'intent', 9, '', 0, '2026-11-11T00:00:00+00:00')",
            [mini_shop.agent_id, mini_shop.shop_id],
        )

    recorder.defer(slow)
    in_flight = asyncio.create_task(recorder.flush())
    await asyncio.get_running_loop().run_in_executor(None, started.wait, 5)
    reader = asyncio.create_task(recorder.flush())  # e.g. GET /api/kb/unmatched flushing first
    await asyncio.sleep(0.05)
    assert not reader.done()  # it waits for the batch in flight instead of returning at once
    release.set()
    await asyncio.wait_for(asyncio.gather(in_flight, reader), 5)
    rows = await app[keys.DB].read(lambda db: db.execute("SELECT ref_id FROM usage_events").fetchall())
    assert rows == [(9,)]
