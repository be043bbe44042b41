"""Editing the knowledge base: intents (incl. hot-item answers), campaigns and their scripts,
synonyms and product knowledge with its related items (``kb_related``); history and rollback.

Every write checks the ``version`` the editor saw (409 with the current row when stale),
bumps it, records a revision in the same transaction and, after the commit, updates the
in-memory matcher.  Rollback writes the chosen revision's state as a new version.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any

import sqlite_utils
from aiohttp import web
from pydantic import BaseModel, Field, StringConstraints, ValidationError

from assistant import keys
from assistant.api.io import ok, path_int, read_json, read_query
from assistant.api.kb_related import (
    ItemKnowledgeIn,
    KnowledgeOut,
    check_related,
    knowledge_of,
    record_found_state,
    related_view,
    save_related,
    saved_entries,
)
from assistant.api.kb_related import snapshot as related_snapshot
from assistant.api.knowledge import check_shop
from assistant.api.template_checks import check_templates
from assistant.errors import BadRequest, Conflict, FieldError, NotFound, from_validation
from assistant.path_params import KB_ENTITIES, path_str
from assistant.security import current_agent
from knowledge import store
from knowledge.models import (
    Agent,
    Campaign,
    Id,
    Intent,
    IntentTopic,
    Model,
    Revision,
    RevisionAction,
    SynonymGroup,
    Version,
)

ENTITIES = KB_ENTITIES
Snapshot = dict[str, Any]
QueryId = Annotated[int, Field(gt=0)]  # query strings arrive as text: not strict


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


class DeleteQuery(Model):
    version: QueryId


class RollbackIn(Model):
    revision_id: Id
    version: Version | None = Field(
        None, description="current version the editor saw (omit for a deleted row)"
    )


class IntentsOut(Model):
    intents: list[Intent]
    next_cursor: int | None


class IntentOut(Model):
    intent: Intent


class CampaignsOut(Model):
    campaigns: list[Campaign]
    next_cursor: int | None


class CampaignOut(Model):
    campaign: Campaign


class SynonymsOut(Model):
    synonyms: list[SynonymGroup]
    next_cursor: int | None = None


class SynonymOut(Model):
    synonym: SynonymGroup


class RevisionsOut(Model):
    revisions: list[Revision]


class UnmatchedQuery(Model):
    shop: QueryId
    limit: Annotated[int, Field(ge=1, le=200)] = 50
    cursor: Annotated[int, Field(ge=0)] = 0


class UnmatchedMessage(Model):
    id: int
    normalized: str
    text: str
    count: int
    best_intent_id: int | None
    best_score: float | None
    first_at: str
    last_at: str


class UnmatchedOut(Model):
    messages: list[UnmatchedMessage]
    next_cursor: int | None


class DeletedOut(Model):
    deleted: int


# --------------------------------------------------------------------------- #
# shared pieces
# --------------------------------------------------------------------------- #


async def _lint_templates(request: web.Request, templates: list[str], field: str) -> None:
    await check_templates(request, [(f"{field}.{i}", template) for i, template in enumerate(templates)])


def _check_version(what: str, current: BaseModel, current_version: int, seen: int | None) -> None:
    if seen != current_version:
        raise Conflict(
            f"「{what}」已被他人修改（当前版本 {current_version}，你看到的是 {seen}），请刷新后重试",
            [FieldError("version", f"应为 {current_version}")],
            extra={"current": current.model_dump(mode="json")},
        )


def _snapshot(model: BaseModel, exclude: set[str]) -> Snapshot:
    return model.model_dump(mode="json", exclude=exclude)


def _intent_refs(db: sqlite_utils.Database, intent: Intent) -> None:
    """The intent's item and campaign must be of its shop; its key unique in the shop."""
    if intent.item_id is not None:
        found = store.get_item(db, intent.item_id)
        if found is None or found[0].shop_id != intent.shop_id:
            raise BadRequest.field("item_id", f"店铺里没有编号为 {intent.item_id} 的商品")
    if intent.campaign_id is not None:
        campaign = store.get_campaign(db, intent.campaign_id)
        if campaign is None or campaign.shop_id != intent.shop_id:
            raise BadRequest.field("campaign_id", f"店铺里没有编号为 {intent.campaign_id} 的活动")
    taken = store.intent_key_taken(db, intent.shop_id, intent.key, intent.id)
    if taken is not None:
        raise Conflict.field("key", f"编码 {intent.key} 已被「{taken}」使用，请换一个")


async def _write(request: web.Request, fn: Callable[[sqlite_utils.Database], Any]) -> Any:
    return await request.app[keys.DB].write(fn)


def _editor_shop(request: web.Request, agent: Agent, shop_id: int) -> None:
    check_shop(request, agent, shop_id, "shop_id")


# --------------------------------------------------------------------------- #
# intents
# --------------------------------------------------------------------------- #


async def list_intents(request: web.Request) -> web.Response:
    agent = current_agent(request)
    q = read_query(request, ListQuery)
    check_shop(request, agent, q.shop)
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


async def _load_intent(request: web.Request, agent: Agent, intent_id: int) -> Intent:
    intent = await request.app[keys.DB].read(lambda db: store.get_intent(db, intent_id))
    if intent is None or intent.shop_id not in agent.shop_ids:
        raise NotFound(f"没有编号为 {intent_id} 的意图")
    return intent


async def get_intent(request: web.Request) -> web.Response:
    agent = current_agent(request)
    return ok(IntentOut(intent=await _load_intent(request, agent, path_int(request, "intent_id"))))


async def create_intent(request: web.Request) -> web.Response:
    agent = current_agent(request)
    body = await read_json(request, Intent)
    _editor_shop(request, agent, body.shop_id)
    await _lint_templates(request, body.answers, "answers")

    def fn(db: sqlite_utils.Database) -> Intent:
        _intent_refs(db, body.model_copy(update={"id": None}))
        intent_id = store.insert_intent(db, body.model_copy(update={"version": 1}), agent.id)
        return body.model_copy(update={"id": intent_id, "version": 1})

    intent = await _write(request, fn)
    request.app[keys.MATCHER].upsert_intent(intent)
    return ok(IntentOut(intent=intent), status=201)


def _save_intent(
    db: sqlite_utils.Database, new: Intent, old: Intent | None, agent: Agent, action: RevisionAction
) -> Intent:
    assert new.id is not None
    _intent_refs(db, new)
    store.save_intent(db, new)
    store.record_revision(
        db,
        "intent",
        new.id,
        new.version,
        action,
        agent.id,
        None if old is None else store.intent_snapshot(old),
        store.intent_snapshot(new),
    )
    return new


async def update_intent(request: web.Request) -> web.Response:
    agent = current_agent(request)
    intent_id = path_int(request, "intent_id")
    body = await read_json(request, Intent)
    await _lint_templates(request, body.answers, "answers")

    def fn(db: sqlite_utils.Database) -> Intent:
        current = store.get_intent(db, intent_id)
        if current is None or current.shop_id not in agent.shop_ids:
            raise NotFound(f"没有编号为 {intent_id} 的意图")
        if body.shop_id != current.shop_id:
            raise BadRequest.field("shop_id", "意图不能换店铺")
        _check_version(current.name, current, current.version, body.version)
        new = body.model_copy(update={"id": intent_id, "version": current.version + 1})
        return _save_intent(db, new, current, agent, RevisionAction.UPDATE)

    intent = await _write(request, fn)
    request.app[keys.MATCHER].upsert_intent(intent)
    return ok(IntentOut(intent=intent))


async def delete_intent(request: web.Request) -> web.Response:
    agent = current_agent(request)
    intent_id = path_int(request, "intent_id")
    seen = read_query(request, DeleteQuery).version

    def fn(db: sqlite_utils.Database) -> None:
        current = store.get_intent(db, intent_id)
        if current is None or current.shop_id not in agent.shop_ids:
            raise NotFound(f"没有编号为 {intent_id} 的意图")
        _check_version(current.name, current, current.version, seen)
        store.delete_row(db, "intents", intent_id)
        store.record_revision(
            db,
            "intent",
            intent_id,
            current.version + 1,
            RevisionAction.DELETE,
            agent.id,
            store.intent_snapshot(current),
            None,
        )

    await _write(request, fn)
    request.app[keys.MATCHER].remove_intent(intent_id)
    return ok(DeletedOut(deleted=intent_id))


# --------------------------------------------------------------------------- #
# item knowledge (campaigns and synonyms: ``kb_campaigns``)
# --------------------------------------------------------------------------- #


async def save_item_knowledge(request: web.Request) -> web.Response:
    agent = current_agent(request)
    item_id = path_int(request, "item_id")
    body = await read_json(request, ItemKnowledgeIn)
    if body.item_id != item_id:
        raise BadRequest.field("item_id", f"应为地址里的商品编号 {item_id}")

    def fn(db: sqlite_utils.Database) -> KnowledgeOut:
        found = store.get_item(db, item_id)
        if found is None or found[0].shop_id not in agent.shop_ids:
            raise NotFound(f"没有编号为 {item_id} 的商品")
        item, current = found
        if current is not None:
            _check_version(item.title, current, current.version, body.version)
        saved = saved_entries(db, item_id)
        if body.related is not None:
            check_related(db, item, body.related)
        previous = record_found_state(db, item_id, current, saved)  # the first save keeps what was there
        new = knowledge_of(body).model_copy(update={"version": 1 if current is None else current.version + 1})
        store.save_item_knowledge(db, new)
        if body.related is not None:
            save_related(db, item_id, body.related)
        store.record_revision(
            db,
            "item_knowledge",
            item_id,
            new.version,
            RevisionAction.UPDATE,
            agent.id,
            related_snapshot(previous, saved),
            related_snapshot(new, saved if body.related is None else body.related),
        )
        return KnowledgeOut(knowledge=new, related=related_view(db, item_id))

    return ok(await _write(request, fn))


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
    from assistant.api.kb_rollback import apply_rollback

    agent = current_agent(request)
    entity, entity_id = _entity(request), path_int(request, "entity_id")
    body = await read_json(request, RollbackIn)
    result = await _write(request, lambda db: apply_rollback(db, entity, entity_id, body, agent))
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
    q = read_query(request, UnmatchedQuery)
    check_shop(request, agent, q.shop)
    await request.app[keys.USAGE].flush()  # include questions asked a moment ago
    rows = await request.app[keys.DB].read(lambda db: store.list_unmatched(db, q.shop, q.limit + 1, q.cursor))
    page = [UnmatchedMessage.model_validate(r) for r in rows[: q.limit]]
    return ok(UnmatchedOut(messages=page, next_cursor=page[-1].id if len(rows) > q.limit and page else None))


def validate_state(model: type[BaseModel], data: Snapshot) -> Any:
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        raise from_validation(exc, "revision") from exc
