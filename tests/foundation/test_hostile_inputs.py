"""Classes of input that once earned a 500, each closed everywhere it can arrive, through the real app.

Tokens (any header or ``?token=``), JSON bodies (every route with a body), multipart uploads, query
strings (every declared parameter of every route), and headers echoed in messages.
"""

from __future__ import annotations

import asyncio
import gzip
import json
import re
from collections.abc import Callable

import pytest
from aiohttp.test_utils import TestClient

from assistant.routes import ENDPOINTS
from tests.conftest import MiniShop
from tests.foundation.test_api_errors import assert_error_shape
from tests.quick_replies.test_api import _create, _group

Auth = Callable[[int], dict[str, str]]

HOSTILE_TOKENS = [
    "kf³.abc",  # a Unicode digit: int() refused it with ValueError
    "kf1.é",  # non-ASCII: hmac.compare_digest raised TypeError
    "kf٣." + "0" * 40,  # Arabic-Indic digit
    "kf" + "9" * 5000 + ".a",  # past int()'s 4,300-digit limit
    "kf0." + "0" * 40,
    "kf1." + "0" * 39 + "é",
]


def _fill(path: str) -> str:
    """A route path with plausible values for its parameters (ids are another test's business)."""
    values = {
        "order_id": "100001",
        "nick": "买家",
        "entity": "intents",
        "name": "new_buyer",
        "purpose": "jam",
    }
    return re.sub(r"\{(\w+)\}", lambda m: values.get(m.group(1), "1"), path)


async def raw_request(
    client: TestClient, head: bytes, body: bytes = b""
) -> tuple[int, dict[str, str], bytes]:
    """Send bytes as they are (aiohttp's client would refuse or re-encode them); status, headers, body."""
    reader, writer = await asyncio.open_connection(client.host, client.port)
    writer.write(head + b"\r\n" + f"Content-Length: {len(body)}\r\nConnection: close\r\n\r\n".encode() + body)
    await writer.drain()
    data = await reader.read()
    writer.close()
    await writer.wait_closed()
    header_block, _, payload = data.partition(b"\r\n\r\n")
    lines = header_block.decode("latin-1").split("\r\n")
    headers = {k.lower(): v for k, _, v in (line.partition(": ") for line in lines[1:])}
    return int(lines[0].split()[1]), headers, payload


# ---- tokens -------------------------------------------------------------------------------------


async def test_malformed_bearer_tokens_are_401(client: TestClient) -> None:
    for token in HOSTILE_TOKENS:
        response = await client.get("/api/me", headers={"Authorization": f"Bearer {token}"})
        assert response.status == 401, token
        body = await response.json()
        assert_error_shape(body, 401)
        assert body["errors"][0]["field"] == "Authorization"


async def test_malformed_stream_tokens_are_401(client: TestClient) -> None:
    for token in [*HOSTILE_TOKENS, "kf1.\x00", "kf1.\udcff"]:
        response = await client.get("/api/events/stream", params={"token": token})
        assert response.status == 401, token
        assert_error_shape(await response.json(), 401)


async def test_a_token_header_that_is_not_utf8_is_401(client: TestClient) -> None:
    status, _, body = await raw_request(
        client, b"GET /api/me HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer kf1.\xff\xfe"
    )
    assert status == 401
    assert_error_shape(json.loads(body), 401)


# ---- JSON bodies ----------------------------------------------------------------------------------

HOSTILE_BODIES = {
    "nested 1,000 deep": b"[" * 1000 + b"]" * 1000,
    "objects nested 1,000 deep": b'{"a":' * 1000 + b"1" + b"}" * 1000,
    "nested 40 deep inside an object": b'{"version":' + b"[" * 40 + b"]" * 40 + b"}",
    "a 4,301-digit integer": b'{"version":' + b"7" * 4301 + b"}",
    "a 25-digit integer": b'{"version":' + b"7" * 25 + b"}",
    "NaN": b'{"version":NaN}',
    "Infinity": b'{"version":-Infinity}',
    "a float past the range": b'{"version":1e999}',
    "not UTF-8": b'{"version":"\xff"}',
    "truncated": b'{"version":',
}
BODY_ROUTES = [e for e in ENDPOINTS if e.method in ("POST", "PUT") and e.body is not None]


async def test_hostile_json_bodies_are_400_naming_the_body_on_every_route(
    client: TestClient, mini_shop: MiniShop, auth: Auth
) -> None:
    assert len(BODY_ROUTES) > 20
    headers = {
        **auth(mini_shop.supervisor_id),
        "Content-Type": "application/json",
        "Idempotency-Key": "hostile-1",
    }
    for endpoint in BODY_ROUTES:
        for label, data in HOSTILE_BODIES.items():
            response = await client.request(endpoint.method, _fill(endpoint.path), data=data, headers=headers)
            body = await response.json()
            assert response.status == 400, (endpoint.name, label, body)
            assert_error_shape(body, 400)
            assert body["errors"][0]["field"] == "body", (endpoint.name, label, body)


async def test_the_event_endpoint_reads_bodies_the_same_way(
    client: TestClient, mini_shop: MiniShop, auth: Auth
) -> None:
    headers = {**auth(mini_shop.agent_id), "Content-Type": "application/json"}
    for label, data in HOSTILE_BODIES.items():
        response = await client.post("/api/events", data=data, headers=headers)
        body = await response.json()
        assert response.status == 400 and body["errors"][0]["field"] == "body", (label, body)


async def test_a_body_that_cannot_be_decompressed_is_400(
    client: TestClient, mini_shop: MiniShop, auth: Auth
) -> None:
    # (aiohttp closes the connection after a body it cannot read: one connection per request)
    headers = {**auth(mini_shop.agent_id), "Content-Type": "application/json", "Connection": "close"}
    for encoding in ("gzip", "deflate"):
        response = await client.post(
            "/api/usage", data=b"not compressed", headers={**headers, "Content-Encoding": encoding}
        )
        body = await response.json()
        assert response.status == 400 and body["errors"][0]["field"] == "body", body
    # A well-formed compressed body is read as any other.
    response = await client.post(
        "/api/usage",
        data=gzip.compress(b'{"kind": "quick_reply", "ref_id": 1}'),
        headers={**headers, "Content-Encoding": "gzip"},
    )
    assert response.status == 202, await response.text()


async def test_bodies_within_the_limits_reach_validation(
    client: TestClient, mini_shop: MiniShop, auth: Auth
) -> None:
    headers = auth(mini_shop.agent_id)
    response = await client.post("/api/usage", json={"kind": "quick_reply", "ref_id": 12}, headers=headers)
    assert response.status == 202, await response.text()
    # The largest 64-bit integer is parsed and judged by the model (the field is named).
    response = await client.post(
        "/api/usage", json={"kind": "quick_reply", "ref_id": -(2**63)}, headers=headers
    )
    body = await response.json()
    assert response.status == 400 and body["errors"][0]["field"] == "ref_id", body


async def test_an_id_past_64_bits_is_refused_before_it_reaches_sqlite(
    client: TestClient, mini_shop: MiniShop, auth: Auth
) -> None:
    group = await _group(client, mini_shop, auth)
    fields = {"group_id": 10**19, "code": "fh", "title": "发货", "body": "48h"}
    response = await client.post("/api/quick-replies", json=fields, headers=auth(mini_shop.editor_id))
    body = await response.json()
    assert response.status == 400 and body["errors"][0]["field"] == "group_id", body
    phrase = await _create(client, mini_shop.editor_id, auth, **{**fields, "group_id": group})
    response = await client.put(
        f"/api/quick-replies/{phrase['id']}", json={**fields, "version": 1}, headers=auth(mini_shop.editor_id)
    )
    assert response.status == 400, await response.text()


# ---- multipart ------------------------------------------------------------------------------------

BOUNDARY = "multipart/form-data; boundary=xx"
HOSTILE_UPLOADS = {
    "no boundary": (
        "multipart/form-data",
        b'--xx\r\nContent-Disposition: form-data; name="file"\r\n\r\na\r\n--xx--\r\n',
    ),
    "boundary never comes": (BOUNDARY, b"garbage"),
    "boundary too long": ("multipart/form-data; boundary=" + "x" * 300, b"--" + b"x" * 300 + b"\r\n"),
    "nested multipart without boundary": (
        BOUNDARY,
        b'--xx\r\nContent-Type: multipart/mixed\r\nContent-Disposition: form-data; name="file"\r\n\r\na\r\n--xx--\r\n',
    ),
}


async def test_malformed_multipart_is_400_naming_the_file(
    client: TestClient, mini_shop: MiniShop, auth: Auth
) -> None:
    for label, (content_type, data) in HOSTILE_UPLOADS.items():
        response = await client.post(
            f"/api/quick-replies/import?shop={mini_shop.shop_id}",
            data=data,
            headers={**auth(mini_shop.editor_id), "Content-Type": content_type},
        )
        body = await response.json()
        assert response.status == 400, (label, body)
        assert_error_shape(body, 400)
        assert body["errors"][0]["field"] == "file", label


# ---- query strings and headers ----------------------------------------------------------------------

HOSTILE_VALUES = [
    "",
    "%ED%A0%80",
    "%FF",
    "%00",
    "%C2%B3",
    "%D9%A3",
    "9" * 4400,
    "-1",
    "1e999",
    "nan",
    "true",
    "[]",
]
QUERY_ROUTES = [e for e in ENDPOINTS if e.query is not None]


async def test_odd_query_values_never_earn_a_500(client: TestClient, mini_shop: MiniShop, auth: Auth) -> None:
    assert len(QUERY_ROUTES) > 10
    for endpoint in QUERY_ROUTES:
        assert endpoint.query is not None
        for name in endpoint.query.model_fields:
            for value in HOSTILE_VALUES:
                url = f"{_fill(endpoint.path)}?shop={mini_shop.shop_id}&{name}={value}"
                response = await client.request(endpoint.method, url, headers=auth(mini_shop.supervisor_id))
                assert response.status < 500, (url, await response.text())
                if response.status >= 400:
                    assert_error_shape(await response.json(), response.status)


async def test_malformed_origins_are_refused_not_crashed_on(
    client: TestClient, mini_shop: MiniShop, auth: Auth
) -> None:
    for origin in ["http://[", "http://[::1", "http://a:b:c", "null", "\u00ff://x"]:
        response = await client.post(
            "/api/usage",
            json={"kind": "quick_reply", "ref_id": 1},
            headers={**auth(mini_shop.agent_id), "Origin": origin},
        )
        assert response.status == 403, origin
        assert (await response.json())["errors"][0]["field"] == "Origin"


@pytest.mark.parametrize(
    "head",
    [
        b"GET /healthz HTTP/1.1\r\nHost: \xff\xfe",  # echoed in the message: once a UnicodeEncodeError
        b"POST /api/usage HTTP/1.1\r\nHost: 127.0.0.1\r\nOrigin: http://\xff\r\nContent-Type: application/json",
    ],
)
async def test_headers_that_are_not_utf8_are_echoed_safely(client: TestClient, head: bytes) -> None:
    status, headers, body = await raw_request(client, head, b"{}")
    assert status == 403
    parsed = json.loads(body)  # valid JSON, the odd bytes written as \u escapes
    assert_error_shape(parsed, 403)
    assert headers.get("x-content-type-options") == "nosniff"
