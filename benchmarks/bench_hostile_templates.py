"""Hostile templates vs the rest of the service: /healthz p99 while 10 hostile renders are in flight.

Run: .venv/bin/python benchmarks/bench_hostile_templates.py [--seconds 10] [--inflight 10]

The real ``create_app`` runs in its own process (``web.run_app`` on loopback) over a store holding
200 ordinary quick replies and a set of hostile ones written straight into the store, as if saved
before the save-time checks existed (the checks now refuse them; see ``HOSTILE``). Then, for
``--seconds`` each:

1. quiet: one client polls ``/healthz`` and one types ordinary lookups;
2. hostile: the same two, while ``--inflight`` clients keep hostile renders in flight without
   pause: lookups that hit every hostile phrase (a new buyer each time, so no preview is reused)
   and editor previews of hostile templates with a context that makes their ``{% if %}`` true.

Prints the p50/p99 of ``/healthz`` and of the ordinary lookup in both phases, the hostile requests'
statuses (there must be no 5xx) and their p99, against the target: ``/healthz`` p99 <= 50 ms with
10 hostile renders in flight.
"""

from __future__ import annotations

import argparse
import asyncio
import socket
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import aiohttp  # noqa: E402

from assistant.app import MIGRATION_SETS  # noqa: E402
from assistant.directory import Directory  # noqa: E402
from assistant.security import load_secret  # noqa: E402
from knowledge import store as kb_store  # noqa: E402
from knowledge.database import AsyncDatabase  # noqa: E402
from quick_replies import store as qr_store  # noqa: E402
from quick_replies.models import QuickReply, QuickReplyGroup  # noqa: E402

TARGET_MS = 50.0
GUARD = "{% if buyer.nick %}"
#: Each one, rendered without a budget, stalls or kills the process (seconds to minutes, or GBs).
HOSTILE = {
    "loops": GUARD
    + "{% set s = 'x'*1000 %}{% for a in s %}{% for b in s %}好{% endfor %}{% endfor %}{% endif %}",
    "set_loops": GUARD + "{% set s %}{% for a in 'x'*1000 %}{% for b in 'x'*1000 %}yyyyyyyyyy{% endfor %}"
    "{% endfor %}{% endset %}{{ s|length }}{% endif %}",
    "fork_macro": GUARD + "{% macro f(n) %}{{ f(n) }}{{ f(n) }}{% endmacro %}{{ f(1) }}{% endif %}",
    "power": GUARD + "{{ (((9**64)**64)**64)**64 }}{% endif %}",
    "concat": GUARD + "{% set a = 'x'*1000 %}" + "{% set a = a~a %}" * 12 + "{{ a }}{% endif %}",
    "center": GUARD + "{{ 'x'|center(10**8) }}{% endif %}",
    "caller": GUARD
    + "{% macro f() %}{% call f() %}x{% endcall %}{{ caller() }}{% endmacro %}{{ f() }}{% endif %}",
    "deep": "{{ " + "(" * 120 + "1" + ")" * 120 + " }}",
}
SERVER = (
    "import sys; sys.path.insert(0, sys.argv[2]); from aiohttp import web; from assistant.app import create_app;"
    "from assistant.settings import Settings;"
    "web.run_app(create_app(Settings(data_dir=sys.argv[1], demo_on_first_run=False)),"
    " host='127.0.0.1', port=int(sys.argv[3]), print=None, access_log=None)"
)


def pct(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))] if ordered else float("nan")


def build_store(data_dir: Path) -> tuple[int, int]:
    db = AsyncDatabase(data_dir / "kefu.db")
    db.open(MIGRATION_SETS)

    def seed(conn: Any) -> tuple[int, int]:
        shop = kb_store.insert_shop(conn, "bench_shop", "基准测试旗舰店")
        team = kb_store.insert_team(conn, shop, "售前一组")
        agent = kb_store.insert_agent(conn, "bench", "小美", "agent", shop, team)
        editor = kb_store.insert_agent(conn, "editor", "李娜", "editor", shop)
        group = qr_store.insert_group(conn, QuickReplyGroup(shop_id=shop, name="常用"))
        for i in range(200):
            body = f"亲，{{{{ buyer.nick }}}}，第 {i} 条：现货48小时内发货，{{{{ shop.name }}}}"
            reply = QuickReply(
                shop_id=shop, group_id=group, code=f"fh{i}", title=f"发货{i}", body=body, position=i
            )
            qr_store.insert_quick_reply(conn, reply, None)
        for i, (name, body) in enumerate(HOSTILE.items()):
            reply = QuickReply(shop_id=shop, group_id=group, code=f"bad{name[:8]}", title=f"坏{i}", body=body)
            qr_store.insert_quick_reply(conn, reply, None)  # straight into the store: no save-time check
        return agent, editor

    agent, editor = db.write_sync(seed)
    db.close()
    return agent, editor


async def run(seconds: float, inflight: int) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        data_dir = Path(tmp)
        agent, editor = build_store(data_dir)
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            port = s.getsockname()[1]
        server = await asyncio.create_subprocess_exec(
            sys.executable, "-c", SERVER, str(data_dir), str(ROOT), str(port)
        )
        directory = Directory(secret=load_secret(data_dir))
        base = f"http://127.0.0.1:{port}"
        agent_session = aiohttp.ClientSession(
            headers={"Authorization": f"Bearer {directory.token_for(agent)}"}
        )
        editor_session = aiohttp.ClientSession(
            headers={"Authorization": f"Bearer {directory.token_for(editor)}"}
        )
        probe = aiohttp.ClientSession()
        try:
            for _ in range(300):
                try:
                    async with probe.get(f"{base}/healthz") as r:
                        if r.status == 200:
                            break
                except aiohttp.ClientError:
                    await asyncio.sleep(0.1)
            quiet = await phase(base, probe, agent_session, editor_session, seconds, 0)
            ordinary = await phase(
                base, probe, agent_session, editor_session, seconds, inflight, hostile=False
            )
            hostile = await phase(base, probe, agent_session, editor_session, seconds, inflight)
        finally:
            for session in (agent_session, editor_session, probe):
                await session.close()
            server.terminate()
            await server.wait()
    report(quiet, ordinary, hostile, inflight)


async def phase(
    base: str,
    probe: aiohttp.ClientSession,
    agent: aiohttp.ClientSession,
    editor: aiohttp.ClientSession,
    seconds: float,
    inflight: int,
    *,
    hostile: bool = True,
) -> dict[str, Any]:
    stop = time.perf_counter() + seconds
    health: list[float] = []
    lookups: list[float] = []
    bad_times: list[float] = []
    statuses: Counter[int] = Counter()
    serial = 0

    async def poll() -> None:
        while time.perf_counter() < stop:
            t0 = time.perf_counter()
            async with probe.get(f"{base}/healthz") as r:
                await r.read()
                assert r.status == 200
            health.append((time.perf_counter() - t0) * 1000)
            await asyncio.sleep(0.01)

    async def type_lookups() -> None:
        i = 0
        while time.perf_counter() < stop:
            t0 = time.perf_counter()
            params = {"q": f"fh{i % 200}", "buyer": "小王"}
            async with agent.get(f"{base}/api/quick-replies/search", params=params) as r:
                await r.read()
                assert r.status == 200
            lookups.append((time.perf_counter() - t0) * 1000)
            i += 1
            await asyncio.sleep(0.02)

    async def attack(worker: int) -> None:
        nonlocal serial
        templates = list(HOSTILE.values())
        while time.perf_counter() < stop:
            serial += 1
            t0 = time.perf_counter()
            if not hostile:  # the control: as many ordinary lookups in flight, each rendering 20 phrases
                params = {"q": "发货", "limit": "20", "buyer": f"买家{serial}"}
                request = agent.get(f"{base}/api/quick-replies/search", params=params)
            elif worker % 2 == 0:  # a lookup rendering every hostile phrase for a buyer never seen before
                params = {"q": "坏", "limit": "20", "buyer": f"买家{serial}"}
                request = agent.get(f"{base}/api/quick-replies/search", params=params)
            else:
                template = templates[serial % len(templates)]
                body = {"template": template, "context": {"buyer": {"nick": "小王"}}}
                request = editor.post(f"{base}/api/kb/preview", json=body)
            async with request as r:
                await r.read()
                statuses[r.status] += 1
            bad_times.append((time.perf_counter() - t0) * 1000)

    await asyncio.gather(poll(), type_lookups(), *(attack(w) for w in range(inflight)))
    return {"health": health, "lookups": lookups, "bad": bad_times, "statuses": statuses}


def report(quiet: dict[str, Any], ordinary: dict[str, Any], hostile: dict[str, Any], inflight: int) -> None:
    def line(label: str, values: list[float]) -> str:
        return f"  {label:36} n={len(values):5}  p50 {pct(values, 50):7.2f} ms  p99 {pct(values, 99):7.2f} ms"

    print("quiet (no other request):")
    print(line("/healthz", quiet["health"]))
    print(line("ordinary lookup (GET search)", quiet["lookups"]))
    for label, result in (
        (f"{inflight} ordinary lookups", ordinary),
        (f"{inflight} hostile renders", hostile),
    ):
        print(f"with {label} in flight:")
        print(line("/healthz", result["health"]))
        print(line("ordinary lookup (GET search)", result["lookups"]))
        print(line("the requests in flight", result["bad"]))
        statuses = dict(sorted(result["statuses"].items()))
        print(f"  their statuses: {statuses}  (5xx: {sum(n for st, n in statuses.items() if st >= 500)})")
    errors = sum(n for status, n in hostile["statuses"].items() if status >= 500)
    p99 = pct(hostile["health"], 99)
    verdict = "meets" if p99 <= TARGET_MS and errors == 0 else "MISSES"
    print(
        f"/healthz p99 {p99:.2f} ms with {inflight} hostile renders in flight: target <= {TARGET_MS:.0f} ms ({verdict}); "
        f"with {inflight} ordinary lookups in flight {pct(ordinary['health'], 99):.2f} ms, quiet {pct(quiet['health'], 99):.2f} ms"
    )
    print(
        f"normal lookup p99 {pct(hostile['lookups'], 99):.2f} ms under hostile renders "
        f"(under ordinary load {pct(ordinary['lookups'], 99):.2f} ms, quiet {pct(quiet['lookups'], 99):.2f} ms)"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--inflight", type=int, default=10)
    args = parser.parse_args()
    asyncio.run(run(args.seconds, args.inflight))


if __name__ == "__main__":
    main()
