"""SQL of the demo's review and training rows (assistant/demo/review.py)."""

from __future__ import annotations

import sqlite_utils
from pydantic import BaseModel, ConfigDict


class PaidOrder(BaseModel):
    """A buyer's newest paid order, with what the demo's review rows change on it."""

    model_config = ConfigDict(frozen=True)

    id: str
    buyer_id: int
    receiver_name: str
    receiver_phone: str
    nick: str


def grant_reviewer(db: sqlite_utils.Database, agent_id: int, at: str) -> None:
    db.conn.execute("INSERT INTO order_reviewers (agent_id, granted_at) VALUES (?, ?)", (agent_id, at))


def add_trainee(db: sqlite_utils.Database, agent_id: int, shop_id: int, at: str) -> None:
    db.conn.execute(
        "INSERT INTO trainees (agent_id, shop_id, added_at) VALUES (?, ?, ?)", (agent_id, shop_id, at)
    )


def latest_paid_orders(db: sqlite_utils.Database, shop_id: int, count: int) -> list[PaidOrder]:
    """The newest paid order of each of the ``count`` buyers with the highest ids and no risk flag."""
    return [
        PaidOrder.model_validate(r)
        for r in db.query(
            """SELECT o.id, o.buyer_id, o.receiver_name, o.receiver_phone, b.nick FROM orders o
                 JOIN buyers b ON b.id = o.buyer_id
                WHERE o.shop_id = ? AND o.status = 'paid' AND b.risk_flag IS NULL
                  AND o.created_at = (SELECT max(created_at) FROM orders x WHERE x.buyer_id = o.buyer_id
                                      AND x.status = 'paid')
                ORDER BY o.buyer_id DESC LIMIT ?""",
            [shop_id, count],
        )
    ]


def set_order_columns(db: sqlite_utils.Database, order_id: str, columns: dict[str, str]) -> None:
    allowed = {
        "district",
        "address_detail",
        "province",
        "city",
        "receiver_phone",
        "receiver_name",
        "buyer_message",
    }
    assert set(columns) <= allowed
    sets = ", ".join(f"{name} = ?" for name in columns)
    db.conn.execute(f"UPDATE orders SET {sets} WHERE id = ?", [*columns.values(), order_id])


def flag_buyer(db: sqlite_utils.Database, buyer_id: int, note: str, by: int, at: str) -> None:
    db.conn.execute(
        "UPDATE buyers SET risk_flag = 'bad_review_extortion', risk_note = ?, risk_flagged_by = ?,"
        " risk_flagged_at = ? WHERE id = ?",
        (note, by, at, buyer_id),
    )
