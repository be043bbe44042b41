"""SQL the related items read: an item, the pairings its editors chose, what was bought with it,
and items by id with their selling points."""

from __future__ import annotations

import json

import sqlite_utils

from assistant.commerce.store_rows import Row
from assistant.commerce.store_rows import one as _one
from assistant.commerce.store_rows import rows as _rows


def item_row(db: sqlite_utils.Database, item_id: int) -> Row | None:
    return _one(
        db,
        """SELECT i.*, coalesce(k.selling_points, '[]') AS selling_points FROM items i
           LEFT JOIN item_knowledge k ON k.item_id = i.id WHERE i.id = ?""",
        (item_id,),
    )


def editor_pairings(db: sqlite_utils.Database, item_id: int) -> list[Row]:
    return _rows(
        db,
        "SELECT related_item_id AS item_id, note, position FROM related_items WHERE item_id = ?"
        " ORDER BY position, related_item_id",
        (item_id,),
    )


def bought_together(db: sqlite_utils.Database, shop_id: int, item_id: int, limit: int) -> list[Row]:
    """Items found in the same (not cancelled) orders of this shop as ``item_id``, most frequent first."""
    return _rows(
        db,
        """SELECT other.item_id AS item_id, count(DISTINCT other.order_id) AS together
           FROM order_lines mine
           JOIN orders o ON o.id = mine.order_id AND o.shop_id = ? AND o.status != 'cancelled'
           JOIN order_lines other ON other.order_id = mine.order_id AND other.item_id != mine.item_id
           WHERE mine.item_id = ? GROUP BY other.item_id ORDER BY together DESC, other.item_id LIMIT ?""",
        (shop_id, item_id, limit),
    )


def items_by_id(db: sqlite_utils.Database, item_ids: list[int]) -> dict[int, Row]:
    if not item_ids:
        return {}
    rows = _rows(
        db,
        f"""SELECT i.*, coalesce(k.selling_points, '[]') AS selling_points FROM items i
            LEFT JOIN item_knowledge k ON k.item_id = i.id WHERE i.id IN ({", ".join("?" for _ in item_ids)})""",
        item_ids,
    )
    for row in rows:
        row["selling_points"] = json.loads(row["selling_points"])
    return {row["id"]: row for row in rows}
