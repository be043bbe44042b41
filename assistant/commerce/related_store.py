"""SQL the related items read: an item, the pairings its editors chose, what was bought with it,
and items by id with their selling points."""

from __future__ import annotations

import json

import sqlite_utils
from pydantic import BaseModel, ConfigDict

from assistant.commerce.store_rows import Row
from assistant.commerce.store_rows import one as _one
from assistant.commerce.store_rows import rows as _rows


class CandidateItem(BaseModel):
    """An item as the related items read it: what the suggestion shows, and whether it can be sold."""

    model_config = ConfigDict(frozen=True, extra="ignore")

    id: int
    shop_id: int
    sku: str
    title: str
    category: str
    price_fen: int
    stock: int
    on_sale: int
    selling_points: list[str]


class Pairing(BaseModel):
    """An item an editor paired with another, with the editor's note."""

    model_config = ConfigDict(frozen=True)

    item_id: int
    note: str
    position: int


class BoughtTogether(BaseModel):
    """An item found in the same orders as another, and in how many."""

    model_config = ConfigDict(frozen=True)

    item_id: int
    together: int


def _item(row: Row) -> CandidateItem:
    return CandidateItem.model_validate({**row, "selling_points": json.loads(row["selling_points"])})


def item_row(db: sqlite_utils.Database, item_id: int) -> CandidateItem | None:
    row = _one(
        db,
        """SELECT i.*, coalesce(k.selling_points, '[]') AS selling_points FROM items i
           LEFT JOIN item_knowledge k ON k.item_id = i.id WHERE i.id = ?""",
        (item_id,),
    )
    return _item(row) if row else None


def editor_pairings(db: sqlite_utils.Database, item_id: int) -> list[Pairing]:
    rows = _rows(
        db,
        "SELECT related_item_id AS item_id, note, position FROM related_items WHERE item_id = ?"
        " ORDER BY position, related_item_id",
        (item_id,),
    )
    return [Pairing.model_validate(r) for r in rows]


def bought_together(
    db: sqlite_utils.Database, shop_id: int, item_id: int, limit: int
) -> list[BoughtTogether]:
    """Items found in the same (not cancelled) orders of this shop as ``item_id``, most frequent first."""
    rows = _rows(
        db,
        """SELECT other.item_id AS item_id, count(DISTINCT other.order_id) AS together
           FROM order_lines mine
           JOIN orders o ON o.id = mine.order_id AND o.shop_id = ? AND o.status != 'cancelled'
           JOIN order_lines other ON other.order_id = mine.order_id AND other.item_id != mine.item_id
           WHERE mine.item_id = ? GROUP BY other.item_id ORDER BY together DESC, other.item_id LIMIT ?""",
        (shop_id, item_id, limit),
    )
    return [BoughtTogether.model_validate(r) for r in rows]


def items_by_id(db: sqlite_utils.Database, item_ids: list[int]) -> dict[int, CandidateItem]:
    if not item_ids:
        return {}
    rows = _rows(
        db,
        f"""SELECT i.*, coalesce(k.selling_points, '[]') AS selling_points FROM items i
            LEFT JOIN item_knowledge k ON k.item_id = i.id WHERE i.id IN ({", ".join("?" for _ in item_ids)})""",
        item_ids,
    )
    return {row["id"]: _item(row) for row in rows}
