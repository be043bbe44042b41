"""The hotkey lookup popup page (``/lookup``): HTML only; the page talks to the JSON API."""

from __future__ import annotations

from pathlib import Path

from aiohttp import web
from jinja2 import FileSystemLoader
from jinja2.sandbox import SandboxedEnvironment

WEB_DIR = Path(__file__).resolve().parent.parent / "web"
_pages = SandboxedEnvironment(loader=FileSystemLoader(WEB_DIR / "templates"), autoescape=True)


async def lookup_page(request: web.Request) -> web.Response:
    """The popup the chat client opens with Ctrl+Shift+K; its token arrives as ``?token=``."""
    html = _pages.get_template("lookup.html").render(
        static=str(request.app.router["static"].url_for(filename="")).rstrip("/"),
        api_base="/api",
    )
    response = web.Response(text=html, content_type="text/html")
    response.headers["Content-Security-Policy"] = (
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
        "connect-src 'self'; frame-ancestors *; base-uri 'none'; form-action 'none'"
    )
    response.headers["Cache-Control"] = "no-store"
    return response
