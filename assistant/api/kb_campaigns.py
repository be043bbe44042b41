"""Editing campaigns (with their scripts) and synonym groups: search and filters, create, update,
delete.  Same rules as intents in ``kb_edit``: every write checks the ``version`` the editor saw
(409 with the current row when stale), records a revision in the same transaction (a delete keeps
the last state, so a rollback restores it) and, after the commit, updates the in-memory matcher.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated

import sqlite_utils
from aiohttp import web
from pydantic import Field, StringConstraints

from assistant import keys
from assistant.api.io import ok, path_int, read_json, read_query
from assistant.api.kb_edit import (
    CampaignOut,
    CampaignsOut,
    DeletedOut,
    DeleteQuery,
    QueryId,
    Snapshot,
    SynonymOut,
    SynonymsOut,
    _check_version,
    _editor_shop,
    _lint_templates,
    _snapshot,
    _write,
)
from assistant.api.knowledge import check_shop
from assistant.errors import BadRequest, Conflict, FieldError, NotFound
from assistant.security import current_agent
from knowledge import store
from knowledge import store_campaigns as cstore
from knowledge.models import Campaign, Model, RevisionAction, ScriptKind, SynonymGroup
from knowledge.store_campaigns import CampaignState


class CampaignsQuery(Model):
    shop: QueryId
    q: Annotated[str, StringConstraints(max_length=60)] = Field(
        "", description="words of the name, rules, variables or a script's title, situation or text"
    )
    state: CampaignState | None = Field(None, description="active now, not started yet, or ended")
    kind: (
        Annotated[str, StringConstraints(pattern="^(" + "|".join(k.value for k in ScriptKind) + ")$")] | None
    ) = Field(None, description="only campaigns with a script of this kind")
    limit: Annotated[int, Field(ge=1, le=200)] = 50
    cursor: Annotated[int, Field(ge=0)] = 0


class SynonymsQuery(Model):
    shop: QueryId
    q: Annotated[str, StringConstraints(max_length=20)] = Field(
        "", description="a word of the group contains this text"
    )
    limit: Annotated[int, Field(ge=1, le=500)] = 200
    cursor: Annotated[int, Field(ge=0)] = 0


# --------------------------------------------------------------------------- #
# campaigns
# --------------------------------------------------------------------------- #


async def list_campaigns(request: web.Request) -> web.Response:
    """``GET /api/kb/campaigns?shop=&q=&state=&kind=``: one page by id."""
    agent = current_agent(request)
    q = read_query(request, CampaignsQuery)
    check_shop(request, agent, q.shop)
    moment = datetime.now(UTC)
    rows = await request.app[keys.DB].read(
        lambda db: cstore.search_campaigns(
            db,
            q.shop,
            search=q.q,
            state=q.state,
            kind=None if q.kind is None else ScriptKind(q.kind),
            moment=moment,
            after=q.cursor,
            limit=q.limit + 1,
        )
    )
    page = rows[: q.limit]
    return ok(CampaignsOut(campaigns=page, next_cursor=page[-1].id if len(rows) > q.limit and page else None))


def _campaign_snapshot(campaign: Campaign) -> Snapshot:
    return _snapshot(campaign, {"id", "version"})


async def save_campaign(request: web.Request) -> web.Response:
    """POST creates, PUT /{campaign_id} updates (scripts keep their ids)."""
    agent = current_agent(request)
    campaign_id = path_int(request, "campaign_id") if "campaign_id" in request.match_info else None
    body = await read_json(request, Campaign)
    _editor_shop(request, agent, body.shop_id)
    await _lint_templates(request, [s.body for s in body.scripts], "scripts")

    def fn(db: sqlite_utils.Database) -> Campaign:
        if campaign_id is None:
            new_id = store.insert_campaign(db, body.model_copy(update={"version": 1}), agent.id)
            created = store.get_campaign(db, new_id)
            assert created is not None
            return created
        current = store.get_campaign(db, campaign_id)
        if current is None or current.shop_id not in agent.shop_ids:
            raise NotFound(f"没有编号为 {campaign_id} 的活动")
        if body.shop_id != current.shop_id:
            raise BadRequest.field("shop_id", "活动不能换店铺")
        _check_version(current.name, current, current.version, body.version)
        saved = store.save_campaign(
            db, body.model_copy(update={"id": campaign_id, "version": current.version + 1})
        )
        store.record_revision(
            db,
            "campaign",
            campaign_id,
            saved.version,
            RevisionAction.UPDATE,
            agent.id,
            _campaign_snapshot(current),
            _campaign_snapshot(saved),
        )
        return saved

    campaign = await _write(request, fn)
    request.app[keys.MATCHER].upsert_campaign(campaign)
    return ok(CampaignOut(campaign=campaign), status=201 if campaign_id is None else 200)


async def delete_campaign(request: web.Request) -> web.Response:
    """``DELETE /api/kb/campaigns/{campaign_id}?version=``: the campaign and its scripts; kept in
    its history (rollback restores it).  Refused while intents are bound to it."""
    agent = current_agent(request)
    campaign_id = path_int(request, "campaign_id")
    seen = read_query(request, DeleteQuery).version

    def fn(db: sqlite_utils.Database) -> None:
        current = store.get_campaign(db, campaign_id)
        if current is None or current.shop_id not in agent.shop_ids:
            raise NotFound(f"没有编号为 {campaign_id} 的活动")
        _check_version(current.name, current, current.version, seen)
        bound = cstore.campaign_intents(db, campaign_id)
        if bound:
            names = "、".join(f"「{n}」" for n in bound[:3]) + (
                f" 等 {len(bound)} 个" if len(bound) > 3 else ""
            )
            raise Conflict(
                f"活动「{current.name}」下还有意图 {names}，请先删除它们或取消它们的活动绑定",
                [FieldError("campaign_id", f"{len(bound)} 个意图绑定了这个活动")],
            )
        cstore.delete_campaign(db, campaign_id)
        store.record_revision(
            db,
            "campaign",
            campaign_id,
            current.version + 1,
            RevisionAction.DELETE,
            agent.id,
            _campaign_snapshot(current),
            None,
        )

    await _write(request, fn)
    request.app[keys.MATCHER].remove_campaign(campaign_id)
    return ok(DeletedOut(deleted=campaign_id))


# --------------------------------------------------------------------------- #
# synonyms
# --------------------------------------------------------------------------- #


async def list_synonyms(request: web.Request) -> web.Response:
    """``GET /api/kb/synonyms?shop=&q=``: one page by id."""
    agent = current_agent(request)
    q = read_query(request, SynonymsQuery)
    check_shop(request, agent, q.shop)
    rows = await request.app[keys.DB].read(
        lambda db: cstore.search_synonyms(db, q.shop, search=q.q, after=q.cursor, limit=q.limit + 1)
    )
    page = rows[: q.limit]
    return ok(SynonymsOut(synonyms=page, next_cursor=page[-1].id if len(rows) > q.limit and page else None))


def _shop_groups(db: sqlite_utils.Database, shop_id: int) -> list[list[str]]:
    return [g.words for g in store.load_synonyms(db) if g.shop_id == shop_id]


def _words(group: SynonymGroup) -> Snapshot:
    return {"shop_id": group.shop_id, "words": group.words}


def _distinct_words(words: list[str]) -> None:
    """A word written twice ("高仿、高仿") makes a group that matches nothing new: each word once."""
    seen: set[str] = set()
    repeated: list[str] = []
    for word in words:
        if word.casefold() in seen and word not in repeated:
            repeated.append(word)
        seen.add(word.casefold())
    if repeated:
        raise BadRequest.field(
            "words", f"重复的词：{'、'.join(repeated)}（每个词只写一次，至少两个不同的词）"
        )


async def save_synonyms(request: web.Request) -> web.Response:
    """POST creates a group, PUT /{synonym_id} replaces its words."""
    agent = current_agent(request)
    group_id = path_int(request, "synonym_id") if "synonym_id" in request.match_info else None
    body = await read_json(request, SynonymGroup)
    _editor_shop(request, agent, body.shop_id)
    _distinct_words(body.words)

    def fn(db: sqlite_utils.Database) -> tuple[SynonymGroup, list[list[str]]]:
        if group_id is None:
            new_id = store.insert_synonyms(db, body, agent.id)
            saved = body.model_copy(update={"id": new_id, "version": 1})
        else:
            current = cstore.get_synonyms(db, group_id)
            if current is None or current.shop_id not in agent.shop_ids or current.shop_id != body.shop_id:
                raise NotFound(f"没有编号为 {group_id} 的同义词组")
            _check_version("、".join(current.words), current, current.version, body.version)
            saved = body.model_copy(update={"id": group_id, "version": current.version + 1})
            store.save_synonyms(db, saved)
            store.record_revision(
                db,
                "synonyms",
                group_id,
                saved.version,
                RevisionAction.UPDATE,
                agent.id,
                _words(current),
                _words(saved),
            )
        return saved, _shop_groups(db, body.shop_id)

    saved, groups = await _write(request, fn)
    request.app[keys.MATCHER].set_synonyms(body.shop_id, groups)
    return ok(SynonymOut(synonym=saved), status=201 if group_id is None else 200)


async def delete_synonyms(request: web.Request) -> web.Response:
    """``DELETE /api/kb/synonyms/{synonym_id}?version=``: kept in its history (rollback restores it)."""
    agent = current_agent(request)
    group_id = path_int(request, "synonym_id")
    seen = read_query(request, DeleteQuery).version

    def fn(db: sqlite_utils.Database) -> tuple[int, list[list[str]]]:
        current = cstore.get_synonyms(db, group_id)
        if current is None or current.shop_id not in agent.shop_ids:
            raise NotFound(f"没有编号为 {group_id} 的同义词组")
        _check_version("、".join(current.words), current, current.version, seen)
        cstore.delete_synonyms(db, group_id)
        store.record_revision(
            db,
            "synonyms",
            group_id,
            current.version + 1,
            RevisionAction.DELETE,
            agent.id,
            _words(current),
            None,
        )
        return current.shop_id, _shop_groups(db, current.shop_id)

    shop_id, groups = await _write(request, fn)
    request.app[keys.MATCHER].set_synonyms(shop_id, groups)
    return ok(DeletedOut(deleted=group_id))
