"""The reminder scan through the real app: the flash-sale close window, auto-close, and the scan reading
only what changed (new orders past the mark, a young order holding it back, an order synced late)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

from aiohttp.test_utils import TestClient

from knowledge.database import AsyncDatabase
from tests.conftest import MiniShop
from tests.team.test_reminders_api import queue, scan, settings, unpaid

__all__ = ["settings"]  # the reminder tests' settings: no quiet hours, no holdout

Auth = Callable[[int], dict[str, str]]


def tasks_of(store_db: AsyncDatabase) -> list[dict[str, Any]]:
    def read(db: Any) -> list[dict[str, Any]]:
        cursor = db.conn.execute(
            "SELECT buyer_nick, state, outcome, first_order_at, closes_at, next_touch_at FROM reminder_tasks ORDER BY id"
        )
        names = [c[0] for c in cursor.description]
        return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]

    return store_db.read_sync(read)


async def test_flash_sale_orders_close_sooner_and_are_reminded_inside_the_window(
    client: TestClient, mini_shop: MiniShop, auth: Auth, store_db: AsyncDatabase
) -> None:
    now = datetime.now(UTC)
    store_db.write_sync(
        lambda db: db.conn.execute(
            "INSERT INTO campaigns (shop_id, name, starts_at, ends_at, updated_at) VALUES (?, ?, ?, ?, ?)",
            (
                mini_shop.shop_id,
                "双12整点秒杀",
                (now - timedelta(hours=2)).isoformat(),
                (now + timedelta(hours=2)).isoformat(),
                now.isoformat(),
            ),
        )
    )
    unpaid(store_db, mini_shop.shop_id, "秒杀买家", 901, minutes=15)
    unpaid(store_db, mini_shop.shop_id, "来晚了", 902, minutes=40)  # past the 30-minute window: closed
    unpaid(store_db, mini_shop.shop_id, "普通买家", 903, minutes=15, price_fen=9_900)
    store_db.write_sync(
        lambda db: db.conn.execute(  # the ordinary order was placed before the flash sale began
            "UPDATE orders SET created_at = ? WHERE buyer_id = 903", ((now - timedelta(hours=3)).isoformat(),)
        )
    )
    await scan(client)
    found = {t["buyer_nick"]: t for t in tasks_of(store_db)}
    assert "来晚了" not in found
    flash = found["秒杀买家"]
    first, closes = (
        datetime.fromisoformat(flash["first_order_at"]),
        datetime.fromisoformat(flash["closes_at"]),
    )
    assert closes - first == timedelta(minutes=30)
    assert first < datetime.fromisoformat(flash["next_touch_at"]) < closes
    ordinary = found["普通买家"]
    assert datetime.fromisoformat(ordinary["closes_at"]) - datetime.fromisoformat(
        ordinary["first_order_at"]
    ) == timedelta(hours=72)


async def test_a_task_closes_itself_when_the_platform_closes_the_order(
    client: TestClient, mini_shop: MiniShop, auth: Auth, store_db: AsyncDatabase
) -> None:
    agent = auth(mini_shop.agent_id)
    unpaid(store_db, mini_shop.shop_id, "拖到最后", 904, minutes=72 * 60 - 30)
    unpaid(store_db, mini_shop.shop_id, "早就关了", 905, minutes=73 * 60)  # closed before any scan: no task
    await scan(client)
    assert [t["buyer_nick"] for t in tasks_of(store_db)] == ["拖到最后"]
    store_db.write_sync(  # half an hour later the platform closes it
        lambda db: db.conn.execute(
            "UPDATE reminder_tasks SET closes_at = ?",
            ((datetime.now(UTC) - timedelta(seconds=1)).isoformat(),),
        )
    )
    await scan(client)
    assert [(t["state"], t["outcome"]) for t in tasks_of(store_db)] == [("closed", "auto_closed")]
    body = await queue(client, agent)
    assert body["mine"] == [] and body["pool"] == []


async def test_the_scan_reads_new_orders_past_its_mark_without_losing_any(
    client: TestClient, mini_shop: MiniShop, auth: Auth, store_db: AsyncDatabase
) -> None:
    young = unpaid(store_db, mini_shop.shop_id, "刚下单", 906, minutes=3)
    unpaid(store_db, mini_shop.shop_id, "等了一会", 907, minutes=20)
    await scan(client)
    assert [t["buyer_nick"] for t in tasks_of(store_db)] == ["等了一会"]
    # the young order held the mark back: once old enough it is taken
    store_db.write_sync(
        lambda db: db.conn.execute(
            "UPDATE orders SET created_at = ? WHERE id = ?",
            ((datetime.now(UTC) - timedelta(minutes=12)).isoformat(), young),
        )
    )
    await scan(client)
    assert [t["buyer_nick"] for t in tasks_of(store_db)] == ["等了一会", "刚下单"]
    # an order synced late (placed an hour ago, known only now) is still found
    unpaid(store_db, mini_shop.shop_id, "晚到的订单", 908, minutes=60)
    await scan(client)
    assert [t["buyer_nick"] for t in tasks_of(store_db)][-1] == "晚到的订单"
    # a payment ends the task from the trigger's queue, not a sweep over every open task
    store_db.write_sync(
        lambda db: db.conn.execute(
            "UPDATE orders SET status = 'paid', paid_at = ? WHERE buyer_id = 908",
            (datetime.now(UTC).isoformat(),),
        )
    )
    await scan(client)
    assert tasks_of(store_db)[-1]["state"] == "paid_before_reminder"
    assert (
        store_db.read_sync(
            lambda db: db.conn.execute("SELECT count(*) FROM reminder_order_changes").fetchone()[0]
        )
        == 0
    )


def test_tasks_nobody_chatted_about_go_to_the_specialist_on_shift_with_the_fewest(
    store_db: AsyncDatabase, mini_shop: MiniShop
) -> None:
    from zoneinfo import ZoneInfo

    from assistant.commerce.models import OrderStatus
    from assistant.team.reminder_scan import Specialists, chat_owner_keys
    from assistant.team.reminder_scan import scan as run_scan
    from assistant.team.reminders import Rules
    from knowledge import store as kb_store
    from tests.commerce import factory

    tz = ZoneInfo("Asia/Shanghai")
    morning = datetime(2026, 11, 10, 10, 0, tzinfo=tz)  # group A works the day shift from the 1st to the 15th
    second = store_db.write_sync(
        lambda db: kb_store.insert_agent(db, "ajie", "阿杰", "agent", mini_shop.shop_id)
    )

    def seed(db: Any) -> None:
        for agent_id, group in ((mini_shop.agent_id, "A"), (second, "A"), (mini_shop.editor_id, "B")):
            db.conn.execute(
                "INSERT INTO roster_groups (agent_id, rotation, set_by, set_at) VALUES (?, ?, ?, ?)",
                (agent_id, group, mini_shop.supervisor_id, morning.isoformat()),
            )
        buyers, orders = [], []
        for n, (price, minutes) in enumerate(((9_900, 30), (9_900, 25), (9_900, 20), (150_000, 15))):
            buyers.append(factory.buyer(mini_shop.shop_id, f"买家{n}", 950 + n))
            orders.append(
                factory.order(
                    mini_shop.shop_id,
                    950 + n,
                    OrderStatus.AWAITING_PAYMENT,
                    price_fen=price,
                    created_at=morning - timedelta(minutes=minutes),
                )
            )
        factory.save(db, buyers, orders)

    store_db.write_sync(seed)
    rules = Rules(holdout_percent=0)
    desks = Specialists(reminders=("xiaomei", "ajie"), phone=("lina",))
    due = store_db.read_sync(lambda db: chat_owner_keys(db, morning, rules))
    nobody = {(o.shop_id, o.buyer_nick, o.created_at): None for o in due}  # no buyer chatted before
    store_db.write_sync(lambda db: run_scan(db, morning, rules, tz, nobody, specialists=desks))
    owners = dict(
        store_db.read_sync(
            lambda db: db.conn.execute(
                "SELECT buyer_nick, owner_id FROM reminder_tasks ORDER BY id"
            ).fetchall()
        )
    )
    # the phone specialist works the evening: the phone task goes to the reminder desk meanwhile
    assert sorted(owners.values()).count(mini_shop.agent_id) == 2 and list(owners.values()).count(second) == 2
    assert owners["买家0"] != owners["买家1"]  # the fewest open tasks, in turn

    evening = morning.replace(hour=19)
    store_db.write_sync(
        lambda db: factory.save(
            db,
            [factory.buyer(mini_shop.shop_id, "晚上的大单", 960)],
            [
                factory.order(
                    mini_shop.shop_id,
                    960,
                    OrderStatus.AWAITING_PAYMENT,
                    price_fen=200_000,
                    created_at=evening - timedelta(minutes=15),
                )
            ],
        )
    )
    due = store_db.read_sync(lambda db: chat_owner_keys(db, evening, rules))
    nobody = {(o.shop_id, o.buyer_nick, o.created_at): None for o in due}
    store_db.write_sync(lambda db: run_scan(db, evening, rules, tz, nobody, specialists=desks))
    owner = store_db.read_sync(
        lambda db: db.conn.execute(
            "SELECT owner_id, channel FROM reminder_tasks WHERE buyer_nick = '晚上的大单'"
        ).fetchone()
    )
    assert tuple(owner) == (mini_shop.editor_id, "phone")


def test_a_late_touch_does_not_leave_the_next_one_overdue() -> None:
    from zoneinfo import ZoneInfo

    from assistant.team.reminder_scan import next_touch
    from assistant.team.reminders import Rules

    tz = ZoneInfo("Asia/Shanghai")
    placed = datetime(2026, 11, 10, 10, 0, tzinfo=tz)
    rules = Rules(holdout_percent=0)
    # the first touch was due at 10:10; made at 13:00, the +2 h one (12:00) has passed too
    following, planned = next_touch(placed, "k", 1, rules, tz, after=placed + timedelta(hours=3))
    assert planned == 3 and following == placed + timedelta(hours=71)
    assert next_touch(placed, "k", 1, rules, tz)[0] == placed + timedelta(hours=2)
