"""Order review before shipping (订单审核): the queue, the confirmation script and the reviewer grant;
marking reviewed, hold and release and the order panel's hold line are ``review_holds``, the models
``review_models``. Thin: the rules are ``assistant.team.review``, the queue ``review_queue``, the SQL
``review_store``. Fixing the address and the seller remark + flag go through the guarded order edits
(``POST /api/orders/{order_id}/address``, ``/remark``), not through here."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated

from aiohttp import web
from pydantic import Field

from assistant import keys
from assistant.api.grants import apply_grant
from assistant.api.io import QueryId, body_of, ok, path_int, query_of
from assistant.api.review_models import (
    CountOut,
    CountQuery,
    HoldOut,
    ReasonOut,
    ReviewerIn,
    ReviewerOut,
    ReviewOrderOut,
)
from assistant.api.shops import resolve_shop
from assistant.commerce.address import default_regions
from assistant.errors import FieldError, NotFound
from assistant.path_params import path_str
from assistant.security import current_agent
from assistant.settings import Settings
from assistant.team import review_store as store
from assistant.team.review import Reason, ReviewRules, confirmation_script
from assistant.team.review_queue import (
    QueueEntry,
    QueuePage,
    check_changed,
    order_reasons_now,
    queue_page,
    review_chat,
    write_checks,
)
from assistant.team.review_rows import ReviewOrder
from knowledge.models import Agent, Model, Role


def rules_from(settings: Settings) -> ReviewRules:
    return ReviewRules(
        min_detail_chars=settings.review_min_detail_chars,
        cities_without_districts=settings.review_cities_without_districts,
        remote_provinces=settings.review_remote_provinces,
        remote_places=settings.review_remote_places,
        invoice_words=settings.review_invoice_words,
        gift_words=settings.review_gift_words,
        promise_words=settings.review_promise_words,
        ship_hours=settings.review_ship_hours,
        chat_days=settings.review_chat_days,
    )


# ---- models ----------------------------------------------------------------------------------------


class QueueQuery(Model):
    shop: QueryId | None = Field(None, description="the shop (default: the caller's main shop)")
    limit: Annotated[int, Field(ge=1, le=200)] = 50
    cursor: Annotated[int, Field(ge=0, le=10_000_000)] = Field(0, description="entries to skip (next_cursor)")


class QueueOut(Model):
    orders: list[ReviewOrderOut]
    total: int = Field(description="orders to review in the shop (all pages)")
    held: int
    next_cursor: int | None


class ScriptOut(Model):
    order_id: str
    text: str = Field(description="亲，跟您确认一下收货地址…: insert it with kefu.insert_text")
    reasons: list[ReasonOut]


# ---- helpers -----------------------------------------------------------------------------------------


def _hold_out(hold: store.Hold | None) -> HoldOut | None:
    if hold is None:
        return None
    return HoldOut(id=hold.id, reason=hold.reason, held_by=hold.held_by_name, held_at=hold.held_at)


def _reasons(reasons: list[Reason]) -> list[ReasonOut]:
    return [ReasonOut(code=r.code, text=r.text) for r in reasons]


def _entry_out(e: QueueEntry) -> ReviewOrderOut:
    return ReviewOrderOut(
        order_id=e.order_id,
        version=e.version,
        buyer=e.buyer,
        paid_at=e.paid_at,
        ship_by=e.ship_by,
        receiver_name=e.receiver_name,
        receiver_phone=e.receiver_phone,
        address=e.address,
        total_fen=e.total_fen,
        seller_remark=e.seller_remark,
        remark_flag=e.remark_flag,
        reasons=_reasons(e.reasons),
        hold=_hold_out(e.hold),
    )


async def _page(request: web.Request, shop_id: int, limit: int, offset: int) -> QueuePage:
    """Check what changed (and keep it), then read one page of the queue."""
    rules = rules_from(request.app[keys.SETTINGS])
    regions = default_regions()
    db = request.app[keys.DB]
    pending, _ = await db.read(lambda conn: check_changed(conn, shop_id, rules, regions))
    if pending.any:
        await db.write(lambda conn: write_checks(conn, pending))
    chat = await review_chat(request.app[keys.CONVERSATIONS], shop_id, rules, datetime.now(UTC))
    return await db.read(lambda conn: queue_page(conn, shop_id, rules, chat, limit, offset))


async def _open_order(request: web.Request, agent: Agent) -> ReviewOrder:
    order_id = path_str(request, "order_id")
    row = await request.app[keys.DB].read(lambda conn: store.order_facts(conn, order_id))
    if row is None or row.shop_id not in agent.shop_ids:
        raise NotFound(
            f"没有订单 {order_id}，或它不在你登录的店铺", [FieldError("order_id", "找不到这个订单")]
        )
    return row


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="microseconds")


# ---- handlers ----------------------------------------------------------------------------------------


async def queue(request: web.Request) -> web.Response:
    """Paid, unshipped orders to review, each with its reasons, soonest ship-by first."""
    agent = current_agent(request)
    query = query_of(request, QueueQuery)
    page = await _page(request, resolve_shop(request, agent, query.shop), query.limit, query.cursor)
    after = query.cursor + len(page.entries)
    return ok(
        QueueOut(
            orders=[_entry_out(e) for e in page.entries],
            total=page.total,
            held=page.held,
            next_cursor=after if after < page.total else None,
        )
    )


async def count(request: web.Request) -> web.Response:
    """How many orders wait for review (the sidebar's count for the order-review role)."""
    agent = current_agent(request)
    page = await _page(request, resolve_shop(request, agent, query_of(request, CountQuery).shop), 1, 0)
    return ok(CountOut(count=page.total, held=page.held))


async def script(request: web.Request) -> web.Response:
    """The confirmation script for the buyer, from the order's receiver and its reasons."""
    agent = current_agent(request)
    row = await _open_order(request, agent)
    order_id = row.id
    rules = rules_from(request.app[keys.SETTINGS])
    chat = await review_chat(request.app[keys.CONVERSATIONS], row.shop_id, rules, datetime.now(UTC))
    found = await request.app[keys.DB].read(
        lambda conn: order_reasons_now(conn, order_id, rules, default_regions(), chat.get(row.nick, []))
    )
    assert found is not None
    facts, reasons = found
    address = f"{facts.province}{facts.city}{facts.district}{facts.address_detail}"
    text = confirmation_script(facts.receiver_name, facts.receiver_phone, address, reasons)
    return ok(ScriptOut(order_id=order_id, text=text, reasons=_reasons(reasons)))


async def set_reviewer(request: web.Request) -> web.Response:
    """Grant or take back the order-review role (an agent's role becomes ``reviewer`` and back)."""
    body = body_of(request, ReviewerIn)
    role = await apply_grant(request, Role.REVIEWER, body.reviewer)
    return ok(ReviewerOut(agent_id=path_int(request, "agent_id"), role=role))
