"""Small endpoints the knowledge editor needs beside the CRUD of ``kb_edit``: an item picker for
hot-item answers and product knowledge, and marking an unmatched buyer question as handled."""

from __future__ import annotations

from typing import Annotated, Any

import sqlite_utils
from aiohttp import web
from pydantic import Field, StringConstraints

from assistant import keys
from assistant.api.io import ok, path_int, query_of
from assistant.api.shops import resolve_shop
from assistant.errors import NotFound
from assistant.path_params import path_str
from assistant.security import current_agent
from knowledge import store
from knowledge.models import Model
from knowledge.template_context import sample_context


class ItemsQuery(Model):
    shop: Annotated[int, Field(gt=0)]
    q: Annotated[str, StringConstraints(max_length=60)] = Field(
        "", description="words of the title or the SKU"
    )
    hot: bool = Field(False, description="only items with hot-item answers")
    limit: Annotated[int, Field(ge=1, le=100)] = 30


class ItemRow(Model):
    id: int
    sku: str
    title: str
    category: str
    stock: int
    on_sale: bool
    hot_answers: int = Field(description="intents bound to this item (hot-item answers)")
    has_knowledge: bool
    knowledge_revisions: int = Field(
        description="saved versions of its product knowledge (0: no history yet)"
    )


class ItemsOut(Model):
    items: list[ItemRow]


class HandledOut(Model):
    handled: int


class SampleOut(Model):
    name: str
    context: dict[str, Any] = Field(description="the sample context the preview renders with")


async def list_items(request: web.Request) -> web.Response:
    """``GET /api/kb/items?shop=&q=&hot=``: items with hot-item answers first, then by id."""
    agent = current_agent(request)
    q = query_of(request, ItemsQuery)
    resolve_shop(request, agent, q.shop)
    rows = await request.app[keys.DB].read(
        lambda db: store.search_items(db, q.shop, q.q.strip(), q.hot, q.limit)
    )
    return ok(ItemsOut(items=[ItemRow.model_validate(r.model_dump()) for r in rows]))


async def handle_unmatched(request: web.Request) -> web.Response:
    """``DELETE /api/kb/unmatched/{message_id}``: the editor dealt with it; forget it (a new ask brings it back)."""
    agent = current_agent(request)
    message_id = path_int(request, "message_id")

    def fn(db: sqlite_utils.Database) -> None:
        shop_id = store.unmatched_shop(db, message_id)
        if shop_id is None or shop_id not in agent.shop_ids:
            raise NotFound(f"没有编号为 {message_id} 的未匹配问题，可能已被处理")
        store.delete_unmatched(db, message_id)

    await request.app[keys.DB].write(fn)
    return ok(HandledOut(handled=message_id))


async def sample(request: web.Request) -> web.Response:
    """``GET /api/kb/samples/{name}``: one sample context, so the editor can preview a campaign's scripts
    with that campaign's own variables (``POST /api/kb/preview`` with ``context``)."""
    name = path_str(request, "name")
    return ok(SampleOut(name=name, context=sample_context(name)))
