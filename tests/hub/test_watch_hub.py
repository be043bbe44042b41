"""The response watch's take-over claims in hub mode: two apps on one hub (each with its own copy of the
shop, and its own clocks), the same handlers as in SQLite mode: concurrent 我来接 through the two apps
give one owner and a 409 naming them, the other app's wall shows the claim, the agent's sidebar on the
other app is told, and the holder's reply through either app releases it for everyone."""

from __future__ import annotations

import asyncio
import shutil
from collections.abc import Awaitable, Callable
from pathlib import Path

import pytest
from aiohttp.test_utils import TestClient

from assistant.app import create_app
from assistant.settings import Settings
from tests.conftest import MiniShop
from tests.events.replay import frame, stream
from tests.team.test_watch_api import buyer_says, get, open_conversation, post, shop_says

pytestmark = pytest.mark.postgres
Client = Callable[..., Awaitable[TestClient]]


async def test_claims_through_two_apps_give_one_owner_everywhere(
    aiohttp_client: Client, settings: Settings, mini_shop: MiniShop, pg_url: str,
    auth: Callable[[int], dict[str, str]], token_for: Callable[[int], str], tmp_path: Path,
) -> None:  # fmt: skip
    other_dir = tmp_path / "other"
    shutil.copytree(settings.data_dir, other_dir)
    hub = {"database_url": pg_url}
    a = await aiohttp_client(create_app(settings.model_copy(update=hub)))
    b = await aiohttp_client(create_app(settings.model_copy(update={**hub, "data_dir": other_dir})))
    agent = auth(mini_shop.agent_id)
    for app in (a, b):  # the chat client reports the conversation to both (clocks are still per process)
        await open_conversation(app, agent, "c-1", "没人理的买家")
        await buyer_says(app, agent, "c-1", 170)
    sidebar_on_b = await stream(b, token_for(mini_shop.agent_id))
    assert (await frame(sidebar_on_b))[1] == "state"
    claim = {"shop": mini_shop.shop_id, "conversation": "c-1"}
    results = await asyncio.gather(
        post(a, auth(mini_shop.supervisor_id), "/api/watch/claims", claim),
        post(b, auth(mini_shop.editor_id), "/api/watch/claims", claim),
    )
    assert sorted(status for status, _ in results) == [200, 409], results
    won = next(body for status, body in results if status == 200)
    lost = next(body for status, body in results if status == 409)
    assert lost["holder"]["name"] == won["agent_name"] and lost["holder"]["agent_id"] == won["agent_id"]
    for app in (a, b):  # both walls show the one owner
        wall = await get(app, auth(mini_shop.supervisor_id), "/api/watch/team")
        shop = next(s for s in wall["shops"] if s["shop_id"] == mini_shop.shop_id)
        assert shop["escalated"][0]["claimed_by"] == won["agent_name"]
    # the agent whose console it was on hears of it on b, whichever app took the claim
    # (the four events posted above may come first: they reach the hub from a queue, maybe after the stream opened)
    seen = [await frame(sidebar_on_b)]
    while seen[-1][1] != "conversation.taken" and len(seen) < 5:
        seen.append(await frame(sidebar_on_b))
    assert seen[-1][1] == "conversation.taken" and seen[-1][2]["by"] == won["agent_name"], seen
    assert {name for _, name, _ in seen[:-1]} <= {"conversation.opened", "message.received"}
    sidebar_on_b.close()
    # the holder answers through a: released on the hub, so b lets the agent claim it again
    holder = auth(won["agent_id"])
    await open_conversation(a, holder, "c-1", "没人理的买家")
    await shop_says(a, holder, "c-1", 0)
    again_status, again = await post(b, agent, "/api/watch/claims", claim)
    assert again_status == 200, again
