"""Payment reminders (催付): the queue (mine and the pool), claims, touches with the status rechecked
first, snooze and done, the buyer card's line and the effect report. Thin: the schedule is
``assistant.team.reminders``, the scan ``reminder_scan``, the SQL ``reminder_store``."""

from __future__ import annotations

from collections import defaultdict
from datetime import UTC, datetime, time, timedelta
from typing import Annotated, Literal
from zoneinfo import ZoneInfo

import sqlite_utils
from aiohttp import web
from pydantic import Field, StringConstraints

from assistant import keys
from assistant.api.commerce import shop_of
from assistant.api.io import QueryId, ok, path_int, read_json, read_query
from assistant.errors import Conflict, FieldError, NotFound
from assistant.security import current_agent
from assistant.settings import Settings
from assistant.team import reminder_store as rs
from assistant.team.care import DEFAULT_TEMPLATES
from assistant.team.care_store import care_today, contacts_today, templates
from assistant.team.reminder_scan import ScanResult, Specialists, is_flash, next_touch, scan, task_key
from assistant.team.reminders import Channel, Lift, Rules, TouchDone, calling_slot, credited, is_quiet
from knowledge.models import Agent, Model
from knowledge.templates import TemplateProblem, render

ChannelName = Literal["chat", "sms", "phone"]


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
    return await app[keys.DB].write(
        lambda db: scan(
            db,
            now,
            rules_from(settings),
            ZoneInfo(settings.timezone),
            flash_words(settings),
            specialists=specialists_from(settings),
        )
    )


# ---- models ----------------------------------------------------------------------------------------


class QueueQuery(Model):
    shop: QueryId | None = Field(None, description="one shop; default: every shop the caller is logged into")


class OrderOut(Model):
    id: str
    status: str
    total_fen: int
    created_at: datetime


class TouchOut(Model):
    at: datetime
    agent: str
    channel: ChannelName
    outcome: str


class TaskOut(Model):
    id: int
    shop_id: int
    buyer: str
    orders: list[OrderOut]
    total_fen: int
    owner_id: int | None
    owner: str | None
    channel: ChannelName
    next_touch_at: datetime | None
    due: bool = Field(description="the next touch is due now")
    call_from: datetime | None = Field(None, description="phone tasks: when the next calling slot opens")
    closes_at: datetime
    touches_today: int
    touches_planned: int
    touches: list[TouchOut]
    state: str


class QueueOut(Model):
    mine: list[TaskOut]
    pool: list[TaskOut]
    others: int = Field(description="open tasks held by other agents")
    per_day: int = Field(description="messages a buyer gets a day at most (reminders and care together)")
    role: Literal["reminders", "phone", "none"] = Field(
        description="the caller's reminder role (setting reminder_specialists / reminder_phone_specialists);"
        " everybody is in it while nobody is named"
    )


class TouchIn(Model):
    channel: ChannelName
    outcome: Annotated[str, StringConstraints(strip_whitespace=True, max_length=200)] = Field(
        "", description="what happened: 已发送, 未接通, 答应今晚付款…"
    )
    text: Annotated[str, StringConstraints(max_length=500)] = Field("", description="the text sent, if any")


class DoneIn(Model):
    outcome: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)] = Field(
        description="why the task ends: 不想要了, 已在别处买, 联系不上…"
    )


class SnoozeIn(Model):
    minutes: Annotated[int, Field(ge=5, le=24 * 60)]


class ScriptQuery(Model):
    reason: Literal["default", "price", "size", "delivery"] = Field(
        "default", description="what holds the buyer back: the script's variant (价格, 尺码, 发货时间)"
    )
    channel: Literal["chat", "sms"] = "chat"


class ScriptOut(Model):
    purpose: str = Field(description="the template used: reminder_<reason>, or reminder_sms")
    text: str
    chars: int


class BuyerQuery(Model):
    shop: QueryId | None = None
    nick: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=64)]


class BuyerLine(Model):
    line: str | None = Field(
        description="催付：小美 · 14:05 · 旺旺 · 今天第 1/3 次 (null when nobody reminded today)"
    )
    task_id: int | None
    owner: str | None
    touches_today: int
    per_day: int


class EffectQuery(Model):
    shop: QueryId | None = None
    days: Annotated[int, Field(ge=1, le=90)] = 30


class EffectRow(Model):
    agent: str
    channel: ChannelName
    reminded: int
    paid: int
    rate: float | None
    recovered_fen: int


class EffectOut(Model):
    rows: list[EffectRow]
    reminded: int
    reminded_paid: int
    held_out: int
    held_out_paid: int
    lift: float | None = Field(description="paid rate of reminded tasks minus that of held-out ones")
    lift_low: float | None
    lift_high: float | None
    paid_before_reminder: int


class RulesOut(Model):
    """The rules in force (settings; ``docs/settings.md`` says how to change them)."""

    first_after_minutes: int
    touches: list[str] = Field(description="when the touches are planned, in words")
    close_after_hours: int
    flash_close_minutes: int
    flash_sale_words: list[str]
    per_day: int = Field(description="messages a buyer gets a day at most, reminders and care together")
    quiet_hours: str
    phone_from_yuan: int
    calling_hours: list[str]
    lease_minutes: int
    holdout_percent: float
    care_channel: Literal["host", "sms"]
    care_review_after_days: int
    care_event_days_before: int
    jam_approval_from_buyers: int


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

CHANNEL_NAMES = {"chat": "旺旺", "sms": "短信", "phone": "电话"}


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


def _shops(request: web.Request, agent: Agent, shop: int | None) -> list[int]:
    return [shop_of(request, agent, shop)] if shop else sorted(agent.shop_ids)


async def queue(request: web.Request) -> web.Response:
    """The caller's tasks and the pool (unowned, or a lapsed lease), next touch first; phone tasks go to
    whoever takes them in calling hours."""
    agent = current_agent(request)
    shop_ids = _shops(request, agent, read_query(request, QueueQuery).shop)
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
    body = await read_json(request, TouchIn)
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
            _, state, paid_at, paid_fen = settled
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
    query = read_query(request, ScriptQuery)
    task = await _task_or_404(request, agent)
    tz = ZoneInfo(request.app[keys.SETTINGS].timezone)
    purpose = "reminder_sms" if query.channel == "sms" else f"reminder_{query.reason}"

    def read(db: sqlite_utils.Database) -> tuple[tuple[str, str, str], str]:
        own = templates(db, task.shop_id).get(purpose)
        return rs.script_facts(db, task.id), own[0] if own else DEFAULT_TEMPLATES[purpose]

    (item, shop_name, receiver), body = await request.app[keys.DB].read(read)
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
    body = await read_json(request, SnoozeIn)
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
    body = await read_json(request, DoneIn)
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


async def buyer_line(request: web.Request) -> web.Response:
    """The buyer card's line: who reminded today, when, by which channel, and how many of the day's."""
    agent = current_agent(request)
    query = read_query(request, BuyerQuery)
    shop_id = shop_of(request, agent, query.shop)
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
    query = read_query(request, EffectQuery)
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
