"""Rollback, the use case: write the state a revision recorded as the entity's next version (one
transaction).  A deleted row comes back under its id; the data's rules are checked again (items of
the shop, a key free in the shop), the limits on new input are not."""

from __future__ import annotations

from typing import Any

import sqlite_utils

from knowledge import store
from knowledge.editing import check_version, intent_refs, snapshot, validate_state
from knowledge.errors import Invalid, NotFound
from knowledge.item_knowledge import (
    KnowledgeOut,
    KnowledgeState,
    check_related,
    knowledge_of,
    related_view,
    save_related,
    saved_entries,
)
from knowledge.item_knowledge import snapshot as related_snapshot
from knowledge.models import Agent, Campaign, Intent, RevisionAction, SynonymGroup


def _current(db: sqlite_utils.Database, entity: str, entity_id: int) -> Any:
    if entity == "intent":
        return store.get_intent(db, entity_id)
    if entity == "campaign":
        return store.get_campaign(db, entity_id)
    if entity == "synonyms":
        return next((g for g in store.load_synonyms(db) if g.id == entity_id), None)
    found = store.get_item(db, entity_id)
    return None if found is None else found[1]


def apply_rollback(
    db: sqlite_utils.Database, entity: str, entity_id: int, revision_id: int, seen: int | None, agent: Agent
) -> Any:
    """Restore revision ``revision_id``'s state of the entity as a new version, ``seen`` being the
    current version the editor saw (None for a deleted row); returns the saved model (for item
    knowledge: ``KnowledgeOut``, the knowledge with its related items)."""
    revision = store.get_revision(db, revision_id)
    if revision is None or revision.entity != entity or revision.entity_id != entity_id:
        raise NotFound(
            f"{entity} {entity_id} 没有编号为 {revision_id} 的历史版本",
        )
    if revision.after is None:
        raise Invalid.field("revision_id", "这个版本记录的是删除，请选择删除之前的版本")
    history = store.list_revisions(db, entity, entity_id)
    current = _current(db, entity, entity_id)
    latest = history[0].version
    shop_id = revision.after.get("shop_id")
    found = None
    if entity == "item_knowledge":
        found = store.get_item(db, entity_id)
        shop_id = None if found is None else found[0].shop_id
    if shop_id not in agent.shop_ids:
        raise NotFound(f"{entity} {entity_id} 不存在或不属于你登录的店铺")
    if current is not None:
        check_version(f"{entity} {entity_id}", current, current.version, seen)
    elif seen not in (None, latest):
        raise Invalid.field("version", f"已删除的条目请不填版本，或填最新历史版本 {latest}")
    version = latest + 1
    before = None if current is None else snapshot(current, {"id", "version"})
    state: Any
    result: Any = None
    if entity == "intent":
        state = validate_state(Intent, {**revision.after, "id": entity_id, "version": version})
        intent_refs(db, state)
        store.save_intent(db, state)
        after = store.intent_snapshot(state)
    elif entity == "campaign":
        state = validate_state(Campaign, {**revision.after, "id": entity_id, "version": version})
        known = {s.id for s in current.scripts} if isinstance(current, Campaign) else set()
        state = state.model_copy(
            update={
                "scripts": [s if s.id in known else s.model_copy(update={"id": None}) for s in state.scripts]
            }
        )
        state = store.save_campaign(db, state)
        after = snapshot(state, {"id", "version"})
    elif entity == "synonyms":
        state = validate_state(SynonymGroup, {**revision.after, "id": entity_id, "version": version})
        store.save_synonyms(db, state)
        after = {"shop_id": state.shop_id, "words": state.words}
    else:
        assert found is not None
        # history is restored as it was (a note longer than new input may be comes back whole);
        # what the data must be is still checked: items of the shop, not the item, listed once
        restored = validate_state(KnowledgeState, {**revision.after, "version": version})
        if restored.related is not None:  # revisions written before related items were editable have none
            check_related(db, found[0], restored.related, "这个版本的搭配推荐无法恢复")
        saved = saved_entries(db, entity_id)
        before = None if current is None else related_snapshot(current, saved)
        state = knowledge_of(restored)
        store.save_item_knowledge(db, state)
        if restored.related is not None:
            save_related(db, entity_id, restored.related)
        after = related_snapshot(state, saved if restored.related is None else restored.related)
        result = KnowledgeOut(knowledge=state, related=related_view(db, entity_id))
    store.record_revision(db, entity, entity_id, version, RevisionAction.ROLLBACK, agent.id, before, after)
    return state if result is None else result
