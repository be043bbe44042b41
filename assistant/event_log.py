"""Where the sidebar stream's events get their ids, and where a reconnect finds what it missed.

Every frame pushed to a sidebar (conversation events, sync answers, watch and QC notices) is published
through an :class:`EventLog`, which gives it an id and later replays what came after an id the browser
sends back as ``Last-Event-ID``. Two implementations behind the one interface, so the stream handler does
not know which it has:

- SQLite mode, :class:`RingEventLog`: ids are a monotonic counter started from the clock (so an id from
  before a restart is older than anything kept, never mistaken for a new one), the last ``RING_SIZE``
  events kept in memory; delivery is immediate.
- Hub mode, ``assistant.hub.events.HubEventLog``: the id is the change-feed row's, replay reads the
  ``changes`` table, and delivery comes back through the feed, so a sidebar on another process sees it.

When a reconnect asks for more than can be replayed (evicted from the ring, an id from another run or
another database, more than ``REPLAY_LIMIT`` missed events), :meth:`EventLog.replay` says so with
``None`` and the stream sends a ``reset`` event before the fresh ``state``: the sidebar knows it may have
missed something rather than silently skipping it.
"""

from __future__ import annotations

import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Protocol

RING_SIZE = 2000  # events kept for replay in SQLite mode (all agents together)
REPLAY_LIMIT = 500  # more missed events than this: a reset, not a flood


@dataclass(frozen=True)
class Published:
    """One event given its id: the agents it is for, its SSE event name and its JSON data."""

    id: int
    agent_ids: frozenset[int]
    event: str
    data: dict[str, Any]


Deliver = Callable[[Published], None]


class EventLog(Protocol):
    def publish(self, agent_ids: frozenset[int], event: str, data: dict[str, Any]) -> None:
        """Give the event an id and have it delivered (at once, or once it is stored)."""

    async def replay(self, agent_id: int, after: int) -> list[Published] | None:
        """The agent's events after ``after``, oldest first; ``None`` when that cannot be told exactly."""


def parse_event_id(raw: str | None) -> int | None:
    """The integer of a ``Last-Event-ID``; -1 (never a real id: replay says reset) when it is garbage."""
    if raw is None or not raw.strip():
        return None
    try:
        return int(raw.strip())
    except ValueError:
        return -1


class RingEventLog:
    """SQLite mode: a counter and a bounded in-memory ring (a restart forgets it, as it forgets state)."""

    def __init__(self, deliver: Deliver, size: int = RING_SIZE) -> None:
        self.deliver = deliver
        # Started from the clock in microseconds: ids keep growing across restarts of this process.
        self._last = time.time_ns() // 1000
        self._ring: deque[Published] = deque(maxlen=size)

    def publish(self, agent_ids: frozenset[int], event: str, data: dict[str, Any]) -> None:
        self._last += 1
        published = Published(self._last, agent_ids, event, data)
        self._ring.append(published)
        self.deliver(published)

    async def replay(self, agent_id: int, after: int) -> list[Published] | None:
        # Ids in the ring are consecutive, so "after" is replayable exactly when nothing after it was dropped.
        oldest_known = self._ring[0].id - 1 if self._ring else self._last
        if not oldest_known <= after <= self._last:
            return None
        missed = [p for p in self._ring if p.id > after and agent_id in p.agent_ids]
        return None if len(missed) > REPLAY_LIMIT else missed
