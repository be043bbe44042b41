"""The care scan, run every minute beside the reminder scan (idempotent: one message per order and stage).

Orders shipped in the last days are read with their logistics trace; a stage reached within the last
day (older ones are history, not news) and not yet messaged gets its message, worded by the shop's
template, due at once or after the quiet hours. Returning buyers get the event message some days
before a campaign starts. The daily cap is applied when a message is handed over (``take``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta, tzinfo
from typing import Any

import sqlite_utils

from assistant.team import care_store as cs
from assistant.team.care import DEFAULT_TEMPLATES, OrderFacts, Stage, due_at, fill, stages
from assistant.team.reminders import Rules, is_quiet
from knowledge.templates import TemplateProblem

#: Stages older than this when first seen are not messaged (the first run must not flood old orders).
FRESH = timedelta(days=1)
LOOKBACK = timedelta(days=21)


@dataclass(frozen=True, slots=True)
class CareOptions:
    channel: str = "host"
    review_after: timedelta = timedelta(days=3)
    event_days_before: int = 2


def _yuan(fen: int) -> str:
    return f"¥{fen // 100}" if fen % 100 == 0 else f"¥{fen / 100:.2f}"


def order_context(order: cs.CareOrder, trace: list[cs.TraceEvent]) -> dict[str, Any]:
    last = trace[-1] if trace else None
    return {
        "buyer": {"nick": order.buyer_nick},
        "receiver": {"name": order.receiver_name},
        "order": {"id": order.id, "item": order.item, "total": _yuan(order.total_fen)},
        "logistics": {
            "courier": order.courier or "",
            "tracking_no": order.tracking_no or "",
            "location": last.location if last else "",
        },
        "shop": {"name": order.shop_name},
    }


def _body(
    cache: dict[int, dict[str, cs.CareText]],
    db: sqlite_utils.Database,
    shop_id: int,
    purpose: str,
) -> str:
    if shop_id not in cache:
        cache[shop_id] = cs.templates(db, shop_id)
    own = cache[shop_id].get(purpose)
    return own.body if own else DEFAULT_TEMPLATES[purpose]


def scan(db: sqlite_utils.Database, now: datetime, rules: Rules, tz: tzinfo, options: CareOptions) -> int:
    """Queue the care messages that are due; how many were queued."""
    orders = cs.care_orders(db, now - LOOKBACK, now - FRESH, now - options.review_after - FRESH)
    trace = cs.traces(db, [o.id for o in orders])
    wanted: list[tuple[str, cs.CareOrder, Stage]] = []
    for order in orders:
        facts = OrderFacts(
            order.status,
            order.shipped_at,
            order.delivered_at,
            tuple((e.status, e.at) for e in trace.get(order.id, [])),
        )
        for stage, reached in stages(facts, review_after=options.review_after):
            # a confirmation comes days after the signature: it stays news until the review is due
            fresh = options.review_after if stage is Stage.CONFIRMED else FRESH
            if reached <= now and now - reached <= fresh:
                wanted.append((f"{order.id}:{stage.value}", order, stage))
    known = cs.known_keys(db, [key for key, _, _ in wanted])
    cache: dict[int, dict[str, cs.CareText]] = {}
    queued = 0
    for key, order, stage in wanted:
        if key in known:
            continue
        body = _body(cache, db, order.shop_id, f"care_{stage.value}")
        try:
            text, state, reason = fill(body, order_context(order, trace.get(order.id, []))), "pending", ""
        except TemplateProblem as problem:
            text, state, reason = (
                "",
                "skipped",
                problem.findings[0].message if problem.findings else "template",
            )
        queued += cs.add_message(
            db,
            key=key,
            shop_id=order.shop_id,
            buyer_id=order.buyer_id,
            buyer_nick=order.buyer_nick,
            order_id=order.id,
            stage=stage.value,
            text=text,
            phone=order.receiver_phone,
            channel=options.channel,
            created_at=now,
            due_at=due_at(now, key, rules, tz),
            state=state,
            reason=reason,
        )
    if options.event_days_before:
        queued += _events(db, now, rules, tz, options, cache)
    return queued


def _events(
    db: sqlite_utils.Database,
    now: datetime,
    rules: Rules,
    tz: tzinfo,
    options: CareOptions,
    cache: dict[int, dict[str, cs.CareText]],
) -> int:
    queued = 0
    for campaign in cs.upcoming_campaigns(db, now, now + timedelta(days=options.event_days_before)):
        shop_id = campaign.shop_id
        shop_name = cs.shop_name(db, shop_id)
        body = _body(cache, db, shop_id, "care_event")
        starts = datetime.fromisoformat(campaign.starts_at).astimezone(tz)
        for buyer in cs.returning_buyers(db, shop_id):
            buyer_id, nick, phone = buyer.id, buyer.nick, buyer.phone
            key = f"event:{campaign.id}:{buyer_id}"
            context = {
                "buyer": {"nick": nick},
                "campaign": {"name": campaign.name, "starts": f"{starts.month}月{starts.day}日"},
                "shop": {"name": shop_name},
            }
            try:
                text = fill(body, context)
            except TemplateProblem:
                continue
            queued += cs.add_message(
                db,
                key=key,
                shop_id=shop_id,
                buyer_id=buyer_id,
                buyer_nick=nick,
                order_id=None,
                stage=Stage.EVENT.value,
                text=text,
                phone=phone or "",
                channel=options.channel,
                created_at=now,
                due_at=due_at(now, key, rules, tz),
            )
    return queued


def take(
    db: sqlite_utils.Database,
    shop_id: int,
    channel: str,
    *,
    now: datetime,
    day_start: datetime,
    rules: Rules,
    tz: tzinfo,
    agent_id: int,
    limit: int = 50,
) -> list[cs.CareMessage]:
    """Hand over the shop's due messages of ``channel`` once: each is marked sent (host) or exported
    (sms); a buyer over the day's cap (reminders and care together) has the message skipped. Nothing
    goes in the quiet hours."""
    if is_quiet(now, rules, tz):
        return []
    handed: list[cs.CareMessage] = []
    for message in cs.due_messages(db, shop_id, channel, now, limit):
        if cs.contacts_today(db, shop_id, message.buyer_id, day_start) >= rules.per_day:
            cs.mark(db, message.id, "skipped", now, None, "cap")
            continue
        if cs.mark(db, message.id, "sent" if channel == "host" else "exported", now, agent_id):
            handed.append(message)
    return handed
