"""The watch-claims contract on the embedded SQLite store (the team hub runs it too: tests/hub)."""

from __future__ import annotations

import pytest

from assistant.team.watch_claims import SqliteWatchClaims
from knowledge.database import AsyncDatabase
from tests.conftest import MiniShop
from tests.team.watch_claims_contract import ClaimsUnderTest, WatchClaimsContract


@pytest.fixture
def wc(store_db: AsyncDatabase, mini_shop: MiniShop) -> ClaimsUnderTest:
    return ClaimsUnderTest(SqliteWatchClaims(store_db), mini_shop.shop_id, mini_shop.other_shop_id,
                           mini_shop.agent_id, mini_shop.editor_id)  # fmt: skip


class TestSqliteWatchClaims(WatchClaimsContract):
    pass
