"""The conversation-log contract on the team hub's PostgreSQL store."""

from __future__ import annotations

import asyncpg
import pytest

from assistant.hub.conversation_log import PgConversationLog
from tests.conversations.log_contract import ConversationLogContract, LogUnderTest

pytestmark = pytest.mark.postgres


@pytest.fixture
def lt(pool: asyncpg.Pool) -> LogUnderTest:
    return LogUnderTest(PgConversationLog(pool), lambda clock: PgConversationLog(pool, clock), 1, 2, 11, 12)


class TestPgConversationLog(ConversationLogContract):
    pass
