"""Outbox rows as the order panel shows them and as the host receives them (no SQL here)."""

from __future__ import annotations

from assistant.sync.models import OUTBOX_LABELS, ApplyEditMessage, Offer, OutboxEntry
from assistant.sync.store import OutboxRow

KIND_LABELS = {"price": "改价", "postage": "改邮费", "address": "改地址", "remark": "改备注", "undo": "撤销"}


def idempotency_key(row: OutboxRow) -> str:
    """One key per attempt: every offer of an attempt carries it; a retry is a new attempt, a new key."""
    return f"{row.key_base}.{row.attempt}"


def entry_out(row: OutboxRow) -> OutboxEntry:
    kind = str(row.kind)
    label = KIND_LABELS[kind] if kind != "undo" else f"撤销{KIND_LABELS[str(row.edit_kind)]}"
    failed = row.status == "failed"
    return OutboxEntry(
        id=row.id,
        order_id=row.order_id,
        kind=kind,
        edit_kind=row.edit_kind,
        kind_label=label,
        status=row.status,
        status_label=OUTBOX_LABELS[row.status],
        attempt=row.attempt,
        created_at=row.created_at,
        answered_at=row.answered_at,
        failure=row.failure,
        agent_id=row.agent_id,
        can_retry=failed,
        can_undo_locally=failed and kind != "undo",
    )


def message_out(row: OutboxRow) -> ApplyEditMessage:
    return ApplyEditMessage(
        edit_id=row.id,
        order_id=row.order_id,
        shop=row.shop_code,
        kind=row.kind,
        edit_kind=row.edit_kind,
        undoes=row.undoes,
        before=row.before,
        after=row.after,
        idempotency_key=idempotency_key(row),
        attempt=row.attempt,
    )


def offer_out(row: OutboxRow) -> Offer:
    return Offer(entry=entry_out(row), message=message_out(row))
