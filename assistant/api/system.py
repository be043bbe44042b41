"""Health, the plugin manifest, the OpenAPI document and who-am-I."""

from __future__ import annotations

from aiohttp import web
from pydantic import Field

import assistant
from assistant import keys
from assistant.api.io import ok, path_int
from assistant.api.shops import resolve_shop
from assistant.errors import dumps
from assistant.openapi import build_openapi
from assistant.security import current_agent
from knowledge.models import Agent, Model, Shop
from knowledge.store_shops import count_shops


class Health(Model):
    status: str
    version: str
    database: str
    shops: int
    encoder: str = Field(
        description="the matcher's sentence encoder: on, loading, off (KEFU_ENCODER=off) or unavailable"
    )
    encoder_detail: str = Field(description="the model, or why the encoder is off")
    hub: str = Field(
        "off",
        description="the team hub's PostgreSQL (KEFU_DATABASE_URL): off (SQLite only), ok, or unreachable;"
        " status is degraded while it is unreachable",
    )


class ShopOut(Model):
    shop: Shop


class Me(Model):
    agent: Agent
    shops: list[Shop]


async def healthz(request: web.Request) -> web.Response:
    shops = await request.app[keys.DB].read(count_shops)
    semantic = request.app[keys.SEMANTIC].status
    hub = request.app.get(keys.HUB)
    hub_state = "off" if hub is None else await hub.check()
    return ok(
        Health(
            status="degraded" if hub_state.startswith("unreachable") else "ok",
            version=assistant.__version__,
            database="ok",
            shops=shops,
            encoder=semantic.state,
            encoder_detail=semantic.detail,
            hub=hub_state,
        )
    )


async def manifest(request: web.Request) -> web.Response:
    """The manifest as the chat client reads it (a plain document, not an API envelope)."""
    document = request.app[keys.MANIFEST].model_dump(mode="json", exclude_none=True)
    return web.json_response(document, dumps=dumps)


async def openapi(request: web.Request) -> web.Response:
    document = build_openapi(list(request.app[keys.ENDPOINTS].values()))
    return web.json_response(document, dumps=dumps)


async def me(request: web.Request) -> web.Response:
    agent = current_agent(request)
    shops = request.app[keys.DIRECTORY].shops
    return ok(Me(agent=agent, shops=[shops[i] for i in agent.shop_ids if i in shops]))


async def shop(request: web.Request) -> web.Response:
    agent = current_agent(request)
    shop_id = path_int(request, "shop_id")
    return ok(
        ShopOut(shop=request.app[keys.DIRECTORY].shops[resolve_shop(request, agent, shop_id, "shop_id")])
    )
