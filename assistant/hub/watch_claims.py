"""The response watch's take-over claims on the team hub: one open claim per conversation across every
process, decided by the partial unique index ``watch_claims_one_open`` (however many processes press
我来接 at once, one insert wins and the others are told who). The ``WatchClaims`` interface of
``assistant/team/watch_claims.py``; each claim and release is also in the change feed. The claim's
audit entry stays in this process's SQLite file, as the rest of the audit log does for now."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

import asyncpg

from assistant.commerce.store import insert_audit
from assistant.hub import feed
from assistant.team.store import Claim, ClaimTaken
from knowledge.database import AsyncDatabase

ENTITY = "watch_claim"
_COLUMNS = (
    "id, shop_id, conversation, buyer_nick, agent_id, from_agent_id, claimed_at, released_at, released_why"
)


class PgWatchClaims:
    def __init__(self, pool: asyncpg.Pool, agent_name: Callable[[int], str | None],
                 audit_db: AsyncDatabase | None = None) -> None:  # fmt: skip
        self.pool, self.agent_name, self.audit_db = pool, agent_name, audit_db

    def _claim(self, row: asyncpg.Record) -> Claim:
        return Claim(**dict(row), agent_name=self.agent_name(row["agent_id"]) or f"#{row['agent_id']}")

    async def claim(self, *, shop_id: int, conversation: str, buyer_nick: str, agent_id: int,
                    from_agent_id: int | None, at: datetime) -> Claim:  # fmt: skip
        while True:
            async with self.pool.acquire() as conn, conn.transaction():
                row = await conn.fetchrow(
                    "INSERT INTO watch_claims (shop_id, conversation, buyer_nick, agent_id, from_agent_id,"
                    " claimed_at) VALUES ($1, $2, $3, $4, $5, $6)"
                    " ON CONFLICT (shop_id, conversation) WHERE released_at IS NULL DO NOTHING"
                    f" RETURNING {_COLUMNS}",
                    shop_id, conversation, buyer_nick, agent_id, from_agent_id, at,
                )  # fmt: skip
                if row is not None:
                    made = self._claim(row)
                    await feed.append(conn, ENTITY, made.id, "upsert", 1, _data(made))
                    break
                holder = await conn.fetchrow(
                    f"SELECT {_COLUMNS} FROM watch_claims WHERE shop_id = $1 AND conversation = $2"
                    " AND released_at IS NULL",
                    shop_id, conversation,
                )  # fmt: skip
                if holder is not None:
                    raise ClaimTaken(self._claim(holder))
            # released between the insert and the read: try again
        if self.audit_db is not None:
            await self.audit_db.write(
                lambda db: insert_audit(db, at=at.isoformat(), agent_id=agent_id, shop_id=shop_id,
                                        entity="conversation", entity_id=conversation, action="claim", reason="",
                                        before={"agent_id": from_agent_id}, after={"agent_id": agent_id})
            )  # fmt: skip
        return made

    async def open_claims(self, shop_ids: list[int]) -> list[Claim]:
        rows = await self.pool.fetch(
            f"SELECT {_COLUMNS} FROM watch_claims WHERE shop_id = ANY($1::bigint[]) AND released_at IS NULL"
            " ORDER BY id",
            shop_ids,
        )
        return [self._claim(r) for r in rows]

    async def release(self, shop_id: int, conversation: str, at: datetime, why: str,
                      agent_id: int | None = None) -> int:  # fmt: skip
        async with self.pool.acquire() as conn, conn.transaction():
            rows = await conn.fetch(
                "UPDATE watch_claims SET released_at = $3, released_why = $4 WHERE shop_id = $1"
                " AND conversation = $2 AND released_at IS NULL AND ($5::bigint IS NULL OR agent_id = $5)"
                f" RETURNING {_COLUMNS}",
                shop_id, conversation, at, why, agent_id,
            )  # fmt: skip
            for row in rows:
                released = self._claim(row)
                await feed.append(conn, ENTITY, released.id, "delete", 2, _data(released))
        return len(rows)


def _data(claim: Claim) -> dict[str, Any]:
    return claim.model_dump(mode="json")
