"""Editing the knowledge base over HTTP: intents (incl. hot-item answers), product knowledge with
its related items, history and rollback; campaigns and synonyms in ``kb_campaigns``, the models in
``kb_edit_models`` (but ``ListQuery``, ``RollbackIn`` and ``DeletedOut``, whose OpenAPI names carry
this module's).

Handlers parse, call the use case (``knowledge.editing``, ``editing_rollback``) in one write
transaction and answer; after the commit they update the in-memory matcher.  A stale version is
409 with the current row (``StaleVersion``, mapped by the error middleware).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any

import sqlite_utils
from aiohttp import web
from pydantic import Field, StringConstraints

from assistant import keys
from assistant.api.io import body_of, ok, path_int, query_of
from assistant.api.kb_edit_models import (
    CampaignOut,
    DeleteQuery,
    IntentOut,
    IntentsOut,
    QueryId,
    RevisionsOut,
    SynonymOut,
    UnmatchedMessage,
    UnmatchedOut,
    UnmatchedQuery,
)
from assistant.api.shops import resolve_shop
from assistant.api.template_checks import check_templates
from assistant.errors import NotFound
from assistant.path_params import KB_ENTITIES, path_str
from assistant.security import current_agent
from knowledge import editing, store
from knowledge.editing import visible_intent
from knowledge.editing_rollback import apply_rollback
from knowledge.item_knowledge import ItemKnowledgeIn, KnowledgeOut
from knowledge.models import Agent, Campaign, Id, Intent, IntentTopic, Model, SynonymGroup, Version

ENTITIES = KB_ENTITIES
Snapshot = dict[str, Any]


class ListQuery(Model):
    shop: QueryId
    q: Annotated[str, StringConstraints(max_length=60)] = ""
    topic: (
        Annotated[str, StringConstraints(pattern="^(" + "|".join(t.value for t in IntentTopic) + ")$")] | None
    ) = None
    item: QueryId | None = None
    campaign: QueryId | None = None
    limit: Annotated[int, Field(ge=1, le=200)] = 50
    cursor: Annotated[int, Field(ge=0)] = 0


class RollbackIn(Model):
    revision_id: Id
    version: Version | None = Field(
        None, description="current version the editor saw (omit for a deleted row)"
    )


class DeletedOut(Model):
    deleted: int


# --------------------------------------------------------------------------- #
# shared pieces
# --------------------------------------------------------------------------- #


async def _lint_templates(request: web.Request, templates: list[str], field: str) -> None:
    await check_templates(request, [(f"{field}.{i}", template) for i, template in enumerate(templates)])


async def _write(request: web.Request, fn: Callable[[sqlite_utils.Database], Any]) -> Any:
    return await request.app[keys.DB].write(fn)


def _editor_shop(request: web.Request, agent: Agent, shop_id: int) -> None:
    resolve_shop(request, agent, shop_id, "shop_id")


# --------------------------------------------------------------------------- #
# intents
# --------------------------------------------------------------------------- #


async def list_intents(request: web.Request) -> web.Response:
    agent = current_agent(request)
    q = query_of(request, ListQuery)
    resolve_shop(request, agent, q.shop)
    rows = await request.app[keys.DB].read(
        lambda db: store.list_intents(
            db,
            q.shop,
            search=q.q,
            topic=q.topic,
            item_id=q.item,
            campaign_id=q.campaign,
            after=q.cursor,
            limit=q.limit + 1,
        )
    )
    more = len(rows) > q.limit
    page = rows[: q.limit]
    return ok(IntentsOut(intents=page, next_cursor=page[-1].id if more and page else None))


async def get_intent(request: web.Request) -> web.Response:
    agent = current_agent(request)
    intent_id = path_int(request, "intent_id")
    return ok(
        IntentOut(intent=await request.app[keys.DB].read(lambda db: visible_intent(db, agent, intent_id)))
    )


async def create_intent(request: web.Request) -> web.Response:
    agent = current_agent(request)
    body = body_of(request, Intent)
    _editor_shop(request, agent, body.shop_id)
    await _lint_templates(request, body.answers, "answers")
    intent = await _write(request, lambda db: editing.create_intent(db, body, agent))
    request.app[keys.MATCHER].upsert_intent(intent)
    return ok(IntentOut(intent=intent), status=201)


async def update_intent(request: web.Request) -> web.Response:
    agent = current_agent(request)
    intent_id = path_int(request, "intent_id")
    body = body_of(request, Intent)
    await _lint_templates(request, body.answers, "answers")
    intent = await _write(request, lambda db: editing.update_intent(db, intent_id, body, agent))
    request.app[keys.MATCHER].upsert_intent(intent)
    return ok(IntentOut(intent=intent))


async def delete_intent(request: web.Request) -> web.Response:
    agent = current_agent(request)
    intent_id = path_int(request, "intent_id")
    seen = query_of(request, DeleteQuery).version
    await _write(request, lambda db: editing.delete_intent(db, intent_id, seen, agent))
    request.app[keys.MATCHER].remove_intent(intent_id)
    return ok(DeletedOut(deleted=intent_id))


# --------------------------------------------------------------------------- #
# item knowledge (campaigns and synonyms: ``kb_campaigns``)
# --------------------------------------------------------------------------- #


async def save_item_knowledge(request: web.Request) -> web.Response:
    agent = current_agent(request)
    item_id = path_int(request, "item_id")
    body = body_of(request, ItemKnowledgeIn)
    return ok(await _write(request, lambda db: editing.save_item_knowledge(db, item_id, body, agent)))


# --------------------------------------------------------------------------- #
# history, rollback, unmatched
# --------------------------------------------------------------------------- #


def _entity(request: web.Request) -> str:
    return ENTITIES[path_str(request, "entity")]


async def revisions(request: web.Request) -> web.Response:
    entity, entity_id = _entity(request), path_int(request, "entity_id")
    rows = await request.app[keys.DB].read(lambda db: store.list_revisions(db, entity, entity_id))
    if not rows:
        raise NotFound(f"{entity} {entity_id} 没有历史版本")
    return ok(RevisionsOut(revisions=rows))


async def rollback(request: web.Request) -> web.Response:
    agent = current_agent(request)
    entity, entity_id = _entity(request), path_int(request, "entity_id")
    body = body_of(request, RollbackIn)
    result = await _write(
        request, lambda db: apply_rollback(db, entity, entity_id, body.revision_id, body.version, agent)
    )
    matcher = request.app[keys.MATCHER]
    if isinstance(result, Intent):
        matcher.upsert_intent(result)
        return ok(IntentOut(intent=result))
    if isinstance(result, Campaign):
        matcher.upsert_campaign(result)
        return ok(CampaignOut(campaign=result))
    if isinstance(result, SynonymGroup):
        groups = await request.app[keys.DB].read(store.load_synonyms)
        matcher.set_synonyms(result.shop_id, [g.words for g in groups if g.shop_id == result.shop_id])
        return ok(SynonymOut(synonym=result))
    assert isinstance(result, KnowledgeOut)
    return ok(result)


async def unmatched(request: web.Request) -> web.Response:
    agent = current_agent(request)
    q = query_of(request, UnmatchedQuery)
    resolve_shop(request, agent, q.shop)
    await request.app[keys.USAGE].flush()  # include questions asked a moment ago
    rows = await request.app[keys.DB].read(lambda db: store.list_unmatched(db, q.shop, q.limit + 1, q.cursor))
    page = [UnmatchedMessage.model_validate(r.model_dump()) for r in rows[: q.limit]]
    return ok(UnmatchedOut(messages=page, next_cursor=page[-1].id if len(rows) > q.limit and page else None))
