"""The demo console in Debian's Chromium: opening a conversation updates the sidebar, and a
suggestion lands in the chat composer, through the same plugin contract a real client uses."""

from __future__ import annotations

import os
import shutil
from collections.abc import AsyncIterator
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
from aiohttp.test_utils import TestServer
from playwright.async_api import Browser, async_playwright

from assistant.app import MIGRATION_SETS, create_app
from assistant.demo.generator import build_demo
from assistant.settings import Settings
from knowledge.database import Database

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync"]
SCREENSHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="Debian's chromium is not installed"),
]


@pytest.fixture(scope="module")
def demo_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("demo")
    db = Database(folder / "kefu.db")
    db.open(MIGRATION_SETS)
    now = datetime.now(timezone(timedelta(hours=8))).replace(second=0, microsecond=0)
    db.write_sync(lambda conn: build_demo(conn, now=now))
    db.close()
    return folder


@pytest.fixture
async def server(demo_template: Path, tmp_path: Path) -> AsyncIterator[TestServer]:
    data = tmp_path / "data"
    shutil.copytree(demo_template, data)
    test_server = TestServer(create_app(Settings(data_dir=data, demo_on_first_run=False)), host="127.0.0.1")
    await test_server.start_server()
    yield test_server
    await test_server.close()


@pytest.fixture
async def browser() -> AsyncIterator[Browser]:
    async with async_playwright() as playwright:
        chromium = await playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield chromium
        await chromium.close()


async def test_a_conversation_fills_the_sidebar_and_a_suggestion_is_inserted(
    server: TestServer, browser: Browser
) -> None:
    page = await browser.new_page(viewport={"width": 1280, "height": 800})
    errors: list[str] = []
    page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
    page.on("pageerror", lambda error: errors.append(str(error)))
    await page.goto(str(server.make_url("/demo")))

    conversation = page.locator(".conversation").nth(1)
    nick = await conversation.get_attribute("data-buyer")
    assert nick
    await conversation.click()
    sidebar = page.frame_locator("#sidebar")
    await sidebar.locator("#buyer-nick").filter(has_text=nick).wait_for(timeout=10_000)

    suggestion = sidebar.locator(".pick").first
    await suggestion.wait_for(timeout=10_000)
    text = await suggestion.locator(".text").text_content()
    assert text
    await suggestion.click()
    composer = page.locator("#agent-composer")
    await page.wait_for_function(
        "([el, want]) => el.value === want", arg=[await composer.element_handle(), text], timeout=5_000
    )
    if os.environ.get("KEFU_SCREENSHOTS") == "1":
        SCREENSHOTS.mkdir(exist_ok=True)
        await page.screenshot(path=str(SCREENSHOTS / "demo-console.png"))
    assert errors == []
