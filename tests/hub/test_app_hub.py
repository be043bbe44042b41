"""The service in hub mode (KEFU_DATABASE_URL): quick replies live in PostgreSQL, a save through one
app reaches another app's lookup through the change feed, /healthz checks the hub, and routes still
on the local file are refused rather than silently writing there."""

from __future__ import annotations

import asyncio
import shutil
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import pytest
from aiohttp.test_utils import TestClient

from assistant.app import create_app
from assistant.settings import Settings
from tests.conftest import MiniShop

pytestmark = pytest.mark.postgres
Client = Callable[..., Awaitable[TestClient]]


def _hub_settings(settings: Settings, pg_url: str, data_dir: Path | None = None) -> Settings:
    return settings.model_copy(update={"database_url": pg_url, "data_dir": data_dir or settings.data_dir})


async def _search(client: TestClient, headers: dict[str, str], q: str) -> list[dict[str, Any]]:
    response = await client.get("/api/quick-replies/search", params={"q": q}, headers=headers)
    assert response.status == 200, await response.text()
    results: list[dict[str, Any]] = (await response.json())["results"]
    return results


async def test_two_apps_on_one_hub_share_quick_replies(
    aiohttp_client: Client, settings: Settings, mini_shop: MiniShop, pg_url: str,
    auth: Callable[[int], dict[str, str]], tmp_path: Path,
) -> None:  # fmt: skip
    other_dir = tmp_path / "other"
    shutil.copytree(settings.data_dir, other_dir)  # the same shop and agents (and secret) beside it
    a = await aiohttp_client(create_app(_hub_settings(settings, pg_url)))
    b = await aiohttp_client(create_app(_hub_settings(settings, pg_url, other_dir)))
    editor = auth(mini_shop.editor_id)
    group = await a.post("/api/quick-reply-groups", json={"name": "常用"}, headers=editor)
    assert group.status == 201, await group.text()
    group_id = (await group.json())["group"]["id"]
    created = await a.post("/api/quick-replies", headers=editor,
                           json={"group_id": group_id, "code": "fhsj", "title": "发货时间", "body": "48 小时内发货"})  # fmt: skip
    assert created.status == 201, await created.text()
    phrase = (await created.json())["quick_reply"]
    started = time.monotonic()
    while not [r for r in await _search(b, editor, "fhsj") if r["id"] == phrase["id"]]:
        assert time.monotonic() - started < 1.0, "the other app's lookup did not see the save within 1 s"
        await asyncio.sleep(0.01)
    # b edits it; a sees the new title; b's list reads the hub, not its own SQLite file
    saved = await b.put(f"/api/quick-replies/{phrase['id']}", headers=editor,
                        json={"group_id": group_id, "code": "fhsj", "title": "发货时效", "body": "48 小时内发货", "version": 1})  # fmt: skip
    assert saved.status == 200, await saved.text()
    started = time.monotonic()
    while [r["title"] for r in await _search(a, editor, "fhsj")] != ["发货时效"]:
        assert time.monotonic() - started < 1.0
        await asyncio.sleep(0.01)
    stale = await a.put(f"/api/quick-replies/{phrase['id']}", headers=editor,
                        json={"group_id": group_id, "code": "fhsj", "title": "旧", "body": "旧", "version": 1})  # fmt: skip
    assert stale.status == 409
    deleted = await a.delete(f"/api/quick-replies/{phrase['id']}", headers=editor)
    assert deleted.status == 200
    started = time.monotonic()
    while await _search(b, editor, "fhsj"):
        assert time.monotonic() - started < 1.0
        await asyncio.sleep(0.01)
    history = await b.get(f"/api/quick-replies/{phrase['id']}/revisions", headers=editor)
    assert [r["action"] for r in (await history.json())["revisions"]] == ["delete", "update", "create"]
    assert (await history.json())["revisions"][0]["agent_name"] == "李娜"


async def test_health_reports_the_hub_and_local_only_routes_are_refused(
    aiohttp_client: Client, settings: Settings, mini_shop: MiniShop, pg_url: str,
    auth: Callable[[int], dict[str, str]],
) -> None:  # fmt: skip
    client = await aiohttp_client(create_app(_hub_settings(settings, pg_url)))
    health = await (await client.get("/healthz")).json()
    assert health["status"] == "ok" and health["hub"] == "ok"
    refused = await client.get("/api/quick-replies/usage-report", headers=auth(mini_shop.editor_id))
    assert refused.status == 501
    body = await refused.json()
    assert body["ok"] is False and "团队中心模式" in body["error"]
    editor = auth(mini_shop.editor_id)
    group = await client.post("/api/quick-reply-groups", json={"name": "常用"}, headers=editor)
    phrase = {
        "group_id": (await group.json())["group"]["id"],
        "code": "hubx",
        "title": "中心短语",
        "body": "正文",
    }
    assert (await client.post("/api/quick-replies", json=phrase, headers=editor)).status == 201
    exported = await client.get("/api/quick-replies/export", params={"format": "csv"}, headers=editor)
    assert exported.status == 200 and "hubx" in await exported.text()  # read through the store: the hub's


async def test_sqlite_mode_reports_the_hub_off(client: TestClient) -> None:
    health = await (await client.get("/healthz")).json()
    assert health["hub"] == "off" and health["status"] == "ok"


async def test_a_qc_fix_on_a_phrase_finds_it_on_the_hub(
    aiohttp_client: Client, settings: Settings, mini_shop: MiniShop, pg_url: str,
    auth: Callable[[int], dict[str, str]],
) -> None:  # fmt: skip
    """The phrase a QC fix is on is looked up where phrases live: in hub mode, the hub (not the local file)."""
    client = await aiohttp_client(create_app(_hub_settings(settings, pg_url)))
    editor, boss = auth(mini_shop.editor_id), auth(mini_shop.supervisor_id)
    group = await (await client.post("/api/quick-reply-groups", json={"name": "物流"}, headers=editor)).json()
    created = await client.post("/api/quick-replies", headers=editor,
                                json={"group_id": group["group"]["id"], "code": "fh", "title": "发货时间", "body": "现货48小时内发货"})  # fmt: skip
    assert created.status == 201, await created.text()
    phrase = (await created.json())["quick_reply"]["id"]
    finding = {"shop": mini_shop.shop_id, "kind": "fix", "target_kind": "quick_reply", "note": "极限词"}
    fix = await client.post("/api/qc/findings", json={**finding, "target": phrase}, headers=boss)
    assert fix.status == 201, await fix.text()
    assert (await fix.json())["target_name"] == "发货时间"
    missing = await client.post("/api/qc/findings", json={**finding, "target": phrase + 1000}, headers=boss)
    assert missing.status == 404 and (await missing.json())["errors"][0]["field"] == "target"


async def test_a_message_logged_through_one_app_is_read_by_the_other(
    aiohttp_client: Client, settings: Settings, mini_shop: MiniShop, pg_url: str,
    auth: Callable[[int], dict[str, str]], tmp_path: Path,
) -> None:  # fmt: skip
    """The conversation log is on the hub: what one agent's process logged, another's reminder scan and
    order review read (through the same log); neither local file holds it; retention runs once."""
    from datetime import UTC, datetime

    from assistant import keys
    from assistant.hub.jobs import SKIPPED

    other_dir = tmp_path / "other"
    shutil.copytree(settings.data_dir, other_dir)
    a = await aiohttp_client(create_app(_hub_settings(settings, pg_url)))
    b = await aiohttp_client(create_app(_hub_settings(settings, pg_url, other_dir)))
    agent = auth(mini_shop.agent_id)
    for event in (
        {"type": "conversation.opened", "conversation": "c-hub", "shop": "test_shop", "buyer": "买家甲"},
        {"type": "message.received", "conversation": "c-hub", "text": "要开发票", "at": "2026-11-11T10:00:00+08:00",
         "message_id": "m-1"},
        {"type": "message.sent", "conversation": "c-hub", "text": "好的亲", "at": "2026-11-11T10:01:00+08:00"},
    ):  # fmt: skip
        response = await a.post("/api/events", json=event, headers=agent)
        assert response.status == 200, await response.text()
    log_b = b.app[keys.CONVERSATIONS]
    said = await log_b.messages(mini_shop.shop_id, "c-hub")
    assert [(m.text, m.agent_id) for m in said] == [
        ("要开发票", mini_shop.agent_id),
        ("好的亲", mini_shop.agent_id),
    ]
    later = datetime(2026, 11, 12, tzinfo=UTC)
    assert await log_b.last_agent(mini_shop.shop_id, "买家甲", later) == mini_shop.agent_id
    assert [m.text for m in await log_b.containing(mini_shop.shop_id, said[0].at, ["发票"])] == ["要开发票"]
    # the same platform message reported to the other process is the same message
    again = {"type": "message.received", "conversation": "c-hub", "text": "要开发票",
             "at": "2026-11-11T10:00:00+08:00", "message_id": "m-1"}  # fmt: skip
    await b.post("/api/events", json={"type": "conversation.opened", "conversation": "c-hub", "shop": "test_shop",
                                      "buyer": "买家甲"}, headers=agent)  # fmt: skip
    assert (await (await b.post("/api/events", json=again, headers=agent)).json())["logged"] is False
    for app in (a.app, b.app):
        local = await app[keys.DB].read(
            lambda db: db.execute("SELECT count(*) FROM conversation_messages").fetchone()
        )
        assert local[0] == 0  # nothing went to either process's own file
    # the retention job forgets on the hub once per period, whichever process reaches it first
    await a.app[keys.SCHEDULER].run_now("conversation_retention")
    assert await b.app[keys.SCHEDULER].run_now("conversation_retention") == SKIPPED


async def test_kefu_purge_in_hub_mode_forgets_the_hubs_old_messages(
    settings: Settings, mini_shop: MiniShop, pg_url: str, pool: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    from datetime import UTC, datetime, timedelta

    from assistant.cli import main
    from assistant.conversations.models import Direction, NewMessage
    from assistant.hub.conversation_log import PgConversationLog

    log = PgConversationLog(pool)
    now = datetime.now(UTC)
    for days in (400, 1):
        at = now - timedelta(days=days)
        await log.record(NewMessage(shop_id=mini_shop.shop_id, conversation="c-1", buyer_nick="买家甲",
                                    direction=Direction.IN, text=f"{days} 天前", at=at, received_at=at))  # fmt: skip
    before = (now - timedelta(days=30)).date().isoformat()
    args = ["purge", "--data-dir", str(settings.data_dir), "--before", before]
    with pytest.MonkeyPatch.context() as env:
        env.setenv("KEFU_DATABASE_URL", pg_url)
        assert await asyncio.to_thread(main, [*args, "--dry-run"]) == 0
        assert "团队中心数据库：将清除会话消息 1 条" in capsys.readouterr().out
        assert len(await log.messages(mini_shop.shop_id, "c-1")) == 2
        assert await asyncio.to_thread(main, args) == 0
        assert "团队中心数据库：已清除会话消息 1 条" in capsys.readouterr().out
    assert [m.text for m in await log.messages(mini_shop.shop_id, "c-1")] == ["1 天前"]
