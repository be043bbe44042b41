"""Team schema steps of order review before shipping, the trainee quiz and the refund review (registered in order by ``assistant/team/migrations.py``)."""

from __future__ import annotations

import sqlite_utils

from knowledge.migrations import execute_all


def m0010_order_review(db: sqlite_utils.Database) -> None:
    execute_all(
        db,
        [
            # The order-review role (订单审核专员) is granted here: the knowledge schema's CHECK on
            # agents.role predates it, and the grant is the team's to give. The directory loads an agent
            # with a grant as role `reviewer` (assistant/team/grant_store.effective_agents).
            """CREATE TABLE order_reviewers (
                agent_id INTEGER PRIMARY KEY REFERENCES agents(id),
                granted_by INTEGER REFERENCES agents(id),
                granted_at TEXT NOT NULL
            )""",
            # What the order-local rules found per open order, so the queue reads the few flagged orders
            # instead of parsing 100,000 addresses per request. `flagged` = reasons is not '[]'.
            """CREATE TABLE review_checks (
                order_id TEXT PRIMARY KEY REFERENCES orders(id) ON DELETE CASCADE,
                shop_id INTEGER NOT NULL REFERENCES shops(id),
                flagged INTEGER NOT NULL CHECK (flagged IN (0, 1)),
                reasons TEXT NOT NULL,
                -- the newest review_dirty id the check had seen: an older check never replaces a newer one
                basis INTEGER NOT NULL DEFAULT 0
            )""",
            "CREATE INDEX idx_review_checks_flagged ON review_checks (shop_id) WHERE flagged = 1",
            # The rule settings a shop's checks were made with: other settings → every check again.
            """CREATE TABLE review_rules (
                shop_id INTEGER PRIMARY KEY REFERENCES shops(id),
                rules_key TEXT NOT NULL
            )""",
            # Orders whose checked columns changed since their check (whoever changed them: an edit, an
            # import, a snapshot, a purge): the queue checks these again, then clears what it read.
            # AUTOINCREMENT: ids never come back once cleared, so a check's `basis` only grows
            "CREATE TABLE review_dirty (id INTEGER PRIMARY KEY AUTOINCREMENT, order_id TEXT NOT NULL)",
            """CREATE TRIGGER review_dirty_insert AFTER INSERT ON orders
                BEGIN INSERT INTO review_dirty (order_id) VALUES (NEW.id); END""",
            """CREATE TRIGGER review_dirty_update AFTER UPDATE OF status, shipped_at, receiver_name, receiver_phone,
                province, city, district, address_detail, buyer_message ON orders
                BEGIN INSERT INTO review_dirty (order_id) VALUES (NEW.id); END""",
            # "Reviewed" holds for the order version the reviewer saw; a later change brings it back.
            """CREATE TABLE order_reviews (
                id INTEGER PRIMARY KEY,
                order_id TEXT NOT NULL REFERENCES orders(id) ON DELETE CASCADE,
                shop_id INTEGER NOT NULL REFERENCES shops(id),
                version INTEGER NOT NULL,
                reasons TEXT NOT NULL,
                agent_id INTEGER NOT NULL REFERENCES agents(id),
                at TEXT NOT NULL
            )""",
            "CREATE INDEX idx_order_reviews_order ON order_reviews (order_id, version)",
            # A hold: do not ship until released; one open hold per order is a fact of the database.
            """CREATE TABLE order_holds (
                id INTEGER PRIMARY KEY,
                order_id TEXT NOT NULL REFERENCES orders(id) ON DELETE CASCADE,
                shop_id INTEGER NOT NULL REFERENCES shops(id),
                reason TEXT NOT NULL,
                held_by INTEGER NOT NULL REFERENCES agents(id),
                held_at TEXT NOT NULL,
                released_by INTEGER REFERENCES agents(id),
                released_at TEXT,
                release_note TEXT NOT NULL DEFAULT ''
            )""",
            "CREATE UNIQUE INDEX order_holds_one_open ON order_holds (order_id) WHERE released_at IS NULL",
            "CREATE INDEX idx_order_holds_shop ON order_holds (shop_id, released_at)",
        ],
    )


def m0011_training(db: sqlite_utils.Database) -> None:
    execute_all(
        db,
        [
            # Trainee status (a status, not a role: a trainee is an agent still learning) and the pass.
            """CREATE TABLE trainees (
                agent_id INTEGER PRIMARY KEY REFERENCES agents(id),
                shop_id INTEGER NOT NULL REFERENCES shops(id),
                added_by INTEGER REFERENCES agents(id),
                added_at TEXT NOT NULL,
                passed_at TEXT,
                passed_accuracy REAL,
                passed_coverage REAL
            )""",
            # The trainer's pass mark per shop (none: the settings' defaults)
            """CREATE TABLE training_pass_marks (
                shop_id INTEGER PRIMARY KEY REFERENCES shops(id),
                accuracy REAL NOT NULL CHECK (accuracy BETWEEN 0 AND 1),
                coverage REAL NOT NULL CHECK (coverage BETWEEN 0 AND 1),
                set_by INTEGER NOT NULL REFERENCES agents(id),
                set_at TEXT NOT NULL
            )""",
            """CREATE TABLE training_rounds (
                id INTEGER PRIMARY KEY,
                shop_id INTEGER NOT NULL REFERENCES shops(id),
                agent_id INTEGER NOT NULL REFERENCES agents(id),
                mode TEXT NOT NULL CHECK (mode IN ('timed', 'topic', 'campaign', 'what-changed')),
                topic TEXT,
                seconds_per_question INTEGER,
                started_at TEXT NOT NULL,
                finished_at TEXT
            )""",
            "CREATE INDEX idx_training_rounds_agent ON training_rounds (agent_id, started_at)",
            # One question of a round: what the buyer asks, the reference answers, the quick replies that
            # count as the right pick, and the trainee's answer with its mark (a trainer may override it).
            """CREATE TABLE training_questions (
                id INTEGER PRIMARY KEY,
                round_id INTEGER NOT NULL REFERENCES training_rounds(id) ON DELETE CASCADE,
                position INTEGER NOT NULL,
                source TEXT NOT NULL CHECK (source IN ('intent', 'script', 'rules', 'phrase', 'case')),
                ref_id INTEGER NOT NULL,
                intent_id INTEGER,
                question TEXT NOT NULL,
                refs TEXT NOT NULL,
                choices TEXT NOT NULL,
                right_picks TEXT NOT NULL,
                answered_at TEXT,
                answer_text TEXT,
                picked_phrase_id INTEGER,
                similarity REAL,
                late INTEGER NOT NULL DEFAULT 0,
                elapsed_ms INTEGER,
                auto_correct INTEGER,
                override_correct INTEGER,
                override_by INTEGER REFERENCES agents(id),
                override_note TEXT NOT NULL DEFAULT '',
                UNIQUE (round_id, position)
            )""",
        ],
    )


def m0013_refund_review(db: sqlite_utils.Database) -> None:
    now = "strftime('%Y-%m-%dT%H:%M:%f', 'now') || '000+00:00'"
    # a request opens with the refund amount asked for, else the whole order (price + postage)
    opens = f"""INSERT OR IGNORE INTO refund_requests (shop_id, order_id, amount_fen, requested_at)
                VALUES (NEW.shop_id, NEW.id,
                        CASE WHEN NEW.refund_fen > 0 THEN NEW.refund_fen ELSE NEW.price_fen + NEW.postage_fen END,
                        {now});"""
    execute_all(
        db,
        [
            # The refund-review role (退款审核专员), granted like the order-review role; the directory
            # loads an agent with the grant as role `refund_reviewer` (assistant/team/grant_store.py).
            """CREATE TABLE refund_reviewers (
                agent_id INTEGER PRIMARY KEY REFERENCES agents(id),
                granted_by INTEGER REFERENCES agents(id),
                granted_at TEXT NOT NULL
            )""",
            # One buyer's refund request on one order, from the moment the order's refund status became
            # `requested` (a platform snapshot, an import) to the reviewer's decision. The decision is the
            # reviewer's; the platform carries it out and its next snapshot brings the order's new status.
            # `elsewhere`: the request left `requested` without a decision here (decided in the platform,
            # withdrawn by the buyer): nobody's review, left out of the reviewers' KPI.
            # `wrong_reason`: a supervisor found the decision wrong afterwards (误退 / 误拒).
            """CREATE TABLE refund_requests (
                id INTEGER PRIMARY KEY,
                shop_id INTEGER NOT NULL REFERENCES shops(id),
                order_id TEXT NOT NULL REFERENCES orders(id) ON DELETE CASCADE,
                amount_fen INTEGER NOT NULL CHECK (amount_fen >= 0),
                requested_at TEXT NOT NULL,
                outcome TEXT CHECK (outcome IN ('approved', 'rejected', 'elsewhere')),
                reviewer_id INTEGER REFERENCES agents(id),
                decided_at TEXT,
                note TEXT NOT NULL DEFAULT '',
                wrong_reason TEXT,
                wrong_by INTEGER REFERENCES agents(id),
                wrong_at TEXT,
                version INTEGER NOT NULL DEFAULT 1,
                CHECK ((outcome IS NULL) = (decided_at IS NULL)),
                CHECK (wrong_reason IS NULL OR outcome IN ('approved', 'rejected'))
            )""",
            "CREATE UNIQUE INDEX refund_requests_one_open ON refund_requests (order_id) WHERE outcome IS NULL",
            "CREATE INDEX idx_refund_requests_open ON refund_requests (shop_id, requested_at) WHERE outcome IS NULL",
            "CREATE INDEX idx_refund_requests_decided ON refund_requests (shop_id, decided_at)",
            f"""CREATE TRIGGER refund_requested_insert AFTER INSERT ON orders
                WHEN NEW.refund_status = 'requested'
                BEGIN {opens} END""",
            f"""CREATE TRIGGER refund_requested_update AFTER UPDATE OF refund_status ON orders
                WHEN NEW.refund_status = 'requested' AND OLD.refund_status <> 'requested'
                BEGIN {opens} END""",
            f"""CREATE TRIGGER refund_request_left AFTER UPDATE OF refund_status ON orders
                WHEN OLD.refund_status = 'requested' AND NEW.refund_status <> 'requested'
                BEGIN
                    UPDATE refund_requests SET outcome = 'elsewhere', decided_at = {now}, version = version + 1
                    WHERE order_id = NEW.id AND outcome IS NULL;
                END""",
            # the requests already open when this arrived, from the orders' last change
            """INSERT INTO refund_requests (shop_id, order_id, amount_fen, requested_at)
                SELECT shop_id, id, CASE WHEN refund_fen > 0 THEN refund_fen ELSE price_fen + postage_fen END,
                       strftime('%Y-%m-%dT%H:%M:%f', updated_at) || '000+00:00'
                FROM orders WHERE refund_status = 'requested'""",
        ],
    )
