"""Hotkey lookup benchmark: 20,000 phrases, 1,000 typed queries, ours vs SQL LIKE vs rapidfuzz WRatio.

Run: .venv/bin/python benchmarks/bench_lookup.py [--phrases 20000] [--queries 1000]
Prints, side by side: in-process p50/p99, index build time from the store, memory added;
HTTP p50/p99 and requests/s with 20 concurrent clients on loopback; the two baselines;
and the share of queries whose expected phrase is in the top 3.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import os
import random
import socket
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import aiohttp  # noqa: E402
from rapidfuzz import fuzz, process, utils  # noqa: E402

from assistant.app import MIGRATION_SETS  # noqa: E402
from assistant.directory import Directory  # noqa: E402
from assistant.security import load_secret  # noqa: E402
from knowledge import store as kb_store  # noqa: E402
from knowledge.database import Database  # noqa: E402
from knowledge.pinyin import pinyin_keys  # noqa: E402
from quick_replies import store as qr_store  # noqa: E402
from quick_replies.lookup import QuickReplyLibrary  # noqa: E402
from quick_replies.models import QuickReply, QuickReplyGroup  # noqa: E402

ITEMS = [
    "四件套",
    "被子",
    "枕头",
    "床笠",
    "家居服",
    "拖鞋",
    "收纳箱",
    "衣架",
    "台灯",
    "吸顶灯",
    "落地灯",
    "电饭煲",
    "空气炸锅",
    "电水壶",
    "榨汁机",
    "保温杯",
    "浴巾",
    "毛巾",
    "地垫",
    "窗帘",
    "沙发垫",
    "抱枕",
    "凉席",
    "蚊帐",
    "乳胶枕",
    "羽绒被",
    "蚕丝被",
    "儿童睡袋",
    "餐具套装",
    "炒锅",
    "蒸锅",
    "砧板",
    "刀具",
    "置物架",
    "挂钩",
    "香薰机",
    "加湿器",
    "电热毯",
    "暖手宝",
    "靠垫",
]
TOPICS = [
    "发货时间",
    "发货地址",
    "快递选择",
    "物流查询",
    "退款流程",
    "退款进度",
    "退货地址",
    "换货说明",
    "尺码推荐",
    "尺寸说明",
    "材质说明",
    "色差说明",
    "洗涤方法",
    "保修政策",
    "价格保护",
    "优惠券",
    "包邮说明",
    "赠品说明",
    "发票说明",
    "花呗分期",
    "花呗还款",
    "质量问题",
    "破损处理",
    "少件漏发",
    "催付提醒",
    "改地址",
    "订单备注",
    "好评邀请",
    "差评处理",
    "安装方法",
    "使用说明",
    "长度说明",
    "重庆时效",
    "快递员电话",
    "预售定金",
    "双11活动",
    "缺货补货",
    "礼品包装",
    "正品保证",
    "确认收货",
]
VARIANTS = [
    "",
    "二",
    "三",
    "详细版",
    "简短版",
    "老客",
    "新客",
    "活动期",
    "夜班",
    "大促",
    "周末",
    "高峰",
    "售后版",
]
BODIES = [
    "亲，{item}的{topic}我来帮您说明一下：{detail}，有问题随时找我～",
    "{detail}。{item}这边我们都核实过，您放心，{topic}有变化会第一时间通知您。",
    "您好亲，关于{topic}：{detail}。{buyer}亲如果还有疑问可以直接留言。",
]
DETAILS = [
    "现货48小时内从杭州仓发出",
    "一般3到5天送达，偏远地区慢一两天",
    "在订单页申请后1到3个工作日原路退回",
    "请拍照发给我们，质量问题来回运费我们承担",
    "支持7天无理由退换，不影响二次销售即可",
    "满59元包邮，新疆西藏除外",
    "花呗分期3期免息，下单时选择即可",
    "尺码表在详情页第三屏",
    "双11付定金立减，尾款11月11日0点支付",
    "可以开电子发票，发货后24小时内开出",
]
S2T = str.maketrans(
    "发货时间退款进度还换码说明质问题费优惠订单单处理运递长后时",
    "發貨時間退款進度還換碼說明質問題費優惠訂單單處理運遞長後時",
)


def make_phrases(n: int, seed: int = 7) -> list[tuple[str, str, str]]:
    """(code, title, body): deterministic, realistic, unique codes and titles."""
    rnd = random.Random(seed)
    phrases, seen_codes, seen_titles = [], set(), set()
    combos = [(i, t, v) for i in ITEMS for t in TOPICS for v in VARIANTS]
    rnd.shuffle(combos)
    for item, topic, variant in combos[:n]:
        title = f"{item}{topic}{variant}"[:40]
        if title in seen_titles:
            continue
        seen_titles.add(title)
        base = pinyin_keys(f"{item}{topic}").initials[:6]
        code, k = base, 1
        while code in seen_codes:
            k += 1
            code = f"{base[:9]}{k}"
        seen_codes.add(code)
        body = rnd.choice(BODIES).format(
            item=item, topic=topic, detail=rnd.choice(DETAILS), buyer="{{ buyer.nick }}"
        )
        phrases.append((code, title, body))
    return phrases


def make_queries(phrases: list[tuple[int, str, str, str]], n: int, seed: int = 11) -> list[tuple[str, int]]:
    """(typed, expected id): codes, prefixes, initials, pinyin, Chinese, Traditional, full width, typos."""
    rnd = random.Random(seed)
    out = []
    for _ in range(n):
        pid, code, title, _body = rnd.choice(phrases)
        keys = pinyin_keys(title)
        kind = rnd.random()
        if kind < 0.30:
            q = code
        elif kind < 0.40:
            q = code[: max(2, len(code) - 1)]
        elif kind < 0.55:
            q = keys.initials
        elif kind < 0.65:
            q = keys.full[: max(6, len(keys.full) - rnd.randint(0, 4))]
        elif kind < 0.80:
            q = title
        elif kind < 0.85:
            q = title.translate(S2T)
        elif kind < 0.90:
            q = "".join(chr(ord(c) + 0xFEE0) if c.isascii() and c.isalnum() else c for c in code)
        else:
            i = rnd.randrange(len(code) - 1)
            q = code[:i] + code[i + 1] + code[i] + code[i + 2 :] if code[i] != code[i + 1] else code + "x"
        out.append((q, pid))
    return out


def pct(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


def rss_mb() -> float:
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20


def build_store(
    data_dir: Path, phrases: list[tuple[str, str, str]]
) -> tuple[int, int, list[tuple[int, str, str, str]]]:
    db = Database(data_dir / "kefu.db")
    db.open(MIGRATION_SETS)

    def seed(conn: Any) -> tuple[int, int, list[tuple[int, str, str, str]]]:
        shop = kb_store.insert_shop(conn, "bench_shop", "基准测试旗舰店")
        team = kb_store.insert_team(conn, shop, "售前一组")
        agent = kb_store.insert_agent(conn, "bench", "小美", "agent", shop, team)
        groups = [
            qr_store.insert_group(conn, QuickReplyGroup(shop_id=shop, name=t, position=i))
            for i, t in enumerate(TOPICS)
        ]
        saved = []
        for i, (code, title, body) in enumerate(phrases):
            reply = QuickReply(
                shop_id=shop, group_id=groups[i % len(groups)], code=code, title=title, body=body, position=i
            )
            saved.append((qr_store.insert_quick_reply(conn, reply, None), code, title, body))
        return shop, agent, saved

    result = db.write_sync(seed)
    db.close()
    return result


def top3(ids: list[int], expected: int) -> bool:
    return expected in ids[:3]


def in_process(data_dir: Path, shop: int, agent: int, queries: list[tuple[str, int]]) -> dict[str, Any]:
    gc.collect()
    before = rss_mb()
    db = Database(data_dir / "kefu.db")
    start = time.perf_counter()
    rows = db.read_sync(qr_store.all_rows)
    library = QuickReplyLibrary()
    library.load(rows, [], {agent: 1})
    build = time.perf_counter() - start
    del rows
    gc.collect()
    added = rss_mb() - before
    db.close()
    context = {"shop": {"name": "基准测试旗舰店"}, "agent": {"name": "小美"}}
    for q, _ in queries[:50]:  # warm-up (first fold of Traditional text loads the converter)
        library.search(shop, agent, 1, q, 10, context)
    times, ranking, hits = [], [], 0
    moment = datetime.now(UTC)
    for q, expected in queries:
        t0 = time.perf_counter()
        library.index.search(shop, agent, 1, q, 10, moment)
        ranking.append((time.perf_counter() - t0) * 1000)
        t0 = time.perf_counter()
        results = library.search(shop, agent, 1, q, 10, context)
        times.append((time.perf_counter() - t0) * 1000)
        hits += top3([r.id for r in results], expected)
    return {
        "p50": pct(times, 50),
        "p99": pct(times, 99),
        "build": build,
        "mem": added,
        "top3": hits / len(queries),
        "rank_p50": pct(ranking, 50),
        "rank_p99": pct(ranking, 99),
    }


def sql_like(data_dir: Path, shop: int, queries: list[tuple[str, int]]) -> dict[str, Any]:
    db = Database(data_dir / "kefu.db")
    sql = (
        "SELECT id FROM quick_replies WHERE shop_id = ? AND (code LIKE ? OR title LIKE ? OR body LIKE ?)"
        " ORDER BY code = ? DESC, code LIKE ? DESC, position LIMIT 10"
    )
    times, hits = [], 0

    def run(conn: Any) -> None:
        nonlocal hits
        for q, expected in queries:
            t0 = time.perf_counter()
            ids = [
                r[0] for r in conn.execute(sql, [shop, f"%{q}%", f"%{q}%", f"%{q}%", q, f"{q}%"]).fetchall()
            ]
            times.append((time.perf_counter() - t0) * 1000)
            hits += top3(ids, expected)

    db.read_sync(run)
    db.close()
    return {"p50": pct(times, 50), "p99": pct(times, 99), "top3": hits / len(queries)}


def rapidfuzz_scan(saved: list[tuple[int, str, str, str]], queries: list[tuple[str, int]]) -> dict[str, Any]:
    choices = [f"{code} {title} {body}" for _, code, title, body in saved]
    ids = [pid for pid, _, _, _ in saved]
    times, hits = [], 0
    for q, expected in queries:
        t0 = time.perf_counter()
        found = process.extract(
            q, choices, scorer=fuzz.WRatio, processor=utils.default_process, limit=10, score_cutoff=0
        )
        times.append((time.perf_counter() - t0) * 1000)
        hits += top3([ids[index] for _, _, index in found], expected)
    return {"p50": pct(times, 50), "p99": pct(times, 99), "top3": hits / len(queries)}


async def over_http(
    data_dir: Path, agent: int, queries: list[tuple[str, int]], clients: int = 20
) -> dict[str, Any]:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    code = (
        "import sys; sys.path.insert(0, sys.argv[2]); from aiohttp import web; from assistant.app import create_app;"
        "from assistant.settings import Settings;"
        "web.run_app(create_app(Settings(data_dir=sys.argv[1], demo_on_first_run=False)),"
        " host='127.0.0.1', port=int(sys.argv[3]), print=None, access_log=None)"
    )
    server = await asyncio.create_subprocess_exec(
        sys.executable, "-c", code, str(data_dir), str(ROOT), str(port)
    )
    token = Directory(secret=load_secret(data_dir)).token_for(agent)
    headers = {"Authorization": f"Bearer {token}"}
    url = f"http://127.0.0.1:{port}/api/quick-replies/search"
    try:
        async with aiohttp.ClientSession(headers=headers) as session:
            for _ in range(100):
                try:
                    async with session.get(f"http://127.0.0.1:{port}/healthz") as r:
                        if r.status == 200:
                            break
                except aiohttp.ClientError:
                    await asyncio.sleep(0.1)
            times: list[float] = []
            hits = 0
            work = list(queries)

            async def client() -> None:
                nonlocal hits
                while work:
                    q, expected = work.pop()
                    t0 = time.perf_counter()
                    async with session.get(url, params={"q": q, "limit": "10"}) as r:
                        body = await r.json()
                    times.append((time.perf_counter() - t0) * 1000)
                    hits += top3([x["id"] for x in body["results"]], expected)

            for q, _ in queries[:50]:
                async with session.get(url, params={"q": q}) as r:
                    await r.read()
            start = time.perf_counter()
            await asyncio.gather(*(client() for _ in range(clients)))
            wall = time.perf_counter() - start
    finally:
        server.terminate()
        await server.wait()
    return {
        "p50": pct(times, 50),
        "p99": pct(times, 99),
        "rps": len(queries) / wall,
        "top3": hits / len(queries),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--phrases", type=int, default=20000)
    parser.add_argument("--queries", type=int, default=1000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        data_dir = Path(tmp)
        t0 = time.perf_counter()
        phrases = make_phrases(args.phrases)
        shop, agent, saved = build_store(data_dir, phrases)
        queries = make_queries(saved, args.queries)
        print(
            f"{len(saved)} phrases saved with their keys in {time.perf_counter() - t0:.1f} s; {len(queries)} queries"
        )
        ours = in_process(data_dir, shop, agent, queries)
        http = asyncio.run(over_http(data_dir, agent, queries))
        like = sql_like(data_dir, shop, queries)
        fuzzy = rapidfuzz_scan(saved, queries)
    print()
    print(f"{'':34}{'p50 ms':>9}{'p99 ms':>9}{'top-3':>8}")
    print(
        f"{'ours, in process (ranking only)':34}{ours['rank_p50']:9.3f}{ours['rank_p99']:9.3f}{ours['top3']:8.1%}"
    )
    print(f"{'ours, in process (with previews)':34}{ours['p50']:9.3f}{ours['p99']:9.3f}{ours['top3']:8.1%}")
    print(
        f"{'ours, HTTP, 20 clients':34}{http['p50']:9.3f}{http['p99']:9.3f}{http['top3']:8.1%}"
        f"   {http['rps']:.0f} req/s"
    )
    print(f"{'baseline: SQL LIKE %q% scan':34}{like['p50']:9.3f}{like['p99']:9.3f}{like['top3']:8.1%}")
    print(f"{'baseline: rapidfuzz WRatio scan':34}{fuzzy['p50']:9.3f}{fuzzy['p99']:9.3f}{fuzzy['top3']:8.1%}")
    print()
    print(
        f"index build from the store: {ours['build']:.2f} s (target <= 2 s); memory added: {ours['mem']:.0f} MB "
        f"(target <= 150 MB)"
    )
    print(
        f"speed-up over the rapidfuzz scan: {fuzzy['p50'] / ours['p50']:.0f}x at p50, "
        f"{fuzzy['p99'] / ours['p99']:.0f}x at p99 (target >= 10x)"
    )
    print(
        f"targets: in-process p99 <= 2 ms: {ours['p99']:.2f}; HTTP p99 <= 10 ms: {http['p99']:.2f}; "
        f"top-3 >= 95%: {ours['top3']:.1%}"
    )


if __name__ == "__main__":
    main()
