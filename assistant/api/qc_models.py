"""Request and response models of the quality-control API (``assistant.api.qc``)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any, Literal

from pydantic import Field, StringConstraints

from assistant.api.io import QueryId
from knowledge.models import Id, Model

Conversation = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=100)]


class SampleQuery(Model):
    day: date | None = Field(None, description="the day whose conversations are sampled; default: yesterday")
    shop: QueryId | None = None
    size: Annotated[int, Field(ge=1, le=200)] = 50


class SampleItem(Model):
    conversation: str
    shop_id: int
    buyer: str
    agent_id: int
    agent: str
    reason: str
    reviewed: bool


class ReviewIn(Model):
    shop: Id
    conversation: Conversation
    day: date
    marks: dict[str, Annotated[int, Field(ge=1, le=5)] | None]
    comment: Annotated[str, StringConstraints(max_length=1000)] = ""
    calibration: bool = False


class ReviewOut(Model):
    id: int
    day: date
    reviewer: str
    shop_id: int
    conversation: str
    agent_id: int
    reason: str
    marks: dict[str, int | None]
    score: float
    zeroed_by: list[str]
    calibration: bool
    comment: str
    created_at: datetime
    dispute: str | None = Field(None, description="open, upheld or revised")
    final_score: float


class ReviewsQuery(Model):
    agent: QueryId | None = Field(None, description="whose reviews (supervisors); default: the caller's own")


class ReviewsOut(Model):
    reviews: list[ReviewOut]
    mean: float | None


class DisputeIn(Model):
    reason: Annotated[str, StringConstraints(strip_whitespace=True, min_length=2, max_length=500)]


class DecideIn(Model):
    decision: Literal["upheld", "revised"]
    marks: dict[str, Annotated[int, Field(ge=1, le=5)] | None] | None = Field(
        None, description="the second reviewer's marks (required to revise)"
    )


class DisputeOut(Model):
    id: int
    review_id: int
    agent_id: int
    reason: str
    at: datetime
    decision: str | None
    new_score: float | None


class DisputesOut(Model):
    disputes: list[DisputeOut]


class CalibrationQuery(Model):
    day: date | None = None
    shop: QueryId | None = None


class CalibrationItem(Model):
    conversation: str
    scores: dict[str, float] = Field(description="reviewer name → score")
    range: float
    stdev: float
    mean: float


class CalibrationOut(Model):
    day: date
    items: list[CalibrationItem]


class EvidenceIn(Model):
    shop: Id
    conversation: Conversation
    note: Annotated[str, StringConstraints(strip_whitespace=True, min_length=2, max_length=500)] = Field(
        description="what the buyer did: 以差评威胁要求赔偿, 要求加QQ私下退款…"
    )
    flag: Literal["bad_review_extortion", "professional_claimant", "malicious_complaint"] = (
        "malicious_complaint"
    )


class EvidenceOut(Model):
    id: int
    shop_id: int
    buyer: str
    conversation: str
    note: str
    created_by: str
    created_at: datetime
    hash: str
    intact: bool = Field(description="the stored payload still gives the stored hash")
    deleted: bool
    payload: dict[str, Any]


class DeleteIn(Model):
    reason: Annotated[str, StringConstraints(strip_whitespace=True, min_length=2, max_length=200)]
