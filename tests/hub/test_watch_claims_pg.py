"""The watch-claims contract on the team hub, what only the hub adds (every claim and release is in the
change feed), and the race from two OS processes: however they interleave, one owner per conversation."""

from __future__ import annotations

import asyncio
import json
import subprocess
import sys
from datetime import UTC, datetime

import asyncpg
import pytest

from assistant.hub import feed
from assistant.hub.watch_claims import PgWatchClaims
from tests.team.watch_claims_contract import ClaimsUnderTest, WatchClaimsContract

pytestmark = pytest.mark.postgres


@pytest.fixture
def wc(pool: asyncpg.Pool) -> ClaimsUnderTest:
    return ClaimsUnderTest(PgWatchClaims(pool, {1: "小美", 2: "李娜"}.get), 1, 2, 1, 2)


class TestPgWatchClaims(WatchClaimsContract):
    pass


async def test_claims_and_releases_are_in_the_feed(pool: asyncpg.Pool) -> None:
    claims = PgWatchClaims(pool, lambda _: "小美")
    at = datetime(2026, 11, 11, 2, 0, tzinfo=UTC)
    made = await claims.claim(
        shop_id=1, conversation="c-1", buyer_nick="买家", agent_id=1, from_agent_id=None, at=at
    )
    await claims.release(1, "c-1", at, "answered", 1)
    changes = [c for c in await feed.read_after(pool, 0) if c.entity == "watch_claim"]
    assert [(c.entity_id, c.op) for c in changes] == [(made.id, "upsert"), (made.id, "delete")]
    assert changes[1].data is not None and changes[1].data["released_why"] == "answered"


@pytest.mark.slow
async def test_watch_claims_raced_from_two_processes_never_give_two_owners(
    pool: asyncpg.Pool, pg_url: str
) -> None:
    command = [sys.executable, "-m", "tests.hub.watch_claim_race", pg_url]
    racers = [await asyncio.create_subprocess_exec(*command, agent, "40", "3", stdout=subprocess.PIPE)
              for agent in ("1", "2")]  # fmt: skip
    outputs = [json.loads(out) for out, _ in await asyncio.gather(*(r.communicate() for r in racers))]
    assert all(r.returncode == 0 for r in racers)
    told: dict[str, set[int]] = {}
    for answers in outputs:
        for conversation, owner in answers:
            told.setdefault(conversation, set()).add(owner)
    assert len(told) == 120 and all(len(owners) == 1 for owners in told.values())  # both were told the same
    live = await pool.fetch(
        "SELECT conversation, count(*) AS n FROM watch_claims WHERE released_at IS NULL GROUP BY conversation"
    )
    assert len(live) == 120 and max(r["n"] for r in live) == 1
    assert {next(iter(o)) for o in told.values()} <= {1, 2}
