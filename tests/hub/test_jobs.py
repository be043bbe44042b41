"""Scheduled jobs once per period across the hub: concurrent turns from separate sessions (as from two
processes) run the job once; a period later it runs again; a failed run records nothing, so the next
turn retries; a job named in ``assistant.jobs.ON_HUB`` is guarded in a hub-mode app."""

from __future__ import annotations

import asyncio
import shutil
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path

import asyncpg
import pytest
from aiohttp.test_utils import TestClient

from assistant import jobs, keys
from assistant.app import create_app
from assistant.hub.jobs import SKIPPED, once_per_period
from assistant.settings import Settings
from tests.conftest import MiniShop

pytestmark = pytest.mark.postgres


@pytest.fixture
async def other_pool(pool: asyncpg.Pool, pg_url: str) -> AsyncIterator[asyncpg.Pool]:
    """A second pool on the same database: another process's sessions."""
    second = await asyncpg.create_pool(pg_url, min_size=1, max_size=10)
    try:
        yield second
    finally:
        await second.close()


async def test_concurrent_turns_run_the_job_once_per_period(
    pool: asyncpg.Pool, other_pool: asyncpg.Pool
) -> None:
    runs: list[str] = []

    def job(who: str) -> Callable[[], Awaitable[object]]:
        async def run() -> object:
            runs.append(who)
            await asyncio.sleep(0.2)  # long enough for every other turn to find the lock taken
            return "done"

        return run

    turns = [
        once_per_period(p, "kpi_days", 60, job(f"{n}"), who=f"p{n}")
        for n, p in enumerate([pool, other_pool] * 5)
    ]
    results = await asyncio.gather(*turns)
    assert len(runs) == 1 and results.count("done") == 1 and results.count(SKIPPED) == 9
    row = await pool.fetchrow("SELECT run_by FROM hub_jobs WHERE name = 'kpi_days'")
    assert row is not None and row["run_by"] == f"p{runs[0]}"
    # later in the same period, after the run: still skipped (it ran), on either side
    assert await once_per_period(other_pool, "kpi_days", 60, job("late")) == SKIPPED
    # another job is not held by this one's lock or period
    assert await once_per_period(other_pool, "reminder_scan", 60, job("other")) == "done"


async def test_a_period_later_it_runs_again_and_a_failure_records_nothing(pool: asyncpg.Pool) -> None:
    runs = 0

    async def ok() -> object:
        nonlocal runs
        runs += 1
        return runs

    async def boom() -> object:
        raise RuntimeError("the job failed")

    assert await once_per_period(pool, "qc", 0.3, ok) == 1
    assert await once_per_period(pool, "qc", 0.3, ok) == SKIPPED
    await asyncio.sleep(0.35)
    with pytest.raises(RuntimeError):
        await once_per_period(pool, "qc", 0.3, boom)
    assert await once_per_period(pool, "qc", 0.3, ok) == 2  # the failed run did not count as the period's


async def test_a_job_on_the_hub_runs_in_one_of_two_apps(
    aiohttp_client: Callable[..., Awaitable[TestClient]], settings: Settings, mini_shop: MiniShop, pg_url: str,
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
) -> None:  # fmt: skip
    monkeypatch.setattr(jobs, "ON_HUB", frozenset({"watch_trim"}))
    other_dir = tmp_path / "other"
    shutil.copytree(settings.data_dir, other_dir)
    a = await aiohttp_client(create_app(settings.model_copy(update={"database_url": pg_url})))
    b = await aiohttp_client(
        create_app(settings.model_copy(update={"database_url": pg_url, "data_dir": other_dir}))
    )
    schedulers = [client.app[keys.SCHEDULER] for client in (a, b)]
    for scheduler in schedulers:  # every job runs once at start-up
        for _ in range(500):
            if scheduler.jobs["watch_trim"].runs >= 1:
                break
            await asyncio.sleep(0.01)
        assert (
            scheduler.jobs["conversation_retention"].run.__name__ != "guarded"
        )  # not on the hub: per process
    at_start = [s.jobs["watch_trim"].last_result for s in schedulers]
    assert at_start.count(SKIPPED) == 1, at_start  # one app trimmed, the other found it done this period
    assert [await s.run_now("watch_trim") for s in schedulers] == [SKIPPED, SKIPPED]
    conn = await asyncpg.connect(pg_url)
    try:
        assert await conn.fetchval("SELECT count(*) FROM hub_jobs WHERE name = 'watch_trim'") == 1
    finally:
        await conn.close()
