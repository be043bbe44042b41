"""``kefu purge --before DATE``: forget old conversations and old orders' receivers (no SQL here).

Removed: conversation messages before the date, notes on buyers written before it, stored idempotent
responses. Anonymised: the receiver's name, phone and street address of closed orders (交易成功, 交易关闭,
已退款) placed before the date, in the order, its audit entries and its outbox entries. Kept: every
audit row (who did what, when, to which order: only the personal values inside are replaced, through
the one sanctioned path in the store), order amounts, items and regions, buyers' nicks, tiers, tags and
risk flags with their evidence. Running it twice changes nothing the second time.
"""

from __future__ import annotations

from datetime import datetime

import sqlite_utils

from assistant.commerce.privacy import PERSONAL_COLUMNS, anonymise_columns
from assistant.conversations import store as conversation_store
from assistant.privacy import store
from knowledge.models import Model


class PurgeReport(Model):
    before: datetime
    messages_deleted: int
    orders_anonymised: int
    audit_rows_anonymised: int
    outbox_rows_anonymised: int
    notes_deleted: int
    idempotency_keys_deleted: int


def purge(db: sqlite_utils.Database, before: datetime, at: str) -> PurgeReport:
    """Everything in the caller's one transaction: all of it happens, or none."""
    cutoff = before.isoformat()
    order_ids = store.old_closed_orders(db, cutoff)
    audit_rows = store.audit_rows_of_orders(db, order_ids)
    for row in audit_rows:
        store.anonymise_audit(db, row.id, anonymise_columns(row.before), anonymise_columns(row.after), at)
    outbox_rows = store.outbox_rows_of_orders(db, order_ids)
    for row in outbox_rows:
        store.rewrite_outbox(
            db, row.id, anonymise_columns(row.before) or {}, anonymise_columns(row.after) or {}
        )
    return PurgeReport(
        before=before,
        messages_deleted=conversation_store.delete_before(db, before),
        orders_anonymised=store.anonymise_orders(db, order_ids, PERSONAL_COLUMNS, at),
        audit_rows_anonymised=len(audit_rows),
        outbox_rows_anonymised=len(outbox_rows),
        notes_deleted=store.delete_notes_before(db, cutoff),
        idempotency_keys_deleted=store.delete_idempotency_before(db, cutoff),
    )
