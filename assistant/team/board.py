"""The live board of the response watch: every conversation's clock, kept in memory.

The events endpoint feeds it each message as it is logged; at start-up it is filled from the
conversation log (the last day and a half), so a restart loses no clock. Reads are cheap (a
conversation's turns are recut only when one of its messages arrives), which keeps ``/api/watch``
in a few milliseconds for a whole team. No I/O and no aiohttp here.
"""

from __future__ import annotations

import asyncio
import bisect
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, tzinfo
from enum import StrEnum

from assistant.team.watch import DayFigures, Mark, Message, Rules, Turn, day_figures, turns

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

    def add(self, message: Message, rules: Rules) -> None:
        bisect.insort(self.messages, message, key=lambda m: m.at)
        self.turns = turns(self.messages, rules)

    @property
    def open_turn(self) -> Turn | None:
        return self.turns[-1] if self.turns and self.turns[-1].answered is None else None

    def trim(self, before: datetime, rules: Rules) -> None:
        keep = [m for m in self.messages if m.at >= before]
        if len(keep) != len(self.messages):
            self.messages = keep
            self.turns = turns(keep, rules)


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
class AgentFigures:
    agent_id: int
    open_conversations: int
    waiting: tuple[WaitingBuyer, ...]
    today: DayFigures


class Board:
    """The clocks of one service process, by (shop, conversation)."""

    def __init__(self, rules: Rules, tz: tzinfo) -> None:
        self.rules = rules
        self.tz = tz
        self.clocks: dict[tuple[int, str], Clock] = {}
        self.presence: dict[int, tuple[Presence, datetime]] = {}
        self.changed = asyncio.Event()  # set on every change, for the supervisors' live stream
        self.version = 0

    def observe(
        self, shop_id: int, conversation: str, buyer: str, agent_id: int | None, message: Message
    ) -> Clock:
        """A message was logged: move its conversation's clock."""
        clock = self.clocks.get((shop_id, conversation))
        if clock is None:
            clock = self.clocks[(shop_id, conversation)] = Clock(shop_id, conversation, buyer, agent_id)
        elif agent_id is not None:
            clock.agent_id = agent_id
        clock.add(message, self.rules)
        self._bump()
        return clock

    def assign(self, shop_id: int, conversation: str, agent_id: int) -> None:
        """A take-over: the conversation is on ``agent_id``'s console from now on."""
        clock = self.clocks.get((shop_id, conversation))
        if clock is not None:
            clock.agent_id = agent_id
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
            clock.trim(before, self.rules)
            if not clock.messages:
                del self.clocks[key]
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

    def waiting(
        self, now: datetime, shop_ids: Iterable[int], agent_id: int | None = None
    ) -> list[WaitingBuyer]:
        """Buyers waiting for a human answer in these shops (only ``agent_id``'s when given),
        longest first."""
        shops = set(shop_ids)
        return self._waiting_in(
            (
                c
                for c in self.clocks.values()
                if c.shop_id in shops and (agent_id is None or c.agent_id == agent_id)
            ),
            now,
        )

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

    def today(self, now: datetime, shop_ids: Iterable[int], agent_id: int | None = None) -> DayFigures:
        """Today's 3-minute rate and human response time (the agent's turns, when given)."""
        shops = set(shop_ids)
        day = now.astimezone(self.tz).date()
        picked = (
            turn
            for clock in self.clocks.values()
            if clock.shop_id in shops and (agent_id is None or clock.agent_id == agent_id)
            for turn in clock.turns
        )
        return day_figures(picked, day, self.rules, now, self.tz)

    def agents(self, now: datetime, shop_ids: Iterable[int]) -> dict[int, AgentFigures]:
        """Per agent with a conversation on the board in these shops: open conversations today,
        waiting buyers and today's figures."""
        shops = set(shop_ids)
        day = now.astimezone(self.tz).date()
        by_agent: dict[int, list[Clock]] = {}
        for clock in self.clocks.values():
            if clock.shop_id in shops and clock.agent_id is not None:
                by_agent.setdefault(clock.agent_id, []).append(clock)
        figures = {}
        for agent_id, clocks in by_agent.items():
            waiting = self._waiting_in(clocks, now)
            today = day_figures((t for c in clocks for t in c.turns), day, self.rules, now, self.tz)
            active = sum(1 for c in clocks if _active_on(c, day, self.tz))
            figures[agent_id] = AgentFigures(agent_id, active, tuple(waiting), today)
        return figures


def _active_on(clock: Clock, day: date, tz: tzinfo) -> bool:
    return any(m.at.astimezone(tz).date() == day for m in clock.messages)
