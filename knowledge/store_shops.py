"""Shops as a whole: the rows, how many there are, and a shop's time zone (the one source for a shop's
"today", the dates of its orders, imports and exports, and its campaign windows)."""

from __future__ import annotations

from functools import lru_cache
from zoneinfo import ZoneInfo

import sqlite_utils

from knowledge.models import Shop
from knowledge.store_common import now

DEFAULT_ZONE = "Asia/Shanghai"


@lru_cache(maxsize=64)
def zone(name: str) -> ZoneInfo:
    """A time zone by its name (``Asia/Shanghai``), loaded once."""
    return ZoneInfo(name)


def shop_zone(db: sqlite_utils.Database, shop_id: int) -> ZoneInfo:
    """The shop's time zone (``Asia/Shanghai`` for a shop the store does not know)."""
    row = next(iter(db.query("SELECT timezone FROM shops WHERE id = ?", [shop_id])), None)
    return zone(str(row["timezone"]) if row else DEFAULT_ZONE)


def count_shops(db: sqlite_utils.Database) -> int:
    return int(db.execute("SELECT count(*) FROM shops").fetchone()[0])


def list_shops(db: sqlite_utils.Database) -> list[Shop]:
    return [
        Shop(id=r["id"], code=r["code"], name=r["name"], platform=r["platform"], timezone=r["timezone"])
        for r in db.query("SELECT * FROM shops ORDER BY id")
    ]


def insert_shop(
    db: sqlite_utils.Database, code: str, name: str, platform: str = "tmall", at: str | None = None
) -> int:
    cursor = db.execute(
        "INSERT INTO shops (code, name, platform, created_at) VALUES (?, ?, ?, ?)",
        [code, name, platform, at or now()],
    )
    return int(cursor.lastrowid or 0)
