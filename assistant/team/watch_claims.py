"""The response watch's take-over claims behind one narrow interface, so the handlers do not know
whether they live in this process's SQLite file or on the team hub (``assistant/hub/watch_claims.py``).
Both enforce one open claim per conversation with a partial unique index; a loser gets
:class:`~assistant.team.store.ClaimTaken` naming the holder."""

from __future__ import annotations

from datetime import datetime
from typing import Protocol

from assistant.team import store
from assistant.team.store import Claim
from knowledge.database import AsyncDatabase


class WatchClaims(Protocol):
    async def claim(self, *, shop_id: int, conversation: str, buyer_nick: str, agent_id: int,
                    from_agent_id: int | None, at: datetime) -> Claim:  # fmt: skip
        """Take the conversation for ``agent_id``; ``ClaimTaken`` when somebody holds it."""

    async def open_claims(self, shop_ids: list[int]) -> list[Claim]:
        """The open claims of these shops, oldest first."""

    async def release(self, shop_id: int, conversation: str, at: datetime, why: str,
                      agent_id: int | None = None) -> int:  # fmt: skip
        """Release the open claim on a conversation (only ``agent_id``'s, when given); how many."""


class SqliteWatchClaims:
    """SQLite mode: the ``watch_claims`` table of the local file (``assistant/team/store.py``)."""

    def __init__(self, db: AsyncDatabase) -> None:
        self.db = db

    async def claim(self, *, shop_id: int, conversation: str, buyer_nick: str, agent_id: int,
                    from_agent_id: int | None, at: datetime) -> Claim:  # fmt: skip
        return await self.db.write(
            lambda db: store.insert_claim(db, shop_id=shop_id, conversation=conversation, buyer_nick=buyer_nick,
                                          agent_id=agent_id, from_agent_id=from_agent_id, at=at)
        )  # fmt: skip

    async def open_claims(self, shop_ids: list[int]) -> list[Claim]:
        return await self.db.read(lambda db: store.open_claims(db, shop_ids))

    async def release(self, shop_id: int, conversation: str, at: datetime, why: str,
                      agent_id: int | None = None) -> int:  # fmt: skip
        return await self.db.write(
            lambda db: store.release_claims(db, shop_id, conversation, at, why, agent_id)
        )
