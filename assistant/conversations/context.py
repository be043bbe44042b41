"""The template context of one conversation: the shop, the agent, the buyer, the item and order in
focus, the active campaign.  Built from typed sources (the directory, the commerce backend, the
matcher, the knowledge store), never from a request, so a job, a test or a handler builds the same.

``NotFound`` (a domain error) for an item or order the shop does not have.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlite_utils

from assistant.commerce.backend import CommerceBackend
from assistant.directory import Directory
from knowledge import store
from knowledge.database import AsyncDatabase
from knowledge.errors import FieldError, NotFound
from knowledge.matcher import Matcher
from knowledge.models import Agent, Campaign, Item, ItemKnowledge


@dataclass(frozen=True)
class ContextSources:
    """Where a conversation's context comes from."""

    directory: Directory
    commerce: CommerceBackend
    matcher: Matcher
    knowledge: AsyncDatabase


@dataclass(frozen=True)
class ConversationContext:
    """``values`` for the templates, the order's status (for the matcher) and the active campaigns."""

    values: dict[str, Any]
    order_status: str | None
    campaigns: list[Campaign]


def item_context(item: Item, knowledge: ItemKnowledge | None) -> dict[str, Any]:
    data: dict[str, Any] = item.model_dump(
        mode="json", exclude={"attributes", "version", "on_sale", "shop_id"}
    )
    if knowledge is not None:
        data.update(knowledge.model_dump(mode="json", exclude={"item_id", "version"}))
    return data


def campaign_context(campaign: Campaign) -> dict[str, Any]:
    return {
        **campaign.variables,
        "name": campaign.name,
        "rules": campaign.rules,
        "starts_at": campaign.starts_at.isoformat(),
        "ends_at": campaign.ends_at.isoformat(),
    }


async def build_context(
    sources: ContextSources,
    agent: Agent,
    shop_id: int,
    *,
    buyer: str | None,
    item_id: int | None,
    order_id: str | None,
) -> ConversationContext:
    """The context of one conversation in the shop's time zone (the shop is known: the caller checked it)."""
    shop = sources.directory.shops[shop_id]
    now = datetime.now(sources.directory.zone(shop_id))
    active = sorted(sources.matcher.active_campaigns(shop_id, now))

    def read(db: sqlite_utils.Database) -> tuple[tuple[Item, ItemKnowledge | None] | None, list[Campaign]]:
        found = store.get_item(db, item_id) if item_id is not None else None
        campaigns = [c for c in (store.get_campaign(db, cid) for cid in active) if c is not None]
        return found, campaigns

    (found, campaigns), facts = await asyncio.gather(
        sources.knowledge.read(read), sources.commerce.template_facts(shop_id, buyer, order_id)
    )
    if item_id is not None and (found is None or found[0].shop_id != shop_id):
        raise NotFound(f"店铺 {shop.name} 没有编号为 {item_id} 的商品", [FieldError("item", "未知商品")])
    if order_id and facts.order is None:
        raise NotFound(f"店铺 {shop.name} 没有订单 {order_id}", [FieldError("order", "未知订单")])
    values: dict[str, Any] = {
        "shop": {"name": shop.name, "code": shop.code},
        "agent": {"name": agent.name, "login": agent.login},
        "now": now.isoformat(),
        "buyer": facts.buyer or ({"nick": buyer} if buyer else {}),
    }
    if found is not None:
        values["item"] = item_context(*found)
    if facts.order is not None:
        values["order"] = facts.order
    if campaigns:
        values["campaign"] = campaign_context(campaigns[0])
    return ConversationContext(values, (facts.order or {}).get("status"), campaigns)
