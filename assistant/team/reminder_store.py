"""SQL of the payment reminders: tasks, their orders and touches. What only the scan reads (the orders
it has not seen, its marks, the flash sales, who may take a task) is ``reminder_scan_store``."""

from __future__ import annotations

import sqlite3
from datetime import datetime

import sqlite_utils
from pydantic import BaseModel, ConfigDict

from assistant.team.reminder_scan_store import DueOrder
from assistant.team.store_rows import models

TASK_COLUMNS = """t.*, a.name AS owner_name"""


class _Row(BaseModel):
    model_config = ConfigDict(frozen=True)


class Task(_Row):
    id: int
    shop_id: int
    buyer_id: int
    buyer_nick: str
    opened_at: datetime
    first_order_at: datetime
    closes_at: datetime
    total_fen: int
    channel: str
    holdout: bool
    owner_id: int | None
    owner_name: str | None
    lease_until: datetime | None
    next_touch_at: datetime | None
    touches_planned: int
    state: str
    outcome: str
    ended_at: datetime | None
    paid_at: datetime | None
    paid_fen: int | None


class TaskOrder(_Row):
    id: str
    status: str
    created_at: datetime
    paid_at: datetime | None
    total_fen: int


class TouchRow(_Row):
    id: int
    task_id: int
    at: datetime
    agent_id: int
    agent_name: str
    channel: str
    outcome: str
    text: str


class Held(Exception):
    """Someone else owns the task."""

    def __init__(self, task: Task) -> None:
        super().__init__(task.owner_name or "")
        self.task = task


def open_or_attach(
    db: sqlite_utils.Database,
    order: DueOrder,
    *,
    at: datetime,
    closes_at: datetime,
    channel: str,
    holdout: bool,
    owner_id: int | None,
    next_touch_at: datetime | None,
    touches_planned: int,
) -> tuple[int, bool]:
    """Open the buyer's task for ``order``, or add the order to the task already open; (task id, opened)."""
    try:
        cursor = db.conn.execute(
            """INSERT INTO reminder_tasks (shop_id, buyer_id, buyer_nick, opened_at, first_order_at, closes_at,
                   total_fen, channel, holdout, owner_id, next_touch_at, touches_planned)
               VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)""",
            (
                order.shop_id,
                order.buyer_id,
                order.buyer_nick,
                at.isoformat(),
                order.created_at.isoformat(),
                closes_at.isoformat(),
                order.total_fen,
                channel,
                int(holdout),
                owner_id,
                next_touch_at.isoformat() if next_touch_at else None,
                touches_planned,
            ),
        )
        task_id, opened = int(cursor.lastrowid or 0), True
    except sqlite3.IntegrityError:
        task_id = int(
            db.conn.execute(
                "SELECT id FROM reminder_tasks WHERE shop_id = ? AND buyer_id = ? AND state = 'open'",
                (order.shop_id, order.buyer_id),
            ).fetchone()[0]
        )
        db.conn.execute(
            "UPDATE reminder_tasks SET total_fen = total_fen + ?, channel = CASE WHEN ? = 'phone' THEN 'phone'"
            " ELSE channel END WHERE id = ?",
            (order.total_fen, channel, task_id),
        )
        opened = False
    db.conn.execute("INSERT INTO reminder_task_orders (task_id, order_id) VALUES (?, ?)", (task_id, order.id))
    if opened:
        event(db, task_id, at, None, "opened", f"owner={owner_id or ''}")
    return task_id, opened


def event(
    db: sqlite_utils.Database, task_id: int, at: datetime, agent_id: int | None, kind: str, detail: str = ""
) -> None:
    db.conn.execute(
        "INSERT INTO reminder_events (task_id, at, agent_id, kind, detail) VALUES (?, ?, ?, ?, ?)",
        (task_id, at.isoformat(), agent_id, kind, detail),
    )


def task(db: sqlite_utils.Database, task_id: int) -> Task | None:
    found = models(
        db,
        Task,
        f"SELECT {TASK_COLUMNS} FROM reminder_tasks t LEFT JOIN agents a ON a.id = t.owner_id WHERE t.id = ?",
        (task_id,),
    )
    return found[0] if found else None


def open_tasks(db: sqlite_utils.Database, shop_ids: list[int], limit: int = 500) -> list[Task]:
    marks = ",".join("?" * len(shop_ids)) or "NULL"
    return models(
        db,
        Task,
        f"""SELECT {TASK_COLUMNS} FROM reminder_tasks t LEFT JOIN agents a ON a.id = t.owner_id
            WHERE t.state = 'open' AND t.holdout = 0 AND t.shop_id IN ({marks})
            ORDER BY coalesce(t.next_touch_at, t.closes_at), t.id LIMIT ?""",
        (*shop_ids, limit),
    )


def task_orders(db: sqlite_utils.Database, task_ids: list[int]) -> dict[int, list[TaskOrder]]:
    marks = ",".join("?" * len(task_ids)) or "NULL"
    cursor = db.conn.execute(
        f"""SELECT r.task_id, o.id, o.status, o.created_at, o.paid_at, o.price_fen + o.postage_fen AS total_fen
            FROM reminder_task_orders r JOIN orders o ON o.id = r.order_id WHERE r.task_id IN ({marks})
            ORDER BY o.created_at""",
        tuple(task_ids),
    )
    found: dict[int, list[TaskOrder]] = {}
    for task_id, *rest in cursor.fetchall():
        found.setdefault(task_id, []).append(
            TaskOrder.model_validate(
                dict(zip(("id", "status", "created_at", "paid_at", "total_fen"), rest, strict=True))
            )
        )
    return found


def claim(
    db: sqlite_utils.Database, task_id: int, agent_id: int, at: datetime, lease_until: datetime
) -> Task:
    """Take the task when nobody holds it (or the holder's lease ran out); :class:`Held` otherwise."""
    cursor = db.conn.execute(
        """UPDATE reminder_tasks SET owner_id = ?, lease_until = ?
           WHERE id = ? AND state = 'open' AND (owner_id IS NULL OR owner_id = ? OR lease_until < ?)""",
        (agent_id, lease_until.isoformat(), task_id, agent_id, at.isoformat()),
    )
    found = task(db, task_id)
    assert found is not None
    if cursor.rowcount == 0:
        raise Held(found)
    event(db, task_id, at, agent_id, "claimed")
    return found


def expire_leases(db: sqlite_utils.Database, now: datetime) -> int:
    """Untouched tasks whose lease ran out go back to the pool (logged); how many (idempotent)."""
    rows = db.conn.execute(
        """SELECT id, owner_id FROM reminder_tasks INDEXED BY idx_reminder_tasks_lease
           WHERE state = 'open' AND owner_id IS NOT NULL AND lease_until IS NOT NULL AND lease_until < ?""",
        (now.isoformat(),),
    ).fetchall()
    for task_id, owner in rows:
        db.conn.execute(
            "UPDATE reminder_tasks SET owner_id = NULL, lease_until = NULL WHERE id = ?", (task_id,)
        )
        event(db, task_id, now, owner, "lease_expired")
    return len(rows)


def record_touch(
    db: sqlite_utils.Database,
    task_id: int,
    *,
    agent_id: int,
    at: datetime,
    channel: str,
    outcome: str,
    text: str,
    next_touch_at: datetime | None,
    lease_until: datetime,
) -> None:
    db.conn.execute(
        "INSERT INTO reminder_touches (task_id, at, agent_id, channel, outcome, text) VALUES (?, ?, ?, ?, ?, ?)",
        (task_id, at.isoformat(), agent_id, channel, outcome, text),
    )
    db.conn.execute(
        "UPDATE reminder_tasks SET next_touch_at = ?, owner_id = ?, lease_until = ? WHERE id = ?",
        (next_touch_at.isoformat() if next_touch_at else None, agent_id, lease_until.isoformat(), task_id),
    )


def touches(db: sqlite_utils.Database, task_ids: list[int]) -> list[TouchRow]:
    marks = ",".join("?" * len(task_ids)) or "NULL"
    return models(
        db,
        TouchRow,
        f"""SELECT t.*, a.name AS agent_name FROM reminder_touches t JOIN agents a ON a.id = t.agent_id
            WHERE t.task_id IN ({marks}) ORDER BY t.at, t.id""",
        tuple(task_ids),
    )


def end_task(
    db: sqlite_utils.Database,
    task_id: int,
    *,
    state: str,
    outcome: str,
    at: datetime,
    paid_at: datetime | None = None,
    paid_fen: int | None = None,
    agent_id: int | None = None,
) -> None:
    db.conn.execute(
        """UPDATE reminder_tasks SET state = ?, outcome = ?, ended_at = ?, paid_at = ?, paid_fen = ?,
               next_touch_at = NULL WHERE id = ? AND state = 'open'""",
        (state, outcome, at.isoformat(), paid_at.isoformat() if paid_at else None, paid_fen, task_id),
    )
    event(db, task_id, at, agent_id, state, outcome)


class SettledTask(_Row):
    """An open task none of whose orders still waits for payment, and how it ends."""

    task_id: int
    state: str  # paid, paid_before_reminder (no touch yet) or closed
    paid_at: str | None  # the last payment, as stored
    paid_fen: int


def settled_tasks(db: sqlite_utils.Database, task_ids: list[int]) -> list[SettledTask]:
    """Those of ``task_ids`` still open none of whose orders still waits for payment, with their end
    state (``paid``, ``paid_before_reminder`` when no touch was made yet, or ``closed``), the last paid
    time and the paid amount."""
    found = []
    for start in range(0, len(task_ids), 500):
        chunk = task_ids[start : start + 500]
        marks = ",".join("?" * len(chunk))
        rows = db.conn.execute(
            f"""SELECT t.id,
                      (SELECT count(*) FROM reminder_touches x WHERE x.task_id = t.id) AS touched,
                      max(o.paid_at) AS paid_at,
                      coalesce(sum(CASE WHEN o.paid_at IS NOT NULL THEN o.price_fen + o.postage_fen END), 0)
                          AS paid_fen
               FROM reminder_tasks t JOIN reminder_task_orders r ON r.task_id = t.id
               JOIN orders o ON o.id = r.order_id
               WHERE t.state = 'open' AND t.id IN ({marks})
               GROUP BY t.id
               HAVING sum(o.status = 'awaiting_payment') = 0""",
            tuple(chunk),
        ).fetchall()
        for task_id, touched, paid_at, paid_fen in rows:
            state = "closed" if paid_at is None else ("paid" if touched else "paid_before_reminder")
            found.append(SettledTask(task_id=task_id, state=state, paid_at=paid_at, paid_fen=int(paid_fen)))
    return found


def buyer_touches(db: sqlite_utils.Database, shop_id: int, nick: str, since: datetime) -> list[TouchRow]:
    """The buyer's reminder touches since ``since`` (the buyer card's line), oldest first."""
    return models(
        db,
        TouchRow,
        """SELECT x.*, a.name AS agent_name FROM reminder_touches x JOIN agents a ON a.id = x.agent_id
           JOIN reminder_tasks t ON t.id = x.task_id
           WHERE t.shop_id = ? AND t.buyer_nick = ? AND x.at >= ? ORDER BY x.at, x.id""",
        (shop_id, nick, since.isoformat()),
    )


def buyer_open_task(db: sqlite_utils.Database, shop_id: int, nick: str) -> Task | None:
    found = models(
        db,
        Task,
        f"SELECT {TASK_COLUMNS} FROM reminder_tasks t LEFT JOIN agents a ON a.id = t.owner_id"
        " WHERE t.shop_id = ? AND t.buyer_nick = ? AND t.state = 'open'",
        (shop_id, nick),
    )
    return found[0] if found else None


def ended_tasks(db: sqlite_utils.Database, shop_ids: list[int], since: datetime) -> list[Task]:
    """Tasks opened since ``since`` (any state), for the effect report."""
    marks = ",".join("?" * len(shop_ids)) or "NULL"
    return models(
        db,
        Task,
        f"""SELECT {TASK_COLUMNS} FROM reminder_tasks t LEFT JOIN agents a ON a.id = t.owner_id
            WHERE t.shop_id IN ({marks}) AND t.opened_at >= ? ORDER BY t.id""",
        (*shop_ids, since.isoformat()),
    )


def record_snooze(
    db: sqlite_utils.Database, task_id: int, agent_id: int, at: datetime, until: datetime
) -> None:
    db.conn.execute(
        "UPDATE reminder_tasks SET next_touch_at = ? WHERE id = ? AND state = 'open'",
        (until.isoformat(), task_id),
    )
    event(db, task_id, at, agent_id, "snoozed", until.isoformat())


class ScriptFacts(_Row):
    """What a reminder script names: the first item of the task's first order, the shop, the receiver."""

    item: str
    shop_name: str
    receiver: str


def script_facts(db: sqlite_utils.Database, task_id: int) -> ScriptFacts:
    """What a reminder script names (all empty when the task has no order left)."""
    row = db.conn.execute(
        """SELECT coalesce((SELECT l.title FROM order_lines l WHERE l.order_id = o.id ORDER BY l.id LIMIT 1), ''),
                  s.name, o.receiver_name
           FROM reminder_task_orders r JOIN orders o ON o.id = r.order_id JOIN shops s ON s.id = o.shop_id
           WHERE r.task_id = ? ORDER BY o.created_at LIMIT 1""",
        (task_id,),
    ).fetchone()
    if row is None:
        return ScriptFacts(item="", shop_name="", receiver="")
    return ScriptFacts(item=str(row[0]), shop_name=str(row[1]), receiver=str(row[2]))
