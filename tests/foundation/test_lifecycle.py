"""Start-up and shutdown (``create_app``'s ``cleanup_ctx`` generators): what a started app opened, a
stopped one has closed — the store's threads, the render threads, the periodic jobs — also when a
start-up step fails half-way."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import AsyncIterator

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer

from assistant import keys
from assistant.app import create_app
from assistant.settings import Settings
from tests.conftest import MiniShop


def _kefu_threads() -> set[threading.Thread]:
    return {t for t in threading.enumerate() if t.name.startswith("kefu-")}


def _other_tasks(before: set[asyncio.Task[object]]) -> set[asyncio.Task[object]]:
    current = asyncio.current_task()
    return {t for t in asyncio.all_tasks() if t is not current and t not in before and not t.done()}


async def test_a_stopped_app_has_closed_what_it_opened(settings: Settings, mini_shop: MiniShop) -> None:
    threads_before, tasks_before = _kefu_threads(), set(asyncio.all_tasks())
    app = create_app(settings)
    client = TestClient(TestServer(app))
    await client.start_server()
    try:
        response = await client.get("/healthz")
        assert response.status == 200, await response.text()
        db = app[keys.DB]
        await db.read(lambda conn: conn.execute("select 1").fetchone())
        await app[keys.TEMPLATES].run(sum, [1, 2])
        assert _kefu_threads() - threads_before, "the store and the render pool run threads"
        jobs = _other_tasks(tasks_before)
        assert any(t.get_name().startswith("job-") for t in jobs), "the periodic jobs run"
    finally:
        await client.close()

    assert not _kefu_threads() - threads_before, "every thread of the store and render pool ended"
    assert not _other_tasks(tasks_before), "every background task ended"
    with pytest.raises(RuntimeError):
        await db.read(lambda conn: conn.execute("select 1").fetchone())


def _fail() -> None:
    raise RuntimeError("start-up step failed")


async def test_a_failed_start_up_closes_the_steps_before_it(settings: Settings, mini_shop: MiniShop) -> None:
    threads_before, tasks_before = _kefu_threads(), set(asyncio.all_tasks())
    app = create_app(settings)
    opened: list[web.Application] = []

    async def fails_last(app: web.Application) -> AsyncIterator[None]:
        opened.append(app)
        await app[keys.DB].read(lambda conn: conn.execute("select 1").fetchone())  # the store is open
        _fail()
        yield

    app.cleanup_ctx.append(fails_last)
    server = TestServer(app)
    with pytest.raises(RuntimeError, match="start-up step failed"):
        await server.start_server()
    await server.close()

    assert opened, "every earlier step ran"
    assert not _kefu_threads() - threads_before, "the store's and render pool's threads ended"
    assert not _other_tasks(tasks_before), "no job nor background task was left running"
    with pytest.raises(RuntimeError):
        await app[keys.DB].read(lambda conn: conn.execute("select 1").fetchone())
