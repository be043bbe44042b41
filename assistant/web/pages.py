"""Rendering the HTML pages: one sandboxed, autoescaping jinja2 environment and the static route."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

from aiohttp import web
from jinja2 import FileSystemLoader
from jinja2.sandbox import SandboxedEnvironment

from assistant.web.i18n import COOKIE, STRINGS, pick_lang
from assistant.web.page_strings import page_scripts, page_strings

WEB_DIR = Path(__file__).resolve().parent
STATIC_DIR = WEB_DIR / "static"
_env = SandboxedEnvironment(loader=FileSystemLoader(WEB_DIR / "templates"), autoescape=True)

CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; "
    "frame-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors {ancestors}"
)


# A static file's path: folders and a file name of letters, digits, '_', '-', '.', never starting with
# a dot; no empty segment, so "/static/ui.js/" and "/static//ui.js" are not files (aiohttp's own static
# route normalised them to ui.js).
_STATIC_NAME = re.compile(r"[A-Za-z0-9_-][A-Za-z0-9_.-]*(?:/[A-Za-z0-9_-][A-Za-z0-9_.-]*)*", re.ASCII)


async def static_file(request: web.Request) -> web.FileResponse:
    """One file of ``assistant/web/static``, by its exact name; anything else is a 404."""
    name = request.match_info["filename"]
    path = STATIC_DIR / name
    if not _STATIC_NAME.fullmatch(name) or not path.is_file():
        raise web.HTTPNotFound()
    return web.FileResponse(path)


def setup_static(app: web.Application) -> None:
    """Serve ``assistant/web/static`` under ``/static/`` (route name ``static``, GET and HEAD), once."""
    if "static" not in app.router.named_resources():
        app.router.add_get("/static/{filename:.+}", static_file, name="static")


def render(
    request: web.Request, template: str, *, frame_ancestors: str = "'self'", **context: Any
) -> web.Response:
    """A page in the request's language; ``?lang=`` is remembered in a cookie. The template reads every
    string (``t``); the page's scripts get only the keys they read (``data-i18n``, see page_strings)."""
    lang, from_query = pick_lang(request)
    strings = STRINGS[lang]
    static = request.app.router["static"]
    html = _env.get_template(template).render(
        lang=lang,
        other_lang="en" if lang == "zh-CN" else "zh-CN",
        t=strings,
        strings_json=json.dumps(page_strings(strings, page_scripts(template, context)), ensure_ascii=False),
        static=lambda name: str(static.url_for(filename=name)),
        **context,
    )
    response = web.Response(text=html, content_type="text/html")
    response.headers["Content-Security-Policy"] = CSP.format(ancestors=frame_ancestors)
    response.headers["Cache-Control"] = "no-store"
    if from_query:
        response.set_cookie(COOKIE, lang, max_age=365 * 24 * 3600, samesite="Lax", httponly=True)
    return response
