"""The service's periodic jobs, registered in one place and run by :class:`assistant.scheduler.Scheduler`."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable

from aiohttp import web

from assistant import keys
from assistant.api import care, reminders, reports, watch
from assistant.scheduler import Scheduler

HOUR = 3600.0
MINUTE = 60.0


#: jobs whose state is on the team hub: in hub mode they run in one process per period (assistant/hub/jobs.py).
#: reminder_scan, kpi_days and care_scan still write each process's own SQLite file (hub mode is mixed),
#: so every process must run its own; each joins this set when its store moves to the hub.
ON_HUB: frozenset[str] = frozenset({"conversation_retention"})


def register_jobs(app: web.Application, scheduler: Scheduler) -> None:
    """Every periodic job of the service (add new ones here, one line each; each must be idempotent)."""
    _register(app, scheduler)
    hub = app.get(keys.HUB)
    if hub is not None:
        from assistant.hub.jobs import guard

        for job in scheduler.jobs.values():
            if job.name in ON_HUB:
                job.run = guard(hub.pool, job.name, job.every, job.run)


def _register(app: web.Application, scheduler: Scheduler) -> None:
    settings = app[keys.SETTINGS]
    conversations = app[keys.CONVERSATIONS]
    scheduler.add(
        "conversation_retention",
        HOUR,
        lambda: conversations.apply_retention(settings.conversation_retention_days),
    )
    scheduler.add("watch_trim", HOUR, _trim(app))
    scheduler.add("reminder_scan", MINUTE, lambda: reminders.run_scan(app))
    scheduler.add("care_scan", MINUTE, lambda: care.run_scan(app))
    scheduler.add("kpi_days", HOUR, lambda: reports.aggregate_days(app))


def _trim(app: web.Application) -> Callable[[], Awaitable[int]]:
    async def run() -> int:
        return watch.trim_board(app)

    return run


async def schedule_ctx(app: web.Application) -> AsyncIterator[None]:
    """Start the jobs once the stores are open; stop them before the stores close."""
    scheduler = Scheduler()
    register_jobs(app, scheduler)
    app[keys.SCHEDULER] = scheduler
    async with scheduler.running():
        yield
