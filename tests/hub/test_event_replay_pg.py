"""Hub mode: sidebar events are change-feed rows, their id the feed's; a reconnect resumes from
Last-Event-ID out of the ``changes`` table (the same scenario as SQLite mode's ring), and an event
posted to one process reaches the agent's sidebar on another."""

from __future__ import annotations

import shutil
from collections.abc import Awaitable, Callable
from pathlib import Path

import pytest
from aiohttp.test_utils import TestClient

from assistant.app import create_app
from assistant.settings import Settings
from tests.conftest import MiniShop
from tests.events.replay import frame, resume_scenario, stored, stream
from tests.events.test_events_api import opened

pytestmark = pytest.mark.postgres
Client = Callable[..., Awaitable[TestClient]]


def _hub(settings: Settings, pg_url: str, data_dir: Path | None = None) -> Settings:
    return settings.model_copy(update={"database_url": pg_url, "data_dir": data_dir or settings.data_dir})


async def test_a_reconnect_resumes_from_the_change_feed(
    aiohttp_client: Client, settings: Settings, mini_shop: MiniShop, pg_url: str,
    auth: Callable[[int], dict[str, str]], token_for: Callable[[int], str],
) -> None:  # fmt: skip
    client = await aiohttp_client(create_app(_hub(settings, pg_url)))
    await resume_scenario(client, mini_shop, auth(mini_shop.agent_id), token_for(mini_shop.agent_id),
                          auth(mini_shop.editor_id))  # fmt: skip
    import asyncpg

    conn = await asyncpg.connect(pg_url)
    try:
        rows = await conn.fetch("SELECT id, data FROM changes WHERE entity = 'event' ORDER BY id")
    finally:
        await conn.close()
    assert [r["id"] for r in rows] == sorted(r["id"] for r in rows) and len(rows) == 5  # 4 of hers, 1 other


async def test_an_event_posted_to_one_process_reaches_a_sidebar_on_another_and_resumes_there(
    aiohttp_client: Client, settings: Settings, mini_shop: MiniShop, pg_url: str,
    auth: Callable[[int], dict[str, str]], token_for: Callable[[int], str], tmp_path: Path,
) -> None:  # fmt: skip
    other_dir = tmp_path / "other"
    shutil.copytree(settings.data_dir, other_dir)
    a = await aiohttp_client(create_app(_hub(settings, pg_url)))
    b = await aiohttp_client(create_app(_hub(settings, pg_url, other_dir)))
    token = token_for(mini_shop.agent_id)
    on_b = await stream(b, token)
    assert (await frame(on_b))[1] == "state"
    assert (await a.post("/api/events", json=opened(), headers=auth(mini_shop.agent_id))).status == 200
    first_id, name, data = await frame(on_b)
    assert name == "conversation.opened" and data["event"]["buyer"] == "tb_lucky" and first_id is not None
    on_b.close()
    changed = {**opened(buyer="第二位"), "type": "conversation.opened", "conversation": "c-2"}
    assert (await a.post("/api/events", json=changed, headers=auth(mini_shop.agent_id))).status == 200
    await stored(a)
    resumed = await stream(b, token, first_id)  # b never held it in memory: read from the hub
    replayed = await frame(resumed)
    assert replayed[1] == "conversation.opened" and replayed[2]["event"]["buyer"] == "第二位"
    assert replayed[0] is not None and replayed[0] > first_id
    resumed.close()
