"""The snapshots and answers the chat client posts, and what the outbox hands to it."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, StringConstraints

from assistant.commerce.models import LogisticsStatus, OrderId, OrderStatus, Phone, RefundStatus, RemarkFlag
from knowledge.models import Fen, PositiveFen

ShopCode = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=64)]
Nick = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=40)]
Short = Annotated[str, StringConstraints(strip_whitespace=True, max_length=60)]
KeyText = Annotated[str, StringConstraints(strip_whitespace=True, min_length=8, max_length=100)]


class _Strict(BaseModel):
    """Every snapshot field is checked: unknown fields are errors, numbers are never coerced from text."""

    model_config = ConfigDict(extra="forbid", frozen=True)


class SnapshotAddress(_Strict):
    name: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=30)]
    phone: Phone
    province: Annotated[Short, StringConstraints(min_length=1)]
    city: Annotated[Short, StringConstraints(min_length=1)]
    district: Short = ""
    detail: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]


class SnapshotLine(_Strict):
    item_id: Annotated[int, Field(strict=True, gt=0)] | None = Field(
        None, description="the shop's item id; an item we do not know is kept as a line without it"
    )
    sku: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=40)]
    title: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=60)]
    unit_price_fen: PositiveFen
    quantity: Annotated[int, Field(strict=True, gt=0, le=999)]


class SnapshotTrace(_Strict):
    at: AwareDatetime
    status: LogisticsStatus
    location: Short = ""
    description: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=300)]


class OrderSnapshot(_Strict):
    """Everything the host shows of one order, as of ``modified_at`` on the platform."""

    type: Literal["order.snapshot"]
    shop: ShopCode = Field(description="shop code")
    order_id: OrderId
    buyer: Nick = Field(description="buyer nick (旺旺名)")
    modified_at: AwareDatetime = Field(description="the platform's last-modified time of the order")
    status: OrderStatus
    created_at: AwareDatetime
    paid_at: AwareDatetime | None = None
    shipped_at: AwareDatetime | None = None
    delivered_at: AwareDatetime | None = None
    price_fen: PositiveFen = Field(description="goods total after discounts, in fen")
    postage_fen: Fen = 0
    address: SnapshotAddress
    seller_remark: Annotated[str, StringConstraints(max_length=500)] = ""
    remark_flag: RemarkFlag = RemarkFlag.NONE
    courier: Short | None = None
    tracking_no: Annotated[str, StringConstraints(strip_whitespace=True, max_length=40)] | None = None
    refund_status: RefundStatus = RefundStatus.NONE
    disputed: Annotated[bool, Field(strict=True)] = False
    lines: list[SnapshotLine] = Field(min_length=1, max_length=200)
    logistics: list[SnapshotTrace] = Field(
        default_factory=list, max_length=200, description="the trace, any order"
    )


class BuyerSnapshot(_Strict):
    """What the host knows of a buyer, as of ``modified_at``; tiers, tags and notes stay ours."""

    type: Literal["buyer.snapshot"]
    shop: ShopCode
    buyer: Nick
    modified_at: AwareDatetime
    platform_level: Annotated[int, Field(strict=True, ge=0, le=6)] = Field(
        description="platform level (V0–V6)"
    )
    first_seen_at: AwareDatetime | None = Field(None, description="when the buyer first met the shop")


class EditApplied(_Strict):
    """The host applied an edit the plugin posted (``kefu.apply_edit``) to the platform's order."""

    type: Literal["edit.applied"]
    edit_id: Annotated[int, Field(strict=True, gt=0)]
    idempotency_key: KeyText
    modified_at: AwareDatetime | None = Field(
        None, description="the platform's modified time of the order after the edit"
    )


class EditFailed(_Strict):
    """The host could not apply an edit; ``reason`` is shown to the agent."""

    type: Literal["edit.failed"]
    edit_id: Annotated[int, Field(strict=True, gt=0)]
    idempotency_key: KeyText
    reason: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]


# ---- out --------------------------------------------------------------------------------------

OutboxStatus = Literal["pending", "applied", "failed", "reverted"]
OUTBOX_LABELS: dict[str, str] = {
    "pending": "待同步",
    "applied": "已同步",
    "failed": "同步失败",
    "reverted": "已本地撤销",
}


class _Out(BaseModel):
    model_config = ConfigDict(extra="forbid")


class ApplyEditMessage(_Out):
    """``kefu.apply_edit``: what the sidebar posts to the host for one outbox entry."""

    type: Literal["kefu.apply_edit"] = "kefu.apply_edit"
    edit_id: int
    order_id: str
    shop: str = Field(description="shop code")
    kind: Literal["price", "postage", "address", "remark", "undo"]
    edit_kind: Literal["price", "postage", "address", "remark"] = Field(
        description="the fields changed (for an undo: the edit it reverts)"
    )
    undoes: int | None = Field(description="edit id this undo reverts")
    before: dict[str, Any]
    after: dict[str, Any]
    idempotency_key: str = Field(description="the same for every offer of one attempt; new for a retry")
    attempt: int


class OutboxEntry(_Out):
    """One edit's way to the platform, as the order panel shows it."""

    id: int
    order_id: str
    kind: str
    edit_kind: str
    kind_label: str
    status: OutboxStatus
    status_label: str
    attempt: int
    created_at: datetime
    answered_at: datetime | None
    failure: str
    agent_id: int | None
    can_retry: bool
    can_undo_locally: bool


class Offer(_Out):
    """An entry with the message to post for it (pending entries are re-offered on reconnect)."""

    entry: OutboxEntry
    message: ApplyEditMessage


class SnapshotResult(_Out):
    """What a snapshot did: ``applied`` false when it was not newer than what we hold."""

    applied: bool
    reason: Literal["new", "updated", "unchanged", "older"]
    order_id: str | None = None
    buyer: str
    version: int | None = Field(None, description="the order's version after the snapshot")
    kept_local: list[str] = Field(
        default_factory=list,
        description="fields kept as edited here because an edit of them is still pending",
    )
    unknown_items: list[int] = Field(
        default_factory=list, description="item ids of lines the shop has no item for (kept without the item)"
    )
