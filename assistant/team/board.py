"""The live board of the response watch: every conversation's clock, kept in memory.

The events endpoint feeds it each message as it is logged; at start-up it is filled from the
conversation log (the last day and a half), so a restart loses no clock. Reads are cheap (a
conversation's turns are recut only when one of its messages arrives), which keeps ``/api/watch``
in a few milliseconds for a whole team. No I/O and no aiohttp here.
"""

from __future__ import annotations

import asyncio
import bisect
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, tzinfo
from enum import StrEnum
from typing import Any

from assistant.team.watch import DayFigures, Mark, Message, Rules, Scored, Turn, score, turns

KEEP = timedelta(hours=36)  # messages older than this leave the board (the log keeps them)


class Presence(StrEnum):
    ONLINE = "online"
    BUSY = "busy"
    AWAY = "away"


@dataclass
class Clock:
    """One conversation on the board."""

    shop_id: int
    conversation: str
    buyer: str
    agent_id: int | None  # whose console the conversation is on (the last to report it, or a claim)
    messages: list[Message] = field(default_factory=list)
    turns: list[Turn] = field(default_factory=list)
    # The answered turns' figures by the day they count for: an answered turn's score never changes
    # with the time of the read, so it is worked out once, when the conversation's turns are recut.
    closed: dict[date, DayFigures] = field(default_factory=dict)
    days: frozenset[date] = frozenset()  # the days (shop time) the conversation has messages on
    # The open turn's day and the end of that day's window, when it opened inside the window: then
    # only the time it has waited decides how it counts, and no time zone arithmetic is needed.
    open_window: tuple[date, datetime] | None = None

    def add(self, message: Message, rules: Rules, tz: tzinfo) -> None:
        bisect.insort(self.messages, message, key=lambda m: m.at)
        self._recut(rules, tz)

    @property
    def open_turn(self) -> Turn | None:
        return self.turns[-1] if self.turns and self.turns[-1].answered is None else None

    def trim(self, before: datetime, rules: Rules, tz: tzinfo) -> None:
        keep = [m for m in self.messages if m.at >= before]
        if len(keep) != len(self.messages):
            self.messages = keep
            self._recut(rules, tz)

    def _recut(self, rules: Rules, tz: tzinfo) -> None:
        self.turns = turns(self.messages, rules)
        closed: dict[date, DayFigures] = {}
        for turn in self.turns:
            if turn.answered is None:
                continue
            scored = score(turn, rules, turn.answered, tz)
            if scored is None:
                continue
            closed[scored.day] = _plus(closed.get(scored.day, NOTHING), _figures_of(scored))
        self.closed = closed
        self.days = frozenset(m.at.astimezone(tz).date() for m in self.messages)
        self.open_window = None
        waiting = self.open_turn
        if waiting is not None:
            day = waiting.started.astimezone(tz).date()
            start, end = rules.window(day, tz)
            if start <= waiting.started < end:
                self.open_window = (day, end)

    def figures(self, day: date, rules: Rules, now: datetime, tz: tzinfo) -> DayFigures:
        """The conversation's figures for ``day``: the cached answered turns and the open one."""
        found = self.closed.get(day, NOTHING)
        turn = self.open_turn
        if turn is None:
            return found
        if self.open_window is not None:  # the common case, without score()'s time zone work
            opened_on, end = self.open_window
            if opened_on != day:
                return found
            decided = (now - turn.started).total_seconds() > rules.answered_within_s or now >= end
            return _plus(found, MISSED if decided else PENDING)
        if (scored := score(turn, rules, now, tz)) is not None and scored.day == day:
            found = _plus(found, _figures_of(scored))
        return found


NOTHING = DayFigures(0, 0, 0, 0.0, 0)
MISSED = DayFigures(1, 0, 0, 0.0, 0)  # an open turn past the mark (or its window closed)
PENDING = DayFigures(0, 0, 1, 0.0, 0)  # an open turn still under the mark


def _figures_of(scored: Scored) -> DayFigures:
    if scored.within is None:
        return DayFigures(0, 0, 1, 0.0, 0)
    response = scored.response_s
    return DayFigures(1, int(scored.within), 0, response or 0.0, int(response is not None))


def _plus(a: DayFigures, b: DayFigures) -> DayFigures:
    return DayFigures(
        a.counted + b.counted,
        a.within + b.within,
        a.pending + b.pending,
        a.response_total_s + b.response_total_s,
        a.responses + b.responses,
    )


@dataclass(frozen=True, slots=True)
class WaitingBuyer:
    shop_id: int
    conversation: str
    buyer: str
    agent_id: int | None
    since: datetime
    waited_s: float
    mark: Mark
    buyer_messages: int


@dataclass(frozen=True, slots=True)
class ShopFigures:
    shop_id: int
    waiting: int
    escalated: tuple[WaitingBuyer, ...]  # past the escalation mark, longest first
    today: DayFigures


@dataclass(frozen=True, slots=True)
class AgentFigures:
    agent_id: int
    open_conversations: int
    waiting: int
    oldest_s: float  # the longest wait of the agent's buyers (0 when nobody waits)
    today: DayFigures


class Board:
    """The clocks of one service process, by (shop, conversation).

    Every read goes through an index (the conversations of each agent, of each shop), and each
    conversation keeps its answered turns' figures, so a read costs the conversations it concerns,
    not the whole board: ``/api/watch`` for one agent stays flat however many agents the team has.
    """

    def __init__(self, rules: Rules, tz: tzinfo) -> None:
        self.rules = rules
        self.tz = tz
        self.clocks: dict[tuple[int, str], Clock] = {}
        self._by_agent: dict[int | None, dict[tuple[int, str], Clock]] = {}
        self._by_shop: dict[int, dict[tuple[int, str], Clock]] = {}
        self.presence: dict[int, tuple[Presence, datetime]] = {}
        self.changed = asyncio.Event()  # set on every change, for the supervisors' live stream
        self.version = 0

    def observe(
        self, shop_id: int, conversation: str, buyer: str, agent_id: int | None, message: Message
    ) -> Clock:
        """A message was logged: move its conversation's clock."""
        key = (shop_id, conversation)
        clock = self.clocks.get(key)
        if clock is None:
            clock = self.clocks[key] = Clock(shop_id, conversation, buyer, agent_id)
            self._by_shop.setdefault(shop_id, {})[key] = clock
            self._by_agent.setdefault(agent_id, {})[key] = clock
        elif agent_id is not None:
            self._move(clock, agent_id)
        clock.add(message, self.rules, self.tz)
        self._bump()
        return clock

    def _move(self, clock: Clock, agent_id: int | None) -> None:
        if clock.agent_id == agent_id:
            return
        key = (clock.shop_id, clock.conversation)
        _drop(self._by_agent, clock.agent_id, key)
        clock.agent_id = agent_id
        self._by_agent.setdefault(agent_id, {})[key] = clock

    def assign(self, shop_id: int, conversation: str, agent_id: int) -> None:
        """A take-over: the conversation is on ``agent_id``'s console from now on."""
        clock = self.clocks.get((shop_id, conversation))
        if clock is not None:
            self._move(clock, agent_id)
            self._bump()

    def set_presence(self, agent_id: int, state: Presence, now: datetime) -> None:
        self.presence[agent_id] = (state, now)
        self._bump()

    def presence_of(self, agent_id: int) -> Presence | None:
        found = self.presence.get(agent_id)
        return found[0] if found else None

    def trim(self, now: datetime) -> int:
        """Drop messages older than the board keeps, and conversations left empty; returns how many
        conversations were dropped (idempotent)."""
        before = now - KEEP
        dropped = 0
        for key, clock in list(self.clocks.items()):
            clock.trim(before, self.rules, self.tz)
            if not clock.messages:
                del self.clocks[key]
                _drop(self._by_shop, clock.shop_id, key)
                _drop(self._by_agent, clock.agent_id, key)
                dropped += 1
        return dropped

    def touch(self) -> None:
        """Something the wall shows changed outside the clocks (the emergency switch)."""
        self._bump()

    def _bump(self) -> None:
        self.version += 1
        self.changed.set()

    async def wait_change(self, seen: int, patience_s: float) -> int:
        """Wait until the board moves past version ``seen`` (or ``patience_s`` passes); the new version."""
        while self.version == seen:
            self.changed.clear()
            try:
                await asyncio.wait_for(self.changed.wait(), patience_s)
            except TimeoutError:
                break
        return self.version

    # ---- reads ----------------------------------------------------------------------------

    def _picked(self, shop_ids: Iterable[int], agent_id: int | None) -> Iterator[Clock]:
        """The conversations of these shops (only ``agent_id``'s when given), through the indexes."""
        shops = set(shop_ids)
        if agent_id is not None:
            return (c for c in self._by_agent.get(agent_id, {}).values() if c.shop_id in shops)
        return (c for shop in shops for c in self._by_shop.get(shop, {}).values())

    def waiting(
        self, now: datetime, shop_ids: Iterable[int], agent_id: int | None = None
    ) -> list[WaitingBuyer]:
        """Buyers waiting for a human answer in these shops (only ``agent_id``'s when given),
        longest first."""
        return self._waiting_in(self._picked(shop_ids, agent_id), now)

    def _waiting_in(self, clocks: Iterable[Clock], now: datetime) -> list[WaitingBuyer]:
        found = []
        for clock in clocks:
            turn = clock.open_turn
            if turn is None:
                continue
            waited = max(0.0, (now - turn.started).total_seconds())
            found.append(
                WaitingBuyer(
                    clock.shop_id,
                    clock.conversation,
                    clock.buyer,
                    clock.agent_id,
                    turn.started,
                    waited,
                    self.rules.mark(waited),
                    turn.buyer_messages,
                )
            )
        found.sort(key=lambda w: (-w.waited_s, w.shop_id, w.conversation))
        return found

    def _figures_in(self, clocks: Iterable[Clock], now: datetime) -> DayFigures:
        total = _Sum()
        day = now.astimezone(self.tz).date()
        for clock in clocks:
            total.add(clock, day, self.rules, now, self.tz)
        return total.figures()

    def today(self, now: datetime, shop_ids: Iterable[int], agent_id: int | None = None) -> DayFigures:
        """Today's 3-minute rate and human response time (the agent's turns, when given)."""
        return self._figures_in(self._picked(shop_ids, agent_id), now)

    def agents(self, now: datetime, shop_ids: Iterable[int]) -> dict[int, AgentFigures]:
        """Per agent with a conversation on the board in these shops: open conversations today,
        waiting buyers and today's figures."""
        return self.wall(now, shop_ids)[0]

    def wall(
        self, now: datetime, shop_ids: Iterable[int]
    ) -> tuple[dict[int, AgentFigures], dict[int, ShopFigures]]:
        """The supervisor's wall in one pass over the shops' conversations: per agent (as
        :meth:`agents`) and per shop (how many wait, those past the escalation mark, today's figures).
        Only the escalated become :class:`WaitingBuyer` rows: the rest are counted."""
        shops = set(shop_ids)
        day = now.astimezone(self.tz).date()
        rules, tz = self.rules, self.tz
        escalate_before = now - timedelta(seconds=rules.escalate_s)
        agents: dict[int, _AgentSum] = {}
        found = {}
        for shop in shops:
            total, waiting, escalated = _Sum(), 0, []
            for clock in self._by_shop.get(shop, {}).values():
                got = total.add(clock, day, rules, now, tz)
                turn = clock.open_turn
                if turn is not None:
                    waiting += 1
                    if turn.started <= escalate_before:
                        escalated.append(clock)
                if clock.agent_id is None:
                    continue
                mine = agents.get(clock.agent_id)
                if mine is None:
                    mine = agents[clock.agent_id] = _AgentSum()
                mine.plus(got)
                if turn is not None:
                    mine.waiting += 1
                    if mine.oldest is None or turn.started < mine.oldest:
                        mine.oldest = turn.started
                if day in clock.days:
                    mine.active += 1
            found[shop] = ShopFigures(shop, waiting, tuple(self._waiting_in(escalated, now)), total.figures())
        per_agent = {
            agent_id: AgentFigures(
                agent_id,
                mine.active,
                mine.waiting,
                max(0.0, (now - mine.oldest).total_seconds()) if mine.oldest else 0.0,
                mine.figures(),
            )
            for agent_id, mine in agents.items()
        }
        return per_agent, found


class _Sum:
    """Figures added up without a new object per conversation (the wall adds a thousand)."""

    __slots__ = ("counted", "pending", "responses", "total", "within")

    def __init__(self) -> None:
        self.counted = self.within = self.pending = self.responses = 0
        self.total = 0.0

    def add(self, clock: Clock, day: date, rules: Rules, now: datetime, tz: tzinfo) -> DayFigures:
        got = clock.figures(day, rules, now, tz)
        self.plus(got)
        return got

    def plus(self, got: DayFigures) -> None:
        self.counted += got.counted
        self.within += got.within
        self.pending += got.pending
        self.total += got.response_total_s
        self.responses += got.responses

    def figures(self) -> DayFigures:
        return DayFigures(self.counted, self.within, self.pending, self.total, self.responses)


class _AgentSum(_Sum):
    __slots__ = ("active", "oldest", "waiting")

    def __init__(self) -> None:
        super().__init__()
        self.active = self.waiting = 0
        self.oldest: datetime | None = None


def _drop(index: dict[Any, dict[tuple[int, str], Clock]], at: int | None, key: tuple[int, str]) -> None:
    """Take a conversation out of one group of an index (and the group, when it empties)."""
    group = index.get(at)
    if group is not None:
        group.pop(key, None)
        if not group:
            del index[at]
