"""Every route of the service, named, in one place.

Each endpoint says who may call it (``role``: ``None`` for public) and which pydantic
models describe its query, body and response; the auth middleware and the OpenAPI
document both read this table.
"""

from __future__ import annotations

from aiohttp import web

from assistant.api import system, usage
from assistant.endpoint import Endpoint

PUBLIC = None

ENDPOINTS: list[Endpoint] = [
    Endpoint("GET", "/healthz", system.healthz, "healthz", "Liveness and database check",
             role=PUBLIC, response=system.Health),
    Endpoint("GET", "/plugin_manifest.json", system.manifest, "manifest",
             "The plugin manifest the chat client mounts", role=PUBLIC),
    Endpoint("GET", "/api/openapi.json", system.openapi, "openapi", "This API's OpenAPI document",
             role=PUBLIC),
    Endpoint("GET", "/api/me", system.me, "me", "The calling agent and their shops",
             response=system.Me),
    Endpoint("GET", "/api/shops/{shop_id}", system.shop, "shop", "One shop the agent works in",
             response=system.ShopOut),
    Endpoint("POST", "/api/usage", usage.record_usage, "usage", "Record that a phrase, answer or script was used",
             body=usage.UsageIn, response=usage.UsageOut, tag="usage"),
]


def setup_routes(app: web.Application, endpoints: list[Endpoint]) -> dict[str, Endpoint]:
    """Register every endpoint under its name and return the table keyed by name."""
    table: dict[str, Endpoint] = {}
    for endpoint in endpoints:
        if endpoint.name in table:
            raise ValueError(f"route name {endpoint.name!r} is used twice")
        app.router.add_route(endpoint.method, endpoint.path, endpoint.handler, name=endpoint.name)
        table[endpoint.name] = endpoint
    return table
