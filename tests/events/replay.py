"""The Last-Event-ID scenario both backends must pass (SQLite's ring, the hub's change feed): run by
tests/events/test_event_replay.py and tests/hub/test_event_replay_pg.py."""

from __future__ import annotations

import asyncio
import json
from typing import Any

from aiohttp import ClientResponse
from aiohttp.test_utils import TestClient

from assistant import keys
from tests.conftest import MiniShop
from tests.events.test_events_api import AT, opened


async def stored(client: TestClient) -> None:
    """Hub mode writes sidebar events from a queue: wait until what was posted is in the hub, so that a
    reconnect finds it in the replay (else it would still come, live, after the state)."""
    flush = getattr(client.app[keys.EVENTS].log, "flush", None)
    if flush is not None:
        await flush()


async def frame(response: ClientResponse, wait: float = 3.0) -> tuple[int | None, str, dict[str, Any]]:
    """The next SSE frame as ``(id or None, event name, data)``; comments and ``retry:`` skipped."""
    while True:
        raw = await asyncio.wait_for(response.content.readuntil(b"\n\n"), wait)
        lines = raw.decode().strip().splitlines()
        fields = dict(line.split(": ", 1) for line in lines if not line.startswith(":") and ": " in line)
        if "event" in fields:
            return (
                (int(fields["id"]) if "id" in fields else None),
                fields["event"],
                json.loads(fields["data"]),
            )


async def stream(client: TestClient, token: str, last_event_id: int | str | None = None) -> ClientResponse:
    headers = {} if last_event_id is None else {"Last-Event-ID": str(last_event_id)}
    response = await client.get("/api/events/stream", params={"token": token}, headers=headers)
    assert response.status == 200
    return response


async def resume_scenario(client: TestClient, shop: MiniShop, headers: dict[str, str], token: str,
                          other_headers: dict[str, str], stale: tuple[int, ...] = ()) -> None:  # fmt: skip
    """Events get growing ids; a reconnect from the first gets exactly what came after it, for this agent
    only, then the state; an id it cannot replay from gives ``reset`` then the state."""
    first = await stream(client, token)
    assert (await frame(first))[1:] == ("state", {"current": None})
    assert (await client.post("/api/events", json=opened(), headers=headers)).status == 200
    opened_id, name, _ = await frame(first)
    assert name == "conversation.opened" and opened_id is not None
    first.close()  # the sidebar drops; meanwhile two messages, and another agent's event
    for kind, text in (("message.received", "在吗"), ("message.sent", "在的")):
        message = {"type": kind, "conversation": "c-1", "text": text, "at": AT}
        assert (await client.post("/api/events", json=message, headers=headers)).status == 200
    assert (
        await client.post("/api/events", json=opened(buyer="别人的买家"), headers=other_headers)
    ).status == 200

    await stored(client)
    again = await stream(client, token, opened_id)
    received = await frame(again)
    sent = await frame(again)
    assert [received[1], sent[1]] == ["message.received", "message.sent"]
    assert received[2]["event"]["text"] == "在吗" and sent[2]["event"]["text"] == "在的"
    assert received[0] is not None and sent[0] is not None and opened_id < received[0] < sent[0]
    state = await frame(again)
    assert state[0] is None and state[1] == "state" and state[2]["current"]["buyer"] == "tb_lucky"
    # live events keep coming on the resumed stream, after the replayed ones
    changed = {**opened(), "type": "conversation.changed"}
    assert (await client.post("/api/events", json=changed, headers=headers)).status == 200
    live = await frame(again)
    assert live[1] == "conversation.changed" and live[0] is not None and live[0] > sent[0]
    again.close()

    # up to date: nothing replayed, the state at once
    current = await stream(client, token, live[0])
    assert (await frame(current))[:2] == (None, "state")
    current.close()

    # ids it cannot replay from: from the future (another run, another database), not a number, and what
    # the backend no longer keeps (``stale``)
    unknowns: list[int | str] = [live[0] + 10**6, "abc", *stale]
    for unknown in unknowns:
        lost = await stream(client, token, unknown)
        reset = await frame(lost)
        assert reset[:2] == (None, "reset"), unknown
        assert (await frame(lost))[1] == "state"
        lost.close()
