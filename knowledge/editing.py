"""Editing the knowledge base, the use cases: create, update and delete intents; save an item's
product knowledge with its related items.  Campaigns and synonym groups: ``editing_campaigns``;
rollback: ``editing_rollback``.

Each function runs inside one write transaction (``db.write(lambda c: create_intent(c, ...))``):
it checks the ``version`` the editor saw (``StaleVersion`` carrying the current row when stale),
bumps it and records a revision beside the change.  A row of a shop the agent has not logged into
is ``NotFound``, like a missing one.  Keeping the in-memory matcher in step is the caller's, after
the commit.  No HTTP here: the errors are ``knowledge.errors``.
"""

from __future__ import annotations

from typing import Any, TypeVar

import sqlite_utils
from pydantic import BaseModel, ValidationError

from knowledge import store
from knowledge.errors import Conflict, FieldError, Invalid, NotFound, StaleVersion
from knowledge.item_knowledge import (
    ItemKnowledgeIn,
    KnowledgeOut,
    check_related,
    knowledge_of,
    record_found_state,
    related_view,
    save_related,
    saved_entries,
)
from knowledge.item_knowledge import snapshot as related_snapshot
from knowledge.models import Agent, Campaign, Intent, RevisionAction, SynonymGroup

Snapshot = dict[str, Any]
ShopRow = TypeVar("ShopRow", Intent, Campaign, SynonymGroup)


# --------------------------------------------------------------------------- #
# shared pieces
# --------------------------------------------------------------------------- #


def check_version(what: str, current: BaseModel, current_version: int, seen: int | None) -> None:
    """``StaleVersion`` (with ``current``) unless the editor saw the saved version."""
    if seen != current_version:
        raise StaleVersion(
            f"「{what}」已被他人修改（当前版本 {current_version}，你看到的是 {seen}），请刷新后重试",
            [FieldError("version", f"应为 {current_version}")],
            current=current,
        )


def visible(row: ShopRow | None, agent: Agent, missing: str) -> ShopRow:
    """``row`` if it exists in one of the agent's shops; otherwise ``NotFound`` saying ``missing``."""
    if row is None or row.shop_id not in agent.shop_ids:
        raise NotFound(missing)
    return row


def snapshot(model: BaseModel, exclude: set[str]) -> Snapshot:
    return model.model_dump(mode="json", exclude=exclude)


def validate_state(model: type[BaseModel], data: Snapshot) -> Any:
    """A recorded state as its model; one that no longer passes is ``Invalid`` under ``revision``."""
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        raise Invalid.wrapping(exc, "revision") from exc


def intent_refs(db: sqlite_utils.Database, intent: Intent) -> None:
    """The intent's item and campaign must be of its shop; its key unique in the shop."""
    if intent.item_id is not None:
        found = store.get_item(db, intent.item_id)
        if found is None or found[0].shop_id != intent.shop_id:
            raise Invalid.field("item_id", f"店铺里没有编号为 {intent.item_id} 的商品")
    if intent.campaign_id is not None:
        campaign = store.get_campaign(db, intent.campaign_id)
        if campaign is None or campaign.shop_id != intent.shop_id:
            raise Invalid.field("campaign_id", f"店铺里没有编号为 {intent.campaign_id} 的活动")
    taken = store.intent_key_taken(db, intent.shop_id, intent.key, intent.id)
    if taken is not None:
        raise Conflict.field("key", f"编码 {intent.key} 已被「{taken}」使用，请换一个")


# --------------------------------------------------------------------------- #
# intents
# --------------------------------------------------------------------------- #


def visible_intent(db: sqlite_utils.Database, agent: Agent, intent_id: int) -> Intent:
    """The intent, if it is of one of the agent's shops."""
    return visible(store.get_intent(db, intent_id), agent, f"没有编号为 {intent_id} 的意图")


def create_intent(db: sqlite_utils.Database, body: Intent, agent: Agent) -> Intent:
    """Save a new intent (version 1) with its first revision."""
    intent_refs(db, body.model_copy(update={"id": None}))
    intent_id = store.insert_intent(db, body.model_copy(update={"version": 1}), agent.id)
    return body.model_copy(update={"id": intent_id, "version": 1})


def save_intent(
    db: sqlite_utils.Database, new: Intent, old: Intent | None, agent: Agent, action: RevisionAction
) -> Intent:
    """Write ``new`` (its id and version set) and the revision from ``old`` to it."""
    assert new.id is not None
    intent_refs(db, new)
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


def update_intent(db: sqlite_utils.Database, intent_id: int, body: Intent, agent: Agent) -> Intent:
    """Replace an intent by ``body`` (checked against the version it names) as the next version."""
    current = visible_intent(db, agent, intent_id)
    if body.shop_id != current.shop_id:
        raise Invalid.field("shop_id", "意图不能换店铺")
    check_version(current.name, current, current.version, body.version)
    new = body.model_copy(update={"id": intent_id, "version": current.version + 1})
    return save_intent(db, new, current, agent, RevisionAction.UPDATE)


def delete_intent(db: sqlite_utils.Database, intent_id: int, seen: int, agent: Agent) -> None:
    """Delete an intent, keeping its last state in a revision (a rollback restores it)."""
    current = visible_intent(db, agent, intent_id)
    check_version(current.name, current, current.version, seen)
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


# --------------------------------------------------------------------------- #
# item knowledge
# --------------------------------------------------------------------------- #


def save_item_knowledge(
    db: sqlite_utils.Database, item_id: int, body: ItemKnowledgeIn, agent: Agent
) -> KnowledgeOut:
    """Save an item's product knowledge and (unless ``related`` is omitted) its related items under
    one version and one revision; the first save first records what the item had until then."""
    if body.item_id != item_id:
        raise Invalid.field("item_id", f"应为地址里的商品编号 {item_id}")
    found = store.get_item(db, item_id)
    if found is None or found[0].shop_id not in agent.shop_ids:
        raise NotFound(f"没有编号为 {item_id} 的商品")
    item, current = found
    if current is not None:
        check_version(item.title, current, current.version, body.version)
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
