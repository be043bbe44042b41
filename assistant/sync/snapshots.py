"""Applying the host's order and buyer snapshots to our copy, newest platform time wins (no SQL here).

A snapshot not newer (by the platform's ``modified_at``) than the one we hold changes nothing. A newer
one replaces the order's platform fields, lines and logistics trace, except the fields of an edit of
ours still waiting in the outbox: those keep our value until the host answers for that edit (the
snapshot was taken before the platform applied it). A change bumps the order's version, so an agent
who saw the old order gets a 409 instead of overwriting it.
"""

from __future__ import annotations

from typing import Any
from zoneinfo import ZoneInfo

import sqlite_utils

from assistant.commerce.edits import COLUMNS, EditKind
from assistant.commerce.store import insert_audit
from assistant.conversations.models import utc_text
from assistant.sync import store
from assistant.sync.models import BuyerSnapshot, OrderSnapshot, SnapshotResult
from knowledge.errors import Invalid


def _local(moment: Any, tz: ZoneInfo) -> str | None:
    return moment.astimezone(tz).isoformat() if moment is not None else None


def _buyer_id(db: sqlite_utils.Database, shop_id: int, nick: str, first_seen_at: str) -> int:
    row = store.buyer_row(db, shop_id, nick)
    if row is not None:
        return row.id
    return store.insert_buyer(db, shop_id, nick, first_seen_at, None, None)


#: the receiver's columns: a change to them after payment is audited (``platform_sync``)
RECEIVER = ("receiver_name", "receiver_phone")


def apply_order(
    db: sqlite_utils.Database, shop_id: int, snap: OrderSnapshot, now: str, tz: ZoneInfo
) -> SnapshotResult:
    modified = utc_text(snap.modified_at)
    existing = store.order_row(db, snap.order_id)
    if existing is not None and existing.shop_id != shop_id:
        raise Invalid.field("order_id", f"订单 {snap.order_id} 属于另一个店铺，不能用 {snap.shop} 的快照更新")
    if existing is not None and existing.platform_modified_at and existing.platform_modified_at >= modified:
        return SnapshotResult(
            applied=False,
            reason="older",
            order_id=snap.order_id,
            buyer=snap.buyer,
            version=existing.version,
        )
    created = _local(snap.created_at, tz)
    assert created is not None
    values: dict[str, Any] = {
        "buyer_id": _buyer_id(db, shop_id, snap.buyer, created),
        "status": snap.status.value,
        "created_at": created,
        "paid_at": _local(snap.paid_at, tz),
        "shipped_at": _local(snap.shipped_at, tz),
        "delivered_at": _local(snap.delivered_at, tz),
        "price_fen": snap.price_fen,
        "postage_fen": snap.postage_fen,
        "receiver_name": snap.address.name,
        "receiver_phone": snap.address.phone,
        "province": snap.address.province,
        "city": snap.address.city,
        "district": snap.address.district,
        "address_detail": snap.address.detail,
        "seller_remark": snap.seller_remark,
        "remark_flag": snap.remark_flag.value,
        "courier": snap.courier,
        "tracking_no": snap.tracking_no,
        "refund_status": snap.refund_status.value,
        "disputed": int(snap.disputed),
    }
    wanted = sorted({line.item_id for line in snap.lines if line.item_id is not None})
    known = store.known_items(db, shop_id, wanted)
    lines = [
        store.SyncedLine(
            item_id=line.item_id if line.item_id in known else None,
            sku=line.sku,
            title=line.title,
            unit_price_fen=line.unit_price_fen,
            quantity=line.quantity,
        )
        for line in snap.lines
    ]
    trace = [
        store.SyncedEvent(
            at=t.at.astimezone(tz).isoformat(),
            status=t.status.value,
            location=t.location,
            description=t.description,
        )
        for t in sorted(snap.logistics, key=lambda t: t.at)
    ]
    unknown = [item for item in wanted if item not in known]
    if existing is None:
        store.insert_order(db, snap.order_id, shop_id, values, now, modified)
        store.replace_lines(db, snap.order_id, lines)
        store.replace_trace(db, snap.order_id, trace)
        return SnapshotResult(
            applied=True,
            reason="new",
            order_id=snap.order_id,
            buyer=snap.buyer,
            version=1,
            unknown_items=unknown,
        )
    kept = [
        name
        for kind in sorted(store.pending_edit_kinds(db, snap.order_id))
        for name in COLUMNS[EditKind(kind)]
    ]
    changed = {
        name: value for name, value in values.items() if name not in kept and existing.column(name) != value
    }
    lines_changed = store.lines_of(db, snap.order_id) != lines
    trace_changed = store.trace_of(db, snap.order_id) != trace
    if lines_changed:
        store.replace_lines(db, snap.order_id, lines)
    if trace_changed:
        store.replace_trace(db, snap.order_id, trace)
    touched = bool(changed) or lines_changed or trace_changed
    store.update_order_from_platform(db, snap.order_id, changed, now, modified, bump=touched)
    receiver = [name for name in RECEIVER if name in changed]
    if receiver and existing.paid_at:  # the order reviewer asks the buyer about such a change
        insert_audit(  # no agent did it, nothing to undo, and not a local edit an import keeps
            db,
            at=now,
            agent_id=None,
            shop_id=shop_id,
            entity="order",
            entity_id=snap.order_id,
            action="platform_sync",
            reason="平台同步：付款后收货人有变",
            before={name: existing.column(name) for name in receiver},
            after={name: changed[name] for name in receiver},
        )
    return SnapshotResult(
        applied=True,
        reason="updated" if touched else "unchanged",
        order_id=snap.order_id,
        buyer=snap.buyer,
        version=existing.version + (1 if touched else 0),
        kept_local=[name for name in kept if existing.column(name) != values[name]],
        unknown_items=unknown,
    )


def apply_buyer(db: sqlite_utils.Database, shop_id: int, snap: BuyerSnapshot, tz: ZoneInfo) -> SnapshotResult:
    modified = utc_text(snap.modified_at)
    row = store.buyer_row(db, shop_id, snap.buyer)
    first_seen = _local(snap.first_seen_at, tz)
    if row is None:
        store.insert_buyer(
            db,
            shop_id,
            snap.buyer,
            first_seen or _local(snap.modified_at, tz) or "",
            snap.platform_level,
            modified,
        )
        return SnapshotResult(applied=True, reason="new", buyer=snap.buyer)
    if row.platform_modified_at and row.platform_modified_at >= modified:
        return SnapshotResult(applied=False, reason="older", buyer=snap.buyer)
    fields: dict[str, Any] = {}
    if row.platform_level != snap.platform_level:
        fields["platform_level"] = snap.platform_level
    if first_seen is not None and row.first_seen_at != first_seen:
        fields["first_seen_at"] = first_seen
    store.update_buyer_from_platform(db, row.id, {**fields, "platform_modified_at": modified})
    return SnapshotResult(applied=True, reason="updated" if fields else "unchanged", buyer=snap.buyer)
