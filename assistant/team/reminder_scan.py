"""The reminder scan, run every minute by the scheduler (idempotent: a second run changes nothing).

It reads only what changed: new orders past a mark, orders that stopped waiting for payment from a
queue a trigger fills (``team:0005_care_messages``), so 100,000 open orders cost what the minute added.

1. Unpaid orders older than the first touch's delay open a task for their buyer (or join the buyer's
   open task). Its owner is the agent who last chatted with the buyer before the order; else it waits
   in the pool. The channel follows the amount; the holdout is decided by the task's key.
2. Tasks none of whose orders still waits for payment end: ``paid`` (after a touch),
   ``paid_before_reminder`` (no credit) or ``closed``; so do tasks past their close time (auto-close,
   ``closed``/``auto_closed``: the platform closes the order then, sooner for a flash sale).
3. Leases that ran out put untouched tasks back in the pool.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, tzinfo

import sqlite_utils

from assistant.team import reminder_store as rs
from assistant.team.reminders import Rules, channel, closes_at, in_holdout, plan


@dataclass(frozen=True, slots=True)
class ScanResult:
    opened: int
    attached: int
    ended: int
    released: int


def task_key(shop_id: int, buyer_id: int, first_order_at: datetime) -> str:
    return f"{shop_id}:{buyer_id}:{first_order_at.isoformat()}"


def next_touch(
    first_order_at: datetime, key: str, done: int, rules: Rules, tz: tzinfo, *, flash_sale: bool = False
) -> tuple[datetime | None, int]:
    """The task's next planned touch after ``done`` touches, and how many are planned."""
    planned = plan(first_order_at, key, flash_sale=flash_sale, rules=rules, tz=tz)
    return (planned[done].at if done < len(planned) else None), len(planned)


def is_flash(task_first_order_at: datetime, task_closes_at: datetime, rules: Rules) -> bool:
    """A task whose order closes sooner than the platform's usual window is a flash-sale one."""
    return task_closes_at - task_first_order_at < rules.close_after


ORDERS_MARK = "orders"


def scan(
    db: sqlite_utils.Database,
    now: datetime,
    rules: Rules,
    tz: tzinfo,
    flash_words: Sequence[str] = (),
    limit: int = 5000,
) -> ScanResult:
    """Open, end and release tasks. An order placed during a campaign whose name holds one of
    ``flash_words`` is a flash-sale order: it closes (and is reminded) sooner."""
    opened = attached = 0
    windows = rs.flash_windows(db, list(flash_words))
    after = rs.mark(db, ORDERS_MARK)
    due = rs.due_orders(db, after_rowid=after, created_after=now - rules.close_after, limit=limit)
    held_back: int | None = None  # the first order still to wait for: the mark stays below it
    for order in due:
        if order.created_at > now - rules.first_after:
            held_back = order.rowid if held_back is None else held_back
            continue  # too young: a later scan takes it
        key = task_key(order.shop_id, order.buyer_id, order.created_at)
        flash = any(s == order.shop_id and a <= order.created_at < b for s, a, b in windows)
        if closes_at(order.created_at, flash, rules) <= now:
            continue  # the platform closed it already: nothing to remind
        touch_at, planned = next_touch(order.created_at, key, 0, rules, tz, flash_sale=flash)
        owner = rs.last_chat_agent(db, order.shop_id, order.buyer_nick, order.created_at)
        _, was_opened = rs.open_or_attach(
            db,
            order,
            at=now,
            closes_at=closes_at(order.created_at, flash, rules),
            channel=channel(order.total_fen, rules).value,
            holdout=in_holdout(key, rules),
            owner_id=owner,
            next_touch_at=touch_at,
            touches_planned=planned,
        )
        opened += was_opened
        attached += not was_opened
    if held_back is not None:
        rs.set_mark(db, ORDERS_MARK, held_back - 1)
    elif len(due) == limit:
        rs.set_mark(db, ORDERS_MARK, due[-1].rowid)  # more to read next time
    else:
        rs.set_mark(db, ORDERS_MARK, max(after, rs.last_order_rowid(db)))
    ended = 0
    changed, upto = rs.changed_tasks(db)
    for task_id, state, paid_at, paid_fen in rs.settled_tasks(db, changed):
        paid = datetime.fromisoformat(paid_at) if paid_at else None
        rs.end_task(db, task_id, state=state, outcome="", at=now, paid_at=paid, paid_fen=paid_fen or None)
        ended += 1
    rs.clear_changes(db, upto)
    for task_id in rs.past_close(db, now):
        # auto-close: the platform closes an unpaid order at its close time, and the task with it
        rs.end_task(db, task_id, state="closed", outcome="auto_closed", at=now)
        ended += 1
    released = rs.expire_leases(db, now)
    return ScanResult(opened, attached, ended, released)
