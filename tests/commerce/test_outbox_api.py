"""The edit outbox through the real app: each applied edit waits for the host's answer, survives a restart,
can be retried with a new key or undone here when the platform refused it."""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable
from typing import Any

import sqlite_utils
from aiohttp import web
from aiohttp.test_utils import TestClient

from assistant.app import create_app
from assistant.commerce.models import Order, OrderStatus
from assistant.settings import Settings
from knowledge.database import AsyncDatabase
from tests.conftest import MiniShop
from tests.events.test_events_api import next_frame

Auth = Callable[[int], dict[str, str]]
NewOrder = Callable[..., Order]


async def edit(
    client: TestClient,
    headers: dict[str, str],
    order: Order,
    kind: str,
    body: dict[str, Any],
    version: int = 1,
) -> dict[str, Any]:
    response = await client.post(
        f"/api/orders/{order.id}/{kind}",
        json={"version": version, **body},
        headers={**headers, "Idempotency-Key": uuid.uuid4().hex},
    )
    data: dict[str, Any] = await response.json()
    assert response.status == 200, data
    return data


async def answer(
    client: TestClient, headers: dict[str, str], message: dict[str, Any], ok: bool = True, **extra: Any
) -> tuple[int, dict[str, Any]]:
    event: dict[str, Any] = {
        "type": "edit.applied" if ok else "edit.failed",
        "edit_id": message["edit_id"],
        "idempotency_key": message["idempotency_key"],
        **extra,
    }
    if not ok:
        event.setdefault("reason", "平台提示：订单已锁定")
    response = await client.post("/api/events", json=event, headers=headers)
    return response.status, await response.json()


async def detail(client: TestClient, headers: dict[str, str], order: Order) -> dict[str, Any]:
    data: dict[str, Any] = (await (await client.get(f"/api/orders/{order.id}", headers=headers)).json())[
        "order"
    ]
    return data


async def test_an_applied_edit_is_offered_to_the_host_and_settled_by_its_answer(
    client: TestClient, mini_shop: MiniShop, auth: Auth, new_order: NewOrder
) -> None:
    headers = auth(mini_shop.agent_id)
    order = new_order(OrderStatus.AWAITING_PAYMENT, price_fen=19_900)
    out = await edit(client, headers, order, "price", {"price_fen": 18_900})
    message = out["sync"]["message"]
    assert message["type"] == "kefu.apply_edit"
    assert {
        k: message[k]
        for k in ("order_id", "shop", "kind", "edit_kind", "undoes", "before", "after", "attempt")
    } == {
        "order_id": order.id,
        "shop": "test_shop",
        "kind": "price",
        "edit_kind": "price",
        "undoes": None,
        "before": {"price_fen": 19_900},
        "after": {"price_fen": 18_900},
        "attempt": 1,
    }
    assert out["sync"]["entry"]["status"] == "pending" and out["sync"]["entry"]["status_label"] == "待同步"
    assert [s["status"] for s in out["order"]["sync"]] == ["pending"]

    offers = (await (await client.get("/api/outbox", headers=headers)).json())["offers"]
    assert [o["message"] for o in offers] == [message]

    status, body = await answer(client, headers, message, modified_at="2026-11-11T10:00:00+08:00")
    assert status == 200 and body["edit"]["status"] == "applied" and body["edit"]["status_label"] == "已同步"
    assert [s["status"] for s in (await detail(client, headers, order))["sync"]] == ["applied"]
    assert (await (await client.get("/api/outbox", headers=headers)).json())["offers"] == []
    # The host may say it twice; saying the opposite afterwards is a conflict.
    assert (await answer(client, headers, message))[0] == 200
    status, body = await answer(client, headers, message, ok=False)
    assert status == 409 and body["errors"][0]["field"] == "edit_id"


async def test_answers_are_checked(
    client: TestClient, mini_shop: MiniShop, auth: Auth, new_order: NewOrder
) -> None:
    headers = auth(mini_shop.agent_id)
    order = new_order(OrderStatus.PAID)
    message = (await edit(client, headers, order, "remark", {"text": "加急"}))["sync"]["message"]
    cases: list[tuple[dict[str, Any], int, str]] = [
        ({"idempotency_key": "kefu-0000000000000000.1"}, 400, "idempotency_key"),
        ({"edit_id": 999_999}, 404, "edit_id"),
        ({"edit_id": str(message["edit_id"])}, 400, "edit_id"),
        ({"modified_at": "2026-11-11T10:00:00"}, 400, "modified_at"),
        ({"extra": 1}, 400, "extra"),
    ]
    for change, code, field in cases:
        response = await client.post(
            "/api/events",
            headers=headers,
            json={
                "type": "edit.applied",
                "edit_id": message["edit_id"],
                "idempotency_key": message["idempotency_key"],
                **change,
            },
        )
        body = await response.json()
        assert response.status == code and body["errors"][0]["field"] == field, (change, body)
    response = await client.post(
        "/api/events",
        headers=headers,
        json={
            "type": "edit.failed",
            "edit_id": message["edit_id"],
            "idempotency_key": message["idempotency_key"],
        },
    )
    assert response.status == 400 and (await response.json())["errors"][0]["field"] == "reason"
    # An agent of another shop cannot see or answer it.
    status, body = await answer(client, auth(mini_shop.outsider_id), message)
    assert status == 404
    assert [s["status"] for s in (await detail(client, headers, order))["sync"]] == ["pending"]


async def test_a_failed_edit_can_be_retried_with_a_new_key(
    client: TestClient, mini_shop: MiniShop, auth: Auth, new_order: NewOrder
) -> None:
    headers = auth(mini_shop.agent_id)
    order = new_order(OrderStatus.AWAITING_PAYMENT)
    first = (await edit(client, headers, order, "postage", {"postage_fen": 800}))["sync"]["message"]
    status, body = await answer(client, headers, first, ok=False, reason="平台繁忙，请稍后再试")
    assert (
        status == 200
        and body["edit"]["status"] == "failed"
        and body["edit"]["failure"] == "平台繁忙，请稍后再试"
    )
    assert body["edit"]["can_retry"] is True and body["edit"]["can_undo_locally"] is True
    assert (await (await client.get("/api/outbox", headers=headers)).json())["offers"] == []

    response = await client.post(f"/api/outbox/{first['edit_id']}/retry", json={}, headers=headers)
    again = (await response.json())["offer"]
    assert (
        response.status == 200 and again["entry"]["status"] == "pending" and again["message"]["attempt"] == 2
    )
    assert again["message"]["idempotency_key"] != first["idempotency_key"]
    status, body = await answer(client, headers, first)  # the old attempt's answer comes late
    assert status == 409 and body["errors"][0]["field"] == "idempotency_key"
    assert (await answer(client, headers, again["message"]))[1]["edit"]["status"] == "applied"
    response = await client.post(f"/api/outbox/{first['edit_id']}/retry", json={}, headers=headers)
    assert response.status == 409  # only a failed edit is retried


async def test_a_failed_edit_can_be_undone_here_only(
    client: TestClient, mini_shop: MiniShop, auth: Auth, new_order: NewOrder, store_db: AsyncDatabase
) -> None:
    headers = auth(mini_shop.agent_id)
    order = new_order(OrderStatus.AWAITING_PAYMENT, price_fen=19_900)
    message = (await edit(client, headers, order, "price", {"price_fen": 18_000}))["sync"]["message"]
    response = await client.post(f"/api/outbox/{message['edit_id']}/undo", json={}, headers=headers)
    assert response.status == 409  # still pending: the platform may yet apply it
    await answer(client, headers, message, ok=False, reason="买家已付款")
    response = await client.post(f"/api/outbox/{message['edit_id']}/undo", json={}, headers=headers)
    out = await response.json()
    assert response.status == 200, out
    assert out["order"]["price_fen"] == 19_900 and out["sync"] is None
    assert [s["status"] for s in out["order"]["sync"]] == ["reverted"]  # no new entry: nothing to send

    def audit(db: sqlite_utils.Database) -> list[tuple[Any, ...]]:
        return [
            tuple(r)
            for r in db.execute(
                "SELECT action, reason FROM audit_log WHERE entity_id = ? ORDER BY id", (order.id,)
            ).fetchall()
        ]

    assert store_db.read_sync(audit) == [("price", ""), ("undo", "平台未生效（买家已付款），本地撤销")]
    response = await client.post(f"/api/outbox/{message['edit_id']}/undo", json={}, headers=headers)
    assert response.status == 409


async def test_an_undo_is_an_outbox_entry_of_its_own(
    client: TestClient, mini_shop: MiniShop, auth: Auth, new_order: NewOrder
) -> None:
    headers = auth(mini_shop.agent_id)
    order = new_order(OrderStatus.PAID)
    address = {
        "name": "李四",
        "phone": "13900001111",
        "province": "广东省",
        "city": "深圳市",
        "district": "南山区",
        "detail": "科技园南区8栋1201",
    }
    edited = (await edit(client, headers, order, "address", {"address": address}))["sync"]["message"]
    assert edited["after"]["receiver_phone"] == "13900001111"  # the host needs it in full
    undone = (await edit(client, headers, order, "undo", {}, version=2))["sync"]["message"]
    assert (
        undone["kind"] == "undo"
        and undone["edit_kind"] == "address"
        and undone["undoes"] == edited["edit_id"]
    )
    assert undone["after"] == edited["before"] and undone["before"] == edited["after"]
    offers = (await (await client.get("/api/outbox", headers=headers)).json())["offers"]
    assert [o["message"]["edit_id"] for o in offers] == [edited["edit_id"], undone["edit_id"]]  # in order
    # Supervisors may see every pending edit of their shops; agents only their own.
    response = await client.get("/api/outbox", params={"all": "true"}, headers=headers)
    assert response.status == 403
    supervisor = await client.get(
        "/api/outbox", params={"all": "true"}, headers=auth(mini_shop.supervisor_id)
    )
    assert len((await supervisor.json())["offers"]) == 2
    mine = await client.get("/api/outbox", headers=auth(mini_shop.supervisor_id))
    assert (await mine.json())["offers"] == []


async def test_the_applied_answer_protects_the_edit_from_an_older_snapshot(
    client: TestClient, mini_shop: MiniShop, auth: Auth, new_order: NewOrder
) -> None:
    headers = auth(mini_shop.agent_id)
    order = new_order(OrderStatus.PAID)
    message = (await edit(client, headers, order, "remark", {"text": "周五前发"}))["sync"]["message"]
    await answer(client, headers, message, modified_at="2026-11-11T10:00:00+08:00")
    stale = {
        "type": "order.snapshot",
        "shop": "test_shop",
        "order_id": order.id,
        "buyer": "随便",
        "status": "paid",
        "modified_at": "2026-11-11T09:59:00+08:00",
        "created_at": "2026-11-11T09:00:00+08:00",
        "price_fen": 19_900,
        "address": {
            "name": "张三",
            "phone": "13800138000",
            "province": "浙江省",
            "city": "杭州市",
            "district": "余杭区",
            "detail": "文一西路969号3号楼201室",
        },
        "lines": [{"sku": "LAMP-1", "title": "北欧落地灯", "unit_price_fen": 19_900, "quantity": 1}],
    }
    body = await (await client.post("/api/events", json=stale, headers=headers)).json()
    assert body["snapshot"]["reason"] == "older"
    assert (await detail(client, headers, order))["seller_remark"] == "周五前发"


async def test_the_sidebar_hears_when_an_edit_is_settled(
    client: TestClient, mini_shop: MiniShop, auth: Auth, new_order: NewOrder, token_for: Callable[[int], str]
) -> None:
    headers = auth(mini_shop.agent_id)
    order = new_order(OrderStatus.PAID)
    stream = await client.get("/api/events/stream", params={"token": token_for(mini_shop.agent_id)})
    await next_frame(stream)
    message = (await edit(client, headers, order, "remark", {"text": "加急"}))["sync"]["message"]
    await answer(client, headers, message, ok=False)
    name, data = await next_frame(stream)
    assert (
        name == "edit.synced"
        and data["entry"]["status"] == "failed"
        and data["entry"]["order_id"] == order.id
    )
    stream.close()


async def test_nothing_is_lost_when_the_service_restarts_before_the_answer(
    aiohttp_client: Callable[..., Awaitable[TestClient]],
    settings: Settings,
    mini_shop: MiniShop,
    auth: Auth,
    new_order: NewOrder,
) -> None:
    headers = auth(mini_shop.agent_id)
    order = new_order(OrderStatus.AWAITING_PAYMENT)
    first: web.Application = create_app(settings)
    client = await aiohttp_client(first)
    message = (await edit(client, headers, order, "price", {"price_fen": 18_500}))["sync"]["message"]
    await client.close()  # the service stops: cleanup closes the store

    second = await aiohttp_client(create_app(settings))
    offers = (await (await second.get("/api/outbox", headers=headers)).json())["offers"]
    assert [o["message"] for o in offers] == [message]  # re-offered with the same key: applied once
    status, body = await answer(second, headers, message)
    assert status == 200 and body["edit"]["status"] == "applied"
    assert (await detail(second, headers, order))["price_fen"] == 18_500


async def test_a_granted_price_approval_goes_to_the_outbox(
    client: TestClient, mini_shop: MiniShop, auth: Auth, new_order: NewOrder
) -> None:
    order = new_order(OrderStatus.AWAITING_PAYMENT, price_fen=20_000)
    response = await client.post(
        f"/api/orders/{order.id}/price",
        json={"version": 1, "price_fen": 15_000},
        headers={**auth(mini_shop.agent_id), "Idempotency-Key": uuid.uuid4().hex},
    )
    body = await response.json()
    assert response.status == 202 and body["sync"] is None  # waiting for a supervisor: nothing applied yet
    response = await client.post(
        f"/api/approvals/{body['approval']['id']}/grant", json={}, headers=auth(mini_shop.supervisor_id)
    )
    outcome = (await response.json())["outcome"]
    assert outcome["sync"]["message"]["after"] == {"price_fen": 15_000}
    assert outcome["sync"]["entry"]["agent_id"] == mini_shop.supervisor_id
