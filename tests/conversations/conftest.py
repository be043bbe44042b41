"""Typed sources of a conversation's context over the test's store: no app, no request."""

from __future__ import annotations

import pytest

from assistant.commerce.sqlite_backend import SqliteBackend
from assistant.conversations.context import ContextSources
from assistant.directory import Directory
from assistant.settings import Settings
from knowledge import store
from knowledge.database import AsyncDatabase
from knowledge.matcher import Matcher


@pytest.fixture
def sources(store_db: AsyncDatabase, settings: Settings) -> ContextSources:
    directory = Directory(secret=b"test")
    directory.replace(store_db.read_sync(store.list_agents), store_db.read_sync(store.list_shops))
    matcher = Matcher(settings.suggest_confidence)
    matcher.load([], [], {}, {})
    return ContextSources(directory, SqliteBackend(store_db, settings), matcher, store_db)
