"""Report periods: a day ``2026-11-11``, an ISO week ``2026-W45`` or a month ``2026-11`` (years
2000–2099: the date arithmetic around a period, a month of attribution before it, never overflows)."""

from __future__ import annotations

from datetime import date, timedelta

PATTERN = r"^20\d{2}-(0[1-9]|1[0-2])(-\d{2})?$|^20\d{2}-W\d{2}$"


def month_range(period: str) -> tuple[date, date]:
    year, month = int(period[:4]), int(period[5:7])
    return date(year, month, 1), date(year + (month == 12), month % 12 + 1, 1)


def period_range(period: str) -> tuple[date, date, str]:
    """``[start, end)`` and the kind (day, week or month); ValueError for a date that does not exist."""
    if "-W" in period:
        start = date.fromisocalendar(int(period[:4]), int(period[6:]), 1)
        return start, start + timedelta(days=7), "week"
    if len(period) == 10:
        day = date.fromisoformat(period)
        return day, day + timedelta(days=1), "day"
    start, end = month_range(period)
    return start, end, "month"


def months_before(period_start: date, count: int) -> list[str]:
    """The ``count`` whole months before the month of ``period_start``, newest first."""
    out = []
    first = period_start.replace(day=1)
    for _ in range(count):
        first = (first - timedelta(days=1)).replace(day=1)
        out.append(first.strftime("%Y-%m"))
    return out
