"""An item's related items as the knowledge editor saves them: with the product knowledge, in one
transaction, under the knowledge's ``version``, in the same revision (and so restored by its rollback).

``PUT /api/kb/items/{item_id}/knowledge`` takes ``related`` (the whole list, in order; omitted: kept as
it is).  Every revision of ``item_knowledge`` written since records the list beside the knowledge;
a rollback to an older revision without one leaves the list as it is.
"""

from __future__ import annotations

from typing import Annotated, Any

import sqlite_utils
from pydantic import Field, StringConstraints

from assistant.errors import BadRequest, FieldError
from knowledge import store_related
from knowledge.models import Id, Item, ItemKnowledge, Model, RelatedItem, Text

RELATED_MAX = 20
NOTE_MAX = 60
Note = Annotated[Text, StringConstraints(max_length=NOTE_MAX)]


class RelatedEntry(Model):
    """One item to recommend beside the edited one."""

    related_item_id: Id = Field(description="an item of the same shop, not the edited item itself")
    note: Note = Field(
        "", description=f"why they go together, said to the buyer (at most {NOTE_MAX} characters)"
    )


class ItemKnowledgeIn(ItemKnowledge):
    """Product knowledge and, optionally, the item's whole related list."""

    related: list[RelatedEntry] | None = Field(
        None,
        max_length=RELATED_MAX,
        description=f"the related items in the order to show them (at most {RELATED_MAX}; replaces the "
        "saved list; omit to keep it as it is)",
    )


class RelatedView(Model):
    """A saved related item with what the editor and the sidebar show of it."""

    item_id: int
    related_item_id: int
    note: str
    position: int
    title: str
    sku: str
    stock: int
    on_sale: bool


class KnowledgeOut(Model):
    knowledge: ItemKnowledge
    related: list[RelatedView]


def related_view(db: sqlite_utils.Database, item_id: int) -> list[RelatedView]:
    return [
        RelatedView.model_validate({**r, "on_sale": bool(r["on_sale"])})
        for r in store_related.related_rows(db, item_id)
    ]


def saved_entries(db: sqlite_utils.Database, item_id: int) -> list[RelatedEntry]:
    """The saved list as it is (notes written before the limit are kept whole)."""
    return [
        RelatedEntry.model_construct(related_item_id=r["related_item_id"], note=r["note"])
        for r in store_related.related_rows(db, item_id)
    ]


def knowledge_of(body: ItemKnowledge) -> ItemKnowledge:
    """The product knowledge alone (without ``related``)."""
    return ItemKnowledge.model_validate(body.model_dump(exclude={"related"}))


def check_related(db: sqlite_utils.Database, item: Item, entries: list[RelatedEntry]) -> None:
    """Each related item exists in the item's shop, is not the item itself and is listed once."""
    shops = store_related.item_shops(db, [e.related_item_id for e in entries])
    first: dict[int, int] = {}
    errors: list[FieldError] = []
    for i, entry in enumerate(entries):
        field, other = f"related.{i}.related_item_id", entry.related_item_id
        if other == item.id:
            errors.append(FieldError(field, "不能把商品自己设为它的搭配推荐"))
        elif shops.get(other) != item.shop_id:
            errors.append(FieldError(field, f"店铺里没有编号为 {other} 的商品"))
        elif other in first:
            errors.append(FieldError(field, f"和第 {first[other] + 1} 项是同一个商品，请删掉重复的一项"))
        else:
            first[other] = i
    if errors:
        raise BadRequest(f"搭配推荐有问题 — {errors[0]['field']}: {errors[0]['message']}", errors)


def save_related(db: sqlite_utils.Database, item_id: int, entries: list[RelatedEntry]) -> None:
    store_related.replace_related(
        db,
        item_id,
        [
            RelatedItem(item_id=item_id, related_item_id=e.related_item_id, note=e.note, position=i)
            for i, e in enumerate(entries)
        ],
    )


def snapshot(knowledge: ItemKnowledge, related: list[RelatedEntry]) -> dict[str, Any]:
    """What a revision of ``item_knowledge`` records: the knowledge and the related list."""
    return {
        **knowledge_of(knowledge).model_dump(mode="json", exclude={"version"}),
        "related": [e.model_dump(mode="json") for e in related],
    }
