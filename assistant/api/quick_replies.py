"""Quick replies over HTTP: the hotkey lookup and editors' CRUD; revisions and rollback are
``quick_reply_history``, groups ``quick_reply_groups``, the models ``quick_replies_models`` (but the
few whose OpenAPI names carry this module's, kept here)."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from typing import Annotated, Literal

from aiohttp import web
from pydantic import Field, StringConstraints

from assistant import keys
from assistant.api.io import body_of, ok, path_int, query_of
from assistant.api.knowledge import build_context
from assistant.api.quick_replies_models import (
    QueryId,
    QuickReplyOut,
    QuickReplyPage,
    SearchOut,
    SearchQuery,
    VersionQuery,
)
from assistant.api.shops import resolve_shop
from assistant.api.template_checks import check_templates
from assistant.errors import FieldError, NotFound
from assistant.security import current_agent
from assistant.ttl_cache import TtlCache
from knowledge.models import Agent, Id, Model, UsageEvent, UsageKind
from quick_replies import store as qr_store
from quick_replies.access import Holding, check_editable, may_see
from quick_replies.lookup import QuickReplyLibrary
from quick_replies.models import QuickReply, QuickReplyFields, fold_code
from quick_replies.rows import StoredQuickReply

log = logging.getLogger("kefu.quick_replies")

USAGE_HISTORY_DAYS = 90
#: phrases per page of ``GET /api/quick-replies`` unless the client asks for another size
PAGE = 200
#: how long the search reuses a conversation's rendering context (an agent types a code in well under that)
SEARCH_CONTEXT_SECONDS = 1.5


# --------------------------------------------------------------------------- #
# Models
# --------------------------------------------------------------------------- #


class ShopQuery(Model):
    shop: QueryId | None = Field(None, description="shop id; defaults to the agent's main shop")


class ListQuery(ShopQuery):
    q: Annotated[str, StringConstraints(max_length=100)] = Field(
        "", description="substring of code, title, body or tags"
    )
    group: QueryId | None = Field(None, description="only this group's phrases")
    scope: Literal["shop", "team", "personal"] | None = Field(None, description="only this scope")
    enabled: bool | None = Field(None, description="only enabled (true) or disabled (false) phrases")
    limit: Annotated[int, Field(ge=1, le=1000)] = Field(PAGE, description="phrases per page")
    cursor: Annotated[int, Field(ge=0, le=2**62)] = Field(
        0, description="where the page starts: the `next_cursor` of the previous page (0: the first)"
    )


class QuickReplyIn(QuickReplyFields):
    """A phrase as an editor writes it (``shop`` defaults to the agent's main shop)."""

    shop: Id | None = None


class QuickReplyUpdate(QuickReplyIn):
    version: Id = Field(description="the version the client saw")


class DeletedOut(Model):
    deleted: Id


class RollbackIn(Model):
    revision_id: Id
    version: Id | None = Field(
        None, description="the current version the client saw; omit for a deleted phrase"
    )


# --------------------------------------------------------------------------- #
# Start-up: the index from the store, usage feeding the ranking
# --------------------------------------------------------------------------- #


async def quick_replies_ctx(app: web.Application) -> AsyncIterator[None]:
    """Build the lookup index from stored keys and usage history; follow new uses."""
    db, directory = app[keys.DB], app[keys.DIRECTORY]
    since = (datetime.now(UTC) - timedelta(days=USAGE_HISTORY_DAYS)).isoformat()
    phrases = await app[keys.QR_STORE].all_phrases()  # SQLite, or the team hub
    uses = await db.read(lambda c: qr_store.usage_by_day(c, since))
    library = QuickReplyLibrary()
    team_of = {agent.id: agent.team_id for agent in directory.agents.values()}
    await asyncio.to_thread(library.load, phrases, uses, team_of)
    app[keys.QUICK_REPLIES] = library
    app[keys.SEARCH_CONTEXTS] = TtlCache(SEARCH_CONTEXT_SECONDS)

    def on_use(event: UsageEvent) -> None:
        if event.kind is UsageKind.QUICK_REPLY:
            try:
                library.record_use(event.agent_id, event.ref_id, event.at)
            except Exception:  # the ranking must never break recording
                log.exception("could not count a quick-reply use")

    app[keys.USAGE].listeners.append(on_use)
    yield


# --------------------------------------------------------------------------- #
# Helpers
# --------------------------------------------------------------------------- #


def _shop_name(request: web.Request, shop_id: int) -> str:
    shop = request.app[keys.DIRECTORY].shops.get(shop_id)
    return shop.name if shop else str(shop_id)


def _check_editable(agent: Agent, phrase: QuickReply) -> None:
    check_editable(agent, Holding.of(phrase))


def _visible(agent: Agent, phrase: StoredQuickReply) -> bool:
    return may_see(agent, Holding.of(phrase.reply))


def _out(phrase: StoredQuickReply) -> QuickReplyOut:
    return QuickReplyOut(quick_reply=phrase.reply, group=phrase.group_name)


def _to_reply(body: QuickReplyIn, shop_id: int) -> QuickReply:
    fields = body.model_dump(exclude={"shop", "version"})
    return QuickReply(shop_id=shop_id, **fields)


async def _phrase(request: web.Request, agent: Agent, phrase_id: int) -> StoredQuickReply:
    phrase = await request.app[keys.QR_STORE].get(phrase_id)
    if phrase is None or not _visible(agent, phrase):
        raise NotFound(f"快捷短语 {phrase_id} 不存在", [FieldError("id", "请刷新列表")])
    return phrase


# --------------------------------------------------------------------------- #
# Handlers
# --------------------------------------------------------------------------- #


async def search(request: web.Request) -> web.Response:
    """Ranked phrases; previews rendered with the conversation's context (the one /api/suggest builds)."""
    agent = current_agent(request)
    query = query_of(request, SearchQuery)
    shop_id = resolve_shop(request, agent, query.shop)
    contexts = request.app[keys.SEARCH_CONTEXTS]
    cache_key = (agent.id, shop_id, query.buyer, query.item, query.order)
    context = contexts.get(cache_key)
    if context is None:  # read once per conversation while the agent types, not on every key
        context, _, _ = await build_context(
            request, agent, shop_id, buyer=query.buyer or None, item_id=query.item, order_id=query.order
        )
        contexts.put(cache_key, context)
    library = request.app[keys.QUICK_REPLIES]
    hits = library.find(shop_id, agent.id, agent.team_id, query.q, query.limit)
    if library.rendered(hits, context):  # plain or already rendered: no template runs
        results = library.results(hits, context)
    else:
        results = await request.app[keys.TEMPLATES].run(library.results, hits, context)
    return ok(SearchOut(results=results))


async def list_quick_replies(request: web.Request) -> web.Response:
    agent = current_agent(request)
    query = query_of(request, ListQuery)
    shop_id = resolve_shop(request, agent, query.shop)
    q = fold_code(query.q)
    phrases = await request.app[keys.QR_STORE].in_shop(
        shop_id, q=q, group_id=query.group, scope=query.scope, enabled=query.enabled
    )
    visible = [p for p in phrases if _visible(agent, p)]
    end = query.cursor + query.limit
    page = [_out(p) for p in visible[query.cursor : end]]
    return ok(QuickReplyPage(quick_replies=page, next_cursor=end if end < len(visible) else None))


async def get_quick_reply(request: web.Request) -> web.Response:
    agent = current_agent(request)
    return ok(_out(await _phrase(request, agent, path_int(request, "phrase_id"))))


async def create_quick_reply(request: web.Request) -> web.Response:
    agent = current_agent(request)
    body = body_of(request, QuickReplyIn)
    shop_id = resolve_shop(request, agent, body.shop)
    reply = _to_reply(body, shop_id)
    _check_editable(agent, reply)
    await check_templates(request, [("body", reply.body)])
    saved = await request.app[keys.QR_STORE].create(reply, agent.id)
    request.app[keys.QUICK_REPLIES].publish(saved)
    return ok(_out(saved), status=201)


async def update_quick_reply(request: web.Request) -> web.Response:
    agent = current_agent(request)
    phrase_id = path_int(request, "phrase_id")
    body = body_of(request, QuickReplyUpdate)
    current = await _phrase(request, agent, phrase_id)
    _check_editable(agent, current.reply)
    shop_id = resolve_shop(request, agent, body.shop or current.reply.shop_id)
    reply = _to_reply(body, shop_id)
    _check_editable(agent, reply)
    await check_templates(request, [("body", reply.body)])
    saved = await request.app[keys.QR_STORE].update(phrase_id, reply, body.version, agent.id)
    request.app[keys.QUICK_REPLIES].publish(saved)
    return ok(_out(saved))


async def delete_quick_reply(request: web.Request) -> web.Response:
    agent = current_agent(request)
    phrase_id = path_int(request, "phrase_id")
    version = query_of(request, VersionQuery).version
    current = await _phrase(request, agent, phrase_id)
    _check_editable(agent, current.reply)
    await request.app[keys.QR_STORE].delete(phrase_id, version, agent.id)
    request.app[keys.QUICK_REPLIES].drop(phrase_id)
    return ok(DeletedOut(deleted=phrase_id))
