"""The event-day forecast and how many agents it takes (seed 003's formula and load band).

forecast = this October's daily average × (last year's event day ÷ last October's daily average);
an agent handles 80–120 consultations a day: above 120 add people, below 80 consider fewer.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import time

LOAD_LOW = 80
LOAD_HIGH = 120


@dataclass(frozen=True, slots=True)
class Forecast:
    consultations: int
    ratio: float
    agents_min: int  # at LOAD_HIGH consultations an agent
    agents_max: int  # at LOAD_LOW consultations an agent


def forecast(
    this_october_daily: float,
    last_event_day: float,
    last_october_daily: float,
    load_low: int = LOAD_LOW,
    load_high: int = LOAD_HIGH,
) -> Forecast:
    """The event day's consultations and the team it takes (agents rounded up)."""
    if last_october_daily <= 0:
        raise ValueError("last_october_daily must be above 0")
    ratio = last_event_day / last_october_daily
    total = math.ceil(this_october_daily * ratio - 1e-9)
    return Forecast(total, ratio, agents_needed(total, load_high), agents_needed(total, load_low))


def agents_needed(consultations: float, per_agent: int) -> int:
    return math.ceil(consultations / per_agent - 1e-9) if consultations > 0 else 0


def load_verdict(
    consultations: float, agents: int, load_low: int = LOAD_LOW, load_high: int = LOAD_HIGH
) -> str:
    """``add`` above the band, ``fewer`` below it, ``ok`` inside it (per agent per day)."""
    if agents <= 0:
        return "add" if consultations > 0 else "ok"
    per_agent = consultations / agents
    if per_agent > load_high:
        return "add"
    if per_agent < load_low:
        return "fewer"
    return "ok"


@dataclass(frozen=True, slots=True)
class Shift:
    name: str
    start: time
    end: time  # may be past midnight (00:30): then it ends the next day

    def hours(self) -> list[int]:
        """The clock hours the shift covers, in order (an hour counts when the shift covers either half)."""
        start = self.start.hour * 60 + self.start.minute
        end = self.end.hour * 60 + self.end.minute
        if end <= start:
            end += 24 * 60
        return sorted({(minute // 60) % 24 for minute in range(start, end, 30)})

    def length_h(self) -> float:
        start = self.start.hour * 60 + self.start.minute
        end = self.end.hour * 60 + self.end.minute
        return ((end - start) % (24 * 60) or 24 * 60) / 60


SHIFTS: tuple[Shift, ...] = (
    Shift("早班", time(8, 30), time(17, 30)),
    Shift("晚班", time(17, 30), time(0, 30)),
)


@dataclass(frozen=True, slots=True)
class ShiftNeed:
    shift: str
    share: float  # of the day's consultations
    consultations: int
    agents_min: int
    agents_max: int
    rostered: int
    short: int  # agents missing at the band's high end (0 when covered)


def by_shift(
    total: int,
    hour_shares: Mapping[int, float],
    roster: Mapping[str, int],
    shifts: Sequence[Shift] = SHIFTS,
    load_low: int = LOAD_LOW,
    load_high: int = LOAD_HIGH,
) -> list[ShiftNeed]:
    """Split the day by the hour curve (shares of each clock hour, normalised here) and size each
    shift; an hour two shifts cover is split between them."""
    weight = sum(hour_shares.values())
    if weight <= 0:
        raise ValueError("the hour curve is empty")
    covering: dict[int, int] = {}
    for shift in shifts:
        for hour in shift.hours():
            covering[hour] = covering.get(hour, 0) + 1
    needs = []
    for shift in shifts:
        share = sum(hour_shares.get(h, 0) / weight / covering[h] for h in shift.hours())
        consultations = math.ceil(total * share - 1e-9)
        low = agents_needed(consultations, load_high)
        rostered = roster.get(shift.name, 0)
        needs.append(
            ShiftNeed(
                shift.name,
                share,
                consultations,
                low,
                agents_needed(consultations, load_low),
                rostered,
                max(0, low - rostered),
            )
        )
    return needs


@dataclass(frozen=True, slots=True)
class HourNeed:
    hour: int
    consultations: float
    agents_needed: int  # at LOAD_HIGH a day spread over a shift's hours
    on_shift: int


def by_hour(
    total: int,
    hour_shares: Mapping[int, float],
    roster: Mapping[str, int],
    shifts: Sequence[Shift] = SHIFTS,
    load_high: int = LOAD_HIGH,
) -> list[HourNeed]:
    """Each clock hour's consultations and the agents it takes: an agent on a shift ``n`` hours long
    handles ``load_high / n`` an hour at the band's top (an hour outside every shift: a 9-hour day's); ``on_shift`` counts the rostered agents whose
    shift covers the hour."""
    weight = sum(hour_shares.values())
    if weight <= 0:
        raise ValueError("the hour curve is empty")
    out = []
    for hour in range(24):
        expected = total * hour_shares.get(hour, 0) / weight
        covering = [s for s in shifts if hour in s.hours()]
        per_hour = max((load_high / s.length_h() for s in covering), default=load_high / 9)
        need = math.ceil(expected / per_hour - 1e-9) if expected > 0 else 0
        out.append(HourNeed(hour, expected, need, sum(roster.get(s.name, 0) for s in covering)))
    return out


def expected_rate(
    rate_now: float | None, consultations: int, agents: int, load_high: int = LOAD_HIGH
) -> float:
    """What the 3-minute rate becomes when ``agents`` face ``consultations``: within their capacity
    (``load_high`` each) it stays what it is now; past it, the buyers beyond the capacity wait, so the
    rate falls by the covered share (a simple, stated model: 1.0 when there is no rate yet)."""
    now = 1.0 if rate_now is None else rate_now
    if consultations <= 0:
        return now
    return now * min(1.0, agents * load_high / consultations)
