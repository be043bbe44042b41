"""One claimer process of tests/hub/test_multiprocess.py: many concurrent claims on shared resources,
each answer printed as JSON (resource, who the hub said holds it)."""

from __future__ import annotations

import asyncio
import json
import sys

import asyncpg

from assistant.hub import claims


async def main(url: str, me: str, resources: int, rounds: int) -> None:
    pool = await asyncpg.create_pool(url, min_size=2, max_size=8)
    answers: list[tuple[str, str]] = []

    async def one(resource: str) -> None:
        answers.append((resource, await claims.claim(pool, "conversation", resource, me)))

    try:
        for round_no in range(rounds):
            await asyncio.gather(*(one(f"r{round_no}-{i}") for i in range(resources)))
    finally:
        await pool.close()
    print(json.dumps(answers))


if __name__ == "__main__":
    asyncio.run(main(sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])))
