"""Two ``kefu serve`` processes on one hub database: a quick reply saved through one is found by the
other's lookup within a second; killing one mid-stream loses nothing it acknowledged; claims raced from
two processes never give two owners."""

from __future__ import annotations

import asyncio
import json
import shutil
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import aiohttp
import asyncpg
import pytest

from assistant.settings import Settings
from tests.conftest import MiniShop
from tests.hub import processes

pytestmark = [pytest.mark.postgres, pytest.mark.slow]


@pytest.fixture
def two(settings: Settings, mini_shop: MiniShop, token_for: Callable[[int], str], pg_url: str,
        tmp_path: Path) -> Iterator[tuple[processes.Service, processes.Service]]:  # fmt: skip
    token_for(mini_shop.editor_id)  # writes the secret: both copies sign the same tokens
    dirs = [tmp_path / "a" / "data", tmp_path / "b" / "data"]
    for target in dirs:
        shutil.copytree(settings.data_dir, target)
    a = processes.start("a", dirs[0], pg_url)
    try:
        b = processes.start("b", dirs[1], pg_url)
    except Exception:
        a.stop()
        raise
    try:
        yield a, b
    finally:
        a.stop()
        b.stop()


async def _search(session: aiohttp.ClientSession, service: processes.Service, q: str) -> list[dict[str, Any]]:
    async with session.get(service.base + "/api/quick-replies/search", params={"q": q, "limit": "50"}) as r:
        assert r.status == 200, await r.text()
        results: list[dict[str, Any]] = (await r.json())["results"]
        return results


async def test_a_save_reaches_the_other_process_and_a_kill_loses_nothing_acknowledged(
    two: tuple[processes.Service, processes.Service], mini_shop: MiniShop, token_for: Callable[[int], str],
) -> None:  # fmt: skip
    a, b = two
    headers = {"Authorization": f"Bearer {token_for(mini_shop.editor_id)}"}
    async with aiohttp.ClientSession(headers=headers) as session:
        async with session.post(a.base + "/api/quick-reply-groups", json={"name": "常用"}) as r:
            assert r.status == 201, await r.text()
            group_id = (await r.json())["group"]["id"]
        lags = []
        for n in range(5):
            body = {"group_id": group_id, "code": f"fh{n}", "title": f"发货说明{n}", "body": "48 小时内发货"}
            async with session.post(a.base + "/api/quick-replies", json=body) as r:
                assert r.status == 201, await r.text()
                phrase_id = (await r.json())["quick_reply"]["id"]
            saved = time.monotonic()
            while phrase_id not in [x["id"] for x in await _search(session, b, f"fh{n}")]:
                assert time.monotonic() - saved < 1.0, "process b's lookup did not see a's save within 1 s"
                await asyncio.sleep(0.005)
            lags.append(time.monotonic() - saved)
        assert max(lags) < 1.0

        acknowledged: list[int] = []
        ten = asyncio.Event()

        async def create(n: int) -> None:
            body = {"group_id": group_id, "code": f"k{n}", "title": f"批量{n}", "body": "正文"}
            try:
                async with session.post(a.base + "/api/quick-replies", json=body) as r:
                    if r.status == 201:
                        acknowledged.append((await r.json())["quick_reply"]["id"])
                        if len(acknowledged) >= 10:
                            ten.set()
            except aiohttp.ClientError:
                pass  # a died before answering: not acknowledged, may or may not be saved

        tasks = [asyncio.create_task(create(n)) for n in range(60)]
        await ten.wait()
        a.kill()
        await asyncio.gather(*tasks)
        assert 10 <= len(acknowledged) < 60  # killed mid-stream
        print(
            f"acknowledged before the kill: {len(acknowledged)} of 60; save -> other lookup: {max(lags) * 1000:.0f} ms"
        )
        deadline = time.monotonic() + 2
        while True:
            async with session.get(b.base + "/api/quick-replies") as r:
                listed = {x["quick_reply"]["id"] for x in (await r.json())["quick_replies"]}
            found = {x["id"] for x in await _search(session, b, "k")}
            if (set(acknowledged) <= listed and set(acknowledged) <= found) or time.monotonic() > deadline:
                break
            await asyncio.sleep(0.05)
        assert set(acknowledged) <= listed, "an acknowledged save is missing from the hub"
        assert set(acknowledged) <= found, "an acknowledged save is missing from b's lookup"


async def test_claims_raced_from_two_processes_never_give_two_owners(pg_url: str) -> None:
    conn = await asyncpg.connect(pg_url)
    from assistant.hub import schema

    await schema.migrate(conn)
    command = [sys.executable, "-m", "tests.hub.claim_race", pg_url]
    racers = [await asyncio.create_subprocess_exec(*command, me, "50", "4", stdout=subprocess.PIPE)
              for me in ("p1", "p2")]  # fmt: skip
    outputs = [json.loads(out) for out, _ in await asyncio.gather(*(r.communicate() for r in racers))]
    assert all(r.returncode == 0 for r in racers)
    told: dict[str, set[str]] = {}
    for answers in outputs:
        for resource, owner in answers:
            told.setdefault(resource, set()).add(owner)
    assert len(told) == 200 and all(len(owners) == 1 for owners in told.values())  # both were told the same
    live = await conn.fetch(
        "SELECT resource, count(*) AS n FROM claims WHERE released_at IS NULL GROUP BY resource"
    )
    await conn.close()
    assert len(live) == 200 and max(r["n"] for r in live) == 1
    winners = {next(iter(owners)) for owners in told.values()}
    assert winners <= {"p1", "p2"}
