"""Payment reminders (催付): the scan's wiring, the rules and the queue (mine and the pool). One task's
claim, touches, script, snooze and done are ``reminder_tasks``, the buyer card's line and the effect
report ``reminder_effect``, the models ``reminders_models``. Thin: the schedule is
``assistant.team.reminders``, the scan ``reminder_scan``, the SQL ``reminder_store``."""

from __future__ import annotations

from collections import defaultdict
from datetime import UTC, datetime, time, timedelta
from typing import Literal
from zoneinfo import ZoneInfo

import sqlite_utils
from aiohttp import web
from pydantic import Field

from assistant import keys
from assistant.api.io import QueryId, ok, query_of
from assistant.api.reminders_models import (
    OrderOut,
    RulesOut,
    TaskOut,
    TouchOut,
)
from assistant.api.shops import shop_scope
from assistant.security import current_agent
from assistant.settings import Settings
from assistant.team import reminder_store as rs
from assistant.team.reminder_scan import ScanResult, Specialists, chat_owner_keys, scan
from assistant.team.reminders import Channel, Rules, calling_slot
from knowledge.models import Model


def rules_from(settings: Settings) -> Rules:
    quiet = settings.reminder_quiet_hours
    start, end = (time.fromisoformat(t) for t in quiet.split("-")) if quiet else (time(0), time(0))
    return Rules(
        quiet_start=start,
        quiet_end=end,
        first_after=timedelta(minutes=settings.payment_reminder_minutes),
        per_day=settings.reminder_per_day,
        phone_from_fen=settings.reminder_phone_from_yuan * 100,
        holdout_percent=settings.reminder_holdout_percent,
        flash_close_after=timedelta(minutes=settings.reminder_flash_close_minutes),
    )


def _logins(text: str) -> tuple[str, ...]:
    return tuple(w.strip() for w in text.split(",") if w.strip())


def specialists_from(settings: Settings) -> Specialists:
    return Specialists(_logins(settings.reminder_specialists), _logins(settings.reminder_phone_specialists))


def flash_words(settings: Settings) -> list[str]:
    return [w.strip() for w in settings.reminder_flash_sale_words.split(",") if w.strip()]


async def run_scan(app: web.Application) -> ScanResult:
    """The scheduler's job: open, end and release tasks (idempotent)."""
    settings = app[keys.SETTINGS]
    now = datetime.now(UTC)
    rules = rules_from(settings)
    log = app[keys.CONVERSATIONS]
    due = await app[keys.DB].read(lambda db: chat_owner_keys(db, now, rules))
    owners = {
        (o.shop_id, o.buyer_nick, o.created_at): await log.last_agent(o.shop_id, o.buyer_nick, o.created_at)
        for o in due
    }
    return await app[keys.DB].write(
        lambda db: scan(
            db,
            now,
            rules,
            ZoneInfo(settings.timezone),
            owners,
            flash_words(settings),
            specialists=specialists_from(settings),
        )
    )


# ---- models ----------------------------------------------------------------------------------------


class QueueQuery(Model):
    shop: QueryId | None = Field(None, description="one shop; default: every shop the caller is logged into")


class QueueOut(Model):
    mine: list[TaskOut]
    pool: list[TaskOut]
    others: int = Field(description="open tasks held by other agents")
    per_day: int = Field(description="messages a buyer gets a day at most (reminders and care together)")
    role: Literal["reminders", "phone", "none"] = Field(
        description="the caller's reminder role (setting reminder_specialists / reminder_phone_specialists);"
        " everybody is in it while nobody is named"
    )


class ScriptOut(Model):
    purpose: str = Field(description="the template used: reminder_<reason>, or reminder_sms")
    text: str
    chars: int


async def rules(request: web.Request) -> web.Response:
    settings = request.app[keys.SETTINGS]
    rule = rules_from(settings)
    return ok(
        RulesOut(
            first_after_minutes=settings.payment_reminder_minutes,
            touches=[
                f"+{settings.payment_reminder_minutes} 分钟",
                f"+{int(rule.second_after.total_seconds() // 3600)} 小时",
                f"关单前 {int(rule.last_before_close.total_seconds() // 3600)} 小时",
            ],
            close_after_hours=int(rule.close_after.total_seconds() // 3600),
            flash_close_minutes=settings.reminder_flash_close_minutes,
            flash_sale_words=flash_words(settings),
            per_day=settings.reminder_per_day,
            quiet_hours=settings.reminder_quiet_hours,
            phone_from_yuan=settings.reminder_phone_from_yuan,
            calling_hours=[f"{a:%H:%M}-{b:%H:%M}" for a, b in rule.calling_hours],
            lease_minutes=settings.reminder_lease_minutes,
            holdout_percent=settings.reminder_holdout_percent,
            care_channel=settings.care_channel,
            care_review_after_days=settings.care_review_after_days,
            care_event_days_before=settings.care_event_days_before,
            jam_approval_from_buyers=settings.jam_approval_from_buyers,
        )
    )


# ---- reads -----------------------------------------------------------------------------------------


def _local_day_start(now: datetime, tz: ZoneInfo) -> datetime:
    local = now.astimezone(tz)
    return local.replace(hour=0, minute=0, second=0, microsecond=0).astimezone(UTC)


def _task_out(
    task: rs.Task, orders: list[rs.TaskOrder], touches: list[rs.TouchRow], now: datetime, tz: ZoneInfo
) -> TaskOut:
    today = _local_day_start(now, tz)
    return TaskOut(
        id=task.id,
        shop_id=task.shop_id,
        buyer=task.buyer_nick,
        orders=[
            OrderOut(id=o.id, status=o.status, total_fen=o.total_fen, created_at=o.created_at) for o in orders
        ],
        total_fen=task.total_fen,
        owner_id=task.owner_id,
        owner=task.owner_name,
        channel=task.channel,
        next_touch_at=task.next_touch_at,
        due=bool(task.next_touch_at and task.next_touch_at <= now),
        call_from=calling_slot(now, tz=tz) if task.channel == Channel.PHONE else None,
        closes_at=task.closes_at,
        touches_today=sum(1 for t in touches if t.at >= today),
        touches_planned=task.touches_planned,
        touches=[
            TouchOut(at=t.at, agent=t.agent_name, channel=t.channel, outcome=t.outcome) for t in touches
        ],
        state=task.state,
    )


_shops = shop_scope  # the name this area's modules import


async def queue(request: web.Request) -> web.Response:
    """The caller's tasks and the pool (unowned, or a lapsed lease), next touch first; phone tasks go to
    whoever takes them in calling hours."""
    agent = current_agent(request)
    shop_ids = _shops(request, agent, query_of(request, QueueQuery).shop)
    now = datetime.now(UTC)
    tz = ZoneInfo(request.app[keys.SETTINGS].timezone)

    def read(
        db: sqlite_utils.Database,
    ) -> tuple[list[rs.Task], dict[int, list[rs.TaskOrder]], list[rs.TouchRow]]:
        tasks = rs.open_tasks(db, shop_ids)
        ids = [t.id for t in tasks]
        return tasks, rs.task_orders(db, ids), rs.touches(db, ids)

    tasks, orders, touches = await request.app[keys.DB].read(read)
    by_task: dict[int, list[rs.TouchRow]] = defaultdict(list)
    for touch in touches:
        by_task[touch.task_id].append(touch)
    mine, pool, others = [], [], 0
    for task in tasks:
        free = task.owner_id is None or (task.lease_until is not None and task.lease_until < now)
        if task.owner_id == agent.id and not free:
            mine.append(_task_out(task, orders.get(task.id, []), by_task[task.id], now, tz))
        elif free:
            pool.append(_task_out(task, orders.get(task.id, []), by_task[task.id], now, tz))
        else:
            others += 1
    settings = request.app[keys.SETTINGS]
    named = specialists_from(settings)
    role: Literal["reminders", "phone", "none"] = (
        "phone"
        if agent.login in named.phone
        else "reminders"
        if agent.login in named.reminders or not (named.phone or named.reminders)
        else "none"
    )
    return ok(QueueOut(mine=mine, pool=pool, others=others, per_day=settings.reminder_per_day, role=role))
