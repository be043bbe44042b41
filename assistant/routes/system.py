"""Routes of the service itself: health, the plugin manifest, this API's document, the caller, a
shop, usage."""

from __future__ import annotations

from assistant.api import system, usage
from assistant.endpoint import PUBLIC, Endpoint
from assistant.manifest import PluginManifest

ENDPOINTS: list[Endpoint] = [
    Endpoint(
        "GET",
        "/healthz",
        system.healthz,
        "healthz",
        "Liveness and database check",
        role=PUBLIC,
        response=system.Health,
    ),
    Endpoint(
        "GET",
        "/plugin_manifest.json",
        system.manifest,
        "manifest",
        "The plugin manifest the chat client mounts",
        role=PUBLIC,
        response=PluginManifest,
        envelope=False,
    ),
    Endpoint(
        "GET",
        "/api/openapi.json",
        system.openapi,
        "openapi",
        "This API's OpenAPI document",
        role=PUBLIC,
        envelope=False,
    ),
    Endpoint("GET", "/api/me", system.me, "me", "The calling agent and their shops", response=system.Me),
    Endpoint(
        "GET",
        "/api/shops/{shop_id}",
        system.shop,
        "shop",
        "One shop the agent works in",
        response=system.ShopOut,
    ),
    Endpoint(
        "POST",
        "/api/usage",
        usage.record_usage,
        "usage",
        "Record that a phrase, answer or script was used",
        body=usage.UsageIn,
        response=usage.UsageOut,
        tag="usage",
        statuses=(202,),
    ),
]
