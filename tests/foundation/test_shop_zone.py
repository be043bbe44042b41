"""A shop's dates follow the shop's own time zone (knowledge.store_shops, Directory.zone)."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from assistant.directory import Directory
from knowledge import store
from knowledge.database import AsyncDatabase
from knowledge.store_shops import shop_zone
from tests.conftest import MiniShop


def test_the_shops_zone_is_read_from_the_shop(store_db: AsyncDatabase, mini_shop: MiniShop) -> None:
    store_db.write_sync(
        lambda db: db.execute(
            "UPDATE shops SET timezone = 'Asia/Tokyo' WHERE id = ?", [mini_shop.other_shop_id]
        )
    )
    assert store_db.read_sync(lambda db: shop_zone(db, mini_shop.shop_id)) == ZoneInfo("Asia/Shanghai")
    assert store_db.read_sync(lambda db: shop_zone(db, mini_shop.other_shop_id)) == ZoneInfo("Asia/Tokyo")
    assert store_db.read_sync(lambda db: shop_zone(db, 999)) == ZoneInfo("Asia/Shanghai")
    directory = Directory(secret=b"x")
    directory.replace([], store_db.read_sync(store.list_shops))
    assert directory.zone(mini_shop.other_shop_id) == ZoneInfo("Asia/Tokyo")
    assert directory.zone(999) == ZoneInfo("Asia/Shanghai")
