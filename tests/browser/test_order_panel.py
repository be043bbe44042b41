"""The sidebar's order panel in Debian's Chromium, through the demo console: an address paste is parsed,
confirmed, applied and undone; a price cut above xiaomei's cap becomes a pending approval. Keyboard only
where an agent would use the keyboard (Enter goes on, Esc cancels)."""

from __future__ import annotations

import json
from typing import Any

from aiohttp import ClientSession
from aiohttp.test_utils import TestServer
from playwright.async_api import Browser, FrameLocator, Locator, Page

from assistant import keys
from assistant.web.strings import orders as orders_strings
from tests.browser.conftest import open_page, screenshot_path, token_of

TIMEOUT = 15_000


async def _open_conversation(
    page: Page, server: TestServer, status: str
) -> tuple[dict[str, Any], FrameLocator]:
    """Open the first demo conversation whose buyer's order is in ``status``; wait for its order panel."""
    await page.goto(str(server.make_url("/demo")))
    conversations = json.loads(await page.locator("body").get_attribute("data-conversations") or "[]")
    index, chosen = next((i, c) for i, c in enumerate(conversations) if c["order_status"] == status)
    await page.locator(f'.conversation[data-index="{index}"]').click()
    sidebar = page.frame_locator("#sidebar")
    await sidebar.locator("#buyer-nick").filter(has_text=chosen["buyer"]).wait_for(timeout=TIMEOUT)
    await sidebar.locator(f'#orders .op-order[data-order-id="{chosen["order_id"]}"]').wait_for(
        timeout=TIMEOUT
    )
    return chosen, sidebar


async def _expand(sidebar: FrameLocator, order_id: str) -> Locator:
    order = sidebar.locator(f'#orders .op-order[data-order-id="{order_id}"]')
    head = order.locator(".op-head")
    if await head.get_attribute("aria-expanded") != "true":
        await head.click()
    await order.locator(".op-address").wait_for(timeout=TIMEOUT)
    return order


async def test_an_address_paste_is_parsed_confirmed_applied_and_undone(
    server: TestServer, browser: Browser
) -> None:
    watched = await open_page(browser, 1280, 900)
    page = watched.page
    chosen, sidebar = await _open_conversation(page, server, "paid")
    order = await _expand(sidebar, chosen["order_id"])
    old_address = await order.locator(".op-address").text_content()
    assert old_address

    await order.locator('button[data-edit="address"]').click()
    paste = order.locator('textarea[name="paste"]')
    await paste.fill("收货人：王五，手机 139 0000 1111，\n广东深圳南山区科技园科苑路15号")
    await paste.press("Enter")  # Enter in the paste box reads the address
    name = order.locator('input[name="name"]')
    await order.locator(".op-check").wait_for(timeout=TIMEOUT)
    assert await name.input_value() == "王五"
    assert await order.locator('input[name="phone"]').input_value() == "13900001111"
    assert await order.locator('input[name="city"]').input_value() == "深圳市"
    # The agent corrects one field before applying: the building number was missing.
    detail = order.locator('input[name="detail"]')
    await detail.fill(await detail.input_value() + "A座")
    await detail.press("Enter")  # next: the before -> after confirmation

    confirm = order.locator(".op-confirm")
    await confirm.wait_for(timeout=TIMEOUT)
    assert "王五" in (await confirm.locator("ins").all_text_contents())
    # Esc goes back to the form with what was typed, Enter on the form comes back to the confirmation.
    if path := screenshot_path("sidebar.png"):
        await page.locator("#sidebar").screenshot(path=str(path))
    await page.keyboard.press("Escape")
    await detail.wait_for(timeout=TIMEOUT)
    assert (await detail.input_value()).endswith("A座")
    await detail.press("Enter")
    await confirm.locator("button.primary").wait_for(timeout=TIMEOUT)
    await page.keyboard.press("Enter")  # the confirm button has the focus

    result = order.locator(".op-result.ok")
    await result.wait_for(timeout=TIMEOUT)
    new_address = order.locator(".op-address")
    # The panel shows the receiver masked; only the address form had it in full.
    await new_address.filter(has_text="广东省深圳市南山区科技园****").wait_for(timeout=TIMEOUT)
    assert "王五，139****1111" in (await new_address.text_content() or "")

    await result.locator("button.op-undo").click()
    await order.locator(".op-result.ok").filter(has_text="撤销").wait_for(timeout=TIMEOUT)
    await new_address.filter(has_text=old_address).wait_for(timeout=TIMEOUT)
    assert watched.errors == []


async def test_a_price_cut_above_the_agents_cap_waits_for_a_supervisor(
    server: TestServer, browser: Browser
) -> None:
    watched = await open_page(browser, 1280, 900)
    page = watched.page
    chosen, sidebar = await _open_conversation(page, server, "awaiting_payment")
    order = await _expand(sidebar, chosen["order_id"])
    price_before = await order.locator(".op-money").text_content()

    await order.locator('button[data-edit="price"]').click()
    price = order.locator('input[name="price_fen"]')
    current_yuan = await price.input_value()
    # Not an amount: the error sits next to the field and nothing is sent.
    await price.fill("九十九")
    await price.press("Enter")
    await order.locator(".op-form .field-error").wait_for(timeout=TIMEOUT)
    assert await price.get_attribute("aria-invalid") == "true"
    # 25% off: above xiaomei's 10% cap, under the supervisor's 50% (some demo orders are discounted already)
    cut = f"{float(current_yuan) * 0.75:.2f}"
    await price.fill(cut)
    await order.locator('input[name="reason"]').fill("老客关怀")
    await price.press("Enter")
    confirm = order.locator(".op-confirm")
    await confirm.wait_for(timeout=TIMEOUT)
    assert await confirm.locator("ins").text_content() == f"¥{cut}"
    await confirm.locator("button.primary").click()

    pending = order.locator(".op-result.pending")
    await pending.wait_for(timeout=TIMEOUT)
    assert "等待主管审批" in (await pending.text_content() or "")
    await order.locator(".op-pending").filter(has_text=f"¥{cut}").wait_for(timeout=TIMEOUT)
    tail = chosen["order_id"][-4:]
    await sidebar.locator(".op-approvals li").filter(has_text=tail).wait_for(timeout=TIMEOUT)
    assert await order.locator(".op-money").text_content() == price_before  # nothing applied yet

    # A supervisor grants it; the hotkey brings the focus back to the orders and refreshes them.
    supervisor = {"Authorization": f"Bearer {token_of(server, 'wangjing')}"}
    async with ClientSession() as http:
        listed = await (
            await http.get(server.make_url("/api/approvals?status=pending"), headers=supervisor)
        ).json()
        approval = next(a for a in listed["approvals"] if a["order_id"] == chosen["order_id"])
        resp = await http.post(
            server.make_url(f"/api/approvals/{approval['id']}/grant"),
            json={"note": "老客"},
            headers=supervisor,
        )
        assert resp.status == 200, await resp.json()
    await sidebar.locator("#buyer-nick").click()
    await sidebar.locator("body").press("Control+Shift+O")
    await sidebar.locator(".op-head:focus").wait_for(timeout=TIMEOUT)
    await order.locator(".op-pending.is-granted").wait_for(timeout=TIMEOUT)
    await order.locator(".op-facts").filter(has_text=f"¥{cut}").wait_for(timeout=TIMEOUT)
    assert await order.locator(".op-result.pending").count() == 0
    assert await sidebar.locator(".op-approvals li").count() == 0
    assert watched.errors == []


async def test_a_stale_edit_shows_the_current_values_and_retries_on_them(
    server: TestServer, browser: Browser
) -> None:
    watched = await open_page(browser, 1280, 900)
    page = watched.page
    chosen, sidebar = await _open_conversation(page, server, "awaiting_payment")
    order = await _expand(sidebar, chosen["order_id"])
    await order.locator('button[data-edit="remark"]').click()
    # Meanwhile a colleague changes the postage of the same order.
    headers = {"Authorization": f"Bearer {token_of(server, 'ajie')}", "Idempotency-Key": "colleague-0001"}
    async with ClientSession() as http:
        url = server.make_url(f"/api/orders/{chosen['order_id']}")
        detail = await (await http.get(url, headers=headers)).json()
        resp = await http.post(
            f"{url}/postage",
            json={"version": detail["order"]["version"], "postage_fen": 1200},
            headers=headers,
        )
        assert resp.status == 200, await resp.json()

    text = order.locator('textarea[name="text"]')
    await text.fill("顺丰到付，买家已同意")
    await order.locator('input[name="flag"][value="red"]').check()
    await text.press("Enter")
    await order.locator(".op-confirm button.primary").click()

    stale = order.locator(".op-result.conflict")
    await stale.wait_for(timeout=TIMEOUT)
    assert "没有覆盖" in (await stale.text_content() or "")
    await (
        order.locator(".op-facts").filter(has_text="¥12.00").wait_for(timeout=TIMEOUT)
    )  # the colleague's postage
    await stale.locator("button.primary").click()  # retry on the latest version
    await order.locator(".op-confirm button.primary").click()
    await order.locator(".op-result.ok").wait_for(timeout=TIMEOUT)
    await order.locator(".op-remark").filter(has_text="顺丰到付，买家已同意").wait_for(timeout=TIMEOUT)
    assert await order.locator(".op-facts .op-flag.flag-red").count() == 1
    # Chromium logs every non-2xx response as a console error: the one expected 409, nothing else.
    assert watched.errors == ["Failed to load resource: the server responded with a status of 409 (Conflict)"]


async def test_the_items_hot_answers_are_one_click_before_the_buyer_asks(
    server: TestServer, browser: Browser
) -> None:
    hot_items = {e.item_id for e in server.app[keys.MATCHER].entries.values() if e.item_id is not None}
    watched = await open_page(browser, 1280, 900)
    page = watched.page
    await page.goto(str(server.make_url("/demo")))
    conversations = json.loads(await page.locator("body").get_attribute("data-conversations") or "[]")
    index = next(i for i, c in enumerate(conversations) if c["item_id"] in hot_items)  # the demo offers one
    await page.locator(f'.conversation[data-index="{index}"]').click()
    sidebar = page.frame_locator("#sidebar")
    answer = sidebar.locator("#hot-answers .hot-answer").first
    await answer.wait_for(timeout=TIMEOUT)
    text = await answer.get_attribute("title")
    assert text and "{{" not in text
    await answer.click()
    composer = page.locator("#agent-composer")
    await page.wait_for_function(
        "([el, want]) => el.value === want", arg=[await composer.element_handle(), text], timeout=TIMEOUT
    )
    assert watched.errors == []


async def test_yuan_typed_by_agents_becomes_fen_and_nonsense_is_refused(
    server: TestServer, browser: Browser
) -> None:
    watched = await open_page(browser, 400, 600)
    page = watched.page
    token = token_of(server, "xiaomei")
    await page.goto(str(server.make_url(f"/sidebar?token={token}")))
    cases = {
        "99": 9900,
        "99.5": 9950,
        "99.05": 9905,
        " ¥1,299.00 ": 129900,
        "９９．５": 9950,
        "12元": 1200,
        "0": 0,
        "0.01": 1,
        "99.999": None,
        "-5": None,
        "1e3": None,
        "": None,
        "九十九": None,
        "1,2": None,
    }
    got = await page.evaluate(
        """async (inputs) => {
             const { yuanToFen, fenToYuan } = await import("/static/sidebar/order_forms.js");
             return { fen: inputs.map((s) => yuanToFen(s)), yuan: [fenToYuan(129900), fenToYuan(5), fenToYuan(0)] };
           }""",
        list(cases),
    )
    assert dict(zip(cases, got["fen"], strict=True)) == cases
    assert got["yuan"] == ["¥1,299.00", "¥0.05", "¥0.00"]
    assert watched.errors == []


async def test_the_english_sidebar_punctuates_in_english(server: TestServer, browser: Browser) -> None:
    """The page's own punctuation follows its language: "Open orders (1)", not "（1）"."""
    watched = await open_page(browser, 1280, 900)
    page = watched.page
    await page.goto(str(server.make_url("/demo?lang=en")))  # remembered in a cookie for the sidebar too
    chosen, sidebar = await _open_conversation(page, server, "paid")
    count = await sidebar.locator("#orders h2").text_content() or ""
    assert "(" in count and "（" not in count, count
    order = await _expand(sidebar, chosen["order_id"])
    await order.locator('button[data-edit="remark"]').wait_for(timeout=TIMEOUT)
    shown = await sidebar.locator("#orders").inner_text()
    assert not any(mark in shown for mark in "（）："), shown
    await page.goto(str(server.make_url("/demo?lang=zh-CN")))
    _, sidebar = await _open_conversation(page, server, "paid")
    assert "（" in (await sidebar.locator("#orders h2").text_content() or "")
    assert watched.errors == []


async def test_an_error_under_its_field_leaves_no_empty_summary_box(
    server: TestServer, browser: Browser
) -> None:
    """ "Nothing to change" sits under the remark box; the form's summary stays hidden instead of an empty red bar."""
    watched = await open_page(browser, 1280, 900)
    page = watched.page
    chosen, sidebar = await _open_conversation(page, server, "paid")
    order = await _expand(sidebar, chosen["order_id"])
    await order.locator('button[data-edit="remark"]').click()
    text = order.locator('textarea[name="text"]')
    await text.press("Enter")  # next, with nothing typed and the flag unchanged
    await order.locator("form.op-remark .field-error").wait_for(timeout=TIMEOUT)
    assert await text.get_attribute("aria-invalid") == "true"
    assert not await order.locator("form.op-remark .form-error").is_visible()
    assert watched.errors == []


async def test_the_buyer_and_order_status_chips_follow_the_pages_language(
    server: TestServer, browser: Browser
) -> None:
    """The API labels statuses in Chinese (待发货, 老客); the English sidebar names them itself."""
    watched = await open_page(browser, 1280, 900)
    page = watched.page
    for lang, strings, kinds in (
        ("en", orders_strings.EN, {"New", "Returning"}),
        ("zh-CN", orders_strings.ZH, {"新客", "老客"}),
    ):
        await page.goto(str(server.make_url(f"/demo?lang={lang}")))  # the sidebar follows by the cookie
        _, sidebar = await _open_conversation(page, server, "paid")
        assert await sidebar.locator("#buyer-kind").text_content() in kinds
        chips = sidebar.locator("#orders .op-head .op-status")
        assert await chips.count() > 0
        for chip in await chips.all():
            status = (await chip.get_attribute("class") or "").split("s-")[-1]
            assert await chip.text_content() == strings[f"op_status_{status}"], status
    assert watched.errors == []
