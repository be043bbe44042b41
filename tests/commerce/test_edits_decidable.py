"""Nothing may be requested that cannot be decided: a no-op edit or approval is refused when asked,
and an approval that can no longer be granted is decided (failed), never left pending behind a 400."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

import pytest
from aiohttp.test_utils import TestClient

from assistant.app import create_app
from assistant.commerce.models import Order
from assistant.settings import Settings
from knowledge.database import AsyncDatabase
from tests.commerce.test_edits_api import BODIES, audit_rows, edit, order_row
from tests.conftest import MiniShop

Auth = Callable[[int], dict[str, str]]
NewOrder = Callable[..., Order]


async def approvals(client: TestClient, headers: dict[str, str]) -> list[dict[str, Any]]:
    result: list[dict[str, Any]] = (await (await client.get("/api/approvals", headers=headers)).json())[
        "approvals"
    ]
    return result


async def test_an_approval_for_the_current_price_is_refused_when_asked(
    client: TestClient, mini_shop: MiniShop, auth: Auth, new_order: NewOrder, store_db: AsyncDatabase
) -> None:
    made = new_order(price_fen=10_000)
    # A supervisor cuts 20 % (within their cap); the agent then asks for that same price, which is
    # above the agent's 10 % cap: before, this was a 202 whose grant failed with 400 for ever.
    code, _ = await edit(client, auth(mini_shop.supervisor_id), made.id, "price", {"price_fen": 8_000})
    assert code == 200
    code, body = await edit(
        client, auth(mini_shop.agent_id), made.id, "price", {"price_fen": 8_000}, version=2
    )
    assert code == 400, body
    assert body["errors"] == [{"field": "price_fen", "message": body["errors"][0]["message"]}]
    assert "和订单现在的一样" in body["errors"][0]["message"]
    assert await approvals(client, auth(mini_shop.supervisor_id)) == []
    assert order_row(store_db, made.id).version == 2
    # A real further cut still goes to approval and can be granted.
    code, body = await edit(
        client, auth(mini_shop.agent_id), made.id, "price", {"price_fen": 7_500}, version=2
    )
    assert code == 202, body
    granted = await client.post(
        f"/api/approvals/{body['approval']['id']}/grant", json={}, headers=auth(mini_shop.supervisor_id)
    )
    assert granted.status == 200, await granted.text()


@pytest.mark.parametrize(
    ("kind", "field"),
    [("price", "price_fen"), ("postage", "postage_fen"), ("address", "address"), ("remark", "text")],
)
async def test_a_no_op_edit_names_its_field_and_writes_nothing(
    client: TestClient,
    mini_shop: MiniShop,
    auth: Auth,
    new_order: NewOrder,
    store_db: AsyncDatabase,
    kind: str,
    field: str,
) -> None:
    made = new_order(price_fen=10_000)
    code, body = await edit(client, auth(mini_shop.supervisor_id), made.id, kind, BODIES[kind])
    assert code == 200, body
    # The same change again, at the new version: nothing would change.
    code, body = await edit(client, auth(mini_shop.supervisor_id), made.id, kind, BODIES[kind], version=2)
    assert code == 400, body
    assert [e["field"] for e in body["errors"]] == [field]
    assert len(audit_rows(store_db, made.id)) == 1
    assert order_row(store_db, made.id).version == 2


async def test_an_empty_append_to_a_remark_is_a_no_op(
    client: TestClient, mini_shop: MiniShop, auth: Auth, new_order: NewOrder
) -> None:
    made = new_order()
    await edit(client, auth(mini_shop.agent_id), made.id, "remark", {"text": "加急"})
    code, body = await edit(
        client, auth(mini_shop.agent_id), made.id, "remark", {"text": "", "mode": "append"}, version=2
    )
    assert code == 400 and body["errors"][0]["field"] == "text", body


async def test_an_approval_beyond_a_lowered_cap_is_decided_as_failed(
    aiohttp_client: Callable[..., Awaitable[TestClient]],
    client: TestClient,
    settings: Settings,
    mini_shop: MiniShop,
    auth: Auth,
    new_order: NewOrder,
    store_db: AsyncDatabase,
) -> None:
    made = new_order(price_fen=10_000)
    code, body = await edit(client, auth(mini_shop.agent_id), made.id, "price", {"price_fen": 6_000})
    assert code == 202, body
    approval_id = body["approval"]["id"]
    # The service restarts with a lower supervisor cap: the 40 % request can never be granted now.
    lowered = await aiohttp_client(
        create_app(settings.model_copy(update={"supervisor_discount_cap_percent": 30}))
    )
    response = await lowered.post(
        f"/api/approvals/{approval_id}/grant", json={}, headers=auth(mini_shop.supervisor_id)
    )
    body = await response.json()
    assert response.status == 409, body
    assert body["approval"]["status"] == "failed" and "30%" in body["error"]
    assert order_row(store_db, made.id).price_fen == 10_000
    listed = await approvals(lowered, auth(mini_shop.supervisor_id))
    assert [(a["id"], a["status"]) for a in listed] == [(approval_id, "failed")]
    # Decided: a second grant is a plain "already decided".
    again = await lowered.post(
        f"/api/approvals/{approval_id}/grant", json={}, headers=auth(mini_shop.supervisor_id)
    )
    assert again.status == 409
