"""The quick-reply store interface: ``QuickReplyStore``, what the service needs from a store of
phrases, implemented on SQLite here (``SqliteQuickReplyStore``, over the functions of
``quick_replies.store``) and on PostgreSQL on the team hub (``assistant/hub/quick_replies.py``); both
pass ``tests/quick_replies/contract.py``."""

from __future__ import annotations

from typing import TYPE_CHECKING, Protocol

import sqlite_utils

from knowledge.models import Revision
from quick_replies.models import QuickReply, QuickReplyGroup
from quick_replies.rows import StoredQuickReply
from quick_replies.store import (
    all_phrases,
    create_quick_reply,
    delete_quick_reply,
    get,
    in_shop,
    insert_group,
    list_groups,
    quick_reply_revisions,
    reorder_group,
    rollback_quick_reply,
    update_quick_reply,
)
from quick_replies.store_refusals import GroupNameTaken

if TYPE_CHECKING:
    from knowledge.database import AsyncDatabase


class QuickReplyStore(Protocol):
    """What the service needs from a quick-reply store. A phrase comes back as a
    :class:`~quick_replies.rows.StoredQuickReply`: the phrase, its group's name and position, and the
    search keys computed when it was saved (the lookup index is built from them).

    The change hook: every write returns the saved phrases (a delete, the phrase it removed); the
    caller swaps them into this process's lookup index. On the hub the same write also appends them to
    the change feed in its transaction, and every other process applies them from there."""

    async def all_phrases(self) -> list[StoredQuickReply]: ...
    async def get(self, phrase_id: int) -> StoredQuickReply | None: ...
    async def in_shop(
        self, shop_id: int, *, q: str = "", group_id: int | None = None, scope: str | None = None,
        enabled: bool | None = None,
    ) -> list[StoredQuickReply]: ...  # fmt: skip
    async def create(self, reply: QuickReply, agent_id: int | None) -> StoredQuickReply: ...
    async def update(
        self, phrase_id: int, reply: QuickReply, expected_version: int | None, agent_id: int | None
    ) -> StoredQuickReply: ...
    async def delete(
        self, phrase_id: int, expected_version: int | None, agent_id: int | None
    ) -> StoredQuickReply: ...
    async def rollback(
        self, phrase_id: int, revision_id: int, expected_version: int | None, agent_id: int | None
    ) -> StoredQuickReply: ...
    async def revisions(self, phrase_id: int) -> list[Revision]: ...
    async def list_groups(self, shop_id: int) -> list[QuickReplyGroup]: ...
    async def create_group(self, group: QuickReplyGroup) -> QuickReplyGroup: ...
    async def reorder_group(
        self, group_id: int, items: list[tuple[int, int]], agent_id: int | None
    ) -> list[StoredQuickReply]: ...


class SqliteQuickReplyStore:
    """The functions above on the service's SQLite ``AsyncDatabase``: reads off the loop, writes on its writer."""

    def __init__(self, db: AsyncDatabase) -> None:
        self.db = db

    async def all_phrases(self) -> list[StoredQuickReply]:
        return await self.db.read(all_phrases)

    async def get(self, phrase_id: int) -> StoredQuickReply | None:
        return await self.db.read(lambda c: get(c, phrase_id))

    async def in_shop(
        self, shop_id: int, *, q: str = "", group_id: int | None = None, scope: str | None = None,
        enabled: bool | None = None,
    ) -> list[StoredQuickReply]:  # fmt: skip
        return await self.db.read(
            lambda c: in_shop(c, shop_id, q=q, group_id=group_id, scope=scope, enabled=enabled)
        )

    async def create(self, reply: QuickReply, agent_id: int | None) -> StoredQuickReply:
        return await self.db.write(lambda c: create_quick_reply(c, reply, agent_id))

    async def update(
        self, phrase_id: int, reply: QuickReply, expected_version: int | None, agent_id: int | None
    ) -> StoredQuickReply:
        return await self.db.write(
            lambda c: update_quick_reply(c, phrase_id, reply, expected_version, agent_id)
        )

    async def delete(
        self, phrase_id: int, expected_version: int | None, agent_id: int | None
    ) -> StoredQuickReply:
        return await self.db.write(lambda c: delete_quick_reply(c, phrase_id, expected_version, agent_id))

    async def rollback(
        self, phrase_id: int, revision_id: int, expected_version: int | None, agent_id: int | None
    ) -> StoredQuickReply:
        return await self.db.write(
            lambda c: rollback_quick_reply(c, phrase_id, revision_id, expected_version, agent_id)
        )

    async def revisions(self, phrase_id: int) -> list[Revision]:
        return await self.db.read(lambda c: quick_reply_revisions(c, phrase_id))

    async def list_groups(self, shop_id: int) -> list[QuickReplyGroup]:
        return await self.db.read(lambda c: list_groups(c, shop_id))

    async def create_group(self, group: QuickReplyGroup) -> QuickReplyGroup:
        def save(c: sqlite_utils.Database) -> QuickReplyGroup:
            if any(g.name == group.name for g in list_groups(c, group.shop_id)):
                raise GroupNameTaken(group.name)
            return group.model_copy(update={"id": insert_group(c, group)})

        return await self.db.write(save)

    async def reorder_group(
        self, group_id: int, items: list[tuple[int, int]], agent_id: int | None
    ) -> list[StoredQuickReply]:
        return await self.db.write(lambda c: reorder_group(c, group_id, items, agent_id))
