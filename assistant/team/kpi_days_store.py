"""SQL of the reports' figures: paid orders in a period, month closes (each period closed once, with
its report and an audit entry) and the KPI daily aggregates (per shop, agent and day; recomputed by
the KPI job, forgotten for a day when its messages change)."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Collection
from datetime import date, datetime

import sqlite_utils

from assistant.commerce.store import insert_audit
from assistant.team.store_rows import FrozenRow as _Row
from assistant.team.store_rows import models


class PaidOrderRow(_Row):
    shop_id: int
    buyer: str
    created_at: datetime
    paid_at: datetime
    amount_fen: int
    items: int
    promoted_items: int = 0


def paid_orders(
    db: sqlite_utils.Database, shop_ids: list[int], start: datetime, end: datetime
) -> list[PaidOrderRow]:
    """Orders of these shops created in ``[start, end)`` that were paid, with their item counts and how
    many of those are promoted items (爆款: items with a hot-item answer; times are compared as instants:
    stored offsets may differ)."""
    marks = ",".join("?" * len(shop_ids)) or "NULL"
    return models(
        db,
        PaidOrderRow,
        f"""SELECT o.shop_id, b.nick AS buyer, o.created_at, o.paid_at, o.price_fen + o.postage_fen AS amount_fen,
                   coalesce((SELECT sum(l.quantity) FROM order_lines l WHERE l.order_id = o.id), 0) AS items,
                   coalesce((SELECT sum(l.quantity) FROM order_lines l WHERE l.order_id = o.id AND l.item_id IN
                       (SELECT i.item_id FROM intents i WHERE i.item_id IS NOT NULL AND i.enabled = 1)), 0)
                       AS promoted_items
            FROM orders o JOIN buyers b ON b.id = o.buyer_id
            WHERE o.shop_id IN ({marks}) AND o.paid_at IS NOT NULL
              AND julianday(o.created_at) >= julianday(?) AND julianday(o.created_at) < julianday(?)
            ORDER BY o.created_at""",
        (*shop_ids, start.isoformat(), end.isoformat()),
    )


class KpiClose(_Row):
    id: int
    period: str
    shop_id: int | None
    closed_by: int
    closed_at: datetime
    report: str


class AlreadyClosed(Exception):
    def __init__(self, close: KpiClose) -> None:
        super().__init__(close.period)
        self.close = close


def kpi_close(db: sqlite_utils.Database, period: str, shop_id: int | None) -> KpiClose | None:
    cursor = db.conn.execute(
        "SELECT * FROM kpi_closes WHERE period = ? AND coalesce(shop_id, 0) = ?", (period, shop_id or 0)
    )
    row = cursor.fetchone()
    if row is None:
        return None
    return KpiClose.model_validate(dict(zip([c[0] for c in cursor.description], row, strict=True)))


def insert_kpi_close(
    db: sqlite_utils.Database, *, period: str, shop_id: int | None, agent_id: int, at: datetime, report: str
) -> KpiClose:
    """Freeze a month's report (:class:`AlreadyClosed` when it was closed before), audited."""
    try:
        db.conn.execute(
            "INSERT INTO kpi_closes (period, shop_id, closed_by, closed_at, report) VALUES (?, ?, ?, ?, ?)",
            (period, shop_id, agent_id, at.isoformat(), report),
        )
    except sqlite3.IntegrityError:
        existing = kpi_close(db, period, shop_id)
        if existing is None:  # pragma: no cover
            raise
        raise AlreadyClosed(existing) from None
    insert_audit(
        db,
        at=at.isoformat(),
        agent_id=agent_id,
        shop_id=shop_id,
        entity="kpi_close",
        entity_id=period,
        action="close",
        reason="",
        before=None,
        after={"period": period},
    )
    closed = kpi_close(db, period, shop_id)
    assert closed is not None
    return closed


# ---- KPI daily aggregates ----------------------------------------------------------------------------


def computed_days(db: sqlite_utils.Database, shop_id: int, start: date, end: date) -> set[date]:
    rows = db.conn.execute(
        "SELECT day FROM kpi_days WHERE shop_id = ? AND day >= ? AND day < ?",
        (shop_id, start.isoformat(), end.isoformat()),
    ).fetchall()
    return {date.fromisoformat(r[0]) for r in rows}


def replace_days(
    db: sqlite_utils.Database,
    shop_id: int,
    days: list[date],
    rows: dict[tuple[int, date], dict[str, float]],
    at: datetime,
    late: Collection[date] = (),
) -> int:
    """Store the figures of these days for the shop (replacing what was there); how many rows. A ``late``
    day (it got a message while the figures were worked out, so they may lack it: ``reports.late_days``)
    is left as it was, for the next run: storing it would mark it computed without that message."""
    days = [d for d in days if d not in late]
    rows = {key: figures for key, figures in rows.items() if key[1] not in late}
    for day in days:
        db.conn.execute("DELETE FROM kpi_daily WHERE shop_id = ? AND day = ?", (shop_id, day.isoformat()))
        db.conn.execute(
            "INSERT INTO kpi_days (day, shop_id, computed_at) VALUES (?, ?, ?)"
            " ON CONFLICT (day, shop_id) DO UPDATE SET computed_at = excluded.computed_at",
            (day.isoformat(), shop_id, at.isoformat()),
        )
    db.conn.executemany(
        "INSERT INTO kpi_daily (day, shop_id, agent_id, figures) VALUES (?, ?, ?, ?)",
        [
            (day.isoformat(), shop_id, agent_id, json.dumps(figures, sort_keys=True))
            for (agent_id, day), figures in rows.items()
        ],
    )
    return len(rows)


class DailyRow(_Row):
    """One agent's stored counts of one day in one shop (``figures``: the KPI job's additive counts)."""

    day: date
    shop_id: int
    agent_id: int
    figures: dict[str, int | float]


def daily_rows(db: sqlite_utils.Database, shop_ids: list[int], start: date, end: date) -> list[DailyRow]:
    marks = ",".join("?" * len(shop_ids)) or "NULL"
    rows = db.conn.execute(
        f"SELECT day, shop_id, agent_id, figures FROM kpi_daily WHERE shop_id IN ({marks}) AND day >= ? AND day < ?",
        (*shop_ids, start.isoformat(), end.isoformat()),
    ).fetchall()
    return [
        DailyRow(day=date.fromisoformat(d), shop_id=int(s), agent_id=int(a), figures=json.loads(f))
        for d, s, a, f in rows
    ]


def forget_day(db: sqlite_utils.Database, shop_id: int, day: date) -> int:
    """A message or order for a day already computed arrived late: recompute that day when next asked."""
    db.conn.execute("DELETE FROM kpi_daily WHERE shop_id = ? AND day = ?", (shop_id, day.isoformat()))
    return db.conn.execute(
        "DELETE FROM kpi_days WHERE shop_id = ? AND day = ?", (shop_id, day.isoformat())
    ).rowcount
