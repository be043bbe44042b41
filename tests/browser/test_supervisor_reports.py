"""The supervisor's KPI and forecast tabs and the agent's own KPI card in Debian's Chromium, on the
demo shop's two months of history: tables, charts, drill-down, export, settings, the month close, the
forecast against the roster; screenshots of each page in both languages."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

from aiohttp.test_utils import TestServer
from playwright.async_api import Browser, Page, expect

from tests.browser.conftest import open_page, screenshot_path, token_of

CST = timezone(timedelta(hours=8))


def last_month() -> str:
    first = datetime.now(CST).date().replace(day=1)
    return (first - timedelta(days=1)).strftime("%Y-%m")


async def show_month(page: Page, period: str) -> None:
    await page.fill("#kpi-period", period)
    await page.click("#tab-kpi .kpi-bar button.primary")
    await expect(page.locator('#kpi-agents tr[data-agent="xiaomei"] .kpi-score')).not_to_have_text(
        "—", timeout=30_000
    )
    await expect(page.locator(f'#kpi-charts[data-period="{period}"] svg')).to_have_count(3, timeout=30_000)


async def test_the_kpi_tab_tables_charts_drill_down_export_and_close(
    server: TestServer, browser: Browser
) -> None:
    watched = await open_page(browser, 1440, 1000)
    page = watched.page
    page.on("dialog", lambda dialog: dialog.accept())
    await page.goto(str(server.make_url(f"/supervisor?token={token_of(server, 'wangjing')}&lang=zh-CN#kpi")))
    period = last_month()
    await show_month(page, period)
    row = page.locator('#kpi-agents tr[data-agent="xiaomei"]')
    await expect(row.locator(".kpi-explanation")).to_contain_text("分 → 基数")
    await expect(row.locator(".kpi-level")).not_to_have_text("—")
    await expect(page.locator("#kpi-shops tbody tr")).not_to_have_count(0)
    # every shop of the supervisor's: 小美 works in both, so the shop table shows her twice
    await page.select_option("#kpi-scope", "all")
    await expect(page.locator("#kpi-shops tbody tr", has_text="小美")).to_have_count(2, timeout=30_000)
    await expect(page.locator("#kpi-shops")).to_contain_text("暖居家居折扣店")
    await page.select_option("#kpi-scope", "shop")
    await expect(page.locator("#kpi-shops tbody tr", has_text="小美")).to_have_count(1, timeout=30_000)
    await expect(page.locator("#kpi-charts svg")).to_have_count(3, timeout=30_000)
    await expect(page.locator("#kpi-charts .kpi-chart-bars")).to_contain_text("小美")
    if path := screenshot_path("supervisor-kpi.zh.png"):
        await page.screenshot(path=str(path), full_page=True)
    # from a number to the conversations behind it
    await row.locator('a.drill[data-metric="rate_3min"]').click()
    drill = page.locator("#kpi-drill")
    await expect(drill).to_be_visible()
    await expect(drill.locator("h4")).to_contain_text(f"小美的会话（{period}）")
    await expect(drill.locator("button.primary")).to_contain_text("超过3分钟")
    await drill.locator("button", has_text="已付款").click()
    await expect(drill.locator("button.primary")).to_contain_text("已付款")
    assert await drill.locator("tbody tr").count() > 0
    if path := screenshot_path("supervisor-kpi-drill.zh.png"):
        await drill.screenshot(path=str(path))
    # a bar of the scores chart opens that agent's conversations too
    bar = page.locator("#kpi-charts .kpi-chart-bars rect.drill").last
    name = ((await bar.locator("title").text_content()) or "").split(":")[0]
    assert name
    await bar.click()
    await expect(drill.locator("h4")).to_contain_text(f"{name}的会话（{period}）")
    await expect(drill.locator("button.primary")).to_contain_text("全部")
    async with page.expect_download() as download:
        await page.click('#tab-kpi button[data-rows="agent"]')
    assert (await download.value).suggested_filename == f"kpi-{period}-agent.xlsx"
    # the month close freezes the figures
    await page.click("#kpi-close")
    await expect(page.locator("#kpi-status")).to_contain_text("已结算", timeout=30_000)
    await expect(page.locator("#kpi-close")).to_be_disabled()
    assert watched.errors == []


async def test_the_kpi_settings_change_the_bonus(server: TestServer, browser: Browser) -> None:
    watched = await open_page(browser, 1440, 1000)
    page = watched.page
    await page.goto(str(server.make_url(f"/supervisor?token={token_of(server, 'wangjing')}&lang=zh-CN#kpi")))
    await show_month(page, last_month())
    await page.click(".kpi-settings-box > summary")
    form = page.locator("#kpi-settings form")
    await form.locator('input[name="b.2.base_yuan"]').fill("1500")
    await form.locator('input[name="b.0.min_score"]').fill("95")
    await form.locator("button[type=submit]").click()
    await expect(page.locator("#toast")).to_contain_text("考核设置已保存（第 1 版）")
    await expect(form).to_contain_text("第 1 版")
    # a broken setting is refused with the reason
    await form.locator('input[name="l.4.min_average"]').fill("10")
    await form.locator("button[type=submit]").click()
    await expect(form.locator(".form-error")).to_contain_text("不能越低")
    assert [e for e in watched.errors if "status of 400" not in e] == []  # (the refusal itself)


async def test_the_kpi_tab_in_english(server: TestServer, browser: Browser) -> None:
    watched = await open_page(browser, 1440, 1000)
    page = watched.page
    await page.goto(str(server.make_url(f"/supervisor?token={token_of(server, 'wangjing')}&lang=en#kpi")))
    await show_month(page, last_month())
    await expect(page.locator("#tab-kpi")).to_contain_text("By agent")
    await expect(page.locator("#kpi-charts svg")).to_have_count(3, timeout=30_000)
    await expect(page.locator("#kpi-charts .kpi-chart-heatmap")).to_contain_text("Mon")
    if path := screenshot_path("supervisor-kpi.en.png"):
        await page.screenshot(path=str(path), full_page=True)
    assert watched.errors == []


async def test_the_forecast_tab_in_both_languages(server: TestServer, browser: Browser) -> None:
    for lang, word, name in (("zh-CN", "预计咨询", "zh"), ("en", "consultations expected", "en")):
        watched = await open_page(browser, 1280, 1000)
        page = watched.page
        await page.goto(
            str(server.make_url(f"/supervisor?token={token_of(server, 'wangjing')}&lang={lang}#forecast"))
        )
        result = page.locator("#forecast-result")
        await expect(result).to_contain_text(word, timeout=30_000)
        await expect(result.locator("#forecast-shifts tbody tr")).to_have_count(2)
        await expect(result.locator("svg")).to_have_count(1)
        await page.fill('input[name="this_october_daily"]', "300")
        await page.fill('input[name="last_event_day"]', "3000")
        await page.fill('input[name="last_october_daily"]', "300")
        await page.click("#tab-forecast button[type=submit]")
        await expect(result).to_contain_text("3000")
        await expect(result.locator("#forecast-hours li")).not_to_have_count(0)
        if path := screenshot_path(f"supervisor-forecast.{name}.png"):
            await page.screenshot(path=str(path), full_page=True)
        await page.click("#forecast-from-log")
        await expect(page.locator("#forecast-note")).not_to_be_empty()
        assert watched.errors == []
        await page.close()


async def test_the_agent_sees_their_own_level_in_the_sidebar(server: TestServer, browser: Browser) -> None:
    for lang, title, name in (("zh-CN", "我的绩效", "zh"), ("en", "My KPI", "en")):
        watched = await open_page(browser, 420, 900)
        page = watched.page
        await page.goto(str(server.make_url(f"/sidebar?token={token_of(server, 'xiaomei')}&lang={lang}")))
        card = page.locator("#my-kpi")
        await expect(card).to_be_visible(timeout=30_000)
        await expect(card.locator("summary")).to_contain_text(title)
        await card.locator("summary").click()
        await expect(card.locator(".sk-next")).not_to_be_empty()
        if path := screenshot_path(f"sidebar-kpi.{name}.png"):
            await card.screenshot(path=str(path))
        assert watched.errors == []
        await page.close()
