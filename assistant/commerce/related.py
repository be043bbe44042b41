"""Related items: editor-set pairings first, then items bought together in this shop's orders.

Out-of-stock and off-sale items are skipped; each suggestion carries one line the agent can send.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Literal

from assistant.commerce.labels import yuan
from assistant.commerce.related_store import BoughtTogether, CandidateItem, Pairing
from assistant.commerce.views import RelatedOut


def message(item: CandidateItem, other: CandidateItem, note: str, together: int) -> str:
    """One line recommending ``other`` to a buyer looking at ``item``."""
    points: list[str] = other.selling_points
    if note:
        why = note
    elif points:
        why = points[0]
    elif together:
        why = "很多买了它的亲都一起带了这款"
    else:
        why = "和您看的这款很搭"
    why = why.rstrip("。！!～~ ")
    return f"亲，「{item.title}」搭配「{other.title}」一起用更合适：{why}，现价 {yuan(other.price_fen)}，需要的话我把链接发您～"


def combine(
    item: CandidateItem,
    pairings: list[Pairing],
    together: list[BoughtTogether],
    items: Mapping[int, CandidateItem],
    limit: int,
) -> list[RelatedOut]:
    counts = {int(r.item_id): int(r.together) for r in together}
    notes = {int(r.item_id): str(r.note) for r in pairings}
    result: list[RelatedOut] = []
    for other_id in dict.fromkeys([*notes, *counts]):
        other = items.get(other_id)
        if other is None or other.shop_id != item.shop_id or other.stock <= 0 or not other.on_sale:
            continue
        source: Literal["editor", "bought_together", "both"] = (
            "both"
            if other_id in notes and other_id in counts
            else "editor"
            if other_id in notes
            else "bought_together"
        )
        result.append(
            RelatedOut(
                item_id=other_id,
                sku=other.sku,
                title=other.title,
                category=other.category,
                price_fen=other.price_fen,
                price_yuan=yuan(other.price_fen),
                stock=other.stock,
                source=source,
                bought_together=counts.get(other_id, 0),
                note=notes.get(other_id, ""),
                message=message(item, other, notes.get(other_id, ""), counts.get(other_id, 0)),
            )
        )
        if len(result) >= limit:
            break
    return result
