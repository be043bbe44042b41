"""SQLite mode: sidebar events carry monotonic ids and a reconnect resumes from Last-Event-ID out of a
bounded in-memory ring, or is told ``reset`` when the ring no longer holds what it missed."""

from __future__ import annotations

from collections.abc import Callable

from aiohttp.test_utils import TestClient

from assistant import keys
from assistant.event_log import Published, RingEventLog, parse_event_id
from tests.conftest import MiniShop
from tests.events.replay import frame, resume_scenario, stream


async def test_a_reconnect_resumes_from_last_event_id(
    client: TestClient, mini_shop: MiniShop, auth: Callable[[int], dict[str, str]],
    token_for: Callable[[int], str],
) -> None:  # fmt: skip
    await resume_scenario(client, mini_shop, auth(mini_shop.agent_id), token_for(mini_shop.agent_id),
                          auth(mini_shop.editor_id), stale=(1,))  # fmt: skip


async def test_notices_carry_ids_too_and_the_query_parameter_works(
    client: TestClient, mini_shop: MiniShop, token_for: Callable[[int], str]
) -> None:
    events = client.app[keys.EVENTS]
    events.notify({mini_shop.agent_id}, "edit.synced", {"order_id": 1})
    token = token_for(mini_shop.agent_id)
    first = await stream(client, token)
    assert (await frame(first))[1] == "state"
    events.notify({mini_shop.agent_id}, "edit.synced", {"order_id": 2})
    notice = await frame(first)
    assert notice[1:] == ("edit.synced", {"order_id": 2}) and notice[0] is not None
    first.close()
    events.notify({mini_shop.agent_id, mini_shop.editor_id}, "emergency", {"on": True})
    resumed = await client.get("/api/events/stream", params={"token": token, "last_event_id": str(notice[0])})
    assert (await frame(resumed))[1:] == ("emergency", {"on": True})
    assert (await frame(resumed))[1] == "state"
    resumed.close()


async def test_the_ring_says_when_it_no_longer_holds_what_was_missed() -> None:
    delivered: list[Published] = []
    ring = RingEventLog(delivered.append, size=3)
    for n in range(5):
        ring.publish(frozenset({1 if n % 2 else 2}), "e", {"n": n})
    ids = [p.id for p in delivered]
    assert ids == sorted(ids) and len(set(ids)) == 5  # delivered at once, growing ids
    assert await ring.replay(1, ids[0]) is None  # ids[1] fell out of the ring: cannot say
    kept = await ring.replay(1, ids[1])  # ids[2..4] kept: nothing after ids[1] was lost
    assert kept is not None and [p.data["n"] for p in kept] == [3]
    assert await ring.replay(2, ids[1]) == [delivered[2], delivered[4]]
    assert await ring.replay(2, ids[2]) == [delivered[4]]
    assert await ring.replay(1, ids[4]) == []
    assert await ring.replay(1, ids[4] + 1) is None  # an id it never gave
    restarted = RingEventLog(delivered.append)
    assert await restarted.replay(1, ids[4]) is None  # an id from before a restart is not "up to date"
    assert parse_event_id(" 42 ") == 42 and parse_event_id("x") == -1 and parse_event_id("") is None
