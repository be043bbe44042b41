"""SQL the payment-reminder scan reads on its own: the unpaid orders past its mark, the marks
themselves, the order changes since the last scan, tasks past their close time, the agent who last
chatted with a buyer, the flash-sale windows, and who may take a task (active agents and their open
counts). The tasks themselves are ``reminder_store``."""

from __future__ import annotations

from datetime import datetime

import sqlite_utils

from assistant.team.store_rows import FrozenRow as _Row
from assistant.team.store_rows import models


class DueOrder(_Row):
    rowid: int
    id: str
    shop_id: int
    buyer_id: int
    buyer_nick: str
    created_at: datetime
    total_fen: int


def due_orders(
    db: sqlite_utils.Database, *, after_rowid: int, created_after: datetime, limit: int = 5000
) -> list[DueOrder]:
    """Unpaid orders past the mark (rowid above ``after_rowid``), placed after ``created_after`` (older
    ones the platform has closed) that no reminder task has taken yet, in rowid order; young ones too
    (the scan waits for them, and they hold the mark back)."""
    return models(
        db,
        DueOrder,
        """SELECT o.rowid AS rowid, o.id, o.shop_id, o.buyer_id, b.nick AS buyer_nick, o.created_at,
                  o.price_fen + o.postage_fen AS total_fen
           FROM orders o JOIN buyers b ON b.id = o.buyer_id
           WHERE o.rowid > ? AND o.status = 'awaiting_payment' AND julianday(o.created_at) > julianday(?)
             AND NOT EXISTS (SELECT 1 FROM reminder_task_orders r WHERE r.order_id = o.id)
           ORDER BY o.rowid LIMIT ?""",
        (after_rowid, created_after.isoformat(), limit),
    )


def mark(db: sqlite_utils.Database, name: str) -> int:
    row = db.conn.execute("SELECT value FROM reminder_marks WHERE name = ?", (name,)).fetchone()
    return int(row[0]) if row else 0


def set_mark(db: sqlite_utils.Database, name: str, value: int) -> None:
    db.conn.execute(
        "INSERT INTO reminder_marks (name, value) VALUES (?, ?) ON CONFLICT (name) DO UPDATE SET value = excluded.value",
        (name, value),
    )


def last_order_rowid(db: sqlite_utils.Database) -> int:
    return int(db.conn.execute("SELECT coalesce(max(rowid), 0) FROM orders").fetchone()[0])


def changed_tasks(db: sqlite_utils.Database) -> tuple[list[int], int]:
    """Open tasks with an order that stopped waiting for payment since the last scan, and the last
    change read (to clear)."""
    upto = int(db.conn.execute("SELECT coalesce(max(id), 0) FROM reminder_order_changes").fetchone()[0])
    rows = db.conn.execute(
        """SELECT DISTINCT r.task_id FROM reminder_order_changes c
           CROSS JOIN reminder_task_orders r INDEXED BY idx_reminder_task_orders_order ON r.order_id = c.order_id
           CROSS JOIN reminder_tasks t ON t.id = r.task_id WHERE c.id <= ? AND t.state = 'open'""",
        (upto,),
    ).fetchall()
    return [int(r[0]) for r in rows], upto


def clear_changes(db: sqlite_utils.Database, upto: int) -> None:
    db.conn.execute("DELETE FROM reminder_order_changes WHERE id <= ?", (upto,))


def past_close(db: sqlite_utils.Database, now: datetime) -> list[int]:
    """Open tasks whose orders the platform has closed by now (their close time passed)."""
    return [
        int(r[0])
        for r in db.conn.execute(
            """SELECT id FROM reminder_tasks INDEXED BY idx_reminder_tasks_closing
               WHERE state = 'open' AND julianday(closes_at) <= julianday(?)""",
            (now.isoformat(),),
        )
    ]


class FlashWindow(_Row):
    """When a flash-sale campaign of a shop runs."""

    shop_id: int
    starts_at: datetime
    ends_at: datetime


def flash_windows(db: sqlite_utils.Database, words: list[str]) -> list[FlashWindow]:
    """Flash-sale campaigns (a name holding one of ``words``)."""
    if not words:
        return []
    where = " OR ".join("instr(name, ?) > 0" for _ in words)
    return [
        FlashWindow(shop_id=int(s), starts_at=datetime.fromisoformat(a), ends_at=datetime.fromisoformat(b))
        for s, a, b in db.conn.execute(
            f"SELECT shop_id, starts_at, ends_at FROM campaigns WHERE {where}", words
        )
    ]


def agents_by_login(db: sqlite_utils.Database, logins: list[str]) -> dict[int, set[int]]:
    """Active agents among ``logins``: agent id -> the shops they work in."""
    if not logins:
        return {}
    marks = ",".join("?" * len(logins))
    found: dict[int, set[int]] = {}
    for agent_id, main, shop in db.conn.execute(
        f"""SELECT a.id, a.main_shop_id, s.shop_id FROM agents a LEFT JOIN agent_shops s ON s.agent_id = a.id
            WHERE a.active = 1 AND a.login IN ({marks})""",
        logins,
    ):
        found.setdefault(int(agent_id), {int(main)}).update({int(shop)} if shop is not None else set())
    return found


def open_counts(db: sqlite_utils.Database, agent_ids: list[int]) -> dict[int, int]:
    """Open tasks each of ``agent_ids`` owns."""
    if not agent_ids:
        return {}
    marks = ",".join("?" * len(agent_ids))
    counts = {a: 0 for a in agent_ids}
    for owner, n in db.conn.execute(
        f"SELECT owner_id, count(*) FROM reminder_tasks WHERE state = 'open' AND owner_id IN ({marks}) GROUP BY owner_id",
        agent_ids,
    ):
        counts[int(owner)] = int(n)
    return counts
