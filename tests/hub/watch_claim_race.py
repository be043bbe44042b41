"""One claimer process of tests/hub/test_watch_claims_pg.py: many concurrent 我来接 on shared
conversations through PgWatchClaims, each answer printed as JSON (conversation, who holds it)."""

from __future__ import annotations

import asyncio
import json
import sys
from datetime import UTC, datetime

import asyncpg

from assistant.hub.watch_claims import PgWatchClaims
from assistant.team.store import ClaimTaken


async def main(url: str, agent_id: int, conversations: int, rounds: int) -> None:
    pool = await asyncpg.create_pool(url, min_size=2, max_size=8)
    claims = PgWatchClaims(pool, lambda a: f"agent {a}")
    answers: list[tuple[str, int]] = []

    async def one(conversation: str) -> None:
        try:
            made = await claims.claim(shop_id=1, conversation=conversation, buyer_nick="买家", agent_id=agent_id,
                                      from_agent_id=None, at=datetime.now(UTC))  # fmt: skip
            answers.append((conversation, made.agent_id))
        except ClaimTaken as taken:
            answers.append((conversation, taken.holder.agent_id))

    try:
        for round_no in range(rounds):
            await asyncio.gather(*(one(f"r{round_no}-{i}") for i in range(conversations)))
    finally:
        await pool.close()
    print(json.dumps(answers))


if __name__ == "__main__":
    asyncio.run(main(sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])))
