"""The sync: snapshots in, outbox answers, retries and offers; each call one read or one transaction."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

import sqlite_utils

from assistant.conversations.models import utc_text
from assistant.sync import snapshots, store
from assistant.sync.models import (
    OUTBOX_LABELS,
    BuyerSnapshot,
    EditApplied,
    EditFailed,
    Offer,
    OrderSnapshot,
    SnapshotResult,
)
from assistant.sync.outbox import idempotency_key, offer_out
from knowledge.database import AsyncDatabase
from knowledge.errors import Conflict, FieldError, Invalid, NotFound
from knowledge.models import Agent
from knowledge.store_shops import shop_zone

OFFER_LIMIT = 200


def _utc_now() -> datetime:
    return datetime.now(UTC)


class SyncService:
    def __init__(self, db: AsyncDatabase, clock: Callable[[], datetime] = _utc_now) -> None:
        self.db = db
        self.clock = clock

    # ---- snapshots -----------------------------------------------------------------------------

    async def order_snapshot(self, shop_id: int, snap: OrderSnapshot) -> SnapshotResult:
        now = self.clock().isoformat()
        return await self.db.write(
            lambda db: snapshots.apply_order(db, shop_id, snap, now, shop_zone(db, shop_id))
        )

    async def buyer_snapshot(self, shop_id: int, snap: BuyerSnapshot) -> SnapshotResult:
        return await self.db.write(
            lambda db: snapshots.apply_buyer(db, shop_id, snap, shop_zone(db, shop_id))
        )

    # ---- the outbox ----------------------------------------------------------------------------

    def _entry(self, db: sqlite_utils.Database, entry_id: int, agent: Agent) -> store.OutboxRow:
        row = store.outbox_entry(db, entry_id)
        if row is None or row.shop_id not in agent.shop_ids:
            raise NotFound(
                f"没有编号为 {entry_id} 的待同步修改，或它不属于你登录的店铺",
                [FieldError("edit_id", "没有这条修改")],
            )
        return row

    async def answer(self, agent: Agent, answer: EditApplied | EditFailed) -> tuple[Offer, bool]:
        """Record the host's answer; returns the entry and whether it changed (a repeat changes nothing)."""
        at = self.clock().isoformat()
        status = "applied" if isinstance(answer, EditApplied) else "failed"

        def write(db: sqlite_utils.Database) -> tuple[Offer, bool]:
            row = self._entry(db, answer.edit_id, agent)
            expected = idempotency_key(row)
            if answer.idempotency_key != expected:
                base = str(row.key_base)
                if answer.idempotency_key.startswith(base + "."):
                    raise Conflict(
                        f"这是修改 #{row.id} 之前一次尝试的答复（现在是第 {row.attempt} 次，幂等键 {expected}）：已忽略",
                        [FieldError("idempotency_key", "是旧的尝试")],
                    )
                raise Invalid.field("idempotency_key", f"不是修改 #{row.id} 的幂等键")
            if row.status == status:
                return offer_out(row), False
            if row.status != "pending":
                raise Conflict(
                    f"修改 #{row.id} 已是「{OUTBOX_LABELS[row.status]}」，不能再标为「{OUTBOX_LABELS[status]}」",
                    [FieldError("edit_id", f"已是{OUTBOX_LABELS[row.status]}")],
                )
            modified = None
            if isinstance(answer, EditApplied) and answer.modified_at is not None:
                modified = utc_text(answer.modified_at)
                store.raise_platform_time(db, row.order_id, modified)
            failure = answer.reason if isinstance(answer, EditFailed) else ""
            store.answer_outbox(db, row.id, status, at, agent.id, failure, modified)
            updated = store.outbox_entry(db, row.id)
            assert updated is not None
            return offer_out(updated), True

        return await self.db.write(write)

    async def offers(self, agent: Agent, everyone: bool, limit: int = OFFER_LIMIT) -> list[Offer]:
        """Pending entries to (re-)post to the host, oldest first: the agent's own, or all of their shops'."""
        at = self.clock().isoformat()

        def write(db: sqlite_utils.Database) -> list[Offer]:
            rows = store.pending_outbox(db, agent.shop_ids, None if everyone else agent.id, limit)
            store.mark_offered(db, [r.id for r in rows], at)
            return [offer_out(r) for r in rows]

        return await self.db.write(write)

    async def retry(self, agent: Agent, entry_id: int) -> Offer:
        """A failed entry waits again as a new attempt, with a new idempotency key."""

        def write(db: sqlite_utils.Database) -> Offer:
            row = self._entry(db, entry_id, agent)
            if not store.retry_outbox(db, entry_id):
                raise Conflict(
                    f"只有同步失败的修改可以重试；修改 #{entry_id} 是「{OUTBOX_LABELS[row.status]}」",
                    [FieldError("edit_id", f"是{OUTBOX_LABELS[row.status]}")],
                )
            updated = store.outbox_entry(db, entry_id)
            assert updated is not None
            return offer_out(updated)

        return await self.db.write(write)
