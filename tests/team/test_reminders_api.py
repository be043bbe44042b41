"""Payment reminders through the real app: tasks from unpaid orders, one owner, touches rechecked first."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from aiohttp.test_utils import TestClient

from assistant import keys
from assistant.commerce.models import OrderStatus
from assistant.settings import Settings
from assistant.team.reminders import calling_slot
from knowledge.database import AsyncDatabase
from tests.commerce import factory
from tests.conftest import MiniShop
from tests.team.test_watch_api import buyer_says, open_conversation, post

Auth = Callable[[int], dict[str, str]]


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    # no quiet hours and no holdout, so the tests do not depend on the hour they run at
    return Settings(
        data_dir=tmp_path / "data",
        demo_on_first_run=False,
        encoder="off",
        reminder_quiet_hours="",
        reminder_holdout_percent=0,
    )


def unpaid(
    store_db: AsyncDatabase,
    shop_id: int,
    nick: str,
    buyer_id: int,
    minutes: int = 20,
    price_fen: int = 19_900,
    new_buyer: bool = True,
) -> str:
    # `minutes` before now, not before the factory's clock (read when the suite began: a long run makes
    # a 3-minute-old order look past the 10-minute mark)
    age = timedelta(minutes=minutes) + (datetime.now(UTC) - factory.NOW)
    made = factory.order(shop_id, buyer_id, OrderStatus.AWAITING_PAYMENT, price_fen=price_fen, age=age)
    buyers = [factory.buyer(shop_id, nick, buyer_id)] if new_buyer else []
    store_db.write_sync(lambda db: factory.save(db, buyers, [made]))
    return made.id


async def scan(client: TestClient) -> Any:
    return await client.app[keys.SCHEDULER].run_now("reminder_scan")


async def queue(client: TestClient, headers: dict[str, str]) -> Any:
    response = await client.get("/api/reminders", headers=headers)
    body = await response.json()
    assert response.status == 200, body
    return body


async def test_an_unpaid_order_opens_one_task_owned_by_the_last_agent_who_chatted(
    client: TestClient, mini_shop: MiniShop, auth: Auth, store_db: AsyncDatabase
) -> None:
    agent = auth(mini_shop.agent_id)
    await open_conversation(client, agent, "c-1", "犹豫的买家")
    await buyer_says(client, agent, "c-1", 40 * 60)  # chatted before the order
    first = unpaid(store_db, mini_shop.shop_id, "犹豫的买家", 701)
    unpaid(store_db, mini_shop.shop_id, "还没到时候", 702, minutes=3)  # under 10 minutes: not yet
    result = await scan(client)
    assert (result.opened, result.attached) == (1, 0)
    second = unpaid(store_db, mini_shop.shop_id, "犹豫的买家", 701, minutes=15, new_buyer=False)
    assert (await scan(client)).attached == 1
    assert (await scan(client)).opened == 0  # idempotent
    mine = await queue(client, agent)
    assert len(mine["mine"]) == 1 and mine["pool"] == []
    task = mine["mine"][0]
    assert task["buyer"] == "犹豫的买家" and task["owner"] == "小美" and task["channel"] == "chat"
    assert {o["id"] for o in task["orders"]} == {first, second} and task["total_fen"] == 2 * 19_900
    assert task["touches_planned"] == 3 and task["next_touch_at"] is not None
    others = await queue(client, auth(mini_shop.editor_id))
    assert others["mine"] == [] and others["pool"] == [] and others["others"] == 1


async def test_concurrent_claims_give_one_owner_and_a_409_naming_the_holder(
    client: TestClient, mini_shop: MiniShop, auth: Auth, store_db: AsyncDatabase
) -> None:
    unpaid(store_db, mini_shop.shop_id, "没人聊过的买家", 711)
    await scan(client)
    pool = (await queue(client, auth(mini_shop.agent_id)))["pool"]
    assert len(pool) == 1 and pool[0]["owner"] is None
    path = f"/api/reminders/{pool[0]['id']}/claim"
    contenders = [mini_shop.agent_id, mini_shop.editor_id, mini_shop.supervisor_id]
    results = await asyncio.gather(*(post(client, auth(a), path, {}) for a in contenders))
    assert sorted(status for status, _ in results) == [200, 409, 409], results
    won = next(body for status, body in results if status == 200)
    for status, body in results:
        if status == 409:
            assert body["holder"]["name"] == won["owner"] and won["owner"] in body["error"]
    assert (await queue(client, auth(won["owner_id"])))["mine"][0]["id"] == pool[0]["id"]


async def test_a_touch_is_recorded_on_the_buyer_card_and_capped_per_day(
    client: TestClient, mini_shop: MiniShop, auth: Auth, store_db: AsyncDatabase, settings: Settings
) -> None:
    unpaid(store_db, mini_shop.shop_id, "要催的买家", 721)
    await scan(client)
    agent = auth(mini_shop.agent_id)
    task = (await queue(client, agent))["pool"][0]
    status, body = await post(
        client,
        agent,
        f"/api/reminders/{task['id']}/touches",
        {"channel": "chat", "text": "亲，宝贝还在购物车里等您哦", "outcome": "已发送"},
    )
    assert status == 200, body
    assert body["owner"] == "小美" and body["touches_today"] == 1 and body["touches"][0]["channel"] == "chat"
    line = await (
        await client.get("/api/reminders/buyer", params={"nick": "要催的买家"}, headers=agent)
    ).json()
    local = datetime.fromisoformat(body["touches"][0]["at"]).astimezone(ZoneInfo(settings.timezone))
    assert line["line"] == f"催付：小美 · {local:%H:%M} · 旺旺 · 今天第 1/3 次" and line["touches_today"] == 1
    for _ in range(2):
        status, body = await post(client, agent, f"/api/reminders/{task['id']}/touches", {"channel": "sms"})
        assert status == 200, body
    status, body = await post(client, agent, f"/api/reminders/{task['id']}/touches", {"channel": "chat"})
    assert status == 409 and "3 次" in body["error"]
    # someone else may not touch a task that is held
    status, body = await post(
        client, auth(mini_shop.editor_id), f"/api/reminders/{task['id']}/touches", {"channel": "chat"}
    )
    assert status == 409 and body["holder"]["name"] == "小美"


async def test_the_status_is_read_again_before_a_touch_and_a_paid_order_ends_the_task(
    client: TestClient, mini_shop: MiniShop, auth: Auth, store_db: AsyncDatabase
) -> None:
    order_id = unpaid(store_db, mini_shop.shop_id, "自己付了的买家", 731)
    await scan(client)
    agent = auth(mini_shop.agent_id)
    task = (await queue(client, agent))["pool"][0]
    paid = datetime.now(UTC).isoformat()
    store_db.write_sync(
        lambda db: db.execute("UPDATE orders SET status = 'paid', paid_at = ? WHERE id = ?", [paid, order_id])
    )
    status, body = await post(client, agent, f"/api/reminders/{task['id']}/touches", {"channel": "chat"})
    assert status == 409 and body["current"]["state"] == "paid_before_reminder"
    assert (await queue(client, agent))["pool"] == []
    effect = await (await client.get("/api/reminders/effect", headers=auth(mini_shop.supervisor_id))).json()
    assert effect["paid_before_reminder"] == 1 and effect["reminded"] == 0 and effect["rows"] == []


async def test_payment_after_a_touch_is_credited_to_it(
    client: TestClient, mini_shop: MiniShop, auth: Auth, store_db: AsyncDatabase
) -> None:
    order_id = unpaid(store_db, mini_shop.shop_id, "被催动的买家", 741, price_fen=25_000)
    await scan(client)
    agent = auth(mini_shop.agent_id)
    task = (await queue(client, agent))["pool"][0]
    status, _ = await post(client, agent, f"/api/reminders/{task['id']}/touches", {"channel": "chat"})
    assert status == 200
    paid = (datetime.now(UTC) + timedelta(seconds=1)).isoformat()
    store_db.write_sync(
        lambda db: db.execute("UPDATE orders SET status = 'paid', paid_at = ? WHERE id = ?", [paid, order_id])
    )
    assert (await scan(client)).ended == 1
    effect = await (await client.get("/api/reminders/effect", headers=auth(mini_shop.supervisor_id))).json()
    assert effect["reminded"] == 1 and effect["reminded_paid"] == 1
    assert effect["rows"] == [
        {"agent": "小美", "channel": "chat", "reminded": 1, "paid": 1, "rate": 1.0, "recovered_fen": 25_000}
    ]
    assert (await client.get("/api/reminders/effect", headers=agent)).status == 403


async def test_large_orders_are_phoned_in_calling_hours_only(
    client: TestClient, mini_shop: MiniShop, auth: Auth, store_db: AsyncDatabase, settings: Settings
) -> None:
    unpaid(store_db, mini_shop.shop_id, "大单买家", 751, price_fen=150_000)
    await scan(client)
    agent = auth(mini_shop.agent_id)
    task = (await queue(client, agent))["pool"][0]
    assert task["channel"] == "phone" and task["call_from"] is not None
    status, body = await post(
        client, agent, f"/api/reminders/{task['id']}/touches", {"channel": "phone", "outcome": "答应今晚付"}
    )
    now = datetime.now(UTC)
    if calling_slot(now, tz=ZoneInfo(settings.timezone)) <= now + timedelta(seconds=5):
        assert status == 200, body
    else:
        assert status == 409 and body["errors"][0]["field"] == "channel"


async def test_an_untouched_lease_returns_the_task_to_the_pool(
    client: TestClient, mini_shop: MiniShop, auth: Auth, store_db: AsyncDatabase
) -> None:
    unpaid(store_db, mini_shop.shop_id, "被遗忘的买家", 761)
    await scan(client)
    task = (await queue(client, auth(mini_shop.agent_id)))["pool"][0]
    status, _ = await post(client, auth(mini_shop.agent_id), f"/api/reminders/{task['id']}/claim", {})
    assert status == 200
    assert (await queue(client, auth(mini_shop.editor_id)))["others"] == 1
    past = (datetime.now(UTC) - timedelta(minutes=1)).isoformat()
    store_db.write_sync(lambda db: db.execute("UPDATE reminder_tasks SET lease_until = ?", [past]))
    assert (await scan(client)).released == 1
    pool = (await queue(client, auth(mini_shop.editor_id)))["pool"]
    assert [t["id"] for t in pool] == [task["id"]] and pool[0]["owner"] is None
    events = store_db.read_sync(
        lambda db: [
            r[0]
            for r in db.execute(
                "SELECT kind FROM reminder_events WHERE task_id = ? ORDER BY id", [task["id"]]
            ).fetchall()
        ]
    )
    assert events == ["opened", "claimed", "lease_expired"]


async def test_snooze_moves_the_next_touch_and_done_ends_the_task(
    client: TestClient, mini_shop: MiniShop, auth: Auth, store_db: AsyncDatabase
) -> None:
    unpaid(store_db, mini_shop.shop_id, "再想想的买家", 771)
    await scan(client)
    agent = auth(mini_shop.agent_id)
    task = (await queue(client, agent))["pool"][0]
    status, body = await post(client, agent, f"/api/reminders/{task['id']}/snooze", {"minutes": 60})
    assert status == 200 and body["due"] is False
    assert datetime.fromisoformat(body["next_touch_at"]) > datetime.now(UTC) + timedelta(minutes=59)
    status, body = await post(client, agent, f"/api/reminders/{task['id']}/snooze", {"minutes": 1})
    assert status == 400 and body["errors"][0]["field"] == "minutes"
    status, body = await post(client, agent, f"/api/reminders/{task['id']}/done", {"outcome": ""})
    assert status == 400 and body["errors"][0]["field"] == "outcome"
    status, body = await post(client, agent, f"/api/reminders/{task['id']}/done", {"outcome": "已在别处买了"})
    assert status == 200 and body["state"] == "done"
    status, body = await post(client, agent, f"/api/reminders/{task['id']}/done", {"outcome": "再关一次"})
    assert status == 409
    assert (await queue(client, agent))["pool"] == []
    status, body = await post(client, agent, "/api/reminders/999999/claim", {})
    assert status == 404 and body["errors"][0]["field"] == "task_id"
