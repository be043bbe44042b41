"""Scheduled jobs as database facts: in hub mode a job whose state lives on the hub runs in one process
per period, whichever reaches it first. The run holds a transaction-level advisory lock (released by the
commit or rollback itself, so a process killed mid-run frees it) and records its end in ``hub_jobs``; a
process that finds the lock taken, or the job run less than a period ago, skips its turn. A run that
fails records nothing, so the next process to reach it tries again.

Times are the database's (``now()``), so machines with skewed clocks still agree on the period.
"""

from __future__ import annotations

import os
import socket
from collections.abc import Awaitable, Callable
from typing import Final

import asyncpg

#: first key of the jobs' pg_try_advisory_xact_lock(int, int) ("jobs"); the second is hashtext(name)
JOBS_LOCK: Final = 0x6A6F6273
SKIPPED: Final = "skipped: another process runs it"
WHO = f"{socket.gethostname()}:{os.getpid()}"


async def once_per_period(
    pool: asyncpg.Pool, name: str, every: float, run: Callable[[], Awaitable[object]], who: str = WHO
) -> object:
    """Run ``run`` unless another process is running it or ran it less than ``every`` seconds ago
    (then :data:`SKIPPED`). The lock is held for the whole run, in a transaction on one pooled
    connection; the job's own work does not use that connection."""
    async with pool.acquire() as conn, conn.transaction():
        if not await conn.fetchval("SELECT pg_try_advisory_xact_lock($1, hashtext($2))", JOBS_LOCK, name):
            return SKIPPED
        recent = await conn.fetchval(
            "SELECT last_run_at > now() - make_interval(secs => $2) FROM hub_jobs WHERE name = $1",
            name,
            every,
        )
        if recent:
            return SKIPPED
        result = await run()
        await conn.execute(
            "INSERT INTO hub_jobs (name, last_run_at, run_by) VALUES ($1, clock_timestamp(), $2)"
            " ON CONFLICT (name) DO UPDATE SET last_run_at = EXCLUDED.last_run_at, run_by = EXCLUDED.run_by",
            name, who,
        )  # fmt: skip
        return result


def guard(
    pool: asyncpg.Pool, name: str, every: float, run: Callable[[], Awaitable[object]]
) -> Callable[[], Awaitable[object]]:
    """``run`` as a scheduler job that runs once per period across the hub."""

    async def guarded() -> object:
        return await once_per_period(pool, name, every, run)

    return guarded
