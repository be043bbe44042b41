"""Team hub benchmark: real ``kefu serve`` processes, SQLite mode beside hub mode, printed side by side.

Run: .venv/bin/python benchmarks/bench_hub.py [--phrases 3000] [--seconds 20] [--clients 20] [--rate 5]
     [--saves 5] [--events 100] [--quick]

Starts its own PostgreSQL (Debian's binaries, as the ``postgres`` user in a temp dir; tests/hub/pg_server.py)
and, on one shop with the same phrases (``lookup_queries.make_phrases``):

- SQLite mode: one process, ``--clients`` agents typing lookups at ``--rate`` requests/s each (20 × 5 =
  100 lookups/s, ~300 agents' typing when a third type at once) for ``--seconds``: lookup p50/p99;
- hub mode: two processes on one hub database, the same lookups split between them while an editor saves
  ``--saves`` phrases/s through process A; each save is timed from A's answer until B's lookup returns
  it (B's index follows the change feed): save -> other process p50/p99 (target <= 200 ms), and lookup
  p50/p99 under that write load (target: unchanged from SQLite mode, the index being in memory);
- events: in both modes ``--events`` buyer messages/s (100: a Double-11 peak of ~300 agents) reported by
  the agents' chat clients while each agent's sidebar follows the SSE stream: event -> sidebar p50/p99;
  in SQLite mode one process, in hub mode posted to A and streamed from B through the change feed
  (target <= 200 ms);
- claims: 2 × 200 concurrent claims of 200 conversations from two connection pools: double owners
  (target 0).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import random
import re
import shutil
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

import aiohttp  # noqa: E402
import asyncpg  # noqa: E402
from lookup_queries import TOPICS, QueryMaker, load_phrases, make_phrases  # noqa: E402

from assistant.app import MIGRATION_SETS  # noqa: E402
from assistant.directory import Directory  # noqa: E402
from assistant.hub import claims, schema  # noqa: E402
from assistant.hub.quick_replies import PgQuickReplyStore  # noqa: E402
from assistant.security import load_secret  # noqa: E402
from knowledge import store as kb_store  # noqa: E402
from knowledge.database import AsyncDatabase  # noqa: E402
from quick_replies import store as qr_store  # noqa: E402
from quick_replies.models import QuickReply, QuickReplyGroup  # noqa: E402
from quick_replies.rows import StoredQuickReply  # noqa: E402
from tests.hub import processes  # noqa: E402
from tests.hub.pg_server import PgServer, available  # noqa: E402

TARGET_FEED_MS = 200
WARM_UP = 3.0  # seconds of lookups before each mode's measurement


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))] * 1000 if ordered else float("nan")


def build_base(base: Path, agents: int) -> tuple[int, list[int], int]:
    db = AsyncDatabase(base / "kefu.db")
    db.open(MIGRATION_SETS)

    def seed(conn: Any) -> tuple[int, list[int], int]:
        shop = kb_store.insert_shop(conn, "bench_shop", "基准测试旗舰店")
        team = kb_store.insert_team(conn, shop, "售前一组")
        ids = [
            kb_store.insert_agent(conn, f"bench{i}", f"客服{i}", "agent", shop, team) for i in range(agents)
        ]
        return shop, ids, kb_store.insert_agent(conn, "editor", "编辑", "editor", shop)

    try:
        return db.write_sync(seed)
    finally:
        db.close()


def seed_sqlite(data_dir: Path, shop: int, phrases: list[tuple[str, str, str]]) -> list[StoredQuickReply]:
    db = AsyncDatabase(data_dir / "kefu.db")
    db.open(MIGRATION_SETS)

    def seed(conn: Any) -> None:
        groups = [qr_store.insert_group(conn, QuickReplyGroup(shop_id=shop, name=t, position=i))
                  for i, t in enumerate(TOPICS)]  # fmt: skip
        for i, (code, title, body) in enumerate(phrases):
            qr_store.insert_quick_reply(conn, QuickReply(shop_id=shop, group_id=groups[i % len(groups)], code=code,
                                                         title=title, body=body, position=i), None)  # fmt: skip

    try:
        db.write_sync(seed)
        return db.read_sync(qr_store.all_phrases)
    finally:
        db.close()


async def seed_hub(url: str, shop: int, phrases: list[tuple[str, str, str]]) -> int:
    pool = await asyncpg.create_pool(url, min_size=1, max_size=8)
    try:
        async with pool.acquire() as conn:
            await schema.migrate(conn)
        store = PgQuickReplyStore(pool)
        groups = [await store.create_group(QuickReplyGroup(shop_id=shop, name=t, position=i))
                  for i, t in enumerate(TOPICS)]  # fmt: skip
        sem = asyncio.Semaphore(8)

        async def one(i: int, code: str, title: str, body: str) -> None:
            group_id = groups[i % len(groups)].id
            assert group_id is not None
            async with sem:
                await store.create(QuickReply(shop_id=shop, group_id=group_id, code=code, title=title, body=body,
                                              position=i), None)  # fmt: skip

        await asyncio.gather(*(one(i, *p) for i, p in enumerate(phrases)))
        group_id = groups[0].id
        assert group_id is not None
        return group_id
    finally:
        await pool.close()


async def typing(
    bases: list[str], tokens: list[str], queries: list[str], seconds: float, rate: float
) -> list[float]:
    """Each agent sends a lookup every 1/rate s (jittered) to its process for ``seconds``."""
    latencies: list[float] = []
    stop = time.monotonic() + seconds

    async def agent(i: int) -> None:
        rnd = random.Random(i)
        headers = {"Authorization": f"Bearer {tokens[i]}"}
        async with aiohttp.ClientSession(bases[i % len(bases)], headers=headers) as session:
            await asyncio.sleep(rnd.random() / rate)
            while time.monotonic() < stop:
                started = time.perf_counter()
                async with session.get("/api/quick-replies/search", params={"q": rnd.choice(queries)}) as r:
                    await r.read()
                    assert r.status == 200
                latencies.append(time.perf_counter() - started)
                await asyncio.sleep(max(0.0, rnd.uniform(0.5, 1.5) / rate - (time.perf_counter() - started)))

    await asyncio.gather(*(agent(i) for i in range(len(tokens))))
    return latencies


async def saves(a: str, b: str, token: str, group_id: int, seconds: float, per_second: float) -> list[float]:
    """Save a new phrase on A every 1/per_second s; time A's answer -> B's lookup returns it."""
    lags: list[float] = []
    stop = time.monotonic() + seconds
    headers = {"Authorization": f"Bearer {token}"}
    async with aiohttp.ClientSession(headers=headers) as session:
        n = 0
        while time.monotonic() < stop:
            n += 1
            code = f"zzhub{n}"
            body = {"group_id": group_id, "code": code, "title": f"新短语{n}", "body": "刚保存的短语"}
            started = time.monotonic()
            async with session.post(a + "/api/quick-replies", json=body) as r:
                assert r.status == 201, await r.text()
                phrase_id = (await r.json())["quick_reply"]["id"]
            saved = time.monotonic()
            while True:
                async with session.get(b + "/api/quick-replies/search", params={"q": code}) as r:
                    if any(x["id"] == phrase_id for x in (await r.json())["results"]):
                        break
                if time.monotonic() - saved > 5:
                    raise AssertionError(f"{code} never reached process B")
                await asyncio.sleep(0.002)
            lags.append(time.monotonic() - saved)
            await asyncio.sleep(max(0.0, 1 / per_second - (time.monotonic() - started)))
    return lags


async def events(
    post_base: str, stream_base: str, tokens: list[str], seconds: float, per_second: float
) -> list[float]:
    """Each agent's sidebar follows ``stream_base``'s SSE while their chat client reports buyer messages to
    ``post_base`` (``per_second`` in all, round-robin over the agents): the time from posting an event
    until the sidebar's stream delivers it. One process for both in SQLite mode; A posts, B streams on the hub."""
    arrivals: dict[int, float] = {}
    sent: dict[int, float] = {}
    marker = re.compile(r"压测消息 #(\d+)")
    ready, all_in = asyncio.Event(), asyncio.Event()
    posting = True
    opened = 0

    def check_all_in() -> None:
        if not posting and sent.keys() <= arrivals.keys():
            all_in.set()

    async def sidebar(i: int, session: aiohttp.ClientSession) -> None:
        nonlocal opened
        params = {"token": tokens[i]}
        async with session.get(
            stream_base + "/api/events/stream", params=params, timeout=aiohttp.ClientTimeout()
        ) as r:
            assert r.status == 200, await r.text()
            async for raw in r.content:
                line = raw.decode()
                if line.startswith("data:") and (found := marker.search(line)):
                    arrivals.setdefault(int(found.group(1)), time.monotonic())
                    check_all_in()
                elif line.startswith("event: state"):
                    opened += 1
                    if opened == len(tokens):
                        ready.set()

    async with aiohttp.ClientSession() as session:
        streams = [asyncio.create_task(sidebar(i, session)) for i in range(len(tokens))]
        await asyncio.wait_for(ready.wait(), 30)
        for i, token in enumerate(tokens):
            opened_event = {"type": "conversation.opened", "conversation": f"bench-{i}", "shop": "bench_shop",
                            "buyer": f"压测买家{i}"}  # fmt: skip
            async with session.post(post_base + "/api/events", json=opened_event,
                                    headers={"Authorization": f"Bearer {token}"}) as r:  # fmt: skip
                assert r.status < 300, await r.text()

        async def post(n: int) -> None:
            i = n % len(tokens)
            event = {"type": "message.received", "conversation": f"bench-{i}", "text": f"压测消息 #{n}",
                     "at": datetime.now(UTC).isoformat(), "message_id": f"bench-{n}"}  # fmt: skip
            sent[n] = time.monotonic()
            async with session.post(post_base + "/api/events", json=event,
                                    headers={"Authorization": f"Bearer {tokens[i]}"}) as r:  # fmt: skip
                assert r.status < 300, await r.text()

        posts = []
        start = time.monotonic()
        n = 0
        while (now := time.monotonic()) < start + seconds:
            posts.append(asyncio.create_task(post(n)))
            n += 1
            await asyncio.sleep(max(0.0, start + n / per_second - now))
        await asyncio.gather(*posts)
        posting = False
        check_all_in()
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(all_in.wait(), 5)
        for stream in streams:
            stream.cancel()
        await asyncio.gather(*streams, return_exceptions=True)
    missing = len(sent) - len(arrivals.keys() & sent.keys())
    if missing:
        raise AssertionError(f"{missing} of {len(sent)} events never reached the sidebar's stream")
    return [arrivals[n] - sent[n] for n in sent]


async def claim_race(url: str) -> tuple[int, int]:
    pools = [await asyncpg.create_pool(url, min_size=2, max_size=8) for _ in range(2)]
    try:
        resources = [f"bench-conv-{i}" for i in range(200)]
        await asyncio.gather(*(claims.claim(pool, "conversation", r, f"process{p}")
                               for r in resources for p, pool in enumerate(pools)))  # fmt: skip
        rows = await pools[0].fetch("SELECT resource, count(*) AS n FROM claims WHERE released_at IS NULL"
                                    " AND resource LIKE 'bench-conv-%' GROUP BY resource")  # fmt: skip
        return len(rows), sum(1 for r in rows if r["n"] > 1)
    finally:
        for pool in pools:
            await pool.close()


async def run(args: argparse.Namespace) -> None:
    missing = available()
    if missing:
        raise SystemExit(f"bench_hub needs PostgreSQL: {missing}")
    tmp = Path(tempfile.mkdtemp(prefix="kefu-bench-hub-"))
    server = PgServer().start()
    services: list[processes.Service] = []
    try:
        url = server.create_database("kefu_bench")
        base = tmp / "base"
        base.mkdir()
        shop, agents, editor = build_base(base, args.clients)
        directory = Directory(secret=load_secret(base))
        tokens = [directory.token_for(a) for a in agents]
        phrases = make_phrases(args.phrases)
        dirs = {name: tmp / name / "data" for name in ("sqlite", "a", "b")}
        for target in dirs.values():
            shutil.copytree(base, target)
        rows = seed_sqlite(dirs["sqlite"], shop, phrases)
        started = time.monotonic()
        group_id = await seed_hub(url, shop, phrases)
        print(
            f"{len(phrases)} phrases on both backends (hub seeded through the store in {time.monotonic() - started:.1f} s)"
        )
        library_phrases = load_phrases(rows)
        queries = [q for q, _, _ in QueryMaker(library_phrases, seed=11).make(library_phrases, 500)[0]]

        lite = processes.start("sqlite", dirs["sqlite"], "")
        services.append(lite)
        print(
            f"SQLite mode: {args.clients} agents × {args.rate}/s lookups for {args.seconds:.0f} s …",
            flush=True,
        )
        await typing([lite.base], tokens, queries, WARM_UP, args.rate)  # first renders, caches: not measured
        sqlite_lat, sqlite_events = await asyncio.gather(
            typing([lite.base], tokens, queries, args.seconds, args.rate),
            events(lite.base, lite.base, tokens, args.seconds, args.events),
        )
        lite.stop()

        a = processes.start("a", dirs["a"], url)
        b = processes.start("b", dirs["b"], url)
        services += [a, b]
        await typing([a.base, b.base], tokens, queries, WARM_UP, args.rate)
        print(
            f"hub mode: the same lookups on two processes, {args.saves} saves/s and {args.events} events/s"
            " through A, the sidebars on B …",
            flush=True,
        )
        hub_lat, lags, hub_events = await asyncio.gather(
            typing([a.base, b.base], tokens, queries, args.seconds, args.rate),
            saves(a.base, b.base, directory.token_for(editor), group_id, args.seconds, args.saves),
            events(a.base, b.base, tokens, args.seconds, args.events),
        )
        claimed, doubles = await claim_race(url)

        print()
        print(f"{'':34}{'SQLite mode':>14}{'hub mode':>14}   target")
        print(f"{'lookups measured':34}{len(sqlite_lat):>14}{len(hub_lat):>14}")
        print(f"{'lookup p50 (ms, HTTP)':34}{pct(sqlite_lat, 0.5):>14.1f}{pct(hub_lat, 0.5):>14.1f}")
        print(
            f"{'lookup p99 (ms, HTTP)':34}{pct(sqlite_lat, 0.99):>14.1f}{pct(hub_lat, 0.99):>14.1f}   unchanged"
        )
        print(f"{'save -> other process p50 (ms)':34}{'-':>14}{pct(lags, 0.5):>14.1f}")
        print(f"{'save -> other process p99 (ms)':34}{'-':>14}{pct(lags, 0.99):>14.1f}   <= {TARGET_FEED_MS}")
        print(f"{'saves timed':34}{'-':>14}{len(lags):>14}")
        print(f"{'events timed':34}{len(sqlite_events):>14}{len(hub_events):>14}")
        print(
            f"{'event -> sidebar p50 (ms)':34}{pct(sqlite_events, 0.5):>14.1f}{pct(hub_events, 0.5):>14.1f}"
        )
        print(
            f"{'event -> sidebar p99 (ms)':34}{pct(sqlite_events, 0.99):>14.1f}{pct(hub_events, 0.99):>14.1f}"
            f"   <= {TARGET_FEED_MS} (hub: A -> B)"
        )
        print(
            f"{'claims: conversations / doubles':34}{'-':>14}{f'{claimed} / {doubles}':>14}   0 double owners"
        )
        verdict = (
            pct(lags, 0.99) <= TARGET_FEED_MS and pct(hub_events, 0.99) <= TARGET_FEED_MS and doubles == 0
        )
        print(f"\nfeed target {'met' if verdict else 'NOT met'}")
    finally:
        for service in services:
            service.stop()
        server.stop()
        shutil.rmtree(tmp, ignore_errors=True)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--phrases", type=int, default=3000)
    parser.add_argument("--seconds", type=float, default=20.0, help="per mode")
    parser.add_argument("--clients", type=int, default=20, help="agents typing lookups")
    parser.add_argument("--rate", type=float, default=5.0, help="lookups per second per agent")
    parser.add_argument("--saves", type=float, default=5.0, help="phrases saved per second through process A")
    parser.add_argument("--events", type=float, default=100.0, help="buyer messages per second, all agents")
    parser.add_argument("--quick", action="store_true", help="500 phrases, 5 s per mode (a smoke run)")
    args = parser.parse_args()
    if args.quick:
        args.phrases, args.seconds = 500, 5.0
    asyncio.run(run(args))


if __name__ == "__main__":
    main()
