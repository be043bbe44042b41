"""The plugin manifest validates and is served as is; the OpenAPI document covers every route."""

from __future__ import annotations

import json
from typing import Any

import pytest
from aiohttp.test_utils import TestClient
from pydantic import ValidationError

from assistant.manifest import MANIFEST_PATH, PluginManifest, load_manifest
from assistant.routes import ENDPOINTS


def manifest_data() -> dict[str, Any]:
    data: dict[str, Any] = json.loads(MANIFEST_PATH.read_text(encoding="utf-8"))
    return data


def test_the_shipped_manifest_validates() -> None:
    manifest = load_manifest()
    assert {e.id for e in manifest.entries} == {"sidebar", "lookup", "editor", "supervisor", "training"}
    assert {m.type for m in manifest.consumes} >= {
        "conversation.opened",
        "conversation.changed",
        "message.received",
        "message.sent",
    }
    assert {m.type for m in manifest.posts} >= {"kefu.insert_text", "kefu.open_order"}


def test_manifest_pages_and_api_are_real_routes() -> None:
    manifest = load_manifest()
    paths = {e.path for e in ENDPOINTS}
    assert manifest.openapi in paths
    assert all(e.path.startswith(manifest.api_base + "/") or e.path.startswith("/") for e in ENDPOINTS)


@pytest.mark.parametrize(
    ("change", "words"),
    [
        (lambda m: m["entries"].append(dict(m["entries"][0])), "unique"),
        (
            lambda m: m["hotkeys"].append({"entry": "nowhere", "keys": "Ctrl+Shift+Z", "action": "open"}),
            "unknown entry",
        ),
        (lambda m: m["hotkeys"].append(dict(m["hotkeys"][0])), "same keys"),
        (lambda m: m["name"].pop("zh-CN"), "zh-CN"),
        (lambda m: m.update(version="1.0"), "version"),
        (lambda m: m.update(api_base="https://elsewhere.example.com/api"), "api_base"),
        (lambda m: m["entries"][0].update(roles=["admin"]), "roles"),
        (lambda m: m.update(permissions=["filesystem.write"]), "permissions"),
        (lambda m: m.update(surprise=True), "surprise"),
    ],
)
def test_broken_manifests_are_refused(change: Any, words: str) -> None:
    data = manifest_data()
    change(data)
    with pytest.raises(ValidationError, match=words):
        PluginManifest.model_validate(data)


async def test_the_manifest_is_served(client: TestClient) -> None:
    response = await client.get("/plugin_manifest.json")
    assert response.status == 200
    assert await response.json() == manifest_data()


async def test_openapi_documents_every_route_and_every_ref_resolves(client: TestClient) -> None:
    response = await client.get("/api/openapi.json")
    document = await response.json()
    assert document["openapi"].startswith("3.1")
    for endpoint in ENDPOINTS:
        operation = document["paths"][endpoint.path][endpoint.method.lower()]
        assert operation["operationId"] == endpoint.name
        assert ("security" in operation) == (endpoint.role is not None)
    schemas = document["components"]["schemas"]
    assert {"ErrorResponse", "UsageIn", "HealthResponse"} <= set(schemas)
    assert set(schemas["ErrorResponse"]["required"]) >= {"error", "errors", "status"}
    assert {"holder", "current", "allowed_methods"} <= set(schemas["ErrorResponse"]["properties"])
    assert schemas["HealthResponse"]["properties"]["ok"]["const"] is True
    assert "ok" in schemas["HealthResponse"]["required"]
    assert set(document["paths"]["/api/usage"]["post"]["responses"]) >= {"202", "400", "401"}
    assert "200" not in document["paths"]["/api/usage"]["post"]["responses"]
    price = document["paths"]["/api/orders/{order_id}/price"]["post"]
    assert {"200", "202", "409"} <= set(price["responses"])
    key = next(p for p in price["parameters"] if p["in"] == "header")
    assert key["name"] == "Idempotency-Key" and key["required"] is True

    def refs(node: Any) -> list[str]:
        if isinstance(node, dict):
            found = [node["$ref"]] if "$ref" in node else []
            return found + [r for value in node.values() for r in refs(value)]
        if isinstance(node, list):
            return [r for value in node for r in refs(value)]
        return []

    for ref in refs(document):
        assert ref.startswith("#/components/schemas/")
        assert ref.rsplit("/", 1)[1] in schemas, ref


def test_the_manifest_lists_exactly_the_events_the_service_accepts() -> None:
    from assistant.events import EVENT_TYPES

    manifest = load_manifest()
    assert [m.type for m in manifest.consumes] == list(EVENT_TYPES)
    apply_edit = next(m for m in manifest.posts if m.type == "kefu.apply_edit")
    assert apply_edit.answers == ["edit.applied", "edit.failed"]
    assert set(apply_edit.fields) == {
        "edit_id",
        "order_id",
        "shop",
        "kind",
        "edit_kind",
        "undoes",
        "before",
        "after",
        "idempotency_key",
        "attempt",
    }


@pytest.mark.parametrize(
    ("change", "words"),
    [
        (
            lambda m: next(p for p in m["posts"] if p["type"] == "kefu.apply_edit").update(
                answers=["edit.done"]
            ),
            "consumes does not list",
        ),
        (lambda m: m["consumes"][0].update(answers=["edit.applied"]), "only a posted message"),
        (lambda m: m["consumes"].append(dict(m["consumes"][0])), "listed twice"),
    ],
)
def test_answers_must_be_events_the_client_sends(change: Any, words: str) -> None:
    data = manifest_data()
    change(data)
    with pytest.raises(ValidationError, match=words):
        PluginManifest.model_validate(data)
