"""The buyer card's reminder line and the effect report (reminded, paid afterwards, recovered, and the
lift over the held-out tasks)."""

from __future__ import annotations

from collections import defaultdict
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import sqlite_utils
from aiohttp import web

from assistant import keys
from assistant.api.io import ok, query_of
from assistant.api.reminders import _local_day_start, _shops
from assistant.api.reminders_models import (
    BuyerLine,
    BuyerQuery,
    EffectOut,
    EffectQuery,
    EffectRow,
)
from assistant.api.shops import resolve_shop
from assistant.security import current_agent
from assistant.team import reminder_store as rs
from assistant.team.care_store import care_today
from assistant.team.reminders import Channel, Lift, TouchDone, credited

CHANNEL_NAMES = {"chat": "旺旺", "sms": "短信", "phone": "电话"}


async def buyer_line(request: web.Request) -> web.Response:
    """The buyer card's line: who reminded today, when, by which channel, and how many of the day's."""
    agent = current_agent(request)
    query = query_of(request, BuyerQuery)
    shop_id = resolve_shop(request, agent, query.shop)
    settings = request.app[keys.SETTINGS]
    tz = ZoneInfo(settings.timezone)
    today = _local_day_start(datetime.now(UTC), tz)
    touches, task = await request.app[keys.DB].read(
        lambda db: (
            rs.buyer_touches(db, shop_id, query.nick, today),
            rs.buyer_open_task(db, shop_id, query.nick),
        )
    )
    per_day = settings.reminder_per_day
    cared = await request.app[keys.DB].read(lambda db: care_today(db, shop_id, query.nick, today))
    line = None
    if touches:
        last = touches[-1]
        line = (
            f"催付：{last.agent_name} · {last.at.astimezone(tz):%H:%M} · {CHANNEL_NAMES[last.channel]}"
            f" · 今天第 {len(touches) + cared}/{per_day} 次"
        )
    return ok(
        BuyerLine(
            line=line,
            task_id=task.id if task else None,
            owner=task.owner_name if task else None,
            touches_today=len(touches) + cared,
            per_day=per_day,
        )
    )


async def effect(request: web.Request) -> web.Response:
    """Per agent and channel: reminded, paid afterwards, rate, amount recovered (credit to the last touch
    before payment within 3 days); and the lift over the held-out tasks with its 95% interval."""
    agent = current_agent(request)
    query = query_of(request, EffectQuery)
    shop_ids = _shops(request, agent, query.shop)
    since = datetime.now(UTC) - timedelta(days=query.days)

    def read(db: sqlite_utils.Database) -> tuple[list[rs.Task], list[rs.TouchRow]]:
        tasks = rs.ended_tasks(db, shop_ids, since)
        return tasks, rs.touches(db, [t.id for t in tasks])

    tasks, touches = await request.app[keys.DB].read(read)
    by_task: dict[int, list[rs.TouchRow]] = defaultdict(list)
    for row in touches:
        by_task[row.task_id].append(row)
    rows: dict[tuple[str, str], list[int]] = defaultdict(lambda: [0, 0, 0])
    reminded = reminded_paid = held = held_paid = before = 0
    for task in tasks:
        paid = task.state in ("paid", "paid_before_reminder")
        if task.holdout:
            held += 1
            held_paid += paid
            continue
        before += task.state == "paid_before_reminder"
        done_touches = by_task[task.id]
        if not done_touches:
            continue
        reminded += 1
        reminded_paid += task.state == "paid"
        for name, ch in {(t.agent_name, t.channel) for t in done_touches}:
            rows[(name, ch)][0] += 1
        winner = credited(
            [TouchDone(t.at, t.agent_id, Channel(t.channel)) for t in done_touches],
            task.paid_at if task.state == "paid" else None,
        )
        if winner is not None:
            name = next(t.agent_name for t in done_touches if t.agent_id == winner.agent_id)
            rows[(name, winner.channel.value)][1] += 1
            rows[(name, winner.channel.value)][2] += task.paid_fen or 0
    lift = Lift(reminded, reminded_paid, held, held_paid)
    interval = lift.interval()
    return ok(
        EffectOut(
            rows=[
                EffectRow(
                    agent=name, channel=ch, reminded=n, paid=p, rate=p / n if n else None, recovered_fen=fen
                )
                for (name, ch), (n, p, fen) in sorted(rows.items())
            ],
            reminded=reminded,
            reminded_paid=reminded_paid,
            held_out=held,
            held_out_paid=held_paid,
            lift=lift.lift,
            lift_low=interval[0] if interval else None,
            lift_high=interval[1] if interval else None,
            paid_before_reminder=before,
        )
    )
