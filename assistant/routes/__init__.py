"""Every route of the service, named, in one place: ``ENDPOINTS``, the one list, gathered from one
module per area (same order as the OpenAPI document's paths).

Each endpoint says who may call it (``role``: ``None`` for public) and which pydantic
models describe its query, body and response; the auth middleware, the validation of what a route
declares (``assistant.api.io.validating``) and the OpenAPI document all read this table.
"""

from __future__ import annotations

from aiohttp import web

from assistant.api.io import validating
from assistant.endpoint import Endpoint
from assistant.routes import (
    commerce,
    knowledge,
    messages,
    qc,
    quick_replies,
    refunds,
    reports,
    review_training,
    shop_import,
    system,
    watch,
)

ENDPOINTS: list[Endpoint] = [
    *system.ENDPOINTS,
    *quick_replies.ENDPOINTS,
    *commerce.ENDPOINTS,
    *watch.ENDPOINTS,
    *messages.ENDPOINTS,
    *review_training.ENDPOINTS,
    *refunds.ENDPOINTS,
    *qc.ENDPOINTS,
    *reports.ENDPOINTS,
    *knowledge.ENDPOINTS,
    *shop_import.ENDPOINTS,
]


def setup_routes(app: web.Application, endpoints: list[Endpoint]) -> dict[str, Endpoint]:
    """Register every endpoint under its name and return the table keyed by name.

    A GET route answers HEAD too, on the same named resource (so the same role check applies). The
    handler is wrapped to validate the query and body the endpoint declares (``io.validating``).
    """
    table: dict[str, Endpoint] = {}
    for endpoint in endpoints:
        if endpoint.name in table:
            raise ValueError(f"route name {endpoint.name!r} is used twice")
        if endpoint.method == "GET":
            app.router.add_get(endpoint.path, validating(endpoint), name=endpoint.name)
        else:
            app.router.add_route(endpoint.method, endpoint.path, validating(endpoint), name=endpoint.name)
        table[endpoint.name] = endpoint
    return table
