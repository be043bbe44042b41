"""The wall's SSE frames are made once per change for every supervisor watching."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from aiohttp.test_utils import TestClient

from assistant import keys
from assistant.api import watch_wall as watch_api
from tests.conftest import MiniShop
from tests.team.test_watch_api import Auth, buyer_says, open_conversation


async def test_supervisors_watching_at_once_share_one_snapshot_per_change(
    client: TestClient, mini_shop: MiniShop, auth: Auth, monkeypatch: pytest.MonkeyPatch
) -> None:
    agent = auth(mini_shop.agent_id)
    await open_conversation(client, agent, "c-1", "急躁的买家")
    await buyer_says(client, agent, "c-1", 200)
    made = []
    real = watch_api.team_snapshot

    async def counted(app: Any, shop_ids: list[int]) -> Any:
        made.append(shop_ids)
        await asyncio.sleep(0.01)  # long enough for the other streams to ask meanwhile
        return await real(app, shop_ids)

    monkeypatch.setattr(watch_api, "team_snapshot", counted)
    frames = watch_api.WallFrames()
    app = client.app
    got = await asyncio.gather(*(frames.frame(app, [mini_shop.shop_id]) for _ in range(5)))
    assert len(made) == 1 and len(set(got)) == 1
    assert "急躁的买家".encode() in got[0][1]
    assert (await frames.frame(app, [mini_shop.shop_id])) == got[0]  # nothing moved: the same frame
    await buyer_says(client, agent, "c-1", 100)
    version, _ = await frames.frame(app, [mini_shop.shop_id])
    assert version == app[keys.WATCH].version and len(made) == 2


async def test_a_failed_snapshot_is_made_again_by_the_next_stream(
    client: TestClient, mini_shop: MiniShop, monkeypatch: pytest.MonkeyPatch
) -> None:
    real = watch_api.team_snapshot
    calls = 0

    async def flaky(app: Any, shop_ids: list[int]) -> Any:
        nonlocal calls
        calls += 1
        await asyncio.sleep(0.01)
        if calls == 1:
            raise RuntimeError("the first one fails")
        return await real(app, shop_ids)

    monkeypatch.setattr(watch_api, "team_snapshot", flaky)
    frames = watch_api.WallFrames()
    app = client.app
    first, second = await asyncio.gather(
        frames.frame(app, [mini_shop.shop_id]), frames.frame(app, [mini_shop.shop_id]), return_exceptions=True
    )
    assert isinstance(first, RuntimeError) and isinstance(second, tuple) and calls == 2
