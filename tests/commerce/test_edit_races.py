"""Races through the real app: two writers at the same version get one 200 and one 409; two copies of
one request in flight at once (same Idempotency-Key) apply once. A few rounds here, 200 in the slow run."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Callable

import pytest
from aiohttp.test_utils import TestClient

from assistant.commerce.models import Order
from knowledge.database import AsyncDatabase
from tests.commerce.test_edits_api import audit_rows, edit, order_row
from tests.conftest import MiniShop
from tests.quick_replies.test_api import _create, _group

Auth = Callable[[int], dict[str, str]]
NewOrder = Callable[..., Order]

ROUNDS = [pytest.param(12, id="12"), pytest.param(200, id="200", marks=pytest.mark.slow)]
PHRASE_ROUNDS = [pytest.param(6, id="6"), pytest.param(200, id="200", marks=pytest.mark.slow)]


@pytest.mark.parametrize("rounds", ROUNDS)
async def test_same_version_order_edits_give_one_200_and_one_409(
    client: TestClient,
    mini_shop: MiniShop,
    auth: Auth,
    new_order: NewOrder,
    store_db: AsyncDatabase,
    rounds: int,
) -> None:
    orders = [new_order() for _ in range(rounds)]
    agent, editor = auth(mini_shop.agent_id), auth(mini_shop.editor_id)
    results = await asyncio.gather(
        *(
            asyncio.gather(
                edit(client, agent, o.id, "remark", {"text": "小美的备注"}),
                edit(client, editor, o.id, "remark", {"text": "李娜的备注"}),
            )
            for o in orders
        )
    )
    for made, (first, second) in zip(orders, results, strict=True):
        assert sorted([first[0], second[0]]) == [200, 409], (first, second)
        winner = first if first[0] == 200 else second
        loser = second if winner is first else first
        assert loser[1]["errors"][0]["field"] == "version"
        row = order_row(store_db, made.id)
        assert row.version == 2 and row.seller_remark == winner[1]["order"]["seller_remark"]
        assert len(audit_rows(store_db, made.id)) == 1


@pytest.mark.parametrize("rounds", PHRASE_ROUNDS)
async def test_same_version_phrase_saves_give_one_200_and_one_409(
    client: TestClient, mini_shop: MiniShop, auth: Auth, rounds: int
) -> None:
    group = await _group(client, mini_shop, auth)
    editor = auth(mini_shop.editor_id)
    phrases = [
        await _create(
            client, mini_shop.editor_id, auth, group_id=group, code=f"r{i}", title=f"短语{i}", body="原文"
        )
        for i in range(rounds)
    ]

    async def save(phrase_id: int, body: str) -> int:
        update = {"group_id": group, "code": f"r{phrase_id}x", "title": "改", "body": body, "version": 1}
        response = await client.put(f"/api/quick-replies/{phrase_id}", json=update, headers=editor)
        return response.status

    results = await asyncio.gather(
        *(asyncio.gather(save(p["id"], "甲"), save(p["id"], "乙")) for p in phrases)
    )
    assert all(sorted(pair) == [200, 409] for pair in results), results
    for phrase in phrases:
        response = await client.get(f"/api/quick-replies/{phrase['id']}/revisions", headers=editor)
        revisions = (await response.json())["revisions"]
        assert [r["action"] for r in revisions] == ["update", "create"]


@pytest.mark.parametrize("rounds", ROUNDS)
async def test_a_request_retried_while_the_first_is_in_flight_applies_once(
    client: TestClient,
    mini_shop: MiniShop,
    auth: Auth,
    new_order: NewOrder,
    store_db: AsyncDatabase,
    rounds: int,
) -> None:
    orders = [new_order() for _ in range(rounds)]
    agent = auth(mini_shop.agent_id)
    keys = [uuid.uuid4().hex for _ in orders]
    body = {"text": "加急", "mode": "append"}
    results = await asyncio.gather(
        *(
            asyncio.gather(
                edit(client, agent, o.id, "remark", body, key=key),
                edit(client, agent, o.id, "remark", body, key=key),
            )
            for o, key in zip(orders, keys, strict=True)
        )
    )
    for made, (first, second) in zip(orders, results, strict=True):
        assert first[0] == second[0] == 200, (first, second)
        assert sorted([first[1]["replayed"], second[1]["replayed"]]) == [False, True]
        assert first[1]["audit_id"] == second[1]["audit_id"]
        assert order_row(store_db, made.id).seller_remark == "加急"
        assert len(audit_rows(store_db, made.id)) == 1
