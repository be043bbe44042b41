"""Who is on which shift: the seeds' two shifts (08:30–17:30 and 17:30–00:30), swapped every half month.

Agents are in rotation group A or B. From the 1st to the 15th group A works the day shift and B the
evening; from the 16th they swap. An evening shift that runs past midnight belongs to the day it began.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta, tzinfo

from assistant.team.forecast import SHIFTS, Shift

GROUPS = ("A", "B")


def default_group(agent_id: int) -> str:
    """Agents nobody placed alternate between the groups by id."""
    return GROUPS[agent_id % 2]


def shift_for(group: str, day: date, shifts: tuple[Shift, ...] = SHIFTS) -> Shift:
    """The group's shift on ``day``."""
    first_half = day.day <= 15
    index = (GROUPS.index(group) + (0 if first_half else 1)) % len(shifts)
    return shifts[index]


@dataclass(frozen=True, slots=True)
class OnShift:
    shift: str
    starts: datetime
    ends: datetime
    now_on: bool


def window(shift: Shift, day: date, tz: tzinfo) -> tuple[datetime, datetime]:
    starts = datetime.combine(day, shift.start, tzinfo=tz)
    ends = datetime.combine(day, shift.end, tzinfo=tz)
    if ends <= starts:
        ends += timedelta(days=1)
    return starts, ends


def current(group: str, moment: datetime, tz: tzinfo, shifts: tuple[Shift, ...] = SHIFTS) -> OnShift:
    """The group's shift that ``moment`` falls in (yesterday's evening shift after midnight), or the next
    one of today when it is off."""
    local = moment.astimezone(tz)
    for day in (local.date() - timedelta(days=1), local.date()):
        shift = shift_for(group, day, shifts)
        starts, ends = window(shift, day, tz)
        if starts <= local < ends:
            return OnShift(shift.name, starts, ends, True)
    shift = shift_for(group, local.date(), shifts)
    starts, ends = window(shift, local.date(), tz)
    if local >= ends:
        following = local.date() + timedelta(days=1)
        shift = shift_for(group, following, shifts)
        starts, ends = window(shift, following, tz)
    return OnShift(shift.name, starts, ends, False)
