"""Edits handed back to the platform, in Debian's Chromium through the demo console playing the host:
待同步 while the host holds the edit, 已同步 when it acknowledges, 同步失败 with retry and a local undo
when it refuses; a reload re-offers what is still waiting. Checked against the outbox API."""

from __future__ import annotations

from typing import Any

from aiohttp import ClientSession
from aiohttp.test_utils import TestServer
from playwright.async_api import Browser, FrameLocator, Locator, Page

from assistant.web.strings import sync as sync_strings
from tests.browser.conftest import open_page, token_of
from tests.browser.test_order_panel import TIMEOUT, _expand, _open_conversation


async def _order(server: TestServer, order_id: str) -> dict[str, Any]:
    headers = {"Authorization": f"Bearer {token_of(server, 'xiaomei')}"}
    async with (
        ClientSession() as session,
        session.get(server.make_url(f"/api/orders/{order_id}"), headers=headers) as response,
    ):
        data: dict[str, Any] = (await response.json())["order"]
        return data


async def _remark(order: Locator, page: Page, text: str) -> None:
    """改备注 → type → confirm, by keyboard, and wait for the result."""
    await order.locator('button[data-edit="remark"]').click()
    box = order.locator('textarea[name="text"]')
    await box.fill(text)
    await box.press("Enter")
    await order.locator(".op-confirm button.primary").wait_for(timeout=TIMEOUT)
    await page.keyboard.press("Enter")
    await order.locator(".op-result.ok").wait_for(timeout=TIMEOUT)


async def _start(
    page: Page, server: TestServer, mode: str, lang: str = "zh-CN"
) -> tuple[str, FrameLocator, Locator]:
    await page.goto(str(server.make_url(f"/demo?lang={lang}")))  # the language is kept in a cookie
    chosen, sidebar = await _open_conversation(page, server, "paid")  # (loads /demo again)
    await page.select_option("#host-mode", mode)
    return chosen["order_id"], sidebar, await _expand(sidebar, chosen["order_id"])


async def test_a_held_edit_waits_to_sync_and_syncs_when_the_host_acknowledges(
    server: TestServer, browser: Browser
) -> None:
    watched = await open_page(browser, 1280, 900)
    page = watched.page
    order_id, _, order = await _start(page, server, "hold")
    await _remark(order, page, "同步测试：周五前发")
    pending = order.locator(".op-sync.is-pending")
    await pending.wait_for(timeout=TIMEOUT)
    assert await pending.locator(".op-sync-state").text_content() == "待同步"
    assert "改备注" in (await pending.text_content() or "")
    assert [s["status"] for s in (await _order(server, order_id))["sync"]][:1] == ["pending"]

    await page.select_option("#host-mode", "ack")  # the host answers what it held
    synced = order.locator(".op-sync.is-applied")
    await synced.wait_for(timeout=TIMEOUT)
    assert await synced.locator(".op-sync-state").text_content() == "已同步"
    assert [s["status"] for s in (await _order(server, order_id))["sync"]][:1] == ["applied"]
    assert watched.errors == []


async def test_a_refused_edit_fails_then_retries_or_is_undone_here(
    server: TestServer, browser: Browser
) -> None:
    watched = await open_page(browser, 1280, 900)
    page = watched.page
    order_id, _, order = await _start(page, server, "fail")
    remark_before = (await _order(server, order_id))["seller_remark"]
    await _remark(order, page, "第一次：加急")
    failed = order.locator(".op-sync.is-failed")
    await failed.wait_for(timeout=TIMEOUT)
    assert await failed.locator(".op-sync-state").text_content() == "同步失败"
    assert "演示：平台拒绝了这次修改" in (await failed.text_content() or "")

    await page.select_option("#host-mode", "ack")
    await failed.locator("button.op-sync-retry").click()
    synced = order.locator(".op-sync.is-applied")
    await synced.wait_for(timeout=TIMEOUT)
    detail = await _order(server, order_id)
    assert detail["sync"][0]["status"] == "applied" and detail["sync"][0]["attempt"] == 2

    # Refused again: undone here only, the order goes back to what the platform still has.
    await page.select_option("#host-mode", "fail")
    await order.locator(".op-result").evaluate("node => node.remove()")
    await _remark(order, page, "第二次：改发顺丰")
    failed = order.locator(".op-sync.is-failed")
    await failed.wait_for(timeout=TIMEOUT)
    await failed.locator("button.op-sync-undo").click()
    await order.locator(".op-sync.is-reverted").wait_for(timeout=TIMEOUT)
    detail = await _order(server, order_id)
    assert "第二次" not in detail["seller_remark"] and "第一次：加急" in detail["seller_remark"]
    assert detail["seller_remark"] != remark_before
    assert [s["status"] for s in detail["sync"][:2]] == ["reverted", "applied"]
    assert watched.errors == []


async def test_a_reloaded_console_is_offered_what_still_waits(server: TestServer, browser: Browser) -> None:
    watched = await open_page(browser, 1280, 900)
    page = watched.page
    order_id, _, order = await _start(page, server, "hold", lang="en")
    await _remark(order, page, "held over a reload")
    pending = order.locator(".op-sync.is-pending")
    await pending.wait_for(timeout=TIMEOUT)
    assert await pending.locator(".op-sync-state").text_content() == sync_strings.EN["sync_pending"]
    # The console (the host) reloads with acknowledging on: the sidebar's new stream re-offers the edit.
    order_id_2, _, order = await _start(page, server, "ack", lang="en")
    assert order_id_2 == order_id
    synced = order.locator(".op-sync.is-applied")
    await synced.wait_for(timeout=TIMEOUT)
    assert await synced.locator(".op-sync-state").text_content() == sync_strings.EN["sync_applied"]
    assert (await _order(server, order_id))["sync"][0]["status"] == "applied"
    assert watched.errors == []
