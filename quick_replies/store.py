"""SQL for quick replies and their groups: reading, saving, deleting and rolling back phrases, each
write with its revision.

Refusals are the domain's errors (``knowledge.errors``), worded in ``quick_replies.store_refusals``: a
taken code or a clash ``Conflict``, a stale version ``StaleVersion`` carrying the phrase as it is now,
an unknown phrase or revision ``NotFound``, a group of another shop ``Invalid``. The interface the
service holds (``QuickReplyStore``, SQLite or the team hub's PostgreSQL) is
``quick_replies.store_interface``."""

from __future__ import annotations

import json
from typing import Any

import sqlite_utils
from pydantic import BaseModel, ConfigDict

from knowledge.errors import Invalid
from knowledge.models import Revision, RevisionAction
from knowledge.store import list_revisions, now, record_revision
from quick_replies.keys import search_keys
from quick_replies.models import QuickReply, QuickReplyGroup
from quick_replies.rows import StoredQuickReply, stored
from quick_replies.store_refusals import code_clash, conflict_on_integrity_error, missing, stale


def insert_group(db: sqlite_utils.Database, group: QuickReplyGroup) -> int:
    cursor = db.execute(
        "INSERT INTO quick_reply_groups (shop_id, name, position) VALUES (?, ?, ?)",
        [group.shop_id, group.name, group.position],
    )
    return int(cursor.lastrowid or 0)


def snapshot(reply: QuickReply) -> dict[str, Any]:
    """The saved state of a phrase, as revisions keep it."""
    return reply.model_dump(mode="json", exclude={"id", "version"})


def _values(reply: QuickReply) -> list[Any]:
    return [
        reply.shop_id,
        reply.group_id,
        reply.scope.value,
        reply.team_id,
        reply.owner_agent_id,
        reply.code,
        reply.title,
        reply.body,
        json.dumps(reply.tags, ensure_ascii=False),
        int(reply.enabled),
        reply.valid_from.isoformat() if reply.valid_from else None,
        reply.valid_until.isoformat() if reply.valid_until else None,
        reply.attachment,
        reply.position,
        json.dumps(search_keys(reply.title, reply.body), ensure_ascii=False, separators=(",", ":")),
    ]


def insert_quick_reply(
    db: sqlite_utils.Database, reply: QuickReply, agent_id: int | None, at: str | None = None
) -> int:
    """Save a new phrase with its search keys and its first revision."""
    _check(db, reply, None)
    stamp = at or now()
    with conflict_on_integrity_error():
        cursor = db.execute(
            """INSERT INTO quick_replies (shop_id, group_id, scope, team_id, owner_agent_id, code, title,
                body, tags, enabled, valid_from, valid_until, attachment, position, search_keys, version,
                created_at, updated_at)
               VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 1, ?, ?)""",
            [*_values(reply), stamp, stamp],
        )
    reply_id = int(cursor.lastrowid or 0)
    record_revision(
        db, "quick_reply", reply_id, 1, RevisionAction.CREATE, agent_id, None, snapshot(reply), at=stamp
    )
    return reply_id


# --------------------------------------------------------------------------- #
# Reading, saving, deleting and rolling back phrases
# --------------------------------------------------------------------------- #

ENTITY = "quick_reply"
_SELECT = (
    "SELECT q.*, g.name AS group_name, g.position AS group_position FROM quick_replies q"
    " JOIN quick_reply_groups g ON g.id = q.group_id"
)


def list_groups(db: sqlite_utils.Database, shop_id: int) -> list[QuickReplyGroup]:
    return [
        QuickReplyGroup(id=r["id"], shop_id=r["shop_id"], name=r["name"], position=r["position"])
        for r in db.query(
            "SELECT * FROM quick_reply_groups WHERE shop_id = ? ORDER BY position, id", [shop_id]
        )
    ]


def all_phrases(db: sqlite_utils.Database) -> list[StoredQuickReply]:
    """Every phrase with its group's name, in display order (for building the index)."""
    return [stored(r) for r in db.query(f"{_SELECT} ORDER BY q.shop_id, g.position, g.id, q.position, q.id")]


def get(db: sqlite_utils.Database, phrase_id: int) -> StoredQuickReply | None:
    row = next(iter(db.query(f"{_SELECT} WHERE q.id = ?", [phrase_id])), None)
    return None if row is None else stored(row)


def in_shop(
    db: sqlite_utils.Database,
    shop_id: int,
    *,
    q: str = "",
    group_id: int | None = None,
    scope: str | None = None,
    enabled: bool | None = None,
) -> list[StoredQuickReply]:
    """A shop's phrases in display order; ``q`` is a substring of code, title, body or tags."""
    where: list[str] = ["q.shop_id = ?"]
    params: list[Any] = [shop_id]
    if q:
        like = "%" + q.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        where.append(
            "(q.code LIKE ? ESCAPE '\\' OR q.title LIKE ? ESCAPE '\\' OR q.body LIKE ? ESCAPE '\\'"
            " OR q.tags LIKE ? ESCAPE '\\')"
        )
        params += [like] * 4
    if group_id is not None:
        where.append("q.group_id = ?")
        params.append(group_id)
    if scope is not None:
        where.append("q.scope = ?")
        params.append(scope)
    if enabled is not None:
        where.append("q.enabled = ?")
        params.append(int(enabled))
    sql = f"{_SELECT} WHERE {' AND '.join(where)} ORDER BY g.position, g.id, q.position, q.id"
    return [stored(r) for r in db.query(sql, params)]


class UsageCount(BaseModel):
    """How one phrase was used in a window: uses, distinct agents, uses edited before sending, last use."""

    model_config = ConfigDict(frozen=True)

    ref_id: int
    uses: int
    agents: int
    edited: int
    last_used_at: str


class DayUse(BaseModel):
    """How often one agent used one phrase on one day (``day``: the ISO date): the ranking's history."""

    model_config = ConfigDict(frozen=True)

    agent_id: int
    phrase_id: int
    day: str
    uses: int


def usage_counts(db: sqlite_utils.Database, shop_id: int, since: str) -> dict[int, UsageCount]:
    """Per phrase of the shop used since ``since``: uses, distinct agents, edited uses, last use."""
    return {
        r["ref_id"]: UsageCount.model_validate(r)
        for r in db.query(
            "SELECT ref_id, COUNT(*) AS uses, COUNT(DISTINCT agent_id) AS agents, SUM(edited) AS edited,"
            " MAX(at) AS last_used_at FROM usage_events WHERE kind = 'quick_reply' AND shop_id = ? AND at >= ?"
            " GROUP BY ref_id",
            [shop_id, since],
        )
    }


def _check(db: sqlite_utils.Database, reply: QuickReply, exclude_id: int | None) -> None:
    group = next(
        iter(db.query("SELECT shop_id FROM quick_reply_groups WHERE id = ?", [reply.group_id])), None
    )
    if group is None:
        raise Invalid.field("group_id", f"分组 {reply.group_id} 不存在，请先创建分组或选择已有分组")
    if group["shop_id"] != reply.shop_id:
        raise Invalid.field("group_id", f"分组 {reply.group_id} 属于另一个店铺，请选择本店铺的分组")
    holder = next(
        iter(
            db.query(
                "SELECT id, title FROM quick_replies WHERE shop_id = ? AND scope = ? AND IFNULL(team_id, 0) = ?"
                " AND IFNULL(owner_agent_id, 0) = ? AND code = ? AND id != ?",
                [
                    reply.shop_id,
                    reply.scope.value,
                    reply.team_id or 0,
                    reply.owner_agent_id or 0,
                    reply.code,
                    exclude_id or 0,
                ],
            )
        ),
        None,
    )
    if holder is not None:
        raise code_clash(db, reply.shop_id, reply.code, holder["id"], holder["title"])


def _saved(db: sqlite_utils.Database, phrase_id: int) -> StoredQuickReply:
    found = get(db, phrase_id)
    assert found is not None
    return found


def create_quick_reply(
    db: sqlite_utils.Database, reply: QuickReply, agent_id: int | None
) -> StoredQuickReply:
    """Check the group and the code, save, and return the saved phrase."""
    return _saved(db, insert_quick_reply(db, reply, agent_id))


def _current(db: sqlite_utils.Database, phrase_id: int, expected_version: int | None) -> StoredQuickReply:
    found = get(db, phrase_id)
    if found is None:
        raise missing("quick_reply", phrase_id)
    if expected_version is not None and found.version != expected_version:
        raise stale(found)
    return found


def update_quick_reply(
    db: sqlite_utils.Database,
    phrase_id: int,
    reply: QuickReply,
    expected_version: int | None,
    agent_id: int | None,
    action: RevisionAction = RevisionAction.UPDATE,
) -> StoredQuickReply:
    """Save a new state of a phrase (version checked) with a revision of before and after."""
    current = _current(db, phrase_id, expected_version)
    _check(db, reply, phrase_id)
    before = snapshot(current.reply)
    version = current.version + 1
    stamp = now()
    with conflict_on_integrity_error():
        db.execute(
            """UPDATE quick_replies SET shop_id = ?, group_id = ?, scope = ?, team_id = ?, owner_agent_id = ?,
                code = ?, title = ?, body = ?, tags = ?, enabled = ?, valid_from = ?, valid_until = ?,
                attachment = ?, position = ?, search_keys = ?, version = ?, updated_at = ? WHERE id = ?""",
            [*_values(reply), version, stamp, phrase_id],
        )
    record_revision(db, ENTITY, phrase_id, version, action, agent_id, before, snapshot(reply), at=stamp)
    return _saved(db, phrase_id)


def reorder_group(
    db: sqlite_utils.Database, group_id: int, items: list[tuple[int, int]], agent_id: int | None
) -> list[StoredQuickReply]:
    """Give the phrases ``[(id, version seen)]`` of a group positions 0, 1, 2… in that order, all or none.

    Each phrase whose position changes is saved as a new version with its revision; a stale version
    (or a phrase moved to another group meanwhile) raises ``StaleVersion`` and nothing is written.
    """
    saved = []
    for position, (phrase_id, version) in enumerate(items):
        current = _current(db, phrase_id, version)
        if current.reply.group_id != group_id:
            raise stale(current)
        if current.reply.position != position:
            reply = current.reply.model_copy(update={"position": position})
            current = update_quick_reply(db, phrase_id, reply, version, agent_id)
        saved.append(current)
    return saved


def delete_quick_reply(
    db: sqlite_utils.Database, phrase_id: int, expected_version: int | None, agent_id: int | None
) -> StoredQuickReply:
    """Delete a phrase, keeping its last state in a revision (so it can be restored); the phrase as it was."""
    current = _current(db, phrase_id, expected_version)
    db.execute("DELETE FROM quick_replies WHERE id = ?", [phrase_id])
    record_revision(
        db,
        ENTITY,
        phrase_id,
        current.version + 1,
        RevisionAction.DELETE,
        agent_id,
        snapshot(current.reply),
        None,
    )
    return current


def get_revision(db: sqlite_utils.Database, phrase_id: int, revision_id: int) -> Revision:
    for revision in list_revisions(db, ENTITY, phrase_id):
        if revision.id == revision_id:
            return revision
    raise missing("revision", revision_id)


def rollback_quick_reply(
    db: sqlite_utils.Database,
    phrase_id: int,
    revision_id: int,
    expected_version: int | None,
    agent_id: int | None,
) -> StoredQuickReply:
    """Bring a phrase back to the state a revision saved; a deleted phrase is restored."""
    revision = get_revision(db, phrase_id, revision_id)
    state = revision.after if revision.after is not None else revision.before
    assert state is not None
    reply = QuickReply.model_validate(state)
    if get(db, phrase_id) is not None:
        return update_quick_reply(db, phrase_id, reply, expected_version, agent_id, RevisionAction.ROLLBACK)
    _check(db, reply, phrase_id)
    version = max(r.version for r in list_revisions(db, ENTITY, phrase_id)) + 1
    stamp = now()
    with conflict_on_integrity_error():
        db.execute(
            """INSERT INTO quick_replies (shop_id, group_id, scope, team_id, owner_agent_id, code, title, body, tags,
                enabled, valid_from, valid_until, attachment, position, search_keys, version, created_at, updated_at,
                id) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)""",
            [*_values(reply), version, stamp, stamp, phrase_id],
        )
    record_revision(
        db, ENTITY, phrase_id, version, RevisionAction.ROLLBACK, agent_id, None, snapshot(reply), at=stamp
    )
    return _saved(db, phrase_id)


def quick_reply_revisions(db: sqlite_utils.Database, phrase_id: int) -> list[Revision]:
    return list_revisions(db, ENTITY, phrase_id)


def usage_by_day(db: sqlite_utils.Database, since: str) -> list[DayUse]:
    """Per agent, phrase and day, the quick-reply uses since ``since``: the ranking's history."""
    return [
        DayUse(agent_id=r["agent_id"], phrase_id=r["ref_id"], day=r["day"], uses=r["uses"])
        for r in db.query(
            "SELECT agent_id, ref_id, substr(at, 1, 10) AS day, COUNT(*) AS uses FROM usage_events"
            " WHERE kind = 'quick_reply' AND at >= ? GROUP BY agent_id, ref_id, day",
            [since],
        )
    ]
