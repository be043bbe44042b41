"""SQL for quick replies and their groups."""

from __future__ import annotations

import json
from typing import Any

import sqlite_utils

from knowledge.models import RevisionAction
from knowledge.store import now, record_revision
from quick_replies.keys import search_keys
from quick_replies.models import QuickReply, QuickReplyGroup


def insert_group(db: sqlite_utils.Database, group: QuickReplyGroup) -> int:
    cursor = db.execute(
        "INSERT INTO quick_reply_groups (shop_id, name, position) VALUES (?, ?, ?)",
        [group.shop_id, group.name, group.position],
    )
    return int(cursor.lastrowid or 0)


def snapshot(reply: QuickReply) -> dict[str, Any]:
    """The saved state of a phrase, as revisions keep it."""
    return reply.model_dump(mode="json", exclude={"id", "version"})


def insert_quick_reply(
    db: sqlite_utils.Database, reply: QuickReply, agent_id: int | None, at: str | None = None
) -> int:
    """Save a new phrase with its search keys and its first revision."""
    stamp = at or now()
    cursor = db.execute(
        """INSERT INTO quick_replies (shop_id, group_id, scope, team_id, owner_agent_id, code, title,
            body, tags, enabled, valid_from, valid_until, attachment, position, search_keys, version,
            created_at, updated_at)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 1, ?, ?)""",
        [
            reply.shop_id, reply.group_id, reply.scope.value, reply.team_id, reply.owner_agent_id,
            reply.code, reply.title, reply.body, json.dumps(reply.tags, ensure_ascii=False),
            int(reply.enabled),
            reply.valid_from.isoformat() if reply.valid_from else None,
            reply.valid_until.isoformat() if reply.valid_until else None,
            reply.attachment, reply.position,
            json.dumps(search_keys(reply.title, reply.body), ensure_ascii=False, separators=(",", ":")),
            stamp, stamp,
        ],
    )
    reply_id = int(cursor.lastrowid or 0)
    record_revision(
        db, "quick_reply", reply_id, 1, RevisionAction.CREATE, agent_id, None, snapshot(reply), at=stamp
    )
    return reply_id
