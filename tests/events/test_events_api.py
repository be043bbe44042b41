"""Conversation events through the real app: post events, follow them over the SSE stream."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable
from typing import Any

from aiohttp import ClientResponse
from aiohttp.test_utils import TestClient

from tests.conftest import MiniShop

Auth = Callable[[int], dict[str, str]]
AT = "2026-11-11T10:02:00+08:00"


async def next_frame(response: ClientResponse, wait: float = 2.0) -> tuple[str, dict[str, Any]]:
    """The next ``event:``/``data:`` frame of an SSE stream (comments and ``retry:`` skipped)."""
    while True:
        raw = await asyncio.wait_for(response.content.readuntil(b"\n\n"), wait)
        lines = raw.decode().strip().splitlines()
        fields = dict(line.split(": ", 1) for line in lines if not line.startswith(":") and ": " in line)
        if "event" in fields:
            return fields["event"], json.loads(fields["data"])


def opened(conversation: str = "c-1", buyer: str = "tb_lucky", shop: str = "test_shop") -> dict[str, Any]:
    return {
        "type": "conversation.opened",
        "conversation": conversation,
        "shop": shop,
        "buyer": buyer,
        "item_id": 7,
    }


async def test_post_event_updates_state_and_stream(
    client: TestClient, mini_shop: MiniShop, auth: Auth, token_for: Callable[[int], str]
) -> None:
    stream = await client.get("/api/events/stream", params={"token": token_for(mini_shop.agent_id)})
    assert stream.status == 200
    assert stream.headers["Content-Type"].startswith("text/event-stream")
    name, data = await next_frame(stream)
    assert (name, data) == ("state", {"current": None})

    response = await client.post("/api/events", json=opened(), headers=auth(mini_shop.agent_id))
    body = await response.json()
    assert response.status == 200, body
    assert body["ok"] is True and body["state"]["current"]["buyer"] == "tb_lucky"
    assert body["state"]["current"]["shop_id"] == mini_shop.shop_id

    name, data = await next_frame(stream)
    assert name == "conversation.opened"
    assert data["event"]["buyer"] == "tb_lucky" and data["state"]["current"]["item_id"] == 7

    message = {"type": "message.received", "conversation": "c-1", "text": "亲，什么时候发货呀？", "at": AT}
    response = await client.post("/api/events", json=message, headers=auth(mini_shop.agent_id))
    assert response.status == 200
    name, data = await next_frame(stream)
    assert name == "message.received"
    current = data["state"]["current"]
    assert current["last_buyer_message"] == "亲，什么时候发货呀？"
    assert [h["role"] for h in current["history"]] == ["buyer"]

    sent = {"type": "message.sent", "conversation": "c-1", "text": "今天就发哦", "at": AT}
    await client.post("/api/events", json=sent, headers=auth(mini_shop.agent_id))
    name, data = await next_frame(stream)
    assert name == "message.sent"
    assert data["state"]["current"]["last_buyer_message"] == "亲，什么时候发货呀？"
    assert [h["role"] for h in data["state"]["current"]["history"]] == ["buyer", "agent"]

    # A second conversation becomes current; switching back keeps the first one's history.
    await client.post("/api/events", json=opened("c-2", "另一位买家"), headers=auth(mini_shop.agent_id))
    await next_frame(stream)
    changed = {**opened(), "type": "conversation.changed"}
    del changed["item_id"]
    response = await client.post("/api/events", json=changed, headers=auth(mini_shop.agent_id))
    current = (await response.json())["state"]["current"]
    assert current["conversation"] == "c-1" and len(current["history"]) == 2 and current["item_id"] == 7
    stream.close()


async def test_new_stream_starts_with_current_state(
    client: TestClient, mini_shop: MiniShop, auth: Auth, token_for: Callable[[int], str]
) -> None:
    await client.post("/api/events", json=opened(buyer="先来的买家"), headers=auth(mini_shop.agent_id))
    stream = await client.get("/api/events/stream", headers=auth(mini_shop.agent_id))
    name, data = await next_frame(stream)
    assert name == "state" and data["current"]["buyer"] == "先来的买家"
    stream.close()


async def test_agents_never_see_each_others_events(
    client: TestClient, mini_shop: MiniShop, auth: Auth, token_for: Callable[[int], str]
) -> None:
    other = await client.get("/api/events/stream", params={"token": token_for(mini_shop.editor_id)})
    await next_frame(other)
    await client.post("/api/events", json=opened(buyer="只给小美"), headers=auth(mini_shop.agent_id))
    await client.post("/api/events", json=opened(buyer="给李娜"), headers=auth(mini_shop.editor_id))
    _, data = await next_frame(other)
    assert data["event"]["buyer"] == "给李娜"
    snapshot = await client.get("/api/events/stream", params={"token": token_for(mini_shop.editor_id)})
    _, state = await next_frame(snapshot)
    assert state["current"]["buyer"] == "给李娜"
    other.close()
    snapshot.close()


async def test_bad_events_get_the_error_shape(client: TestClient, mini_shop: MiniShop, auth: Auth) -> None:
    headers = auth(mini_shop.agent_id)
    cases: list[tuple[dict[str, Any], int, str]] = [
        ({"type": "conversation.closed", "conversation": "c-1"}, 400, "type"),
        ({"conversation": "c-1"}, 400, "type"),
        ({**opened(), "buyer": ""}, 400, "buyer"),
        ({**opened(), "colour": "red"}, 400, "colour"),
        ({"type": "message.received", "conversation": "c-1", "text": "在吗", "at": "昨天"}, 400, "at"),
        (
            {"type": "message.received", "conversation": "never-opened", "text": "在吗", "at": AT},
            400,
            "conversation",
        ),
        (opened(shop="no_such_shop"), 400, "shop"),
    ]
    for payload, status, field in cases:
        response = await client.post("/api/events", json=payload, headers=headers)
        body = await response.json()
        assert response.status == status, (payload, body)
        assert body["ok"] is False and body["status"] == status and body["error"]
        assert field in [e["field"] for e in body["errors"]], (payload, body)


async def test_shop_outside_the_agents_shops_is_forbidden(
    client: TestClient, mini_shop: MiniShop, auth: Auth
) -> None:
    response = await client.post(
        "/api/events", json=opened(shop="test_shop"), headers=auth(mini_shop.outsider_id)
    )
    body = await response.json()
    assert response.status == 403 and body["errors"][0]["field"] == "shop"


async def test_tokens_are_required(client: TestClient, mini_shop: MiniShop) -> None:
    response = await client.post("/api/events", json=opened())
    assert response.status == 401
    for params in ({}, {"token": "kf1.forged"}):
        stream = await client.get("/api/events/stream", params=params)
        body = await stream.json()
        assert stream.status == 401 and body["ok"] is False and body["errors"][0]["field"] == "token"


async def test_server_stops_promptly_with_open_streams(
    client: TestClient, mini_shop: MiniShop, token_for: Callable[[int], str]
) -> None:
    stream = await client.get("/api/events/stream", params={"token": token_for(mini_shop.agent_id)})
    await next_frame(stream)
    loop = asyncio.get_running_loop()
    started = loop.time()
    await asyncio.wait_for(client.server.close(), 5)
    assert loop.time() - started < 2.0
    assert await stream.content.read() == b""  # the stream was ended, not cut


async def test_message_sent_marks_an_inserted_text_as_edited_only_when_it_changed(
    client: TestClient, app: Any, mini_shop: MiniShop, auth: Auth
) -> None:
    from assistant import keys

    headers = auth(mini_shop.agent_id)
    for conversation in ("c-same", "c-changed"):
        response = await client.post("/api/events", json=opened(conversation), headers=headers)
        assert response.status == 200
    inserted = "亲，今天下单\n明天发货哦"
    for ref_id, conversation in ((11, "c-same"), (12, "c-changed")):
        response = await client.post(
            "/api/usage",
            headers=headers,
            json={"kind": "quick_reply", "ref_id": ref_id, "conversation": conversation, "text": inserted},
        )
        assert response.status == 202
    sent = {"c-same": "亲，今天下单 明天发货哦", "c-changed": "亲，今天下单，后天发货哦"}
    for conversation, text in sent.items():
        response = await client.post(
            "/api/events",
            headers=headers,
            json={"type": "message.sent", "conversation": conversation, "text": text, "at": AT},
        )
        assert response.status == 200
    # a second message in the same conversation is not about the insert any more
    response = await client.post(
        "/api/events",
        headers=headers,
        json={"type": "message.sent", "conversation": "c-same", "text": "还有别的问题吗", "at": AT},
    )
    assert response.status == 200

    await app[keys.USAGE].flush()
    rows = await app[keys.DB].read(
        lambda db: db.execute("SELECT ref_id, edited FROM usage_events ORDER BY ref_id").fetchall()
    )
    assert rows == [(11, 0), (12, 1)]
