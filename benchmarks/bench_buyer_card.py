"""Buyer-card latency with 100,000 buyers and 500,000 orders, next to naive baselines, in one run.

    .venv/bin/python benchmarks/bench_buyer_card.py [--buyers 100000] [--orders 500000] [--samples 2000]

Builds a temporary database with plain ``executemany`` (no pydantic on the build path), then times:

- ``SqliteBackend.card_sync`` on one read connection (in-process, what the request handler runs);
- the same card over HTTP through the real app (``GET /api/buyers/{nick}``, token, middlewares, JSON);
- baseline 1: every order of the buyer loaded as a pydantic ``Order`` with its lines and logistics;
- baseline 2: the card's order query forced to scan the table (``NOT INDEXED``).
"""

from __future__ import annotations

import argparse
import asyncio
import random
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib.parse import quote

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import aiohttp
import sqlite_utils
from aiohttp.test_utils import TestServer

from assistant.app import MIGRATION_SETS, create_app
from assistant.commerce.models import Address, LogisticsEvent, Order, OrderLine
from assistant.commerce.sqlite_backend import SqliteBackend
from assistant.directory import Directory
from assistant.security import load_secret
from assistant.settings import Settings
from knowledge import store as kb_store
from knowledge.database import AsyncDatabase, connect

STATUSES = (
    ["completed"] * 55
    + ["shipped"] * 10
    + ["delivered"] * 8
    + ["paid"] * 7
    + ["awaiting_payment"] * 6
    + ["cancelled"] * 8
    + ["refunding"] * 2
    + ["refunded"] * 4
)
CATEGORIES = ["灯具", "厨具", "家纺", "收纳", "清洁", "餐具"]
NOW = datetime.now(UTC).replace(microsecond=0)


def build(db: sqlite_utils.Database, buyers: int, orders: int, seed: int = 7) -> tuple[int, int, list[str]]:
    rng = random.Random(seed)
    shop = kb_store.insert_shop(db, "bench_shop", "压测旗舰店")
    agent = kb_store.insert_agent(db, "bench", "压测客服", "agent", shop)
    items = [_item(db, shop, i) for i in range(300)]
    stamp = NOW.isoformat()
    nicks = [f"tb_买家{i:06d}" for i in range(buyers)]
    db.conn.executemany(
        "INSERT INTO buyers (id, shop_id, nick, platform_level, member_tier, first_seen_at, tags) VALUES (?, ?, ?, ?, ?, ?, ?)",
        [
            (
                i + 1,
                shop,
                nicks[i],
                rng.randint(0, 6),
                rng.choice(["none", "silver", "gold"]),
                (NOW - timedelta(days=rng.randint(1, 900))).isoformat(),
                "[]",
            )
            for i in range(buyers)
        ],
    )
    order_rows, line_rows, event_rows = [], [], []
    for n in range(orders):
        # One order in ten goes to the 1,000 heaviest buyers (about 50 orders each).
        buyer = rng.randint(1, min(1_000, buyers)) if n % 10 == 0 else rng.randint(1, buyers)
        status = rng.choice(STATUSES)
        created = NOW - timedelta(minutes=rng.randint(1, 400 * 24 * 60))
        paid = (
            None
            if status in ("awaiting_payment", "cancelled")
            else (created + timedelta(minutes=3)).isoformat()
        )
        shipped = (
            (created + timedelta(hours=20)).isoformat()
            if status in ("shipped", "delivered", "completed")
            else None
        )
        order_id = f"{3_000_000_000_000_000 + n}"
        count = 1 if rng.random() < 0.7 else 2
        price = 0
        for _ in range(count):
            item = rng.choice(items)
            unit = 1_000 + (item % 97) * 300
            quantity = rng.randint(1, 2)
            price += unit * quantity
            line_rows.append((order_id, item, f"SKU{item}", f"商品{item}", unit, quantity))
        order_rows.append(
            (
                order_id,
                shop,
                buyer,
                status,
                created.isoformat(),
                paid,
                shipped,
                price,
                0,
                "张三",
                "13800138000",
                "浙江省",
                "杭州市",
                "余杭区",
                "文一西路969号",
                "",
                "none",
                "中通快递" if shipped else None,
                f"ZT{n:010d}" if shipped else None,
                stamp,
            )
        )
        if status == "shipped":
            event_rows.append(
                (order_id, (created + timedelta(hours=30)).isoformat(), "in_transit", "杭州", "运输中")
            )
    db.conn.executemany(
        """INSERT INTO orders (id, shop_id, buyer_id, status, created_at, paid_at, shipped_at, price_fen, postage_fen,
            receiver_name, receiver_phone, province, city, district, address_detail, seller_remark, remark_flag,
            courier, tracking_no, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)""",
        order_rows,
    )
    db.conn.executemany(
        "INSERT INTO order_lines (order_id, item_id, sku, title, unit_price_fen, quantity) VALUES (?, ?, ?, ?, ?, ?)",
        line_rows,
    )
    db.conn.executemany(
        "INSERT INTO logistics_events (order_id, at, status, location, description) VALUES (?, ?, ?, ?, ?)",
        event_rows,
    )
    return shop, agent, nicks


def _item(db: sqlite_utils.Database, shop: int, i: int) -> int:
    cursor = db.execute(
        "INSERT INTO items (shop_id, sku, title, category, price_fen, stock, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
        [shop, f"SKU{i}", f"商品{i}", CATEGORIES[i % len(CATEGORIES)], 1_000 + i * 37, 50, NOW.isoformat()],
    )
    return int(cursor.lastrowid or 0)


def naive_card(db: sqlite_utils.Database, shop: int, nick: str) -> int:
    """Baseline 1: every order as a pydantic model with lines and logistics, then totals in Python."""
    buyer = db.execute("SELECT id FROM buyers WHERE shop_id = ? AND nick = ?", [shop, nick]).fetchone()
    models = []
    for row in db.query("SELECT * FROM orders WHERE buyer_id = ?", [buyer[0]]):
        lines = [
            OrderLine(
                item_id=r["item_id"],
                sku=r["sku"],
                title=r["title"],
                unit_price_fen=r["unit_price_fen"],
                quantity=r["quantity"],
            )
            for r in db.query("SELECT * FROM order_lines WHERE order_id = ?", [row["id"]])
        ]
        events = [
            LogisticsEvent(
                at=r["at"], status=r["status"], location=r["location"], description=r["description"]
            )
            for r in db.query("SELECT * FROM logistics_events WHERE order_id = ?", [row["id"]])
        ]
        models.append(
            Order(
                id=row["id"],
                shop_id=row["shop_id"],
                buyer_id=row["buyer_id"],
                status=row["status"],
                created_at=row["created_at"],
                paid_at=row["paid_at"],
                shipped_at=row["shipped_at"],
                price_fen=row["price_fen"],
                postage_fen=row["postage_fen"],
                address=Address(
                    name=row["receiver_name"],
                    phone=row["receiver_phone"],
                    province=row["province"],
                    city=row["city"],
                    district=row["district"],
                    detail=row["address_detail"],
                ),
                courier=row["courier"],
                tracking_no=row["tracking_no"],
                lines=lines,
                logistics=events,
            )
        )
    return sum(o.price_fen for o in models)


def unindexed_card(db: sqlite_utils.Database, shop: int, nick: str) -> int:
    """Baseline 2: the card's order query without the buyer index (a table scan)."""
    buyer = db.execute("SELECT id FROM buyers WHERE shop_id = ? AND nick = ?", [shop, nick]).fetchone()
    rows = db.execute(
        "SELECT id, status, price_fen FROM orders NOT INDEXED WHERE buyer_id = ?", [buyer[0]]
    ).fetchall()
    return len(rows)


def timings(fn: Callable[[str], object], nicks: list[str]) -> tuple[float, float]:
    spent = []
    for nick in nicks:
        start = time.perf_counter()
        fn(nick)
        spent.append((time.perf_counter() - start) * 1000)
    spent.sort()
    return statistics.median(spent), spent[min(len(spent) - 1, int(len(spent) * 0.99))]


async def http_timings(settings: Settings, agent: int, nicks: list[str]) -> tuple[float, float]:
    app = create_app(settings)
    token = Directory(secret=load_secret(settings.data_dir)).token_for(agent)
    async with TestServer(app, host="127.0.0.1") as server, aiohttp.ClientSession() as session:
        headers = {"Authorization": f"Bearer {token}"}
        spent = []
        for nick in nicks:
            start = time.perf_counter()
            async with session.get(
                server.make_url(f"/api/buyers/{quote(nick)}"), headers=headers
            ) as response:
                assert response.status == 200, await response.text()
                await response.read()
            spent.append((time.perf_counter() - start) * 1000)
    spent.sort()
    return statistics.median(spent), spent[min(len(spent) - 1, int(len(spent) * 0.99))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--buyers", type=int, default=100_000)
    parser.add_argument("--orders", type=int, default=500_000)
    parser.add_argument("--samples", type=int, default=2_000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        settings = Settings(data_dir=Path(tmp), demo_on_first_run=False)
        AsyncDatabase(settings.db_path).open(MIGRATION_SETS)
        writer = connect(settings.db_path)
        start = time.perf_counter()
        with writer.atomic():
            shop, agent, nicks = build(writer, args.buyers, args.orders)
        writer.execute("ANALYZE")
        writer.close()
        print(
            f"built {args.buyers:,} buyers and {args.orders:,} orders in {time.perf_counter() - start:.1f} s"
        )

        rng = random.Random(1)
        sample = [rng.choice(nicks) for _ in range(args.samples)]
        reader = connect(settings.db_path, readonly=True)
        backend = SqliteBackend(AsyncDatabase(settings.db_path), settings)
        p50, p99 = timings(lambda nick: backend.card_sync(reader, shop, nick), sample)
        print(f"buyer card, in-process (SqliteBackend.card_sync)   p50 {p50:6.2f} ms   p99 {p99:6.2f} ms")
        p50, p99 = asyncio.run(http_timings(settings, agent, sample[:500]))
        print(f"buyer card, over HTTP (GET /api/buyers/{{nick}})     p50 {p50:6.2f} ms   p99 {p99:6.2f} ms")
        p50, p99 = timings(lambda nick: naive_card(reader, shop, nick), sample[:500])
        print(f"baseline: orders+lines as pydantic models         p50 {p50:6.2f} ms   p99 {p99:6.2f} ms")
        p50, p99 = timings(lambda nick: unindexed_card(reader, shop, nick), sample[:20])
        print(f"baseline: order query without the index           p50 {p50:6.2f} ms   p99 {p99:6.2f} ms")
        reader.close()
        backend.db.close()


if __name__ == "__main__":
    main()
