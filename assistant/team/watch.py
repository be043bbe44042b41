"""The response clock by the platform's rule (旺旺 3 分钟响应率 and 人工响应时间). No I/O here.

A **turn** starts at the buyer's first unanswered message and ends at the first *human* reply;
more buyer messages do not restart it. Auto-replies never stop the clock; assist-bot replies stop
it only when the shop says so (the platform counts some 智能辅助 bots). The 3-minute rate counts the
turns answered within 180 s inside the daily window (08:00–24:00 by default): a turn opened outside
the window and answered inside it counts, its clock starting when the window opens (our reading: the
platform does not expect an answer before the shop opens). Human response time averages the answered
turns of one day, each capped at 10 minutes; turns answered on another day are left out of it.

Every mark is a setting: 100 s (the console's nudge), 150 s (the supervisor's wall highlights it),
180 s (counted as missed), 300 s (the seeds' limit: nobody waits longer).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, tzinfo
from enum import StrEnum


class Source(StrEnum):
    """Who wrote a message the shop sent (the contract's ``message.sent.source``)."""

    HUMAN = "human"
    AUTO_REPLY = "auto_reply"
    ASSIST_BOT = "assist_bot"


class Mark(StrEnum):
    """The last mark a waiting buyer has passed, in order."""

    NONE = "none"
    NUDGE = "nudge"
    ESCALATE = "escalate"
    MISSED = "missed"
    LIMIT = "limit"


@dataclass(frozen=True, slots=True)
class Message:
    """One message of a conversation as the clock sees it."""

    at: datetime
    from_buyer: bool
    source: Source = Source.HUMAN
    agent: str | None = None


@dataclass(frozen=True, slots=True)
class Rules:
    """The clock's settings (defaults from the platform's rule and the seeds)."""

    window_start: time = time(8, 0)
    window_end: time | None = None  # None: midnight, the end of the day
    answered_within_s: int = 180
    cap_s: int = 600
    nudge_s: int = 100
    escalate_s: int = 150
    limit_s: int = 300
    assist_bot_counts: bool = False

    def stops_clock(self, message: Message) -> bool:
        if message.from_buyer:
            return False
        if message.source is Source.HUMAN:
            return True
        return message.source is Source.ASSIST_BOT and self.assist_bot_counts

    def window(self, day: date, tz: tzinfo) -> tuple[datetime, datetime]:
        """The day's scored window in the shop's time zone."""
        start = datetime.combine(day, self.window_start, tzinfo=tz)
        if self.window_end is None:
            return start, datetime.combine(day + timedelta(days=1), time(0), tzinfo=tz)
        return start, datetime.combine(day, self.window_end, tzinfo=tz)

    def mark(self, waited_s: float) -> Mark:
        for limit, mark in (
            (self.limit_s, Mark.LIMIT),
            (self.answered_within_s, Mark.MISSED),
            (self.escalate_s, Mark.ESCALATE),
            (self.nudge_s, Mark.NUDGE),
        ):
            if waited_s >= limit:
                return mark
        return Mark.NONE


@dataclass(frozen=True, slots=True)
class Turn:
    """From the buyer's first unanswered message to the first reply that stops the clock."""

    started: datetime
    buyer_messages: int
    answered: datetime | None = None
    answered_by: str | None = None

    def waited_s(self, now: datetime) -> float:
        """Seconds the buyer waited (so far, when the turn is still open)."""
        return ((self.answered or now) - self.started).total_seconds()


def turns(messages: Iterable[Message], rules: Rules = Rules()) -> list[Turn]:
    """Cut a conversation into turns; the messages may come in any order."""
    found: list[Turn] = []
    open_turn: Turn | None = None
    for message in sorted(messages, key=lambda m: m.at):
        if message.from_buyer:
            if open_turn is None:
                open_turn = Turn(started=message.at, buyer_messages=1)
            else:
                open_turn = Turn(open_turn.started, open_turn.buyer_messages + 1)
        elif open_turn is not None and rules.stops_clock(message):
            found.append(Turn(open_turn.started, open_turn.buyer_messages, message.at, message.agent))
            open_turn = None
    if open_turn is not None:
        found.append(open_turn)
    return found


@dataclass(frozen=True, slots=True)
class Scored:
    """How one turn counts for the day of its window."""

    turn: Turn
    day: date
    clock_start: datetime
    within: bool | None  # None: still open and under the mark, not decided yet
    response_s: float | None  # capped human response time, when it enters the day's average


def score(turn: Turn, rules: Rules, now: datetime, tz: tzinfo) -> Scored | None:
    """The turn's place in the 3-minute rate (days in the shop's time zone ``tz``), or None when
    the window leaves it out. Times must carry their offset."""
    started = turn.started.astimezone(tz)
    answered = turn.answered.astimezone(tz) if turn.answered else None
    day = started.date()
    start, end = rules.window(day, tz)
    clock = started
    if not start <= started < end:
        # opened outside the window: it counts only when answered (or still waiting) inside one,
        # and its clock starts when that window opens
        moment = answered or now.astimezone(tz)
        day = moment.date()
        start, end = rules.window(day, tz)
        if not start <= moment < end:
            return None
        clock = max(started, start)
    if answered is None:
        waited = (now - clock).total_seconds()
        decided = waited > rules.answered_within_s or now >= end
        return Scored(turn, day, clock, False if decided else None, None)
    response = (answered - clock).total_seconds()
    capped = min(response, rules.cap_s) if answered.date() == day else None
    return Scored(turn, day, clock, response <= rules.answered_within_s, capped)


@dataclass(frozen=True, slots=True)
class DayFigures:
    """One day's response figures for an agent, a shop or anything else the turns were picked by."""

    counted: int
    within: int
    pending: int  # open turns still under the mark: answered now, they would count as within
    response_total_s: float
    responses: int

    @property
    def rate(self) -> float | None:
        """The 3-minute rate of the decided turns (None when nothing is decided yet)."""
        return self.within / self.counted if self.counted else None

    @property
    def rate_if_answered_now(self) -> float | None:
        """The what-if line: every buyer still under the mark answered this moment."""
        total = self.counted + self.pending
        return (self.within + self.pending) / total if total else None

    @property
    def mean_response_s(self) -> float | None:
        return self.response_total_s / self.responses if self.responses else None


def day_figures(all_turns: Iterable[Turn], day: date, rules: Rules, now: datetime, tz: tzinfo) -> DayFigures:
    """The 3-minute rate and human response time of ``day`` over the given turns."""
    counted = within = pending = responses = 0
    total = 0.0
    for turn in all_turns:
        scored = score(turn, rules, now, tz)
        if scored is None or scored.day != day:
            continue
        if scored.within is None:
            pending += 1
            continue
        counted += 1
        within += scored.within
        if scored.response_s is not None:
            responses += 1
            total += scored.response_s
    return DayFigures(counted, within, pending, total, responses)


@dataclass(frozen=True, slots=True)
class Waiting:
    """A conversation whose buyer is waiting for a human answer."""

    conversation: str
    since: datetime
    waited_s: float
    mark: Mark
    buyer_messages: int


def waiting(
    conversations: Iterable[tuple[str, Sequence[Message]]], rules: Rules, now: datetime
) -> list[Waiting]:
    """The conversations with an open turn, longest wait first (ties by conversation id)."""
    found = []
    for conversation, messages in conversations:
        cut = turns(messages, rules)
        if cut and cut[-1].answered is None:
            open_turn = cut[-1]
            waited = max(0.0, open_turn.waited_s(now))
            found.append(
                Waiting(conversation, open_turn.started, waited, rules.mark(waited), open_turn.buyer_messages)
            )
    found.sort(key=lambda w: (-w.waited_s, w.conversation))
    return found
