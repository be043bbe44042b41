"""Suggestion latency against 2,000 intents × 8 examples, side by side with BM25.

Run: ``.venv/bin/python benchmarks/bench_suggest.py`` (``--no-encoder``: the lexical matcher
only, as before the semantic stage).  The knowledge base is generated
from the evaluation set (``tests/data/eval_kb.jsonl``): each of 2,000 intents is one of
its 112 questions bound to a product (``空气炸锅 什么时候发货``), with 8 examples; the
queries are the evaluation queries with a product in front.  Timed per message:
``Matcher.suggest`` (split, normalise, candidates, rapidfuzz, boosts) and ``BM25.rank``.
Also: build time, and one incremental ``upsert_intent`` (an editor's save).

With the sentence encoder (``knowledge.encoder``): the same messages through the hybrid matcher
(the question cache cleared before each message, so every message pays for its encoding), an
editor's save that encodes a new example, what start-up adds (nothing on the blocking path: the
encoder loads, the stored embeddings are read and attached in the background; their times are
shown), and the memory the encoder and the 16,000 × 512 matrix add (RSS).
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from knowledge.evaluation import BM25, _percentile  # noqa: E402
from knowledge.index import read_pinyin, stored_pinyin  # noqa: E402
from knowledge.matcher import Matcher  # noqa: E402
from knowledge.models import Intent, IntentTopic  # noqa: E402

PRODUCTS = [
    "空气炸锅",
    "四件套",
    "羽绒被",
    "电热毯",
    "台灯",
    "落地灯",
    "吸顶灯",
    "保温杯",
    "电饭煲",
    "炒锅",
    "蒸锅",
    "刀具",
    "砧板",
    "枕头",
    "床垫",
    "凉席",
    "毛巾",
    "浴巾",
    "拖鞋",
    "睡衣",
    "收纳箱",
    "衣架",
    "加湿器",
    "电风扇",
    "取暖器",
    "净水器",
    "烧水壶",
    "咖啡机",
    "榨汁机",
    "破壁机",
]
INTENTS, EXAMPLES, QUERIES = 2000, 8, 1000


def build(rng: random.Random) -> tuple[list[Intent], list[dict[str, str]], list[str]]:
    base: dict[str, list[str]] = {}
    for line in (ROOT / "tests/data/eval_kb.jsonl").read_text(encoding="utf-8").splitlines():
        row = json.loads(line)
        base.setdefault(row["intent_id"], []).append(row["question"])
    queries = [
        json.loads(x)["query"]
        for x in (ROOT / "tests/data/eval_queries.jsonl").read_text("utf-8").splitlines()
    ]
    names = sorted(base)
    intents, rows = [], []
    for number in range(1, INTENTS + 1):
        name, product = names[number % len(names)], PRODUCTS[(number // len(names)) % len(PRODUCTS)]
        pool = base[name]
        examples = [f"{product}{q}" if i % 2 else f"{q} {product}" for i, q in enumerate(pool * 2)][:EXAMPLES]
        intents.append(
            Intent.model_construct(
                id=number,
                shop_id=1,
                key=f"i{number}",
                name="",
                topic=IntentTopic.GENERAL,
                keywords=[],
                examples=examples,
                answers=["亲，{{ item.title }}的问题我来帮您看～"],
                item_id=None,
                campaign_id=None,
                enabled=True,
                version=1,
            )
        )
        rows += [{"intent_id": f"i{number}", "question": e} for e in examples]
    messages = [f"{rng.choice(PRODUCTS)}{rng.choice(queries)}" for _ in range(QUERIES)]
    return intents, rows, messages


def rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def row(label: str, values: list[float]) -> str:
    return f"{label:36}{_percentile(values, 0.5):>9.2f}{_percentile(values, 0.99):>9.2f}{max(values):>9.2f}"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--no-encoder", action="store_true", help="lexical matcher only")
    args = parser.parse_args()
    rng = random.Random(7)
    intents, rows, messages = build(rng)
    Matcher().load(intents[:1], [], {})  # loads rjieba's and pypinyin's dictionaries: not build time
    started = time.perf_counter()
    matcher = Matcher()
    matcher.load(intents, [], {})
    built = time.perf_counter() - started
    # What the service does: pinyin was stored with each example when it was saved.
    known: dict[str, list[str]] = {}
    for text in {e for i in intents for e in i.examples}:
        parsed = read_pinyin(stored_pinyin(text))
        if parsed is not None:
            known[parsed[0]] = parsed[1]
    started = time.perf_counter()
    Matcher().load(intents, [], {}, known)
    built_stored = time.perf_counter() - started
    bm25 = BM25(rows)
    matcher.suggest(1, "预热"), bm25.rank("预热")
    ours, base = [], []
    for message in messages:
        t0 = time.perf_counter()
        matcher.suggest(1, message, limit=3)
        t1 = time.perf_counter()
        bm25.rank(message, 3)
        t2 = time.perf_counter()
        ours.append((t1 - t0) * 1000)
        base.append((t2 - t1) * 1000)
    t0 = time.perf_counter()
    matcher.upsert_intent(intents[0].model_copy(update={"examples": [*intents[0].examples, "新加的问法"]}))
    update_ms = (time.perf_counter() - t0) * 1000
    print(
        f"knowledge base: {INTENTS} intents × {EXAMPLES} examples = {len(rows)} examples; {QUERIES} messages"
    )
    print(
        f"index built in {built_stored:.1f} s with the pinyin stored at save time"
        f" ({built:.1f} s computing it); one editor save (upsert_intent) {update_ms:.1f} ms"
    )
    print(f"{'':36}{'p50 ms':>9}{'p99 ms':>9}{'max ms':>9}")
    print(row("today: Matcher.suggest (lexical)", ours))
    print(row("baseline: BM25 (rjieba words)", base))
    if not args.no_encoder:
        semantic(intents, messages, known)
    print("targets: lexical p99 ≤ 15 ms; with the encoder p99 ≤ 25 ms, a save ≤ 50 ms, memory ≤ 250 MB,")
    print("         start-up (the blocking index build) no slower than today")


def semantic(intents: list[Intent], messages: list[str], known: dict[str, list[str]]) -> None:
    from knowledge.encoder import MODEL, load_encoder, text_key
    from knowledge.semantic import pack, unpack

    before = rss_mb()
    t0 = time.perf_counter()
    encoder, status = load_encoder("on")
    load_s = time.perf_counter() - t0
    if encoder is None:
        print(f"encoder {status.state}: {status.detail}")
        return
    texts = list(dict.fromkeys(e for i in intents for e in i.examples))
    t0 = time.perf_counter()
    vectors = encoder.encode(texts)
    encode_s = time.perf_counter() - t0
    # What start-up reads: the stored rows (float16 blobs) back to vectors.
    blobs = {text_key(t): pack(v) for t, v in zip(texts, vectors, strict=True)}
    del vectors
    t0 = time.perf_counter()
    stored = {k: v for k, b in blobs.items() if (v := unpack(b)) is not None}
    read_s = time.perf_counter() - t0
    t0 = time.perf_counter()
    matcher = Matcher()
    matcher.load(intents, [], {}, known)
    build_s = time.perf_counter() - t0
    t0 = time.perf_counter()
    missing = matcher.enable_semantic(encoder, stored)
    attach_s = time.perf_counter() - t0
    del blobs, stored
    assert not missing
    added = rss_mb() - before
    matcher.suggest(1, "预热")
    hybrid = []
    for message in messages:
        matcher._query_cache.clear()
        t0 = time.perf_counter()
        matcher.suggest(1, message, limit=3)
        hybrid.append((time.perf_counter() - t0) * 1000)
    saves = []
    for n in range(20):
        intent = intents[n + 1]
        t0 = time.perf_counter()
        matcher.upsert_intent(intent.model_copy(update={"examples": [*intent.examples, f"新加的问法{n}号"]}))
        saves.append((time.perf_counter() - t0) * 1000)
    print(row("ours + encoder: Matcher.suggest", hybrid))
    print(row("editor save with one new example", saves))
    print(
        f"encoder ({MODEL}) loaded in {load_s:.1f} s; {len(texts)} examples encoded in {encode_s:.1f} s"
        f" ({encode_s / len(texts) * 1000:.2f} ms each: paid once, at save or by the backfill)"
    )
    print(
        f"start-up: the lexical build {build_s:.1f} s blocks as before; in the background: stored rows"
        f" read {read_s:.2f} s, attached {attach_s:.2f} s"
    )
    print(f"memory added by the encoder and the embeddings: {added:.0f} MB (RSS)")


if __name__ == "__main__":
    main()
