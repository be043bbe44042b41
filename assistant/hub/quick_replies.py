"""Quick replies on the team hub: ``QuickReplyStore`` (quick_replies/store_interface.py) on PostgreSQL. A row
is read back with the SQLite store's ``stored`` (the tables have the same columns), so both hand out the same
``StoredQuickReply``. Every write appends the saved phrase (``model_dump``) to the change feed in the same
transaction."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any, NoReturn

import asyncpg

from assistant.hub import feed
from knowledge.errors import Conflict, FieldError, Invalid
from knowledge.models import Revision, RevisionAction
from knowledge.store import now
from quick_replies import store as sqlite_store
from quick_replies.models import QuickReply, QuickReplyGroup
from quick_replies.rows import StoredQuickReply, stored
from quick_replies.store import snapshot
from quick_replies.store_refusals import GroupNameTaken, code_clash_in, missing, stale

ENTITY = "quick_reply"
GROUP_ENTITY = "quick_reply_group"
_COLUMNS = (
    "shop_id, group_id, scope, team_id, owner_agent_id, code, title, body, tags, enabled, valid_from,"
    " valid_until, attachment, position, search_keys"
)
_SELECT = (
    "SELECT q.*, g.name AS group_name, g.position AS group_position FROM quick_replies q"
    " JOIN quick_reply_groups g ON g.id = q.group_id"
)


def _values(reply: QuickReply) -> list[Any]:
    values = sqlite_store._values(reply)  # one definition of how a phrase is stored
    values[9] = bool(values[9])  # enabled: BOOLEAN here, 0/1 in SQLite
    return values


def _stored(record: asyncpg.Record) -> StoredQuickReply:
    return stored(dict(record))


class PgQuickReplyStore:
    """Quick replies in PostgreSQL. ``agent_name`` names revision authors and ``shop_name`` the shop in a
    code clash (agents and shops live in SQLite)."""

    def __init__(
        self,
        pool: asyncpg.Pool,
        agent_name: Callable[[int], str | None] = lambda _: None,
        shop_name: Callable[[int], str | None] = lambda _: None,
    ) -> None:
        self.pool, self.agent_name, self.shop_name = pool, agent_name, shop_name

    # -- reading ---------------------------------------------------------------------------------- #

    async def all_phrases(self) -> list[StoredQuickReply]:
        rows = await self.pool.fetch(f"{_SELECT} ORDER BY q.shop_id, g.position, g.id, q.position, q.id")
        return [_stored(r) for r in rows]

    async def get(self, phrase_id: int, conn: asyncpg.Connection | None = None) -> StoredQuickReply | None:
        record = await (conn or self.pool).fetchrow(f"{_SELECT} WHERE q.id = $1", phrase_id)
        return None if record is None else _stored(record)

    async def in_shop(
        self, shop_id: int, *, q: str = "", group_id: int | None = None, scope: str | None = None,
        enabled: bool | None = None,
    ) -> list[StoredQuickReply]:  # fmt: skip
        where, params = ["q.shop_id = $1"], [shop_id]

        def param(value: Any) -> str:
            params.append(value)
            return f"${len(params)}"

        if q:
            like = param("%" + q.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%")
            # ILIKE: SQLite's LIKE ignores ASCII case, PostgreSQL's does not
            where.append(
                f"(q.code ILIKE {like} OR q.title ILIKE {like} OR q.body ILIKE {like} OR q.tags ILIKE {like})"
            )
        if group_id is not None:
            where.append(f"q.group_id = {param(group_id)}")
        if scope is not None:
            where.append(f"q.scope = {param(scope)}")
        if enabled is not None:
            where.append(f"q.enabled = {param(enabled)}")
        sql = f"{_SELECT} WHERE {' AND '.join(where)} ORDER BY g.position, g.id, q.position, q.id"
        return [_stored(r) for r in await self.pool.fetch(sql, *params)]

    async def revisions(self, phrase_id: int) -> list[Revision]:
        rows = await self.pool.fetch(
            "SELECT * FROM quick_reply_revisions WHERE entity_id = $1 ORDER BY version DESC, id DESC",
            phrase_id,
        )
        return [
            Revision(
                id=r["id"], entity=ENTITY, entity_id=r["entity_id"], version=r["version"], action=r["action"],
                agent_id=r["agent_id"], agent_name=None if r["agent_id"] is None else self.agent_name(r["agent_id"]),
                at=r["at"], before=None if r["before"] is None else json.loads(r["before"]),
                after=None if r["after"] is None else json.loads(r["after"]),
            )
            for r in rows
        ]  # fmt: skip

    async def list_groups(self, shop_id: int) -> list[QuickReplyGroup]:
        rows = await self.pool.fetch(
            "SELECT * FROM quick_reply_groups WHERE shop_id = $1 ORDER BY position, id", shop_id
        )
        return [
            QuickReplyGroup(id=r["id"], shop_id=r["shop_id"], name=r["name"], position=r["position"])
            for r in rows
        ]

    # -- writing ---------------------------------------------------------------------------------- #

    async def _revision(
        self, conn: asyncpg.Connection, phrase_id: int, version: int, action: RevisionAction,
        agent_id: int | None, before: dict[str, Any] | None, after: dict[str, Any] | None, at: str,
    ) -> None:  # fmt: skip
        await conn.execute(
            "INSERT INTO quick_reply_revisions (entity_id, version, action, agent_id, at, before, after)"
            " VALUES ($1, $2, $3, $4, $5, $6::jsonb, $7::jsonb)",
            phrase_id, version, action.value, agent_id, at,
            None if before is None else json.dumps(before, ensure_ascii=False),
            None if after is None else json.dumps(after, ensure_ascii=False),
        )  # fmt: skip

    async def _check(self, conn: asyncpg.Connection, reply: QuickReply, exclude_id: int | None) -> None:
        shop = await conn.fetchval("SELECT shop_id FROM quick_reply_groups WHERE id = $1", reply.group_id)
        if shop is None:
            raise Invalid.field("group_id", f"分组 {reply.group_id} 不存在，请先创建分组或选择已有分组")
        if shop != reply.shop_id:
            raise Invalid.field("group_id", f"分组 {reply.group_id} 属于另一个店铺，请选择本店铺的分组")
        holder = await conn.fetchrow(
            "SELECT id, title FROM quick_replies WHERE shop_id = $1 AND scope = $2 AND COALESCE(team_id, 0) = $3"
            " AND COALESCE(owner_agent_id, 0) = $4 AND code = $5 AND id != $6",
            reply.shop_id, reply.scope.value, reply.team_id or 0, reply.owner_agent_id or 0, reply.code,
            exclude_id or 0,
        )  # fmt: skip
        if holder is not None:
            raise code_clash_in(
                self.shop_name(reply.shop_id) or str(reply.shop_id), reply.code, holder["id"], holder["title"]
            )

    async def _current(
        self, conn: asyncpg.Connection, phrase_id: int, expected_version: int | None
    ) -> StoredQuickReply:
        record = await conn.fetchrow("SELECT id FROM quick_replies WHERE id = $1 FOR UPDATE", phrase_id)
        current = None if record is None else await self.get(phrase_id, conn)
        if current is None:
            raise missing("quick_reply", phrase_id)
        if expected_version is not None and current.version != expected_version:
            raise stale(current)
        return current

    async def _saved(self, conn: asyncpg.Connection, phrase_id: int) -> StoredQuickReply:
        saved = await self.get(phrase_id, conn)
        assert saved is not None
        await feed.append(conn, ENTITY, phrase_id, "upsert", saved.version, saved.model_dump(mode="json"))
        return saved

    async def _clash_on_race(self, reply: QuickReply, exclude_id: int | None, exc: Exception) -> NoReturn:
        """A concurrent save took the code between our check and our write: name the holder."""
        async with self.pool.acquire() as conn:
            await self._check(conn, reply, exclude_id)
        raise Conflict(
            f"编码 {reply.code} 正被同时保存的另一条短语占用：请刷新后重试", [FieldError("code", "冲突")]
        ) from exc

    async def create(self, reply: QuickReply, agent_id: int | None) -> StoredQuickReply:
        try:
            async with self.pool.acquire() as conn, conn.transaction():
                await self._check(conn, reply, None)
                stamp = now()
                phrase_id = await conn.fetchval(
                    f"INSERT INTO quick_replies ({_COLUMNS}, version, created_at, updated_at) VALUES"
                    " ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, 1, $16, $16) RETURNING id",
                    *_values(reply), stamp,
                )  # fmt: skip
                await self._revision(
                    conn, phrase_id, 1, RevisionAction.CREATE, agent_id, None, snapshot(reply), stamp
                )
                return await self._saved(conn, phrase_id)
        except asyncpg.UniqueViolationError as exc:
            await self._clash_on_race(reply, None, exc)

    async def _update(
        self, conn: asyncpg.Connection, phrase_id: int, reply: QuickReply, expected_version: int | None,
        agent_id: int | None, action: RevisionAction = RevisionAction.UPDATE,
    ) -> StoredQuickReply:  # fmt: skip
        current = await self._current(conn, phrase_id, expected_version)
        await self._check(conn, reply, phrase_id)
        before = snapshot(current.reply)
        version, stamp = current.version + 1, now()
        await conn.execute(
            "UPDATE quick_replies SET shop_id = $1, group_id = $2, scope = $3, team_id = $4, owner_agent_id = $5,"
            " code = $6, title = $7, body = $8, tags = $9, enabled = $10, valid_from = $11, valid_until = $12,"
            " attachment = $13, position = $14, search_keys = $15, version = $16, updated_at = $17 WHERE id = $18",
            *_values(reply), version, stamp, phrase_id,
        )  # fmt: skip
        await self._revision(conn, phrase_id, version, action, agent_id, before, snapshot(reply), stamp)
        return await self._saved(conn, phrase_id)

    async def update(
        self, phrase_id: int, reply: QuickReply, expected_version: int | None, agent_id: int | None
    ) -> StoredQuickReply:
        try:
            async with self.pool.acquire() as conn, conn.transaction():
                return await self._update(conn, phrase_id, reply, expected_version, agent_id)
        except asyncpg.UniqueViolationError as exc:
            await self._clash_on_race(reply, phrase_id, exc)

    async def delete(
        self, phrase_id: int, expected_version: int | None, agent_id: int | None
    ) -> StoredQuickReply:
        async with self.pool.acquire() as conn, conn.transaction():
            current = await self._current(conn, phrase_id, expected_version)
            await conn.execute("DELETE FROM quick_replies WHERE id = $1", phrase_id)
            version = current.version + 1
            await self._revision(
                conn,
                phrase_id,
                version,
                RevisionAction.DELETE,
                agent_id,
                snapshot(current.reply),
                None,
                now(),
            )
            await feed.append(conn, ENTITY, phrase_id, "delete", version, None)
            return current

    async def rollback(
        self, phrase_id: int, revision_id: int, expected_version: int | None, agent_id: int | None
    ) -> StoredQuickReply:
        revision = next((r for r in await self.revisions(phrase_id) if r.id == revision_id), None)
        if revision is None:
            raise missing("revision", revision_id)
        state = revision.after if revision.after is not None else revision.before
        assert state is not None
        reply = QuickReply.model_validate(state)
        try:
            async with self.pool.acquire() as conn, conn.transaction():
                if await conn.fetchval("SELECT 1 FROM quick_replies WHERE id = $1", phrase_id):
                    return await self._update(
                        conn, phrase_id, reply, expected_version, agent_id, RevisionAction.ROLLBACK
                    )
                await self._check(conn, reply, phrase_id)
                version = 1 + await conn.fetchval(
                    "SELECT MAX(version) FROM quick_reply_revisions WHERE entity_id = $1", phrase_id
                )
                stamp = now()
                await conn.execute(
                    f"INSERT INTO quick_replies ({_COLUMNS}, version, created_at, updated_at, id) VALUES"
                    " ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $17, $18)",
                    *_values(reply), version, stamp, phrase_id,
                )  # fmt: skip
                await self._revision(
                    conn, phrase_id, version, RevisionAction.ROLLBACK, agent_id, None, snapshot(reply), stamp
                )
                return await self._saved(conn, phrase_id)
        except asyncpg.UniqueViolationError as exc:
            await self._clash_on_race(reply, phrase_id, exc)

    async def create_group(self, group: QuickReplyGroup) -> QuickReplyGroup:
        try:
            async with self.pool.acquire() as conn, conn.transaction():
                group_id = await conn.fetchval(
                    "INSERT INTO quick_reply_groups (shop_id, name, position) VALUES ($1, $2, $3) RETURNING id",
                    group.shop_id, group.name, group.position,
                )  # fmt: skip
                saved = group.model_copy(update={"id": group_id})
                await feed.append(conn, GROUP_ENTITY, group_id, "upsert", 1, saved.model_dump(mode="json"))
        except asyncpg.UniqueViolationError as exc:
            raise GroupNameTaken(group.name) from exc
        return saved

    async def reorder_group(
        self, group_id: int, items: list[tuple[int, int]], agent_id: int | None
    ) -> list[StoredQuickReply]:
        saved = []
        async with self.pool.acquire() as conn, conn.transaction():
            for position, (phrase_id, version) in enumerate(items):
                current = await self._current(conn, phrase_id, version)
                if current.reply.group_id != group_id:
                    raise stale(current)
                if current.reply.position != position:
                    reply = current.reply.model_copy(update={"position": position})
                    current = await self._update(conn, phrase_id, reply, version, agent_id)
                saved.append(current)
        return saved
