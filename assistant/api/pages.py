"""The pages: sidebar (``/sidebar``), lookup popup (``/lookup``), editor (``/editor``) and demo console (``/demo``). HTML only; they talk to the JSON API."""

from __future__ import annotations

import json

from aiohttp import web

from assistant import keys
from assistant.demo.rush import HELPER, demo_rush
from assistant.demo.store import demo_conversations
from assistant.errors import FieldError, Forbidden, NotFound
from assistant.web.i18n import pick_lang
from assistant.web.pages import render

DEMO_AGENT = "xiaomei"
DEMO_EDITOR = "lina"
DEMO_SUPERVISOR = "wangjing"
EDITOR_TABS = (
    "quick-replies",
    "intents",
    "hot-items",
    "knowledge",
    "campaigns",
    "synonyms",
    "try",
    "unmatched",
    "usage",
    "shop-import",
    "fixes",
    "review",
    "refunds",
)
# Who sees a tab (tabbed_page.js drops the others): the editor's tabs are for editors and supervisors, the
# review queue for the order-review role, the refunds tab for the refund-review role; the training page's
# quiz is for everyone.
EDITOR_TAB_ROLES = {"review": ("reviewer", "supervisor"), "refunds": ("refund_reviewer", "supervisor")}
TRAINING_TABS = ("quiz", "progress")
# The supervisor's pages, one tab each, in this order: wall, kpi, forecast, qc, reminders (each tab
# joins the tuple with its module, static/supervisor/<tab>.js).
SUPERVISOR_TABS: tuple[str, ...] = ("wall", "kpi", "forecast", "qc", "reminders")
LOCAL_ADDRESSES = frozenset({"127.0.0.1", "::1"})


async def home_page(request: web.Request) -> web.Response:
    """The printed address: what is running and where to go (demo console, editor, API, health)."""
    router = request.app.router
    return render(
        request,
        "home.html",
        has_demo=request.app[keys.DIRECTORY].by_login(DEMO_AGENT) is not None,
        demo_url=str(router["demo_page"].url_for()),
        editor_url=str(router["editor_page"].url_for()),
        openapi_url=str(router["openapi"].url_for()),
        health_url=str(router["healthz"].url_for()),
    )


async def sidebar_page(request: web.Request) -> web.Response:
    """The panel beside the conversation; the agent's token arrives as ``?token=``."""
    return render(request, "sidebar.html", frame_ancestors="*")


async def lookup_page(request: web.Request) -> web.Response:
    """The hotkey quick-reply popup; the token arrives as ``?token=``, the conversation as
    ``?conversation=&shop=&buyer=&item=&order=`` (read by lookup.js, checked by the search API)."""
    return render(request, "lookup.html", frame_ancestors="*")


async def editor_page(request: web.Request) -> web.Response:
    """Lists, forms, preview, history and import/export for editors; the token arrives as ``?token=``."""
    roles = {tab: " ".join(EDITOR_TAB_ROLES.get(tab, ("editor", "supervisor"))) for tab in EDITOR_TABS}
    return render(request, "editor.html", page="editor", tabs=EDITOR_TABS, tab_prefix="tab_", tab_roles=roles)


async def training_page(request: web.Request) -> web.Response:
    """The trainee's quiz and the trainer's progress table; the token arrives as ``?token=``."""
    return render(request, "training.html", page="training", tabs=TRAINING_TABS, tab_prefix="ttab_")


async def supervisor_page(request: web.Request) -> web.Response:
    """The supervisor's pages (wall, reports, forecast, QC, reminders); the token arrives as ``?token=``."""
    return render(request, "supervisor.html", page="supervisor", tabs=SUPERVISOR_TABS, tab_prefix="stab_")


async def demo_page(request: web.Request) -> web.Response:
    """Plays the chat client. Demo only: local requests only, the demo agent's token embedded."""
    if request.remote not in LOCAL_ADDRESSES:
        raise Forbidden("演示台只对本机开放", [FieldError("remote", "不是本机地址")])
    directory = request.app[keys.DIRECTORY]
    agent = directory.by_login(DEMO_AGENT)
    if agent is None:
        raise NotFound(f"没有演示客服 {DEMO_AGENT}：请先运行 kefu demo 生成演示店铺")
    shop = directory.shops[agent.main_shop_id]
    token = directory.token_for(agent.id)
    lang, _ = pick_lang(request)
    editor = directory.by_login(DEMO_EDITOR)
    editor_query = {"token": directory.token_for(editor.id), "lang": lang} if editor else {"lang": lang}
    conversations = await request.app[keys.DB].read(lambda db: demo_conversations(db, shop.code))
    # the rush mode's second agent and the supervisor watching (demo only, like the agent's token)
    helper, lead = directory.by_login(HELPER), directory.by_login(DEMO_SUPERVISOR)
    tokens = {a.login: directory.token_for(a.id) for a in (agent, helper) if a is not None}
    supervisor_url = (
        str(
            request.app.router["supervisor_page"]
            .url_for()
            .with_query(token=directory.token_for(lead.id), lang=lang)
        )
        if lead
        else ""
    )
    return render(
        request,
        "demo.html",
        token=token,
        sidebar_url=str(request.app.router["sidebar_page"].url_for().with_query(token=token, lang=lang)),
        editor_url=str(request.app.router["editor_page"].url_for().with_query(editor_query)),
        agent=agent,
        shop=shop,
        conversations=conversations,
        conversations_json=json.dumps([c.model_dump() for c in conversations], ensure_ascii=False),
        rush_json=json.dumps(demo_rush(conversations, agent.login, shop.code), ensure_ascii=False),
        tokens_json=json.dumps(tokens),
        supervisor_url=supervisor_url,
    )
