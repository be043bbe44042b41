"""Personal data: masked in lists, in full only for editing the address, exported by supervisors, purged."""

from __future__ import annotations

import json
import sqlite3
import uuid
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import sqlite_utils
from aiohttp.test_utils import TestClient

from assistant.cli import main
from assistant.commerce.models import Order, OrderStatus
from assistant.commerce.privacy import mask_detail, mask_phone
from assistant.settings import Settings
from knowledge.database import AsyncDatabase
from tests.conftest import MiniShop

Auth = Callable[[int], dict[str, str]]
NewOrder = Callable[..., Order]
NEW_ADDRESS = {
    "name": "李四",
    "phone": "13900001111",
    "province": "广东省",
    "city": "深圳市",
    "district": "南山区",
    "detail": "科技园南区8栋1201",
}


@pytest.mark.parametrize(
    ("phone", "masked"),
    [
        ("13812345276", "138****5276"),
        ("0571-88886666", "0571-****6666"),
        ("010-12345678-123", "010-****5678-123"),
        ("12345", "****"),
        ("", ""),
    ],
)
def test_phones_are_masked(phone: str, masked: str) -> None:
    assert mask_phone(phone) == masked


def test_street_addresses_keep_only_their_start() -> None:
    assert mask_detail("文一西路969号3号楼201室") == "文一西****"
    assert mask_detail("3号") == "****"


async def change_address(client: TestClient, headers: dict[str, str], order: Order) -> dict[str, Any]:
    response = await client.post(
        f"/api/orders/{order.id}/address",
        json={"version": 1, "address": NEW_ADDRESS},
        headers={**headers, "Idempotency-Key": uuid.uuid4().hex},
    )
    assert response.status == 200
    data: dict[str, Any] = await response.json()
    return data


async def test_order_details_mask_and_the_edit_form_gets_it_in_full(
    client: TestClient, mini_shop: MiniShop, auth: Auth, new_order: NewOrder
) -> None:
    headers = auth(mini_shop.agent_id)
    order = new_order(OrderStatus.PAID)
    detail = (await (await client.get(f"/api/orders/{order.id}", headers=headers)).json())["order"]
    assert detail["address"]["one_line"] == "张三，138****8000，浙江省杭州市余杭区文一西****"
    assert "13800138000" not in json.dumps(detail, ensure_ascii=False)
    full = await (await client.get(f"/api/orders/{order.id}/address", headers=headers)).json()
    assert (
        full["address"]["phone"] == "13800138000" and full["address"]["detail"] == "文一西路969号3号楼201室"
    )
    assert full["address"]["masked"] is False and full["version"] == 1

    out = await change_address(client, headers, order)
    text = json.dumps(out["order"], ensure_ascii=False)  # the history's before/after is masked too
    assert "13900001111" not in text and "13800138000" not in text and "139****1111" in text


async def test_the_full_address_is_gone_once_the_address_can_no_longer_change(
    client: TestClient, mini_shop: MiniShop, auth: Auth, new_order: NewOrder
) -> None:
    shipped = new_order(OrderStatus.SHIPPED)
    response = await client.get(f"/api/orders/{shipped.id}/address", headers=auth(mini_shop.agent_id))
    assert response.status == 409 and (await response.json())["errors"][0]["field"] == "status"
    supervisor = await client.get(f"/api/orders/{shipped.id}/address", headers=auth(mini_shop.supervisor_id))
    assert supervisor.status == 200
    other = await client.get(f"/api/orders/{shipped.id}/address", headers=auth(mini_shop.outsider_id))
    assert other.status == 404


async def test_exports_of_personal_data_need_a_supervisor(
    client: TestClient, mini_shop: MiniShop, auth: Auth, new_order: NewOrder, store_db: AsyncDatabase
) -> None:
    order = new_order(OrderStatus.PAID)
    nick = f"买家{order.buyer_id}"
    agent = auth(mini_shop.agent_id)
    for event in (
        {"type": "conversation.opened", "conversation": "c-exp", "shop": "test_shop", "buyer": nick},
        {"type": "message.received", "conversation": "c-exp", "text": "地址写错了", "at": "2026-11-11T10:00:00+08:00"},
        {"type": "conversation.opened", "conversation": "c-else", "shop": "test_shop", "buyer": "别的买家"},
        {"type": "message.received", "conversation": "c-else", "text": "不是他的", "at": "2026-11-11T10:01:00+08:00"},
    ):  # fmt: skip
        assert (await client.post("/api/events", json=event, headers=agent)).status == 200
    for who in (mini_shop.agent_id, mini_shop.editor_id):
        response = await client.get(f"/api/buyers/{nick}/export", headers=auth(who))
        assert response.status == 403
    response = await client.get(f"/api/buyers/{nick}/export", headers=auth(mini_shop.supervisor_id))
    body = await response.json()
    assert response.status == 200 and "attachment" in response.headers["Content-Disposition"]
    assert body["orders"][0]["receiver_phone"] == "13800138000" and body["buyer"]["nick"] == nick
    assert [(m["conversation"], m["direction"], m["text"], m["at"]) for m in body["messages"]] == [
        ("c-exp", "in", "地址写错了", "2026-11-11T02:00:00.000000+00:00")
    ]

    def exports(db: sqlite_utils.Database) -> list[tuple[Any, ...]]:
        return [
            tuple(r)
            for r in db.execute(
                "SELECT agent_id, action FROM audit_log WHERE entity = 'buyer' AND action = 'export'"
            ).fetchall()
        ]

    assert store_db.read_sync(exports) == [(mini_shop.supervisor_id, "export")]


def test_the_audit_log_refuses_changes_outside_the_purge(
    settings: Settings, mini_shop: MiniShop, store_db: AsyncDatabase
) -> None:
    def seed(db: sqlite_utils.Database) -> int:
        cursor = db.conn.execute(
            "INSERT INTO audit_log (at, entity, entity_id, action, before, after)"
            " VALUES ('2026-01-01T00:00:00+08:00', 'order', '123456', 'address', '{}', '{}')"
        )
        return int(cursor.lastrowid or 0)

    audit_id = store_db.write_sync(seed)
    conn = sqlite3.connect(settings.db_path)
    try:
        statements = [
            ("UPDATE audit_log SET after = '{\"x\":1}' WHERE id = ?", (audit_id,)),
            (
                "UPDATE audit_log SET after = '{}', anonymised_at = 'now' WHERE id = ?",
                (audit_id,),
            ),  # no permit
            ("DELETE FROM audit_log WHERE id = ?", (audit_id,)),
        ]
        for sql, params in statements:
            with pytest.raises(sqlite3.IntegrityError, match="append-only"):
                conn.execute(sql, params)
        conn.execute("INSERT INTO audit_anonymise_permits (audit_id) VALUES (?)", (audit_id,))
        with pytest.raises(sqlite3.IntegrityError, match="append-only"):  # a permit allows no other change
            conn.execute(
                "UPDATE audit_log SET action = 'price', anonymised_at = 'now' WHERE id = ?", (audit_id,)
            )
        conn.execute("UPDATE audit_log SET after = '{}', anonymised_at = 'now' WHERE id = ?", (audit_id,))
        assert conn.execute("SELECT count(*) FROM audit_anonymise_permits").fetchone()[0] == 0  # one shot
        with pytest.raises(sqlite3.IntegrityError, match="append-only"):
            conn.execute(
                "UPDATE audit_log SET before = NULL, anonymised_at = 'again' WHERE id = ?", (audit_id,)
            )
    finally:
        conn.close()


async def test_kefu_purge_forgets_old_conversations_and_anonymises_old_receivers(
    client: TestClient,
    mini_shop: MiniShop,
    auth: Auth,
    new_order: NewOrder,
    settings: Settings,
    store_db: AsyncDatabase,
    capsys: pytest.CaptureFixture[str],
) -> None:
    headers = auth(mini_shop.agent_id)
    old = new_order(OrderStatus.PAID, age=timedelta(days=400))
    out = await change_address(client, headers, old)
    message = out["sync"]["message"]
    await client.post(
        "/api/events",
        headers=headers,
        json={
            "type": "edit.applied",
            "edit_id": message["edit_id"],
            "idempotency_key": message["idempotency_key"],
        },
    )
    store_db.write_sync(
        lambda db: db.execute("UPDATE orders SET status = 'completed' WHERE id = ?", (old.id,))
    )
    recent_closed = new_order(OrderStatus.COMPLETED, age=timedelta(days=3))
    old_open = new_order(OrderStatus.SHIPPED, age=timedelta(days=400))
    await client.post(
        "/api/events",
        headers=headers,
        json={
            "type": "conversation.opened",
            "conversation": "c-1",
            "shop": "test_shop",
            "buyer": f"买家{old.buyer_id}",
        },
    )
    now = datetime.now(UTC)
    for days in (400, 1):
        await client.post(
            "/api/events",
            headers=headers,
            json={
                "type": "message.received",
                "conversation": "c-1",
                "text": f"我的电话 1380013800{days % 10}",
                "at": (now - timedelta(days=days)).isoformat(),
            },
        )
    await client.post(
        f"/api/buyers/买家{old.buyer_id}/notes", headers=headers, json={"text": "收件人常不在家"}
    )

    def audit_count(db: sqlite_utils.Database) -> int:
        return int(db.execute("SELECT count(*) FROM audit_log").fetchone()[0])

    audits_before = store_db.read_sync(audit_count)
    cutoff = (now - timedelta(days=30)).date().isoformat()
    run = ["purge", "--data-dir", str(settings.data_dir), "--before", cutoff]
    assert main([*run, "--dry-run"]) == 0
    dry = capsys.readouterr().out
    assert "试运行" in dry and "收货人信息 1 笔" in dry
    assert (
        store_db.read_sync(lambda db: db.execute("SELECT count(*) FROM conversation_messages").fetchone()[0])
        == 2
    )
    assert main(run) == 0
    result = capsys.readouterr().out
    assert "会话消息 1 条" in result and "收货人信息 1 笔" in result, result
    assert "审计记录匿名化 1 条" in result and "待同步记录匿名化 1 条" in result

    def state(db: sqlite_utils.Database) -> dict[str, Any]:
        orders = {
            r[0]: r[1:]
            for r in db.execute(
                "SELECT id, receiver_name, receiver_phone, address_detail, province, anonymised_at IS NOT NULL"
                " FROM orders"
            ).fetchall()
        }
        audit = db.execute(
            "SELECT before, after, anonymised_at, agent_id, action FROM audit_log"
            " WHERE entity_id = ? AND action = 'address'",
            (old.id,),
        ).fetchone()
        outbox = db.execute("SELECT before, after FROM edit_outbox WHERE order_id = ?", (old.id,)).fetchone()
        texts = [r[0] for r in db.execute("SELECT text FROM conversation_messages").fetchall()]
        return {"orders": orders, "audit": audit, "outbox": outbox, "texts": texts}

    after = store_db.read_sync(state)
    assert after["orders"][old.id] == ("已清除", "", "已清除", "广东省", 1)
    assert after["orders"][recent_closed.id][1] == "13800138000"  # too recent
    assert after["orders"][old_open.id][1] == "13800138000"  # still open: the parcel needs it
    before_json, after_json, anonymised, agent_id, action = after["audit"]
    assert anonymised and agent_id == mini_shop.agent_id and action == "address"  # who, what: kept
    assert "13800138000" not in before_json + after_json and "13900001111" not in before_json + after_json
    assert "浙江省" in before_json and "广东省" in after_json
    assert "13900001111" not in "".join(after["outbox"])
    assert after["texts"] == ["我的电话 13800138001"]
    assert store_db.read_sync(audit_count) == audits_before  # nothing deleted from the audit log
    assert main(run) == 0
    again = capsys.readouterr().out
    assert "收货人信息 0 笔" in again and "会话消息 0 条" in again
    assert main([*run[:-1], "next tuesday"]) == 2
    assert "YYYY-MM-DD" in capsys.readouterr().err
