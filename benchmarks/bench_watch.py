"""The response watch under a Double-11 rush: 50 agents × 20 conversations, 5 supervisors watching.

Run: ``.venv/bin/python benchmarks/bench_watch.py`` (``--duration S``, default 600 = the issue's ten
minutes; ``--agents``, ``--conversations``, ``--supervisors`` to scale). The real ``create_app`` serves
a fresh shop in a child process (so the load generator does not share its event loop, and its memory
is the service's alone); this process replays ``assistant.demo.rush`` — the generator of the demo
console's rush mode — through ``POST /api/events`` as each agent's client, while every agent's sidebar
asks ``GET /api/watch`` every 2 s and the supervisors hold ``/api/watch/team/stream`` open.

Printed beside their targets:
- ``/api/watch`` p99 (≤ 20 ms);
- event → supervisor screen p99 (≤ 200 ms): from posting a message to the first wall frame computed
  after the service took it (the frame's ``at``), as it arrives at the supervisor's browser;
- the service's memory over the run (flat: the resident size of the second half of the run grows by
  less than 5 % of the first half's).
"""

from __future__ import annotations

import argparse
import asyncio
import bisect
import multiprocessing
import re
import socket
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import aiohttp  # noqa: E402

from assistant.app import MIGRATION_SETS  # noqa: E402
from assistant.demo.rush import Thread, rush  # noqa: E402
from assistant.directory import Directory  # noqa: E402
from assistant.security import load_secret  # noqa: E402
from knowledge import store  # noqa: E402
from knowledge.database import AsyncDatabase  # noqa: E402
from knowledge.evaluation import _percentile  # noqa: E402

SHOP = "bench_shop"
POLL_S = 2.0
SERVE = None  # the child process's entry (a profiler may wrap it)
AT = re.compile(rb'"at":"([^"]+)"')


def seed(data_dir: Path, agents: int, supervisors: int) -> tuple[list[int], list[int]]:
    db = AsyncDatabase(data_dir / "kefu.db")
    db.open(MIGRATION_SETS)

    def write(conn: object) -> tuple[list[int], list[int]]:
        shop = store.insert_shop(conn, SHOP, "压测旗舰店")  # type: ignore[arg-type]
        staff = [store.insert_agent(conn, f"a{n:02d}", f"客服{n:02d}", "agent", shop) for n in range(agents)]  # type: ignore[arg-type]
        leads = [
            store.insert_agent(conn, f"s{n}", f"主管{n}", "supervisor", shop)  # type: ignore[arg-type]
            for n in range(supervisors)
        ]
        return staff, leads

    found = db.write_sync(write)
    db.close()
    return found


def serve(data_dir: str, port: int) -> None:
    from aiohttp import web

    from assistant.app import create_app
    from assistant.settings import Settings

    settings = Settings(data_dir=Path(data_dir), demo_on_first_run=False, encoder="off")
    web.run_app(create_app(settings), host="127.0.0.1", port=port, print=None, access_log=None)


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class Load:
    def __init__(self, base: str, tokens: dict[str, str]) -> None:
        self.base = base
        self.tokens = tokens
        self.watch_ms: list[float] = []
        self.posted: list[tuple[float, float]] = []  # (sent, taken) wall-clock seconds, measured events
        self.frames: list[list[float]] = []  # per supervisor: the frames' ``at`` (wall s), in order
        self.received: list[list[float]] = []  # per supervisor: when each frame arrived (wall s)
        self.failures = 0

    async def post(
        self, http: aiohttp.ClientSession, login: str, event: dict[str, object], measure: bool
    ) -> None:
        sent = time.time()
        async with http.post(
            f"{self.base}/api/events", json=event, headers={"Authorization": f"Bearer {self.tokens[login]}"}
        ) as resp:
            await resp.read()
            if resp.status != 200:
                self.failures += 1
                return
        if measure and event["type"] in ("message.received", "message.sent"):
            self.posted.append((sent, time.time()))

    async def poll(self, http: aiohttp.ClientSession, login: str, until: float, offset: float) -> None:
        await asyncio.sleep(offset)
        headers = {"Authorization": f"Bearer {self.tokens[login]}"}
        while time.monotonic() < until:
            t0 = time.perf_counter()
            async with http.get(f"{self.base}/api/watch", headers=headers) as resp:
                await resp.read()
                assert resp.status == 200, resp.status
            self.watch_ms.append((time.perf_counter() - t0) * 1000)
            await asyncio.sleep(POLL_S)

    async def supervise(self, http: aiohttp.ClientSession, login: str, stop: asyncio.Event) -> None:
        ats: list[float] = []
        got: list[float] = []
        self.frames.append(ats)
        self.received.append(got)
        url = f"{self.base}/api/watch/team/stream?token={self.tokens[login]}"
        async with http.get(url, timeout=aiohttp.ClientTimeout(total=None)) as resp:
            buffer = b""
            while not stop.is_set():
                try:
                    chunk = await asyncio.wait_for(resp.content.readany(), 1.0)
                except TimeoutError:
                    continue
                if not chunk:
                    break
                now = time.time()
                buffer += chunk
                *frames, buffer = buffer.split(b"\n\n")
                for frame in frames:
                    if not frame.startswith(b"event: team"):
                        continue
                    found = AT.search(frame, 0, 400)
                    if found:
                        ats.append(datetime.fromisoformat(found[1].decode()).timestamp())
                        got.append(now)

    def screen_ms(self) -> list[float]:
        """Per measured event and supervisor: sent → the first frame computed after it was taken."""
        out = []
        for ats, got in zip(self.frames, self.received, strict=True):
            for sent, taken in self.posted:
                i = bisect.bisect_left(ats, taken)
                if i < len(ats):
                    out.append((got[i] - sent) * 1000)
        return out


async def drive(
    base: str, pid: int, args: argparse.Namespace, staff: list[int], leads: list[int], secret: bytes
) -> None:
    directory = Directory(secret=secret)
    tokens = {f"a{n:02d}": directory.token_for(a) for n, a in enumerate(staff)}
    tokens |= {f"s{n}": directory.token_for(s) for n, s in enumerate(leads)}
    threads = [
        Thread(f"c-{login}-{k:02d}", SHOP, f"tb_{login}_{k:02d}", login)
        for login in tokens
        if login.startswith("a")
        for k in range(args.conversations)
    ]
    events = rush(threads, duration_s=args.duration, lead_s=args.lead)
    history = [e for e in events if e.offset_s < 0]
    live = [e for e in events if e.offset_s >= 0]
    load = Load(base, tokens)
    connector = aiohttp.TCPConnector(limit=400)
    async with aiohttp.ClientSession(connector=connector) as http:
        start = datetime.now(UTC)
        print(
            f"{len(threads)} conversations of {len(staff)} agents; {len(history)} events of the last"
            f" {args.lead:.0f} s posted first, then {len(live)} over {args.duration:.0f} s"
            f" ({len(live) / args.duration:.1f}/s)",
            flush=True,
        )
        t0 = time.perf_counter()
        by_login: dict[str, list[dict[str, object]]] = {}
        for e in history:
            by_login.setdefault(e.login, []).append(e.payload(start))

        async def replay(payloads: list[dict[str, object]], login: str) -> None:
            for payload in payloads:
                await load.post(http, login, payload, measure=False)

        await asyncio.gather(*(replay(p, login) for login, p in by_login.items()))
        print(f"history posted in {time.perf_counter() - t0:.1f} s ({load.failures} failed)", flush=True)
        stop = asyncio.Event()
        watchers = [asyncio.create_task(load.supervise(http, f"s{n}", stop)) for n in range(len(leads))]
        await asyncio.sleep(1.0)
        began = time.monotonic()
        until = began + args.duration
        pollers = [
            asyncio.create_task(load.poll(http, login, until, n * POLL_S / len(staff)))
            for n, login in enumerate(t for t in tokens if t.startswith("a"))
        ]
        memory: list[tuple[float, float]] = [(0.0, rss_mb(pid))]
        pending: set[asyncio.Task[None]] = set()
        next_sample = 10.0
        for e in live:
            lag = e.offset_s - (time.monotonic() - began)
            if lag > 0:
                await asyncio.sleep(lag)
            task = asyncio.create_task(load.post(http, e.login, e.payload(start), measure=True))
            pending.add(task)
            task.add_done_callback(pending.discard)
            elapsed = time.monotonic() - began
            if elapsed >= next_sample:
                memory.append((elapsed, rss_mb(pid)))
                next_sample += 10.0
        await asyncio.gather(*pending, *pollers)
        memory.append((time.monotonic() - began, rss_mb(pid)))
        await asyncio.sleep(0.5)
        stop.set()
        await asyncio.gather(*watchers, return_exceptions=True)
    report(load, memory, args)


def report(load: Load, memory: list[tuple[float, float]], args: argparse.Namespace) -> None:
    screen = load.screen_ms()
    watch_p99 = _percentile(load.watch_ms, 0.99)
    screen_p99 = _percentile(screen, 0.99) if screen else float("nan")
    half = args.duration / 2
    first = [m for t, m in memory if t <= half] or [memory[0][1]]
    second = [m for t, m in memory if t > half] or [memory[-1][1]]
    growth = max(second) - max(first)
    flat = growth < 0.05 * max(first)
    print(
        f"{len(load.watch_ms)} /api/watch requests, {len(load.posted)} message events × {len(load.frames)}"
        f" supervisors, {load.failures} failed posts"
    )
    print(f"{'':38}{'p50':>9}{'p99':>9}{'max':>9}   target")
    print(
        f"{'GET /api/watch (ms)':38}{_percentile(load.watch_ms, 0.5):>9.2f}{watch_p99:>9.2f}"
        f"{max(load.watch_ms):>9.2f}   p99 ≤ 20 ms {'✔' if watch_p99 <= 20 else '✘'}"
    )
    if screen:
        print(
            f"{'event → supervisor screen (ms)':38}{_percentile(screen, 0.5):>9.2f}{screen_p99:>9.2f}"
            f"{max(screen):>9.2f}   p99 ≤ 200 ms {'✔' if screen_p99 <= 200 else '✘'}"
        )
    print(
        f"service memory (RSS MB): start {memory[0][1]:.1f}, peak of the first half {max(first):.1f},"
        f" of the second half {max(second):.1f}, end {memory[-1][1]:.1f} → growth {growth:+.1f} MB in the"
        f" second half   target flat (< 5 % of the first half) {'✔' if flat else '✘'}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--duration", type=float, default=600.0, help="seconds of live rush (default 600)")
    parser.add_argument("--lead", type=float, default=60.0, help="seconds of history posted first")
    parser.add_argument("--agents", type=int, default=50)
    parser.add_argument("--conversations", type=int, default=20)
    parser.add_argument("--supervisors", type=int, default=5)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        data_dir = Path(tmp)
        staff, leads = seed(data_dir, args.agents, args.supervisors)
        secret = load_secret(data_dir)
        port = free_port()
        process = multiprocessing.get_context("spawn").Process(
            target=SERVE or serve, args=(str(data_dir), port)
        )
        process.start()
        try:
            asyncio.run(wait_up(f"http://127.0.0.1:{port}"))
            asyncio.run(drive(f"http://127.0.0.1:{port}", process.pid or 0, args, staff, leads, secret))
        finally:
            process.terminate()
            process.join(10)


async def wait_up(base: str) -> None:
    async with aiohttp.ClientSession() as http:
        for _ in range(300):
            try:
                async with http.get(f"{base}/healthz") as resp:
                    if resp.status == 200:
                        return
            except aiohttp.ClientError:
                pass
            await asyncio.sleep(0.1)
    raise SystemExit("the service did not start")


if __name__ == "__main__":
    main()
