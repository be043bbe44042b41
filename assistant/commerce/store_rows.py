"""How the commerce stores read rows: a query's rows as dicts by column name (``Row``), one row or
none, the compact JSON the JSON columns hold, and the frozen models ``store`` hands out for buyers,
orders, order lines, logistics events and audit entries (values as stored: times as ISO text, flags
as 0/1, a buyer's tags as their JSON text)."""

from __future__ import annotations

import json
from typing import Any

import sqlite_utils
from pydantic import BaseModel, ConfigDict


def json_text(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


Row = dict[str, Any]


def rows(db: sqlite_utils.Database, sql: str, params: list[Any] | tuple[Any, ...] = ()) -> list[Row]:
    cursor = db.conn.execute(sql, params)
    names = [d[0] for d in cursor.description]
    return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]


def one(db: sqlite_utils.Database, sql: str, params: list[Any] | tuple[Any, ...] = ()) -> Row | None:
    found = rows(db, sql, params)
    return found[0] if found else None


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True)


class StoredBuyer(_Frozen):
    """A ``buyers`` row with the name of the agent who flagged them ('' when nobody did)."""

    id: int
    shop_id: int
    nick: str
    platform_level: int
    member_tier: str
    first_seen_at: str
    tags: str  # JSON text, as stored
    risk_flag: str | None
    risk_note: str | None
    risk_flagged_by: int | None
    risk_flagged_at: str | None
    version: int
    platform_modified_at: str | None
    flagged_by_name: str


class BuyerOrder(_Frozen):
    """The columns of a buyer's order the buyer card reads."""

    id: str
    status: str
    created_at: str
    paid_at: str | None
    shipped_at: str | None
    price_fen: int
    refund_status: str
    disputed: int


class BuyerLine(_Frozen):
    """An order line of a buyer with its item's category ('' when the item is unknown)."""

    order_id: str
    title: str
    quantity: int
    category: str


class BuyerNote(_Frozen):
    id: int
    agent_id: int
    agent_name: str
    text: str
    at: str


class OrderColumns(_Frozen):
    """Every column of an ``orders`` row."""

    id: str
    shop_id: int
    buyer_id: int
    status: str
    created_at: str
    paid_at: str | None
    shipped_at: str | None
    delivered_at: str | None
    price_fen: int
    postage_fen: int
    receiver_name: str
    receiver_phone: str
    province: str
    city: str
    district: str
    address_detail: str
    seller_remark: str
    remark_flag: str
    courier: str | None
    tracking_no: str | None
    refund_status: str
    disputed: int
    version: int
    updated_at: str
    original_price_fen: int | None
    platform_modified_at: str | None
    anonymised_at: str | None
    buyer_message: str
    refund_fen: int
    exported_at: str | None

    def column(self, name: str) -> Any:
        """One column by name (the edit kinds and audit entries name the columns they touch)."""
        return getattr(self, name)


class StoredOrder(OrderColumns):
    """An order with its buyer's nick."""

    buyer_nick: str


class OrderSummaryRow(OrderColumns):
    """An order of a buyer's order list with its lines as '标题 ×2、标题 ×1' (None: no lines)."""

    line_titles: str | None


class StoredLine(_Frozen):
    id: int
    order_id: str
    item_id: int | None
    sku: str
    title: str
    unit_price_fen: int
    quantity: int


class StoredEvent(_Frozen):
    id: int
    order_id: str
    at: str
    status: str
    location: str
    description: str


class AuditRecord(_Frozen):
    """An audit entry with the agent's name ('' for none) and its before/after decoded."""

    id: int
    at: str
    agent_id: int | None
    shop_id: int | None
    entity: str
    entity_id: str
    action: str
    reason: str
    before: dict[str, Any] | None
    after: dict[str, Any] | None
    undoes: int | None
    anonymised_at: str | None
    agent_name: str
