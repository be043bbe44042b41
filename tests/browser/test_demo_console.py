"""The demo console in Debian's Chromium: opening a conversation updates the sidebar, and a
suggestion lands in the chat composer, through the same plugin contract a real client uses."""

from __future__ import annotations

from typing import Any

from aiohttp.test_utils import TestServer
from playwright.async_api import Browser, Response

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


async def test_a_suggestion_rendered_without_some_values_says_which(
    server: TestServer, browser: Browser
) -> None:
    """No order in focus: "您的包裹由{{ order.courier }}配送" renders with blanks, and the pick says what is
    missing instead of looking ready to send."""
    watched = await open_page(browser, 1280, 900)
    page = watched.page
    answers: list[Response] = []
    page.on("response", lambda r: answers.append(r) if r.url.endswith("/api/suggest") else None)
    await page.goto(str(server.make_url("/demo")))
    await page.locator(".conversation").first.click()
    sidebar = page.frame_locator("#sidebar")
    await sidebar.locator(".pick").first.wait_for(timeout=10_000)
    message = "帮我查下物流，快递单号多少"
    await page.locator("#buyer-input").fill(message)
    await page.locator("#buyer-input").press("Enter")
    await sidebar.locator("#last-message").filter(has_text=message).wait_for(timeout=10_000)
    mine: list[dict[str, Any]] = []
    for _ in range(50):
        bodies = [await r.json() for r in answers if r.ok]
        mine = [b for b in bodies if b["questions"] and "物流" in "".join(q["question"] for q in b["questions"])]
        if mine:
            break
        await page.wait_for_timeout(100)
    suggestions = [s for q in mine[-1]["questions"] for s in q["suggestions"]]
    assert any(s["missing"] for s in suggestions), suggestions  # the demo's 物流查询 needs an order
    picks = sidebar.locator("#suggestion-list .pick")
    await picks.nth(len(suggestions) - 1).wait_for(timeout=10_000)
    for i, s in enumerate(suggestions):
        pick = picks.nth(i)
        assert await pick.locator(".text").text_content() == s["answer"]
        warning = pick.locator(".missing")
        if s["missing"]:
            assert await warning.count() == 1, s["answer"]
            shown = await warning.text_content() or ""
            assert all(name in shown for name in s["missing"]), shown
        else:
            assert await warning.count() == 0
    assert watched.errors == []
