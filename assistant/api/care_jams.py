"""Courier-jam notices: the selection, a preview with the receiver's real name, creating and listing
notices; approval, sending and the export are ``care_jam_sends``."""

from __future__ import annotations

import json
from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

import sqlite_utils
from aiohttp import web

from assistant import keys
from assistant.api.care import ShopQuery
from assistant.api.care_models import (
    JamListOut,
    JamMessage,
    JamNoticeOut,
    JamOptionsOut,
    JamPreviewOut,
    JamSelection,
)
from assistant.api.io import body_of, ok, query_of
from assistant.api.shops import resolve_shop
from assistant.commerce.store import insert_audit
from assistant.errors import Conflict
from assistant.security import current_agent
from assistant.team import care_jam_store as cs
from assistant.team.care import DEFAULT_TEMPLATES, fill
from assistant.team.care_store import templates
from knowledge.templates import TemplateProblem


def _mask(phone: str) -> str:
    return phone[:3] + "****" + phone[-4:] if len(phone) >= 8 else phone


async def _selected(
    request: web.Request, sel: JamSelection, shop_id: int
) -> tuple[list[tuple[cs.JamOrder, str]], int, str]:
    tz = ZoneInfo(request.app[keys.SETTINGS].timezone)
    start = datetime.combine(sel.shipped_from, time(0), tzinfo=tz)
    end = datetime.combine(sel.shipped_to + timedelta(days=1), time(0), tzinfo=tz)

    def read(db: sqlite_utils.Database) -> tuple[list[cs.JamOrder], set[int], str]:
        found = cs.jam_orders(
            db,
            shop_id,
            courier=sel.courier,
            provinces=sel.provinces,
            cities=sel.cities,
            statuses=list(sel.statuses),
            shipped_from=start,
            shipped_to=end,
        )
        own = templates(db, shop_id).get("jam")
        return (
            found,
            cs.already_notified(db, shop_id, sel.courier, [o.buyer_id for o in found]),
            (own.body if own else DEFAULT_TEMPLATES["jam"]),
        )

    found, notified, shop_body = await request.app[keys.DB].read(read)
    body = sel.template or shop_body
    fresh = [o for o in found if o.buyer_id not in notified]

    def render_all() -> list[tuple[cs.JamOrder, str]]:
        return [(o, fill(body, _jam_context(o))) for o in fresh]

    try:
        rendered = await request.app[keys.TEMPLATES].run(render_all)
    except TemplateProblem as problem:
        message = problem.findings[0].message if problem.findings else "模板无法生成"
        raise Conflict.field("template", f"致歉模板无法生成：{message}") from None
    return rendered, len(found) - len(fresh), body


def recipient_message(r: cs.JamRecipient) -> JamMessage:
    """A recipient's fixed message as the wizard shows it (the phone masked)."""
    return JamMessage(
        buyer=r.buyer_nick,
        receiver_name=r.receiver_name,
        phone=_mask(r.phone),
        order_id=r.order_id,
        province="",
        city="",
        text=r.text,
    )


def _jam_context(o: cs.JamOrder) -> dict[str, dict[str, str]]:
    return {
        "buyer": {"nick": o.buyer_nick},
        "receiver": {"name": o.receiver_name},
        "order": {"id": o.id, "item": o.item},
        "logistics": {"courier": o.courier, "tracking_no": o.tracking_no or "", "location": o.city},
        "shop": {"name": o.shop_name},
    }


def _message(o: cs.JamOrder, text: str) -> JamMessage:
    return JamMessage(
        buyer=o.buyer_nick,
        receiver_name=o.receiver_name,
        phone=_mask(o.receiver_phone),
        order_id=o.id,
        province=o.province,
        city=o.city,
        text=text,
    )


async def jam_options(request: web.Request) -> web.Response:
    agent = current_agent(request)
    shop_id = resolve_shop(request, agent, query_of(request, ShopQuery).shop)
    couriers = await request.app[keys.DB].read(lambda db: cs.couriers(db, shop_id))
    return ok(JamOptionsOut(couriers=couriers, threshold=request.app[keys.SETTINGS].jam_approval_from_buyers))


async def jam_preview(request: web.Request) -> web.Response:
    """Who the notice would reach (one message per buyer, none to a buyer notified before about this
    courier) and each message with the receiver's real name."""
    agent = current_agent(request)
    sel = body_of(request, JamSelection)
    shop_id = resolve_shop(request, agent, sel.shop)
    rendered, already, _ = await _selected(request, sel, shop_id)
    threshold = request.app[keys.SETTINGS].jam_approval_from_buyers
    return ok(
        JamPreviewOut(
            buyers=len(rendered),
            already_notified=already,
            needs_approval=len(rendered) > threshold,
            threshold=threshold,
            messages=[_message(o, t) for o, t in rendered[:50]],
        )
    )


def _selection_json(sel: JamSelection) -> dict[str, object]:
    return sel.model_dump(mode="json", exclude={"shop", "template"})


def _notice_out(n: cs.JamNotice, sample: list[cs.JamRecipient]) -> JamNoticeOut:
    return JamNoticeOut(
        id=n.id,
        selection=json.loads(n.selection),
        template=n.template,
        buyers=n.buyers,
        sent=n.sent,
        state=n.state,
        created_by=n.creator,
        created_at=n.created_at,
        approved_by=n.approver,
        approved_at=n.approved_at,
        sample=[recipient_message(r) for r in sample],
    )


async def create_jam(request: web.Request) -> web.Response:
    """Fix the notice's recipients and texts. Over the threshold it waits for a second supervisor's
    approval; else it is approved by its author. Audited."""
    agent = current_agent(request)
    sel = body_of(request, JamSelection)
    shop_id = resolve_shop(request, agent, sel.shop)
    rendered, _, body = await _selected(request, sel, shop_id)
    if not rendered:
        raise Conflict.field("courier", "没有需要通知的买家（条件下没有订单，或都已通知过）")
    threshold = request.app[keys.SETTINGS].jam_approval_from_buyers
    state = "awaiting_approval" if len(rendered) > threshold else "approved"
    now = datetime.now(UTC)
    selection = _selection_json(sel)

    def write(db: sqlite_utils.Database) -> tuple[cs.JamNotice, list[cs.JamRecipient]]:
        with db.atomic():
            notice_id = cs.add_notice(
                db, shop_id, selection, body, rendered, state=state, agent_id=agent.id, at=now
            )
            insert_audit(
                db,
                at=now.isoformat(),
                agent_id=agent.id,
                shop_id=shop_id,
                entity="jam_notice",
                entity_id=str(notice_id),
                action="create",
                reason="",
                before=None,
                after={**selection, "buyers": len(rendered), "state": state},
            )
            found = cs.notice(db, notice_id)
            assert found is not None
            return found, cs.recipients(db, notice_id)

    notice, sample = await request.app[keys.DB].write(write)
    return ok(_notice_out(notice, sample), status=201)


async def list_jams(request: web.Request) -> web.Response:
    agent = current_agent(request)
    shop_id = resolve_shop(request, agent, query_of(request, ShopQuery).shop)
    found = await request.app[keys.DB].read(
        lambda db: [(n, cs.recipients(db, n.id, 3)) for n in cs.notices(db, shop_id)]
    )
    return ok(JamListOut(notices=[_notice_out(n, s) for n, s in found]))
