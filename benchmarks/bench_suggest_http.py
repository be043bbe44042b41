"""``POST /api/suggest`` over HTTP against 2,000 intents × 8 examples, encoder on and off.

Run: ``.venv/bin/python benchmarks/bench_suggest_http.py`` (``--messages N``, default 300).
The knowledge base of ``bench_suggest.py`` is saved through the store (with the pinyin and, for
the encoder run, the example embeddings as a save stores them), then the real ``create_app`` serves
it on 127.0.0.1 and one client posts the messages one after another (token, middlewares, context,
rendering, JSON). Printed: p50/p99 per request with the encoder on and off, the time from
``create_app`` to the first answer (start-up) and until the semantic stage is on.
"""

from __future__ import annotations

import argparse
import asyncio
import random
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

import aiohttp  # noqa: E402
import sqlite_utils  # noqa: E402
from aiohttp.test_utils import TestServer  # noqa: E402
from bench_suggest import build  # noqa: E402

from assistant import keys  # noqa: E402
from assistant.app import MIGRATION_SETS, create_app  # noqa: E402
from assistant.directory import Directory  # noqa: E402
from assistant.security import load_secret  # noqa: E402
from assistant.settings import Settings  # noqa: E402
from knowledge import encoder as encoder_module  # noqa: E402
from knowledge import store  # noqa: E402
from knowledge.database import AsyncDatabase  # noqa: E402
from knowledge.encoder import MODEL, load_encoder, text_key  # noqa: E402
from knowledge.evaluation import _percentile  # noqa: E402


def seed(data_dir: Path, with_embeddings: bool) -> int:
    intents, _, _ = build(random.Random(7))
    db = AsyncDatabase(data_dir / "kefu.db")
    db.open(MIGRATION_SETS)

    def write(conn: sqlite_utils.Database) -> int:
        shop = store.insert_shop(conn, "bench_shop", "压测旗舰店")
        agent = store.insert_agent(conn, "bench", "压测客服", "agent", shop)
        for intent in intents:
            store.insert_intent(conn, intent.model_copy(update={"id": None, "shop_id": shop}), None)
        return agent

    agent = db.write_sync(write)
    if with_embeddings:
        encoder, status = load_encoder("on")
        assert encoder is not None, status
        texts = list(dict.fromkeys(e for i in intents for e in i.examples))
        vectors = dict(zip(map(text_key, texts), encoder.encode(texts), strict=True))
        db.write_sync(lambda conn: store.save_embeddings(conn, MODEL, vectors))
    db.close()
    return agent


async def run(
    data_dir: Path, encoder: str, agent: int, messages: list[str]
) -> tuple[list[float], float, float, float, list[float]]:
    settings = Settings(data_dir=data_dir, demo_on_first_run=False, encoder=encoder)  # type: ignore[arg-type]
    token = Directory(secret=load_secret(settings.data_dir)).token_for(agent)
    headers = {"Authorization": f"Bearer {token}"}
    encoder_module._loaded.clear()  # as in a fresh process: the service loads the encoder itself
    started = time.perf_counter()
    app = create_app(settings)
    async with TestServer(app, host="127.0.0.1") as server, aiohttp.ClientSession() as session:
        up = time.perf_counter() - started  # start-up done: the server accepts requests
        url = str(server.make_url("/api/suggest"))
        async with session.post(url, json={"shop": 1, "message": "预热"}, headers=headers) as resp:
            assert resp.status == 200, await resp.text()
        first = time.perf_counter() - started
        # Requests while the semantic stage is loading in the background.
        early: list[float] = []
        while not app[keys.SEMANTIC].ready.is_set():
            t0 = time.perf_counter()
            body = {"shop": 1, "message": messages[len(early) % len(messages)]}
            async with session.post(url, json=body, headers=headers) as resp:
                await resp.read()
            early.append((time.perf_counter() - t0) * 1000)
            await asyncio.sleep(0.2)
        await asyncio.wait_for(app[keys.SEMANTIC].ready.wait(), 600)
        semantic = time.perf_counter() - started
        assert app[keys.SEMANTIC].status.state == encoder, app[keys.SEMANTIC].status
        times = []
        for message in messages:
            app[keys.MATCHER]._query_cache.clear()
            t0 = time.perf_counter()
            async with session.post(url, json={"shop": 1, "message": message}, headers=headers) as resp:
                await resp.read()
                assert resp.status == 200
            times.append((time.perf_counter() - t0) * 1000)
    return times, up, first, semantic, early


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--messages", type=int, default=300)
    args = parser.parse_args()
    _, _, pool = build(random.Random(7))
    messages = random.Random(11).sample(pool, min(args.messages, len(pool)))
    with tempfile.TemporaryDirectory() as tmp:
        data_dir = Path(tmp)
        agent = seed(data_dir, with_embeddings=True)
        print(f"{len(messages)} messages, 2,000 intents × 8 examples saved with pinyin and embeddings")
        print(
            f"{'':34}{'p50 ms':>9}{'p99 ms':>9}{'max ms':>9}{'up s':>7}{'1st answer s':>14}{'semantic s':>12}"
        )
        for encoder in ("off", "on", "off", "on"):
            times, up, first, semantic, early = asyncio.run(run(data_dir, encoder, agent, messages))
            label = f"/api/suggest, KEFU_ENCODER={encoder}"
            print(
                f"{label:34}{_percentile(times, 0.5):>9.2f}{_percentile(times, 0.99):>9.2f}{max(times):>9.2f}"
                f"{up:>7.2f}{first:>14.2f}{semantic if encoder == 'on' else 0:>12.2f}"
            )
            if early:
                print(
                    f"    {len(early)} requests while the encoder loaded: p50 {_percentile(early, 0.5):.2f} ms,"
                    f" max {max(early):.2f} ms"
                )
    print("targets: p99 ≤ 25 ms with the encoder on; up (start-up) and the first answer no later than off")


if __name__ == "__main__":
    main()
