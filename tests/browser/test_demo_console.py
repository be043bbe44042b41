"""The demo console in Debian's Chromium: opening a conversation updates the sidebar, and a
suggestion lands in the chat composer, through the same plugin contract a real client uses."""

from __future__ import annotations

from aiohttp.test_utils import TestServer
from playwright.async_api import Browser

from tests.browser.conftest import open_page, screenshot_path


async def test_a_conversation_fills_the_sidebar_and_a_suggestion_is_inserted(
    server: TestServer, browser: Browser
) -> None:
    watched = await open_page(browser, 1280, 800)
    page = watched.page
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
    if path := screenshot_path("demo-console.png"):
        await page.screenshot(path=str(path))
    assert watched.errors == []
