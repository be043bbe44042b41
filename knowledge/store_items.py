"""SQL for items, their knowledge (selling points, what is in the box) and related items."""

from __future__ import annotations

import json
from typing import Any

import sqlite_utils
from pydantic import BaseModel, ConfigDict

from knowledge.models import Item, ItemKnowledge, RelatedItem
from knowledge.store_common import now, to_json


def insert_item(
    db: sqlite_utils.Database, item: Item, knowledge: ItemKnowledge | None, at: str | None = None
) -> int:
    """Save an item (its id is assigned by the database) and its product knowledge."""
    stamp = at or now()
    cursor = db.execute(
        "INSERT INTO items (shop_id, sku, title, category, price_fen, stock, attributes, on_sale, updated_at)"
        " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [
            item.shop_id,
            item.sku,
            item.title,
            item.category,
            item.price_fen,
            item.stock,
            to_json(item.attributes),
            int(item.on_sale),
            stamp,
        ],
    )
    item_id = int(cursor.lastrowid or 0)
    if knowledge is not None:
        db.execute(
            "INSERT INTO item_knowledge (item_id, selling_points, size_chart, installation, usage_notes, in_box,"
            " updated_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
            [
                item_id,
                to_json(knowledge.selling_points),
                knowledge.size_chart,
                knowledge.installation,
                knowledge.usage_notes,
                to_json(knowledge.in_box),
                stamp,
            ],
        )
    return item_id


def insert_related(db: sqlite_utils.Database, related: list[RelatedItem]) -> None:
    db.conn.executemany(
        "INSERT OR IGNORE INTO related_items (item_id, related_item_id, note, position) VALUES (?, ?, ?, ?)",
        [(r.item_id, r.related_item_id, r.note, r.position) for r in related],
    )


def get_item(db: sqlite_utils.Database, item_id: int) -> tuple[Item, ItemKnowledge | None] | None:
    """An item and its product knowledge (if written); related items: ``knowledge.store_related``."""
    r = db.execute("SELECT * FROM items WHERE id = ?", [item_id]).fetchone()
    if r is None:
        return None
    cols = [d[0] for d in db.execute("SELECT * FROM items LIMIT 0").description]
    row = dict(zip(cols, r, strict=True))
    item = Item(
        id=row["id"],
        shop_id=row["shop_id"],
        sku=row["sku"],
        title=row["title"],
        category=row["category"],
        price_fen=row["price_fen"],
        stock=row["stock"],
        attributes=json.loads(row["attributes"]),
        on_sale=bool(row["on_sale"]),
        version=row["version"],
    )
    k = next(iter(db.query("SELECT * FROM item_knowledge WHERE item_id = ?", [item_id])), None)
    knowledge = (
        None
        if k is None
        else ItemKnowledge(
            item_id=item_id,
            selling_points=json.loads(k["selling_points"]),
            size_chart=k["size_chart"],
            installation=k["installation"],
            usage_notes=k["usage_notes"],
            in_box=json.loads(k["in_box"]),
            version=k["version"],
        )
    )
    return item, knowledge


def save_item_knowledge(db: sqlite_utils.Database, knowledge: ItemKnowledge, at: str | None = None) -> None:
    db.execute(
        "INSERT INTO item_knowledge (item_id, selling_points, size_chart, installation, usage_notes, in_box, version,"
        " updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (item_id) DO UPDATE SET"
        " selling_points = excluded.selling_points, size_chart = excluded.size_chart,"
        " installation = excluded.installation, usage_notes = excluded.usage_notes, in_box = excluded.in_box,"
        " version = excluded.version, updated_at = excluded.updated_at",
        [
            knowledge.item_id,
            to_json(knowledge.selling_points),
            knowledge.size_chart,
            knowledge.installation,
            knowledge.usage_notes,
            to_json(knowledge.in_box),
            knowledge.version,
            at or now(),
        ],
    )


class ItemPick(BaseModel):
    """An item as the editor's item picker lists it: its hot-item answers (intents bound to it), whether
    it has product knowledge (0/1) and how many revisions of that knowledge are kept."""

    model_config = ConfigDict(frozen=True)

    id: int
    sku: str
    title: str
    category: str
    stock: int
    on_sale: int
    hot_answers: int
    has_knowledge: int
    knowledge_revisions: int


def search_items(
    db: sqlite_utils.Database, shop_id: int, search: str = "", hot_only: bool = False, limit: int = 30
) -> list[ItemPick]:
    """A shop's items for the editor's item picker: title or SKU containing ``search``, with how many
    hot-item answers each has, whether it has product knowledge and how many revisions of it are
    kept; items with answers first."""
    where = ["i.shop_id = ?"]
    params: list[Any] = [shop_id]
    if search:
        where.append("(i.title LIKE ? OR i.sku LIKE ?)")
        params += [f"%{search}%", f"%{search}%"]
    having = " HAVING hot_answers > 0" if hot_only else ""
    return [
        ItemPick.model_validate(r)
        for r in db.query(
            "SELECT i.id, i.sku, i.title, i.category, i.stock, i.on_sale,"
            " (SELECT count(*) FROM intents n WHERE n.item_id = i.id) AS hot_answers,"
            " EXISTS (SELECT 1 FROM item_knowledge k WHERE k.item_id = i.id) AS has_knowledge,"
            " (SELECT count(*) FROM revisions r WHERE r.entity = 'item_knowledge' AND r.entity_id = i.id)"
            " AS knowledge_revisions"
            f" FROM items i WHERE {' AND '.join(where)} GROUP BY i.id{having}"
            " ORDER BY hot_answers DESC, i.id LIMIT ?",
            [*params, limit],
        )
    ]
