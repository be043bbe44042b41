"""Reports through the real app: the month's KPI from logged events and orders, the close, the forecast."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta, timezone
from decimal import Decimal
from typing import Any

from aiohttp.test_utils import TestClient

from assistant.commerce.models import OrderStatus
from knowledge.database import AsyncDatabase
from tests.commerce import factory
from tests.conftest import MiniShop
from tests.team.test_watch_api import open_conversation, post

Auth = Callable[[int], dict[str, str]]
CST = timezone(timedelta(hours=8))


async def say(
    client: TestClient, headers: dict[str, str], kind: str, conversation: str, at: datetime
) -> None:
    status, body = await post(
        client,
        headers,
        "/api/events",
        {
            "type": kind,
            "conversation": conversation,
            "text": "在的亲" if kind == "message.sent" else "在吗",
            "at": at.isoformat(),
        },
    )
    assert status == 200, body


async def test_the_months_kpi_comes_from_the_log_and_the_orders(
    client: TestClient, mini_shop: MiniShop, auth: Auth, store_db: AsyncDatabase
) -> None:
    agent = auth(mini_shop.agent_id)
    asked = datetime(2026, 11, 11, 10, 0, tzinfo=CST)
    await open_conversation(client, agent, "c-1", "买家甲")
    await say(client, agent, "message.received", "c-1", asked)
    await say(client, agent, "message.sent", "c-1", asked + timedelta(seconds=40))
    await open_conversation(client, agent, "c-2", "买家乙")
    await say(client, agent, "message.received", "c-2", asked)
    buyer = factory.buyer(mini_shop.shop_id, "买家甲", 501)
    made = factory.order(
        mini_shop.shop_id,
        501,
        OrderStatus.PAID,
        price_fen=25_000,
        created_at=asked + timedelta(hours=2),
        paid_at=asked + timedelta(hours=2, minutes=3),
    )
    store_db.write_sync(lambda db: factory.save(db, [buyer], [made]))

    response = await client.get(
        "/api/reports/kpi", params={"period": "2026-11"}, headers=auth(mini_shop.supervisor_id)
    )
    body = await response.json()
    assert response.status == 200, body
    assert body["closed"] is False and body["weights"]["conversion"] == 50
    row = next(a for a in body["agents"] if a["agent_id"] == mini_shop.agent_id)
    metrics = row["metrics"]
    assert metrics["inquiring"] == 2 and metrics["conversion"] == 0.5 and metrics["reply_rate"] == 0.5
    assert metrics["rate_3min"] == 0.5 and metrics["response_s"] == 40 and metrics["unit_price_yuan"] == 250
    assert metrics["satisfaction"] is None
    assert row["score"] is not None and row["base_yuan"] in (1000, 2000, 3000)
    assert Decimal(row["bonus_yuan"]) == (
        Decimal(row["base_yuan"]) * Decimal(str(row["score"])) / 100
    ).quantize(Decimal("0.01"))
    assert row["explanation"].startswith(f"{row['score']:g} 分 → 基数 {row['base_yuan']}")
    quiet = next(a for a in body["agents"] if a["agent_id"] == mini_shop.editor_id)
    assert quiet["score"] is None and quiet["explanation"] == "本月没有咨询，不计分"
    # agents may not read the team's pay
    assert (await client.get("/api/reports/kpi", params={"period": "2026-11"}, headers=agent)).status == 403
    bad = await client.get(
        "/api/reports/kpi", params={"period": "2026-13"}, headers=auth(mini_shop.supervisor_id)
    )
    assert bad.status == 400 and (await bad.json())["errors"][0]["field"] == "period"


async def test_a_closed_month_never_changes_silently(
    client: TestClient, mini_shop: MiniShop, auth: Auth
) -> None:
    boss, agent = auth(mini_shop.supervisor_id), auth(mini_shop.agent_id)
    asked = datetime(2026, 11, 20, 15, 0, tzinfo=CST)
    await open_conversation(client, agent, "c-1", "买家甲")
    await say(client, agent, "message.received", "c-1", asked)
    status, closed = await post(client, boss, "/api/reports/kpi/close", {"period": "2026-11"})
    assert status == 200 and closed["closed"] is True
    status, again = await post(client, boss, "/api/reports/kpi/close", {"period": "2026-11"})
    assert status == 409 and again["errors"][0]["field"] == "period"
    future = (datetime.now(CST) + timedelta(days=40)).strftime("%Y-%m")
    status, early = await post(client, boss, "/api/reports/kpi/close", {"period": future})
    assert status == 400 and early["errors"][0]["field"] == "period"
    # a late answer changes the live figures; the closed month keeps its own and says it differs
    await say(client, agent, "message.sent", "c-1", asked + timedelta(seconds=30))
    read = await (await client.get("/api/reports/kpi", params={"period": "2026-11"}, headers=boss)).json()
    assert read["closed"] is True and read["changed_since_close"] is True
    assert read["agents"] == closed["agents"]


async def test_the_forecast_and_the_staffing(client: TestClient, mini_shop: MiniShop, auth: Auth) -> None:
    boss = auth(mini_shop.supervisor_id)
    status, body = await post(
        client,
        boss,
        "/api/reports/forecast",
        {
            "this_october_daily": 1200,
            "last_event_day": 9000,
            "last_october_daily": 1000,
            "agents": 80,
        },
    )
    assert status == 200, body
    assert body["forecast"] == 10800 and body["agents_min"] == 90 and body["agents_max"] == 135
    assert body["verdict"] == "add" and body["curve_from"] == "typical"
    assert [s["shift"] for s in body["by_shift"]] == ["早班", "晚班"]
    assert sum(s["rostered"] for s in body["by_shift"]) == 80
    status, body = await post(
        client,
        boss,
        "/api/reports/forecast",
        {
            "this_october_daily": 1200,
            "last_event_day": 9000,
            "last_october_daily": 0,
        },
    )
    assert status == 400 and body["errors"][0]["field"] == "last_october_daily"


async def test_precomputed_days_give_the_same_report_and_a_late_message_is_counted(
    client: TestClient, mini_shop: MiniShop, auth: Auth, store_db: AsyncDatabase
) -> None:
    from assistant import keys

    agent, boss = auth(mini_shop.agent_id), auth(mini_shop.supervisor_id)
    job = client.app[keys.SCHEDULER].jobs["kpi_days"]
    for _ in range(200):  # the job's first run at start-up: done before the day gets its messages
        if job.runs:
            break
        await asyncio.sleep(0.05)
    assert job.runs
    asked = datetime(2026, 11, 5, 10, 0, tzinfo=CST)
    await open_conversation(client, agent, "c-1", "买家甲")
    await say(client, agent, "message.received", "c-1", asked)
    await say(client, agent, "message.sent", "c-1", asked + timedelta(seconds=50))

    async def report() -> Any:
        response = await client.get("/api/reports/kpi", params={"period": "2026-11"}, headers=boss)
        assert response.status == 200
        return await response.json()

    live = await report()
    written = await client.app[keys.SCHEDULER].run_now("kpi_days")
    assert written >= 1
    stored = store_db.read_sync(
        lambda db: db.execute("SELECT count(*) FROM kpi_daily WHERE day = '2026-11-05'").fetchone()[0]
    )
    assert stored == 1
    assert await report() == live  # the sum of the stored days is the live month
    await open_conversation(client, agent, "c-2", "买家乙")
    await say(client, agent, "message.received", "c-2", asked + timedelta(hours=1))
    late = next(a for a in (await report())["agents"] if a["agent_id"] == mini_shop.agent_id)
    assert late["metrics"]["inquiring"] == 2


async def test_a_day_that_got_a_message_while_the_job_read_is_left_for_the_next_run(
    store_db: AsyncDatabase, mini_shop: MiniShop
) -> None:
    """The job reads the log, a message for that day arrives, the job writes: the day must not be marked
    computed without the message (nothing would compute it again)."""
    from assistant.conversations.log import SqliteConversationLog
    from assistant.team import store as team_store
    from assistant.team.reports import late_days

    shop, agent = mini_shop.shop_id, mini_shop.agent_id
    read_since = datetime.now(UTC)
    late_day, quiet_day = date(2026, 11, 5), date(2026, 11, 6)
    store_db.write_sync(
        lambda db: db.conn.execute(
            "INSERT INTO conversation_messages (shop_id, conversation, buyer_nick, direction, text, at, received_at)"
            " VALUES (?, 'c-late', '买家丙', 'in', '在吗', ?, ?)",
            (shop, "2026-11-05T02:00:00.000000+00:00", (read_since + timedelta(seconds=1)).isoformat()),
        )
    )
    rows = {(agent, late_day): {"inquiring": 1.0}, (agent, quiet_day): {"inquiring": 2.0}}
    late = await late_days(SqliteConversationLog(store_db), shop, [late_day, quiet_day], read_since, CST)
    assert late == {late_day}
    written = store_db.write_sync(
        lambda db: team_store.replace_days(
            db, shop, [late_day, quiet_day], rows, datetime.now(UTC), late=late
        )
    )
    done = store_db.read_sync(lambda db: team_store.computed_days(db, shop, late_day, date(2026, 11, 7)))
    assert written == 1 and done == {quiet_day}
