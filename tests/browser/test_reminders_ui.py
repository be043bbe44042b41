"""Payment reminders and courier-jam notices in Debian's Chromium, on the demo shop: the sidebar's queue
(pool → claim, a claim someone else won shows the holder, the script inserted), the buyer card's line,
and the supervisor's jam wizard (pick → preview with real names → create → a second supervisor
approves → export)."""

from __future__ import annotations

import asyncio
import shutil
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from aiohttp import ClientSession
from aiohttp.test_utils import TestServer
from playwright.async_api import Browser

from assistant import keys
from assistant.app import MIGRATION_SETS, create_app
from assistant.settings import Settings
from knowledge import store as kb_store
from knowledge.database import AsyncDatabase
from tests.browser.conftest import open_page, screenshot_path, token_of

TIMEOUT = 15_000


@pytest.fixture
async def server(demo_template: Path, tmp_path: Path) -> AsyncIterator[TestServer]:
    """The demo shop with a second supervisor, no quiet hours (the test must not depend on the hour),
    no holdout, and jam notices over 5 buyers needing approval."""
    data = tmp_path / "data"
    shutil.copytree(demo_template, data)
    db = AsyncDatabase(data / "kefu.db")
    db.open(MIGRATION_SETS)
    shop_id = db.read_sync(
        lambda c: int(c.conn.execute("SELECT id FROM shops WHERE code = 'nuanju'").fetchone()[0])
    )
    db.write_sync(lambda c: kb_store.insert_agent(c, "zhaolei", "赵磊", "supervisor", shop_id))
    db.close()
    settings = Settings(
        data_dir=data,
        demo_on_first_run=False,
        encoder="off",
        reminder_quiet_hours="",
        reminder_holdout_percent=0,
        jam_approval_from_buyers=5,
    )
    test_server = TestServer(create_app(settings), host="127.0.0.1")
    await test_server.start_server()
    await test_server.app[keys.SCHEDULER].run_now("reminder_scan")
    yield test_server
    await test_server.close()


async def _api(server: TestServer, login: str, method: str, path: str, body: Any = None) -> tuple[int, Any]:
    headers = {"Authorization": f"Bearer {token_of(server, login)}"}
    async with (
        ClientSession() as session,
        session.request(method, str(server.make_url(path)), json=body, headers=headers) as response,
    ):
        return response.status, await response.json()


async def test_the_queue_claims_shows_the_holder_and_the_buyer_card_line(
    server: TestServer, browser: Browser
) -> None:
    status, queue = await _api(server, "xiaomei", "GET", "/api/reminders")
    assert status == 200 and len(queue["pool"]) >= 3, queue
    watched = await open_page(browser, 420, 900)
    page = watched.page
    await page.goto(str(server.make_url(f"/sidebar?token={token_of(server, 'xiaomei')}&lang=zh-CN")))
    box = page.locator("#reminders")
    await box.wait_for(timeout=TIMEOUT)
    await box.locator(".rm-tab").nth(1).click()  # the pool
    first, second = queue["pool"][0], queue["pool"][1]
    # Someone else takes the second task while the queue is on screen: the claim shows the holder.
    status, _ = await _api(server, "ajie", "POST", f"/api/reminders/{second['id']}/claim")
    assert status == 200
    await box.locator(f'.rm-task[data-task="{second["id"]}"] button.primary').click()
    await page.locator("#toast").filter(has_text="已由 阿杰 负责").wait_for(timeout=TIMEOUT)
    # Claiming the first one moves it to "mine".
    await box.locator(f'.rm-task[data-task="{first["id"]}"] button.primary').click()
    mine = box.locator(f'.rm-task[data-task="{first["id"]}"]')
    await mine.locator(".rm-reason").wait_for(timeout=TIMEOUT)
    assert await box.locator(".rm-tab").first.get_attribute("aria-pressed") == "true"
    # The agent opens the buyer's conversation, then inserts the script for the buyer's worry.
    status, body = await _api(
        server,
        "xiaomei",
        "POST",
        "/api/events",
        {
            "type": "conversation.opened",
            "conversation": "c-remind-1",
            "shop": "nuanju",
            "buyer": first["buyer"],
        },
    )
    assert status == 200, body
    await page.locator("#buyer-nick").filter(has_text=first["buyer"]).wait_for(timeout=TIMEOUT)
    await mine.locator(".rm-reason").select_option("size")
    await mine.locator("button.primary").click()
    line = page.locator("#reminder-line")
    await line.filter(has_text="催付：小美").wait_for(timeout=TIMEOUT)
    text = await line.text_content() or ""
    assert " · 旺旺 · 今天第 1/3 次" in text, text
    status, again = await _api(server, "xiaomei", "GET", "/api/reminders")
    touched = next(t for t in again["mine"] if t["id"] == first["id"])
    assert touched["touches_today"] == 1 and touched["touches"][0]["channel"] == "chat"
    assert "null" not in (await box.text_content() or "")
    if path := screenshot_path("sidebar_reminders.png"):
        await page.screenshot(path=str(path), full_page=True)
    # the one failed request is the claim someone else won (409, shown as the holder)
    assert [e for e in watched.errors if "409" not in e] == [], watched.errors


async def test_the_jam_wizard_previews_real_names_and_needs_a_second_supervisor(
    server: TestServer, browser: Browser
) -> None:
    watched = await open_page(browser, 1440, 1000)
    page = watched.page
    await page.goto(
        str(server.make_url(f"/supervisor?token={token_of(server, 'wangjing')}&lang=zh-CN#reminders"))
    )
    jam = page.locator("#rs-jam")
    await jam.locator("#jam-courier option").first.wait_for(state="attached", timeout=TIMEOUT)
    await page.locator("#rs-rules").filter(has_text="催付和关怀合计").wait_for(timeout=TIMEOUT)
    await page.locator("#rs-lift").wait_for(timeout=TIMEOUT)
    courier = await jam.locator("#jam-courier option").first.get_attribute("value")
    assert courier
    await jam.locator("#jam-form button.primary").click()
    preview = jam.locator("#jam-preview")
    await preview.locator("table tbody tr").first.wait_for(timeout=TIMEOUT)
    row = preview.locator("table tbody tr").first
    receiver = (await row.locator("td").first.text_content() or "").strip()
    message = await row.locator("td").last.text_content() or ""
    assert receiver and message.startswith(receiver + "您好") and courier in message
    summary = await preview.locator(".jam-summary").text_content() or ""
    assert "将通知" in summary
    await preview.locator(".jam-warn").wait_for(timeout=TIMEOUT)  # over 5 buyers: approval needed
    if path := screenshot_path("supervisor_reminders.png"):
        await page.screenshot(path=str(path))
    # The template editor counts characters and SMS segments, variables at their typical length.
    shipped = page.locator('#rs-templates details[data-purpose="care_shipped"]')
    await shipped.locator("summary").click()
    await shipped.locator("textarea").fill("{{ receiver.name }}您好" + "好" * 70)
    await shipped.locator(".rs-count").filter(has_text="75 字 · 2 条短信").wait_for(timeout=TIMEOUT)
    await jam.locator("#jam-create").click()
    notice = jam.locator("#jam-list tbody tr").first
    await notice.filter(has_text="待批准").wait_for(timeout=TIMEOUT)
    await notice.locator("button.primary").click()  # the author tries to approve: refused
    await page.locator("#toast").filter(has_text="另一位主管").wait_for(timeout=TIMEOUT)

    other = await open_page(browser, 1440, 1000)
    await other.page.goto(
        str(server.make_url(f"/supervisor?token={token_of(server, 'zhaolei')}&lang=zh-CN#reminders"))
    )
    row2 = other.page.locator("#jam-list tbody tr").first
    await row2.filter(has_text="待批准").wait_for(timeout=TIMEOUT)
    await row2.locator("button.primary").click()
    await row2.filter(has_text="赵磊 批准").wait_for(timeout=TIMEOUT)
    async with other.page.expect_download() as download:
        await row2.locator("button", has_text="导出短信").click()
    saved = await (await download.value).path()
    data = await asyncio.to_thread(Path(saved).read_bytes)
    assert data.startswith(b"\xef\xbb\xbf") and "您好".encode() in data
    await row2.filter(has_text="已发送").wait_for(timeout=TIMEOUT)
    # the author's approval is refused (403, shown in the toast)
    assert [e for e in watched.errors if "403" not in e] == [] and other.errors == [], (
        watched.errors,
        other.errors,
    )
