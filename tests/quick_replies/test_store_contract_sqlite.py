"""The quick-reply store contract on the embedded SQLite store (the team hub runs it too: tests/hub)."""

from __future__ import annotations

import pytest

from knowledge import store as kb_store
from knowledge.database import AsyncDatabase
from quick_replies.store_interface import SqliteQuickReplyStore
from tests.conftest import MiniShop
from tests.quick_replies.contract import QuickReplyStoreContract, StoreUnderTest


@pytest.fixture
def qr(store_db: AsyncDatabase, mini_shop: MiniShop) -> StoreUnderTest:
    team = store_db.read_sync(lambda c: kb_store.list_agents(c))
    team_id = next(a.team_id for a in team if a.id == mini_shop.agent_id)
    assert team_id is not None
    return StoreUnderTest(SqliteQuickReplyStore(store_db), mini_shop.shop_id, mini_shop.other_shop_id,
                          mini_shop.agent_id, team_id)  # fmt: skip


class TestSqliteQuickReplyStore(QuickReplyStoreContract):
    pass
