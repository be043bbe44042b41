"""Schema of the team workflows: take-over claims and the emergency switch."""

from __future__ import annotations

import sqlite_utils
from sqlite_utils import Migrations

from knowledge.migrations import execute_all

migrations = Migrations("team")


@migrations(name="0001_response_watch")
def m0001_response_watch(db: sqlite_utils.Database) -> None:
    execute_all(
        db,
        [
            # "我来接": one open claim per conversation is a fact of the database, not a convention
            """CREATE TABLE watch_claims (
                id INTEGER PRIMARY KEY,
                shop_id INTEGER NOT NULL REFERENCES shops(id),
                conversation TEXT NOT NULL,
                buyer_nick TEXT NOT NULL,
                agent_id INTEGER NOT NULL REFERENCES agents(id),
                from_agent_id INTEGER REFERENCES agents(id),
                claimed_at TEXT NOT NULL,
                released_at TEXT,
                released_why TEXT
            )""",
            """CREATE UNIQUE INDEX watch_claims_one_open ON watch_claims (shop_id, conversation)
                WHERE released_at IS NULL""",
            "CREATE INDEX idx_watch_claims_agent ON watch_claims (agent_id, released_at)",
            # the emergency switch: at most one on per shop; every switch is also in the audit log
            """CREATE TABLE emergencies (
                id INTEGER PRIMARY KEY,
                shop_id INTEGER NOT NULL REFERENCES shops(id),
                reason TEXT NOT NULL,
                auto_reply TEXT NOT NULL,
                script_id INTEGER REFERENCES campaign_scripts(id),
                started_by INTEGER NOT NULL REFERENCES agents(id),
                started_at TEXT NOT NULL,
                ended_by INTEGER REFERENCES agents(id),
                ended_at TEXT
            )""",
            "CREATE UNIQUE INDEX emergencies_one_on ON emergencies (shop_id) WHERE ended_at IS NULL",
        ],
    )


@migrations(name="0002_kpi_closes")
def m0002_kpi_closes(db: sqlite_utils.Database) -> None:
    execute_all(
        db,
        [
            # a closed month's figures, frozen: a later recomputation is shown beside them, never over them
            """CREATE TABLE kpi_closes (
                id INTEGER PRIMARY KEY,
                period TEXT NOT NULL,
                shop_id INTEGER REFERENCES shops(id),
                closed_by INTEGER NOT NULL REFERENCES agents(id),
                closed_at TEXT NOT NULL,
                report TEXT NOT NULL
            )""",
            "CREATE UNIQUE INDEX kpi_closes_once ON kpi_closes (period, coalesce(shop_id, 0))",
            """CREATE TRIGGER kpi_closes_no_update BEFORE UPDATE ON kpi_closes
                BEGIN SELECT RAISE(ABORT, 'a closed month is never changed'); END""",
        ],
    )


@migrations(name="0003_reminders")
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


@migrations(name="0004_quality_control")
def m0004_quality_control(db: sqlite_utils.Database) -> None:
    execute_all(
        db,
        [
            """CREATE TABLE qc_reviews (
                id INTEGER PRIMARY KEY,
                day TEXT NOT NULL,
                reviewer_id INTEGER NOT NULL REFERENCES agents(id),
                shop_id INTEGER NOT NULL REFERENCES shops(id),
                conversation TEXT NOT NULL,
                agent_id INTEGER NOT NULL REFERENCES agents(id),
                reason TEXT NOT NULL DEFAULT '',
                marks TEXT NOT NULL,
                score REAL NOT NULL,
                zeroed_by TEXT NOT NULL DEFAULT '',
                calibration INTEGER NOT NULL DEFAULT 0 CHECK (calibration IN (0, 1)),
                comment TEXT NOT NULL DEFAULT '',
                created_at TEXT NOT NULL,
                UNIQUE (reviewer_id, shop_id, conversation, day)
            )""",
            "CREATE INDEX idx_qc_reviews_agent ON qc_reviews (agent_id, created_at)",
            """CREATE TABLE qc_disputes (
                id INTEGER PRIMARY KEY,
                review_id INTEGER NOT NULL UNIQUE REFERENCES qc_reviews(id),
                agent_id INTEGER NOT NULL REFERENCES agents(id),
                reason TEXT NOT NULL,
                at TEXT NOT NULL,
                decided_by INTEGER REFERENCES agents(id),
                decision TEXT CHECK (decision IN ('upheld', 'revised')),
                new_score REAL,
                decided_at TEXT
            )""",
            # evidence is never edited: the frozen payload and its hash cannot change, only the deletion mark
            """CREATE TABLE evidence (
                id INTEGER PRIMARY KEY,
                shop_id INTEGER NOT NULL REFERENCES shops(id),
                buyer_nick TEXT NOT NULL,
                conversation TEXT NOT NULL,
                note TEXT NOT NULL,
                created_by INTEGER NOT NULL REFERENCES agents(id),
                created_at TEXT NOT NULL,
                payload TEXT NOT NULL,
                hash TEXT NOT NULL,
                deleted_by INTEGER REFERENCES agents(id),
                deleted_at TEXT
            )""",
            """CREATE TRIGGER evidence_frozen BEFORE UPDATE OF shop_id, buyer_nick, conversation, note, created_by,
                created_at, payload, hash ON evidence
                BEGIN SELECT RAISE(ABORT, 'evidence is never edited'); END""",
            "CREATE TRIGGER evidence_kept BEFORE DELETE ON evidence BEGIN SELECT RAISE(ABORT, 'evidence is kept'); END",
            "CREATE INDEX idx_evidence_buyer ON evidence (buyer_nick, created_at)",
        ],
    )


@migrations(name="0006_kpi_daily")
def m0006_kpi_daily(db: sqlite_utils.Database) -> None:
    execute_all(
        db,
        [
            # each agent's figures per shop and day, precomputed so a month's report is a sum
            """CREATE TABLE kpi_daily (
                day TEXT NOT NULL,
                shop_id INTEGER NOT NULL REFERENCES shops(id),
                agent_id INTEGER NOT NULL REFERENCES agents(id),
                figures TEXT NOT NULL,
                PRIMARY KEY (day, shop_id, agent_id)
            )""",
            # the days that were computed (a day with no figures is computed too)
            """CREATE TABLE kpi_days (
                day TEXT NOT NULL,
                shop_id INTEGER NOT NULL REFERENCES shops(id),
                computed_at TEXT NOT NULL,
                PRIMARY KEY (day, shop_id)
            )""",
        ],
    )


@migrations(name="0007_roster")
def m0007_roster(db: sqlite_utils.Database) -> None:
    execute_all(
        db,
        [
            # the half-month rotation group of each agent (agents not listed alternate by id)
            """CREATE TABLE roster_groups (
                agent_id INTEGER PRIMARY KEY REFERENCES agents(id),
                rotation TEXT NOT NULL CHECK (rotation IN ('A', 'B')),
                set_by INTEGER NOT NULL REFERENCES agents(id),
                set_at TEXT NOT NULL
            )""",
        ],
    )


@migrations(name="0009_qc_findings")
def m0009_qc_findings(db: sqlite_utils.Database) -> None:
    execute_all(
        db,
        [
            # a finding opens a fix on one quick reply or intent, or a training card for the trainer
            """CREATE TABLE qc_findings (
                id INTEGER PRIMARY KEY,
                shop_id INTEGER NOT NULL REFERENCES shops(id),
                review_id INTEGER REFERENCES qc_reviews(id),
                conversation TEXT NOT NULL DEFAULT '',
                agent_id INTEGER REFERENCES agents(id),
                kind TEXT NOT NULL CHECK (kind IN ('fix', 'training')),
                target_kind TEXT CHECK (target_kind IN ('quick_reply', 'intent')),
                target_id INTEGER,
                target_name TEXT NOT NULL DEFAULT '',
                note TEXT NOT NULL,
                created_by INTEGER NOT NULL REFERENCES agents(id),
                created_at TEXT NOT NULL,
                closed_by INTEGER REFERENCES agents(id),
                closed_at TEXT,
                outcome TEXT NOT NULL DEFAULT '',
                CHECK ((kind = 'fix') = (target_kind IS NOT NULL AND target_id IS NOT NULL))
            )""",
            "CREATE INDEX idx_qc_findings_target ON qc_findings (target_kind, target_id, closed_at)",
            "CREATE INDEX idx_qc_findings_shop ON qc_findings (shop_id, closed_at)",
            # 丢单 / 优秀: one tag of each kind per conversation, for the weekly meeting's pack
            """CREATE TABLE qc_tags (
                id INTEGER PRIMARY KEY,
                shop_id INTEGER NOT NULL REFERENCES shops(id),
                conversation TEXT NOT NULL,
                day TEXT NOT NULL,
                tag TEXT NOT NULL CHECK (tag IN ('lost_order', 'excellent')),
                agent_id INTEGER REFERENCES agents(id),
                buyer_nick TEXT NOT NULL DEFAULT '',
                note TEXT NOT NULL DEFAULT '',
                created_by INTEGER NOT NULL REFERENCES agents(id),
                created_at TEXT NOT NULL,
                UNIQUE (shop_id, conversation, tag)
            )""",
            "CREATE INDEX idx_qc_tags_day ON qc_tags (day, shop_id)",
            # the team's scorecard and forbidden-word list, when edited (defaults in team/qc.py otherwise)
            """CREATE TABLE qc_config (
                key TEXT PRIMARY KEY CHECK (key IN ('scorecard', 'forbidden_words')),
                value TEXT NOT NULL,
                updated_by INTEGER NOT NULL REFERENCES agents(id),
                updated_at TEXT NOT NULL
            )""",
        ],
    )


@migrations(name="0005_care_messages")
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


@migrations(name="0012_courier_jam")
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


@migrations(name="0008_kpi_settings")
def m0008_kpi_settings(db: sqlite_utils.Database) -> None:
    execute_all(
        db,
        [
            # the supervisor's KPI settings (weights per role, targets, bonus bands, level criteria): one
            # versioned document; every save is audited with the document before and after
            """CREATE TABLE kpi_settings (
                id INTEGER PRIMARY KEY CHECK (id = 1),
                body TEXT NOT NULL,
                version INTEGER NOT NULL,
                set_by INTEGER NOT NULL REFERENCES agents(id),
                set_at TEXT NOT NULL
            )""",
            # service evaluations (evaluation.invited / evaluation.rated events): one per conversation; the
            # agent is the one who invited, else the one whose client reported the rating
            """CREATE TABLE evaluations (
                shop_id INTEGER NOT NULL REFERENCES shops(id),
                conversation TEXT NOT NULL,
                buyer_nick TEXT NOT NULL,
                agent_id INTEGER NOT NULL REFERENCES agents(id),
                invited_at TEXT,
                rating INTEGER CHECK (rating BETWEEN 1 AND 5),
                rated_at TEXT,
                PRIMARY KEY (shop_id, conversation)
            )""",
            "CREATE INDEX idx_evaluations_invited ON evaluations (shop_id, invited_at)",
            "CREATE INDEX idx_evaluations_rated ON evaluations (shop_id, rated_at)",
        ],
    )


@migrations(name="0010_order_review")
def m0010_order_review(db: sqlite_utils.Database) -> None:
    execute_all(
        db,
        [
            # The order-review role (订单审核专员) is granted here: the knowledge schema's CHECK on
            # agents.role predates it, and the grant is the team's to give. The directory loads an agent
            # with a grant as role `reviewer` (assistant/team/grants.effective_agents).
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


@migrations(name="0011_training")
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


@migrations(name="0013_refund_review")
def m0013_refund_review(db: sqlite_utils.Database) -> None:
    now = "strftime('%Y-%m-%dT%H:%M:%f', 'now') || '000+00:00'"
    execute_all(
        db,
        [
            # The refund-review role (退款审核专员), granted like the order-review role; the directory
            # loads an agent with the grant as role `refund_reviewer` (assistant/team/grants.py).
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
                BEGIN
                    INSERT OR IGNORE INTO refund_requests (shop_id, order_id, amount_fen, requested_at)
                    VALUES (NEW.shop_id, NEW.id,
                            CASE WHEN NEW.refund_fen > 0 THEN NEW.refund_fen
                                 ELSE NEW.price_fen + NEW.postage_fen END, {now});
                END""",
            f"""CREATE TRIGGER refund_requested_update AFTER UPDATE OF refund_status ON orders
                WHEN NEW.refund_status = 'requested' AND OLD.refund_status <> 'requested'
                BEGIN
                    INSERT OR IGNORE INTO refund_requests (shop_id, order_id, amount_fen, requested_at)
                    VALUES (NEW.shop_id, NEW.id,
                            CASE WHEN NEW.refund_fen > 0 THEN NEW.refund_fen
                                 ELSE NEW.price_fen + NEW.postage_fen END, {now});
                END""",
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
