"""The one shop resolution of the API: which shop a request is about, and whether its agent may
work in it.  Unknown and not-logged-into are the same answer (404, one message, naming the field),
so nobody learns which shops exist by guessing ids.  Handlers of every area call ``resolve_shop``
(the chat client's events, which name a shop by its code, ``resolve_shop_code``)."""

from __future__ import annotations

from aiohttp import web

from assistant import keys
from assistant.errors import BadRequest, FieldError, Forbidden, HttpError, NotFound
from knowledge.models import Agent


def resolve_shop(
    request: web.Request,
    agent: Agent,
    shop: int | None,
    field: str = "shop",
    *,
    refused: type[HttpError] = NotFound,
    named: str = "",
) -> int:
    """The shop asked for (``None``: the agent's main shop); 404 naming ``field`` if the service
    does not know it or the agent has not logged into it.

    ``refused`` and ``named`` are for ``resolve_shop_code`` only: the status the events route has
    always answered, and how its caller named the shop."""
    shop_id = shop or agent.main_shop_id
    if shop_id not in request.app[keys.DIRECTORY].shops or shop_id not in agent.shop_ids:
        raise refused(
            f"没有{named or f'编号为 {shop_id} '}的店铺，或 {agent.name} 没有登录它",
            [FieldError(field, "不是你登录的店铺")],
        )
    return shop_id


def resolve_shop_code(request: web.Request, agent: Agent, code: str, field: str = "shop") -> int:
    """A shop named by its code, as the chat client names it in events: a code no shop has is a 400
    (the event itself is wrong); a shop the agent has not logged into is ``resolve_shop``'s refusal
    with the 403 the events route has always answered (the event is sound, the agent may not take it)."""
    shop = next((s for s in request.app[keys.DIRECTORY].shops.values() if s.code == code), None)
    if shop is None:
        raise BadRequest.field(field, f"没有编码为 {code} 的店铺")
    return resolve_shop(request, agent, shop.id, field, refused=Forbidden, named=f"编码为 {code} ")


def shop_scope(request: web.Request, agent: Agent, shop: int | None) -> list[int]:
    """The shops a team view covers: the one asked for (checked as ``resolve_shop`` does), else every
    shop the agent is logged into."""
    return [resolve_shop(request, agent, shop)] if shop else sorted(agent.shop_ids)
