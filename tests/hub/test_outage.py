"""The hub going away and coming back: /healthz says degraded while it is down, and afterwards a save
through one app reaches the other's lookup again (the pool reconnects, the feed listens again and reads
what it missed)."""

from __future__ import annotations

import asyncio
import shutil
import time
from collections.abc import Awaitable, Callable, Iterator
from pathlib import Path

import pytest
from aiohttp.test_utils import TestClient

from assistant.app import create_app
from assistant.settings import Settings
from tests.conftest import MiniShop
from tests.hub.pg_server import PgServer

pytestmark = [pytest.mark.postgres, pytest.mark.slow]


@pytest.fixture
def own_server(pg_server: PgServer) -> Iterator[PgServer]:
    """A server of this test's own (it is stopped and started again), once the session's one works."""
    server = PgServer().start()
    try:
        yield server
    finally:
        server.stop()


async def test_health_degrades_and_the_feed_recovers_after_an_outage(
    aiohttp_client: Callable[..., Awaitable[TestClient]], settings: Settings, mini_shop: MiniShop,
    own_server: PgServer, auth: Callable[[int], dict[str, str]], tmp_path: Path,
) -> None:  # fmt: skip
    url = own_server.create_database("kefu_outage")
    other = tmp_path / "other"
    shutil.copytree(settings.data_dir, other)
    a = await aiohttp_client(create_app(settings.model_copy(update={"database_url": url})))
    b = await aiohttp_client(create_app(settings.model_copy(update={"database_url": url, "data_dir": other})))
    editor = auth(mini_shop.editor_id)
    group = await a.post("/api/quick-reply-groups", json={"name": "常用"}, headers=editor)
    group_id = (await group.json())["group"]["id"]

    await asyncio.to_thread(own_server.pause)
    health = await (await a.get("/healthz")).json()
    assert health["status"] == "degraded" and health["hub"].startswith("unreachable")
    await asyncio.to_thread(own_server.resume)

    body = {"group_id": group_id, "code": "hfh", "title": "恢复之后", "body": "正文"}
    started = time.monotonic()
    while (created := await a.post("/api/quick-replies", json=body, headers=editor)).status != 201:
        assert time.monotonic() - started < 10, await created.text()  # the pool's dead connections go first
        await asyncio.sleep(0.2)
    phrase_id = (await created.json())["quick_reply"]["id"]
    started = time.monotonic()
    while True:
        search = await b.get("/api/quick-replies/search", params={"q": "hfh"}, headers=editor)
        if phrase_id in [r["id"] for r in (await search.json())["results"]]:
            break
        assert time.monotonic() - started < 5, "b's lookup never caught up after the outage"
        await asyncio.sleep(0.05)
    assert (await (await b.get("/healthz")).json())["status"] == "ok"
