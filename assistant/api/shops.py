"""The one shop resolution of the API: which shop a request is about, and whether its agent may
work in it.  Unknown and not-logged-into are the same answer (404, one message, naming the field),
so nobody learns which shops exist by guessing ids.  Handlers of every area call ``resolve_shop``."""

from __future__ import annotations

from aiohttp import web

from assistant import keys
from assistant.errors import FieldError, NotFound
from knowledge.models import Agent


def resolve_shop(request: web.Request, agent: Agent, shop: int | None, field: str = "shop") -> int:
    """The shop asked for (``None``: the agent's main shop); 404 naming ``field`` if the service
    does not know it or the agent has not logged into it."""
    shop_id = shop or agent.main_shop_id
    if shop_id not in request.app[keys.DIRECTORY].shops or shop_id not in agent.shop_ids:
        raise NotFound(
            f"没有编号为 {shop_id} 的店铺，或 {agent.name} 没有登录它",
            [FieldError(field, "不是你登录的店铺")],
        )
    return shop_id


def shop_scope(request: web.Request, agent: Agent, shop: int | None) -> list[int]:
    """The shops a team view covers: the one asked for (checked as ``resolve_shop`` does), else every
    shop the agent is logged into."""
    return [resolve_shop(request, agent, shop)] if shop else sorted(agent.shop_ids)
