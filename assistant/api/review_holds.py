"""What a reviewer does to one order: mark it reviewed, hold it, release it; and the hold line the
order panel shows."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import sqlite_utils
from aiohttp import web

from assistant import keys
from assistant.api.io import body_of, ok
from assistant.api.review import _hold_out, _now, _open_order, rules_from
from assistant.api.review_models import (
    HoldIn,
    HoldState,
    ReleaseIn,
    ReviewedIn,
    ReviewedOut,
)
from assistant.commerce.address import default_regions
from assistant.errors import Conflict, FieldError
from assistant.security import current_agent
from assistant.team import review_store as store
from assistant.team.review_queue import (
    order_reasons_now,
    review_chat,
)


async def mark_reviewed(request: web.Request) -> web.Response:
    """The order was checked at this version: it leaves the queue until it changes again."""
    agent = current_agent(request)
    body = body_of(request, ReviewedIn)
    row = await _open_order(request, agent)
    if row.status != "paid":
        raise Conflict(
            f"订单 {row.id} 已不是待发货状态，无需审核", [FieldError("order_id", "不是待发货订单")]
        )
    if row.version != body.version:
        raise Conflict(
            f"订单 {row.id} 在你查看后又被修改过（版本 {row.version}）：请刷新后再审核",
            [FieldError("version", "已过期")],
        )
    rules = rules_from(request.app[keys.SETTINGS])
    order_id = row.id
    chat = await review_chat(request.app[keys.CONVERSATIONS], row.shop_id, rules, datetime.now(UTC))
    found = await request.app[keys.DB].read(
        lambda conn: order_reasons_now(conn, order_id, rules, default_regions(), chat.get(row.nick, []))
    )
    reasons = json.dumps([[r.code, r.text] for r in (found[1] if found else [])], ensure_ascii=False)
    shop_id = row.shop_id
    review_id = await request.app[keys.DB].write(
        lambda conn: store.insert_review(conn, order_id, shop_id, body.version, reasons, agent.id, _now())
    )
    return ok(ReviewedOut(review_id=review_id, order_id=order_id, version=body.version))


async def hold(request: web.Request) -> web.Response:
    """Hold the order (do not ship) with a reason every agent sees on the order panel."""
    agent = current_agent(request)
    body = body_of(request, HoldIn)
    row = await _open_order(request, agent)
    order_id, shop_id = row.id, row.shop_id

    def write(conn: sqlite_utils.Database) -> store.Hold | None:
        held = store.open_hold(conn, order_id)
        if held is not None:
            return held
        store.insert_hold(conn, order_id, shop_id, body.reason, agent.id, _now())
        return None

    already = await request.app[keys.DB].write(write)
    if already is not None:
        raise Conflict(
            f"订单 {order_id} 已被 {already.held_by_name} 挂起：{already.reason}",
            [FieldError("order_id", "已挂起")],
        )
    held = await request.app[keys.DB].read(lambda conn: store.open_hold(conn, order_id))
    return ok(HoldState(order_id=order_id, hold=_hold_out(held)), status=201)


async def release(request: web.Request) -> web.Response:
    """End the order's hold (it may ship)."""
    agent = current_agent(request)
    body = body_of(request, ReleaseIn)
    row = await _open_order(request, agent)
    order_id = row.id
    held = await request.app[keys.DB].read(lambda conn: store.open_hold(conn, order_id))
    if held is None:
        raise Conflict(f"订单 {order_id} 没有挂起", [FieldError("order_id", "没有挂起")])
    released = await request.app[keys.DB].write(
        lambda conn: store.release_hold(conn, held.id, agent.id, body.note, _now())
    )
    if not released:
        raise Conflict(f"订单 {order_id} 的挂起刚被别人解除了", [FieldError("order_id", "已解除")])
    return ok(HoldState(order_id=order_id, hold=None))


async def hold_state(request: web.Request) -> web.Response:
    """The order's open hold, if any (the order panel shows it to every agent)."""
    agent = current_agent(request)
    row = await _open_order(request, agent)
    order_id = row.id
    held = await request.app[keys.DB].read(lambda conn: store.open_hold(conn, order_id))
    return ok(HoldState(order_id=order_id, hold=_hold_out(held)))
