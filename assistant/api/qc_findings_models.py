"""Request and response models of the QC findings API (``assistant.api.qc_findings``)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Literal

from pydantic import Field, StringConstraints

from assistant.api.io import QueryId
from assistant.api.qc_models import Conversation
from knowledge.models import Id, Model

Word = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=20)]


Note = Annotated[str, StringConstraints(strip_whitespace=True, min_length=2, max_length=1000)]


class CategoryIn(Model):
    key: Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9_]{0,39}$")]
    label: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=20)]
    weight: Annotated[float, Field(ge=0, le=100)]
    scale: Annotated[int, Field(ge=2, le=5)] = 5
    critical: bool = False


class ScorecardIn(Model):
    categories: Annotated[list[CategoryIn], Field(min_length=1, max_length=30)]


class WordsIn(Model):
    words: Annotated[list[Word], Field(max_length=500)]


class WordsOut(Model):
    words: list[str]


class ConversationQuery(Model):
    shop: QueryId
    conversation: Conversation


class FindingOut(Model):
    id: int
    shop_id: int
    review_id: int | None
    conversation: str
    agent_id: int | None
    agent: str | None
    kind: Literal["fix", "training"]
    target_kind: Literal["quick_reply", "intent"] | None
    target_id: int | None
    target_name: str
    note: str
    created_by: str
    created_at: datetime
    closed_at: datetime | None
    outcome: str


class TagOut(Model):
    id: int
    shop_id: int
    conversation: str
    day: date
    tag: Literal["lost_order", "excellent"]
    agent: str | None
    buyer: str
    note: str
    created_by: str
    created_at: datetime


class FindingIn(Model):
    shop: Id
    kind: Literal["fix", "training"]
    note: Note
    review: Id | None = Field(
        None, description="the review the finding comes from (its conversation and agent)"
    )
    conversation: Conversation | None = None
    agent: Id | None = Field(None, description="whom a training card is for; default: the reviewed agent")
    target_kind: Literal["quick_reply", "intent"] | None = Field(None, description="what a fix is on")
    target: Id | None = Field(None, description="the quick reply's or intent's id")


class FindingsQuery(Model):
    shop: QueryId | None = None
    state: Literal["open", "closed", "all"] = "open"
    kind: Literal["fix", "training"] | None = None
    target_kind: Literal["quick_reply", "intent"] | None = None
    target: QueryId | None = None


class FindingsOut(Model):
    findings: list[FindingOut]


class TagIn(Model):
    shop: Id
    conversation: Conversation
    tag: Literal["lost_order", "excellent"]
    note: Annotated[str, StringConstraints(strip_whitespace=True, max_length=500)] = ""


class PackQuery(Model):
    week: date | None = Field(None, description="any day of the week; default: this week")
    shop: QueryId | None = None
