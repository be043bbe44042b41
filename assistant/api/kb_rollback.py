"""Rollback: write the state a revision recorded as the entity's next version (one transaction)."""

from __future__ import annotations

from typing import Any

import sqlite_utils

from assistant.api.kb_edit import RollbackIn, _check_version, _intent_refs, _snapshot, validate_state
from assistant.errors import BadRequest, NotFound
from knowledge import store
from knowledge.models import Agent, Campaign, Intent, ItemKnowledge, RevisionAction, SynonymGroup


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
    db: sqlite_utils.Database, entity: str, entity_id: int, body: RollbackIn, agent: Agent
) -> Any:
    """Restore ``body.revision_id``'s state of the entity as a new version; returns the saved model."""
    revision = store.get_revision(db, body.revision_id)
    if revision is None or revision.entity != entity or revision.entity_id != entity_id:
        raise NotFound(
            f"{entity} {entity_id} 没有编号为 {body.revision_id} 的历史版本",
        )
    if revision.after is None:
        raise BadRequest.field("revision_id", "这个版本记录的是删除，请选择删除之前的版本")
    history = store.list_revisions(db, entity, entity_id)
    current = _current(db, entity, entity_id)
    latest = history[0].version
    shop_id = revision.after.get("shop_id")
    if entity == "item_knowledge":
        found = store.get_item(db, entity_id)
        shop_id = None if found is None else found[0].shop_id
    if shop_id not in agent.shop_ids:
        raise NotFound(f"{entity} {entity_id} 不存在或不属于你登录的店铺")
    if current is not None:
        _check_version(f"{entity} {entity_id}", current, current.version, body.version)
    elif body.version not in (None, latest):
        raise BadRequest.field("version", f"已删除的条目请不填版本，或填最新历史版本 {latest}")
    version = latest + 1
    before = None if current is None else _snapshot(current, {"id", "version"})
    state: Any
    if entity == "intent":
        state = validate_state(Intent, {**revision.after, "id": entity_id, "version": version})
        _intent_refs(db, state)
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
        after = _snapshot(state, {"id", "version"})
    elif entity == "synonyms":
        state = validate_state(SynonymGroup, {**revision.after, "id": entity_id, "version": version})
        store.save_synonyms(db, state)
        after = {"shop_id": state.shop_id, "words": state.words}
    else:
        state = validate_state(ItemKnowledge, {**revision.after, "version": version})
        store.save_item_knowledge(db, state)
        after = _snapshot(state, {"version"})
    store.record_revision(db, entity, entity_id, version, RevisionAction.ROLLBACK, agent.id, before, after)
    return state
