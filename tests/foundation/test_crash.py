"""`kill -9` during concurrent edits: every acknowledged edit and its audit row survive, the file is sound.

The real service runs as a subprocess (`python -m assistant serve --no-demo`) on a temp data dir; a few
client tasks save phrases and edit orders at once; the process is killed mid-way, without warning.
While it runs, `kefu backup` takes a copy, and `kefu restore` and a second `kefu serve` are refused.
"""

from __future__ import annotations

import asyncio
import json
import os
import signal
import sqlite3
import sys
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import aiohttp
import pytest

from assistant.app import MIGRATION_SETS
from assistant.commerce.models import OrderStatus
from assistant.directory import Directory
from assistant.security import load_secret
from knowledge.database import AsyncDatabase
from tests.commerce import factory
from tests.conftest import MiniShop, seed_mini_shop
from tests.foundation.test_serve import free_port

ORDERS_PER_WORKER = 4
TARGET_ACKS = 150


@dataclass
class Acks:
    phrases: dict[tuple[int, int], str] = field(default_factory=dict)  # (id, version) -> body
    orders: dict[int, tuple[str, str, int]] = field(
        default_factory=dict
    )  # audit id -> (order, remark, version)
    last_order_request: tuple[str, dict[str, Any], dict[str, str], int] | None = (
        None  # path, body, headers, audit id
    )

    def __len__(self) -> int:
        return len(self.phrases) + len(self.orders)


def _seed(data_dir: Path) -> tuple[MiniShop, int, list[str]]:
    db = AsyncDatabase(data_dir / "kefu.db")
    db.open(MIGRATION_SETS)
    try:

        def seed(conn: Any) -> tuple[MiniShop, int, list[str]]:
            shop = seed_mini_shop(conn)
            group = conn.execute(
                "INSERT INTO quick_reply_groups (shop_id, name, position) VALUES (?, '物流', 0)",
                [shop.shop_id],
            ).lastrowid
            buyer = factory.buyer(shop.shop_id, "压测买家", 5000)
            orders = [
                factory.order(shop.shop_id, 5000, OrderStatus.PAID) for _ in range(ORDERS_PER_WORKER * 2)
            ]
            factory.save(conn, [buyer], orders)
            return shop, int(group), [o.id for o in orders]

        return db.write_sync(seed)
    finally:
        db.close()


async def _start(data_dir: Path, port: int) -> asyncio.subprocess.Process:
    env = {**os.environ, "KEFU_DATA_DIR": str(data_dir), "PYTHONUNBUFFERED": "1"}
    return await asyncio.create_subprocess_exec(
        sys.executable, "-m", "assistant", "serve", "--no-demo", "--port", str(port),
        env=env, stdout=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.DEVNULL,
    )  # fmt: skip


async def _wait_healthy(
    session: aiohttp.ClientSession, base: str, process: asyncio.subprocess.Process
) -> None:
    for _ in range(300):
        assert process.returncode is None, "the service exited"
        try:
            async with session.get(f"{base}/healthz") as response:
                if response.status == 200:
                    return
        except aiohttp.ClientError:
            pass
        await asyncio.sleep(0.1)
    raise AssertionError("the service did not come up in 30 s")


async def _kefu(data_dir: Path, *args: str) -> tuple[int, str]:
    env = {**os.environ, "KEFU_DATA_DIR": str(data_dir)}
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "assistant", *args, env=env,
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT,
    )  # fmt: skip
    out, _ = await asyncio.wait_for(process.communicate(), 60)
    assert process.returncode is not None
    return process.returncode, out.decode()


async def _phrase_worker(
    session: aiohttp.ClientSession, base: str, headers: dict[str, str], group: int, worker: int, acks: Acks
) -> None:
    n = 0
    while True:
        n += 1
        fields = {
            "group_id": group,
            "code": f"w{worker}n{n}",
            "title": f"短语{worker}-{n}",
            "body": f"第 1 版 {n}",
        }
        async with session.post(f"{base}/api/quick-replies", json=fields, headers=headers) as response:
            assert response.status == 201, await response.text()
            phrase = (await response.json())["quick_reply"]
        acks.phrases[(phrase["id"], 1)] = phrase["body"]
        for version in (1, 2, 3):
            update = {**fields, "body": f"第 {version + 1} 版 {n}", "version": version}
            async with session.put(
                f"{base}/api/quick-replies/{phrase['id']}", json=update, headers=headers
            ) as response:
                assert response.status == 200, await response.text()
                saved = (await response.json())["quick_reply"]
            acks.phrases[(saved["id"], saved["version"])] = saved["body"]


async def _order_worker(
    session: aiohttp.ClientSession,
    base: str,
    headers: dict[str, str],
    orders: list[str],
    worker: int,
    acks: Acks,
) -> None:
    versions = dict.fromkeys(orders, 1)
    n = 0
    while True:
        for order_id in orders:
            n += 1
            sent = {**headers, "Idempotency-Key": uuid.uuid4().hex}
            body = {"version": versions[order_id], "text": f"客服{worker} 第 {n} 次备注"}
            path = f"/api/orders/{order_id}/remark"
            async with session.post(f"{base}{path}", json=body, headers=sent) as response:
                assert response.status == 200, await response.text()
                outcome = await response.json()
            order = outcome["order"]
            versions[order_id] = order["version"]
            acks.orders[outcome["audit_id"]] = (order_id, order["seller_remark"], order["version"])
            acks.last_order_request = (path, body, sent, outcome["audit_id"])


def _check_store(path: Path, acks: Acks) -> None:
    conn = sqlite3.connect(path)
    try:
        assert conn.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
        for (phrase_id, version), body in acks.phrases.items():
            row = conn.execute("SELECT version FROM quick_replies WHERE id = ?", [phrase_id]).fetchone()
            assert row is not None and row[0] >= version, (phrase_id, version, row)
            revision = conn.execute(
                "SELECT after FROM revisions WHERE entity = 'quick_reply' AND entity_id = ? AND version = ?",
                [phrase_id, version],
            ).fetchone()
            assert revision is not None and json.loads(revision[0])["body"] == body, (phrase_id, version)
        for audit_id, (order_id, remark, version) in acks.orders.items():
            audit = conn.execute("SELECT entity_id, after FROM audit_log WHERE id = ?", [audit_id]).fetchone()
            assert audit is not None and audit[0] == order_id, audit_id
            assert json.loads(audit[1])["seller_remark"] == remark
            current = conn.execute("SELECT version FROM orders WHERE id = ?", [order_id]).fetchone()
            assert current[0] >= version
    finally:
        conn.close()


@pytest.mark.slow
async def test_kill_9_during_concurrent_edits_loses_no_acknowledged_edit(tmp_path: Path) -> None:
    data_dir = tmp_path / "data"
    shop, group, orders = _seed(data_dir)
    directory = Directory(secret=load_secret(data_dir))
    editor = {"Authorization": f"Bearer {directory.token_for(shop.editor_id)}"}
    agents = [shop.agent_id, shop.supervisor_id]
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    acks = Acks()
    process = await _start(data_dir, port)
    async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=30)) as session:
        try:
            await _wait_healthy(session, base, process)
            workers = [
                asyncio.create_task(_phrase_worker(session, base, editor, group, w, acks)) for w in range(2)
            ] + [
                asyncio.create_task(
                    _order_worker(
                        session,
                        base,
                        {"Authorization": f"Bearer {directory.token_for(agents[w])}"},
                        orders[w * ORDERS_PER_WORKER : (w + 1) * ORDERS_PER_WORKER],
                        w,
                        acks,
                    )
                )
                for w in range(2)
            ]
            # While the writers run: a backup is taken; a restore and a second service are refused.
            code, out = await _kefu(data_dir, "backup", str(tmp_path / "during.db"))
            assert code == 0, out
            code, out = await _kefu(data_dir, "restore", str(tmp_path / "during.db"))
            assert code == 1 and "Ctrl+C" in out and str(process.pid) in out, out
            code, out = await _kefu(data_dir, "serve", "--no-demo", "--port", str(free_port()))
            assert code == 1 and "已有服务在运行" in out, out
            for _ in range(600):
                if len(acks) >= TARGET_ACKS or any(w.done() for w in workers):
                    break
                await asyncio.sleep(0.05)
            assert not any(w.done() for w in workers), [w.exception() for w in workers if w.done()]
        finally:
            process.send_signal(signal.SIGKILL)  # mid-way, requests in flight
            await process.wait()
        results = await asyncio.gather(*workers, return_exceptions=True)
        assert all(isinstance(r, aiohttp.ClientError) for r in results), results
    assert process.returncode == -signal.SIGKILL
    assert len(acks.phrases) > 10 and len(acks.orders) > 10, len(acks)

    _check_store(data_dir / "kefu.db", acks)
    conn = sqlite3.connect(tmp_path / "during.db")
    assert conn.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
    conn.close()

    # The service starts again on the same folder (the lock died with the process) and a retry of the
    # last acknowledged edit, same Idempotency-Key, is answered from its first result: applied once.
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    process = await _start(data_dir, port)
    async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=30)) as session:
        try:
            await _wait_healthy(session, base, process)
            assert acks.last_order_request is not None
            path, body, headers, audit_id = acks.last_order_request
            async with session.post(f"{base}{path}", json=body, headers=headers) as response:
                replay = await response.json()
                assert response.status == 200, replay
            assert replay["replayed"] is True and replay["audit_id"] == audit_id
        finally:
            process.send_signal(signal.SIGINT)
            await asyncio.wait_for(process.wait(), 30)
    _check_store(data_dir / "kefu.db", acks)
