"""The conversation-log contract on the embedded SQLite store (the team hub runs it too: tests/hub)."""

from __future__ import annotations

import pytest

from assistant.conversations.log import SqliteConversationLog
from knowledge.database import AsyncDatabase
from tests.conftest import MiniShop
from tests.conversations.log_contract import ConversationLogContract, LogUnderTest


@pytest.fixture
def lt(store_db: AsyncDatabase, mini_shop: MiniShop) -> LogUnderTest:
    return LogUnderTest(SqliteConversationLog(store_db), lambda clock: SqliteConversationLog(store_db, clock),
                        mini_shop.shop_id, mini_shop.other_shop_id, mini_shop.agent_id, mini_shop.editor_id)  # fmt: skip


class TestSqliteConversationLog(ConversationLogContract):
    pass
