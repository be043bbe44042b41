"""The conversation log through the real app: events in, the typed read interface out, retention."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from aiohttp.test_utils import TestClient

from assistant import keys
from assistant.conversations.models import Direction, MessageSource
from assistant.scheduler import Scheduler
from tests.conftest import MiniShop

Auth = Callable[[int], dict[str, str]]


def opened(conversation: str, buyer: str, shop: str = "test_shop") -> dict[str, Any]:
    return {"type": "conversation.opened", "conversation": conversation, "shop": shop, "buyer": buyer}


async def post(
    client: TestClient, headers: dict[str, str], event: dict[str, Any]
) -> tuple[int, dict[str, Any]]:
    response = await client.post("/api/events", json=event, headers=headers)
    return response.status, await response.json()


async def test_messages_are_logged_with_direction_source_and_sender(
    client: TestClient, mini_shop: MiniShop, auth: Auth
) -> None:
    headers = auth(mini_shop.agent_id)
    assert (await post(client, headers, opened("c-1", "tb_lucky")))[0] == 200
    status, body = await post(
        client,
        headers,
        {
            "type": "message.received",
            "conversation": "c-1",
            "text": " 在吗？ ",
            "at": "2026-11-11T10:00:00+08:00",
        },
    )
    assert status == 200 and body["logged"] is True
    await post(
        client,
        headers,
        {
            "type": "message.sent",
            "conversation": "c-1",
            "text": "亲，在的～",
            "at": "2026-11-11T10:00:01+08:00",
            "source": "auto_reply",
            "sender": "测试旗舰店:自动回复",
        },
    )
    status, body = await post(
        client,
        headers,
        {
            "type": "message.sent",
            "conversation": "c-1",
            "text": "您好，我是小美",
            "at": "2026-11-11T02:01:30Z",
        },
    )
    assert status == 200 and body["logged"] is True

    log = client.app[keys.CONVERSATIONS]
    messages = await log.messages(mini_shop.shop_id, "c-1")
    assert [(m.direction, m.source, m.text) for m in messages] == [
        (Direction.IN, None, " 在吗？ "),
        (Direction.OUT, MessageSource.AUTO_REPLY, "亲，在的～"),
        (Direction.OUT, MessageSource.HUMAN, "您好，我是小美"),  # no source: a person sent it
    ]
    assert {m.buyer_nick for m in messages} == {"tb_lucky"}
    assert {m.agent_id for m in messages} == {mini_shop.agent_id}
    assert messages[1].sender == "测试旗舰店:自动回复" and messages[2].sender is None
    assert messages[0].at == datetime(2026, 11, 11, 2, 0, tzinfo=UTC)
    assert all(m.received_at > datetime(2026, 1, 1, tzinfo=UTC) for m in messages)


async def test_the_same_platform_message_is_logged_once(
    client: TestClient, mini_shop: MiniShop, auth: Auth
) -> None:
    headers = auth(mini_shop.agent_id)
    await post(client, headers, opened("c-dup", "回头客"))
    event = {
        "type": "message.received",
        "conversation": "c-dup",
        "text": "发货了吗",
        "at": "2026-11-11T10:00:00+08:00",
        "message_id": "m-42",
    }
    first = await post(client, headers, event)
    again = await post(client, headers, event)
    assert first[1]["logged"] is True and again[1]["logged"] is False
    assert len(again[1]["state"]["current"]["history"]) == 1  # the repeat did not reach the sidebar either
    log = client.app[keys.CONVERSATIONS]
    assert len(await log.messages(mini_shop.shop_id, "c-dup")) == 1
    # The same id in another conversation of the shop is the same platform message too; a new id is new.
    await post(client, headers, {**event, "message_id": "m-43", "text": "在吗"})
    assert [m.text for m in await log.messages(mini_shop.shop_id, "c-dup")] == ["发货了吗", "在吗"]


async def test_bad_message_fields_are_named(client: TestClient, mini_shop: MiniShop, auth: Auth) -> None:
    headers = auth(mini_shop.agent_id)
    await post(client, headers, opened("c-bad", "tb_lucky"))
    sent = {
        "type": "message.sent",
        "conversation": "c-bad",
        "text": "好的",
        "at": "2026-11-11T10:00:00+08:00",
    }
    cases = [
        ({**sent, "source": "robot"}, "source"),
        ({**sent, "sender": ""}, "sender"),
        ({**sent, "at": "2026-11-11T10:00:00"}, "at"),  # no offset: the platform time would be a guess
        ({**sent, "type": "message.received", "source": "human"}, "source"),  # buyers have no source
        ({**sent, "message_id": "x" * 101}, "message_id"),
    ]
    for event, field in cases:
        status, body = await post(client, headers, event)
        assert status == 400, (event, body)
        assert [e["field"] for e in body["errors"]] == [field], body
    log = client.app[keys.CONVERSATIONS]
    assert await log.messages(mini_shop.shop_id, "c-bad") == []
    status, body = await post(client, headers, {**sent, "conversation": "never-opened"})
    assert status == 400 and body["errors"][0]["field"] == "conversation"


async def test_shop_messages_and_active_conversations_in_a_range(
    client: TestClient, mini_shop: MiniShop, auth: Auth
) -> None:
    headers = auth(mini_shop.agent_id)
    editor = auth(mini_shop.editor_id)
    await post(client, headers, opened("c-a", "买家甲"))
    await post(client, editor, opened("c-b", "买家乙"))
    await post(client, headers, opened("c-other", "别家买家", shop="other_shop"))
    events = [
        (headers, "c-a", "message.received", "2026-11-11T09:59:00+08:00"),
        (headers, "c-a", "message.received", "2026-11-11T10:00:00+08:00"),
        (headers, "c-a", "message.sent", "2026-11-11T10:02:00+08:00"),
        (editor, "c-b", "message.received", "2026-11-11T10:30:00+08:00"),
        (editor, "c-b", "message.sent", "2026-11-11T11:00:00+08:00"),  # the end is not in the range
        (headers, "c-other", "message.received", "2026-11-11T10:10:00+08:00"),
    ]
    for who, conversation, kind, at in events:
        status, _ = await post(
            client, who, {"type": kind, "conversation": conversation, "text": "…", "at": at}
        )
        assert status == 200
    log = client.app[keys.CONVERSATIONS]
    start, end = datetime(2026, 11, 11, 2, 0, tzinfo=UTC), datetime(2026, 11, 11, 3, 0, tzinfo=UTC)
    in_range = await log.shop_messages(mini_shop.shop_id, start, end)
    assert [(m.conversation, m.direction) for m in in_range] == [
        ("c-a", Direction.IN),
        ("c-a", Direction.OUT),
        ("c-b", Direction.IN),
    ]
    incoming = await log.shop_messages(mini_shop.shop_id, start, end, direction=Direction.IN)
    assert [m.conversation for m in incoming] == ["c-a", "c-b"]
    assert len(await log.shop_messages(mini_shop.shop_id, start, end, limit=1)) == 1
    active = await log.active_conversations(mini_shop.shop_id, start, end)
    assert [(a.conversation, a.buyer_nick, a.messages_in, a.messages_out) for a in active] == [
        ("c-a", "买家甲", 1, 1),
        ("c-b", "买家乙", 1, 0),
    ]
    assert active[0].agent_ids == [mini_shop.agent_id] and active[1].agent_ids == [mini_shop.editor_id]
    assert active[0].first_at == start and active[0].last_at == start + timedelta(minutes=2)
    other = await log.active_conversations(mini_shop.other_shop_id, start, end)
    assert [a.conversation for a in other] == ["c-other"]


async def test_retention_job_forgets_old_messages_and_is_idempotent(
    client: TestClient, mini_shop: MiniShop, auth: Auth
) -> None:
    headers = auth(mini_shop.agent_id)
    await post(client, headers, opened("c-old", "老买家"))
    now = datetime.now(UTC)
    for days in (120, 91, 89, 0):
        at = (now - timedelta(days=days)).isoformat()
        await post(
            client,
            headers,
            {"type": "message.received", "conversation": "c-old", "text": f"{days} 天前", "at": at},
        )
    app = client.app
    assert app[keys.SETTINGS].conversation_retention_days == 90
    scheduler = app[keys.SCHEDULER]
    assert "conversation_retention" in scheduler.jobs
    assert await scheduler.run_now("conversation_retention") == 2
    assert await scheduler.run_now("conversation_retention") == 0
    left = await app[keys.CONVERSATIONS].messages(mini_shop.shop_id, "c-old")
    assert [m.text for m in left] == ["89 天前", "0 天前"]


async def test_scheduler_runs_jobs_at_start_and_again_after_a_failure() -> None:
    calls: list[str] = []

    async def flaky() -> int:
        calls.append("run")
        if len(calls) == 1:
            raise RuntimeError("disk full")
        return len(calls)

    scheduler = Scheduler()
    job = scheduler.add("flaky", 0.01, flaky)
    async with scheduler.running():
        for _ in range(200):
            if job.runs >= 2:
                break
            await asyncio.sleep(0.01)
    assert len(calls) >= 3 and job.runs >= 2 and job.last_error is None
    with pytest.raises(ValueError, match="twice"):
        scheduler.add("flaky", 1, flaky)


async def test_an_auto_reply_is_not_taken_for_the_agent_editing_an_insert(
    client: TestClient, mini_shop: MiniShop, auth: Auth
) -> None:
    headers = auth(mini_shop.agent_id)
    await post(client, headers, opened("c-auto", "tb_lucky"))
    response = await client.post(
        "/api/usage",
        headers=headers,
        json={"kind": "quick_reply", "ref_id": 21, "conversation": "c-auto", "text": "亲，今天发货哦"},
    )
    assert response.status == 202
    at = "2026-11-11T10:00:00+08:00"
    for source, text in (
        ("auto_reply", "您好，欢迎光临"),
        ("assist_bot", "机器人：在的"),
        ("human", "亲，今天发货哦"),
    ):
        status, _ = await post(
            client,
            headers,
            {"type": "message.sent", "conversation": "c-auto", "text": text, "at": at, "source": source},
        )
        assert status == 200
    app = client.app
    await app[keys.USAGE].flush()
    rows = await app[keys.DB].read(
        lambda db: db.execute("SELECT ref_id, edited FROM usage_events").fetchall()
    )
    assert rows == [(21, 0)]  # the human's text was the insert, unchanged; the others were not hers
    sources = [m.source for m in await app[keys.CONVERSATIONS].messages(mini_shop.shop_id, "c-auto")]
    assert sources == [MessageSource.AUTO_REPLY, MessageSource.ASSIST_BOT, MessageSource.HUMAN]
