"""Refund review through the real app: requests from the orders' refund status, the queue's hints,
decisions (one per request, versioned), the supervisor's 误退 mark, the grant, and the reviewer's KPI
card (efficiency 70 / quality 30) fed by those decisions."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from aiohttp.test_utils import TestClient

from assistant.commerce.models import LogisticsEvent, LogisticsStatus, OrderStatus, RefundStatus, RiskFlag
from knowledge.database import AsyncDatabase
from tests.commerce import factory
from tests.conftest import MiniShop
from tests.team.test_watch_api import post

Auth = Callable[[int], dict[str, str]]


def seed(store_db: AsyncDatabase, shop_id: int) -> dict[str, str]:
    """Refund requests on orders in each state, and a buyer who asks for refunds often."""
    buyers = [
        factory.buyer(shop_id, "paid_buyer", 700),
        factory.buyer(shop_id, "signed_buyer", 701),
        factory.buyer(shop_id, "often", 702, risk_flag=RiskFlag.PROFESSIONAL_CLAIMANT, risk_note="职业打假"),
        factory.buyer(shop_id, "returned_buyer", 703),
    ]
    requested = RefundStatus.REQUESTED
    returned = [
        LogisticsEvent(
            at=factory.NOW - timedelta(hours=2),
            status=LogisticsStatus.RETURNED,
            location="杭州",
            description="包裹已退回寄件人",
        )
    ]
    orders = {
        "unshipped": factory.order(shop_id, 700, OrderStatus.PAID, refund_status=requested),
        "signed": factory.order(shop_id, 701, OrderStatus.DELIVERED, refund_status=requested),
        "often_1": factory.order(shop_id, 702, OrderStatus.COMPLETED, age=timedelta(days=40)),
        "often_2": factory.order(shop_id, 702, OrderStatus.COMPLETED, age=timedelta(days=20)),
        "often_3": factory.order(shop_id, 702, OrderStatus.SHIPPED, refund_status=requested),
        "returned": factory.order(
            shop_id, 703, OrderStatus.SHIPPED, logistics=returned, refund_status=requested
        ),
        "calm": factory.order(shop_id, 700, OrderStatus.PAID),
    }

    def write(db: Any) -> None:
        factory.save(db, buyers, list(orders.values()))
        # the frequent buyer's two earlier requests, decided in the platform long ago
        for name, days in (("often_1", 39), ("often_2", 19)):
            at = (factory.NOW - timedelta(days=days)).isoformat()
            db.conn.execute(
                "INSERT INTO refund_requests (shop_id, order_id, amount_fen, requested_at, outcome, decided_at)"
                " VALUES (?, ?, 100, ?, 'elsewhere', ?)",
                (shop_id, orders[name].id, at, at),
            )
        # the oldest wait first: the unshipped order asked three hours ago (past the 120-minute limit)
        db.conn.execute(
            "UPDATE refund_requests SET requested_at = ? WHERE order_id = ?",
            ((factory.NOW - timedelta(hours=3)).isoformat(), orders["unshipped"].id),
        )

    store_db.write_sync(write)
    return {name: o.id for name, o in orders.items()}


@pytest.fixture
async def reviewer(client: TestClient, auth: Auth, mini_shop: MiniShop) -> dict[str, str]:
    """小美 (an agent) granted the refund-review role by the supervisor."""
    response = await client.put(
        f"/api/refunds/reviewers/{mini_shop.agent_id}",
        json={"refund_reviewer": True},
        headers=auth(mini_shop.supervisor_id),
    )
    body = await response.json()
    assert response.status == 200 and body["role"] == "refund_reviewer", body
    return auth(mini_shop.agent_id)


async def listing(client: TestClient, headers: dict[str, str], **params: Any) -> Any:
    response = await client.get("/api/refunds", headers=headers, params=params)
    body = await response.json()
    assert response.status == 200, body
    return body


def by_order(body: Any) -> dict[str, Any]:
    return {r["order_id"]: r for r in body["requests"]}


async def test_requests_come_from_the_orders_and_the_queue_says_what_to_check(
    client: TestClient, reviewer: dict[str, str], store_db: AsyncDatabase, mini_shop: MiniShop
) -> None:
    ids = seed(store_db, mini_shop.shop_id)
    body = await listing(client, reviewer)
    assert body["requests"][0]["order_id"] == ids["unshipped"]  # the longest wait first
    assert set(by_order(body)) == {ids["unshipped"], ids["signed"], ids["often_3"], ids["returned"]}
    assert (body["open"], body["overdue"], body["limit_minutes"]) == (4, 1, 120)
    codes = {order_id: [h["code"] for h in r["hints"]] for order_id, r in by_order(body).items()}
    assert codes[ids["unshipped"]] == ["not_shipped", "overdue"]
    assert codes[ids["signed"]] == ["received"]
    assert codes[ids["often_3"]] == ["in_transit", "frequent", "risk"]
    assert codes[ids["returned"]] == ["returned"]
    frequent = next(h for h in by_order(body)[ids["often_3"]]["hints"] if h["code"] == "frequent")
    assert frequent["n"] == 3 and "第 3 次" in frequent["text"]
    assert by_order(body)[ids["signed"]]["amount_fen"] == 19_900  # no amount given: price + postage

    # a snapshot (or any change) putting a calm order into `requested` opens a request; leaving it
    # without a decision here closes it as decided elsewhere, nobody's review
    def ask(db: Any) -> None:
        db.conn.execute(
            "UPDATE orders SET refund_status = 'requested', refund_fen = 5000 WHERE id = ?", (ids["calm"],)
        )

    store_db.write_sync(ask)
    calm = by_order(await listing(client, reviewer))[ids["calm"]]
    assert calm["amount_fen"] == 5000 and calm["outcome"] is None

    def platform_refunded(db: Any) -> None:
        db.conn.execute("UPDATE orders SET refund_status = 'refunded' WHERE id = ?", (ids["calm"],))

    store_db.write_sync(platform_refunded)
    assert ids["calm"] not in by_order(await listing(client, reviewer))
    decided = await listing(client, reviewer, state="decided")
    assert ids["calm"] not in by_order(decided)  # `elsewhere` is not a reviewer's decision


async def test_a_request_is_decided_once_at_the_version_seen(
    client: TestClient, reviewer: dict[str, str], auth: Auth, store_db: AsyncDatabase, mini_shop: MiniShop
) -> None:
    ids = seed(store_db, mini_shop.shop_id)
    rows = by_order(await listing(client, reviewer))
    unshipped, signed = rows[ids["unshipped"]], rows[ids["signed"]]
    path = f"/api/refunds/{unshipped['id']}/decision"

    status, body = await post(
        client, reviewer, f"/api/refunds/{signed['id']}/decision", {"outcome": "rejected", "version": 1}
    )
    assert status == 400 and body["errors"][0]["field"] == "note", body
    status, body = await post(client, reviewer, path, {"outcome": "approved", "version": 7})
    assert status == 409 and body["errors"][0]["field"] == "version" and body["current"]["version"] == 1

    status, body = await post(
        client, reviewer, path, {"outcome": "approved", "note": "未发货，已通知仓库拦截", "version": 1}
    )
    assert status == 200, body
    assert (body["outcome"], body["reviewer"], body["on_time"], body["version"]) == (
        "approved",
        "小美",
        False,
        2,
    )
    assert body["took_minutes"] >= 180 and [h["code"] for h in body["hints"]] == ["not_shipped"]

    # a second decision (another reviewer, or a double click) changes nothing
    supervisor = auth(mini_shop.supervisor_id)
    status, body = await post(
        client, supervisor, path, {"outcome": "rejected", "note": "不同意", "version": 2}
    )
    assert status == 409 and "小美 已同意" in body["error"], body

    after = await listing(client, reviewer)
    assert ids["unshipped"] not in by_order(after) and after["open"] == 3
    decided = by_order(await listing(client, reviewer, state="decided"))
    assert decided[ids["unshipped"]]["note"] == "未发货，已通知仓库拦截"

    def audit(db: Any) -> list[tuple[str, str]]:
        found = db.conn.execute(
            "SELECT action, reason FROM audit_log WHERE entity = 'refund' AND entity_id = ?",
            (str(unshipped["id"]),),
        ).fetchall()
        return [(str(action), str(reason)) for action, reason in found]

    assert store_db.read_sync(audit) == [("approved", "未发货，已通知仓库拦截")]


async def test_roles_and_shops_guard_the_review(
    client: TestClient, auth: Auth, store_db: AsyncDatabase, mini_shop: MiniShop
) -> None:
    ids = seed(store_db, mini_shop.shop_id)
    agent = auth(mini_shop.agent_id)
    response = await client.get("/api/refunds", headers=agent)
    assert response.status == 403  # not granted yet
    supervisor = auth(mini_shop.supervisor_id)
    rows = by_order(await listing(client, supervisor))  # a supervisor may review anyway
    request_id = rows[ids["signed"]]["id"]

    response = await client.put(
        f"/api/refunds/reviewers/{mini_shop.editor_id}", json={"refund_reviewer": True}, headers=supervisor
    )
    assert response.status == 409  # an editor keeps their role
    await client.put(
        f"/api/review/reviewers/{mini_shop.agent_id}", json={"reviewer": True}, headers=supervisor
    )
    response = await client.put(
        f"/api/refunds/reviewers/{mini_shop.agent_id}", json={"refund_reviewer": True}, headers=supervisor
    )
    assert response.status == 409  # one grant per agent: 小美 reviews orders now

    outsider = auth(mini_shop.outsider_id)
    await client.put(
        f"/api/refunds/reviewers/{mini_shop.outsider_id}", json={"refund_reviewer": True}, headers=supervisor
    )
    status, body = await post(
        client, outsider, f"/api/refunds/{request_id}/decision", {"outcome": "approved", "version": 1}
    )
    assert status in (403, 404) and body["ok"] is False
    status, _ = await post(
        client, agent, f"/api/refunds/{request_id}/wrong", {"wrong": True, "reason": "x", "version": 1}
    )
    assert status == 403  # only a supervisor marks a decision wrong
    response = await client.get("/api/refunds", headers=supervisor, params={"shop": mini_shop.other_shop_id})
    assert response.status == 404


async def test_the_supervisors_wrong_mark(
    client: TestClient, reviewer: dict[str, str], auth: Auth, store_db: AsyncDatabase, mini_shop: MiniShop
) -> None:
    ids = seed(store_db, mini_shop.shop_id)
    supervisor = auth(mini_shop.supervisor_id)
    signed = by_order(await listing(client, reviewer))[ids["signed"]]
    wrong_path = f"/api/refunds/{signed['id']}/wrong"
    status, body = await post(
        client, supervisor, wrong_path, {"wrong": True, "reason": "还没退回", "version": 1}
    )
    assert status == 409  # nothing decided yet

    status, body = await post(
        client, reviewer, f"/api/refunds/{signed['id']}/decision", {"outcome": "approved", "version": 1}
    )
    assert status == 200
    status, body = await post(client, supervisor, wrong_path, {"wrong": True, "reason": " ", "version": 2})
    assert status == 400 and body["errors"][0]["field"] == "reason"
    status, body = await post(
        client, supervisor, wrong_path, {"wrong": True, "reason": "包裹没退回就同意了", "version": 2}
    )
    assert status == 200 and body["wrong"] == {
        "reason": "包裹没退回就同意了",
        "by": "王静",
        "at": body["wrong"]["at"],
    }
    marked = await listing(client, supervisor, state="wrong")
    assert [r["order_id"] for r in marked["requests"]] == [ids["signed"]]
    status, body = await post(client, supervisor, wrong_path, {"wrong": False, "version": 3})
    assert status == 200 and body["wrong"] is None and body["version"] == 4
    status, body = await post(client, supervisor, wrong_path, {"wrong": False, "version": 4})
    assert status == 200 and body["version"] == 4  # no mark to take back: nothing written
    assert (await listing(client, supervisor, state="wrong"))["total"] == 0


async def test_the_reviewers_kpi_card_reads_the_decisions(
    client: TestClient, reviewer: dict[str, str], auth: Auth, store_db: AsyncDatabase, mini_shop: MiniShop
) -> None:
    ids = seed(store_db, mini_shop.shop_id)
    supervisor = auth(mini_shop.supervisor_id)
    period = datetime.now(ZoneInfo("Asia/Shanghai")).strftime("%Y-%m")

    async def reviewer_row() -> Any:
        response = await client.get(
            "/api/reports/kpi", headers=supervisor, params={"period": period, "shop": mini_shop.shop_id}
        )
        body = await response.json()
        assert response.status == 200, body
        return next(a for a in body["agents"] if a["agent_id"] == mini_shop.agent_id)

    idle = await reviewer_row()
    assert idle["score"] is None and idle["explanation"] == "本月没有审核退款，不计分"

    rows = by_order(await listing(client, reviewer))
    for name in ("unshipped", "signed", "often_3", "returned"):  # the unshipped one three hours late
        status, body = await post(
            client,
            reviewer,
            f"/api/refunds/{rows[ids[name]]['id']}/decision",
            {"outcome": "approved", "version": 1},
        )
        assert status == 200, body
    row = await reviewer_row()
    assert row["role"] == "refund_reviewer"
    # efficiency 3/4 = 0.75 → 50 points (0.50 → 0, 1.00 → 100); quality 4/4 → 100: 50 × 0.7 + 100 × 0.3
    assert row["metrics"]["efficiency"] == pytest.approx(0.75) and row["metrics"]["quality"] == 1.0
    assert row["metrics"]["refunds_reviewed"] == 4 and row["score"] == pytest.approx(65.0)

    status, _ = await post(
        client,
        supervisor,
        f"/api/refunds/{rows[ids['signed']]['id']}/wrong",
        {"wrong": True, "reason": "误退", "version": 2},
    )
    assert status == 200
    # one wrong in four: quality 0.75 → 0 points (0.90 → 0): 50 × 0.7 = 35
    row = await reviewer_row()
    assert row["metrics"]["quality"] == pytest.approx(0.75) and row["score"] == pytest.approx(35.0)
    assert row["base_yuan"] == 1000

    drill = await listing(client, supervisor, state="decided", reviewer=mini_shop.agent_id, period=period)
    assert drill["total"] == 4 and sum(r["on_time"] is False for r in drill["requests"]) == 1

    # the per-agent export carries the card's figures
    response = await client.get(
        "/api/reports/export",
        headers=supervisor,
        params={"period": period, "shop": mini_shop.shop_id, "rows": "agent", "format": "csv"},
    )
    assert response.status == 200
    table = list(csv.reader(io.StringIO((await response.read()).decode("utf-8-sig"))))
    head, mine = table[0], next(r for r in table if r[1] == "xiaomei")
    assert float(mine[head.index("处理申请数")]) == 4 and float(mine[head.index("误退/误拒")]) == 1
    assert float(mine[head.index("处理效率")]) == pytest.approx(0.75)
