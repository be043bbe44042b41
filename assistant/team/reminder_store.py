"""SQL of the payment reminders: tasks, their orders, touches and the scan's reads."""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime

import sqlite_utils
from pydantic import BaseModel, ConfigDict

from assistant.team.store import models

TASK_COLUMNS = """t.*, a.name AS owner_name"""


class _Row(BaseModel):
    model_config = ConfigDict(frozen=True)


class DueOrder(_Row):
    rowid: int
    id: str
    shop_id: int
    buyer_id: int
    buyer_nick: str
    created_at: datetime
    total_fen: int


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


def last_chat_agent(db: sqlite_utils.Database, shop_id: int, nick: str, before: datetime) -> int | None:
    """The agent whose console last carried a message of the buyer's before ``before``."""
    row = db.conn.execute(
        """SELECT agent_id FROM conversation_messages WHERE shop_id = ? AND buyer_nick = ? AND at < ?
             AND agent_id IS NOT NULL ORDER BY at DESC LIMIT 1""",
        (shop_id, nick, before.astimezone(UTC).isoformat(timespec="microseconds")),
    ).fetchone()
    return int(row[0]) if row else None


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


def settled_tasks(db: sqlite_utils.Database, task_ids: list[int]) -> list[tuple[int, str, str | None, int]]:
    """Those of ``task_ids`` still open none of whose orders still waits for payment: (task id, end state,
    last paid time, paid amount). The end state is ``paid`` or ``paid_before_reminder`` (no touch yet) or
    ``closed``."""
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
            found.append((task_id, state, paid_at, int(paid_fen)))
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


def flash_windows(db: sqlite_utils.Database, words: list[str]) -> list[tuple[int, datetime, datetime]]:
    """Flash-sale campaigns (a name holding one of ``words``): (shop id, starts, ends)."""
    if not words:
        return []
    where = " OR ".join("instr(name, ?) > 0" for _ in words)
    return [
        (int(s), datetime.fromisoformat(a), datetime.fromisoformat(b))
        for s, a, b in db.conn.execute(
            f"SELECT shop_id, starts_at, ends_at FROM campaigns WHERE {where}", words
        )
    ]


def script_facts(db: sqlite_utils.Database, task_id: int) -> tuple[str, str, str]:
    """What a reminder script names: (the first item of the task's first order, the shop's name, the
    receiver's name)."""
    row = db.conn.execute(
        """SELECT coalesce((SELECT l.title FROM order_lines l WHERE l.order_id = o.id ORDER BY l.id LIMIT 1), ''),
                  s.name, o.receiver_name
           FROM reminder_task_orders r JOIN orders o ON o.id = r.order_id JOIN shops s ON s.id = o.shop_id
           WHERE r.task_id = ? ORDER BY o.created_at LIMIT 1""",
        (task_id,),
    ).fetchone()
    return (str(row[0]), str(row[1]), str(row[2])) if row else ("", "", "")


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
