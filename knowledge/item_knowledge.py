"""An item's product knowledge and related items as the knowledge editor saves them: with the product knowledge, in one
transaction, under the knowledge's ``version``, in the same revision (and so restored by its rollback).

``PUT /api/kb/items/{item_id}/knowledge`` takes ``related`` (the whole list, in order; omitted: kept as
it is).  Every revision of ``item_knowledge`` written since records the list beside the knowledge;
a rollback to an older revision without one leaves the list as it is.

The first save of an item's knowledge first records what the item had until then (knowledge and
related items seeded by the demo or imported, or nothing) as its own revision, the way a new intent
records its first state, so a rollback can bring that state back like any other.  Restoring a
revision applies the rules of the data (items of the shop, not the item itself, listed once), not
the limits on new input: a note saved before the 60-character limit comes back whole.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Annotated, Any

import sqlite_utils
from pydantic import Field, StringConstraints

from knowledge import store, store_related
from knowledge.errors import FieldError, Invalid
from knowledge.models import Id, Item, ItemKnowledge, Model, RelatedItem, RevisionAction, Text

RELATED_MAX = 20
NOTE_MAX = 60
Note = Annotated[Text, StringConstraints(max_length=NOTE_MAX)]


class RelatedState(Model):
    """One related item as saved (and as a revision keeps it): the note as it was written."""

    related_item_id: Id
    note: str = ""


class RelatedEntry(RelatedState):
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


class KnowledgeState(ItemKnowledge):
    """The state a revision of ``item_knowledge`` recorded, as a rollback restores it: the related
    list without the limits on new input (count, note length); ``None`` in revisions written before
    related items were editable."""

    related: list[RelatedState] | None = None


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
        RelatedView.model_validate({**r.model_dump(), "on_sale": bool(r.on_sale)})
        for r in store_related.related_rows(db, item_id)
    ]


def saved_entries(db: sqlite_utils.Database, item_id: int) -> list[RelatedState]:
    """The saved list as it is (notes written before the limit are kept whole)."""
    return [
        RelatedState.model_construct(related_item_id=r.related_item_id, note=r.note)
        for r in store_related.related_rows(db, item_id)
    ]


def knowledge_of(body: ItemKnowledge) -> ItemKnowledge:
    """The product knowledge alone (without ``related``)."""
    return ItemKnowledge.model_validate(body.model_dump(exclude={"related"}))


def check_related(
    db: sqlite_utils.Database, item: Item, entries: Sequence[RelatedState], summary: str = "搭配推荐有问题"
) -> None:
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
        raise Invalid(f"{summary} — {errors[0]['field']}: {errors[0]['message']}", errors)


def save_related(db: sqlite_utils.Database, item_id: int, entries: Sequence[RelatedState]) -> None:
    """Replace the list with ``entries`` (checked by ``check_related``; notes as given: a restored
    note may be longer than new input may be)."""
    store_related.replace_related(
        db,
        item_id,
        [
            RelatedItem.model_construct(
                item_id=item_id, related_item_id=e.related_item_id, note=e.note, position=i
            )
            for i, e in enumerate(entries)
        ],
    )


def snapshot(knowledge: ItemKnowledge, related: Sequence[RelatedState]) -> dict[str, Any]:
    """What a revision of ``item_knowledge`` records: the knowledge and the related list."""
    return {
        **knowledge_of(knowledge).model_dump(mode="json", exclude={"version"}),
        "related": [e.model_dump(mode="json") for e in related],
    }


def record_found_state(
    db: sqlite_utils.Database, item_id: int, current: ItemKnowledge | None, saved: Sequence[RelatedState]
) -> ItemKnowledge:
    """Before the first save of the item's knowledge (no revision yet), keep what the item had as a
    ``create`` revision by nobody: its knowledge row (version of the row) or, without one, empty
    knowledge (version 0), and its related items.  Returns that knowledge (the save's ``before``)."""
    found = current or ItemKnowledge(item_id=item_id)
    if not store.has_revisions(db, "item_knowledge", item_id):
        version = 0 if current is None else current.version
        state = snapshot(found, saved)
        store.record_revision(
            db, "item_knowledge", item_id, version, RevisionAction.CREATE, None, None, state
        )
    return found
