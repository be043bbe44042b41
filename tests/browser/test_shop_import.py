"""The editor's shop-import tab in Debian's Chromium: preview an export with its progress bar, read the
rows, import, and find the imported order in the order API."""

from __future__ import annotations

from pathlib import Path

import pytest
from aiohttp import ClientSession
from aiohttp.test_utils import TestServer
from playwright.async_api import Browser, expect

from tests.browser.conftest import open_page, screenshot_path, token_of
from tests.shop_import import exports as ex

ORDER_2 = ex.ORDERS[1]["订单编号"]


async def test_preview_then_import_orders_with_their_lines(
    server: TestServer, browser: Browser, tmp_path: Path
) -> None:
    orders, lines = tmp_path / "ExportOrderList202611120930.csv", tmp_path / "ExportOrderDetailList.csv"
    orders.write_bytes(ex.realistic_orders())
    lines.write_bytes(ex.realistic_lines())
    watched = await open_page(browser, 1280, 900)
    page = watched.page
    await page.goto(str(server.make_url(f"/editor?token={token_of(server, 'lina')}#shop-import")))
    await page.set_input_files("#shi-orders-file", str(orders))
    await page.set_input_files("#shi-lines-file", str(lines))
    await page.click("#shi-orders-preview")
    summary = page.locator("#shi-orders-summary")
    await expect(summary).to_contain_text("共 7 行 — 新增 6，更新 0，冲突 0，保留 0，拒绝 1", timeout=30_000)
    await expect(page.locator("#shi-orders-progress")).to_have_js_property("value", 1)
    table = page.locator("#shi-orders-rows")
    await expect(page.locator("#shi-orders")).to_contain_text(
        "导出时间 2026-11-12 09:30"
    )  # from the file name
    await expect(table.locator('tr[data-action="add"]')).to_have_count(6)
    refused = table.locator('tr[data-action="refuse"]')
    await expect(refused).to_contain_text("买家应付货款「abc」不是金额")
    await expect(refused).to_contain_text("8")
    await page.select_option("#shi-orders-filter", "refuse")
    await expect(table.locator("tbody tr")).to_have_count(1)
    async with ClientSession() as http:  # nothing written by the preview
        agent = {"Authorization": f"Bearer {token_of(server, 'xiaomei')}"}
        assert (await http.get(server.make_url(f"/api/orders/{ORDER_2}"), headers=agent)).status == 404
        apply = page.locator("#shi-orders-apply")
        await expect(apply).to_have_text("导入 6 行")
        if path := screenshot_path("editor-shop-import.png"):
            await page.screenshot(path=str(path))
        await apply.click()
        await expect(page.locator("#toast")).to_contain_text("已导入：新增 6", timeout=30_000)
        await expect(apply).to_be_hidden()
        response = await http.get(server.make_url(f"/api/orders/{ORDER_2}"), headers=agent)
        assert response.status == 200
        order = (await response.json())["order"]
        assert [line["title"] for line in order["lines"]] == ["北欧实木餐椅 橡木款", "棉麻抱枕套 45x45"]
    assert watched.errors == []


@pytest.mark.slow
async def test_a_long_file_moves_the_progress_bar(
    server: TestServer, browser: Browser, tmp_path: Path
) -> None:
    source = tmp_path / "ExportOrderList202612010900.csv"
    with source.open("wb") as out:
        for chunk in ex.iter_csv_lines(ex.ORDER_HEADER, ex.big_orders(40_000)):
            out.write(chunk.encode("gbk"))
    watched = await open_page(browser, 1280, 900)
    page = watched.page
    await page.goto(str(server.make_url(f"/editor?token={token_of(server, 'lina')}#shop-import")))
    await page.set_input_files("#shi-orders-file", str(source))
    # record every value the bar shows while the job runs
    await page.evaluate("""() => { window.seen = []; const bar = document.getElementById('shi-orders-progress');
        new MutationObserver(() => window.seen.push(bar.value)).observe(bar, { attributes: true });
        setInterval(() => window.seen.push(bar.value), 50); }""")
    await page.click("#shi-orders-preview")
    await expect(page.locator("#shi-orders-summary")).to_contain_text(
        "共 40000 行 — 新增 40000", timeout=120_000
    )
    seen = await page.evaluate("window.seen")
    assert seen[-1] == 1
    assert any(0 < value < 1 for value in seen), seen
    assert watched.errors == []
