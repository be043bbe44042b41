"""Path ids through the real app: ASCII digits 1..2**63-1 or a 400 naming the parameter, on every id route."""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
from aiohttp.test_utils import TestClient

from assistant.path_params import INT64_MAX, PATH_PARAMS, path_names
from assistant.routes import ENDPOINTS
from tests.conftest import MiniShop
from tests.foundation.test_api_errors import assert_error_shape

Auth = Callable[[int], dict[str, str]]

ID_PARAMS = {name for name, spec in PATH_PARAMS.items() if spec.schema.get("type") == "integer"}
ID_ROUTES = [e for e in ENDPOINTS if ID_PARAMS & set(path_names(e.path))]

# Quoted path segments that are not an id (each was read as one, or answered 500, before).
NOT_IDS = {
    "superscript three": "%C2%B3",
    "Arabic-Indic three": "%D9%A3",
    "fullwidth one": "%EF%BC%91",
    "Devanagari one": "%E0%A5%A7",
    "zero": "0",
    "zeros": "000",
    "negative": "-1",
    "plus sign": "+1",
    "decimal": "1.0",
    "space around": "%201",
    "over int64": str(INT64_MAX + 1),
    "5000 digits": "9" * 5000,
    "letters": "abc",
}


def _url(path: str, bad: dict[str, str]) -> str:
    """The route's path with ``bad`` values for some parameters and valid ones elsewhere."""
    good = {"nick": "tb_buyer", "order_id": "100000001", "entity": "intents", "name": "new_buyer"}

    def fill(match: re.Match[str]) -> str:
        name = match.group(1)
        return bad.get(name, good.get(name, "1"))

    return re.sub(r"{(\w+)}", fill, path)


def test_every_path_parameter_has_one_spec() -> None:
    names = {name for e in ENDPOINTS for name in path_names(e.path)}
    assert names <= set(PATH_PARAMS), names - set(PATH_PARAMS)
    assert len(ID_ROUTES) >= 23  # every route with an integer id, not a sample of them


@pytest.mark.parametrize("label", list(NOT_IDS))
async def test_every_id_route_refuses_what_is_not_an_ascii_id(
    client: TestClient, mini_shop: MiniShop, auth: Auth, label: str
) -> None:
    headers = {**auth(mini_shop.supervisor_id), "Idempotency-Key": "path-ids-test"}
    for endpoint in ID_ROUTES:
        for name in set(path_names(endpoint.path)) & ID_PARAMS:
            url = _url(endpoint.path, {name: NOT_IDS[label]})
            response = await client.request(endpoint.method, url, headers=headers, json={})
            body = await response.json()
            assert response.status == 400, (endpoint.method, url, body)
            assert_error_shape(body, 400)
            assert [e["field"] for e in body["errors"]] == [name], (url, body)


async def test_an_ascii_id_reads_and_the_lookalike_does_not(
    client: TestClient, mini_shop: MiniShop, auth: Auth
) -> None:
    headers = auth(mini_shop.agent_id)
    assert mini_shop.shop_id < 10
    arabic = chr(0x0660 + mini_shop.shop_id).encode().hex("%").upper()
    ok = await client.get(f"/api/shops/{mini_shop.shop_id}", headers=headers)
    assert ok.status == 200
    assert (await ok.json())["shop"]["id"] == mini_shop.shop_id
    padded = await client.get(f"/api/shops/00{mini_shop.shop_id}", headers=headers)
    assert padded.status == 200
    lookalike = await client.get(f"/api/shops/%{arabic}", headers=headers)
    assert lookalike.status == 400
    assert (await lookalike.json())["errors"][0]["field"] == "shop_id"
    largest = await client.get(f"/api/shops/{INT64_MAX}", headers=headers)
    assert largest.status == 404  # a valid id, just not a shop


@pytest.mark.parametrize(
    ("path", "field"),
    [
        ("/api/orders/%D9%A3%D9%A3%D9%A3%D9%A3%D9%A3%D9%A3", "order_id"),
        ("/api/orders/12345", "order_id"),
        ("/api/orders/%C2%B3%C2%B3%C2%B3%C2%B3%C2%B3%C2%B3/tracking", "order_id"),
        ("/api/buyers/%20%20", "nick"),
        ("/api/buyers/tb%01x", "nick"),
        ("/api/buyers/%09tb", "nick"),  # a tab is a control character even where it would be trimmed
        ("/api/buyers/" + "x" * 41, "nick"),
    ],
)
async def test_order_numbers_and_nicks_are_checked_the_same_way(
    client: TestClient, mini_shop: MiniShop, auth: Auth, path: str, field: str
) -> None:
    response = await client.get(path, headers=auth(mini_shop.agent_id))
    body = await response.json()
    assert response.status == 400, body
    assert [e["field"] for e in body["errors"]] == [field]


async def test_an_unknown_entity_or_sample_is_404_naming_it(
    client: TestClient, mini_shop: MiniShop, auth: Auth
) -> None:
    headers = auth(mini_shop.editor_id)
    for path, field in (("/api/kb/widgets/1/revisions", "entity"), ("/api/kb/samples/nobody", "name")):
        response = await client.get(path, headers=headers)
        body = await response.json()
        assert response.status == 404, body
        assert [e["field"] for e in body["errors"]] == [field]


async def test_path_ids_are_checked_after_the_token(client: TestClient) -> None:
    response = await client.get("/api/shops/%C2%B3")
    assert response.status == 401


async def test_the_openapi_document_types_each_path_parameter(client: TestClient) -> None:
    document = await (await client.get("/api/openapi.json")).json()
    for endpoint in ENDPOINTS:
        operation = document["paths"][endpoint.path][endpoint.method.lower()]
        params = {p["name"]: p for p in operation.get("parameters", []) if p["in"] == "path"}
        assert set(params) == set(path_names(endpoint.path))
        for name, param in params.items():
            assert param["required"] is True
            if name in ID_PARAMS:
                assert param["schema"] == {
                    "type": "integer",
                    "format": "int64",
                    "minimum": 1,
                    "maximum": INT64_MAX,
                }


async def test_spaces_around_a_nick_are_trimmed(client: TestClient, mini_shop: MiniShop, auth: Auth) -> None:
    response = await client.get("/api/buyers/%20tb_nobody%20", headers=auth(mini_shop.agent_id))
    assert response.status == 404  # read as "tb_nobody", who is not a buyer here
