"""Care messages, contact templates and courier-jam notices through the real app."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient

from assistant import keys
from assistant.app import create_app
from assistant.commerce.models import Address, LogisticsStatus, OrderStatus
from assistant.settings import Settings
from knowledge import store as kb_store
from knowledge.database import AsyncDatabase
from tests.commerce import factory
from tests.conftest import MiniShop
from tests.team.test_reminders_api import scan as reminder_scan
from tests.team.test_reminders_api import unpaid

Auth = Callable[[int], dict[str, str]]


@pytest.fixture
def overrides() -> dict[str, Any]:
    return {}


@pytest.fixture
def settings(tmp_path: Path, overrides: dict[str, Any]) -> Settings:
    return Settings(
        data_dir=tmp_path / "data",
        demo_on_first_run=False,
        encoder="off",
        reminder_quiet_hours="",
        reminder_holdout_percent=0,
        jam_approval_from_buyers=2,
    ).model_copy(update=overrides)


@pytest.fixture
def second_supervisor(store_db: AsyncDatabase, mini_shop: MiniShop) -> int:
    return store_db.write_sync(
        lambda db: kb_store.insert_agent(db, "zhuguan2", "赵主管", "supervisor", mini_shop.shop_id)
    )


@pytest.fixture
def app(settings: Settings, mini_shop: MiniShop, second_supervisor: int) -> web.Application:
    return create_app(settings)


def shipped(
    store_db: AsyncDatabase,
    shop_id: int,
    nick: str,
    buyer_id: int,
    address: Address | None = None,
    **extra: Any,
) -> str:
    made = factory.order(
        shop_id,
        buyer_id,
        extra.pop("status", OrderStatus.SHIPPED),
        age=timedelta(hours=8),
        logistics=extra.pop("logistics", [factory.event(LogisticsStatus.COLLECTED, 1)]),
        **extra,
    )
    if address is not None:
        made = made.model_copy(update={"address": address})
    store_db.write_sync(lambda db: factory.save(db, [factory.buyer(shop_id, nick, buyer_id)], [made]))
    return made.id


async def care_scan(client: TestClient) -> Any:
    return await client.app[keys.SCHEDULER].run_now("care_scan")


async def call(
    client: TestClient, method: str, path: str, headers: dict[str, str], **kw: Any
) -> tuple[int, Any]:
    response = await client.request(method, path, headers=headers, **kw)
    if response.content_type == "text/csv":
        return response.status, await response.read()
    return response.status, await response.json()


async def test_care_stages_from_the_trace_queue_once_and_go_to_the_host_once(
    client: TestClient, mini_shop: MiniShop, auth: Auth, store_db: AsyncDatabase
) -> None:
    agent = auth(mini_shop.agent_id)
    order_id = shipped(
        store_db,
        mini_shop.shop_id,
        "收货的买家",
        801,
        status=OrderStatus.DELIVERED,
        delivered_at=factory.NOW - timedelta(hours=1),
        logistics=[
            factory.event(LogisticsStatus.COLLECTED, 6),
            factory.event(LogisticsStatus.OUT_FOR_DELIVERY, 3, location="杭州西湖区"),
            factory.event(LogisticsStatus.DELIVERED, 1, location="小区快递柜"),
        ],
    )
    # (the scheduler's own first run may come first: counts are read from the API, not the job's result)
    await care_scan(client)
    await care_scan(client)  # idempotent
    status, body = await call(client, "GET", f"/api/care?shop={mini_shop.shop_id}", agent)
    assert len(body["messages"]) == 3  # shipped, out for delivery, delivered
    assert status == 200
    stages = {m["stage"]: m for m in body["messages"]}
    assert set(stages) == {"shipped", "out_for_delivery", "delivered"}
    assert "中通快递" in stages["shipped"]["text"] and "小区快递柜" in stages["delivered"]["text"]
    assert all(m["order_id"] == order_id for m in body["messages"])
    status, taken = await call(client, "POST", "/api/care/take", agent, json={"shop": mini_shop.shop_id})
    assert status == 200 and len(taken["messages"]) == 3
    status, again = await call(client, "POST", "/api/care/take", agent, json={"shop": mini_shop.shop_id})
    assert again["messages"] == []  # handed over once


async def test_the_daily_cap_counts_reminders_and_care_together(
    client: TestClient, mini_shop: MiniShop, auth: Auth, store_db: AsyncDatabase
) -> None:
    agent = auth(mini_shop.agent_id)
    shipped(
        store_db,
        mini_shop.shop_id,
        "常客",
        802,
        status=OrderStatus.DELIVERED,
        delivered_at=factory.NOW - timedelta(hours=1),
        logistics=[factory.event(LogisticsStatus.COLLECTED, 6), factory.event(LogisticsStatus.DELIVERED, 1)],
    )
    unpaid(store_db, mini_shop.shop_id, "常客", 802, new_buyer=False)
    await reminder_scan(client)
    task = (await (await client.get("/api/reminders", headers=agent)).json())["pool"][0]
    assert task["buyer"] == "常客"
    status, _ = await call(
        client, "POST", f"/api/reminders/{task['id']}/touches", agent, json={"channel": "chat"}
    )
    assert status == 200
    await care_scan(client)
    status, taken = await call(client, "POST", "/api/care/take", agent, json={"shop": mini_shop.shop_id})
    assert len(taken["messages"]) == 2  # 1 touch + 2 care = the cap of 3
    status, body = await call(
        client, "POST", f"/api/reminders/{task['id']}/touches", agent, json={"channel": "chat"}
    )
    assert status == 409 and "催付和关怀合计" in body["error"]
    status, line = await call(
        client, "GET", f"/api/reminders/buyer?shop={mini_shop.shop_id}&nick=常客", agent
    )
    assert line["touches_today"] == 3 and line["line"].endswith("今天第 3/3 次")


@pytest.mark.parametrize("overrides", [{"reminder_quiet_hours": "00:00-23:59"}])
async def test_quiet_hours_hold_care_messages(
    client: TestClient, mini_shop: MiniShop, auth: Auth, store_db: AsyncDatabase
) -> None:
    agent = auth(mini_shop.agent_id)
    shipped(store_db, mini_shop.shop_id, "夜猫子", 803)
    await care_scan(client)
    status, taken = await call(client, "POST", "/api/care/take", agent, json={"shop": mini_shop.shop_id})
    assert status == 200 and taken["messages"] == []
    status, body = await call(client, "GET", f"/api/care?shop={mini_shop.shop_id}", agent)
    assert len(body["messages"]) == 1  # still pending, due after the quiet hours


@pytest.mark.parametrize("overrides", [{"care_channel": "sms"}])
async def test_sms_care_export_is_csv_with_bom_once(
    client: TestClient, mini_shop: MiniShop, auth: Auth, store_db: AsyncDatabase
) -> None:
    boss = auth(mini_shop.supervisor_id)
    shipped(store_db, mini_shop.shop_id, "短信买家", 804)
    await care_scan(client)
    status, data = await call(client, "POST", "/api/care/export", boss, json={"shop": mini_shop.shop_id})
    assert status == 200 and data.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
    assert rows[0][0] == "手机号" and rows[1][0] == "13800138000" and rows[1][5] == "1"
    status, data = await call(client, "POST", "/api/care/export", boss, json={"shop": mini_shop.shop_id})
    assert len(list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))) == 1  # header only


async def test_templates_measure_save_and_refuse(client: TestClient, mini_shop: MiniShop, auth: Auth) -> None:
    boss, agent = auth(mini_shop.supervisor_id), auth(mini_shop.agent_id)
    status, body = await call(
        client,
        "POST",
        "/api/contact-templates/measure",
        agent,
        json={"body": "{{ receiver.name }}您好" + "好" * 70},
    )
    assert status == 200 and body["chars"] == 3 + 2 + 70 and body["segments"] == 2
    status, body = await call(
        client,
        "PUT",
        "/api/contact-templates/care_shipped",
        agent,
        json={"shop": mini_shop.shop_id, "body": "发货了"},
    )
    assert status == 403
    status, body = await call(
        client,
        "PUT",
        "/api/contact-templates/care_shipped",
        boss,
        json={"shop": mini_shop.shop_id, "body": "{{ order.nope }"},
    )
    assert status == 400 and body["errors"][0]["field"] == "body"
    status, body = await call(
        client,
        "PUT",
        "/api/contact-templates/care_shipped",
        boss,
        json={"shop": mini_shop.shop_id, "body": "亲，{{ order.item }}发货啦"},
    )
    assert status == 200 and body["own"] and body["updated_by"] == "王静"
    status, listed = await call(client, "GET", f"/api/contact-templates?shop={mini_shop.shop_id}", agent)
    by = {t["purpose"]: t for t in listed["templates"]}
    assert by["care_shipped"]["body"] == "亲，{{ order.item }}发货啦" and not by["jam"]["own"]
    assert by["care_shipped"]["chars"] == len("亲，") + 14 + len("发货啦")
    status, _ = await call(
        client, "PUT", "/api/contact-templates/nothing", boss, json={"shop": mini_shop.shop_id, "body": "x"}
    )
    assert status == 404


async def test_reminder_script_variants_by_reason(
    client: TestClient, mini_shop: MiniShop, auth: Auth, store_db: AsyncDatabase
) -> None:
    agent = auth(mini_shop.agent_id)
    unpaid(store_db, mini_shop.shop_id, "纠结尺码", 805)
    await reminder_scan(client)
    task = (await (await client.get("/api/reminders", headers=agent)).json())["pool"][0]
    texts = {}
    for reason in ("price", "size", "delivery"):
        status, body = await call(client, "GET", f"/api/reminders/{task['id']}/script?reason={reason}", agent)
        assert status == 200 and "北欧落地灯" in body["text"], body
        texts[reason] = body["text"]
    assert "尺码" in texts["size"] and "活动价" in texts["price"] and "发出" in texts["delivery"]
    status, body = await call(client, "GET", f"/api/reminders/{task['id']}/script?channel=sms", agent)
    assert body["purpose"] == "reminder_sms" and body["text"].startswith("【测试旗舰店】")


def _jam_buyers(store_db: AsyncDatabase, shop_id: int) -> None:
    places = [
        ("张三", "浙江省", "杭州市", 811),
        ("李四", "浙江省", "杭州市", 812),
        ("王五", "江苏省", "南京市", 813),
    ]
    for name, province, city, buyer_id in places:
        address = Address(
            name=name,
            phone=f"139{buyer_id:08d}",
            province=province,
            city=city,
            district="某区",
            detail="某路 1 号",
        )
        shipped(store_db, shop_id, f"买家{buyer_id}", buyer_id, address=address)


async def test_jam_selection_preview_approval_and_once_per_buyer(
    client: TestClient, mini_shop: MiniShop, auth: Auth, store_db: AsyncDatabase, second_supervisor: int
) -> None:
    boss, second = auth(mini_shop.supervisor_id), second_supervisor
    _jam_buyers(store_db, mini_shop.shop_id)
    local = factory.NOW.astimezone(ZoneInfo("Asia/Shanghai"))  # the shop's days, not UTC's
    day = local.date().isoformat()
    selection = {
        "shop": mini_shop.shop_id,
        "courier": "中通快递",
        "provinces": ["浙江省"],
        "shipped_from": (local - timedelta(days=2)).date().isoformat(),
        "shipped_to": day,
    }
    status, preview = await call(client, "POST", "/api/courier-jam/preview", boss, json=selection)
    assert status == 200, preview
    assert preview["buyers"] == 2 and not preview["needs_approval"]
    names = {m["receiver_name"] for m in preview["messages"]}
    assert names == {"张三", "李四"} and preview["messages"][0]["text"].startswith(
        preview["messages"][0]["receiver_name"]
    )
    assert "****" in preview["messages"][0]["phone"]
    status, by_city = await call(
        client,
        "POST",
        "/api/courier-jam/preview",
        boss,
        json={**selection, "provinces": [], "cities": ["南京市"]},
    )
    assert [m["receiver_name"] for m in by_city["messages"]] == ["王五"]
    status, signed = await call(
        client, "POST", "/api/courier-jam/preview", boss, json={**selection, "statuses": ["delivered"]}
    )
    assert signed["buyers"] == 0  # all three are still on their way
    status, other_courier = await call(
        client, "POST", "/api/courier-jam/preview", boss, json={**selection, "courier": "顺丰速运"}
    )
    assert other_courier["buyers"] == 0
    status, _ = await call(
        client, "POST", "/api/courier-jam/preview", boss, json={**selection, "shipped_to": "2020-01-01"}
    )
    assert status == 400
    everyone = {**selection, "provinces": []}
    status, notice = await call(client, "POST", "/api/courier-jam", boss, json=everyone)
    assert status == 201 and notice["state"] == "awaiting_approval" and notice["buyers"] == 3
    status, body = await call(client, "POST", f"/api/courier-jam/{notice['id']}/send", boss)
    assert status == 409
    status, body = await call(client, "POST", f"/api/courier-jam/{notice['id']}/approve", boss)
    assert status == 403  # the author cannot approve
    status, body = await call(client, "POST", f"/api/courier-jam/{notice['id']}/approve", auth(second))
    assert status == 200 and body["state"] == "approved" and body["approved_by"] == "赵主管"
    status, sent = await call(client, "POST", f"/api/courier-jam/{notice['id']}/send", boss)
    assert status == 200 and len(sent["messages"]) == 3
    status, sent = await call(client, "POST", f"/api/courier-jam/{notice['id']}/send", boss)
    assert sent["messages"] == []  # each buyer once
    status, preview = await call(client, "POST", "/api/courier-jam/preview", boss, json=everyone)
    assert preview["buyers"] == 0 and preview["already_notified"] == 3
    audit = store_db.read_sync(
        lambda db: [
            r[0]
            for r in db.conn.execute("SELECT action FROM audit_log WHERE entity = 'jam_notice' ORDER BY id")
        ]
    )
    assert audit == ["create", "approve", "send", "send"]
    status, _ = await call(
        client, "POST", "/api/courier-jam/preview", auth(mini_shop.agent_id), json=everyone
    )
    assert status == 403


async def test_returning_buyers_get_the_event_message_before_a_campaign(
    client: TestClient, mini_shop: MiniShop, auth: Auth, store_db: AsyncDatabase
) -> None:
    agent = auth(mini_shop.agent_id)
    now = factory.NOW
    regular = [
        factory.order(mini_shop.shop_id, 821, OrderStatus.COMPLETED, age=timedelta(days=d)) for d in (60, 90)
    ]
    once = [factory.order(mini_shop.shop_id, 822, OrderStatus.COMPLETED, age=timedelta(days=60))]
    buyers = [
        factory.buyer(mini_shop.shop_id, "回头客", 821),
        factory.buyer(mini_shop.shop_id, "只买过一次", 822),
    ]
    store_db.write_sync(lambda db: factory.save(db, buyers, regular + once))
    store_db.write_sync(
        lambda db: db.conn.execute(
            "INSERT INTO campaigns (shop_id, name, starts_at, ends_at, updated_at) VALUES (?, ?, ?, ?, ?)",
            (
                mini_shop.shop_id,
                "双12年终盛典",
                (now + timedelta(days=1)).isoformat(),
                (now + timedelta(days=3)).isoformat(),
                now.isoformat(),
            ),
        )
    )
    await care_scan(client)
    await care_scan(client)
    _, body = await call(client, "GET", f"/api/care?shop={mini_shop.shop_id}", agent)
    events = [m for m in body["messages"] if m["stage"] == "event"]
    assert [m["buyer"] for m in events] == ["回头客"]
    assert "双12年终盛典" in events[0]["text"] and "测试旗舰店" in events[0]["text"]
