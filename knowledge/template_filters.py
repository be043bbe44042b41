"""Filters answer templates may use: money in yuan, dates, Chinese-style relative days.

Every filter passes a missing value through untouched (so it renders the fallback and
is reported) and turns a value of the wrong type into a missing one rather than
printing a Python error or repr.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from jinja2 import Undefined, pass_context
from jinja2.runtime import Context

DEFAULT_TZ = ZoneInfo("Asia/Shanghai")
_WEEKDAYS = "一二三四五六日"


def _bad(kind: str, value: Any) -> Undefined:
    from knowledge.template_sandbox import ENV

    return ENV.undefined(name=f"{kind}({type(value).__name__})")


def _as_datetime(value: Any) -> datetime | None:
    if isinstance(value, datetime):
        moment = value
    elif isinstance(value, date):
        moment = datetime(value.year, value.month, value.day)
    elif isinstance(value, str):
        try:
            moment = datetime.fromisoformat(value.strip())
        except ValueError:
            return None
    else:
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=DEFAULT_TZ)
    return moment.astimezone(DEFAULT_TZ)


def _yuan_text(fen: int) -> str:
    sign = "-" if fen < 0 else ""
    whole, cents = divmod(abs(fen), 100)
    if cents == 0:
        return f"{sign}{whole}"
    return f"{sign}{whole}.{cents:02d}".rstrip("0")


def money(value: Any) -> Any:
    """Fen to ``¥129.50`` (``¥129`` when whole)."""
    if isinstance(value, Undefined):
        return value
    if isinstance(value, bool) or not isinstance(value, int):
        return _bad("money", value)
    sign = "-" if value < 0 else ""
    whole, cents = divmod(abs(value), 100)
    return f"{sign}¥{whole}" if cents == 0 else f"{sign}¥{whole}.{cents:02d}"


def yuan(value: Any) -> Any:
    """Fen to a plain number of yuan: 12950 -> ``129.5``."""
    if isinstance(value, Undefined):
        return value
    if isinstance(value, bool) or not isinstance(value, int):
        return _bad("yuan", value)
    return _yuan_text(value)


def date_filter(value: Any, style: str = "short") -> Any:
    """A date the Chinese way: short ``11月11日``, long ``2026年11月11日``, time, weekday."""
    if isinstance(value, Undefined):
        return value
    moment = _as_datetime(value)
    if moment is None:
        return _bad("date", value)
    if style == "long":
        return f"{moment.year}年{moment.month}月{moment.day}日"
    if style == "time":
        return f"{moment.month}月{moment.day}日 {moment.hour:02d}:{moment.minute:02d}"
    if style == "weekday":
        return f"周{_WEEKDAYS[moment.weekday()]}"
    return f"{moment.month}月{moment.day}日"


def _today(context: Context) -> date:
    now = _as_datetime(context.get("now"))
    return (now or datetime.now(DEFAULT_TZ)).date()


def relative_days(target: date, today: date) -> str:
    """今天 / 明天 / 后天 / 大后天 / 昨天 / 前天 / N天后 / N天前."""
    delta = (target - today).days
    named = {0: "今天", 1: "明天", 2: "后天", 3: "大后天", -1: "昨天", -2: "前天"}
    if delta in named:
        return named[delta]
    return f"{delta}天后" if delta > 0 else f"{-delta}天前"


@pass_context
def relday(context: Context, value: Any) -> Any:
    """Relative to the context's ``now``: a date, or an int number of days from today."""
    if isinstance(value, Undefined):
        return value
    today = _today(context)
    if isinstance(value, int) and not isinstance(value, bool):
        return relative_days(today + timedelta(days=value), today)
    moment = _as_datetime(value)
    if moment is None:
        return _bad("relday", value)
    return relative_days(moment.date(), today)


@pass_context
def add_days(context: Context, value: Any, days: Any = 0) -> Any:
    """``now|add_days(3)``: the moment ``days`` later (a string ``now`` is understood)."""
    if isinstance(value, Undefined):
        return value
    if isinstance(days, Undefined):
        return days
    moment = _as_datetime(value)
    if moment is None or isinstance(days, bool) or not isinstance(days, int) or abs(days) > 3650:
        return _bad("add_days", value)
    return moment + timedelta(days=days)


FILTERS: dict[str, Callable[..., Any]] = {
    "money": money,
    "yuan": yuan,
    "date": date_filter,
    "relday": relday,
    "add_days": add_days,
}
