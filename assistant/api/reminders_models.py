"""Request and response models of the reminders API (``assistant.api.reminders``)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from pydantic import Field, StringConstraints

from assistant.api.io import QueryId
from knowledge.models import Model

ChannelName = Literal["chat", "sms", "phone"]


class OrderOut(Model):
    id: str
    status: str
    total_fen: int
    created_at: datetime


class TouchOut(Model):
    at: datetime
    agent: str
    channel: ChannelName
    outcome: str


class TaskOut(Model):
    id: int
    shop_id: int
    buyer: str
    orders: list[OrderOut]
    total_fen: int
    owner_id: int | None
    owner: str | None
    channel: ChannelName
    next_touch_at: datetime | None
    due: bool = Field(description="the next touch is due now")
    call_from: datetime | None = Field(None, description="phone tasks: when the next calling slot opens")
    closes_at: datetime
    touches_today: int
    touches_planned: int
    touches: list[TouchOut]
    state: str


class TouchIn(Model):
    channel: ChannelName
    outcome: Annotated[str, StringConstraints(strip_whitespace=True, max_length=200)] = Field(
        "", description="what happened: 已发送, 未接通, 答应今晚付款…"
    )
    text: Annotated[str, StringConstraints(max_length=500)] = Field("", description="the text sent, if any")


class DoneIn(Model):
    outcome: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)] = Field(
        description="why the task ends: 不想要了, 已在别处买, 联系不上…"
    )


class SnoozeIn(Model):
    minutes: Annotated[int, Field(ge=5, le=24 * 60)]


class ScriptQuery(Model):
    reason: Literal["default", "price", "size", "delivery"] = Field(
        "default", description="what holds the buyer back: the script's variant (价格, 尺码, 发货时间)"
    )
    channel: Literal["chat", "sms"] = "chat"


class BuyerQuery(Model):
    shop: QueryId | None = None
    nick: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=64)]


class BuyerLine(Model):
    line: str | None = Field(
        description="催付：小美 · 14:05 · 旺旺 · 今天第 1/3 次 (null when nobody reminded today)"
    )
    task_id: int | None
    owner: str | None
    touches_today: int
    per_day: int


class EffectQuery(Model):
    shop: QueryId | None = None
    days: Annotated[int, Field(ge=1, le=90)] = 30


class EffectRow(Model):
    agent: str
    channel: ChannelName
    reminded: int
    paid: int
    rate: float | None
    recovered_fen: int


class EffectOut(Model):
    rows: list[EffectRow]
    reminded: int
    reminded_paid: int
    held_out: int
    held_out_paid: int
    lift: float | None = Field(description="paid rate of reminded tasks minus that of held-out ones")
    lift_low: float | None
    lift_high: float | None
    paid_before_reminder: int


class RulesOut(Model):
    """The rules in force (settings; ``docs/settings.md`` says how to change them)."""

    first_after_minutes: int
    touches: list[str] = Field(description="when the touches are planned, in words")
    close_after_hours: int
    flash_close_minutes: int
    flash_sale_words: list[str]
    per_day: int = Field(description="messages a buyer gets a day at most, reminders and care together")
    quiet_hours: str
    phone_from_yuan: int
    calling_hours: list[str]
    lease_minutes: int
    holdout_percent: float
    care_channel: Literal["host", "sms"]
    care_review_after_days: int
    care_event_days_before: int
    jam_approval_from_buyers: int
