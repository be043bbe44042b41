"""Shops as a whole: how many there are, and a shop's time zone (the one source for a shop's
"today", the dates of its orders, imports and exports, and its campaign windows)."""

from __future__ import annotations

from functools import lru_cache
from zoneinfo import ZoneInfo

import sqlite_utils

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
