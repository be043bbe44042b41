"""The response watch through the real app: clocks from events, the wall, take-over, the switch."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient

from assistant import keys
from assistant.app import create_app
from assistant.settings import Settings
from assistant.team import roster
from knowledge.database import AsyncDatabase
from tests.conftest import MiniShop, afternoon_zone
from tests.events.test_events_api import next_frame

Auth = Callable[[int], dict[str, str]]


@pytest.fixture
def settings(settings: Settings) -> Settings:
    """The clock counts turns 08:00–24:00 of the shop's day: these tests run where it is afternoon."""
    return settings.model_copy(update={"timezone": afternoon_zone()})


def ago(seconds: float) -> str:
    return (datetime.now(UTC) - timedelta(seconds=seconds)).isoformat()


async def post(
    client: TestClient, headers: dict[str, str], path: str, body: dict[str, Any]
) -> tuple[int, Any]:
    response = await client.post(path, json=body, headers=headers)
    return response.status, await response.json()


async def get(client: TestClient, headers: dict[str, str], path: str, **params: Any) -> Any:
    response = await client.get(path, headers=headers, params=params)
    body = await response.json()
    assert response.status == 200, body
    return body


async def open_conversation(
    client: TestClient, headers: dict[str, str], conversation: str, buyer: str
) -> None:
    status, body = await post(
        client,
        headers,
        "/api/events",
        {
            "type": "conversation.opened",
            "conversation": conversation,
            "shop": "test_shop",
            "buyer": buyer,
        },
    )
    assert status == 200, body


async def buyer_says(
    client: TestClient, headers: dict[str, str], conversation: str, seconds_ago: float
) -> None:
    status, body = await post(
        client,
        headers,
        "/api/events",
        {
            "type": "message.received",
            "conversation": conversation,
            "text": "在吗？什么时候发货",
            "at": ago(seconds_ago),
        },
    )
    assert status == 200, body


async def shop_says(
    client: TestClient, headers: dict[str, str], conversation: str, seconds_ago: float, source: str = "human"
) -> None:
    status, body = await post(
        client,
        headers,
        "/api/events",
        {
            "type": "message.sent",
            "conversation": conversation,
            "text": "亲，今天就发",
            "at": ago(seconds_ago),
            "source": source,
        },
    )
    assert status == 200, body


async def test_a_waiting_buyer_shows_with_the_mark_and_a_human_reply_clears_it(
    client: TestClient, mini_shop: MiniShop, auth: Auth
) -> None:
    agent = auth(mini_shop.agent_id)
    await open_conversation(client, agent, "c-1", "等了很久的买家")
    await buyer_says(client, agent, "c-1", 200)
    await shop_says(client, agent, "c-1", 190, source="auto_reply")  # the auto-reply does not stop the clock
    await open_conversation(client, agent, "c-2", "刚来的买家")
    await buyer_says(client, agent, "c-2", 30)
    watch = await get(client, agent, "/api/watch")
    assert [w["conversation"] for w in watch["waiting"]] == ["c-1", "c-2"]
    first = watch["waiting"][0]
    assert (
        first["buyer"] == "等了很久的买家" and first["mark"] == "missed" and 199 <= first["waited_s"] <= 210
    )
    assert watch["count"] == 2 and watch["longest_s"] == first["waited_s"]
    assert watch["waiting"][1]["mark"] == "none"
    assert watch["marks"] == {"nudge_s": 100, "escalate_s": 150, "missed_s": 180, "limit_s": 300}
    assert watch["today"]["counted"] == 1 and watch["today"]["within"] == 0 and watch["today"]["pending"] == 1
    assert watch["today"]["rate_if_answered_now"] == 0.5

    await open_conversation(client, agent, "c-1", "等了很久的买家")
    await shop_says(client, agent, "c-1", 0)
    await open_conversation(client, agent, "c-2", "刚来的买家")
    await shop_says(client, agent, "c-2", 0)
    watch = await get(client, agent, "/api/watch")
    assert watch["waiting"] == [] and watch["today"]["counted"] == 2 and watch["today"]["within"] == 1
    assert watch["today"]["rate"] == 0.5 and watch["today"]["mean_response_s"] is not None
    # another agent sees none of it as theirs
    assert (await get(client, auth(mini_shop.editor_id), "/api/watch"))["count"] == 0


async def test_the_wall_is_for_supervisors_and_shows_every_agent_and_the_escalated(
    client: TestClient, mini_shop: MiniShop, auth: Auth
) -> None:
    agent = auth(mini_shop.agent_id)
    await open_conversation(client, agent, "c-1", "急躁的买家")
    await buyer_says(client, agent, "c-1", 160)
    forbidden = await client.get("/api/watch/team", headers=agent)
    assert forbidden.status == 403
    wall = await get(client, auth(mini_shop.supervisor_id), "/api/watch/team")
    row = next(a for a in wall["agents"] if a["agent_id"] == mini_shop.agent_id)
    assert row["waiting"] == 1 and row["open_conversations"] == 1 and 159 <= row["oldest_s"] <= 170
    assert wall["agents"][0]["agent_id"] == mini_shop.agent_id  # the longest wait first
    shop = next(s for s in wall["shops"] if s["shop_id"] == mini_shop.shop_id)
    assert shop["waiting"] == 1 and [w["buyer"] for w in shop["escalated"]] == ["急躁的买家"]


async def test_two_concurrent_claims_give_one_owner_and_a_409_naming_the_holder(
    client: TestClient, mini_shop: MiniShop, auth: Auth, token_for: Callable[[int], str]
) -> None:
    agent = auth(mini_shop.agent_id)
    await open_conversation(client, agent, "c-1", "没人理的买家")
    await buyer_says(client, agent, "c-1", 170)
    stream = await client.get("/api/events/stream", params={"token": token_for(mini_shop.agent_id)})
    assert (await next_frame(stream))[0] == "state"
    claim = {"shop": mini_shop.shop_id, "conversation": "c-1"}
    results = await asyncio.gather(
        post(client, auth(mini_shop.supervisor_id), "/api/watch/claims", claim),
        post(client, auth(mini_shop.editor_id), "/api/watch/claims", claim),
    )
    statuses = sorted(status for status, _ in results)
    assert statuses == [200, 409], results
    won = next(body for status, body in results if status == 200)
    lost = next(body for status, body in results if status == 409)
    assert lost["holder"]["name"] == won["agent_name"] and won["agent_name"] in lost["error"]
    assert lost["errors"][0]["field"] == "conversation"
    event, data = await next_frame(stream)
    assert event == "conversation.taken" and data["by"] == won["agent_name"] and data["conversation"] == "c-1"
    stream.close()
    # the wall shows who took it; the holder's human reply releases the claim
    wall = await get(client, auth(mini_shop.supervisor_id), "/api/watch/team")
    shop = next(s for s in wall["shops"] if s["shop_id"] == mini_shop.shop_id)
    assert shop["escalated"][0]["claimed_by"] == won["agent_name"]
    holder = auth(won["agent_id"])
    await post(
        client,
        holder,
        "/api/events",
        {"type": "conversation.opened", "conversation": "c-1", "shop": "test_shop", "buyer": "没人理的买家"},
    )
    await shop_says(client, holder, "c-1", 0)
    again_status, again = await post(client, agent, "/api/watch/claims", claim)
    assert again_status == 200, again


async def test_claiming_an_unknown_conversation_is_404_naming_it(
    client: TestClient, mini_shop: MiniShop, auth: Auth
) -> None:
    status, body = await post(
        client,
        auth(mini_shop.agent_id),
        "/api/watch/claims",
        {"shop": mini_shop.shop_id, "conversation": "nobody"},
    )
    assert status == 404 and body["errors"][0]["field"] == "conversation"


async def test_the_emergency_switch_swaps_the_auto_reply_and_is_audited(
    client: TestClient, mini_shop: MiniShop, auth: Auth, settings: Settings
) -> None:
    boss, agent = auth(mini_shop.supervisor_id), auth(mini_shop.agent_id)
    now = datetime.now(UTC)
    status, body = await post(
        client,
        auth(mini_shop.editor_id),
        "/api/kb/campaigns",
        {
            "shop_id": mini_shop.shop_id,
            "name": "双11",
            "rules": "满300减40",
            "starts_at": (now - timedelta(hours=1)).isoformat(),
            "ends_at": (now + timedelta(days=1)).isoformat(),
            "scripts": [
                {
                    "kind": "auto_reply",
                    "title": "自动回复",
                    "body": "欢迎光临，{{ campaign.name }}满300减40，直接拍下即可",
                },
                {
                    "kind": "emergency",
                    "situation": "付款失败",
                    "title": "支付故障",
                    "body": "亲，支付通道拥堵，请稍后再试",
                },
            ],
        },
    )
    assert status in (200, 201), body
    proposal = await get(client, agent, "/api/auto-reply")
    assert proposal == {
        "ok": True,
        "text": "欢迎光临，双11满300减40，直接拍下即可",
        "source": "campaign",
        "campaign": "双11",
    }
    switch = {"shop": mini_shop.shop_id, "on": True}
    status, body = await post(client, boss, "/api/emergency", switch)
    assert status == 400 and body["errors"][0]["field"] == "reason"
    status, body = await post(client, agent, "/api/emergency", {**switch, "reason": "支付故障"})
    assert status == 403
    status, body = await post(client, boss, "/api/emergency", {**switch, "reason": "支付故障"})
    assert status == 200, body
    assert body["on"] is True and body["current"]["auto_reply"] == "亲，支付通道拥堵，请稍后再试"
    status, body = await post(client, boss, "/api/emergency", {**switch, "reason": "又一次"})
    assert status == 409 and body["current"]["reason"] == "支付故障"
    assert (await get(client, agent, "/api/auto-reply"))["source"] == "emergency"
    watch = await get(client, agent, "/api/watch")
    assert [e["reason"] for e in watch["emergencies"]] == ["支付故障"]
    status, body = await post(client, boss, "/api/emergency", {"shop": mini_shop.shop_id, "on": False})
    assert status == 200 and body["on"] is False and len(body["timeline"]) == 1
    assert body["timeline"][0]["ended_by_name"] == "王静"
    assert (await get(client, agent, "/api/auto-reply"))["source"] == "campaign"
    status, body = await post(client, boss, "/api/emergency", {"shop": mini_shop.shop_id, "on": False})
    assert status == 409
    db = AsyncDatabase(settings.db_path)
    try:
        audit = db.read_sync(
            lambda conn: conn.execute(
                "SELECT action, reason, agent_id FROM audit_log WHERE entity = 'emergency' ORDER BY id"
            ).fetchall()
        )
    finally:
        db.close()
    assert audit == [("start", "支付故障", mini_shop.supervisor_id), ("end", "", mini_shop.supervisor_id)]


async def test_presence_is_reported_and_shown_on_the_wall(
    client: TestClient, mini_shop: MiniShop, auth: Auth
) -> None:
    status, body = await post(client, auth(mini_shop.agent_id), "/api/presence", {"state": "busy"})
    assert status == 200 and body["state"] == "busy"
    status, body = await post(client, auth(mini_shop.agent_id), "/api/presence", {"state": "asleep"})
    assert status == 400 and body["errors"][0]["field"] == "state"
    wall = await get(client, auth(mini_shop.supervisor_id), "/api/watch/team")
    assert next(a for a in wall["agents"] if a["agent_id"] == mini_shop.agent_id)["presence"] == "busy"
    assert (await get(client, auth(mini_shop.agent_id), "/api/watch"))["presence"] == "busy"


async def test_the_clocks_survive_a_restart(
    aiohttp_client: Callable[..., Awaitable[TestClient]], settings: Settings, mini_shop: MiniShop, auth: Auth
) -> None:
    first = await aiohttp_client(create_app(settings))
    agent = auth(mini_shop.agent_id)
    await open_conversation(first, agent, "c-1", "重启前的买家")
    await buyer_says(first, agent, "c-1", 120)
    await first.close()
    second: TestClient = await aiohttp_client(create_app(settings))
    watch = await get(second, agent, "/api/watch")
    assert [w["buyer"] for w in watch["waiting"]] == ["重启前的买家"] and watch["waiting"][0][
        "mark"
    ] == "nudge"
    assert isinstance(second.app, web.Application)


async def test_the_wall_streams_a_snapshot_and_every_change(
    client: TestClient, mini_shop: MiniShop, auth: Auth, token_for: Callable[[int], str]
) -> None:
    refused = await client.get("/api/watch/team/stream", params={"token": token_for(mini_shop.agent_id)})
    assert refused.status == 403
    stream = await client.get("/api/watch/team/stream", params={"token": token_for(mini_shop.supervisor_id)})
    event, first = await next_frame(stream)
    assert event == "team" and all(a["waiting"] == 0 for a in first["agents"])
    agent = auth(mini_shop.agent_id)
    await open_conversation(client, agent, "c-9", "新来的买家")
    await buyer_says(client, agent, "c-9", 5)
    for _ in range(5):  # a frame per change; the buyer's message arrives within a few
        event, frame = await next_frame(stream)
        row = next((a for a in frame["agents"] if a["agent_id"] == mini_shop.agent_id), None)
        if row and row["waiting"] == 1:
            break
    else:
        raise AssertionError("the wall never showed the waiting buyer")
    stream.close()


async def test_the_watch_takes_one_shop_by_its_id(
    client: TestClient, mini_shop: MiniShop, auth: Auth
) -> None:
    agent = auth(mini_shop.agent_id)
    await open_conversation(client, agent, "c-1", "本店买家")
    await buyer_says(client, agent, "c-1", 20)
    here = await get(client, agent, "/api/watch", shop=mini_shop.shop_id)
    there = await get(client, agent, "/api/watch", shop=mini_shop.other_shop_id)
    assert here["count"] == 1 and there["count"] == 0
    refused = await client.get("/api/watch", params={"shop": mini_shop.other_shop_id + 100}, headers=agent)
    assert refused.status == 404 and (await refused.json())["errors"][0]["field"] == "shop"


async def test_the_roster_says_who_works_which_shift_and_a_supervisor_moves_agents(
    client: TestClient, mini_shop: MiniShop, auth: Auth
) -> None:
    agent, boss = auth(mini_shop.agent_id), auth(mini_shop.supervisor_id)
    first = await get(client, agent, "/api/roster", day="2026-11-03")
    row = next(a for a in first["agents"] if a["agent_id"] == mini_shop.agent_id)
    assert row["shift"] in ("早班", "晚班") and row["rotation"] in ("A", "B")
    other = "B" if row["rotation"] == "A" else "A"
    response = await client.put(f"/api/roster/{mini_shop.agent_id}", json={"rotation": other}, headers=agent)
    assert response.status == 403
    response = await client.put(f"/api/roster/{mini_shop.agent_id}", json={"rotation": other}, headers=boss)
    assert response.status == 200
    moved = await get(client, agent, "/api/roster", day="2026-11-03")
    again = next(a for a in moved["agents"] if a["agent_id"] == mini_shop.agent_id)
    assert again["rotation"] == other and again["shift"] != row["shift"]
    later = await get(client, agent, "/api/roster", day="2026-11-20")  # swapped after the 15th
    assert next(a for a in later["agents"] if a["agent_id"] == mini_shop.agent_id)["shift"] == row["shift"]
    wall = await get(client, boss, "/api/watch/team")
    assert all(a["shift"] in ("早班", "晚班") and isinstance(a["on_shift"], bool) for a in wall["agents"])
    bad = await client.put(f"/api/roster/{mini_shop.agent_id}", json={"rotation": "C"}, headers=boss)
    assert bad.status == 400 and (await bad.json())["errors"][0]["field"] == "rotation"


async def test_the_watch_says_whether_the_roster_has_the_agent_on_shift_now(
    client: TestClient, mini_shop: MiniShop, auth: Auth
) -> None:
    """Off shift counts as away for the auto-reply proposal: the flag follows the roster's rotation."""
    agent, boss = auth(mini_shop.agent_id), auth(mini_shop.supervisor_id)
    tz = client.app[keys.WATCH].tz
    seen = {}
    for rotation in ("A", "B"):
        response = await client.put(
            f"/api/roster/{mini_shop.agent_id}", json={"rotation": rotation}, headers=boss
        )
        assert response.status == 200
        expected = roster.current(rotation, datetime.now(UTC), tz).now_on
        seen[rotation] = (await get(client, agent, "/api/watch"))["on_shift"]
        assert seen[rotation] is expected
    assert not all(seen.values())  # the two groups never work the same shift
