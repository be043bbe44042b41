"""A browser that asks for a page the service does not have gets an HTML page (with the security
headers); programs and every /api/ path keep the JSON error shape."""

from __future__ import annotations

from aiohttp.test_utils import TestClient

BROWSER = {"Accept": "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"}


async def test_a_missing_page_is_an_html_page_for_a_browser(client: TestClient) -> None:
    response = await client.get("/no-such-page", headers=BROWSER)
    text = await response.text()
    assert response.status == 404 and response.content_type == "text/html"
    assert "没有这个地址" in text and "状态码 404" in text and 'href="/"' in text
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Cache-Control"] == "no-store"
    assert "Content-Security-Policy" in response.headers
    english = await client.get("/no-such-page?lang=en", headers=BROWSER)
    assert english.status == 404 and "Back to the start page" in await english.text()


async def test_api_paths_answer_json_even_to_a_browser(client: TestClient) -> None:
    response = await client.get("/api/no-such-thing", headers=BROWSER)
    assert response.status == 404 and response.content_type == "application/json"
    body = await response.json()
    assert body["ok"] is False and body["status"] == 404


async def test_programs_keep_the_json_shape_on_page_paths(client: TestClient) -> None:
    response = await client.get("/no-such-page")
    assert response.status == 404 and response.content_type == "application/json"
    assert (await response.json())["error"] == "没有这个地址"
