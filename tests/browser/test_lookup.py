"""The hotkey lookup popup and the sidebar's quick-reply search, driven by keyboard alone in Chromium.

The popup is opened with ``window.open`` from a same-origin page that plays the chat client: it keeps
every message the popup posts (``kefu.insert_text``, ``kefu.close``) so the test reads what the client
would have received.
"""

from __future__ import annotations

import asyncio
from typing import Any
from urllib.parse import urlencode

from aiohttp.test_utils import TestServer
from playwright.async_api import Browser, Page
from playwright.async_api import Error as PlaywrightError

from assistant import keys
from assistant.demo.content import _qr_aftersale
from tests.browser.conftest import open_page, screenshot_path, token_of

BODIES = {title: body for _, title, body, _ in _qr_aftersale.SHIPPING}
OPENER = """url => {
  window.received = [];
  if (!window.listening) {
    window.listening = true;
    window.addEventListener("message", (event) => window.received.push(event.data));
  }
  window.lookup = window.open(url, "kefu-lookup", "popup,width=480,height=420");
}"""


async def _shipped_order(server: TestServer) -> tuple[str, str]:
    """(order id, buyer nick) of a shipped order in xiaomei's main shop."""
    directory = server.app[keys.DIRECTORY]
    agent = directory.by_login("xiaomei")
    assert agent is not None
    row = await server.app[keys.DB].read(
        lambda db: db.execute(
            "SELECT o.id, b.nick FROM orders o JOIN buyers b ON b.id = o.buyer_id"
            " WHERE o.shop_id = ? AND o.status = 'shipped' ORDER BY o.id LIMIT 1",
            [agent.main_shop_id],
        ).fetchone()
    )
    assert row is not None
    return str(row[0]), str(row[1])


async def _as_host(opener: Page, server: TestServer) -> None:
    """A same-origin page to play the chat client (its JSON page has no favicon: answer that quietly)."""
    await opener.route("**/favicon.ico", lambda route: route.fulfill(status=204))
    await opener.goto(str(server.make_url("/healthz")))


async def _open_lookup(opener: Page, server: TestServer, **context: str) -> Page:
    query = urlencode({"token": token_of(server, "xiaomei"), "conversation": "c-test-1", **context})
    async with opener.expect_popup() as popup_info:
        await opener.evaluate(OPENER, f"/lookup?{query}")
    popup = await popup_info.value
    await popup.locator("#lookup-results .qr-row").first.wait_for(timeout=10_000)
    return popup


async def _inserted(opener: Page) -> dict[str, Any]:
    await opener.wait_for_function(
        "() => window.received.some((m) => m.type === 'kefu.insert_text')", timeout=10_000
    )
    messages = await opener.evaluate("() => window.received")
    [insert] = [m for m in messages if m["type"] == "kefu.insert_text"]
    return dict(insert)


async def _press_closing(popup: Page, key: str, *modifiers: str) -> None:
    """Press a key (with modifiers) that ends with the popup closing itself.

    Every key goes down and up again: a key left down in one popup is still held in the renderer the
    next popup shares, which then sees it repeat and picks a phrase by itself. The key-up may find the
    page already gone; that is the point of the key.
    """
    closed = asyncio.ensure_future(popup.wait_for_event("close", timeout=10_000))
    try:
        for modifier in modifiers:
            await popup.keyboard.down(modifier)
        await popup.keyboard.press(key)
        for modifier in reversed(modifiers):
            await popup.keyboard.up(modifier)
    except PlaywrightError:
        if not popup.is_closed():
            raise
    await closed


async def _uses(server: TestServer, conversation: str) -> list[tuple[str, int]]:
    """(kind, ref_id) of the usage events recorded for a conversation, once the recorder has flushed."""
    await server.app[keys.USAGE].flush()
    rows = await server.app[keys.DB].read(
        lambda db: db.execute(
            "SELECT kind, ref_id FROM usage_events WHERE conversation = ? ORDER BY id", [conversation]
        ).fetchall()
    )
    return [(str(kind), int(ref)) for kind, ref in rows]


async def _wait_rows_for(popup: Page, query: str) -> None:
    """The list shows the answer to ``query`` (the status line counts the results of the last search)."""
    await popup.wait_for_function(
        "q => document.getElementById('lookup-q').value === q"
        " && document.getElementById('lookup-status').textContent.includes('（')",
        arg=query,
        timeout=10_000,
    )


async def test_pinyin_initials_arrows_and_enter_insert_the_rendered_phrase(
    server: TestServer, browser: Browser
) -> None:
    order_id, nick = await _shipped_order(server)
    watched = await open_page(browser, 800, 600)
    opener = watched.page
    await _as_host(opener, server)
    popup = await _open_lookup(opener, server, buyer=nick, order=order_id)
    popup_errors: list[str] = []
    popup.on("console", lambda m: popup_errors.append(m.text) if m.type == "error" else None)
    popup.on("pageerror", lambda e: popup_errors.append(str(e)))

    # focused on open: typing goes straight into the box
    await popup.keyboard.type("fhsj")
    await _wait_rows_for(popup, "fhsj")
    titles = await popup.locator("#lookup-results .qr-title").all_text_contents()
    assert titles[0] == "几点发货" and titles[1] == "发货时间", titles  # exact code, then title initials
    chips = await popup.locator("#lookup-results .qr-row").nth(1).locator(".qr-why").text_content()
    assert chips and "拼音首字母" in chips
    assert await popup.locator("#lookup-results .qr-row").nth(1).locator("mark").count() > 0
    if path := screenshot_path("lookup-popup.png"):
        await popup.screenshot(path=str(path))

    await popup.keyboard.press("ArrowDown")
    used = asyncio.Event()
    server.app[keys.USAGE].listeners.append(lambda event: used.set())
    await _press_closing(popup, "Enter")  # inserting closes the popup
    insert = await _inserted(opener)
    assert insert["text"] == BODIES["发货时间"]
    assert insert["source"] == "quick_reply" and insert["conversation"] == "c-test-1"
    assert isinstance(insert["ref_id"], int)
    await asyncio.wait_for(used.wait(), 10)  # the popup posts the use (keepalive) as it closes
    assert await _uses(server, "c-test-1") == [("quick_reply", insert["ref_id"])]

    # a code with a digit (fh2) is typed, not picked; its preview carries the order of the conversation
    popup = await _open_lookup(opener, server, buyer=nick, order=order_id)
    await popup.keyboard.type("fh2")
    await _wait_rows_for(popup, "fh2")
    await _press_closing(popup, "Enter")
    insert = await _inserted(opener)
    assert insert["text"] == BODIES["发货时间二"].replace("{{ order.id }}", order_id)
    assert watched.errors == [] and popup_errors == []


async def test_digits_pick_and_esc_closes(server: TestServer, browser: Browser) -> None:
    watched = await open_page(browser, 800, 600)
    opener = watched.page
    await _as_host(opener, server)

    # empty box: 1–9 pick among the most used phrases
    popup = await _open_lookup(opener, server)
    second = await popup.locator("#lookup-results .qr-row").nth(1).locator(".qr-preview").text_content()
    await _press_closing(popup, "2")
    assert (await _inserted(opener))["text"] == second

    # while typing, Alt+digit picks
    popup = await _open_lookup(opener, server)
    await popup.keyboard.type("fh")
    await _wait_rows_for(popup, "fh")
    third = await popup.locator("#lookup-results .qr-row").nth(2).locator(".qr-preview").text_content()
    await _press_closing(popup, "3", "Alt")
    assert (await _inserted(opener))["text"] == third

    # Esc closes without inserting
    popup = await _open_lookup(opener, server)
    await popup.keyboard.type("tk")
    await _press_closing(popup, "Escape")
    assert await opener.evaluate("() => window.received") == []
    assert watched.errors == []


async def test_the_sidebar_search_by_keyboard_inserts_into_the_demo_composer(
    server: TestServer, browser: Browser
) -> None:
    watched = await open_page(browser, 1280, 800)
    page = watched.page
    await page.goto(str(server.make_url("/demo")))
    conversation = page.locator(".conversation").nth(1)
    nick = await conversation.get_attribute("data-buyer")
    assert nick
    await conversation.click()  # the last click: from here on, keys only
    sidebar = page.frame_locator("#sidebar")
    await sidebar.locator("#buyer-nick").filter(has_text=nick).wait_for(timeout=10_000)
    composer = page.locator("#agent-composer")

    # the hotkey pressed inside the sidebar frame
    await sidebar.locator("#panel").press("Control+Shift+F")
    await sidebar.locator("#quick-search-q:focus").wait_for(timeout=10_000)
    await page.keyboard.type("fhsj")
    rows = sidebar.locator("#quick-search-results .qr-row")
    await rows.nth(1).locator(".qr-title").filter(has_text="发货时间").wait_for(timeout=10_000)
    await page.keyboard.press("ArrowDown")
    await page.keyboard.press("Enter")
    await page.wait_for_function(
        "([el, want]) => el.value === want",
        arg=[await composer.element_handle(), BODIES["发货时间"]],
        timeout=10_000,
    )

    # the same hotkey pressed in the chat client: it asks the sidebar (kefu.focus_search) to focus the box
    await page.keyboard.press("Control+Shift+F")
    await sidebar.locator("#quick-search-q:focus").wait_for(timeout=10_000)
    await page.keyboard.type("wl")
    await rows.first.locator(".qr-code").filter(has_text="wl").wait_for(timeout=10_000)
    preview = await rows.first.locator(".qr-preview").text_content()
    assert preview and "{{" not in preview
    await page.keyboard.press("Enter")
    await page.wait_for_function(
        "([el, want]) => el.value === want", arg=[await composer.element_handle(), preview], timeout=10_000
    )
    if path := screenshot_path("sidebar-quick-search.png"):
        await page.keyboard.press("Control+Shift+F")
        await sidebar.locator("#quick-search-q:focus").wait_for(timeout=10_000)
        await page.keyboard.type("tk")
        await rows.first.locator(".qr-code").filter(has_text="tk").wait_for(timeout=10_000)
        await page.screenshot(path=str(path))
    assert watched.errors == []


async def test_the_sidebar_search_fills_the_buyers_only_open_order(
    server: TestServer, browser: Browser
) -> None:
    """With one open order on the buyer card, a logistics phrase comes with its courier and tracking number."""
    watched = await open_page(browser, 1280, 800)
    page = watched.page
    await page.goto(str(server.make_url("/demo")))
    nicks = await page.locator(".conversation").evaluate_all("(els) => els.map((e) => e.dataset.buyer)")

    def only_shipped(db: Any) -> tuple[int, str] | None:
        for index, nick in enumerate(nicks):
            rows = db.execute(
                "SELECT o.status, o.tracking_no FROM orders o JOIN buyers b ON b.id = o.buyer_id"
                " WHERE b.nick = ? AND o.status IN ('awaiting_payment', 'paid', 'shipped')",
                [nick],
            ).fetchall()
            if len(rows) == 1 and rows[0][0] == "shipped":
                return index, str(rows[0][1])
        return None

    found = await server.app[keys.DB].read(only_shipped)
    assert found is not None, "the demo shop always has a conversation with one shipped order"
    index, tracking_no = found
    await page.locator(".conversation").nth(index).click()
    sidebar = page.frame_locator("#sidebar")
    await sidebar.locator(".op-order").first.wait_for(timeout=10_000)
    await sidebar.locator("#panel").press("Control+Shift+F")
    await sidebar.locator("#quick-search-q:focus").wait_for(timeout=10_000)
    await page.keyboard.type("wl")
    rows = sidebar.locator("#quick-search-results .qr-row")
    await rows.first.locator(".qr-preview").filter(has_text=tracking_no).wait_for(timeout=10_000)
    await page.keyboard.press("Enter")
    composer = page.locator("#agent-composer")
    await page.wait_for_function(
        "([el, no]) => el.value.includes(no)",
        arg=[await composer.element_handle(), tracking_no],
        timeout=10_000,
    )
    assert watched.errors == []


async def test_the_conversation_line_is_punctuated_in_the_pages_language(
    server: TestServer, browser: Browser
) -> None:
    """ "Filled in for: buyer · order" in English, "按当前会话填入：…" in Chinese (no "for:buyer")."""
    watched = await open_page(browser, 480, 420)
    page = watched.page
    token = token_of(server, "xiaomei")
    for lang, want in (("en", "Filled in for: tb_buyer · 123"), ("zh-CN", "按当前会话填入：tb_buyer · 123")):
        await page.goto(str(server.make_url(f"/lookup?token={token}&lang={lang}&buyer=tb_buyer&order=123")))
        assert await page.locator("#lookup-context").text_content() == want
