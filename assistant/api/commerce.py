"""Buyers, orders, tracking, related items and the address-paste parser."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Annotated

from aiohttp import web
from pydantic import Field, StringConstraints

from assistant import keys
from assistant.api.io import body_of, ok, path_int, query_of
from assistant.api.shops import resolve_shop
from assistant.commerce.address import AddressParseError, parse_address
from assistant.commerce.models import OrderStatus, RiskFlag
from assistant.commerce.sqlite_backend import SqliteBackend
from assistant.commerce.views import BuyerCard, NoteOut, OrderDetail, OrderSummary, RelatedOut
from assistant.errors import BadRequest, FieldError
from assistant.path_params import path_str
from assistant.privacy.service import PersonalData
from assistant.security import current_agent
from assistant.sync.service import SyncService
from knowledge.models import Model, Name, Text, Version


class ShopQuery(Model):
    shop: Annotated[int, Field(gt=0)] | None = Field(
        None, description="shop id; defaults to the agent's main shop"
    )


class OrdersQuery(ShopQuery):
    status: Annotated[str, StringConstraints(max_length=200)] | None = Field(
        None, description="comma-separated statuses, e.g. awaiting_payment,paid"
    )
    limit: Annotated[int, Field(ge=1, le=50)] = 20
    cursor: Annotated[str, StringConstraints(max_length=200)] | None = None


class RelatedQuery(ShopQuery):
    limit: Annotated[int, Field(ge=1, le=20)] = 6


class NoteIn(Model):
    text: Annotated[Text, StringConstraints(min_length=1, max_length=500)]


class TagsIn(Model):
    version: Version
    add: list[Name] = Field(default_factory=list, max_length=30)
    remove: list[Name] = Field(default_factory=list, max_length=30)


class RiskIn(Model):
    version: Version
    flag: RiskFlag | None = Field(description="set this flag, or null to clear it")
    note: Annotated[Text, StringConstraints(max_length=200)] = Field(
        description="evidence when setting (required), the reason when clearing (required)"
    )


class AddressIn(Model):
    text: Annotated[str, StringConstraints(max_length=2000)]


class ParsedAddressOut(Model):
    name: str = Field(description='"" when the paste has no name: keep the order\'s current receiver')
    phone: str = Field(description='"" when the paste has no phone: keep the order\'s current one')
    province: str
    city: str
    district: str
    detail: str
    notes: list[str] = Field(description="what the agent should know, e.g. an old district mapped to today's")


class AddressOut(Model):
    address: ParsedAddressOut


class CardOut(Model):
    card: BuyerCard


class NoteCreated(Model):
    note: NoteOut


class OrdersOut(Model):
    orders: list[OrderSummary]
    next_cursor: str | None


class OrderOut(Model):
    order: OrderDetail


class TrackingOut(Model):
    order_id: str
    state: str
    label: str
    exception: bool
    message: str


class RelatedItemsOut(Model):
    item_id: int
    related: list[RelatedOut]


def _nick(request: web.Request) -> str:
    return path_str(request, "nick")


async def buyer_card(request: web.Request) -> web.Response:
    agent = current_agent(request)
    query = query_of(request, ShopQuery)
    card = await request.app[keys.COMMERCE].buyer_card(
        resolve_shop(request, agent, query.shop), _nick(request)
    )
    return ok(CardOut(card=card))


async def add_note(request: web.Request) -> web.Response:
    agent = current_agent(request)
    shop_id = resolve_shop(request, agent, query_of(request, ShopQuery).shop)
    body = body_of(request, NoteIn)
    note = await request.app[keys.COMMERCE].add_note(shop_id, _nick(request), agent, body.text)
    return ok(NoteCreated(note=note), status=201)


async def change_tags(request: web.Request) -> web.Response:
    agent = current_agent(request)
    shop_id = resolve_shop(request, agent, query_of(request, ShopQuery).shop)
    body = body_of(request, TagsIn)
    card = await request.app[keys.COMMERCE].change_tags(
        shop_id, _nick(request), agent, body.version, body.add, body.remove
    )
    return ok(CardOut(card=card))


async def set_risk(request: web.Request) -> web.Response:
    agent = current_agent(request)
    shop_id = resolve_shop(request, agent, query_of(request, ShopQuery).shop)
    body = body_of(request, RiskIn)
    card = await request.app[keys.COMMERCE].set_risk(
        shop_id, _nick(request), agent, body.version, body.flag, body.note
    )
    return ok(CardOut(card=card))


def _statuses(raw: str | None) -> list[OrderStatus] | None:
    if not raw:
        return None
    try:
        return [OrderStatus(part.strip()) for part in raw.split(",") if part.strip()]
    except ValueError as exc:
        choices = ", ".join(s.value for s in OrderStatus)
        raise BadRequest.field("status", f"可选值：{choices}") from exc


async def buyer_orders(request: web.Request) -> web.Response:
    agent = current_agent(request)
    query = query_of(request, OrdersQuery)
    page = await request.app[keys.COMMERCE].buyer_orders(
        resolve_shop(request, agent, query.shop),
        _nick(request),
        _statuses(query.status),
        query.cursor,
        query.limit,
    )
    return ok(OrdersOut(orders=page.orders, next_cursor=page.next_cursor))


def order_id_of(request: web.Request) -> str:
    return path_str(request, "order_id")


async def order_detail(request: web.Request) -> web.Response:
    agent = current_agent(request)
    detail = await request.app[keys.COMMERCE].order(order_id_of(request), agent.shop_ids)
    return ok(OrderOut(order=detail))


async def tracking(request: web.Request) -> web.Response:
    agent = current_agent(request)
    detail = await request.app[keys.COMMERCE].order(order_id_of(request), agent.shop_ids)
    logistics = detail.logistics
    return ok(
        TrackingOut(
            order_id=detail.id,
            state=logistics.state,
            label=logistics.label,
            exception=logistics.exception,
            message=logistics.message,
        )
    )


async def related_items(request: web.Request) -> web.Response:
    agent = current_agent(request)
    query = query_of(request, RelatedQuery)
    item_id = path_int(request, "item_id")
    items = await request.app[keys.COMMERCE].related_items(
        resolve_shop(request, agent, query.shop), item_id, query.limit
    )
    return ok(RelatedItemsOut(item_id=item_id, related=items))


async def parse_address_text(request: web.Request) -> web.Response:
    body = body_of(request, AddressIn)
    try:
        parsed = parse_address(body.text)
    except AddressParseError as exc:
        raise BadRequest(f"{exc.field}: {exc.message}", [FieldError(exc.field, exc.message)]) from exc
    return ok(AddressOut(address=ParsedAddressOut(**parsed.model_dump())))


async def commerce_ctx(app: web.Application) -> AsyncIterator[None]:
    """Plug in the default (SQLite) commerce backend."""
    backend = SqliteBackend(app[keys.DB], app[keys.SETTINGS])
    await backend.forget_old_idempotency_keys()
    app[keys.COMMERCE] = backend
    app[keys.SYNC] = SyncService(app[keys.DB])
    app[keys.PERSONAL_DATA] = PersonalData(app[keys.DB])
    yield
