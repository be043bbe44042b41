"""The sidebar and demo pages through the real app: language, escaping, static files, demo-only token."""

from __future__ import annotations

from collections.abc import Callable

from aiohttp.test_utils import TestClient

from assistant import keys
from tests.conftest import MiniShop


async def test_sidebar_is_chinese_by_default_and_switches_to_english(
    client: TestClient, mini_shop: MiniShop
) -> None:
    response = await client.get("/sidebar")
    html = await response.text()
    assert response.status == 200 and '<html lang="zh-CN">' in html and "推荐回复" in html
    assert "frame-ancestors *" in response.headers["Content-Security-Policy"]
    response = await client.get("/sidebar", params={"lang": "en"})
    html = await response.text()
    assert '<html lang="en">' in html and "Suggested replies" in html
    assert response.cookies["kefu_lang"].value == "en"
    response = await client.get("/sidebar")  # the cookie jar sends the stored preference
    assert '<html lang="en">' in await response.text()
    response = await client.get("/sidebar", params={"lang": "zh-CN"})
    assert '<html lang="zh-CN">' in await response.text()


async def test_static_files_are_served(client: TestClient, mini_shop: MiniShop) -> None:
    for name, kind in (
        ("shared/app.css", "text/css"),
        ("sidebar/sidebar.js", "javascript"),
        ("demo/demo.js", "javascript"),
    ):
        response = await client.get(f"/static/{name}")
        assert response.status == 200 and kind in response.headers["Content-Type"]


async def test_demo_embeds_the_demo_agents_token_and_escapes(
    client: TestClient, mini_shop: MiniShop, token_for: Callable[[int], str]
) -> None:
    response = await client.get("/demo")
    html = await response.text()
    assert response.status == 200, html
    assert f'data-token="{token_for(mini_shop.agent_id)}"' in html
    assert "frame-ancestors 'self'" in response.headers["Content-Security-Policy"]
    assert 'data-conversations="[]"' in html  # the mini shop has no open orders
    assert "<script>" not in html


async def test_demo_refuses_when_the_demo_agent_is_missing(client: TestClient, mini_shop: MiniShop) -> None:
    agents = client.app[keys.DIRECTORY].agents
    agents.pop(mini_shop.agent_id)
    response = await client.get("/demo")
    body = await response.json()
    assert response.status == 404 and body["ok"] is False and "kefu demo" in body["error"]


async def test_the_start_page_leads_to_the_demo_editor_api_and_health(
    client: TestClient, mini_shop: MiniShop
) -> None:
    response = await client.get("/")
    html = await response.text()
    assert response.status == 200 and "客服助手正在运行" in html
    for path in ("/demo", "/editor", "/api/openapi.json", "/healthz"):
        assert f'href="{path}"' in html
        assert (await client.get(path)).status in (200, 403, 404)  # a real route, not a dead link
    assert (await client.get("/healthz")).status == 200
    # the mini shop has a "xiaomei" agent, so the demo console is there to open
    assert "home-warning" not in html
    english = await (await client.get("/", params={"lang": "en"})).text()
    assert "kefu-assistant is running" in english and "Demo console" in english


async def test_the_supervisor_pages_list_their_tabs_in_both_languages(
    client: TestClient, mini_shop: MiniShop
) -> None:
    from assistant.api.pages import SUPERVISOR_TABS
    from assistant.web.i18n import STRINGS

    html = await (await client.get("/supervisor")).text()
    assert "主管工作台" in html and 'src="/static/supervisor/supervisor.js"' in html
    for tab in SUPERVISOR_TABS:
        assert f'data-tab="{tab}"' in html and f'id="tab-{tab}"' in html
        assert (await client.get(f"/static/supervisor/{tab.replace('-', '_')}.js")).status == 200
    english = await (await client.get("/supervisor", params={"lang": "en"})).text()
    assert "<title>Supervisor" in english
    for tab in SUPERVISOR_TABS:
        assert f'data-tab="{tab}">{STRINGS["en"]["stab_" + tab.replace("-", "_")]}<' in english
    editor = await (await client.get("/editor", params={"lang": "zh-CN"})).text()
    assert (
        'src="/static/editor/editor.js"' in editor
        and 'data-tab="quick-replies"' in editor
        and "快捷短语" in editor
    )
