"""Schema of the service's own data: buyers, orders, logistics and the audit log."""

from __future__ import annotations

import sqlite_utils
from sqlite_utils import Migrations

from knowledge.migrations import execute_all

migrations = Migrations("assistant")


@migrations(name="0001_commerce")
def m0001_commerce(db: sqlite_utils.Database) -> None:
    execute_all(
        db,
        [
            """CREATE TABLE buyers (
                id INTEGER PRIMARY KEY,
                shop_id INTEGER NOT NULL REFERENCES shops(id),
                nick TEXT NOT NULL,
                platform_level INTEGER NOT NULL DEFAULT 1 CHECK (platform_level BETWEEN 0 AND 6),
                member_tier TEXT NOT NULL DEFAULT 'none'
                    CHECK (member_tier IN ('none', 'silver', 'gold', 'platinum', 'diamond')),
                first_seen_at TEXT NOT NULL,
                tags TEXT NOT NULL DEFAULT '[]',
                risk_flag TEXT CHECK (risk_flag IN
                    ('bad_review_extortion', 'professional_claimant', 'malicious_complaint')),
                risk_note TEXT,
                risk_flagged_by INTEGER REFERENCES agents(id),
                risk_flagged_at TEXT,
                version INTEGER NOT NULL DEFAULT 1,
                UNIQUE (shop_id, nick),
                CHECK ((risk_flag IS NULL) = (risk_note IS NULL))
            )""",
            """CREATE TABLE buyer_notes (
                id INTEGER PRIMARY KEY,
                buyer_id INTEGER NOT NULL REFERENCES buyers(id) ON DELETE CASCADE,
                agent_id INTEGER NOT NULL REFERENCES agents(id),
                text TEXT NOT NULL,
                at TEXT NOT NULL
            )""",
            """CREATE TABLE orders (
                id TEXT PRIMARY KEY,
                shop_id INTEGER NOT NULL REFERENCES shops(id),
                buyer_id INTEGER NOT NULL REFERENCES buyers(id),
                status TEXT NOT NULL CHECK (status IN ('awaiting_payment', 'paid', 'shipped',
                    'delivered', 'completed', 'cancelled', 'refunding', 'refunded')),
                created_at TEXT NOT NULL,
                paid_at TEXT,
                shipped_at TEXT,
                delivered_at TEXT,
                price_fen INTEGER NOT NULL CHECK (price_fen > 0),
                postage_fen INTEGER NOT NULL DEFAULT 0 CHECK (postage_fen >= 0),
                receiver_name TEXT NOT NULL,
                receiver_phone TEXT NOT NULL,
                province TEXT NOT NULL,
                city TEXT NOT NULL,
                district TEXT NOT NULL DEFAULT '',
                address_detail TEXT NOT NULL,
                seller_remark TEXT NOT NULL DEFAULT '',
                remark_flag TEXT NOT NULL DEFAULT 'none'
                    CHECK (remark_flag IN ('none', 'red', 'yellow', 'green', 'blue', 'purple')),
                courier TEXT,
                tracking_no TEXT,
                refund_status TEXT NOT NULL DEFAULT 'none'
                    CHECK (refund_status IN ('none', 'requested', 'refunded', 'rejected')),
                disputed INTEGER NOT NULL DEFAULT 0 CHECK (disputed IN (0, 1)),
                version INTEGER NOT NULL DEFAULT 1,
                updated_at TEXT NOT NULL
            )""",
            """CREATE TABLE order_lines (
                id INTEGER PRIMARY KEY,
                order_id TEXT NOT NULL REFERENCES orders(id) ON DELETE CASCADE,
                item_id INTEGER REFERENCES items(id),
                sku TEXT NOT NULL,
                title TEXT NOT NULL,
                unit_price_fen INTEGER NOT NULL CHECK (unit_price_fen > 0),
                quantity INTEGER NOT NULL CHECK (quantity > 0)
            )""",
            """CREATE TABLE logistics_events (
                id INTEGER PRIMARY KEY,
                order_id TEXT NOT NULL REFERENCES orders(id) ON DELETE CASCADE,
                at TEXT NOT NULL,
                status TEXT NOT NULL CHECK (status IN ('collected', 'in_transit', 'out_for_delivery',
                    'delivered', 'exception', 'returned', 'failed_delivery')),
                location TEXT NOT NULL DEFAULT '',
                description TEXT NOT NULL
            )""",
            """CREATE TABLE audit_log (
                id INTEGER PRIMARY KEY,
                at TEXT NOT NULL,
                agent_id INTEGER REFERENCES agents(id),
                shop_id INTEGER REFERENCES shops(id),
                entity TEXT NOT NULL,
                entity_id TEXT NOT NULL,
                action TEXT NOT NULL,
                reason TEXT NOT NULL DEFAULT '',
                before TEXT,
                after TEXT
            )""",
            # The audit log is append-only: no row is ever changed or removed.
            """CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
                BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END""",
            """CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
                BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END""",
            "CREATE INDEX idx_buyer_notes ON buyer_notes (buyer_id, at)",
            "CREATE INDEX idx_orders_buyer ON orders (buyer_id, created_at)",
            "CREATE INDEX idx_orders_shop_status ON orders (shop_id, status, created_at)",
            "CREATE INDEX idx_order_lines_order ON order_lines (order_id)",
            "CREATE INDEX idx_order_lines_item ON order_lines (item_id)",
            "CREATE INDEX idx_logistics_order ON logistics_events (order_id, at)",
            "CREATE INDEX idx_audit_entity ON audit_log (entity, entity_id, at)",
        ],
    )


@migrations(name="0002_commerce_edits")
def m0002_commerce_edits(db: sqlite_utils.Database) -> None:
    execute_all(
        db,
        [
            # The price before any edit: discounts are measured against it. NULL means "price_fen is
            # still the original" (set on the first price edit).
            "ALTER TABLE orders ADD COLUMN original_price_fen INTEGER CHECK (original_price_fen > 0)",
            # An undo entry points at the entry it reverts.
            "ALTER TABLE audit_log ADD COLUMN undoes INTEGER REFERENCES audit_log(id)",
            """CREATE TABLE pending_approvals (
                id INTEGER PRIMARY KEY,
                shop_id INTEGER NOT NULL REFERENCES shops(id),
                order_id TEXT NOT NULL REFERENCES orders(id) ON DELETE CASCADE,
                kind TEXT NOT NULL CHECK (kind IN ('price')),
                requested_by INTEGER NOT NULL REFERENCES agents(id),
                requested_at TEXT NOT NULL,
                order_version INTEGER NOT NULL,
                original_price_fen INTEGER NOT NULL CHECK (original_price_fen > 0),
                from_price_fen INTEGER NOT NULL CHECK (from_price_fen > 0),
                to_price_fen INTEGER NOT NULL CHECK (to_price_fen > 0),
                reason TEXT NOT NULL DEFAULT '',
                status TEXT NOT NULL DEFAULT 'pending'
                    CHECK (status IN ('pending', 'granted', 'refused', 'failed')),
                decided_by INTEGER REFERENCES agents(id),
                decided_at TEXT,
                decision_note TEXT NOT NULL DEFAULT '',
                audit_id INTEGER REFERENCES audit_log(id)
            )""",
            "CREATE INDEX idx_approvals_shop_status ON pending_approvals (shop_id, status, requested_at)",
            "CREATE INDEX idx_approvals_agent ON pending_approvals (requested_by, requested_at)",
            "CREATE INDEX idx_approvals_order ON pending_approvals (order_id)",
            """CREATE TABLE idempotency_keys (
                agent_id INTEGER NOT NULL REFERENCES agents(id),
                key TEXT NOT NULL,
                request_hash TEXT NOT NULL,
                status INTEGER NOT NULL,
                response TEXT NOT NULL,
                created_at TEXT NOT NULL,
                PRIMARY KEY (agent_id, key)
            )""",
            "CREATE INDEX idx_order_lines_order_item ON order_lines (order_id, item_id)",
        ],
    )


@migrations(name="0003_conversation_log")
def m0003_conversation_log(db: sqlite_utils.Database) -> None:
    execute_all(
        db,
        [
            # Every message the chat client reported (message.received = in, message.sent = out), per
            # conversation. `at` is the platform's time and `received_at` ours, both UTC ISO 8601 with
            # microseconds (fixed width, so text order is time order).
            """CREATE TABLE conversation_messages (
                id INTEGER PRIMARY KEY,
                shop_id INTEGER NOT NULL REFERENCES shops(id),
                conversation TEXT NOT NULL,
                buyer_nick TEXT NOT NULL,
                direction TEXT NOT NULL CHECK (direction IN ('in', 'out')),
                source TEXT CHECK (source IN ('human', 'auto_reply', 'assist_bot')),
                agent_id INTEGER REFERENCES agents(id),
                sender TEXT,
                message_id TEXT,
                text TEXT NOT NULL,
                at TEXT NOT NULL,
                received_at TEXT NOT NULL,
                CHECK ((direction = 'in') = (source IS NULL))
            )""",
            "CREATE INDEX idx_conv_messages_conversation ON conversation_messages (shop_id, conversation, at, id)",
            "CREATE INDEX idx_conv_messages_shop_at ON conversation_messages (shop_id, at, id)",
            "CREATE INDEX idx_conv_messages_buyer ON conversation_messages (shop_id, buyer_nick, at)",
            "CREATE INDEX idx_conv_messages_at ON conversation_messages (at)",
            # A message the client reports twice (a retry, two agents' clients) is kept once when it
            # carries the platform's message id.
            """CREATE UNIQUE INDEX idx_conv_messages_platform_id ON conversation_messages (shop_id, message_id)
                WHERE message_id IS NOT NULL""",
        ],
    )


@migrations(name="0004_edit_outbox")
def m0004_edit_outbox(db: sqlite_utils.Database) -> None:
    execute_all(
        db,
        [
            # The platform's modified time of the newest snapshot the chat client pushed (UTC ISO with
            # microseconds); an older snapshot never overwrites a newer one. NULL: never pushed.
            "ALTER TABLE orders ADD COLUMN platform_modified_at TEXT",
            "ALTER TABLE buyers ADD COLUMN platform_modified_at TEXT",
            # Every applied edit (and undo) waits here until the chat client says the platform applied it
            # (or could not). `before`/`after` are the order columns, as in the audit entry.
            """CREATE TABLE edit_outbox (
                id INTEGER PRIMARY KEY,
                shop_id INTEGER NOT NULL REFERENCES shops(id),
                order_id TEXT NOT NULL REFERENCES orders(id) ON DELETE CASCADE,
                audit_id INTEGER NOT NULL UNIQUE REFERENCES audit_log(id),
                kind TEXT NOT NULL CHECK (kind IN ('price', 'postage', 'address', 'remark', 'undo')),
                edit_kind TEXT NOT NULL CHECK (edit_kind IN ('price', 'postage', 'address', 'remark')),
                undoes INTEGER REFERENCES edit_outbox(id),
                before TEXT NOT NULL,
                after TEXT NOT NULL,
                agent_id INTEGER REFERENCES agents(id),
                status TEXT NOT NULL DEFAULT 'pending'
                    CHECK (status IN ('pending', 'applied', 'failed', 'reverted')),
                attempt INTEGER NOT NULL DEFAULT 1 CHECK (attempt >= 1),
                key_base TEXT NOT NULL UNIQUE,
                created_at TEXT NOT NULL,
                offered_at TEXT,
                answered_at TEXT,
                answered_by INTEGER REFERENCES agents(id),
                failure TEXT NOT NULL DEFAULT '',
                platform_modified_at TEXT
            )""",
            "CREATE INDEX idx_outbox_order ON edit_outbox (order_id, id)",
            "CREATE INDEX idx_outbox_pending ON edit_outbox (status, shop_id, id)",
            # The audit log stays append-only, with one sanctioned exception: `kefu purge` may anonymise
            # the personal data in a row's reason/before/after, and only for a row it holds a one-shot
            # permit for; who, when, what and which row never change, and the row is never deleted.
            "ALTER TABLE audit_log ADD COLUMN anonymised_at TEXT",
            # When `kefu purge` removed the receiver's name, phone and street address of an old order.
            "ALTER TABLE orders ADD COLUMN anonymised_at TEXT",
            "CREATE TABLE audit_anonymise_permits (audit_id INTEGER PRIMARY KEY REFERENCES audit_log(id))",
            "DROP TRIGGER audit_log_no_update",
            """CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
                WHEN NOT EXISTS (SELECT 1 FROM audit_anonymise_permits WHERE audit_id = OLD.id)
                    OR NEW.id IS NOT OLD.id OR NEW.at IS NOT OLD.at OR NEW.agent_id IS NOT OLD.agent_id
                    OR NEW.shop_id IS NOT OLD.shop_id OR NEW.entity IS NOT OLD.entity
                    OR NEW.entity_id IS NOT OLD.entity_id OR NEW.action IS NOT OLD.action
                    OR NEW.undoes IS NOT OLD.undoes OR NEW.anonymised_at IS NULL
                BEGIN SELECT RAISE(ABORT, 'audit_log is append-only (only kefu purge may anonymise a row)'); END""",
            """CREATE TRIGGER audit_permit_one_shot AFTER UPDATE ON audit_log
                BEGIN DELETE FROM audit_anonymise_permits WHERE audit_id = NEW.id; END""",
        ],
    )


@migrations(name="0005_shop_import")
def m0005_shop_import(db: sqlite_utils.Database) -> None:
    execute_all(
        db,
        [
            # The platform's own item id (宝贝ID) of an imported item; order lines find items by it,
            # by 商家编码 (sku) or by title.
            "ALTER TABLE items ADD COLUMN platform_item_id TEXT",
            "CREATE UNIQUE INDEX idx_items_platform ON items (shop_id, platform_item_id)"
            " WHERE platform_item_id IS NOT NULL",
            "CREATE INDEX idx_items_shop_title ON items (shop_id, title)",
            # What an export carries beside the order fields the panel edits.
            "ALTER TABLE orders ADD COLUMN buyer_message TEXT NOT NULL DEFAULT ''",
            "ALTER TABLE orders ADD COLUMN refund_fen INTEGER NOT NULL DEFAULT 0 CHECK (refund_fen >= 0)",
            # When the export that last wrote this order was made (NULL: never imported). An older
            # export never overwrites a newer one; local edits after it are conflicts.
            "ALTER TABLE orders ADD COLUMN exported_at TEXT",
            """CREATE TABLE shop_imports (
                id INTEGER PRIMARY KEY,
                shop_id INTEGER NOT NULL REFERENCES shops(id),
                kind TEXT NOT NULL CHECK (kind IN ('orders', 'items')),
                agent_id INTEGER REFERENCES agents(id),
                at TEXT NOT NULL,
                file_name TEXT NOT NULL DEFAULT '',
                exported_at TEXT,
                rows_read INTEGER NOT NULL,
                added INTEGER NOT NULL,
                updated INTEGER NOT NULL,
                conflicts INTEGER NOT NULL,
                left_alone INTEGER NOT NULL,
                refused INTEGER NOT NULL
            )""",
            "CREATE INDEX idx_shop_imports ON shop_imports (shop_id, at)",
        ],
    )
