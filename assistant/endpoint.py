"""One API route and what it needs: who may call it and the models describing it."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from aiohttp import web
from pydantic import BaseModel

from knowledge.models import Role

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]

#: ``Endpoint.role`` of a route anyone on the machine may call (no token)
PUBLIC = None


@dataclass(frozen=True)
class Endpoint:
    """A route and its contract; the OpenAPI document is generated from these fields.

    ``response`` is the model (or the models, one of which is answered) inside the success
    envelope ``{"ok": true, ...}`` (``envelope=False``: the document is the model itself);
    ``statuses`` are the success codes the route answers (201 created, 202 accepted);
    ``produces`` the media types of a success that is not JSON (pages, streams, files);
    ``idempotency_key``: the route requires an ``Idempotency-Key`` header;
    ``upload``: the multipart field of an uploaded file; ``errors``: error codes beyond
    the ones the route's inputs and role imply.

    ``query`` and ``body`` are validated before the handler runs (``assistant.api.io.validating``),
    which reads them with ``query_of``/``body_of``. ``parse_body`` replaces the body's validation
    where the route says its errors in its own words (the event union names the event's fields).
    """

    method: str
    path: str
    handler: Handler
    name: str
    summary: str
    role: Role | None = Role.AGENT
    query: type[BaseModel] | None = None
    body: type[BaseModel] | None = None
    response: type[BaseModel] | tuple[type[BaseModel], ...] | None = None
    tag: str = "system"
    statuses: tuple[int, ...] = (200,)
    produces: tuple[str, ...] = ("application/json",)
    envelope: bool = True
    idempotency_key: bool = False
    upload: str | None = None
    errors: tuple[int, ...] = ()
    parse_body: Callable[[dict[str, Any]], BaseModel] | None = None
