"""Request and response models of the order review queue's API (``assistant.api.review``)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from pydantic import Field, StringConstraints

from assistant.api.io import QueryId
from knowledge.models import Model, Role, Version


class CountQuery(Model):
    shop: QueryId | None = None


class HoldOut(Model):
    id: int
    reason: str
    held_by: str
    held_at: datetime


class ReasonOut(Model):
    code: str = Field(
        description="address_incomplete, region_contradicts, remote_area, phone_invalid, "
        "receiver_changed, message_/chat_ invoice|gift|promise, buyer_risk"
    )
    text: str


class ReviewOrderOut(Model):
    order_id: str
    version: int
    buyer: str
    paid_at: datetime
    ship_by: datetime = Field(description="payment + review_ship_hours; the queue's order")
    receiver_name: str
    receiver_phone: str
    address: str
    total_fen: int
    seller_remark: str
    remark_flag: str
    reasons: list[ReasonOut]
    hold: HoldOut | None


class CountOut(Model):
    count: int
    held: int


class ReviewedIn(Model):
    version: Version = Field(description="the order version the reviewer looked at")


class ReviewedOut(Model):
    review_id: int
    order_id: str
    version: int


class HoldIn(Model):
    reason: Annotated[str, StringConstraints(strip_whitespace=True, min_length=2, max_length=200)] = Field(
        description="why the order must not ship yet, shown to every agent on the order panel"
    )


class ReleaseIn(Model):
    note: Annotated[str, StringConstraints(strip_whitespace=True, max_length=200)] = ""


class HoldState(Model):
    order_id: str
    hold: HoldOut | None


class ReviewerIn(Model):
    reviewer: bool


class ReviewerOut(Model):
    agent_id: int
    role: Role
