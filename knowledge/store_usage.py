"""SQL for what agents did with suggestions (usage events) and the messages nothing matched."""

from __future__ import annotations

import sqlite_utils
from pydantic import BaseModel, ConfigDict

from knowledge.models import UsageEvent
from knowledge.store_common import now


def record_usage(db: sqlite_utils.Database, events: list[UsageEvent]) -> None:
    """Append usage events in one go (the caller batches them off the hot path)."""
    db.conn.executemany(
        "INSERT INTO usage_events (shop_id, agent_id, kind, ref_id, conversation, edited, at)"
        " VALUES (?, ?, ?, ?, ?, ?, ?)",
        [
            (e.shop_id, e.agent_id, e.kind.value, e.ref_id, e.conversation, int(e.edited), e.at.isoformat())
            for e in events
        ],
    )


def mark_usage_edited(db: sqlite_utils.Database, event: UsageEvent) -> None:
    """The agent changed the text of this use before sending it."""
    db.conn.execute(
        "UPDATE usage_events SET edited = 1 WHERE agent_id = ? AND conversation = ? AND kind = ? AND ref_id = ?"
        " AND at = ?",
        (event.agent_id, event.conversation, event.kind.value, event.ref_id, event.at.isoformat()),
    )


def record_unmatched(
    db: sqlite_utils.Database,
    shop_id: int,
    normalized: str,
    text: str,
    best_intent_id: int | None,
    best_score: float | None,
    at: str | None = None,
) -> None:
    """Keep a question without a confident answer (counted per shop and normalised text)."""
    stamp = at or now()
    db.execute(
        "INSERT INTO unmatched_messages (shop_id, normalized, text, best_intent_id, best_score, first_at, last_at)"
        " VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (shop_id, normalized) DO UPDATE SET count = count + 1,"
        " text = excluded.text, best_intent_id = excluded.best_intent_id, best_score = excluded.best_score,"
        " last_at = excluded.last_at",
        [shop_id, normalized, text[:500], best_intent_id, best_score, stamp, stamp],
    )


class UnmatchedRow(BaseModel):
    """A kept question nothing answered confidently: how often it was asked, the best intent it came
    near (and how near) and when it was first and last asked."""

    model_config = ConfigDict(frozen=True)

    id: int
    normalized: str
    text: str
    count: int
    best_intent_id: int | None
    best_score: float | None
    first_at: str
    last_at: str


def list_unmatched(
    db: sqlite_utils.Database, shop_id: int, limit: int = 50, after: int = 0
) -> list[UnmatchedRow]:
    return [
        UnmatchedRow.model_validate(r)
        for r in db.query(
            "SELECT id, normalized, text, count, best_intent_id, best_score, first_at, last_at FROM unmatched_messages"
            " WHERE shop_id = ? AND id > ? ORDER BY id LIMIT ?",
            [shop_id, after, limit],
        )
    ]


def unmatched_shop(db: sqlite_utils.Database, message_id: int) -> int | None:
    """The shop of one kept unmatched message (None when there is no such message)."""
    row = db.execute("SELECT shop_id FROM unmatched_messages WHERE id = ?", [message_id]).fetchone()
    return None if row is None else int(row[0])


def delete_unmatched(db: sqlite_utils.Database, message_id: int) -> None:
    """Forget an unmatched message (an editor handled it); it comes back if a buyer asks again."""
    db.execute("DELETE FROM unmatched_messages WHERE id = ?", [message_id])
