"""Buyers, orders, order lines, logistics events and audit entries."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Annotated

from pydantic import Field, StringConstraints, model_validator

from knowledge.models import Fen, Id, Model, Name, PositiveFen, ShortText, Text, Version

OrderId = Annotated[str, StringConstraints(pattern=r"^[0-9]{6,24}$")]
Nick = Annotated[Text, StringConstraints(min_length=1, max_length=40)]


class MemberTier(StrEnum):
    """The shop's own membership tier (店铺会员)."""

    NONE = "none"
    SILVER = "silver"
    GOLD = "gold"
    PLATINUM = "platinum"
    DIAMOND = "diamond"


class RiskFlag(StrEnum):
    """Malicious buyers an agent must handle with care, and keep evidence on."""

    BAD_REVIEW_EXTORTION = "bad_review_extortion"  # 差评师
    PROFESSIONAL_CLAIMANT = "professional_claimant"  # 职业打假
    MALICIOUS_COMPLAINT = "malicious_complaint"  # 恶意投诉


class OrderStatus(StrEnum):
    AWAITING_PAYMENT = "awaiting_payment"
    PAID = "paid"
    SHIPPED = "shipped"
    DELIVERED = "delivered"
    COMPLETED = "completed"
    CANCELLED = "cancelled"
    REFUNDING = "refunding"
    REFUNDED = "refunded"


OPEN_STATUSES = frozenset(
    {
        OrderStatus.AWAITING_PAYMENT,
        OrderStatus.PAID,
        OrderStatus.SHIPPED,
        OrderStatus.DELIVERED,
        OrderStatus.REFUNDING,
    }
)


class RemarkFlag(StrEnum):
    """Colour flag on the seller's order remark (旗帜)."""

    NONE = "none"
    RED = "red"
    YELLOW = "yellow"
    GREEN = "green"
    BLUE = "blue"
    PURPLE = "purple"


class RefundStatus(StrEnum):
    NONE = "none"
    REQUESTED = "requested"
    REFUNDED = "refunded"
    REJECTED = "rejected"


class LogisticsStatus(StrEnum):
    COLLECTED = "collected"
    IN_TRANSIT = "in_transit"
    OUT_FOR_DELIVERY = "out_for_delivery"
    DELIVERED = "delivered"
    EXCEPTION = "exception"
    RETURNED = "returned"
    FAILED_DELIVERY = "failed_delivery"


Phone = Annotated[str, StringConstraints(pattern=r"^(1[3-9][0-9]{9}|0[0-9]{2,3}-[0-9]{7,8}(-[0-9]{1,6})?)$")]


class Buyer(Model):
    id: Id
    shop_id: Id
    nick: Nick
    platform_level: Annotated[int, Field(strict=True, ge=0, le=6)] = 1
    member_tier: MemberTier = MemberTier.NONE
    first_seen_at: datetime
    tags: list[Name] = Field(default_factory=list, max_length=30)
    risk_flag: RiskFlag | None = None
    risk_note: ShortText | None = None
    risk_flagged_by: Id | None = None
    risk_flagged_at: datetime | None = None
    version: Version = 1

    @model_validator(mode="after")
    def _evidence(self) -> Buyer:
        if (self.risk_flag is None) != (self.risk_note is None):
            raise ValueError("标记风险买家必须附上证据说明")
        return self


class Address(Model):
    name: Annotated[Text, StringConstraints(min_length=1, max_length=30)]
    phone: Phone
    province: Name
    city: Name
    district: Annotated[Text, StringConstraints(max_length=60)] = ""
    detail: Annotated[Text, StringConstraints(min_length=1, max_length=200)]


class OrderLine(Model):
    item_id: Id | None
    sku: Annotated[str, StringConstraints(min_length=1, max_length=40)]
    title: Annotated[Text, StringConstraints(min_length=1, max_length=60)]
    unit_price_fen: PositiveFen
    quantity: Annotated[int, Field(strict=True, gt=0, le=999)]


class LogisticsEvent(Model):
    at: datetime
    status: LogisticsStatus
    location: ShortText = ""
    description: Annotated[Text, StringConstraints(min_length=1, max_length=300)]


class Order(Model):
    id: OrderId
    shop_id: Id
    buyer_id: Id
    status: OrderStatus
    created_at: datetime
    paid_at: datetime | None = None
    shipped_at: datetime | None = None
    delivered_at: datetime | None = None
    price_fen: PositiveFen
    postage_fen: Fen = 0
    address: Address
    seller_remark: Annotated[Text, StringConstraints(max_length=500)] = ""
    remark_flag: RemarkFlag = RemarkFlag.NONE
    courier: ShortText | None = None
    tracking_no: Annotated[str, StringConstraints(max_length=40)] | None = None
    refund_status: RefundStatus = RefundStatus.NONE
    disputed: bool = False
    lines: list[OrderLine] = Field(default_factory=list)
    logistics: list[LogisticsEvent] = Field(default_factory=list)
    version: Version = 1
