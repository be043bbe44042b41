"""The knowledge-editing use cases, called directly on a store: no HTTP, no app, no request."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
import sqlite_utils

from knowledge import editing, store
from knowledge import editing_campaigns as campaigns
from knowledge.database import AsyncDatabase
from knowledge.editing_rollback import apply_rollback
from knowledge.errors import Conflict, Invalid, NotFound, StaleVersion
from knowledge.item_knowledge import ItemKnowledgeIn, KnowledgeOut, RelatedEntry
from knowledge.models import Agent, Campaign, Intent, Item, RevisionAction, SynonymGroup
from tests.conftest import MiniShop


@pytest.fixture
def editor(store_db: AsyncDatabase, mini_shop: MiniShop) -> Agent:
    return next(a for a in store_db.read_sync(store.list_agents) if a.id == mini_shop.editor_id)


def _intent(shop_id: int, **fields: object) -> Intent:
    return Intent.model_validate(
        {
            "shop_id": shop_id,
            "key": "ship_time",
            "name": "发货时间",
            "examples": ["什么时候发货"],
            "answers": ["48 小时内发货"],
            **fields,
        }
    )


def _item(db: sqlite_utils.Database, shop_id: int, sku: str) -> int:
    item = Item(id=1, shop_id=shop_id, sku=sku, title=f"商品 {sku}", category="厨房", price_fen=990, stock=3)
    return store.insert_item(db, item, None)


def test_an_intent_is_created_updated_and_deleted_with_its_history(
    store_db: AsyncDatabase, mini_shop: MiniShop, editor: Agent
) -> None:
    created = store_db.write_sync(lambda db: editing.create_intent(db, _intent(mini_shop.shop_id), editor))
    assert created.id is not None and created.version == 1
    intent_id = created.id
    changed = created.model_copy(update={"answers": ["24 小时内发货"]})
    updated = store_db.write_sync(lambda db: editing.update_intent(db, intent_id, changed, editor))
    assert updated.version == 2 and updated.answers == ["24 小时内发货"]
    store_db.write_sync(lambda db: editing.delete_intent(db, intent_id, 2, editor))
    assert store_db.read_sync(lambda db: store.get_intent(db, intent_id)) is None
    history = store_db.read_sync(lambda db: store.list_revisions(db, "intent", intent_id))
    assert [r.action for r in history] == [
        RevisionAction.DELETE,
        RevisionAction.UPDATE,
        RevisionAction.CREATE,
    ]


def test_a_stale_version_carries_the_saved_intent_and_writes_nothing(
    store_db: AsyncDatabase, mini_shop: MiniShop, editor: Agent
) -> None:
    created = store_db.write_sync(lambda db: editing.create_intent(db, _intent(mini_shop.shop_id), editor))
    assert created.id is not None
    intent_id = created.id
    stale = created.model_copy(update={"name": "改名", "version": 7})
    with pytest.raises(StaleVersion) as caught:
        store_db.write_sync(lambda db: editing.update_intent(db, intent_id, stale, editor))
    assert caught.value.current == created
    assert caught.value.extra["current"]["name"] == "发货时间"
    assert caught.value.errors == [{"field": "version", "message": "应为 1"}]
    assert store_db.read_sync(lambda db: store.get_intent(db, intent_id)) == created


def test_an_intent_of_a_shop_not_logged_into_is_not_found(
    store_db: AsyncDatabase, mini_shop: MiniShop, editor: Agent
) -> None:
    other = store_db.write_sync(lambda db: store.insert_intent(db, _intent(mini_shop.other_shop_id), None))
    with pytest.raises(NotFound):
        store_db.read_sync(lambda db: editing.visible_intent(db, editor, other))
    with pytest.raises(NotFound):
        store_db.write_sync(lambda db: editing.delete_intent(db, other, 1, editor))


def test_an_intent_refers_only_to_its_own_shop_and_its_key_is_unique(
    store_db: AsyncDatabase, mini_shop: MiniShop, editor: Agent
) -> None:
    lamp = store_db.write_sync(lambda db: _item(db, mini_shop.other_shop_id, "L-1"))
    with pytest.raises(Invalid) as caught:
        store_db.write_sync(
            lambda db: editing.create_intent(db, _intent(mini_shop.shop_id, item_id=lamp), editor)
        )
    assert caught.value.errors[0]["field"] == "item_id"
    store_db.write_sync(lambda db: editing.create_intent(db, _intent(mini_shop.shop_id), editor))
    with pytest.raises(Conflict) as clash:
        store_db.write_sync(lambda db: editing.create_intent(db, _intent(mini_shop.shop_id), editor))
    assert clash.value.errors[0]["field"] == "key"


def test_item_knowledge_saves_its_related_items_and_rolls_back(
    store_db: AsyncDatabase, mini_shop: MiniShop, editor: Agent
) -> None:
    kettle = store_db.write_sync(lambda db: _item(db, mini_shop.shop_id, "K-1"))
    cup = store_db.write_sync(lambda db: _item(db, mini_shop.shop_id, "C-1"))
    body = ItemKnowledgeIn(
        item_id=kettle, selling_points=["烧水快"], related=[RelatedEntry(related_item_id=cup)]
    )
    saved = store_db.write_sync(lambda db: editing.save_item_knowledge(db, kettle, body, editor))
    assert isinstance(saved, KnowledgeOut)
    assert saved.knowledge.version == 1 and [r.related_item_id for r in saved.related] == [cup]
    bad = body.model_copy(update={"related": [RelatedEntry(related_item_id=kettle)], "version": 1})
    with pytest.raises(Invalid):  # the item itself is no related item
        store_db.write_sync(lambda db: editing.save_item_knowledge(db, kettle, bad, editor))
    history = store_db.read_sync(lambda db: store.list_revisions(db, "item_knowledge", kettle))
    first = history[-1]  # what the item had before the first save: nothing
    restored = store_db.write_sync(
        lambda db: apply_rollback(db, "item_knowledge", kettle, first.id, 1, editor)
    )
    assert isinstance(restored, KnowledgeOut)
    assert restored.knowledge.selling_points == [] and restored.related == []


def test_a_campaign_with_intents_bound_is_not_deleted(
    store_db: AsyncDatabase, mini_shop: MiniShop, editor: Agent
) -> None:
    campaign = Campaign(
        shop_id=mini_shop.shop_id,
        name="双11",
        starts_at=datetime(2026, 11, 1, tzinfo=UTC),
        ends_at=datetime(2026, 11, 12, tzinfo=UTC),
    )
    created = store_db.write_sync(lambda db: campaigns.create_campaign(db, campaign, editor))
    assert created.id is not None
    campaign_id = created.id
    store_db.write_sync(
        lambda db: editing.create_intent(db, _intent(mini_shop.shop_id, campaign_id=campaign_id), editor)
    )
    with pytest.raises(Conflict) as caught:
        store_db.write_sync(lambda db: campaigns.delete_campaign(db, campaign_id, 1, editor))
    assert not isinstance(caught.value, StaleVersion)
    assert "发货时间" in caught.value.message
    assert store_db.read_sync(lambda db: store.get_campaign(db, campaign_id)) is not None


def test_synonyms_refuse_a_repeated_word_and_restore_a_deleted_group(
    store_db: AsyncDatabase, mini_shop: MiniShop, editor: Agent
) -> None:
    twice = SynonymGroup(shop_id=mini_shop.shop_id, words=["高仿", "高仿"])
    with pytest.raises(Invalid) as caught:
        store_db.write_sync(lambda db: campaigns.save_synonyms(db, None, twice, editor))
    assert caught.value.errors[0]["field"] == "words"
    group = SynonymGroup(shop_id=mini_shop.shop_id, words=["发货", "寄出"])
    saved, groups = store_db.write_sync(lambda db: campaigns.save_synonyms(db, None, group, editor))
    assert saved.id is not None and ["发货", "寄出"] in groups
    group_id = saved.id
    shop_id, left = store_db.write_sync(lambda db: campaigns.delete_synonyms(db, group_id, 1, editor))
    assert shop_id == mini_shop.shop_id and ["发货", "寄出"] not in left
    created = store_db.read_sync(lambda db: store.list_revisions(db, "synonyms", group_id))[-1]
    restored = store_db.write_sync(
        lambda db: apply_rollback(db, "synonyms", group_id, created.id, None, editor)
    )
    assert isinstance(restored, SynonymGroup) and restored.words == ["发货", "寄出"] and restored.version == 3
