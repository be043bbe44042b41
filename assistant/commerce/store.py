"""SQL for buyers, orders, order lines, logistics events and the audit log."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

import sqlite_utils

from assistant.commerce.models import Buyer, Order


def _json(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def insert_buyers(db: sqlite_utils.Database, buyers: list[Buyer]) -> None:
    """Save buyers with the ids they carry."""
    db.conn.executemany(
        """INSERT INTO buyers (id, shop_id, nick, platform_level, member_tier, first_seen_at, tags, risk_flag,
            risk_note, risk_flagged_by, risk_flagged_at, version) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)""",
        [
            (b.id, b.shop_id, b.nick, b.platform_level, b.member_tier.value, b.first_seen_at.isoformat(),
             _json(b.tags), b.risk_flag.value if b.risk_flag else None, b.risk_note, b.risk_flagged_by,
             b.risk_flagged_at.isoformat() if b.risk_flagged_at else None, b.version)
            for b in buyers
        ],
    )


def insert_buyer_notes(db: sqlite_utils.Database, notes: list[tuple[int, int, str, str]]) -> None:
    """``(buyer_id, agent_id, text, at)`` rows."""
    db.conn.executemany("INSERT INTO buyer_notes (buyer_id, agent_id, text, at) VALUES (?, ?, ?, ?)", notes)


def _iso(moment: datetime | None) -> str | None:
    return moment.isoformat() if moment else None


def insert_orders(db: sqlite_utils.Database, orders: list[Order], updated_at: str) -> None:
    """Save orders with their lines and logistics timelines."""
    db.conn.executemany(
        """INSERT INTO orders (id, shop_id, buyer_id, status, created_at, paid_at, shipped_at, delivered_at,
            price_fen, postage_fen, receiver_name, receiver_phone, province, city, district, address_detail,
            seller_remark, remark_flag, courier, tracking_no, refund_status, disputed, version, updated_at)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)""",
        [
            (o.id, o.shop_id, o.buyer_id, o.status.value, _iso(o.created_at), _iso(o.paid_at), _iso(o.shipped_at),
             _iso(o.delivered_at), o.price_fen, o.postage_fen, o.address.name, o.address.phone, o.address.province,
             o.address.city, o.address.district, o.address.detail, o.seller_remark, o.remark_flag.value,
             o.courier, o.tracking_no, o.refund_status.value, int(o.disputed), o.version, updated_at)
            for o in orders
        ],
    )
    db.conn.executemany(
        "INSERT INTO order_lines (order_id, item_id, sku, title, unit_price_fen, quantity) VALUES (?, ?, ?, ?, ?, ?)",
        [(o.id, line.item_id, line.sku, line.title, line.unit_price_fen, line.quantity) for o in orders
         for line in o.lines],
    )
    db.conn.executemany(
        "INSERT INTO logistics_events (order_id, at, status, location, description) VALUES (?, ?, ?, ?, ?)",
        [(o.id, e.at.isoformat(), e.status.value, e.location, e.description) for o in orders for e in o.logistics],
    )
