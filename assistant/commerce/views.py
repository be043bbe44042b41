"""What the sidebar renders: buyer cards, orders, approvals and edit outcomes, display-ready.

Every amount comes twice: integer fen for programs (``price_fen``) and a yuan string for people
(``price_yuan``: ``"¥199.00"``). Every code comes with its Chinese label (``commerce.labels``).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import Field

from assistant.commerce.labels import (
    STATUS_LABELS,
    TIER_LABELS,
)
from assistant.commerce.models import (
    LogisticsStatus,
    MemberTier,
    OrderStatus,
    RefundStatus,
    RemarkFlag,
    RiskFlag,
)
from assistant.commerce.store_rows import StoredBuyer, StoredOrder
from assistant.sync.models import Offer, OutboxEntry
from knowledge.models import Model

# ---- buyer card ----------------------------------------------------------------------------


class RiskOut(Model):
    flag: RiskFlag
    label: str
    note: str
    flagged_by: int | None
    flagged_by_name: str
    flagged_at: datetime | None


class NoteOut(Model):
    id: int
    agent_id: int
    agent_name: str
    text: str
    at: datetime


class BuyerOut(Model):
    id: int
    shop_id: int
    nick: str
    platform_level: int
    platform_level_label: str
    member_tier: MemberTier
    member_tier_label: str
    first_seen_at: datetime
    tags: list[str]
    version: int


class CustomerOut(Model):
    kind: Literal["new", "returning"]
    label: str
    since: datetime
    since_label: str


class SpendOut(Model):
    orders: int
    purchases: int
    total_fen: int
    total_yuan: str
    average_fen: int
    average_yuan: str


class OrderBrief(Model):
    order_id: str
    status: OrderStatus
    status_label: str
    created_at: datetime
    price_fen: int
    price_yuan: str
    summary: str
    refund_status: RefundStatus
    refund_label: str
    disputed: bool
    alert: str | None = None


class CategoryOut(Model):
    category: str
    quantity: int


class RefundsOut(Model):
    refunds: int
    open_refunds: int
    disputes: int
    orders: list[OrderBrief]


class RfmOut(Model):
    recency_days: int | None
    frequency: int
    monetary_fen: int
    monetary_yuan: str
    r: Literal["high", "low"]
    f: Literal["high", "low"]
    m: Literal["high", "low"]
    segment: str
    segment_label: str
    explanation: str


class BuyerCard(Model):
    buyer: BuyerOut
    customer: CustomerOut
    spend: SpendOut
    last_purchase: OrderBrief | None
    favourite_categories: list[CategoryOut]
    open_orders: list[OrderBrief]
    refunds: RefundsOut
    notes: list[NoteOut]
    rfm: RfmOut
    risk: RiskOut | None


# ---- orders ----------------------------------------------------------------------------------


class AddressOut(Model):
    name: str
    phone: str
    province: str
    city: str
    district: str
    detail: str
    full: str
    one_line: str
    masked: bool = Field(
        True, description="phone and street address masked (138****5276); full only for editing"
    )


class LineOut(Model):
    item_id: int | None
    sku: str
    title: str
    unit_price_fen: int
    unit_price_yuan: str
    quantity: int
    subtotal_fen: int
    subtotal_yuan: str


class EventOut(Model):
    at: datetime
    status: LogisticsStatus
    label: str
    location: str
    description: str


class LogisticsOut(Model):
    courier: str | None
    tracking_no: str | None
    state: Literal["not_shipped", "normal", "delivered", "stale", "returned", "failed_delivery", "exception"]
    label: str
    exception: bool
    detail: str
    last_update_at: datetime | None
    hours_since_update: int | None
    events: list[EventOut]
    message: str


class Allowed(Model):
    allowed: bool
    reason: str


class EditRules(Model):
    price: Allowed
    postage: Allowed
    address: Allowed
    remark: Allowed
    undo: Allowed


class ApprovalOut(Model):
    id: int
    shop_id: int
    order_id: str
    kind: Literal["price"]
    status: Literal["pending", "granted", "refused", "failed"]
    status_label: str
    requested_by: int
    requested_by_name: str
    requested_at: datetime
    original_price_fen: int
    original_price_yuan: str
    from_price_fen: int
    from_price_yuan: str
    to_price_fen: int
    to_price_yuan: str
    discount_basis_points: int
    discount_label: str
    reason: str
    decided_by: int | None
    decided_by_name: str
    decided_at: datetime | None
    decision_note: str


class HistoryEntry(Model):
    id: int
    at: datetime
    agent_id: int | None
    agent_name: str
    action: str
    action_label: str
    reason: str
    before: dict[str, Any] | None
    after: dict[str, Any] | None
    undoes: int | None
    undone: bool


class OrderSummary(Model):
    id: str
    shop_id: int
    buyer_id: int
    status: OrderStatus
    status_label: str
    created_at: datetime
    price_fen: int
    price_yuan: str
    postage_fen: int
    postage_yuan: str
    total_fen: int
    total_yuan: str
    summary: str
    remark_flag: RemarkFlag
    refund_status: RefundStatus
    refund_label: str
    disputed: bool
    version: int


class OrderDetail(Model):
    id: str
    shop_id: int
    buyer_id: int
    buyer_nick: str
    status: OrderStatus
    status_label: str
    created_at: datetime
    paid_at: datetime | None
    shipped_at: datetime | None
    delivered_at: datetime | None
    price_fen: int
    price_yuan: str
    original_price_fen: int
    original_price_yuan: str
    discount_basis_points: int
    discount_label: str
    postage_fen: int
    postage_yuan: str
    total_fen: int
    total_yuan: str
    address: AddressOut
    seller_remark: str
    remark_flag: RemarkFlag
    remark_flag_label: str
    refund_status: RefundStatus
    refund_label: str
    disputed: bool
    lines: list[LineOut]
    logistics: LogisticsOut
    edits: EditRules
    approvals: list[ApprovalOut]
    history: list[HistoryEntry]
    sync: list[OutboxEntry] = Field(
        default_factory=list, description="the order's edits on their way to the platform, newest first"
    )
    version: int
    updated_at: datetime


class EditOutcome(Model):
    """What an edit, an undo or a granted approval did."""

    applied: bool
    replayed: bool = False
    message: str
    audit_id: int | None
    approval: ApprovalOut | None
    order: OrderDetail
    sync: Offer | None = Field(
        None, description="the outbox entry of an applied edit: post `message` to the host (kefu.apply_edit)"
    )


class RelatedOut(Model):
    item_id: int
    sku: str
    title: str
    category: str
    price_fen: int
    price_yuan: str
    stock: int
    source: Literal["editor", "bought_together", "both"]
    bought_together: int
    note: str
    message: str


def order_for_templates(row: StoredOrder) -> dict[str, Any]:
    """An order as answer templates see it (``{{ order.status_text }}`` …), labelled like the order panel."""
    return {
        "id": row.id,
        "status": row.status,
        "status_text": STATUS_LABELS[OrderStatus(row.status)],
        "total_fen": row.price_fen + row.postage_fen,
        "postage_fen": row.postage_fen,
        "created_at": row.created_at,
        "paid_at": row.paid_at,
        "shipped_at": row.shipped_at,
        "courier": row.courier,
        "tracking_no": row.tracking_no,
        "receiver": row.receiver_name,
        "address": f"{row.province}{row.city}{row.district}{row.address_detail}",
    }


def buyer_for_templates(row: StoredBuyer, orders_count: int) -> dict[str, Any]:
    """A buyer as answer templates see it, labelled like the buyer card (no tier for non-members)."""
    tier = MemberTier(row.member_tier)
    return {
        "nick": row.nick,
        "name": row.nick,
        "level": f"V{row.platform_level}",
        "member_tier": "" if tier is MemberTier.NONE else TIER_LABELS[tier],
        "is_new": orders_count == 0,
        "orders_count": orders_count,
    }
