"""Payment reminders (催付): when to touch a buyer, by which channel, and what it earned. No I/O here.

A task covers one buyer's unpaid orders in one shop. Its touches: 10 minutes after the order, 2 hours
after, and an hour before the platform closes it (72 hours after creation; flash-sale orders close
sooner). At most 3 a day. A touch that falls in the quiet hours (22:00–08:00) moves into the first
hour after they end, spread by task so the morning does not start with every reminder at once, and is
dropped when that is too late (the order closes first, or the next touch is due). Orders at or above
¥1,000 are phoned, inside calling hours only (weekdays 12:00–13:30 and 18:00–21:00).

A random holdout (5% of tasks by default, decided by a hash of the task so it is the same in every
process) is never reminded: comparing the paid rates of reminded and held-out tasks gives the real lift,
not only the credit of the last touch.
"""

from __future__ import annotations

import hashlib
import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, time, timedelta, tzinfo
from enum import StrEnum


class Channel(StrEnum):
    CHAT = "chat"  # a reminder script inserted into the conversation (旺旺)
    SMS = "sms"  # a text for the shop's SMS tool (exported)
    PHONE = "phone"  # a call by the phone specialist, logged with its outcome


@dataclass(frozen=True, slots=True)
class Rules:
    first_after: timedelta = timedelta(minutes=10)
    second_after: timedelta = timedelta(hours=2)
    close_after: timedelta = timedelta(hours=72)
    flash_close_after: timedelta = timedelta(minutes=30)
    last_before_close: timedelta = timedelta(hours=1)
    per_day: int = 3
    quiet_start: time = time(22, 0)
    quiet_end: time = time(8, 0)
    quiet_spread: timedelta = timedelta(minutes=60)
    phone_from_fen: int = 100_000
    calling_hours: tuple[tuple[time, time], ...] = ((time(12, 0), time(13, 30)), (time(18, 0), time(21, 0)))
    holdout_percent: float = 5.0
    credit_window: timedelta = timedelta(days=3)


DEFAULT_RULES = Rules()


@dataclass(frozen=True, slots=True)
class Touch:
    number: int  # 1-based, in the plan
    at: datetime
    moved: bool = False  # moved out of the quiet hours


def is_quiet(moment: datetime, rules: Rules, tz: tzinfo) -> bool:
    """Whether ``moment`` falls in the quiet hours (start == end means there are none)."""
    if rules.quiet_start == rules.quiet_end:
        return False
    clock = moment.astimezone(tz).time()
    if rules.quiet_start <= rules.quiet_end:
        return rules.quiet_start <= clock < rules.quiet_end
    return clock >= rules.quiet_start or clock < rules.quiet_end


def quiet_ends(moment: datetime, rules: Rules, tz: tzinfo) -> datetime:
    """When the quiet hours that ``moment`` falls in end."""
    local = moment.astimezone(tz)
    end = datetime.combine(local.date(), rules.quiet_end, tzinfo=tz)
    return end if end > local else end + timedelta(days=1)


def spread(key: str, width: timedelta) -> timedelta:
    """A fixed offset in ``[0, width)`` for a task: the same in every process and every run."""
    digest = int.from_bytes(hashlib.sha256(key.encode()).digest()[:8], "big")
    return timedelta(seconds=digest % max(1, int(width.total_seconds())))


def closes_at(created_at: datetime, flash_sale: bool, rules: Rules = DEFAULT_RULES) -> datetime:
    return created_at + (rules.flash_close_after if flash_sale else rules.close_after)


def plan(
    created_at: datetime, key: str, *, flash_sale: bool = False, rules: Rules = DEFAULT_RULES, tz: tzinfo
) -> list[Touch]:
    """The touches of a task opened for an order created at ``created_at``, in order."""
    deadline = closes_at(created_at, flash_sale, rules)
    wanted = [
        created_at + rules.first_after,
        created_at + rules.second_after,
        deadline - rules.last_before_close,
    ]
    wanted = sorted({w for w in wanted if created_at < w < deadline})
    touches: list[Touch] = []
    per_day: dict[object, int] = {}
    for index, at in enumerate(wanted):
        moved = False
        if is_quiet(at, rules, tz):
            at = quiet_ends(at, rules, tz) + spread(key, rules.quiet_spread)
            moved = True
        later = wanted[index + 1] if index + 1 < len(wanted) else deadline
        if at >= deadline or (moved and at >= later):
            continue  # too late to be worth it: the order closes, or the next touch is due first
        if touches and at <= touches[-1].at:
            continue  # two touches moved to the same morning: one is enough
        day = at.astimezone(tz).date()
        if per_day.get(day, 0) >= rules.per_day:
            continue
        per_day[day] = per_day.get(day, 0) + 1
        touches.append(Touch(len(touches) + 1, at, moved))
    return touches


def channel(total_fen: int, rules: Rules = DEFAULT_RULES) -> Channel:
    """Large orders are phoned; the others reminded in the chat (or by SMS, the agent's choice)."""
    return Channel.PHONE if total_fen >= rules.phone_from_fen else Channel.CHAT


def calling_slot(moment: datetime, rules: Rules = DEFAULT_RULES, *, tz: tzinfo) -> datetime:
    """``moment`` itself inside calling hours on a weekday, else the next slot's start."""
    local = moment.astimezone(tz)
    for days in range(8):
        day = local.date() + timedelta(days=days)
        if day.weekday() >= 5:
            continue
        for start, end in rules.calling_hours:
            begins = datetime.combine(day, start, tzinfo=tz)
            ends = datetime.combine(day, end, tzinfo=tz)
            if local < ends:
                return max(local, begins)
    raise ValueError("no calling hours in the rules")  # pragma: no cover


def in_holdout(key: str, rules: Rules = DEFAULT_RULES) -> bool:
    """Whether the task is one of the held-out few that are never reminded (deterministic)."""
    digest = int.from_bytes(hashlib.sha256(("holdout:" + key).encode()).digest()[:8], "big")
    return digest % 10_000 < rules.holdout_percent * 100


@dataclass(frozen=True, slots=True)
class Lift:
    reminded: int
    reminded_paid: int
    held_out: int
    held_out_paid: int

    @property
    def reminded_rate(self) -> float | None:
        return self.reminded_paid / self.reminded if self.reminded else None

    @property
    def held_out_rate(self) -> float | None:
        return self.held_out_paid / self.held_out if self.held_out else None

    @property
    def lift(self) -> float | None:
        """Paid rate of reminded tasks minus that of held-out ones (percentage points as a fraction)."""
        if self.reminded_rate is None or self.held_out_rate is None:
            return None
        return self.reminded_rate - self.held_out_rate

    def interval(self, z: float = 1.96) -> tuple[float, float] | None:
        """The lift's 95% confidence interval (normal approximation of a difference of proportions)."""
        if self.lift is None:
            return None
        p1, p2 = self.reminded_rate or 0.0, self.held_out_rate or 0.0
        se = math.sqrt(p1 * (1 - p1) / self.reminded + p2 * (1 - p2) / self.held_out)
        return self.lift - z * se, self.lift + z * se


@dataclass(frozen=True, slots=True)
class TouchDone:
    at: datetime
    agent_id: int
    channel: Channel


def credited(
    touches: Sequence[TouchDone], paid_at: datetime | None, rules: Rules = DEFAULT_RULES
) -> TouchDone | None:
    """The touch that gets the credit for a payment: the last one before it, within 3 days."""
    if paid_at is None:
        return None
    before = [t for t in touches if t.at <= paid_at and paid_at - t.at <= rules.credit_window]
    return max(before, key=lambda t: t.at) if before else None
