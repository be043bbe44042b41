"""Request and response models of the refund review's API (``assistant.api.refunds``)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from pydantic import Field, StringConstraints

from assistant.api.io import QueryId
from assistant.team.periods import PATTERN
from assistant.team.refund_store import State
from knowledge.models import Model, Role, Version

Note = Annotated[str, StringConstraints(max_length=200)]


class RefundsQuery(Model):
    shop: QueryId | None = Field(None, description="the shop (default: the caller's main shop)")
    state: State = Field(State.OPEN, description="open (oldest first), decided (newest first) or wrong")
    reviewer: QueryId | None = Field(None, description="only this reviewer's decisions")
    period: Annotated[str, StringConstraints(pattern=PATTERN)] | None = Field(
        None, description="only decisions made in this day, ISO week or month (the shop's zone)"
    )
    limit: Annotated[int, Field(ge=1, le=200)] = 50
    cursor: Annotated[int, Field(ge=0, le=10_000_000)] = Field(0, description="entries to skip (next_cursor)")


class HintOut(Model):
    code: str = Field(
        description="over_paid, returned, not_shipped, received, in_transit, frequent, risk, overdue"
    )
    text: str
    warn: bool = Field(description="worth a second look before approving")
    n: int = Field(description="the number the text names (fen, requests, minutes)")


class WrongOut(Model):
    reason: str
    by: str | None
    at: datetime | None


class RefundOut(Model):
    id: int
    order_id: str
    buyer: str
    amount_fen: int
    paid_fen: int = Field(description="the order's price + postage")
    order_status: str
    requested_at: datetime
    due_at: datetime = Field(description="requested_at + refund_review_minutes")
    outcome: Literal["approved", "rejected", "elsewhere"] | None
    reviewer: str | None
    decided_at: datetime | None
    took_minutes: int | None = Field(description="from the request to the decision")
    on_time: bool | None = Field(description="decided within refund_review_minutes (the efficiency)")
    note: str
    wrong: WrongOut | None = Field(description="a supervisor's 误退/误拒 mark (the quality)")
    version: Version
    hints: list[HintOut]


class RefundsOut(Model):
    requests: list[RefundOut]
    total: int = Field(description="requests in this state (all pages)")
    open: int
    overdue: int = Field(description="open requests past the review limit now")
    limit_minutes: int
    next_cursor: int | None


class DecisionIn(Model):
    outcome: Literal["approved", "rejected"]
    note: Note = Field("", description="why (required to reject)")
    version: Version


class WrongIn(Model):
    wrong: bool = Field(description="true: the decision was wrong; false: take the mark back")
    reason: Note = Field("", description="what was wrong (required to mark)")
    version: Version


class RefundReviewerIn(Model):
    refund_reviewer: bool


class RefundReviewerOut(Model):
    agent_id: int
    role: Role
