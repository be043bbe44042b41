"""Shop-import fixtures: the real store beside the mini shop, and import options for it."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from assistant.app import MIGRATION_SETS
from assistant.commerce.import_files import ImportOptions
from assistant.settings import Settings
from knowledge.database import AsyncDatabase
from tests.conftest import MiniShop

ZONE = ZoneInfo("Asia/Shanghai")
EXPORTED = datetime(2026, 11, 12, 9, 30, tzinfo=ZONE)


@pytest.fixture
def store_db(settings: Settings, mini_shop: MiniShop) -> Iterator[AsyncDatabase]:
    db = AsyncDatabase(settings.db_path)
    db.open(MIGRATION_SETS)
    try:
        yield db
    finally:
        db.close()


@pytest.fixture
def options(mini_shop: MiniShop) -> ImportOptions:
    return ImportOptions(shop_id=mini_shop.shop_id, zone=ZONE, exported_at=EXPORTED, file_name="test.csv")
