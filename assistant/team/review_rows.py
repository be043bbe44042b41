"""The rows ``review_store`` hands out of the queue's reads: an order as the rule check reads it, the
dirt of a changed order, a queue line and one order's facts. Times stay the stored ISO text, as the
queue parses them itself (naive text is UTC)."""

from __future__ import annotations

from assistant.team.store_rows import FrozenRow as _Row


class _Address(_Row):
    """What the order-local rules read of an order (``review_queue.facts_of``)."""

    receiver_phone: str
    province: str
    city: str
    district: str
    address_detail: str


class CheckedOrder(_Address):
    """An order the rule check looks at (an open one, or one changed since its check)."""

    order_id: str
    shop_id: int
    status: str
    shipped_at: str | None
    version: int
    created_at: str
    paid_at: str | None
    receiver_name: str
    buyer_message: str


class DirtyOrder(_Row):
    """An order changed since its check, with the dirt's id; ``order`` is None when it was removed."""

    dirt: int
    order_id: str
    order: CheckedOrder | None


class QueueRow(_Address):
    """One line of a queue page with the page's totals (``held_total``: None when nothing is held)."""

    id: str
    version: int
    created_at: str
    paid_at: str | None
    receiver_name: str
    price_fen: int
    postage_fen: int
    seller_remark: str
    remark_flag: str
    nick: str
    risk_flag: str | None
    risk_note: str | None
    reasons: str | None
    total: int
    held_total: int | None


class ReviewOrder(_Address):
    """One order's facts for the confirmation script, a review or a hold, with its buyer's risk."""

    id: str
    shop_id: int
    status: str
    version: int
    receiver_name: str
    buyer_message: str
    created_at: str
    paid_at: str | None
    nick: str
    risk_flag: str | None
    risk_note: str | None
