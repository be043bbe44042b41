"""Team schema steps of payment reminders, care messages and the courier jam (registered in order by ``assistant/team/migrations.py``)."""

from __future__ import annotations

import sqlite_utils

from knowledge.migrations import execute_all


def m0003_reminders(db: sqlite_utils.Database) -> None:
    execute_all(
        db,
        [
            # one open task per shop and buyer, and so one owner: the partial unique index is the rule
            """CREATE TABLE reminder_tasks (
                id INTEGER PRIMARY KEY,
                shop_id INTEGER NOT NULL REFERENCES shops(id),
                buyer_id INTEGER NOT NULL REFERENCES buyers(id),
                buyer_nick TEXT NOT NULL,
                opened_at TEXT NOT NULL,
                first_order_at TEXT NOT NULL,
                closes_at TEXT NOT NULL,
                total_fen INTEGER NOT NULL,
                channel TEXT NOT NULL CHECK (channel IN ('chat', 'sms', 'phone')),
                holdout INTEGER NOT NULL DEFAULT 0 CHECK (holdout IN (0, 1)),
                owner_id INTEGER REFERENCES agents(id),
                lease_until TEXT,
                next_touch_at TEXT,
                touches_planned INTEGER NOT NULL DEFAULT 0,
                state TEXT NOT NULL DEFAULT 'open'
                    CHECK (state IN ('open', 'paid', 'paid_before_reminder', 'closed', 'done')),
                outcome TEXT NOT NULL DEFAULT '',
                ended_at TEXT,
                paid_at TEXT,
                paid_fen INTEGER
            )""",
            "CREATE UNIQUE INDEX reminder_tasks_one_open ON reminder_tasks (shop_id, buyer_id) WHERE state = 'open'",
            "CREATE INDEX idx_reminder_tasks_open ON reminder_tasks (state, shop_id, next_touch_at)",
            """CREATE TABLE reminder_task_orders (
                task_id INTEGER NOT NULL REFERENCES reminder_tasks(id),
                order_id TEXT NOT NULL REFERENCES orders(id),
                PRIMARY KEY (task_id, order_id)
            )""",
            "CREATE INDEX idx_reminder_task_orders_order ON reminder_task_orders (order_id)",
            """CREATE TABLE reminder_touches (
                id INTEGER PRIMARY KEY,
                task_id INTEGER NOT NULL REFERENCES reminder_tasks(id),
                at TEXT NOT NULL,
                agent_id INTEGER NOT NULL REFERENCES agents(id),
                channel TEXT NOT NULL CHECK (channel IN ('chat', 'sms', 'phone')),
                outcome TEXT NOT NULL DEFAULT '',
                text TEXT NOT NULL DEFAULT ''
            )""",
            "CREATE INDEX idx_reminder_touches_task ON reminder_touches (task_id, at)",
            """CREATE TABLE reminder_events (
                id INTEGER PRIMARY KEY,
                task_id INTEGER NOT NULL REFERENCES reminder_tasks(id),
                at TEXT NOT NULL,
                agent_id INTEGER REFERENCES agents(id),
                kind TEXT NOT NULL,
                detail TEXT NOT NULL DEFAULT ''
            )""",
        ],
    )


def m0005_care_messages(db: sqlite_utils.Database) -> None:
    execute_all(
        db,
        [
            # a shop's own text for a purpose (reminder scripts by reason, care stages, the jam apology);
            # a purpose without a row uses the built-in default
            """CREATE TABLE contact_templates (
                shop_id INTEGER NOT NULL REFERENCES shops(id),
                purpose TEXT NOT NULL,
                body TEXT NOT NULL,
                updated_by INTEGER NOT NULL REFERENCES agents(id),
                updated_at TEXT NOT NULL,
                PRIMARY KEY (shop_id, purpose)
            )""",
            # one care message per order and stage (or buyer and event): the unique key is the rule
            """CREATE TABLE care_messages (
                id INTEGER PRIMARY KEY,
                key TEXT NOT NULL UNIQUE,
                shop_id INTEGER NOT NULL REFERENCES shops(id),
                buyer_id INTEGER NOT NULL REFERENCES buyers(id),
                buyer_nick TEXT NOT NULL,
                order_id TEXT REFERENCES orders(id),
                stage TEXT NOT NULL,
                text TEXT NOT NULL,
                phone TEXT NOT NULL DEFAULT '',
                channel TEXT NOT NULL CHECK (channel IN ('host', 'sms')),
                state TEXT NOT NULL DEFAULT 'pending'
                    CHECK (state IN ('pending', 'sent', 'exported', 'skipped')),
                reason TEXT NOT NULL DEFAULT '',
                created_at TEXT NOT NULL,
                due_at TEXT NOT NULL,
                sent_at TEXT,
                sent_by INTEGER REFERENCES agents(id)
            )""",
            "CREATE INDEX idx_care_messages_due ON care_messages (state, shop_id, due_at)",
            "CREATE INDEX idx_care_messages_buyer ON care_messages (shop_id, buyer_id, sent_at)",
            # The reminder scan at scale (100,000 open orders within 200 ms): it reads only what changed.
            # Orders that stopped waiting for payment are queued by a trigger (every status change is an
            # UPDATE), so ending tasks costs the changes, not the open tasks; ...
            """CREATE TABLE reminder_order_changes (
                id INTEGER PRIMARY KEY,
                order_id TEXT NOT NULL
            )""",
            """CREATE TRIGGER reminder_order_left_unpaid AFTER UPDATE OF status ON orders
                WHEN OLD.status = 'awaiting_payment' AND NEW.status != 'awaiting_payment'
                BEGIN INSERT INTO reminder_order_changes (order_id) VALUES (NEW.id); END""",
            """INSERT INTO reminder_order_changes (order_id)
                SELECT r.order_id FROM reminder_task_orders r JOIN reminder_tasks t ON t.id = r.task_id
                JOIN orders o ON o.id = r.order_id WHERE t.state = 'open' AND o.status != 'awaiting_payment'""",
            # tasks past their close time and lapsed leases are found by index, not by reading every open task
            "CREATE INDEX idx_reminder_tasks_closing ON reminder_tasks (julianday(closes_at)) WHERE state = 'open'",
            """CREATE INDEX idx_reminder_tasks_lease ON reminder_tasks (lease_until)
                WHERE state = 'open' AND lease_until IS NOT NULL""",
            # ... and new orders are read past a mark (the orders' rowid below which every unpaid order
            # has its task, or never will), so opening tasks costs the new orders.
            """CREATE TABLE reminder_marks (
                name TEXT PRIMARY KEY,
                value INTEGER NOT NULL
            )""",
        ],
    )


def m0012_courier_jam(db: sqlite_utils.Database) -> None:
    execute_all(
        db,
        [
            """CREATE TABLE jam_notices (
                id INTEGER PRIMARY KEY,
                shop_id INTEGER NOT NULL REFERENCES shops(id),
                selection TEXT NOT NULL,
                template TEXT NOT NULL,
                buyers INTEGER NOT NULL,
                state TEXT NOT NULL CHECK (state IN ('awaiting_approval', 'approved', 'sent')),
                created_by INTEGER NOT NULL REFERENCES agents(id),
                created_at TEXT NOT NULL,
                approved_by INTEGER REFERENCES agents(id),
                approved_at TEXT,
                CHECK (approved_by IS NULL OR approved_by != created_by)
            )""",
            # every buyer gets a notice once: one row per notice and buyer, sent at most once
            """CREATE TABLE jam_recipients (
                notice_id INTEGER NOT NULL REFERENCES jam_notices(id),
                buyer_id INTEGER NOT NULL REFERENCES buyers(id),
                buyer_nick TEXT NOT NULL,
                order_id TEXT NOT NULL REFERENCES orders(id),
                receiver_name TEXT NOT NULL,
                phone TEXT NOT NULL,
                text TEXT NOT NULL,
                channel TEXT CHECK (channel IN ('host', 'sms')),
                sent_at TEXT,
                sent_by INTEGER REFERENCES agents(id),
                PRIMARY KEY (notice_id, buyer_id)
            )""",
        ],
    )
