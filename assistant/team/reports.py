"""The supervisor's figures per agent and shop over a period, from the conversation log and the orders.

Pure functions over plain records (no I/O, no aiohttp): ``assistant/api/reports.py`` reads the log and
the orders and hands them here. The rules, after the platform's definitions (research/team.md §2.2):

- an **inquiring buyer** wrote at least one message on the agent's console that day;
- **conversion** (询单转化率): inquiring buyers who paid — ``next_day`` by the end of the day after they
  asked, ``final`` within 4 days — ÷ inquiring buyers; the score uses the final figure;
- **客单价** = sales ÷ paying buyers and **客件数** = items ÷ paying buyers, over the orders the agent owns:
  an order belongs to the last agent who chatted with the buyer before it was placed, within
  ``attribution_days``;
- **reply rate** = inquiring buyers who got a human reply ÷ inquiring buyers; **答问比** = the agent's
  human messages ÷ the buyers' messages;
- the **3-minute rate** and **human response time** come from the response clock (``watch.py``);
- **satisfaction** = evaluations rated 4 or 5 (满意, 非常满意) ÷ evaluations rated, on the day of the rating;
  the **invitation rate** = evaluation invitations sent ÷ inquiring buyers, on the day of the invitation;
- **promoted items sold**: units of the shop's promoted items (爆款, items with a hot-item answer) in
  the orders the agent owns;
  both belong to the evaluation's agent (who invited, else whose client reported the rating).
"""

from __future__ import annotations

import bisect
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta, tzinfo

from assistant.conversations.log import ConversationLog
from assistant.team.watch import Message, Rules, Source, score, turns

DEFAULT_RULES = Rules()
SETTLE_NEXT_DAY = 1
SETTLE_FINAL = 4


@dataclass(frozen=True, slots=True)
class LogLine:
    """One logged message, as the report needs it."""

    shop_id: int
    conversation: str
    buyer: str
    at: datetime
    from_buyer: bool
    agent_id: int | None
    source: Source = Source.HUMAN


@dataclass(frozen=True, slots=True)
class PaidOrder:
    shop_id: int
    buyer: str
    created_at: datetime
    paid_at: datetime
    amount_fen: int
    items: int
    promoted_items: int = 0  # units of the shop's promoted items (爆款: items with a hot-item answer)


@dataclass(frozen=True, slots=True)
class Evaluation:
    shop_id: int
    agent_id: int
    invited_at: datetime | None
    rating: int | None
    rated_at: datetime | None


SATISFIED_FROM = 4


@dataclass
class Figures:
    """One agent in one shop over the period."""

    agent_id: int
    shop_id: int
    inquiring: int = 0
    paid_next_day: int = 0
    paid_final: int = 0
    replied: int = 0
    buyer_messages: int = 0
    agent_messages: int = 0
    orders: int = 0
    sales_fen: int = 0
    items: int = 0
    promoted_items: int = 0
    paying_buyers: int = 0
    turns_counted: int = 0
    turns_within: int = 0
    response_total_s: float = 0.0
    responses: int = 0
    invited: int = 0
    rated: int = 0
    satisfied: int = 0
    days: set[date] = field(default_factory=set)

    @classmethod
    def of_counts(cls, agent_id: int, shop_id: int, counts: dict[str, float]) -> Figures:
        """A day's stored counts back as figures (see ``ADDITIVE``)."""
        made = cls(agent_id, shop_id)
        for name in ADDITIVE:
            setattr(made, name, type(getattr(made, name))(counts.get(name, 0)))
        return made

    @property
    def metrics(self) -> dict[str, float | None]:
        """The figures the scorecards read (None where nothing was there to measure)."""

        def share(part: float, whole: float) -> float | None:
            return part / whole if whole else None

        return {
            "inquiring": self.inquiring,
            "conversion_next_day": share(self.paid_next_day, self.inquiring),
            "conversion": share(self.paid_final, self.inquiring),
            "reply_rate": share(self.replied, self.inquiring),
            "answer_ratio": share(self.agent_messages, self.buyer_messages),
            "rate_3min": share(self.turns_within, self.turns_counted),
            "response_s": share(self.response_total_s, self.responses),
            "unit_price_yuan": share(self.sales_fen / 100, self.paying_buyers),
            "items_per_buyer": share(self.items, self.paying_buyers),
            "orders": self.orders,
            "sales_yuan": self.sales_fen / 100,
            "promoted_items": self.promoted_items,
            # no ratings: left out of the score, its weight shared among the others
            "satisfaction": share(self.satisfied, self.rated),
            "invite_rate": share(self.invited, self.inquiring),
        }


def figures(
    lines: Iterable[LogLine],
    orders: Iterable[PaidOrder],
    start: date,
    end: date,
    tz: tzinfo,
    rules: Rules = DEFAULT_RULES,
    attribution_days: int = 30,
    now: datetime | None = None,
    evaluations: Iterable[Evaluation] = (),
) -> dict[tuple[int, int], Figures]:
    """Per (agent, shop): the period's figures for days ``start <= day < end`` in the shop's zone."""
    split = _collect(lines, orders, start, end, tz, rules, attribution_days, now, evaluations, by_day=False)
    return {(agent, shop): f for (agent, shop, _), f in split.items()}


def daily_figures(
    lines: Iterable[LogLine],
    orders: Iterable[PaidOrder],
    start: date,
    end: date,
    tz: tzinfo,
    rules: Rules = DEFAULT_RULES,
    attribution_days: int = 30,
    now: datetime | None = None,
    evaluations: Iterable[Evaluation] = (),
) -> dict[tuple[int, int, date], Figures]:
    """Per (agent, shop, day): the same figures one day at a time, for the precomputed daily aggregates.
    Summed over a month they give the month's figures, except paying buyers, which are counted per day
    (a buyer who paid on two days of the month counts twice in the sum)."""
    split = _collect(lines, orders, start, end, tz, rules, attribution_days, now, evaluations, by_day=True)
    return {(agent, shop, day): f for (agent, shop, day), f in split.items() if day is not None}


def add(total: Figures, part: Figures) -> None:
    """Add a day's counts into a period's (for the daily aggregates)."""
    for name in ADDITIVE:
        setattr(total, name, getattr(total, name) + getattr(part, name))


ADDITIVE = (
    "inquiring",
    "paid_next_day",
    "paid_final",
    "replied",
    "buyer_messages",
    "agent_messages",
    "orders",
    "sales_fen",
    "items",
    "promoted_items",
    "paying_buyers",
    "turns_counted",
    "turns_within",
    "response_total_s",
    "responses",
    "invited",
    "rated",
    "satisfied",
)


def _collect(
    lines: Iterable[LogLine],
    orders: Iterable[PaidOrder],
    start: date,
    end: date,
    tz: tzinfo,
    rules: Rules,
    attribution_days: int,
    now: datetime | None,
    evaluations: Iterable[Evaluation],
    *,
    by_day: bool,
) -> dict[tuple[int, int, date | None], Figures]:
    moment = now or datetime.now(tz)
    found: dict[tuple[int, int, date | None], Figures] = {}

    def of(agent_id: int, shop_id: int, day: date) -> Figures:
        key = (agent_id, shop_id, day if by_day else None)
        if key not in found:
            found[key] = Figures(agent_id, shop_id)
        return found[key]

    conversations: dict[tuple[int, str], list[LogLine]] = defaultdict(list)
    # (shop, buyer) -> [(time, agent)] of the agents' chats, for order attribution
    chats: dict[tuple[int, str], list[tuple[datetime, int]]] = defaultdict(list)
    # (agent, shop, buyer, day) of the inquiries in the period, and whether a human answered
    inquiries: dict[tuple[int, int, str, date], bool] = {}
    for line in lines:
        conversations[(line.shop_id, line.conversation)].append(line)
        if line.agent_id is None:
            continue
        day = line.at.astimezone(tz).date()
        chats[(line.shop_id, line.buyer)].append((line.at, line.agent_id))
        if not start <= day < end:
            continue
        target = of(line.agent_id, line.shop_id, day)
        target.days.add(day)
        key = (line.agent_id, line.shop_id, line.buyer, day)
        if line.from_buyer:
            target.buyer_messages += 1
            inquiries.setdefault(key, False)
        elif line.source is Source.HUMAN:
            target.agent_messages += 1
            if key in inquiries:
                inquiries[key] = True

    paid_by_buyer: dict[tuple[int, str], list[datetime]] = defaultdict(list)
    orders = list(orders)
    for order in orders:
        paid_by_buyer[(order.shop_id, order.buyer)].append(order.paid_at)
    for times in paid_by_buyer.values():
        times.sort()

    for (agent_id, shop_id, buyer, day), replied in inquiries.items():
        target = of(agent_id, shop_id, day)
        target.inquiring += 1
        target.replied += replied
        asked = datetime.combine(day, datetime.min.time(), tzinfo=tz)
        paid = paid_by_buyer.get((shop_id, buyer), [])
        first = bisect.bisect_left(paid, asked)
        if first < len(paid):
            when = paid[first].astimezone(tz).date()
            target.paid_next_day += when <= day + timedelta(days=SETTLE_NEXT_DAY)
            target.paid_final += when <= day + timedelta(days=SETTLE_FINAL)

    for history in chats.values():
        history.sort()
    window = timedelta(days=attribution_days)
    payers: dict[tuple[int, int, date | None], set[str]] = defaultdict(set)
    for order in orders:
        ordered_on = order.created_at.astimezone(tz).date()
        if not start <= ordered_on < end:
            continue
        history = chats.get((order.shop_id, order.buyer), [])
        before = bisect.bisect_right(history, (order.created_at, 1 << 62)) - 1
        if before < 0 or order.created_at - history[before][0] > window:
            continue
        agent_id = history[before][1]
        target = of(agent_id, order.shop_id, ordered_on)
        target.orders += 1
        target.sales_fen += order.amount_fen
        target.items += order.items
        target.promoted_items += order.promoted_items
        payers[(agent_id, order.shop_id, ordered_on if by_day else None)].add(order.buyer)
    for payer_key, buyers in payers.items():
        found[payer_key].paying_buyers = len(buyers)

    for (shop_id, _), messages in conversations.items():
        owners = {m.at: m.agent_id for m in messages if m.agent_id is not None}
        for turn in turns((Message(m.at, m.from_buyer, m.source) for m in messages), rules):
            owner = owners.get(turn.started)
            scored = score(turn, rules, moment, tz) if owner is not None else None
            if owner is None or scored is None or scored.within is None or not start <= scored.day < end:
                continue
            target = of(owner, shop_id, scored.day)
            target.turns_counted += 1
            target.turns_within += scored.within
            if scored.response_s is not None:
                target.responses += 1
                target.response_total_s += scored.response_s

    for evaluation in evaluations:
        if evaluation.invited_at is not None:
            day = evaluation.invited_at.astimezone(tz).date()
            if start <= day < end:
                of(evaluation.agent_id, evaluation.shop_id, day).invited += 1
        if evaluation.rating is not None and evaluation.rated_at is not None:
            day = evaluation.rated_at.astimezone(tz).date()
            if start <= day < end:
                target = of(evaluation.agent_id, evaluation.shop_id, day)
                target.rated += 1
                target.satisfied += evaluation.rating >= SATISFIED_FROM
    return found


async def late_days(
    log: ConversationLog, shop_id: int, days: list[date], read_since: datetime, tz: tzinfo
) -> set[date]:
    """Of ``days``, those that got a message the service received at or after ``read_since`` (while
    their figures were worked out from the log, so they may lack it): not to be stored as computed."""
    if not days:
        return set()
    start = datetime.combine(min(days), time(0), tzinfo=tz)
    end = datetime.combine(max(days) + timedelta(days=1), time(0), tzinfo=tz)
    return {at.astimezone(tz).date() for at in await log.received_since(shop_id, start, end, read_since)}
