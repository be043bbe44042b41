"""The order panel's address form with a paste that has only the address (issue 14): the order's
receiver and phone stay, the form says so, and an old district name is mapped with a visible note."""

from __future__ import annotations

from aiohttp.test_utils import TestServer
from playwright.async_api import Browser

from tests.browser.conftest import open_page
from tests.browser.test_order_panel import TIMEOUT, _expand, _open_conversation


async def test_an_address_alone_keeps_the_receiver_and_shows_the_note(
    server: TestServer, browser: Browser
) -> None:
    watched = await open_page(browser, 1280, 900)
    chosen, sidebar = await _open_conversation(watched.page, server, "paid")
    order = await _expand(sidebar, chosen["order_id"])
    await order.locator('button[data-edit="address"]').click()
    name = order.locator('input[name="name"]')
    phone = order.locator('input[name="phone"]')
    before = (await name.input_value(), await phone.input_value())
    assert all(before)

    paste = order.locator('textarea[name="paste"]')
    await paste.fill("浙江省 杭州市 江干区 凯旋路1号(310000)")
    await paste.press("Enter")
    check = order.locator(".op-check")
    await check.locator(".op-note").wait_for(timeout=TIMEOUT)
    assert (await name.input_value(), await phone.input_value()) == before
    assert await order.locator('input[name="district"]').input_value() == "上城区"
    assert await order.locator('input[name="detail"]').input_value() == "凯旋路1号"
    text = await check.text_content() or ""
    assert "江干区" in text and "上城区" in text and "已保留订单原来的" in text

    # Two chains: the error is shown on the paste box and no field is overwritten.
    await paste.fill("浙江省杭州市西湖区文三路1号 江苏省南京市鼓楼区中山路1号")
    await paste.press("Enter")
    await order.locator(".field-error").filter(has_text="两个不同的地区").wait_for(timeout=TIMEOUT)
    assert await order.locator('input[name="district"]').input_value() == "上城区"
    assert [e for e in watched.errors if "400 (Bad Request)" not in e] == []  # the refused paste
