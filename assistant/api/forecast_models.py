"""Request and response models of the event-day forecast (``assistant.api.forecast_views``): the
typed-in figures, per shift and per hour, and the inputs read from the log."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from pydantic import Field

from assistant.api.io import QueryId
from knowledge.models import Id, Model


class ForecastIn(Model):
    this_october_daily: Annotated[float, Field(ge=0, le=10_000_000)]
    last_event_day: Annotated[float, Field(ge=0, le=100_000_000)]
    last_october_daily: Annotated[float, Field(gt=0, le=10_000_000)]
    agents: Annotated[int, Field(ge=0, le=100_000)] | None = Field(
        None, description="agents planned for the day (split over the shifts); default: the shop's roster"
    )
    shop: Id | None = Field(None, description="shop whose conversation log gives the hour curve and roster")
    day: date | None = Field(None, description="the event day, for the roster's shifts (default: 11-11)")


class ShiftOut(Model):
    shift: str
    share: float
    consultations: int
    agents_min: int
    agents_max: int
    rostered: int
    short: int
    per_agent: float | None = Field(None, description="consultations per rostered agent")
    rate_3min_expected: float = Field(description="the 3-minute rate expected with the rostered agents")


class HourOut(Model):
    hour: int
    consultations: float
    agents_needed: int
    on_shift: int


class ForecastOut(Model):
    forecast: int
    ratio: float
    agents_min: int = Field(description="agents at 120 consultations a day each, rounded up")
    agents_max: int = Field(description="agents at 80 consultations a day each, rounded up")
    verdict: str | None = Field(description="with agents: add (above 120 each), fewer (below 80) or ok")
    curve_from: str = Field(description="log (the shop's last 28 days) or typical (no history)")
    by_shift: list[ShiftOut]
    hours: list[HourOut] = Field(default_factory=list, description="each clock hour: load, need, on shift")
    hours_short: list[int] = Field(default_factory=list, description="hours with fewer agents than needed")
    rate_3min_now: float | None = Field(None, description="the shop's 3-minute rate over the last 28 days")
    roster_from: str = Field("none", description="typed (agents), roster (the shop's rotation) or none")
    curve_svg: str = Field("", description="SVG: the hour-by-hour curve")


class InputsQuery(Model):
    shop: QueryId | None = Field(None, description="default: the caller's main shop")
    year: Annotated[int, Field(ge=2000, le=2100)] | None = Field(None, description="this year (default: now)")


class InputsOut(Model):
    this_october_daily: float | None = Field(
        description="consultations a day in October of `year` (the days logged)"
    )
    last_october_daily: float | None
    last_event_day: float | None = Field(description="consultations on 11-11 of the year before")
