"""Campaigns (with their scripts) and synonym groups over HTTP: search and filters, create, update,
delete.  The writes are ``knowledge.editing_campaigns``'s use cases, one transaction each; after
the commit the handler updates the in-memory matcher.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated

from aiohttp import web
from pydantic import Field, StringConstraints

from assistant import keys
from assistant.api.io import body_of, ok, path_int, query_of
from assistant.api.kb_edit import DeletedOut, _editor_shop, _lint_templates, _write
from assistant.api.kb_edit_models import (
    CampaignOut,
    CampaignsOut,
    DeleteQuery,
    QueryId,
    SynonymOut,
    SynonymsOut,
)
from assistant.api.shops import resolve_shop
from assistant.security import current_agent
from knowledge import editing_campaigns as edits
from knowledge import store_campaigns as cstore
from knowledge import store_synonyms as sstore
from knowledge.models import Campaign, Model, ScriptKind, SynonymGroup
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
    q = query_of(request, CampaignsQuery)
    resolve_shop(request, agent, q.shop)
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


async def save_campaign(request: web.Request) -> web.Response:
    """POST creates, PUT /{campaign_id} updates (scripts keep their ids)."""
    agent = current_agent(request)
    campaign_id = path_int(request, "campaign_id") if "campaign_id" in request.match_info else None
    body = body_of(request, Campaign)
    _editor_shop(request, agent, body.shop_id)
    await _lint_templates(request, [s.body for s in body.scripts], "scripts")
    if campaign_id is None:
        campaign = await _write(request, lambda db: edits.create_campaign(db, body, agent))
    else:
        campaign = await _write(request, lambda db: edits.update_campaign(db, campaign_id, body, agent))
    request.app[keys.MATCHER].upsert_campaign(campaign)
    return ok(CampaignOut(campaign=campaign), status=201 if campaign_id is None else 200)


async def delete_campaign(request: web.Request) -> web.Response:
    """``DELETE /api/kb/campaigns/{campaign_id}?version=``: the campaign and its scripts; kept in
    its history (rollback restores it).  Refused while intents are bound to it."""
    agent = current_agent(request)
    campaign_id = path_int(request, "campaign_id")
    seen = query_of(request, DeleteQuery).version
    await _write(request, lambda db: edits.delete_campaign(db, campaign_id, seen, agent))
    request.app[keys.MATCHER].remove_campaign(campaign_id)
    return ok(DeletedOut(deleted=campaign_id))


# --------------------------------------------------------------------------- #
# synonyms
# --------------------------------------------------------------------------- #


async def list_synonyms(request: web.Request) -> web.Response:
    """``GET /api/kb/synonyms?shop=&q=``: one page by id."""
    agent = current_agent(request)
    q = query_of(request, SynonymsQuery)
    resolve_shop(request, agent, q.shop)
    rows = await request.app[keys.DB].read(
        lambda db: sstore.search_synonyms(db, q.shop, search=q.q, after=q.cursor, limit=q.limit + 1)
    )
    page = rows[: q.limit]
    return ok(SynonymsOut(synonyms=page, next_cursor=page[-1].id if len(rows) > q.limit and page else None))


async def save_synonyms(request: web.Request) -> web.Response:
    """POST creates a group, PUT /{synonym_id} replaces its words."""
    agent = current_agent(request)
    group_id = path_int(request, "synonym_id") if "synonym_id" in request.match_info else None
    body = body_of(request, SynonymGroup)
    _editor_shop(request, agent, body.shop_id)
    saved, groups = await _write(request, lambda db: edits.save_synonyms(db, group_id, body, agent))
    request.app[keys.MATCHER].set_synonyms(body.shop_id, groups)
    return ok(SynonymOut(synonym=saved), status=201 if group_id is None else 200)


async def delete_synonyms(request: web.Request) -> web.Response:
    """``DELETE /api/kb/synonyms/{synonym_id}?version=``: kept in its history (rollback restores it)."""
    agent = current_agent(request)
    group_id = path_int(request, "synonym_id")
    seen = query_of(request, DeleteQuery).version
    shop_id, groups = await _write(request, lambda db: edits.delete_synonyms(db, group_id, seen, agent))
    request.app[keys.MATCHER].set_synonyms(shop_id, groups)
    return ok(DeletedOut(deleted=group_id))
