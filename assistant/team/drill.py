"""The conversations behind a report's number, one row each: who handled it, how fast, whether the
buyer paid. Pure functions over the report's records (``reports.LogLine`` / ``PaidOrder``), by the
same rules as the figures: a conversation belongs to the agent who wrote in it last; it counts on the
day of its first buyer message in the shop's zone; paid means an order paid within the final settle
delay (4 days) after that day began."""

from __future__ import annotations

import bisect
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta, tzinfo

from assistant.team.reports import SETTLE_FINAL, LogLine, PaidOrder
from assistant.team.watch import Message, Rules, Source, score, turns

FILTERS = ("all", "paid", "unpaid", "slow", "unreplied")


@dataclass(frozen=True, slots=True)
class ConversationRow:
    shop_id: int
    conversation: str
    buyer: str
    agent_id: int | None
    day: date
    started: datetime
    buyer_messages: int
    agent_messages: int
    first_response_s: float | None
    turns: int
    turns_within: int
    paid: bool
    paid_fen: int

    @property
    def slow(self) -> bool:
        return self.turns_within < self.turns

    def matches(self, wanted: str) -> bool:
        return {
            "all": True,
            "paid": self.paid,
            "unpaid": not self.paid,
            "slow": self.slow,
            "unreplied": self.agent_messages == 0,
        }[wanted]


def conversation_rows(
    lines: Iterable[LogLine],
    orders: Iterable[PaidOrder],
    start: date,
    end: date,
    tz: tzinfo,
    rules: Rules,
    now: datetime,
) -> list[ConversationRow]:
    """One row per conversation whose first buyer message falls on a day in ``[start, end)``, oldest first."""
    grouped: dict[tuple[int, str], list[LogLine]] = defaultdict(list)
    for line in lines:
        grouped[(line.shop_id, line.conversation)].append(line)
    paid: dict[tuple[int, str], list[tuple[datetime, int]]] = defaultdict(list)
    for order in orders:
        paid[(order.shop_id, order.buyer)].append((order.paid_at, order.amount_fen))
    for times in paid.values():
        times.sort()
    out = []
    for (shop_id, conversation), messages in grouped.items():
        messages.sort(key=lambda m: m.at)
        first_in = next((m for m in messages if m.from_buyer), None)
        if first_in is None:
            continue
        day = first_in.at.astimezone(tz).date()
        if not start <= day < end:
            continue
        agents = [m.agent_id for m in messages if m.agent_id is not None and not m.from_buyer]
        humans = [m for m in messages if not m.from_buyer and m.source is Source.HUMAN]
        counted = within = 0
        first_response: float | None = None
        for turn in turns((Message(m.at, m.from_buyer, m.source) for m in messages), rules):
            scored = score(turn, rules, now, tz)
            if scored is None or scored.within is None:
                continue
            counted += 1
            within += scored.within
            if first_response is None and scored.response_s is not None:
                first_response = scored.response_s
        asked = datetime.combine(day, datetime.min.time(), tzinfo=tz)
        until = asked + timedelta(days=SETTLE_FINAL + 1)
        bought = paid.get((shop_id, first_in.buyer), [])
        at = bisect.bisect_left(bought, (asked, -1))
        amount = sum(fen for when, fen in bought[at:] if when < until)
        out.append(
            ConversationRow(
                shop_id=shop_id,
                conversation=conversation,
                buyer=first_in.buyer,
                agent_id=agents[-1] if agents else first_in.agent_id,
                day=day,
                started=first_in.at,
                buyer_messages=sum(m.from_buyer for m in messages),
                agent_messages=len(humans),
                first_response_s=round(first_response, 1) if first_response is not None else None,
                turns=counted,
                turns_within=within,
                paid=amount > 0,
                paid_fen=amount,
            )
        )
    out.sort(key=lambda r: (r.started, r.conversation))
    return out


def hour_weekday(lines: Iterable[LogLine], start: date, end: date, tz: tzinfo) -> list[list[int]]:
    """Buyers' messages per weekday (Monday first) × clock hour over ``[start, end)``."""
    grid = [[0] * 24 for _ in range(7)]
    for line in lines:
        if not line.from_buyer:
            continue
        local = line.at.astimezone(tz)
        if start <= local.date() < end:
            grid[local.weekday()][local.hour] += 1
    return grid
