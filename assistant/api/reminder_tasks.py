"""One reminder task: claim it, touch the buyer (the order's status rechecked first), the script to
send, snooze and done."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import sqlite_utils
from aiohttp import web

from assistant import keys
from assistant.api.io import body_of, ok, path_int, query_of
from assistant.api.reminders import ScriptOut, _local_day_start, _task_out, rules_from
from assistant.api.reminders_models import (
    DoneIn,
    ScriptQuery,
    SnoozeIn,
    TouchIn,
)
from assistant.errors import Conflict, FieldError, NotFound
from assistant.security import current_agent
from assistant.team import reminder_store as rs
from assistant.team.care import DEFAULT_TEMPLATES
from assistant.team.care_store import contacts_today, templates
from assistant.team.reminder_scan import is_flash, next_touch, task_key
from assistant.team.reminders import calling_slot, is_quiet
from knowledge.models import Agent
from knowledge.templates import TemplateProblem, render


async def _task_or_404(request: web.Request, agent: Agent) -> rs.Task:
    task_id = path_int(request, "task_id")
    found = await request.app[keys.DB].read(lambda db: rs.task(db, task_id))
    if found is None or found.shop_id not in agent.shop_ids or found.holdout:
        raise NotFound.field("task_id", f"没有催付任务 {task_id}")
    return found


def _held(task: rs.Task) -> Conflict:
    return Conflict(
        f"{task.owner_name} 正在催这位买家（{task.buyer_nick}），不要重复催付",
        [FieldError("task_id", f"已由 {task.owner_name} 负责")],
        extra={
            "holder": {
                "agent_id": task.owner_id,
                "name": task.owner_name,
                "lease_until": task.lease_until.isoformat() if task.lease_until else None,
            }
        },
    )


async def claim(request: web.Request) -> web.Response:
    """Take a task from the pool; 409 naming the holder when someone has it."""
    agent = current_agent(request)
    task = await _task_or_404(request, agent)
    if task.state != "open":
        raise Conflict.field("task_id", f"任务已结束（{task.state}）")
    now = datetime.now(UTC)
    lease = now + timedelta(minutes=request.app[keys.SETTINGS].reminder_lease_minutes)
    try:
        taken = await request.app[keys.DB].write(lambda db: rs.claim(db, task.id, agent.id, now, lease))
    except rs.Held as held:
        raise _held(held.task) from None
    return await _one(request, taken)


async def _one(request: web.Request, task: rs.Task) -> web.Response:
    now = datetime.now(UTC)
    tz = ZoneInfo(request.app[keys.SETTINGS].timezone)
    orders, touches = await request.app[keys.DB].read(
        lambda db: (rs.task_orders(db, [task.id]).get(task.id, []), rs.touches(db, [task.id]))
    )
    return ok(_task_out(task, orders, touches, now, tz))


async def touch(request: web.Request) -> web.Response:
    """Record a touch (a chat script inserted, an SMS text produced, a call made). The orders are read
    again first: a paid or closed order ends the task (paid before the reminder: no credit) instead."""
    agent = current_agent(request)
    body = body_of(request, TouchIn)
    task = await _task_or_404(request, agent)
    settings = request.app[keys.SETTINGS]
    rules, tz, now = rules_from(settings), ZoneInfo(settings.timezone), datetime.now(UTC)
    if task.owner_id not in (None, agent.id) and not (task.lease_until and task.lease_until < now):
        raise _held(task)
    if is_quiet(now, rules, tz):
        raise Conflict.field("task_id", f"现在是免打扰时段（{settings.reminder_quiet_hours}），过了再催")
    if body.channel == "phone" and calling_slot(now, rules, tz=tz) != now:
        opens = calling_slot(now, rules, tz=tz).astimezone(tz)
        raise Conflict.field("channel", f"不在电话催付时段，下一段从 {opens:%m-%d %H:%M} 开始")
    lease = now + timedelta(minutes=settings.reminder_lease_minutes)
    today = _local_day_start(now, tz)

    def write(db: sqlite_utils.Database) -> tuple[str, rs.Task | None]:
        settled = next(iter(rs.settled_tasks(db, [task.id])), None)
        if settled is not None:
            state, paid_at, paid_fen = settled.state, settled.paid_at, settled.paid_fen
            rs.end_task(
                db,
                task.id,
                state=state,
                outcome="",
                at=now,
                paid_at=datetime.fromisoformat(paid_at) if paid_at else None,
                paid_fen=paid_fen or None,
            )
            return state, None
        done = rs.touches(db, [task.id])
        # one daily cap for the buyer: reminder touches and care messages together
        if contacts_today(db, task.shop_id, task.buyer_id, today) >= rules.per_day:
            return "cap", None
        key = task_key(task.shop_id, task.buyer_id, task.first_order_at)
        flash = is_flash(task.first_order_at, task.closes_at, rules)
        following, _ = next_touch(
            task.first_order_at, key, len(done) + 1, rules, tz, flash_sale=flash, after=now
        )
        rs.record_touch(
            db,
            task.id,
            agent_id=agent.id,
            at=now,
            channel=body.channel,
            outcome=body.outcome,
            text=body.text,
            next_touch_at=following,
            lease_until=lease,
        )
        return "touched", rs.task(db, task.id)

    state, updated = await request.app[keys.DB].write(write)
    if state == "cap":
        raise Conflict.field(
            "task_id", f"这位买家今天已经收到 {rules.per_day} 次消息（催付和关怀合计），明天再说"
        )
    if updated is None:
        said = {
            "paid": "买家已经付款",
            "paid_before_reminder": "买家在催付前已经付款",
            "closed": "订单已关闭",
        }
        raise Conflict(
            f"{said.get(state, state)}，任务已结束，不用再催",
            [FieldError("task_id", said.get(state, state))],
            extra={"current": {"state": state}},
        )
    return await _one(request, updated)


async def script(request: web.Request) -> web.Response:
    """The reminder script for a task, rendered in the sandbox: the chat variant for the buyer's reason
    (price, size, delivery time) or the SMS text. The shop's own wording when it has one."""
    agent = current_agent(request)
    query = query_of(request, ScriptQuery)
    task = await _task_or_404(request, agent)
    tz = ZoneInfo(request.app[keys.SETTINGS].timezone)
    purpose = "reminder_sms" if query.channel == "sms" else f"reminder_{query.reason}"

    def read(db: sqlite_utils.Database) -> tuple[rs.ScriptFacts, str]:
        own = templates(db, task.shop_id).get(purpose)
        return rs.script_facts(db, task.id), own.body if own else DEFAULT_TEMPLATES[purpose]

    facts, body = await request.app[keys.DB].read(read)
    item, shop_name, receiver = facts.item, facts.shop_name, facts.receiver
    closes = task.closes_at.astimezone(tz)
    context = {
        "buyer": {"nick": task.buyer_nick},
        "receiver": {"name": receiver},
        "order": {"item": item, "total": f"¥{task.total_fen / 100:g}", "pay_by": f"{closes:%m-%d %H:%M}"},
        "shop": {"name": shop_name},
    }
    try:
        rendered = await request.app[keys.TEMPLATES].run(render, body, context)
    except TemplateProblem as problem:
        raise Conflict.field("reason", f"催付话术无法生成：{problem.findings[0].message}") from None
    return ok(ScriptOut(purpose=purpose, text=rendered.text, chars=len(rendered.text)))


async def snooze(request: web.Request) -> web.Response:
    agent = current_agent(request)
    body = body_of(request, SnoozeIn)
    task = await _task_or_404(request, agent)
    now = datetime.now(UTC)
    if task.owner_id not in (None, agent.id) and not (task.lease_until and task.lease_until < now):
        raise _held(task)
    later = now + timedelta(minutes=body.minutes)

    def write(db: sqlite_utils.Database) -> rs.Task | None:
        rs.record_snooze(db, task.id, agent.id, now, later)
        return rs.task(db, task.id)

    updated = await request.app[keys.DB].write(write)
    assert updated is not None
    return await _one(request, updated)


async def done(request: web.Request) -> web.Response:
    """End the task with the outcome (the buyer does not want it, bought elsewhere, cannot be reached)."""
    agent = current_agent(request)
    body = body_of(request, DoneIn)
    task = await _task_or_404(request, agent)
    now = datetime.now(UTC)
    if task.owner_id not in (None, agent.id) and not (task.lease_until and task.lease_until < now):
        raise _held(task)
    if task.state != "open":
        raise Conflict.field("task_id", f"任务已结束（{task.state}）")

    def write(db: sqlite_utils.Database) -> rs.Task | None:
        rs.end_task(db, task.id, state="done", outcome=body.outcome, at=now, agent_id=agent.id)
        return rs.task(db, task.id)

    updated = await request.app[keys.DB].write(write)
    assert updated is not None
    return await _one(request, updated)
