"""The edit outbox for the sidebar (offers, retry, local undo) and personal data (full address, export)."""

from __future__ import annotations

from typing import Annotated

from aiohttp import web
from pydantic import Field

from assistant import keys
from assistant.api.commerce import ShopQuery, order_id_of
from assistant.api.io import ok, path_int, query_of
from assistant.api.shops import resolve_shop
from assistant.errors import BadRequest, FieldError, Forbidden
from assistant.security import current_agent
from assistant.sync.models import Offer
from knowledge.models import Model, Role


class OffersQuery(Model):
    all: bool = Field(False, description="every pending edit of the agent's shops (supervisors only)")
    limit: Annotated[int, Field(ge=1, le=200)] = 200


class OffersOut(Model):
    offers: list[Offer]


class OfferOut(Model):
    offer: Offer


class EmptyIn(Model):
    pass


async def list_offers(request: web.Request) -> web.Response:
    """Pending edits to post to the host (``kefu.apply_edit``), oldest first; the sidebar asks on (re)connect."""
    agent = current_agent(request)
    query = query_of(request, OffersQuery)
    if query.all and agent.role is not Role.SUPERVISOR:
        raise Forbidden("只有主管可以查看所有人的待同步修改", [FieldError("all", "需要主管权限")])
    offers = await request.app[keys.SYNC].offers(agent, query.all, query.limit)
    return ok(OffersOut(offers=offers))


def _tell(request: web.Request, offer: Offer, agent_id: int) -> None:
    owners = {agent_id} | ({offer.entry.agent_id} if offer.entry.agent_id else set())
    request.app[keys.EVENTS].notify(owners, "edit.synced", {"entry": offer.entry.model_dump(mode="json")})


async def retry(request: web.Request) -> web.Response:
    """A failed edit waits for the platform again, as a new attempt with a new idempotency key."""
    agent = current_agent(request)
    offer = await request.app[keys.SYNC].retry(agent, path_int(request, "edit_id"))
    _tell(request, offer, agent.id)
    return ok(OfferOut(offer=offer))


async def undo_locally(request: web.Request) -> web.Response:
    """Undo, here only, an edit the platform refused: our copy goes back to what the platform still has."""
    agent = current_agent(request)
    outcome = await request.app[keys.COMMERCE].undo_refused_edit(path_int(request, "edit_id"), agent)
    request.app[keys.EVENTS].notify({agent.id}, "edit.synced", {"order_id": outcome.order.id})
    return ok(outcome)


async def full_address(request: web.Request) -> web.Response:
    """The receiver's address unmasked, for the 改地址 form only."""
    agent = current_agent(request)
    out = await request.app[keys.PERSONAL_DATA].full_address(order_id_of(request), agent)
    return ok(out)


async def export_buyer(request: web.Request) -> web.Response:
    """A supervisor's export of one buyer's personal data (orders with full addresses, notes, messages)."""
    agent = current_agent(request)
    shop_id = resolve_shop(request, agent, query_of(request, ShopQuery).shop)
    nick = request.match_info["nick"].strip()
    if not nick or len(nick) > 40:
        raise BadRequest.field("nick", "旺旺名应为 1–40 个字符")
    export = await request.app[keys.PERSONAL_DATA].export_buyer(
        shop_id, nick, agent, request.app[keys.CONVERSATIONS]
    )
    response = ok(export)
    response.headers["Content-Disposition"] = "attachment; filename=buyer-export.json"
    return response
