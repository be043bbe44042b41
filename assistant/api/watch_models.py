"""Request and response models of the response watch's API (``assistant.api.watch``)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Literal

from pydantic import Field, StringConstraints

from assistant.api.io import QueryId
from knowledge.models import Id, Model

ConversationId = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=100)]


class WaitingOut(Model):
    shop_id: int
    conversation: str
    buyer: str
    agent_id: int | None
    since: datetime
    waited_s: int
    mark: Literal["none", "nudge", "escalate", "missed", "limit"]
    buyer_messages: int
    claimed_by: str | None = None


class TodayOut(Model):
    rate: float | None = Field(description="3-minute rate of today's decided turns (0-1)")
    counted: int
    within: int
    pending: int = Field(description="open turns still under 180 s")
    rate_if_answered_now: float | None = Field(
        description="the rate if every pending buyer were answered now"
    )
    mean_response_s: float | None = Field(description="human response time, each turn capped at 10 minutes")


class MarksOut(Model):
    nudge_s: int
    escalate_s: int
    missed_s: int
    limit_s: int


class EmergencyOut(Model):
    id: int
    shop_id: int
    reason: str
    auto_reply: str
    script_id: int | None
    started_by_name: str
    started_at: datetime
    ended_by_name: str | None = None
    ended_at: datetime | None = None


class WatchOut(Model):
    waiting: list[WaitingOut]
    count: int
    longest_s: int
    today: TodayOut
    marks: MarksOut
    presence: Literal["online", "busy", "away"] | None
    on_shift: bool = Field(description="the roster has the caller on shift now; off shift counts as away")
    emergencies: list[EmergencyOut]


class AgentRow(Model):
    agent_id: int
    name: str
    login: str
    presence: Literal["online", "busy", "away"] | None
    shift: str = Field(description="the agent's shift today (or the next one when off): 早班 or 晚班")
    on_shift: bool
    open_conversations: int
    waiting: int
    oldest_s: int
    today: TodayOut


class ShopRow(Model):
    shop_id: int
    name: str
    waiting: int
    escalated: list[WaitingOut] = Field(description="buyers past the escalation mark, longest first")
    today: TodayOut


class TeamOut(Model):
    at: datetime
    agents: list[AgentRow]
    shops: list[ShopRow]
    marks: MarksOut
    emergencies: list[EmergencyOut]


class ClaimIn(Model):
    shop: Id
    conversation: ConversationId


class ClaimOut(Model):
    id: int
    shop_id: int
    conversation: str
    buyer: str
    agent_id: int
    agent_name: str
    from_agent_id: int | None
    claimed_at: datetime


class PresenceIn(Model):
    state: Literal["online", "busy", "away"]


class PresenceOut(Model):
    state: Literal["online", "busy", "away"]
    since: datetime


class EmergencyIn(Model):
    shop: Id
    on: bool = Field(description="true switches the emergency on, false off")
    reason: Annotated[str, StringConstraints(strip_whitespace=True, max_length=200)] = Field(
        "", description="what happened (required to switch on): 支付故障, 库存显示错误…"
    )
    auto_reply: Annotated[str, StringConstraints(strip_whitespace=True, max_length=500)] | None = Field(
        None,
        description="the auto-reply every agent proposes meanwhile; default: the campaign's emergency script",
    )


class EmergencyState(Model):
    shop_id: int
    on: bool
    current: EmergencyOut | None
    timeline: list[EmergencyOut]


class AutoReplyQuery(Model):
    shop: QueryId | None = None
    buyer: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=64)] | None = (
        Field(None, description="the buyer's nick, to fill the reply's variables")
    )


class AutoReplyOut(Model):
    text: str | None = Field(description="the reply to propose; null when the shop has none")
    source: Literal["emergency", "campaign", "none"]
    campaign: str | None = None


class RosterQuery(Model):
    day: date | None = Field(None, description="the day (default today, in the shop's time zone)")


class RosterRow(Model):
    agent_id: int
    name: str
    rotation: Literal["A", "B"]
    shift: str
    starts: datetime
    ends: datetime
    on_now: bool


class RosterOut(Model):
    day: date
    agents: list[RosterRow]


class RotationIn(Model):
    rotation: Literal["A", "B"]
