"""SQL for editing an item's related items (the items to recommend beside it).

The list is saved with the item's product knowledge and versioned with it: the caller checks the
knowledge's ``version``, replaces the whole list here and records one revision, all in the same
transaction.  Positions are the list's order, 0 first.
"""

from __future__ import annotations

import sqlite_utils
from pydantic import BaseModel, ConfigDict

from knowledge.models import RelatedItem

__all__ = ["RelatedRow", "item_shops", "related_rows", "replace_related"]


class RelatedRow(BaseModel):
    """One saved related item, with the title, SKU, stock and sale state (0/1) of the item it names."""

    model_config = ConfigDict(frozen=True)

    item_id: int
    related_item_id: int
    note: str
    position: int
    title: str
    sku: str
    stock: int
    on_sale: int


def related_rows(db: sqlite_utils.Database, item_id: int) -> list[RelatedRow]:
    """The item's related items in their saved order, with the title, SKU, stock and sale state of each."""
    return [
        RelatedRow.model_validate(row)
        for row in db.query(
            "SELECT r.item_id, r.related_item_id, r.note, r.position, i.title, i.sku, i.stock, i.on_sale"
            " FROM related_items r JOIN items i ON i.id = r.related_item_id"
            " WHERE r.item_id = ? ORDER BY r.position, r.related_item_id",
            [item_id],
        )
    ]


def item_shops(db: sqlite_utils.Database, item_ids: list[int]) -> dict[int, int]:
    """The shop of each existing item among ``item_ids`` (missing ids are left out)."""
    if not item_ids:
        return {}
    marks = ", ".join("?" for _ in item_ids)
    return {
        int(r["id"]): int(r["shop_id"])
        for r in db.query(f"SELECT id, shop_id FROM items WHERE id IN ({marks})", item_ids)
    }


def replace_related(db: sqlite_utils.Database, item_id: int, related: list[RelatedItem]) -> None:
    """Make ``related`` (already checked) the item's whole related list, in the given order."""
    db.execute("DELETE FROM related_items WHERE item_id = ?", [item_id])
    db.conn.executemany(
        "INSERT INTO related_items (item_id, related_item_id, note, position) VALUES (?, ?, ?, ?)",
        [(item_id, r.related_item_id, r.note, position) for position, r in enumerate(related)],
    )
