"""The knowledge base's SQL, one module per entity; this facade re-exports them so
``from knowledge import store`` / ``store.X`` keep working:

- ``store_common``: ``now``, ``to_json``, ``delete_row``
- ``store_shops``: ``list_shops``, ``insert_shop`` (and the shop's time zone)
- ``store_agents``: ``list_agents``, ``insert_team``, ``insert_agent``
- ``store_revisions``: ``record_revision``, ``has_revisions``, ``list_revisions``, ``get_revision``
- ``store_usage``: usage events and unmatched messages
- ``store_items``: items, item knowledge, related items
- ``store_intents``: intents and their examples
- ``store_index``: stored pinyin and embeddings
- ``store_campaigns``: campaigns and their scripts
- ``store_synonyms``: synonym groups

A caller that monkeypatches ``store.X`` patches what the callers going through this facade call
(``knowledge.editing*``, ``knowledge.item_knowledge``), not the entity modules' own calls.
"""

from __future__ import annotations

from knowledge.store_agents import insert_agent, insert_team, list_agents
from knowledge.store_campaigns import (
    get_campaign,
    insert_campaign,
    list_campaigns,
    load_campaigns,
    save_campaign,
)
from knowledge.store_common import delete_row, now, to_json
from knowledge.store_index import load_embeddings, load_pinyin, prune_embeddings, save_embeddings
from knowledge.store_intents import (
    get_intent,
    insert_intent,
    intent_key_taken,
    intent_snapshot,
    list_intents,
    load_intents,
    save_intent,
)
from knowledge.store_items import (
    ItemPick,
    get_item,
    insert_item,
    insert_related,
    save_item_knowledge,
    search_items,
)
from knowledge.store_revisions import get_revision, has_revisions, list_revisions, record_revision
from knowledge.store_shops import insert_shop, list_shops
from knowledge.store_synonyms import insert_synonyms, load_synonyms, save_synonyms
from knowledge.store_usage import (
    UnmatchedRow,
    delete_unmatched,
    list_unmatched,
    mark_usage_edited,
    record_unmatched,
    record_usage,
    unmatched_shop,
)

__all__ = [
    "ItemPick",
    "UnmatchedRow",
    "delete_row",
    "delete_unmatched",
    "get_campaign",
    "get_intent",
    "get_item",
    "get_revision",
    "has_revisions",
    "insert_agent",
    "insert_campaign",
    "insert_intent",
    "insert_item",
    "insert_related",
    "insert_shop",
    "insert_synonyms",
    "insert_team",
    "intent_key_taken",
    "intent_snapshot",
    "list_agents",
    "list_campaigns",
    "list_intents",
    "list_revisions",
    "list_shops",
    "list_unmatched",
    "load_campaigns",
    "load_embeddings",
    "load_intents",
    "load_pinyin",
    "load_synonyms",
    "mark_usage_edited",
    "now",
    "prune_embeddings",
    "record_revision",
    "record_unmatched",
    "record_usage",
    "save_campaign",
    "save_embeddings",
    "save_intent",
    "save_item_knowledge",
    "save_synonyms",
    "search_items",
    "to_json",
    "unmatched_shop",
]
