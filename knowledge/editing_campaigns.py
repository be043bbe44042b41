"""Editing campaigns (with their scripts) and synonym groups, the use cases.  Same rules as
``editing``: one transaction each, the ``version`` the editor saw checked (``StaleVersion``), a
revision beside every change (a delete keeps the last state, so a rollback restores it)."""

from __future__ import annotations

import sqlite_utils

from knowledge import store
from knowledge import store_campaigns as cstore
from knowledge import store_synonyms as sstore
from knowledge.editing import Snapshot, check_version, snapshot, visible
from knowledge.errors import Conflict, FieldError, Invalid, NotFound
from knowledge.models import Agent, Campaign, RevisionAction, SynonymGroup

# --------------------------------------------------------------------------- #
# campaigns
# --------------------------------------------------------------------------- #


def campaign_snapshot(campaign: Campaign) -> Snapshot:
    return snapshot(campaign, {"id", "version"})


def _visible_campaign(db: sqlite_utils.Database, agent: Agent, campaign_id: int) -> Campaign:
    return visible(store.get_campaign(db, campaign_id), agent, f"没有编号为 {campaign_id} 的活动")


def create_campaign(db: sqlite_utils.Database, body: Campaign, agent: Agent) -> Campaign:
    """Save a new campaign and its scripts (version 1) with its first revision."""
    new_id = store.insert_campaign(db, body.model_copy(update={"version": 1}), agent.id)
    created = store.get_campaign(db, new_id)
    assert created is not None
    return created


def update_campaign(db: sqlite_utils.Database, campaign_id: int, body: Campaign, agent: Agent) -> Campaign:
    """Replace a campaign and its scripts (scripts keep their ids) as the next version."""
    current = _visible_campaign(db, agent, campaign_id)
    if body.shop_id != current.shop_id:
        raise Invalid.field("shop_id", "活动不能换店铺")
    check_version(current.name, current, current.version, body.version)
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
        campaign_snapshot(current),
        campaign_snapshot(saved),
    )
    return saved


def delete_campaign(db: sqlite_utils.Database, campaign_id: int, seen: int, agent: Agent) -> None:
    """Delete a campaign and its scripts, kept in its history; refused while intents are bound to it."""
    current = _visible_campaign(db, agent, campaign_id)
    check_version(current.name, current, current.version, seen)
    bound = cstore.campaign_intents(db, campaign_id)
    if bound:
        names = "、".join(f"「{n}」" for n in bound[:3]) + (f" 等 {len(bound)} 个" if len(bound) > 3 else "")
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
        campaign_snapshot(current),
        None,
    )


# --------------------------------------------------------------------------- #
# synonyms
# --------------------------------------------------------------------------- #


def shop_groups(db: sqlite_utils.Database, shop_id: int) -> list[list[str]]:
    """The words of every synonym group of a shop (what the matcher takes)."""
    return [g.words for g in store.load_synonyms(db) if g.shop_id == shop_id]


def synonym_words(group: SynonymGroup) -> Snapshot:
    return {"shop_id": group.shop_id, "words": group.words}


def distinct_words(words: list[str]) -> None:
    """A word written twice ("高仿、高仿") makes a group that matches nothing new: each word once."""
    seen: set[str] = set()
    repeated: list[str] = []
    for word in words:
        if word.casefold() in seen and word not in repeated:
            repeated.append(word)
        seen.add(word.casefold())
    if repeated:
        raise Invalid.field("words", f"重复的词：{'、'.join(repeated)}（每个词只写一次，至少两个不同的词）")


def save_synonyms(
    db: sqlite_utils.Database, group_id: int | None, body: SynonymGroup, agent: Agent
) -> tuple[SynonymGroup, list[list[str]]]:
    """Create a group (``group_id`` None) or replace its words; returns it and the shop's groups."""
    distinct_words(body.words)
    if group_id is None:
        new_id = store.insert_synonyms(db, body, agent.id)
        saved = body.model_copy(update={"id": new_id, "version": 1})
    else:
        current = sstore.get_synonyms(db, group_id)
        if current is None or current.shop_id not in agent.shop_ids or current.shop_id != body.shop_id:
            raise NotFound(f"没有编号为 {group_id} 的同义词组")
        check_version("、".join(current.words), current, current.version, body.version)
        saved = body.model_copy(update={"id": group_id, "version": current.version + 1})
        store.save_synonyms(db, saved)
        store.record_revision(
            db,
            "synonyms",
            group_id,
            saved.version,
            RevisionAction.UPDATE,
            agent.id,
            synonym_words(current),
            synonym_words(saved),
        )
    return saved, shop_groups(db, body.shop_id)


def delete_synonyms(
    db: sqlite_utils.Database, group_id: int, seen: int, agent: Agent
) -> tuple[int, list[list[str]]]:
    """Delete a group, kept in its history; returns its shop and the shop's remaining groups."""
    current = visible(sstore.get_synonyms(db, group_id), agent, f"没有编号为 {group_id} 的同义词组")
    check_version("、".join(current.words), current, current.version, seen)
    sstore.delete_synonyms(db, group_id)
    store.record_revision(
        db,
        "synonyms",
        group_id,
        current.version + 1,
        RevisionAction.DELETE,
        agent.id,
        synonym_words(current),
        None,
    )
    return current.shop_id, shop_groups(db, current.shop_id)
