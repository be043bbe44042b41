"""SQL of the demo's refund requests (assistant/demo/refunds.py)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import sqlite_utils


def paid_orders(
    db: sqlite_utils.Database, shop_id: int, since: datetime, until: datetime
) -> list[dict[str, Any]]:
    """The shop's paid orders (no refund yet) paid in ``[since, until)``, oldest first."""
    found = [
        dict(r)
        for r in db.query(
            """SELECT id, paid_at, price_fen + postage_fen AS paid_fen FROM orders
                WHERE shop_id = ? AND paid_at IS NOT NULL AND refund_status = 'none'
                  AND status IN ('paid', 'shipped', 'delivered', 'completed')""",
            [shop_id],
        )
    ]
    found = [o for o in found if since <= datetime.fromisoformat(o["paid_at"]) < until]
    return sorted(found, key=lambda o: (datetime.fromisoformat(o["paid_at"]), o["id"]))


def decided_request(
    db: sqlite_utils.Database,
    order: dict[str, Any],
    asked: datetime,
    decided: datetime,
    outcome: str,
    reviewer: int,
    note: str,
    wrong: tuple[str, int, datetime] | None,
) -> None:
    """A request decided by ``reviewer`` (the order's refund status follows the decision, as the
    platform's snapshot would bring it)."""
    reason, by, at = wrong if wrong else (None, None, None)
    db.conn.execute(
        """INSERT INTO refund_requests (shop_id, order_id, amount_fen, requested_at, outcome, reviewer_id,
               decided_at, note, wrong_reason, wrong_by, wrong_at, version)
           SELECT shop_id, id, ?, ?, ?, ?, ?, ?, ?, ?, ?, ? FROM orders WHERE id = ?""",
        (
            order["paid_fen"],
            asked.astimezone(UTC).isoformat(),
            outcome,
            reviewer,
            decided.astimezone(UTC).isoformat(),
            note,
            reason,
            by,
            at.astimezone(UTC).isoformat() if at else None,
            3 if reason else 2,
            order["id"],
        ),
    )
    refunded = outcome == "approved"
    db.conn.execute(
        "UPDATE orders SET refund_status = ?, refund_fen = ? WHERE id = ?",
        ("refunded" if refunded else "rejected", order["paid_fen"] if refunded else 0, order["id"]),
    )


def pending_requests(db: sqlite_utils.Database, shop_id: int) -> list[dict[str, Any]]:
    """The requests the orders' trigger opened while the demo's orders were written (退款中 orders)."""
    return [
        dict(r)
        for r in db.query(
            """SELECT r.id, o.paid_at FROM refund_requests r JOIN orders o ON o.id = r.order_id
                WHERE r.shop_id = ? AND r.outcome IS NULL AND o.paid_at IS NOT NULL ORDER BY r.id""",
            [shop_id],
        )
    ]


def settle_request(
    db: sqlite_utils.Database, request_id: int, asked: datetime, decided: datetime, reviewer: int, note: str
) -> None:
    """An open request approved by ``reviewer`` (a return under way: the order stays 退款中)."""
    db.conn.execute(
        """UPDATE refund_requests SET requested_at = ?, outcome = 'approved', reviewer_id = ?, decided_at = ?,
               note = ?, version = 2 WHERE id = ?""",
        (asked.astimezone(UTC).isoformat(), reviewer, decided.astimezone(UTC).isoformat(), note, request_id),
    )


def open_request(db: sqlite_utils.Database, order_id: str, asked: datetime) -> None:
    """The buyer asks now (the orders' trigger opens the request); it is dated ``asked``."""
    db.conn.execute("UPDATE orders SET refund_status = 'requested' WHERE id = ?", (order_id,))
    db.conn.execute(
        "UPDATE refund_requests SET requested_at = ? WHERE order_id = ? AND outcome IS NULL",
        (asked.astimezone(UTC).isoformat(), order_id),
    )


def count_requests(db: sqlite_utils.Database, shop_id: int) -> int:
    return int(
        db.conn.execute("SELECT count(*) FROM refund_requests WHERE shop_id = ?", (shop_id,)).fetchone()[0]
    )
