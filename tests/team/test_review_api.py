"""The review queue through the real app: reasons, order, roles, reviewed, hold, script, the guarded edit."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from aiohttp.test_utils import TestClient

from assistant.commerce.models import OrderStatus, RiskFlag
from knowledge.database import AsyncDatabase
from tests.commerce import factory
from tests.conftest import MiniShop
from tests.team.test_watch_api import open_conversation, post

Auth = Callable[[int], dict[str, str]]


def seed(store_db: AsyncDatabase, shop_id: int) -> dict[str, str]:
    """One paid order per rule (and a sound one, a shipped one), older payment first."""
    buyers = [factory.buyer(shop_id, f"buyer{i}", 900 + i) for i in range(10)]
    buyers[7] = factory.buyer(
        shop_id, "buyer7", 907, risk_flag=RiskFlag.BAD_REVIEW_EXTORTION, risk_note="以差评要挟"
    )
    names = ["sound", "incomplete", "contradicts", "remote", "phone", "message", "chat", "risk", "shipped"]
    orders = {
        name: factory.order(
            shop_id,
            900 + i,
            OrderStatus.SHIPPED if name == "shipped" else OrderStatus.PAID,
            age=timedelta(hours=30 - i),
        )
        for i, name in enumerate(names)
    }
    updates = {
        "incomplete": ("district", ""),
        "contradicts": ("address_detail", "上海市浦东新区张江路88号2楼"),
        "remote": ("province", "新疆维吾尔自治区"),
        "phone": ("receiver_phone", "1380013800"),
        "message": ("buyer_message", "需要开发票，抬头：杭州某某公司"),
    }

    def write(db: Any) -> None:
        factory.save(db, buyers, list(orders.values()))
        for name, (column, value) in updates.items():
            db.conn.execute(f"UPDATE orders SET {column} = ? WHERE id = ?", (value, orders[name].id))
        if "remote" in updates:
            db.conn.execute(
                "UPDATE orders SET city = '乌鲁木齐市', district = '天山区' WHERE id = ?",
                (orders["remote"].id,),
            )

    store_db.write_sync(write)
    return {name: o.id for name, o in orders.items()}


@pytest.fixture
async def reviewer(client: TestClient, auth: Auth, mini_shop: MiniShop) -> dict[str, str]:
    """小美 (an agent) granted the order-review role by the supervisor."""
    response = await client.put(
        f"/api/review/reviewers/{mini_shop.agent_id}",
        json={"reviewer": True},
        headers=auth(mini_shop.supervisor_id),
    )
    body = await response.json()
    assert response.status == 200 and body["role"] == "reviewer", body
    return auth(mini_shop.agent_id)


async def queue(client: TestClient, headers: dict[str, str], **params: Any) -> Any:
    response = await client.get("/api/review/orders", headers=headers, params=params)
    body = await response.json()
    assert response.status == 200, body
    return body


def by_id(body: Any) -> dict[str, list[str]]:
    return {o["order_id"]: [r["code"] for r in o["reasons"]] for o in body["orders"]}


async def test_each_rule_puts_its_order_in_the_queue_soonest_ship_by_first(
    client: TestClient, store_db: AsyncDatabase, mini_shop: MiniShop, reviewer: dict[str, str]
) -> None:
    ids = seed(store_db, mini_shop.shop_id)
    conversation = "c-chat"
    await open_conversation(client, reviewer, conversation, "buyer6")
    status, body = await post(
        client,
        reviewer,
        "/api/events",
        {
            "type": "message.received",
            "conversation": conversation,
            "text": "拍两件送赠品吗？",
            "at": factory.NOW.isoformat(),
        },
    )
    assert status == 200, body
    body = await queue(client, reviewer)
    found = by_id(body)
    assert found == {
        ids["incomplete"]: ["address_incomplete"],
        ids["contradicts"]: ["region_contradicts"],
        ids["remote"]: ["remote_area"],
        ids["phone"]: ["phone_invalid"],
        ids["message"]: ["message_invoice"],
        ids["chat"]: ["chat_gift"],
        ids["risk"]: ["buyer_risk"],
    }
    assert [o["order_id"] for o in body["orders"]] == list(found)  # paid earliest → ships soonest
    ship_by = [o["ship_by"] for o in body["orders"]]
    assert ship_by == sorted(ship_by) and body["total"] == 7 and body["next_cursor"] is None
    page = await queue(client, reviewer, limit=3, cursor=3)
    assert [o["order_id"] for o in page["orders"]] == list(found)[3:6] and page["next_cursor"] == 6
    # the second read comes from the cached checks and says the same
    assert by_id(await queue(client, reviewer)) == found
    response = await client.get("/api/review/count", headers=reviewer)
    assert (await response.json())["count"] == 7


async def test_the_queue_is_for_the_order_review_role(
    client: TestClient, auth: Auth, mini_shop: MiniShop, store_db: AsyncDatabase
) -> None:
    ids = seed(store_db, mini_shop.shop_id)
    for agent_id in (mini_shop.agent_id, mini_shop.editor_id):
        response = await client.get("/api/review/orders", headers=auth(agent_id))
        assert response.status == 403, await response.text()
    assert (await queue(client, auth(mini_shop.supervisor_id)))["total"] == 6  # no chat here
    # an editor cannot be made a reviewer (the roles sit side by side)
    response = await client.put(
        f"/api/review/reviewers/{mini_shop.editor_id}",
        json={"reviewer": True},
        headers=auth(mini_shop.supervisor_id),
    )
    assert response.status == 409
    # any agent sees a hold (the order panel)
    response = await client.get(f"/api/review/orders/{ids['sound']}/hold", headers=auth(mini_shop.agent_id))
    assert response.status == 200 and (await response.json())["hold"] is None


async def test_reviewed_at_a_version_until_the_order_changes(
    client: TestClient, store_db: AsyncDatabase, mini_shop: MiniShop, reviewer: dict[str, str]
) -> None:
    ids = seed(store_db, mini_shop.shop_id)
    order_id = ids["contradicts"]
    status, body = await post(client, reviewer, f"/api/review/orders/{order_id}/reviewed", {"version": 2})
    assert status == 409 and body["errors"][0]["field"] == "version"
    status, body = await post(client, reviewer, f"/api/review/orders/{order_id}/reviewed", {"version": 1})
    assert status == 200, body
    assert order_id not in by_id(await queue(client, reviewer))
    # the reviewer fixes the name through the guarded edit: a receiver changed after payment brings it back
    address = {
        "name": "李四",
        "phone": "13900001111",
        "province": "浙江省",
        "city": "杭州市",
        "district": "余杭区",
        "detail": "文一西路969号3号楼201室",
    }
    response = await client.post(
        f"/api/orders/{order_id}/address",
        json={"version": 1, "address": address},
        headers={**reviewer, "Idempotency-Key": uuid.uuid4().hex},
    )
    assert response.status == 200, await response.text()
    assert by_id(await queue(client, reviewer))[order_id] == ["receiver_changed"]


async def test_hold_with_a_reason_seen_by_every_agent_and_released(
    client: TestClient, auth: Auth, store_db: AsyncDatabase, mini_shop: MiniShop, reviewer: dict[str, str]
) -> None:
    ids = seed(store_db, mini_shop.shop_id)
    order_id = ids["sound"]
    status, body = await post(
        client, reviewer, f"/api/review/orders/{order_id}/hold", {"reason": "等买家确认地址"}
    )
    assert status == 201 and body["hold"]["reason"] == "等买家确认地址" and body["hold"]["held_by"] == "小美"
    status, body = await post(client, reviewer, f"/api/review/orders/{order_id}/hold", {"reason": "再挂一次"})
    assert status == 409 and "等买家确认地址" in body["error"]
    response = await client.get(f"/api/review/orders/{order_id}/hold", headers=auth(mini_shop.supervisor_id))
    assert (await response.json())["hold"]["reason"] == "等买家确认地址"
    entry = next(o for o in (await queue(client, reviewer))["orders"] if o["order_id"] == order_id)
    assert entry["reasons"] == [] and entry["hold"]["reason"] == "等买家确认地址"  # a sound order, held
    status, body = await post(client, reviewer, f"/api/review/orders/{order_id}/release", {"note": "已确认"})
    assert status == 200 and body["hold"] is None
    assert order_id not in by_id(await queue(client, reviewer))
    status, body = await post(client, reviewer, f"/api/review/orders/{order_id}/release", {})
    assert status == 409


async def test_the_confirmation_script_names_the_receiver_and_what_to_fix(
    client: TestClient, store_db: AsyncDatabase, mini_shop: MiniShop, reviewer: dict[str, str]
) -> None:
    ids = seed(store_db, mini_shop.shop_id)
    response = await client.get(f"/api/review/orders/{ids['phone']}/script", headers=reviewer)
    body = await response.json()
    assert response.status == 200, body
    assert body["text"].startswith("亲，跟您确认一下收货地址：张三，") and "手机号" in body["text"]
    assert [r["code"] for r in body["reasons"]] == ["phone_invalid"]
    response = await client.get("/api/review/orders/20261111999999/script", headers=reviewer)
    assert response.status == 404


async def test_an_order_changed_anywhere_is_checked_again_and_new_rules_check_all(
    client: TestClient, store_db: AsyncDatabase, mini_shop: MiniShop, reviewer: dict[str, str]
) -> None:
    from assistant.commerce.address import default_regions
    from assistant.team.review import ReviewRules
    from assistant.team.review_queue import check_changed, write_checks

    ids = seed(store_db, mini_shop.shop_id)
    assert ids["sound"] not in by_id(await queue(client, reviewer))
    # an import or a snapshot changes the street address behind the API's back: the trigger marks it
    store_db.write_sync(
        lambda db: db.conn.execute("UPDATE orders SET address_detail = '家里' WHERE id = ?", (ids["sound"],))
    )
    assert by_id(await queue(client, reviewer))[ids["sound"]] == ["address_incomplete"]
    # nothing changed since: nothing to check; other rule settings: every open order again
    same = store_db.read_sync(
        lambda db: check_changed(db, mini_shop.shop_id, _rules(client), default_regions())
    )[0]
    assert not same.any
    other = ReviewRules(min_detail_chars=1)
    full, fresh = store_db.read_sync(
        lambda db: check_changed(db, mini_shop.shop_id, other, default_regions())
    )
    assert full.key == other.key and len(full.checks) == 8  # the eight open orders
    store_db.write_sync(lambda db: write_checks(db, full))
    assert fresh[ids["remote"]] == []  # these rules name no remote province


def _rules(client: TestClient) -> Any:
    from assistant import keys
    from assistant.api.review import rules_from

    return rules_from(client.app[keys.SETTINGS])


def test_an_older_check_written_last_does_not_replace_a_newer_one(
    store_db: AsyncDatabase, mini_shop: MiniShop
) -> None:
    from assistant.commerce.address import default_regions
    from assistant.team.review import ReviewRules
    from assistant.team.review_queue import check_changed, write_checks

    ids = seed(store_db, mini_shop.shop_id)
    rules = ReviewRules()
    store_db.write_sync(
        lambda db: write_checks(db, check_changed(db, mini_shop.shop_id, rules, default_regions())[0])
    )
    order_id = ids["sound"]
    store_db.write_sync(
        lambda db: db.conn.execute("UPDATE orders SET district = '' WHERE id = ?", (order_id,))
    )
    older = store_db.read_sync(lambda db: check_changed(db, mini_shop.shop_id, rules, default_regions()))[0]
    store_db.write_sync(
        lambda db: db.conn.execute("UPDATE orders SET district = '余杭区' WHERE id = ?", (order_id,))
    )
    newer = store_db.read_sync(lambda db: check_changed(db, mini_shop.shop_id, rules, default_regions()))[0]
    store_db.write_sync(lambda db: write_checks(db, newer))
    store_db.write_sync(lambda db: write_checks(db, older))  # the slower request writes last
    flagged = store_db.read_sync(
        lambda db: db.conn.execute(
            "SELECT flagged FROM review_checks WHERE order_id = ?", (order_id,)
        ).fetchone()[0]
    )
    assert flagged == 0  # the newer check (district back) stands


async def test_a_receiver_the_platform_changed_after_payment_is_asked_about(
    client: TestClient, auth: Auth, mini_shop: MiniShop, reviewer: dict[str, str]
) -> None:
    """A buyer who changes the receiver on the platform after paying: the snapshot brings it, the audit
    log keeps it as the platform's, and the queue asks the reviewer to confirm with the buyer."""
    from tests.commerce.test_snapshots_api import ORDER_ID, snapshot
    from tests.commerce.test_snapshots_api import post as post_event

    agent = auth(mini_shop.agent_id)
    paid: dict[str, Any] = {
        "status": "paid",
        "shipped_at": None,
        "courier": None,
        "tracking_no": None,
        "logistics": [],
    }
    status, body = await post_event(client, agent, snapshot(**paid))
    assert status == 200 and body["snapshot"]["applied"] is True, body
    assert "receiver_changed" not in by_id(await queue(client, reviewer)).get(ORDER_ID, [])
    moved = snapshot(**paid, modified_at="2026-11-11T11:00:00+08:00")
    moved["address"] = {**moved["address"], "name": "李四", "phone": "13900002222"}
    status, body = await post_event(client, agent, moved)
    assert status == 200 and body["snapshot"]["reason"] == "updated", body
    assert "receiver_changed" in by_id(await queue(client, reviewer))[ORDER_ID]
    detail = await (await client.get(f"/api/orders/{ORDER_ID}", headers=agent)).json()
    synced = [h for h in detail["order"]["history"] if h["action"] == "platform_sync"]
    assert [h["action_label"] for h in synced] == ["平台同步"] and synced[0]["agent_id"] is None
    assert detail["order"]["edits"]["undo"]["allowed"] is False  # the platform's change is no edit to undo
