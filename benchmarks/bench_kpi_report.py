"""A month's KPI report for 50 agents × 3 shops × 100,000 conversations, next to computing it live.

    .venv/bin/python benchmarks/bench_kpi_report.py [--conversations 100000] [--agents 50] [--runs 5]

Builds a temporary database with plain ``executemany``: last month's conversations (a buyer's question,
the agent's answer after 10-400 s, a follow-up in a third of them) spread over 3 shops and 50 agents,
and paid orders for a quarter of the buyers. Then it prints:

- the baseline: the month worked out from the log and the orders on the spot (what the report would
  cost with no daily aggregates);
- the hourly job that precomputes the days (``kpi_days``), once;
- ``GET /api/reports/kpi?period=`` through the real app with the aggregates (target ≤ 1 s), best and
  median of ``--runs``.
"""

from __future__ import annotations

import argparse
import asyncio
import random
import statistics
import sys
import tempfile
import time
from datetime import date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import aiohttp
import sqlite_utils
from aiohttp.test_utils import TestServer

from assistant import keys
from assistant.api import reports
from assistant.app import MIGRATION_SETS, create_app
from assistant.conversations.models import utc_text
from assistant.directory import Directory
from assistant.security import load_secret
from assistant.settings import Settings
from knowledge import store as kb_store
from knowledge.database import AsyncDatabase

TZ = ZoneInfo("Asia/Shanghai")


def last_month(today: date) -> tuple[date, date, str]:
    first = today.replace(day=1)
    start = (first - timedelta(days=1)).replace(day=1)
    return start, first, start.strftime("%Y-%m")


def build(db: sqlite_utils.Database, conversations: int, agents: int, start: date, days: int) -> int:
    rng = random.Random(11)
    shops = [kb_store.insert_shop(db, f"bench_{n}", f"压测店铺{n}") for n in range(3)]
    agent_ids = [
        kb_store.insert_agent(db, f"a{n:02d}", f"客服{n:02d}", "agent", shops[n % 3], None, shops)
        for n in range(agents)
    ]
    boss = kb_store.insert_agent(db, "boss", "主管", "supervisor", shops[0], None, shops)
    messages, buyers, orders, lines = [], [], [], []
    buyer_ids: dict[tuple[int, str], int] = {}
    for n in range(conversations):
        shop = shops[n % 3]
        agent = agent_ids[rng.randrange(agents)]
        nick = f"tb_{n % (conversations // 2):06d}"
        day = start + timedelta(days=rng.randrange(days))
        asked = datetime(day.year, day.month, day.day, rng.randint(8, 23), rng.randint(0, 59), tzinfo=TZ)
        conv = f"c{n}"
        answer = asked + timedelta(seconds=rng.randint(10, 400))
        rows = [(asked, "in", None), (answer, "out", "human")]
        if n % 3 == 0:
            rows += [
                (answer + timedelta(seconds=60), "in", None),
                (answer + timedelta(seconds=90), "out", "human"),
            ]
        for at, direction, source in rows:
            messages.append((shop, conv, nick, direction, source, agent, "消息", utc_text(at), utc_text(at)))
        if (shop, nick) not in buyer_ids:
            buyer_ids[(shop, nick)] = len(buyer_ids) + 1
            buyers.append((buyer_ids[(shop, nick)], shop, nick, (asked - timedelta(days=30)).isoformat()))
        if n % 4 == 0:
            created = asked + timedelta(minutes=rng.randint(5, 600))
            order_id = f"{2026_0000_0000_0000 + n}"
            orders.append(
                (
                    order_id,
                    shop,
                    buyer_ids[(shop, nick)],
                    created.isoformat(),
                    (created + timedelta(minutes=3)).isoformat(),
                    rng.randint(50, 900) * 100,
                )
            )
            lines.append((order_id, "SKU-1", "压测商品", 9_900, rng.randint(1, 3)))
    db.conn.executemany("INSERT INTO buyers (id, shop_id, nick, first_seen_at) VALUES (?, ?, ?, ?)", buyers)
    db.conn.executemany(
        """INSERT INTO orders (id, shop_id, buyer_id, status, created_at, paid_at, price_fen, receiver_name,
               receiver_phone, province, city, address_detail, updated_at)
           VALUES (?, ?, ?, 'completed', ?, ?, ?, '张三', '13800138000', '浙江省', '杭州市', '文一西路1号', ?)""",
        [(*o, o[3]) for o in orders],
    )
    db.conn.executemany(
        "INSERT INTO order_lines (order_id, sku, title, unit_price_fen, quantity) VALUES (?, ?, ?, ?, ?)",
        lines,
    )
    db.conn.executemany(
        """INSERT INTO conversation_messages (shop_id, conversation, buyer_nick, direction, source, agent_id, text,
               at, received_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)""",
        messages,
    )
    print(
        f"built: {conversations:,} conversations, {len(messages):,} messages, {len(orders):,} paid orders,"
        f" {agents} agents × 3 shops"
    )
    return boss


async def run(args: argparse.Namespace) -> None:
    with tempfile.TemporaryDirectory() as folder:
        data = Path(folder)
        today = datetime.now(TZ).date()
        start, end, period = last_month(today)
        db = AsyncDatabase(data / "kefu.db")
        db.open(MIGRATION_SETS)
        started = time.perf_counter()
        boss = db.write_sync(
            lambda conn: build(conn, args.conversations, args.agents, start, (end - start).days)
        )
        db.close()
        print(f"build: {time.perf_counter() - started:.1f} s")
        settings = Settings(data_dir=data, demo_on_first_run=False)
        app = create_app(settings)
        token = Directory(secret=load_secret(data)).token_for(boss)
        server = TestServer(app, host="127.0.0.1")
        await server.start_server()
        try:
            await app[keys.SCHEDULER].run_now(
                "kpi_days"
            )  # the start-up run may still be going: wait for ours
            await app[keys.DB].write(lambda conn: conn.execute("DELETE FROM kpi_days"))
            shop_ids = sorted(app[keys.DIRECTORY].shops)
            t0 = time.perf_counter()
            await reports.month_figures(app, shop_ids, start, end)
            live = time.perf_counter() - t0
            t0 = time.perf_counter()
            await app[keys.SCHEDULER].run_now("kpi_days")
            job = time.perf_counter() - t0
            url = f"http://127.0.0.1:{server.port}/api/reports/kpi?period={period}"
            timings = []
            async with aiohttp.ClientSession(headers={"Authorization": f"Bearer {token}"}) as session:
                for _ in range(args.runs):
                    t0 = time.perf_counter()
                    async with session.get(url) as response:
                        body = await response.json()
                        assert response.status == 200, body
                    timings.append(time.perf_counter() - t0)
            rows = len(body["agents"])
        finally:
            await server.close()
        print(f"\nmonth {period}, {rows} agents in the report")
        print(f"{'what':<52} {'seconds':>9}")
        print(f"{'baseline: the month worked out live from the log':<52} {live:>9.2f}")
        print(f"{'the daily aggregates job (hourly, once here)':<52} {job:>9.2f}")
        print(f"{'GET /api/reports/kpi, first (levels: 6 months read)':<52} {timings[0]:>9.3f}")
        print(f"{'GET /api/reports/kpi with aggregates, best':<52} {min(timings):>9.3f}")
        print(
            f"{'GET /api/reports/kpi with aggregates, median':<52} {statistics.median(timings):>9.3f}"
            f"   target ≤ 1.000 ({'met' if statistics.median(timings) <= 1 else 'NOT met'})"
        )


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--conversations", type=int, default=100_000)
    parser.add_argument("--agents", type=int, default=50)
    parser.add_argument("--runs", type=int, default=5)
    asyncio.run(run(parser.parse_args()))


if __name__ == "__main__":
    main()
