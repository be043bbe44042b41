"""A courier-jam notice after its creation: a second supervisor's approval over the threshold, then
sent once per buyer or exported as a CSV, audited."""

from __future__ import annotations

from datetime import UTC, datetime

import sqlite_utils
from aiohttp import web

from assistant import keys
from assistant.api.care import _csv
from assistant.api.care_jams import _notice_out, recipient_message
from assistant.api.care_models import (
    SendOut,
)
from assistant.api.io import ok, path_int
from assistant.commerce.store import insert_audit
from assistant.errors import Conflict, FieldError, Forbidden, NotFound
from assistant.security import current_agent
from assistant.team import care_jam_store as cs
from assistant.team.care import SMS_SEGMENT


async def _notice_or_404(request: web.Request) -> cs.JamNotice:
    agent = current_agent(request)
    notice_id = path_int(request, "jam_id")
    found = await request.app[keys.DB].read(lambda db: cs.notice(db, notice_id))
    if found is None or found.shop_id not in agent.shop_ids:
        raise NotFound.field("jam_id", f"没有延误通知 {notice_id}")
    return found


async def approve_jam(request: web.Request) -> web.Response:
    """A second supervisor approves a notice over the threshold (its author cannot: 403). Audited."""
    agent = current_agent(request)
    notice = await _notice_or_404(request)
    if notice.created_by == agent.id:
        raise Forbidden(
            "需要另一位主管批准，发起人不能自己批准", [FieldError("jam_id", "发起人不能自己批准")]
        )
    if notice.state != "awaiting_approval":
        raise Conflict.field("jam_id", f"这条通知不需要批准（{notice.state}）")
    now = datetime.now(UTC)

    def write(db: sqlite_utils.Database) -> tuple[bool, cs.JamNotice | None, list[cs.JamRecipient]]:
        with db.atomic():
            done = cs.approve(db, notice.id, agent.id, now)
            if done:
                insert_audit(
                    db,
                    at=now.isoformat(),
                    agent_id=agent.id,
                    shop_id=notice.shop_id,
                    entity="jam_notice",
                    entity_id=str(notice.id),
                    action="approve",
                    reason="",
                    before={"state": notice.state},
                    after={"state": "approved"},
                )
            return done, cs.notice(db, notice.id), cs.recipients(db, notice.id)

    done, updated, sample = await request.app[keys.DB].write(write)
    if not done or updated is None:
        raise Conflict.field("jam_id", "这条通知已被批准或已发送")
    return ok(_notice_out(updated, sample))


async def _hand_over(request: web.Request, channel: str) -> tuple[cs.JamNotice, list[cs.JamRecipient]]:
    agent = current_agent(request)
    notice = await _notice_or_404(request)
    if notice.state == "awaiting_approval":
        raise Conflict.field("jam_id", f"通知涉及 {notice.buyers} 位买家，需要另一位主管批准后才能发送")
    now = datetime.now(UTC)

    def write(db: sqlite_utils.Database) -> list[cs.JamRecipient]:
        with db.atomic():
            taken = cs.take_recipients(db, notice.id, channel, agent.id, now)
            insert_audit(
                db,
                at=now.isoformat(),
                agent_id=agent.id,
                shop_id=notice.shop_id,
                entity="jam_notice",
                entity_id=str(notice.id),
                action="send" if channel == "host" else "export",
                reason="",
                before=None,
                after={"channel": channel, "recipients": len(taken)},
            )
            return taken

    return notice, await request.app[keys.DB].write(write)


async def send_jam(request: web.Request) -> web.Response:
    """The recipients not handed over yet, marked sent: the page posts each as ``kefu.send_message``."""
    _, taken = await _hand_over(request, "host")
    return ok(SendOut(messages=[recipient_message(r) for r in taken]))


async def export_jam(request: web.Request) -> web.Response:
    """The recipients not handed over yet as CSV (UTF-8 with BOM) for the SMS tool, marked exported."""
    notice, taken = await _hand_over(request, "sms")
    rows = [["手机号", "收件人", "买家", "订单号", "短信内容", "条数"]]
    rows += [
        [r.phone, r.receiver_name, r.buyer_nick, r.order_id, r.text, str(-(-len(r.text) // SMS_SEGMENT))]
        for r in taken
    ]
    return _csv(rows, f"快递延误通知-{notice.id}.csv", f"courier-jam-{notice.id}.csv")
