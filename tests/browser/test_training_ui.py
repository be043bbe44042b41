"""The training pages in Debian's Chromium on the demo shop: the trainee 小新 plays a whole timed round
(typing and picking), sees each mark beside the reference with the difference; the trainer 李娜 reads the
progress table, sets the pass mark and overrides a mark; the page in English."""

from __future__ import annotations

from urllib.parse import urlencode

from aiohttp.test_utils import TestServer
from playwright.async_api import Browser, Page

from tests.browser.conftest import open_page, screenshot_path, token_of

TIMEOUT = 15_000


async def _training(page: Page, server: TestServer, login: str, tab: str, lang: str = "zh-CN") -> None:
    query = urlencode({"token": token_of(server, login), "lang": lang})
    await page.goto(str(server.make_url(f"/training?{query}#{tab}")))


async def test_a_trainee_plays_a_whole_round_and_the_trainer_overrides_a_mark(
    server: TestServer, browser: Browser
) -> None:
    watched = await open_page(browser, 1100, 900)
    page = watched.page
    await _training(page, server, "xiaoxin", "quiz")
    await page.locator(".tr-start").wait_for(timeout=TIMEOUT)
    await page.locator(".tr-mode").select_option("timed")
    await page.locator(".tr-size").fill("3")
    await page.locator(".tr-start").click()
    # the round is drawn on the server: its first question, or the reason it could not be drawn
    drawn = page.locator(".tr-question .tr-submit, p.form-error:not([hidden])").first
    await drawn.wait_for(timeout=2 * TIMEOUT)  # a loaded two-core machine can take a while here
    problem = page.locator("p.form-error:not([hidden])")
    assert not await problem.count(), (await problem.first.text_content(), watched.errors)
    picked = typed = 0
    for index in range(3):
        question = page.locator(".tr-question")
        await question.locator(".tr-submit").wait_for(timeout=TIMEOUT)
        assert f"第 {index + 1}/3 题" in (await question.text_content() or "")
        assert "剩余" in (await question.locator(".tr-clock").text_content() or "")
        asked = await question.locator(".tr-asked").text_content()
        assert asked
        if index == 1 and await question.locator(".tr-choice").count():
            await question.locator(".tr-choice").first.click()
            picked += 1
        else:
            await question.locator(".tr-answer").fill("亲，这个问题我帮您确认一下，稍等哦")
            await question.locator(".tr-submit").click()
            typed += 1
        await question.locator(".tr-verdict").wait_for(timeout=TIMEOUT)
        assert await question.locator(".tr-ref").text_content()  # the reference answer beside the mark
        assert "null" not in (await question.locator(".tr-result").text_content() or "")
        if index == 0:
            assert (
                await question.locator(".tr-diff del, .tr-diff mark").count() > 0
            )  # the difference highlighted
            if path := screenshot_path("training_quiz.png"):
                await page.screenshot(path=str(path))
        await question.locator(".tr-next").click()
    summary = page.locator(".tr-summary")
    await summary.wait_for(timeout=TIMEOUT)
    assert "本轮结束" in (await summary.text_content() or "")
    assert picked + typed == 3

    # the trainer's table: the trainee's row, the pass mark, a mark overridden
    trainer = await open_page(browser, 1100, 900)
    await _training(trainer.page, server, "lina", "progress")
    row = trainer.page.locator(".tr-table tbody tr").filter(has_text="小新")
    await row.wait_for(timeout=TIMEOUT)
    assert "学员" in (await row.text_content() or "")
    assert await row.locator("td").nth(2).text_content() == "3"
    await trainer.page.locator(".tr-acc").fill("70")
    await trainer.page.locator(".tr-pass-mark button").click()
    await trainer.page.locator(".toast").filter(has_text="及格线已保存").wait_for(timeout=TIMEOUT)
    first = trainer.page.locator(".tr-answer-row").first
    await first.wait_for(timeout=TIMEOUT)
    question_id = await first.get_attribute("data-question")
    await first.locator(".tr-override").click()
    overridden = trainer.page.locator(f'.tr-answer-row[data-question="{question_id}"]').filter(
        has_text="已改判"
    )
    await overridden.wait_for(timeout=TIMEOUT)
    if path := screenshot_path("training_progress.png"):
        await trainer.page.screenshot(path=str(path))
    assert watched.errors == [] and trainer.errors == []


async def test_the_training_page_speaks_english(server: TestServer, browser: Browser) -> None:
    watched = await open_page(browser, 1100, 700)
    await _training(watched.page, server, "xiaoxin", "quiz", lang="en")
    await watched.page.locator(".tr-start").filter(has_text="Start").wait_for(timeout=TIMEOUT)
    assert (await watched.page.title()).startswith("Agent training")
    assert await watched.page.locator('.tabs a[data-tab="progress"]').text_content() == "Progress"
    assert watched.errors == []
