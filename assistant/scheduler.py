"""Periodic jobs, all started from one place (``assistant.jobs.schedule_ctx``), each idempotent.

A job is a coroutine function run once at start-up and then every ``every`` seconds; a failure is
logged and the job runs again at its next turn. Because every job is idempotent (running it twice in
a row changes nothing the second time), a second process can run the same jobs safely.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime

log = logging.getLogger("kefu.schedule")


@dataclass
class Job:
    name: str
    every: float  # seconds between runs
    run: Callable[[], Awaitable[object]]
    runs: int = 0
    last_at: datetime | None = None
    last_result: object = None
    last_error: str | None = None


@dataclass
class Scheduler:
    jobs: dict[str, Job] = field(default_factory=dict)

    def add(self, name: str, every: float, run: Callable[[], Awaitable[object]]) -> Job:
        if name in self.jobs:
            raise ValueError(f"job {name!r} is scheduled twice")
        job = Job(name, every, run)
        self.jobs[name] = job
        return job

    async def run_now(self, name: str) -> object:
        """Run one job now (tests, the CLI); its errors are raised, not only logged."""
        job = self.jobs[name]
        result = await job.run()
        job.runs += 1
        job.last_at, job.last_result, job.last_error = datetime.now(UTC), result, None
        return result

    async def _loop(self, job: Job) -> None:
        while True:
            try:
                await self.run_now(job.name)
            except Exception as exc:  # a failing job must not stop the others, nor itself next time
                job.last_error = f"{type(exc).__name__}: {exc}"
                log.exception("scheduled job %s failed", job.name)
            await asyncio.sleep(job.every)

    @contextlib.asynccontextmanager
    async def running(self) -> AsyncIterator[Scheduler]:
        tasks = [asyncio.create_task(self._loop(job), name=f"job-{job.name}") for job in self.jobs.values()]
        try:
            yield self
        finally:
            for task in tasks:
                task.cancel()
            for task in tasks:
                with contextlib.suppress(asyncio.CancelledError):
                    await task
