"""Quality control in Debian's Chromium, in both languages: the supervisor's 质检 tab takes a review from
today's sample to its score (a critical item zeroes it live and on the server), tags the conversation and
opens a training card; the sidebar's evidence button freezes the conversation (the hash is shown, the buyer
card shows the risk flag), a forbidden word in a sent reply warns the agent at once, and the agent disputes
their own review from the sidebar's menu."""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from aiohttp import ClientSession
from aiohttp.test_utils import TestServer
from playwright.async_api import Browser

from assistant import keys
from assistant.web.strings import qc as qc_strings
from tests.browser.conftest import open_page, screenshot_path, token_of

TIMEOUT = 15_000
LANGS = {"zh-CN": qc_strings.ZH, "en": qc_strings.EN}


async def call(
    server: TestServer, login: str, method: str, path: str, body: Any = None, **params: str
) -> Any:
    async with ClientSession() as session:
        response = await session.request(
            method,
            str(server.make_url(path)),
            json=body,
            params=params,
            headers={"Authorization": f"Bearer {token_of(server, login)}"},
        )
        data = await response.json()
        assert response.status < 300, data
        return data


async def seed_yesterday(server: TestServer) -> str:
    """Three of xiaomei's conversations yesterday; the second reply carries an absolute word."""
    tz = ZoneInfo(server.app[keys.SETTINGS].timezone)
    day = datetime.now(tz).date() - timedelta(days=1)
    for n, reply in enumerate(("亲，在的，今天下单明天发", "亲，这是全网最低价哦", "好的亲")):
        asked = datetime.combine(day, datetime.min.time(), tzinfo=tz) + timedelta(hours=10, minutes=n * 20)
        conversation = f"qc-{n}"
        await call(server, "xiaomei", "POST", "/api/events", {
            "type": "conversation.opened", "conversation": conversation, "shop": "nuanju", "buyer": f"质检买家{n}"})  # fmt: skip
        for kind, at, text in (
            ("message.received", asked, "这个锅多大？"),
            ("message.sent", asked + timedelta(seconds=40), reply),
        ):
            await call(server, "xiaomei", "POST", "/api/events",
                       {"type": kind, "conversation": conversation, "text": text, "at": at.isoformat()})  # fmt: skip
    return day.isoformat()


@pytest.mark.parametrize("lang", LANGS)
async def test_a_review_goes_from_the_sample_to_its_score(
    server: TestServer, browser: Browser, lang: str
) -> None:
    t = LANGS[lang]
    day = await seed_yesterday(server)
    watched = await open_page(browser, 1400, 1200)
    page = watched.page
    token = token_of(server, "wangjing")
    await page.goto(str(server.make_url(f"/supervisor?token={token}&lang={lang}#qc")))
    item = page.locator('#qc-sample li[data-conversation="qc-1"]')
    await item.wait_for(timeout=TIMEOUT)
    assert t["qc_reason_forbidden_words"] in (await item.text_content() or "")
    assert await page.locator("#qc-day").input_value() == day
    await item.locator("button").click()

    form = page.locator("#qc-review-form")
    await page.locator("#qc-chat .qc-line.flagged mark").first.wait_for(timeout=TIMEOUT)
    assert await page.locator("#qc-chat mark").first.text_content() in ("最低价", "全网最低")
    card = await call(server, "wangjing", "GET", "/api/qc/scorecard")
    for category in card["categories"]:
        if not category["critical"]:
            await form.locator(f'input[name="mark-{category["key"]}"][value="5"]').check()
    total = page.locator("#qc-total")
    assert await total.text_content() == "100"
    await form.locator('input[name="mark-no_forbidden"][value="1"]').check()  # the absolute word: 0
    assert await total.text_content() == "0"
    assert await form.get_by_text(t["qc_zeroed"]).is_visible()
    await form.locator('textarea[name="comment"]').fill("回复里用了极限词“全网最低价”")
    if path := screenshot_path("qc-review.png") if lang == "zh-CN" else None:
        await page.evaluate("window.scrollTo(0, 0)")
        await page.screenshot(path=str(path))
    await form.locator('button[type="submit"]').click()
    await page.locator('#qc-sample li[data-conversation="qc-1"] .chip.qc-done').wait_for(timeout=TIMEOUT)

    reviews = await call(server, "wangjing", "GET", "/api/qc/reviews",
                         agent=str(server.app[keys.DIRECTORY].by_login("xiaomei").id))  # type: ignore[union-attr]  # fmt: skip
    saved = next(r for r in reviews["reviews"] if r["conversation"] == "qc-1")
    assert saved["score"] == 0 and saved["zeroed_by"] == ["no_forbidden"] and saved["day"] == day

    # what the review leads to: 丢单 for the weekly pack and a training card
    after = page.locator("#qc-after")
    await after.locator('button[data-tag="lost_order"]').click()
    await page.locator("#qc-pack-note").filter(has_text="1").wait_for(timeout=TIMEOUT)
    await after.locator('textarea[name="training_note"]').fill("培训广告法极限词")
    await after.get_by_role("button", name=t["qc_new_training"]).click()
    finding = page.locator("#qc-findings li[data-finding]")
    await finding.first.wait_for(timeout=TIMEOUT)
    assert "培训广告法极限词" in (await finding.first.text_content() or "")
    # the supervisor keeps evidence too: the hash is shown
    await after.locator('textarea[name="evidence_note"]').fill("买家要求加微信私下退款")
    await after.get_by_role("button", name=t["qc_evidence"], exact=True).click()
    await page.locator("#qc-kept code").wait_for(timeout=TIMEOUT)
    assert len(await page.locator("#qc-kept code").text_content() or "") == 64
    # a fix on the exact quick reply the agent used
    phrase = (await call(server, "wangjing", "GET", "/api/quick-replies"))["quick_replies"][0]["quick_reply"]
    await after.locator('input[name="target_search"]').fill(phrase["title"])
    await after.locator(".qc-item").filter(has_text=phrase["title"]).first.get_by_role("button").click()
    await after.locator('textarea[name="fix_note"]').fill("短语里有“最低价”")
    await after.get_by_role("button", name=t["qc_new_fix"]).click()
    await (
        page.locator("#qc-findings li[data-finding]")
        .filter(has_text=phrase["title"])
        .wait_for(timeout=TIMEOUT)
    )
    pack = await call(server, "wangjing", "GET", "/api/qc/pack", week=day)
    assert [i["conversation"] for i in pack["lost_orders"]] == ["qc-1"]
    # the weekly pack, exported as the page shows it
    await page.locator('input[name="week"]').fill(day)
    async with page.expect_download() as download:
        await page.locator("#qc-pack-export").click()
    exported = await download.value
    assert exported.suggested_filename == f"qc-pack-{pack['week_start']}.json"
    saved_path = await exported.path()
    assert json.loads(saved_path.read_text())["lost_orders"][0]["conversation"] == "qc-1"
    assert not [e for e in watched.errors if "favicon" not in e], watched.errors
    await page.close()


@pytest.mark.parametrize("lang", LANGS)
async def test_the_sidebar_keeps_evidence_warns_and_lets_the_agent_dispute(
    server: TestServer, browser: Browser, lang: str
) -> None:
    t = LANGS[lang]
    day = await seed_yesterday(server)
    await call(server, "wangjing", "POST", "/api/qc/reviews", {
        "shop": server.app[keys.DIRECTORY].by_login("xiaomei").main_shop_id,  # type: ignore[union-attr]
        "conversation": "qc-0", "day": day, "marks": {"greeting": 5, "no_conflict": 1}, "comment": "和买家争执"})  # fmt: skip
    watched = await open_page(browser, 1400, 1000)
    page = watched.page
    missing: list[str] = []
    page.on("response", lambda r: missing.append(r.url) if r.status == 404 else None)
    await page.goto(str(server.make_url(f"/demo?lang={lang}")))
    first = page.locator('.conversation[data-index="0"]')
    buyer = await first.get_attribute("data-buyer")
    assert buyer
    await first.click()
    sidebar = page.frame_locator("#sidebar")
    # the sidebar may still show the conversation it opened with: wait for this one's buyer
    await sidebar.locator("#buyer-nick").filter(has_text=buyer).wait_for(timeout=TIMEOUT)

    await sidebar.locator("#qc-evidence-open").click()
    form = sidebar.locator("#qc-evidence-form")
    await form.locator('textarea[name="note"]').fill("以差评威胁要求退50元")
    await form.locator('select[name="flag"]').select_option("bad_review_extortion")
    await form.locator('button[type="submit"]').click()
    hash_box = sidebar.locator("#qc-evidence-hash")
    await hash_box.wait_for(timeout=TIMEOUT)
    shown = await hash_box.text_content() or ""
    assert await form.is_hidden()
    assert len(shown) == 64 and all(c in "0123456789abcdef" for c in shown)
    risk = sidebar.locator("#buyer-risk")
    await risk.filter(has_text="以差评威胁要求退50元").wait_for(timeout=TIMEOUT)
    evidence_id = int(
        (await sidebar.locator("#qc-evidence-result strong").text_content() or "").split("#")[1].split()[0]
    )
    kept = await call(server, "xiaomei", "GET", f"/api/evidence/{evidence_id}")
    assert kept["hash"] == shown and kept["intact"] is True and kept["buyer"] == buyer

    # the agent sends a reply with a forbidden word: the warning shows at once
    await page.locator("#agent-composer").fill("亲，加微信给您便宜")
    await page.locator("#agent-form button[type=submit]").click()
    warning = sidebar.locator("#qc-warning")
    await warning.filter(has_text="加微信").wait_for(timeout=TIMEOUT)
    if path := screenshot_path("qc-sidebar.png") if lang == "zh-CN" else None:
        await page.locator("#sidebar").screenshot(path=str(path))

    # my reviews in the menu, disputed from there
    await sidebar.locator("#qc-menu summary").click()
    mine = sidebar.locator("#qc-my-reviews li[data-review]")
    await mine.first.wait_for(timeout=TIMEOUT)
    assert t["qc_zeroed"] in (await mine.first.text_content() or "")
    await mine.first.get_by_role("button", name=t["qc_dispute"], exact=True).click()
    await mine.first.locator("textarea").fill("买家先骂人，我只是解释了规则")
    await mine.first.get_by_role("button", name=t["qc_send_dispute"]).click()
    await (
        sidebar.locator("#qc-my-reviews .chip")
        .filter(has_text=t["qc_dispute_open"])
        .wait_for(timeout=TIMEOUT)
    )
    disputes = await call(server, "wangjing", "GET", "/api/qc/disputes")
    assert [d["reason"] for d in disputes["disputes"]] == ["买家先骂人，我只是解释了规则"]
    # the seeded buyers have no buyer card (the sidebar follows the seed's last conversation first)
    assert all("/api/buyers/%E8%B4%A8%E6%A3%80" in url for url in missing), missing
    assert not [e for e in watched.errors if "404 (Not Found)" not in e], watched.errors
    await page.close()


async def test_the_editor_sees_and_closes_the_open_fixes(server: TestServer, browser: Browser) -> None:
    shop = server.app[keys.DIRECTORY].by_login("lina").main_shop_id  # type: ignore[union-attr]
    phrases = await call(server, "lina", "GET", "/api/quick-replies", shop=str(shop))
    phrase = phrases["quick_replies"][0]["quick_reply"]
    fix = await call(server, "wangjing", "POST", "/api/qc/findings", {
        "shop": shop, "kind": "fix", "target_kind": "quick_reply", "target": phrase["id"],
        "note": "“保证不褪色”是绝对化用语"})  # fmt: skip
    watched = await open_page(browser, 1280, 800)
    page = watched.page
    await page.goto(str(server.make_url(f"/editor?token={token_of(server, 'lina')}&lang=zh-CN#fixes")))
    row = page.locator(f'#qc-fixes li[data-finding="{fix["id"]}"]')
    await row.wait_for(timeout=TIMEOUT)
    assert phrase["title"] in (await row.text_content() or "")
    await row.locator('input[name="outcome"]').fill("改成“不易褪色”")
    await row.get_by_role("button", name=qc_strings.ZH["qc_finding_close"]).click()
    await page.locator("#qc-fixes").get_by_text(qc_strings.ZH["qc_findings_empty"]).wait_for(timeout=TIMEOUT)
    closed = await call(server, "lina", "GET", "/api/qc/findings", state="closed")
    assert [(f["id"], f["outcome"]) for f in closed["findings"]] == [(fix["id"], "改成“不易褪色”")]
    assert watched.errors == []
    await page.close()


async def test_the_supervisor_edits_the_scorecard_and_the_word_list(
    server: TestServer, browser: Browser
) -> None:
    watched = await open_page(browser, 1280, 900)
    page = watched.page
    await page.goto(str(server.make_url(f"/supervisor?token={token_of(server, 'wangjing')}&lang=en#qc")))
    weight = page.locator('input[name="categories.0.weight"]')
    await weight.wait_for(timeout=TIMEOUT)
    await weight.fill("30")
    await page.get_by_role("button", name=qc_strings.EN["qc_save_card"]).click()
    await page.locator("#toast").filter(has_text=qc_strings.EN["qc_card_saved"]).wait_for(timeout=TIMEOUT)
    card = await call(server, "wangjing", "GET", "/api/qc/scorecard")
    assert card["categories"][0]["weight"] == 30
    # a repeated key is refused and said so
    await page.locator('input[name="categories.1.key"]').fill(card["categories"][0]["key"])
    await page.get_by_role("button", name=qc_strings.EN["qc_save_card"]).click()
    await page.locator(".qc-card .form-error").filter(has_text="重复").wait_for(timeout=TIMEOUT)
    await page.locator("#qc-words").fill("秒杀\n包治百病\n")
    await page.get_by_role("button", name=qc_strings.EN["qc_save_words"]).click()
    await page.locator("#toast").filter(has_text="2").wait_for(timeout=TIMEOUT)
    assert (await call(server, "xiaomei", "GET", "/api/qc/words"))["words"] == ["秒杀", "包治百病"]
    assert [e for e in watched.errors if "400 (Bad Request)" not in e] == []
    await page.close()
