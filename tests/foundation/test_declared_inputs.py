"""The route table validates the query and body each route declares before its handler runs, and what
a handler answers from is what the OpenAPI document declares (``assistant.api.io.validating``)."""

from __future__ import annotations

from collections.abc import Callable

from aiohttp.test_utils import TestClient

from tests.conftest import MiniShop
from tests.foundation.test_api_errors import assert_error_shape

Auth = Callable[[int], dict[str, str]]


async def test_moving_an_agent_answers_the_roster_of_the_declared_day(
    client: TestClient, mini_shop: MiniShop, auth: Auth
) -> None:
    """``PUT /api/roster/{id}`` answers the roster of ``?day=`` (it always did, undeclared): a bad day is
    the 400 naming ``day``, before anything is written; a good one is the day of the answer."""
    boss = auth(mini_shop.supervisor_id)
    path = f"/api/roster/{mini_shop.agent_id}"

    async def rotation() -> str:
        response = await client.get("/api/roster", params={"day": "2026-11-03"}, headers=boss)
        agents = (await response.json())["agents"]
        return str(next(a for a in agents if a["agent_id"] == mini_shop.agent_id)["rotation"])

    was = await rotation()
    other = "B" if was == "A" else "A"
    bad = await client.put(path, params={"day": "2026-02-30"}, json={"rotation": other}, headers=boss)
    body = await bad.json()
    assert bad.status == 400, body
    assert_error_shape(body, 400)
    assert [e["field"] for e in body["errors"]] == ["day"], body
    assert await rotation() == was, "the refused request wrote nothing"
    good = await client.put(path, params={"day": "2026-11-03"}, json={"rotation": other}, headers=boss)
    answer = await good.json()
    assert good.status == 200, answer
    assert answer["day"] == "2026-11-03"
    assert next(a for a in answer["agents"] if a["agent_id"] == mini_shop.agent_id)["rotation"] == other
    document = await (await client.get("/api/openapi.json")).json()
    declared = [p["name"] for p in document["paths"]["/api/roster/{agent_id}"]["put"]["parameters"]]
    assert declared == ["agent_id", "day"]


async def test_a_route_that_takes_an_empty_body_refuses_any_field(
    client: TestClient, mini_shop: MiniShop, auth: Auth
) -> None:
    """The outbox's retry declares an empty body: the table refuses a field in it (400 naming it)
    before the handler looks the edit up."""
    response = await client.post(
        "/api/outbox/999/retry", json={"force": True}, headers=auth(mini_shop.supervisor_id)
    )
    body = await response.json()
    assert response.status == 400, body
    assert_error_shape(body, 400)
    assert [e["field"] for e in body["errors"]] == ["force"], body
