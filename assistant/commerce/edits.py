"""The four one-click edits (改价 改邮 改地址 改备注) and undo: what each changes, when it is allowed.

Pure rules, no SQL: the backend reads the order, asks these functions, and writes in one transaction.
Each change is expressed as the order columns it sets, so the audit entry's ``before``/``after`` are
exactly those columns and undo can write ``before`` back.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated, Any, Literal

from pydantic import Field, StringConstraints

from assistant.commerce.labels import STATUS_LABELS
from assistant.commerce.models import Address, OrderStatus, RemarkFlag
from assistant.commerce.store_rows import AuditRecord, OrderColumns
from assistant.settings import Settings
from knowledge.models import Fen, Model, PositiveFen, Role, Text


class EditKind(StrEnum):
    PRICE = "price"
    POSTAGE = "postage"
    ADDRESS = "address"
    REMARK = "remark"


EDIT_LABELS = {
    EditKind.PRICE: "改价",
    EditKind.POSTAGE: "改邮费",
    EditKind.ADDRESS: "改地址",
    EditKind.REMARK: "改备注",
}

ALLOWED_STATUSES: dict[EditKind, frozenset[OrderStatus]] = {
    EditKind.PRICE: frozenset({OrderStatus.AWAITING_PAYMENT}),
    EditKind.POSTAGE: frozenset({OrderStatus.AWAITING_PAYMENT}),
    EditKind.ADDRESS: frozenset({OrderStatus.AWAITING_PAYMENT, OrderStatus.PAID}),
    EditKind.REMARK: frozenset(OrderStatus),
}
_WHEN = {
    EditKind.PRICE: "只有待付款的订单可以改价",
    EditKind.POSTAGE: "只有待付款的订单可以改邮费",
    EditKind.ADDRESS: "只有发货前（待付款、待发货）的订单可以改地址",
    EditKind.REMARK: "任何状态都可以改备注",
}
REMARK_MAX = 500
EDIT_ACTIONS = frozenset(kind.value for kind in EditKind)


class PriceChange(Model):
    kind: Literal["price"] = "price"
    price_fen: PositiveFen


class PostageChange(Model):
    kind: Literal["postage"] = "postage"
    postage_fen: Fen


class AddressChange(Model):
    kind: Literal["address"] = "address"
    address: Address


class RemarkChange(Model):
    kind: Literal["remark"] = "remark"
    text: Annotated[Text, StringConstraints(max_length=REMARK_MAX)]
    mode: Literal["replace", "append"] = "replace"
    flag: RemarkFlag | None = Field(None, description="new flag colour; null keeps the current one")


Change = PriceChange | PostageChange | AddressChange | RemarkChange

COLUMNS: dict[EditKind, tuple[str, ...]] = {
    EditKind.PRICE: ("price_fen",),
    EditKind.POSTAGE: ("postage_fen",),
    EditKind.ADDRESS: ("receiver_name", "receiver_phone", "province", "city", "district", "address_detail"),
    EditKind.REMARK: ("seller_remark", "remark_flag"),
}


# The request field that carries each kind's new value: a refusal names it.
BODY_FIELDS: dict[EditKind, str] = {
    EditKind.PRICE: "price_fen",
    EditKind.POSTAGE: "postage_fen",
    EditKind.ADDRESS: "address",
    EditKind.REMARK: "text",
}


def unchanged(kind: EditKind, order: OrderColumns, after: dict[str, Any]) -> bool:
    """Whether applying ``after`` would leave the order as it is (nothing to edit, nothing to approve)."""
    return columns_of(kind, order) == after


def allowed(kind: EditKind, status: OrderStatus) -> tuple[bool, str]:
    """Whether ``kind`` may be applied to an order in ``status``, and the rule in words."""
    ok = status in ALLOWED_STATUSES[kind]
    if ok:
        return True, _WHEN[kind]
    return False, f"{_WHEN[kind]}；这笔订单是「{STATUS_LABELS[status]}」"


def columns_of(kind: EditKind, order: OrderColumns) -> dict[str, Any]:
    """The order's current values of the columns ``kind`` edits."""
    return {name: order.column(name) for name in COLUMNS[kind]}


def new_values(change: Change, order: OrderColumns) -> dict[str, Any]:
    """The columns after ``change`` is applied to ``order``."""
    if isinstance(change, PriceChange):
        return {"price_fen": change.price_fen}
    if isinstance(change, PostageChange):
        return {"postage_fen": change.postage_fen}
    if isinstance(change, AddressChange):
        a = change.address
        return {
            "receiver_name": a.name,
            "receiver_phone": a.phone,
            "province": a.province,
            "city": a.city,
            "district": a.district,
            "address_detail": a.detail,
        }
    text = change.text
    if change.mode == "append" and order.seller_remark:
        text = f"{order.seller_remark}\n{change.text}" if change.text else order.seller_remark
    if len(text) > REMARK_MAX:
        raise ValueError(f"追加后备注有 {len(text)} 字，超过 {REMARK_MAX} 字：请精简后改用「替换」")
    flag = change.flag.value if change.flag is not None else order.remark_flag
    return {"seller_remark": text, "remark_flag": flag}


# ---- discounts -------------------------------------------------------------------------------


def discount_cap(settings: Settings, role: Role) -> int:
    """The largest discount, in percent, ``role`` may give without approval."""
    return {
        Role.AGENT: settings.agent_discount_cap_percent,
        Role.EDITOR: settings.editor_discount_cap_percent,
        Role.SUPERVISOR: settings.supervisor_discount_cap_percent,
    }[role]


def discount_basis_points(original_fen: int, new_fen: int) -> int:
    """(original - new) / original in hundredths of a percent, rounded up (never flatters the cut)."""
    cut = original_fen - new_fen
    if cut <= 0:
        return 0
    return -((-cut * 10_000) // original_fen)


def above_cap(original_fen: int, new_fen: int, cap_percent: int) -> bool:
    """Exact comparison in integers: (original - new) / original > cap / 100."""
    return (original_fen - new_fen) * 100 > cap_percent * original_fen


# ---- undo -------------------------------------------------------------------------------------


def undo_target(history: list[AuditRecord]) -> AuditRecord | None:
    """The newest edit not yet undone, from the order's audit entries (newest first)."""
    undone = {row.undoes for row in history if row.action == "undo"}
    for row in history:
        if row.action in EDIT_ACTIONS and row.id not in undone:
            return row
    return None


def undone_ids(history: list[AuditRecord]) -> set[int]:
    return {int(row.undoes) for row in history if row.action == "undo" and row.undoes is not None}
