"""The order reviewer's queue in Debian's Chromium on the demo shop: only the review tab for the role, each
rule's order listed with its reason, fix the address through the guarded edit, remark + flag, hold (seen
on every agent's order panel), the confirmation script inserted into the chat, reviewed; the sidebar's count."""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import urlencode

from aiohttp import ClientSession
from aiohttp.test_utils import TestServer
from playwright.async_api import Browser, Locator, Page

from tests.browser.conftest import open_page, screenshot_path, token_of

TIMEOUT = 15_000
OPENER = """url => {
  window.received = [];
  window.addEventListener("message", (event) => window.received.push(event.data));
  window.reviewPage = window.open(url, "kefu-review", "popup,width=1280,height=900");
}"""
RULES = {
    "address_incomplete",
    "region_contradicts",
    "remote_area",
    "phone_invalid",
    "receiver_changed",
    "message_invoice",
    "chat_gift",
    "buyer_risk",
}


async def _api(server: TestServer, login: str, method: str, path: str, body: Any = None) -> Any:
    async with ClientSession() as http:
        response = await http.request(
            method,
            str(server.make_url(path)),
            json=body,
            headers={"Authorization": f"Bearer {token_of(server, login)}"},
        )
        data = await response.json()
        assert response.status < 300, data
        return data


async def _open_review(opener: Page, server: TestServer) -> Page:
    """The editor as the demo's reviewer 小沈, opened from a host page that records what it is sent."""
    await opener.route("**/favicon.ico", lambda route: route.fulfill(status=204))
    await opener.goto(str(server.make_url("/healthz")))
    query = urlencode({"token": token_of(server, "xiaoshen"), "lang": "zh-CN"})
    async with opener.expect_popup() as popup_info:
        await opener.evaluate(OPENER, f"/editor?{query}#review")
    page = await popup_info.value
    await page.locator(".rv-order").first.wait_for(timeout=TIMEOUT)
    return page


def _with_reason(page: Page, code: str) -> Locator:
    return page.locator(".rv-order").filter(has=page.locator(f'.rv-reasons li[data-code="{code}"]')).first


async def test_the_reviewer_works_the_queue(server: TestServer, browser: Browser) -> None:
    watched = await open_page(browser, 1280, 900)
    page = await _open_review(watched.page, server)
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    # the role sees the review tab only
    assert await page.locator(".tabs a").count() == 1
    assert await page.locator('.tabs a[data-tab="review"]').text_content() == "订单审核"
    if path := screenshot_path("review_queue.png"):
        await page.screenshot(path=str(path), full_page=False)
    while await page.locator(".rv-more").is_visible():  # the queue comes 50 orders a page
        shown = await page.locator(".rv-order").count()
        await page.locator(".rv-more").click()
        await page.locator(".rv-order").nth(shown).wait_for(timeout=TIMEOUT)
    codes = set(await page.locator(".rv-reasons li").evaluate_all("els => els.map((e) => e.dataset.code)"))
    assert codes >= RULES, codes
    assert "待审核" in (await page.locator(".rv-total").text_content() or "")
    assert "null" not in (await page.locator(".rv-list").text_content() or "")

    # fix the incomplete address through the guarded edit: the reason goes
    incomplete = _with_reason(page, "address_incomplete")
    order_id = await incomplete.get_attribute("data-order-id")
    await incomplete.locator(".rv-fix").click()
    await incomplete.locator(".rv-paste").fill("浙江省杭州市余杭区文一西路969号3号楼201室")
    await incomplete.locator(".rv-parse").click()
    await incomplete.locator(".rv-parsed").filter(has_text="余杭区").wait_for(timeout=TIMEOUT)
    await incomplete.locator(".rv-apply-address").click()
    await page.locator(
        f'.rv-order[data-order-id="{order_id}"] .rv-reasons li[data-code="address_incomplete"]'
    ).wait_for(state="detached", timeout=TIMEOUT)
    detail = await _api(server, "xiaoshen", "GET", f"/api/orders/{order_id}")
    assert detail["order"]["address"]["district"] == "余杭区"

    # remark + flag on the invoice order
    invoice = _with_reason(page, "message_invoice")
    invoice_id = await invoice.get_attribute("data-order-id")
    await invoice.locator(".rv-remark").click()
    await invoice.locator(".rv-remark-text").fill("需开票：杭州暖居科技有限公司")
    await invoice.locator(".rv-flag").select_option("yellow")
    await invoice.locator(".rv-save-remark").click()
    await page.locator(".toast").filter(has_text="备注已保存").wait_for(timeout=TIMEOUT)
    detail = await _api(server, "xiaoshen", "GET", f"/api/orders/{invoice_id}")
    assert (
        detail["order"]["seller_remark"] == "需开票：杭州暖居科技有限公司"
        and detail["order"]["remark_flag"] == "yellow"
    )

    # the confirmation script goes to the chat client (kefu.insert_text)
    phone = _with_reason(page, "phone_invalid")
    await phone.locator(".rv-script").click()
    await watched.page.wait_for_function(
        "() => window.received.some((m) => m.type === 'kefu.insert_text')", timeout=TIMEOUT
    )
    [insert] = [
        m for m in await watched.page.evaluate("() => window.received") if m["type"] == "kefu.insert_text"
    ]
    assert insert["text"].startswith("亲，跟您确认一下收货地址") and "手机号" in insert["text"]
    assert insert["source"] == "script"

    # hold with a reason, then mark another order reviewed: it leaves the queue
    await phone.locator(".rv-hold-open").click()
    await phone.locator(".rv-hold-reason").fill("电话打不通，等买家回复")
    await phone.locator(".rv-hold-save").click()
    await page.locator(".rv-hold").filter(has_text="电话打不通").wait_for(timeout=TIMEOUT)
    risky = _with_reason(page, "buyer_risk")
    risky_id = await risky.get_attribute("data-order-id")
    await risky.locator(".rv-reviewed").click()
    await page.locator(f'.rv-order[data-order-id="{risky_id}"]').wait_for(state="detached", timeout=TIMEOUT)
    assert errors == [] and watched.errors == []


async def test_a_hold_shows_on_every_agents_order_panel_and_the_reviewer_sees_a_count(
    server: TestServer, browser: Browser
) -> None:
    watched = await open_page(browser, 1280, 900)
    page = watched.page
    await page.goto(str(server.make_url("/demo")))
    conversations = json.loads(await page.locator("body").get_attribute("data-conversations") or "[]")
    index, chosen = next((i, c) for i, c in enumerate(conversations) if c["order_status"] == "paid")
    await _api(
        server,
        "xiaoshen",
        "POST",
        f"/api/review/orders/{chosen['order_id']}/hold",
        {"reason": "买家说没下过单，先别发"},
    )
    await page.locator(f'.conversation[data-index="{index}"]').click()
    sidebar = page.frame_locator("#sidebar")
    order = sidebar.locator(f'#orders .op-order[data-order-id="{chosen["order_id"]}"]')
    await order.wait_for(timeout=TIMEOUT)
    head = order.locator(".op-head")
    if await head.get_attribute("aria-expanded") != "true":
        await head.click()
    line = order.locator(".op-hold")
    await line.wait_for(timeout=TIMEOUT)
    assert "买家说没下过单，先别发" in (await line.text_content() or "") and "小沈" in (
        await line.text_content() or ""
    )
    assert await sidebar.locator("#review-count").is_hidden()  # 小美 is no reviewer
    # the reviewer's sidebar counts the queue and links to the tab
    reviewer = await browser.new_page(viewport={"width": 360, "height": 700})
    await reviewer.goto(
        str(server.make_url("/sidebar?" + urlencode({"token": token_of(server, "xiaoshen")})))
    )
    count = reviewer.locator("#review-count .rv-count-link")
    await count.filter(has_text="待审核订单").wait_for(timeout=TIMEOUT)
    assert "挂起 1" in (await count.text_content() or "") and "#review" in (
        await count.get_attribute("href") or ""
    )
    assert watched.errors == []
