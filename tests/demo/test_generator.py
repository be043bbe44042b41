"""The demo shop is deterministic and as rich as the issue asks."""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
from collections.abc import Iterator
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
import sqlite_utils

from assistant.app import MIGRATION_SETS
from assistant.demo.generator import build_demo
from knowledge.database import AsyncDatabase
from knowledge.text import fold

# Every test here builds the demo shop (10-40 s on two cores): the full run only.
pytestmark = pytest.mark.slow

NOW = datetime(2026, 11, 11, 9, 30, tzinfo=timezone(timedelta(hours=8)))
TABLES = [
    "shops",
    "agents",
    "items",
    "item_knowledge",
    "related_items",
    "quick_reply_groups",
    "quick_replies",
    "intents",
    "intent_examples",
    "intent_answers",
    "campaigns",
    "campaign_scripts",
    "synonyms",
    "buyers",
    "buyer_notes",
    "orders",
    "order_lines",
    "logistics_events",
    "revisions",
]


def build(path: Path, seed: int = 11) -> AsyncDatabase:
    db = AsyncDatabase(path)
    db.open(MIGRATION_SETS)
    db.write_sync(lambda conn: build_demo(conn, seed=seed, now=NOW))
    return db


def digest(db: AsyncDatabase) -> str:
    def run(conn: sqlite_utils.Database) -> str:
        sha = hashlib.sha256()
        for table in TABLES:
            for row in conn.execute(f"SELECT * FROM {table} ORDER BY rowid"):
                sha.update(repr(row).encode())
        return sha.hexdigest()

    return db.read_sync(run)


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[AsyncDatabase]:
    db = build(tmp_path_factory.mktemp("demo") / "kefu.db")
    yield db
    db.close()


def scalar(db: AsyncDatabase, sql: str) -> int:
    return int(db.read_sync(lambda conn: conn.execute(sql).fetchone()[0]))


def test_the_same_seed_and_time_build_the_same_shop(demo: AsyncDatabase, tmp_path: Path) -> None:
    again = build(tmp_path / "again.db")
    other_seed = build(tmp_path / "other.db", seed=12)
    try:
        assert digest(again) == digest(demo)
        assert digest(other_seed) != digest(demo)
    finally:
        again.close()
        other_seed.close()


def test_the_shop_does_not_depend_on_the_process_hash_seed(demo: AsyncDatabase, tmp_path: Path) -> None:
    """Another process (string hashing not randomised there, randomised here) builds the same shop:
    nicknames drawn in a set's order once gave each run of the service different buyers."""
    script = (
        "import sys; from pathlib import Path; sys.path[:0] = [sys.argv[1], sys.argv[2]];"
        "from test_generator import build, digest; print(digest(build(Path(sys.argv[3]))))"
    )
    here = Path(__file__).resolve().parent
    env = {**os.environ, "PYTHONHASHSEED": "0"}
    out = subprocess.run(
        [sys.executable, "-c", script, str(here.parents[1]), str(here), str(tmp_path / "other.db")],
        env=env,
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
    )
    assert out.stdout.strip() == digest(demo)


def test_catalog(demo: AsyncDatabase) -> None:
    assert scalar(demo, "SELECT count(*) FROM items") >= 150
    assert scalar(demo, "SELECT count(DISTINCT category) FROM items") >= 4
    assert scalar(demo, "SELECT count(*) FROM items WHERE stock = 0") > 0
    assert scalar(demo, "SELECT count(*) FROM item_knowledge WHERE size_chart IS NOT NULL") >= 20
    assert scalar(demo, "SELECT count(*) FROM item_knowledge WHERE installation IS NOT NULL") >= 10
    assert scalar(demo, "SELECT count(DISTINCT item_id) FROM related_items") >= 100


def test_buyers_and_orders(demo: AsyncDatabase) -> None:
    assert scalar(demo, "SELECT count(*) FROM buyers") >= 2000
    assert scalar(demo, "SELECT count(*) FROM orders") >= 10000
    statuses = demo.read_sync(
        lambda c: dict(c.execute("SELECT status, count(*) FROM orders GROUP BY status").fetchall())
    )
    assert set(statuses) == {
        "awaiting_payment",
        "paid",
        "shipped",
        "delivered",
        "completed",
        "cancelled",
        "refunding",
        "refunded",
    }
    assert min(statuses.values()) >= 50
    returning = scalar(
        demo, "SELECT count(*) FROM (SELECT buyer_id FROM orders GROUP BY buyer_id HAVING count(*) > 1)"
    )
    assert returning >= 500
    assert scalar(demo, "SELECT count(DISTINCT member_tier) FROM buyers") == 5
    flagged = demo.read_sync(
        lambda c: c.execute(
            "SELECT risk_flag, risk_note, risk_flagged_by FROM buyers WHERE risk_flag IS NOT NULL"
        ).fetchall()
    )
    assert len(flagged) >= 10
    assert all(note and by for _, note, by in flagged)
    assert {kind for kind, _, _ in flagged} == {
        "bad_review_extortion",
        "professional_claimant",
        "malicious_complaint",
    }
    # every shipped order has a courier and a timeline; some parcels are in trouble
    assert scalar(demo, "SELECT count(*) FROM orders WHERE status = 'shipped' AND tracking_no IS NULL") == 0
    assert (
        scalar(
            demo,
            "SELECT count(*) FROM orders o WHERE status = 'shipped' AND NOT EXISTS "
            "(SELECT 1 FROM logistics_events e WHERE e.order_id = o.id)",
        )
        == 0
    )
    assert scalar(demo, "SELECT count(DISTINCT status) FROM logistics_events") == 7
    assert scalar(demo, "SELECT count(*) FROM orders WHERE remark_flag != 'none'") > 100
    assert scalar(demo, "SELECT count(*) FROM orders WHERE price_fen <= 0") == 0


def test_quick_replies(demo: AsyncDatabase) -> None:
    assert scalar(demo, "SELECT count(*) FROM quick_replies") >= 300
    assert scalar(demo, "SELECT count(*) FROM quick_reply_groups WHERE shop_id = 1") >= 10
    assert scalar(demo, "SELECT count(*) FROM quick_replies WHERE scope = 'personal'") >= 5
    assert scalar(demo, "SELECT count(*) FROM quick_replies WHERE scope = 'team'") >= 3
    assert scalar(demo, "SELECT count(*) FROM quick_replies WHERE valid_until IS NOT NULL") >= 5
    codes = demo.read_sync(
        lambda c: c.execute("SELECT code FROM quick_replies WHERE shop_id = 1 AND scope = 'shop'").fetchall()
    )
    assert len(codes) == len(set(codes))
    assert scalar(demo, "SELECT count(*) FROM quick_replies WHERE search_keys NOT LIKE '%initials%'") == 0


def test_intents_are_written_as_buyers_write(demo: AsyncDatabase) -> None:
    assert scalar(demo, "SELECT count(*) FROM intents WHERE item_id IS NULL") >= 120
    assert (
        scalar(
            demo,
            "SELECT min(n) FROM (SELECT count(*) AS n FROM intent_examples e JOIN intents i "
            "ON i.id = e.intent_id WHERE i.item_id IS NULL GROUP BY intent_id)",
        )
        >= 6
    )
    examples = [
        row[0] for row in demo.read_sync(lambda c: c.execute("SELECT text FROM intent_examples").fetchall())
    ]
    traditional = [t for t in examples if fold(t) != t.lower() and not t.isascii()]
    emoji = [t for t in examples if any(ord(ch) > 0x1F000 for ch in t)]
    full_width = [t for t in examples if any(0xFF01 <= ord(ch) <= 0xFF5E for ch in t)]
    assert len(traditional) >= 50
    assert len(emoji) >= 20
    assert len(full_width) >= 20
    # hot-item answers for the twenty hot items
    assert scalar(demo, "SELECT count(DISTINCT item_id) FROM intents WHERE item_id IS NOT NULL") >= 20


def test_double_11_campaign_is_live_around_now(demo: AsyncDatabase) -> None:
    row = demo.read_sync(lambda c: c.execute("SELECT id, name, starts_at, ends_at FROM campaigns").fetchone())
    assert "双11" in row[1]
    assert datetime.fromisoformat(row[2]) <= NOW <= datetime.fromisoformat(row[3])
    kinds = demo.read_sync(
        lambda c: dict(c.execute("SELECT kind, count(*) FROM campaign_scripts GROUP BY kind").fetchall())
    )
    assert set(kinds) == {"welcome", "waiting", "closing", "emergency", "auto_reply"}
    assert kinds["emergency"] >= 4


def test_the_refund_reviewer_has_two_months_of_decisions_and_open_requests(demo: AsyncDatabase) -> None:
    reviewer = scalar(
        demo,
        "SELECT r.agent_id FROM refund_reviewers r JOIN agents a ON a.id = r.agent_id WHERE a.login = 'xiaoqin'",
    )
    decided = scalar(demo, f"SELECT count(*) FROM refund_requests WHERE reviewer_id = {reviewer}")
    late = scalar(
        demo,
        f"""SELECT count(*) FROM refund_requests WHERE reviewer_id = {reviewer}
            AND (julianday(decided_at) - julianday(requested_at)) * 1440 > 120""",
    )
    assert decided >= 80 and 0 < late < decided * 0.25  # mostly on time, a few late
    assert 1 <= scalar(demo, "SELECT count(*) FROM refund_requests WHERE wrong_reason IS NOT NULL") <= 2
    assert scalar(demo, "SELECT count(*) FROM refund_requests WHERE outcome IS NULL") == 4
    waits = demo.read_sync(
        lambda conn: [
            row[0]
            for row in conn.execute(
                "SELECT requested_at FROM refund_requests WHERE outcome IS NULL ORDER BY requested_at"
            )
        ]
    )
    oldest = datetime.fromisoformat(waits[0])
    assert (NOW - oldest) > timedelta(minutes=120) > NOW - datetime.fromisoformat(waits[1])
    # the orders say what the platform did with each decision
    assert (
        scalar(
            demo,
            f"""SELECT count(*) FROM refund_requests r JOIN orders o ON o.id = r.order_id WHERE r.reviewer_id = {reviewer}
            AND o.refund_status != CASE r.outcome WHEN 'approved' THEN 'refunded' ELSE 'rejected' END
            AND NOT (o.status = 'refunding' AND o.refund_status = 'requested')""",
        )
        == 0
    )
