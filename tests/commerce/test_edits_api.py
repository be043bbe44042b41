"""One-click edits through the real app: status rules, caps, approvals, stale versions, idempotency, audit, undo."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from aiohttp.test_utils import TestClient

from assistant.commerce import store
from assistant.commerce.models import Order, OrderStatus
from assistant.commerce.sqlite_backend import SqliteBackend
from assistant.settings import Settings
from knowledge.database import AsyncDatabase
from tests.conftest import MiniShop

Auth = Callable[[int], dict[str, str]]
NewOrder = Callable[..., Order]

BODIES: dict[str, dict[str, Any]] = {
    "price": {"price_fen": 18_900},
    "postage": {"postage_fen": 1_000},
    "address": {
        "address": {
            "name": "李四",
            "phone": "13900001111",
            "province": "广东省",
            "city": "深圳市",
            "district": "南山区",
            "detail": "科技园南区8栋1201",
        }
    },
    "remark": {"text": "顺丰发货", "flag": "red"},
}
ALLOWED = {
    "price": {OrderStatus.AWAITING_PAYMENT},
    "postage": {OrderStatus.AWAITING_PAYMENT},
    "address": {OrderStatus.AWAITING_PAYMENT, OrderStatus.PAID},
    "remark": set(OrderStatus),
}


async def edit(
    client: TestClient,
    headers: dict[str, str],
    order_id: str,
    kind: str,
    body: dict[str, Any],
    *,
    key: str | None = None,
    version: int = 1,
) -> tuple[int, dict[str, Any]]:
    response = await client.post(
        f"/api/orders/{order_id}/{kind}",
        json={"version": version, **body},
        headers={**headers, "Idempotency-Key": key or uuid.uuid4().hex},
    )
    return response.status, await response.json()


def audit_rows(db: AsyncDatabase, order_id: str) -> list[store.AuditRecord]:
    return db.read_sync(lambda conn: store.audit_entries(conn, "order", order_id))


def audit_total(db: AsyncDatabase) -> int:
    return int(db.read_sync(lambda conn: conn.execute("SELECT count(*) FROM audit_log").fetchone()[0]))


def order_row(db: AsyncDatabase, order_id: str) -> store.StoredOrder:
    row = db.read_sync(lambda conn: store.order_row(conn, order_id))
    assert row is not None
    return row


@pytest.mark.parametrize("status", list(OrderStatus))
@pytest.mark.parametrize("kind", list(BODIES))
async def test_each_status_allows_or_forbids_each_edit(
    client: TestClient,
    mini_shop: MiniShop,
    auth: Auth,
    new_order: NewOrder,
    store_db: AsyncDatabase,
    kind: str,
    status: OrderStatus,
) -> None:
    made = new_order(status)
    code, body = await edit(client, auth(mini_shop.agent_id), made.id, kind, BODIES[kind])
    if status in ALLOWED[kind]:
        assert code == 200, body
        assert body["applied"] is True and body["order"]["version"] == 2
        assert audit_rows(store_db, made.id)[0].action == kind
    else:
        assert code == 409, body
        assert body["errors"][0]["field"] == "status"
        assert body["current"]["version"] == 1
        assert order_row(store_db, made.id).version == 1
        assert audit_rows(store_db, made.id) == []


async def test_applied_edit_writes_one_audit_entry_with_before_after_who_and_why(
    client: TestClient,
    mini_shop: MiniShop,
    auth: Auth,
    new_order: NewOrder,
    store_db: AsyncDatabase,
) -> None:
    made = new_order(postage_fen=800)
    code, body = await edit(
        client, auth(mini_shop.agent_id), made.id, "postage", {"postage_fen": 0, "reason": "老客包邮"}
    )
    assert code == 200
    assert body["order"]["postage_fen"] == 0 and body["order"]["postage_yuan"] == "¥0.00"
    [entry] = audit_rows(store_db, made.id)
    assert entry.agent_id == mini_shop.agent_id and entry.reason == "老客包邮"
    assert entry.before == {"postage_fen": 800} and entry.after == {"postage_fen": 0}
    assert body["audit_id"] == entry.id
    assert body["order"]["history"][0]["action_label"] == "改邮费"


async def test_price_must_stay_positive_and_postage_not_negative(
    client: TestClient,
    mini_shop: MiniShop,
    auth: Auth,
    new_order: NewOrder,
) -> None:
    made = new_order()
    for kind, value in (
        ("price", {"price_fen": 0}),
        ("price", {"price_fen": -100}),
        ("postage", {"postage_fen": -1}),
    ):
        code, body = await edit(client, auth(mini_shop.agent_id), made.id, kind, value)
        assert code == 400, body
        assert body["errors"][0]["field"] == next(iter(value))


async def test_discount_within_the_agents_cap_applies_and_above_it_waits_for_approval(
    client: TestClient,
    mini_shop: MiniShop,
    auth: Auth,
    new_order: NewOrder,
    store_db: AsyncDatabase,
) -> None:
    made = new_order(price_fen=10_000)  # agent cap 10 %
    code, body = await edit(client, auth(mini_shop.agent_id), made.id, "price", {"price_fen": 9_000})
    assert code == 200 and body["order"]["discount_label"] == "10.00%"
    # Measured against the original price, not the already-reduced one: 8,900 is an 11 % cut.
    code, body = await edit(
        client, auth(mini_shop.agent_id), made.id, "price", {"price_fen": 8_900, "reason": "老客"}, version=2
    )
    assert code == 202, body
    assert body["applied"] is False
    approval = body["approval"]
    assert approval["status"] == "pending" and approval["status_label"] == "待主管审批"
    assert approval["original_price_fen"] == 10_000 and approval["to_price_fen"] == 8_900
    assert approval["discount_label"] == "11.00%"
    assert order_row(store_db, made.id).price_fen == 9_000
    # The agent sees the state on the order and in their list.
    detail = await (await client.get(f"/api/orders/{made.id}", headers=auth(mini_shop.agent_id))).json()
    assert detail["order"]["approvals"][0]["id"] == approval["id"]
    mine = await (await client.get("/api/approvals?mine=1", headers=auth(mini_shop.agent_id))).json()
    assert [a["id"] for a in mine["approvals"]] == [approval["id"]]
    # An agent cannot decide; a supervisor grants and the price applies with an audit entry.
    response = await client.post(
        f"/api/approvals/{approval['id']}/grant", json={}, headers=auth(mini_shop.agent_id)
    )
    assert response.status == 403
    response = await client.post(
        f"/api/approvals/{approval['id']}/grant", json={"note": "同意"}, headers=auth(mini_shop.supervisor_id)
    )
    granted = await response.json()
    assert response.status == 200, granted
    assert granted["approval"]["status"] == "granted" and granted["approval"]["decided_by_name"] == "王静"
    assert granted["outcome"]["order"]["price_fen"] == 8_900
    assert audit_rows(store_db, made.id)[0].agent_id == mini_shop.supervisor_id
    again = await client.post(
        f"/api/approvals/{approval['id']}/grant", json={}, headers=auth(mini_shop.supervisor_id)
    )
    assert again.status == 409


async def test_refused_approval_changes_nothing_and_the_agent_sees_it(
    client: TestClient,
    mini_shop: MiniShop,
    auth: Auth,
    new_order: NewOrder,
    store_db: AsyncDatabase,
) -> None:
    made = new_order(price_fen=10_000)
    _, body = await edit(client, auth(mini_shop.agent_id), made.id, "price", {"price_fen": 7_000})
    approval_id = body["approval"]["id"]
    response = await client.post(
        f"/api/approvals/{approval_id}/refuse",
        json={"note": "折扣太大"},
        headers=auth(mini_shop.supervisor_id),
    )
    assert response.status == 200
    assert order_row(store_db, made.id).price_fen == 10_000
    mine = await (await client.get("/api/approvals", headers=auth(mini_shop.agent_id))).json()
    assert mine["approvals"][0]["status"] == "refused" and mine["approvals"][0]["decision_note"] == "折扣太大"


async def test_grant_fails_with_409_and_stays_visible_when_the_order_moved_on(
    client: TestClient,
    mini_shop: MiniShop,
    auth: Auth,
    new_order: NewOrder,
    store_db: AsyncDatabase,
) -> None:
    made = new_order(price_fen=10_000)
    _, body = await edit(client, auth(mini_shop.agent_id), made.id, "price", {"price_fen": 8_000})
    approval_id = body["approval"]["id"]
    await edit(client, auth(mini_shop.agent_id), made.id, "remark", {"text": "催付中"})  # version 1 -> 2
    response = await client.post(
        f"/api/approvals/{approval_id}/grant", json={}, headers=auth(mini_shop.supervisor_id)
    )
    failed = await response.json()
    assert response.status == 409, failed
    assert "重新提交" in failed["error"] and failed["approval"]["status"] == "failed"
    assert order_row(store_db, made.id).price_fen == 10_000
    listed = await (await client.get("/api/approvals", headers=auth(mini_shop.supervisor_id))).json()
    assert listed["approvals"][0]["id"] == approval_id and listed["approvals"][0]["status"] == "failed"


async def test_supervisor_within_own_cap_applies_above_it_is_refused(
    client: TestClient,
    mini_shop: MiniShop,
    auth: Auth,
    new_order: NewOrder,
    store_db: AsyncDatabase,
) -> None:
    made = new_order(price_fen=10_000)  # supervisor cap 50 %
    code, _ = await edit(client, auth(mini_shop.supervisor_id), made.id, "price", {"price_fen": 5_000})
    assert code == 200
    code, body = await edit(
        client, auth(mini_shop.supervisor_id), made.id, "price", {"price_fen": 4_999}, version=2
    )
    assert code == 400 and body["errors"][0]["field"] == "price_fen" and "50%" in body["error"]
    assert order_row(store_db, made.id).price_fen == 5_000
    # An agent asking for more than any supervisor may give is refused outright, no approval.
    other = new_order(price_fen=10_000)
    code, body = await edit(client, auth(mini_shop.agent_id), other.id, "price", {"price_fen": 4_000})
    assert code == 400
    assert (await (await client.get("/api/approvals", headers=auth(mini_shop.agent_id))).json())[
        "approvals"
    ] == []


async def test_stale_version_is_409_with_the_current_order_and_nothing_overwritten(
    client: TestClient,
    mini_shop: MiniShop,
    auth: Auth,
    new_order: NewOrder,
    store_db: AsyncDatabase,
) -> None:
    made = new_order()
    await edit(client, auth(mini_shop.agent_id), made.id, "remark", {"text": "第一位客服的备注"})
    code, body = await edit(
        client, auth(mini_shop.editor_id), made.id, "remark", {"text": "第二位"}, version=1
    )
    assert code == 409 and body["errors"][0]["field"] == "version"
    assert body["current"]["seller_remark"] == "第一位客服的备注" and body["current"]["version"] == 2
    assert order_row(store_db, made.id).seller_remark == "第一位客服的备注"
    assert len(audit_rows(store_db, made.id)) == 1


async def test_a_retried_request_applies_once_and_returns_the_first_result(
    client: TestClient,
    mini_shop: MiniShop,
    auth: Auth,
    new_order: NewOrder,
    store_db: AsyncDatabase,
) -> None:
    made = new_order()
    key = uuid.uuid4().hex
    first = await edit(
        client, auth(mini_shop.agent_id), made.id, "remark", {"text": "加急", "mode": "append"}, key=key
    )
    second = await edit(
        client, auth(mini_shop.agent_id), made.id, "remark", {"text": "加急", "mode": "append"}, key=key
    )
    assert first[0] == second[0] == 200
    assert second[1]["replayed"] is True and first[1]["replayed"] is False
    assert second[1]["order"] == first[1]["order"]
    assert order_row(store_db, made.id).seller_remark == "加急"
    assert len(audit_rows(store_db, made.id)) == 1
    # Same key, different body: a clear error, nothing applied.
    code, body = await edit(client, auth(mini_shop.agent_id), made.id, "remark", {"text": "别的"}, key=key)
    assert code == 409 and body["errors"][0]["field"] == "Idempotency-Key"
    # A pending approval is not created twice either.
    price_key = uuid.uuid4().hex
    for _ in range(2):
        code, _ = await edit(
            client,
            auth(mini_shop.agent_id),
            made.id,
            "price",
            {"price_fen": 10_000},
            key=price_key,
            version=2,
        )
        assert code == 202
    assert (
        len(
            (await (await client.get("/api/approvals", headers=auth(mini_shop.agent_id))).json())["approvals"]
        )
        == 1
    )


async def test_edits_need_an_idempotency_key(
    client: TestClient, mini_shop: MiniShop, auth: Auth, new_order: NewOrder
) -> None:
    made = new_order()
    response = await client.post(
        f"/api/orders/{made.id}/remark", json={"version": 1, "text": "x"}, headers=auth(mini_shop.agent_id)
    )
    body = await response.json()
    assert response.status == 400 and body["errors"][0]["field"] == "Idempotency-Key"


async def test_undo_reverts_the_last_edit_and_is_itself_audited(
    client: TestClient,
    mini_shop: MiniShop,
    auth: Auth,
    new_order: NewOrder,
    store_db: AsyncDatabase,
) -> None:
    made = new_order(price_fen=10_000)
    await edit(client, auth(mini_shop.agent_id), made.id, "price", {"price_fen": 9_500})
    await edit(client, auth(mini_shop.agent_id), made.id, "address", BODIES["address"], version=2)
    code, body = await edit(
        client, auth(mini_shop.agent_id), made.id, "undo", {"reason": "买家说地址没变"}, version=3
    )
    assert code == 200, body
    assert body["order"]["address"]["name"] == "张三" and body["order"]["price_fen"] == 9_500
    code, body = await edit(client, auth(mini_shop.agent_id), made.id, "undo", {}, version=4)
    assert code == 200 and body["order"]["price_fen"] == 10_000
    code, body = await edit(client, auth(mini_shop.agent_id), made.id, "undo", {}, version=5)
    assert code == 409 and "没有可撤销" in body["error"]
    actions = [(r.action, r.undoes) for r in audit_rows(store_db, made.id)]
    ids = [r.id for r in audit_rows(store_db, made.id)]
    assert actions == [("undo", ids[3]), ("undo", ids[2]), ("address", None), ("price", None)]


async def test_undo_is_refused_when_the_status_no_longer_allows_the_edit(
    client: TestClient,
    mini_shop: MiniShop,
    auth: Auth,
    new_order: NewOrder,
    store_db: AsyncDatabase,
) -> None:
    made = new_order(price_fen=10_000)
    await edit(client, auth(mini_shop.agent_id), made.id, "price", {"price_fen": 9_500})
    store_db.write_sync(lambda db: db.execute("UPDATE orders SET status = 'paid' WHERE id = ?", [made.id]))
    code, body = await edit(client, auth(mini_shop.agent_id), made.id, "undo", {}, version=2)
    assert code == 409 and body["errors"][0]["field"] == "status"
    assert order_row(store_db, made.id).price_fen == 9_500
    detail = await (await client.get(f"/api/orders/{made.id}", headers=auth(mini_shop.agent_id))).json()
    assert detail["order"]["edits"]["undo"]["allowed"] is False


async def test_a_crash_in_the_middle_of_an_edit_leaves_nothing_half_applied(
    client: TestClient,
    mini_shop: MiniShop,
    auth: Auth,
    new_order: NewOrder,
    store_db: AsyncDatabase,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    made = new_order(price_fen=10_000)
    before = order_row(store_db, made.id)
    audit_before = audit_total(store_db)

    def explode(*args: Any, **kwargs: Any) -> int:
        raise RuntimeError("disk unplugged")

    monkeypatch.setattr(store, "insert_audit", explode)
    key = uuid.uuid4().hex
    code, body = await edit(client, auth(mini_shop.agent_id), made.id, "price", {"price_fen": 9_500}, key=key)
    assert code == 500 and "disk" not in body["error"]
    assert order_row(store_db, made.id) == before
    assert audit_total(store_db) == audit_before
    monkeypatch.undo()
    code, body = await edit(client, auth(mini_shop.agent_id), made.id, "price", {"price_fen": 9_500}, key=key)
    assert code == 200 and body["replayed"] is False  # the key was not kept by the failed attempt


async def test_address_edit_checks_the_region_and_the_phone(
    client: TestClient,
    mini_shop: MiniShop,
    auth: Auth,
    new_order: NewOrder,
) -> None:
    made = new_order(OrderStatus.PAID)
    bad_city = {"address": {**BODIES["address"]["address"], "city": "杭州市"}}
    code, body = await edit(client, auth(mini_shop.agent_id), made.id, "address", bad_city)
    assert code == 400 and body["errors"][0]["field"].startswith("address.")
    bad_phone = {"address": {**BODIES["address"]["address"], "phone": "12345"}}
    code, body = await edit(client, auth(mini_shop.agent_id), made.id, "address", bad_phone)
    assert code == 400 and body["errors"][0]["field"] == "address.phone"
    # An old district typed into the field names today's; a city with districts needs one.
    old_name = {
        "address": {
            **BODIES["address"]["address"],
            "province": "浙江省",
            "city": "杭州市",
            "district": "江干区",
        }
    }
    code, body = await edit(client, auth(mini_shop.agent_id), made.id, "address", old_name)
    assert code == 400 and body["errors"][0]["field"] == "address.district"
    assert "上城区" in body["errors"][0]["message"]
    no_district = {"address": {**BODIES["address"]["address"], "district": ""}}
    code, body = await edit(client, auth(mini_shop.agent_id), made.id, "address", no_district)
    assert code == 400 and "缺少区县" in body["errors"][0]["message"]
    # Place names in the street detail never change or block the confirmed region.
    street = {"address": {**BODIES["address"]["address"], "detail": "北京路1号 上海市徐汇区漕溪北路旁"}}
    code, body = await edit(client, auth(mini_shop.agent_id), made.id, "address", street)
    assert code == 200, body


async def test_remark_append_and_flag(
    client: TestClient, mini_shop: MiniShop, auth: Auth, new_order: NewOrder
) -> None:
    made = new_order(OrderStatus.COMPLETED, seller_remark="已核对地址")
    code, body = await edit(
        client,
        auth(mini_shop.agent_id),
        made.id,
        "remark",
        {"text": "送小样", "mode": "append", "flag": "purple"},
    )
    assert code == 200
    assert (
        body["order"]["seller_remark"] == "已核对地址\n送小样"
        and body["order"]["remark_flag_label"] == "紫旗"
    )


async def test_orders_of_a_shop_the_agent_is_not_in_are_404(
    client: TestClient,
    mini_shop: MiniShop,
    auth: Auth,
    new_order: NewOrder,
) -> None:
    made = new_order()
    code, _ = await edit(client, auth(mini_shop.outsider_id), made.id, "remark", {"text": "x"})
    assert code == 404
    response = await client.get(f"/api/orders/{made.id}", headers=auth(mini_shop.outsider_id))
    assert response.status == 404


async def test_week_old_idempotency_keys_are_forgotten_at_start_up(
    client: TestClient,
    mini_shop: MiniShop,
    auth: Auth,
    new_order: NewOrder,
    store_db: AsyncDatabase,
    settings: Settings,
) -> None:
    made = new_order()
    code, _ = await edit(client, auth(mini_shop.agent_id), made.id, "remark", {"text": "新的"})
    assert code == 200

    def keys_left() -> int:
        return int(
            store_db.read_sync(lambda db: db.execute("SELECT count(*) FROM idempotency_keys").fetchone()[0])
        )

    assert keys_left() == 1

    soon = SqliteBackend(store_db, settings, clock=lambda: datetime.now(UTC) + timedelta(days=1))
    assert await soon.forget_old_idempotency_keys() == 0 and keys_left() == 1
    later = SqliteBackend(store_db, settings, clock=lambda: datetime.now(UTC) + timedelta(days=8))
    assert await later.forget_old_idempotency_keys() == 1 and keys_left() == 0
