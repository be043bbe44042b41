"""Suggestions for a buyer's message (the use case: ``conversations.suggest``), template preview/lint,
product knowledge, campaign scripts; the models are ``knowledge_models``.

The matcher lives in memory (``keys.MATCHER``): built at start-up off the event loop by
``matcher_ctx`` and updated by the editing endpoints (``assistant.api.kb_edit``) after
each commit.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Any

import sqlite_utils
from aiohttp import web

from assistant import keys
from assistant.api.io import body_of, ok, path_int, query_of
from assistant.api.knowledge_models import (
    ItemKnowledgeOut,
    PreviewIn,
    PreviewOut,
    ScriptOut,
    ScriptsOut,
    ScriptsQuery,
    SuggestIn,
)
from assistant.api.shops import resolve_shop
from assistant.conversations.context import ContextSources
from assistant.conversations.context import build_context as conversation_context
from assistant.conversations.context import campaign_context as campaign_context  # watch.py reads it here
from assistant.conversations.suggest import Focus, suggest_answers
from assistant.conversations.suggest import SuggestOut as SuggestOut  # the route table reads it here
from assistant.errors import BadRequest, NotFound
from assistant.security import current_agent
from knowledge import store
from knowledge.item_knowledge import related_view
from knowledge.matcher import Matcher
from knowledge.models import Agent, Campaign
from knowledge.template_context import SAMPLE_CONTEXTS, sample_context
from knowledge.templates import Finding, TemplateProblem, lint, log_refused, render


async def matcher_ctx(app: web.Application) -> AsyncIterator[None]:
    """Load intents, campaigns and synonyms and build the matcher off the event loop."""
    db = app[keys.DB]

    def build() -> Matcher:
        intents, campaigns, groups, pinyin = db.read_sync(
            lambda conn: (
                store.load_intents(conn),
                store.load_campaigns(conn),
                store.load_synonyms(conn),
                store.load_pinyin(conn),
            )
        )
        synonyms: dict[int, list[list[str]]] = {}
        for group in groups:
            synonyms.setdefault(group.shop_id, []).append(group.words)
        matcher = Matcher(app[keys.SETTINGS].suggest_confidence)
        matcher.load(intents, campaigns, synonyms, pinyin)
        return matcher

    app[keys.MATCHER] = await asyncio.get_running_loop().run_in_executor(None, build)
    yield


# The request and response models are in ``knowledge_models``.


# --------------------------------------------------------------------------- #
# context
# --------------------------------------------------------------------------- #


def context_sources(app: web.Application) -> ContextSources:
    """The typed sources of a conversation's context, as the running app holds them."""
    return ContextSources(app[keys.DIRECTORY], app[keys.COMMERCE], app[keys.MATCHER], app[keys.DB])


async def build_context(
    request: web.Request,
    agent: Agent,
    shop_id: int,
    *,
    buyer: str | None,
    item_id: int | None,
    order_id: str | None,
) -> tuple[dict[str, Any], str | None, list[Campaign]]:
    """``conversations.context.build_context`` for a handler: the template context, the order's
    status and the active campaigns."""
    built = await conversation_context(
        context_sources(request.app), agent, shop_id, buyer=buyer, item_id=item_id, order_id=order_id
    )
    return built.values, built.order_status, built.campaigns


# --------------------------------------------------------------------------- #
# handlers
# --------------------------------------------------------------------------- #


async def suggest(request: web.Request) -> web.Response:
    agent = current_agent(request)
    body = body_of(request, SuggestIn)
    if not body.message.strip():
        raise BadRequest.field("message", "买家消息不能为空")
    resolve_shop(request, agent, body.shop)
    app = request.app
    focus = Focus(
        body.shop, buyer=body.buyer, item_id=body.item, order_id=body.order, order_status=body.order_status
    )
    answer = await suggest_answers(
        context_sources(app), app[keys.TEMPLATES], app[keys.USAGE], agent, focus, body.message, body.limit
    )
    return ok(answer)


async def preview(request: web.Request) -> web.Response:
    body = body_of(request, PreviewIn)
    if body.context is not None:
        context = body.context
    elif body.sample in SAMPLE_CONTEXTS:
        context = sample_context(body.sample)
    else:
        raise BadRequest.field("sample", f"没有示例「{body.sample}」，可选：{'、'.join(SAMPLE_CONTEXTS)}")

    def check() -> tuple[str | None, list[str], list[Finding]]:
        findings = lint(body.template, context)
        if any(
            f.kind in ("syntax", "unsafe", "unsupported", "unknown_filter", "too_costly") for f in findings
        ):
            return None, [], findings
        try:
            rendered = render(body.template, context)
        except TemplateProblem as problem:
            return None, [], findings or problem.findings
        return rendered.text, rendered.missing, findings

    text, missing, findings = await request.app[keys.TEMPLATES].run(check)
    return ok(PreviewOut(text=text, missing=missing, findings=findings, samples=list(SAMPLE_CONTEXTS)))


async def item_knowledge(request: web.Request) -> web.Response:
    agent = current_agent(request)
    item_id = path_int(request, "item_id")

    def read(db: sqlite_utils.Database) -> ItemKnowledgeOut | None:
        found = store.get_item(db, item_id)
        if found is None or found[0].shop_id not in agent.shop_ids:
            return None
        item, knowledge = found
        return ItemKnowledgeOut(
            item=item.model_dump(mode="json"), knowledge=knowledge, related=related_view(db, item_id)
        )

    out = await request.app[keys.DB].read(read)
    if out is None:
        raise NotFound(f"没有编号为 {item_id} 的商品，或它不属于 {agent.name} 登录的店铺")
    return ok(out)


async def active_scripts(request: web.Request) -> web.Response:
    agent = current_agent(request)
    query = query_of(request, ScriptsQuery)
    resolve_shop(request, agent, query.shop)
    context, _, campaigns = await build_context(
        request, agent, query.shop, buyer=query.buyer, item_id=query.item, order_id=None
    )

    def render_all() -> list[ScriptOut]:
        scripts = []
        for campaign in campaigns:
            context["campaign"] = campaign_context(campaign)
            for script in campaign.scripts:
                if query.kind is not None and script.kind.value != query.kind:
                    continue
                try:
                    rendered = render(script.body, context)
                except TemplateProblem as problem:
                    log_refused("campaign script", script.id, problem)
                    continue
                assert script.id is not None and campaign.id is not None
                scripts.append(
                    ScriptOut(
                        id=script.id,
                        campaign_id=campaign.id,
                        kind=script.kind,
                        situation=script.situation,
                        title=script.title,
                        text=rendered.text,
                        missing=rendered.missing,
                    )
                )
        return scripts

    scripts = await request.app[keys.TEMPLATES].run(render_all)
    return ok(ScriptsOut(campaigns=[c.name for c in campaigns], scripts=scripts))
