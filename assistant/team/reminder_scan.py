"""The reminder scan, run every minute by the scheduler (idempotent: a second run changes nothing).

It reads only what changed: new orders past a mark, orders that stopped waiting for payment from a
queue a trigger fills (``team:0005_care_messages``), so 100,000 open orders cost what the minute added.

1. Unpaid orders older than the first touch's delay open a task for their buyer (or join the buyer's
   open task). Its owner is the agent who last chatted with the buyer before the order; else the
   reminder specialist on shift with the fewest open tasks; else it waits in the pool. A phone task
   goes to the phone specialist on shift with the fewest open tasks, when there is one. The channel follows the amount; the holdout is decided by the task's key.
2. Tasks none of whose orders still waits for payment end: ``paid`` (after a touch),
   ``paid_before_reminder`` (no credit) or ``closed``; so do tasks past their close time (auto-close,
   ``closed``/``auto_closed``: the platform closes the order then, sooner for a flash sale).
3. Leases that ran out put untouched tasks back in the pool.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, tzinfo

import sqlite_utils

from assistant.team import reminder_scan_store as scan_rs
from assistant.team import reminder_store as rs
from assistant.team import roster
from assistant.team.reminder_scan_store import DueOrder
from assistant.team.reminders import Channel, Rules, channel, closes_at, in_holdout, plan
from assistant.team.store import rotation_groups


@dataclass(frozen=True, slots=True)
class Specialists:
    """Logins of the reminder role: who takes tasks nobody chatted about, and who makes the calls."""

    reminders: tuple[str, ...] = ()
    phone: tuple[str, ...] = ()


class _Picker:
    """The specialist on shift (and in the shop) with the fewest open tasks, counted as tasks are opened."""

    def __init__(self, db: sqlite_utils.Database, logins: tuple[str, ...], now: datetime, tz: tzinfo) -> None:
        agents = scan_rs.agents_by_login(db, list(logins))
        groups = rotation_groups(db) if agents else {}
        self.shops = {
            a: shops
            for a, shops in agents.items()
            if roster.current(groups.get(a, roster.default_group(a)), now, tz).now_on
        }
        self.counts = scan_rs.open_counts(db, list(self.shops))

    def pick(self, shop_id: int) -> int | None:
        choices = [a for a, shops in self.shops.items() if shop_id in shops]
        if not choices:
            return None
        chosen = min(choices, key=lambda a: (self.counts[a], a))
        self.counts[chosen] += 1
        return chosen


@dataclass(frozen=True, slots=True)
class ScanResult:
    opened: int
    attached: int
    ended: int
    released: int


def task_key(shop_id: int, buyer_id: int, first_order_at: datetime) -> str:
    return f"{shop_id}:{buyer_id}:{first_order_at.isoformat()}"


def next_touch(
    first_order_at: datetime,
    key: str,
    done: int,
    rules: Rules,
    tz: tzinfo,
    *,
    flash_sale: bool = False,
    after: datetime | None = None,
) -> tuple[datetime | None, int]:
    """The task's next planned touch after ``done`` touches (and, given ``after``, the first one later
    than it: a touch made late does not leave the next one overdue at once), and how many are planned."""
    planned = plan(first_order_at, key, flash_sale=flash_sale, rules=rules, tz=tz)
    later = [t.at for t in planned[done:] if after is None or t.at > after]
    return (later[0] if later else None), len(planned)


def is_flash(task_first_order_at: datetime, task_closes_at: datetime, rules: Rules) -> bool:
    """A task whose order closes sooner than the platform's usual window is a flash-sale one."""
    return task_closes_at - task_first_order_at < rules.close_after


ORDERS_MARK = "orders"


#: who last chatted with the buyer before the order, per (shop, buyer nick, order time): the conversation
#: log's answer, looked up before the scan's transaction (``chat_owner_keys``)
ChatOwners = Mapping[tuple[int, str, datetime], int | None]


def _due(db: sqlite_utils.Database, now: datetime, rules: Rules, limit: int) -> tuple[int, list[DueOrder]]:
    """The orders mark and the orders past it that a scan at ``now`` reads."""
    after = scan_rs.mark(db, ORDERS_MARK)
    return after, scan_rs.due_orders(
        db, after_rowid=after, created_after=now - rules.close_after, limit=limit
    )


def chat_owner_keys(
    db: sqlite_utils.Database, now: datetime, rules: Rules, limit: int = 5000
) -> list[DueOrder]:
    """The orders the next scan will open tasks for (not the young ones it waits for): look up
    ``ChatOwners`` for these before running it."""
    return [o for o in _due(db, now, rules, limit)[1] if o.created_at <= now - rules.first_after]


def scan(
    db: sqlite_utils.Database,
    now: datetime,
    rules: Rules,
    tz: tzinfo,
    chat_owners: ChatOwners,
    flash_words: Sequence[str] = (),
    limit: int = 5000,
    specialists: Specialists = Specialists(),
) -> ScanResult:
    """Open, end and release tasks. An order placed during a campaign whose name holds one of
    ``flash_words`` is a flash-sale order: it closes (and is reminded) sooner. An order missing from
    ``chat_owners`` (placed since they were looked up) waits for the next scan, as a young one does."""
    opened = attached = 0
    windows = scan_rs.flash_windows(db, list(flash_words))
    after, due = _due(db, now, rules, limit)
    held_back: int | None = None  # the first order still to wait for: the mark stays below it
    reminder_desk = _Picker(db, specialists.reminders, now, tz) if specialists.reminders and due else None
    phone_desk = _Picker(db, specialists.phone, now, tz) if specialists.phone and due else None
    for order in due:
        chat_key = (order.shop_id, order.buyer_nick, order.created_at)
        if order.created_at > now - rules.first_after or chat_key not in chat_owners:
            held_back = order.rowid if held_back is None else held_back
            continue  # too young (or placed since the look-up): a later scan takes it
        key = task_key(order.shop_id, order.buyer_id, order.created_at)
        flash = any(
            w.shop_id == order.shop_id and w.starts_at <= order.created_at < w.ends_at for w in windows
        )
        if closes_at(order.created_at, flash, rules) <= now:
            continue  # the platform closed it already: nothing to remind
        touch_at, planned = next_touch(order.created_at, key, 0, rules, tz, flash_sale=flash)
        how = channel(order.total_fen, rules)
        owner = phone_desk.pick(order.shop_id) if phone_desk and how == Channel.PHONE else None
        owner = owner or chat_owners[chat_key]
        owner = owner or (reminder_desk.pick(order.shop_id) if reminder_desk else None)
        _, was_opened = rs.open_or_attach(
            db,
            order,
            at=now,
            closes_at=closes_at(order.created_at, flash, rules),
            channel=how.value,
            holdout=in_holdout(key, rules),
            owner_id=owner,
            next_touch_at=touch_at,
            touches_planned=planned,
        )
        opened += was_opened
        attached += not was_opened
    if held_back is not None:
        scan_rs.set_mark(db, ORDERS_MARK, held_back - 1)
    elif len(due) == limit:
        scan_rs.set_mark(db, ORDERS_MARK, due[-1].rowid)  # more to read next time
    else:
        scan_rs.set_mark(db, ORDERS_MARK, max(after, scan_rs.last_order_rowid(db)))
    ended = 0
    changed, upto = scan_rs.changed_tasks(db)
    for settled in rs.settled_tasks(db, changed):
        task_id, state, paid_at, paid_fen = settled.task_id, settled.state, settled.paid_at, settled.paid_fen
        paid = datetime.fromisoformat(paid_at) if paid_at else None
        rs.end_task(db, task_id, state=state, outcome="", at=now, paid_at=paid, paid_fen=paid_fen or None)
        ended += 1
    scan_rs.clear_changes(db, upto)
    for task_id in scan_rs.past_close(db, now):
        # auto-close: the platform closes an unpaid order at its close time, and the task with it
        rs.end_task(db, task_id, state="closed", outcome="auto_closed", at=now)
        ended += 1
    released = rs.expire_leases(db, now)
    return ScanResult(opened, attached, ended, released)
