"""Memory an import adds to the service, for the worst files we know of, against the 200 MB target.

Run: .venv/bin/python benchmarks/bench_import_memory.py

For each file a fresh service (the real ``create_app`` under ``web.run_app``, its own process) is
started, warmed with one small .xlsx import (so openpyxl is loaded), and its resident memory read
from ``/proc/<pid>/status``; then the file is uploaded (``POST /api/quick-replies/import``, dry
run) and the process's peak resident memory (``VmHWM``) minus that baseline is what the import
added. Files (all within the upload limit, ``max_body_bytes`` = 1 MB):

- ``declared XFD20000``: the report's file: 20,000 rows declaring ``A1:XFD20000`` (openpyxl, asked
  for the declared range, pads every row to 16,384 cells: 2.7 GB before the fix), and three of
  them uploaded at once (7 GB before);
- ``20,000 phrases (Excel)``: a legitimate export of 20,000 phrases, shared strings and all;
- ``cell bomb``: 5 million empty cells compressed to a few KB;
- ``30,000 rows``: past the row limit;
- ``billion laughs``: nested entities in the sheet's DTD;
- ``unpacks to 200 MB``: a part of whitespace;
- ``max-size CSV``: 1 MB of CSV rows (about 20,000 phrases).

Prints each file's status, time and memory added, and the worst against the target.
"""

from __future__ import annotations

import asyncio
import io
import socket
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import aiohttp  # noqa: E402

from assistant.app import MIGRATION_SETS  # noqa: E402
from assistant.directory import Directory  # noqa: E402
from assistant.security import load_secret  # noqa: E402
from knowledge import store as kb_store  # noqa: E402
from knowledge.database import AsyncDatabase  # noqa: E402
from quick_replies.transfer import to_xlsx  # noqa: E402
from tests.qr_transfer import xlsx_files as xf  # noqa: E402

TARGET_MB = 200.0
SERVER = (
    "import sys; sys.path.insert(0, sys.argv[2]); from aiohttp import web; from assistant.app import create_app;"
    "from assistant.settings import Settings;"
    "web.run_app(create_app(Settings(data_dir=sys.argv[1], demo_on_first_run=False)),"
    " host='127.0.0.1', port=int(sys.argv[3]), print=None, access_log=None)"
)


def phrases_xlsx(count: int = 20_000) -> bytes:
    records = [
        {
            "group": f"分组{i % 20}",
            "title": f"标题{i}",
            "code": f"c{i}",
            "body": f"亲，第 {i} 条回复：现货48小时内发货",
        }
        for i in range(count)
    ]
    return to_xlsx(records)


def max_csv(limit: int = 1024 * 1024 - 4096) -> bytes:
    out = io.StringIO()
    out.write("分组,编码,标题,内容\n")
    i = 0
    size = 0
    while True:
        line = f"物流,c{i},标题{i},亲，第 {i} 条回复：现货48小时内发货\n"
        size += len(line.encode())
        if size > limit:
            return out.getvalue().encode("utf-8")
        out.write(line)
        i += 1


FILES: list[tuple[str, Callable[[], bytes], str, int]] = [
    ("declared XFD20000", xf.declared_xfd, "p.xlsx", 1),
    ("3 × XFD20000 at once", xf.declared_xfd, "p.xlsx", 3),
    ("20,000 phrases (Excel)", phrases_xlsx, "p.xlsx", 1),
    ("cell bomb (5M cells)", xf.cell_bomb, "p.xlsx", 1),
    ("30,000 rows", xf.many_rows, "p.xlsx", 1),
    ("billion laughs", xf.laughs_in_sheet, "p.xlsx", 1),
    ("unpacks to 200 MB", xf.unpacks_big, "p.xlsx", 1),
    ("max-size CSV", max_csv, "p.csv", 1),
]


def status_kb(pid: int, field: str) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1])
    raise KeyError(field)


def seed(data_dir: Path) -> int:
    db = AsyncDatabase(data_dir / "kefu.db")
    db.open(MIGRATION_SETS)

    def fn(conn: object) -> int:
        shop = kb_store.insert_shop(conn, "bench_shop", "基准测试旗舰店")  # type: ignore[arg-type]
        return kb_store.insert_agent(conn, "editor", "李娜", "editor", shop)  # type: ignore[arg-type]

    editor = db.write_sync(fn)
    db.close()
    return editor


async def measure(label: str, data: bytes, name: str, copies: int = 1) -> tuple[str, int, str, float, float]:
    with tempfile.TemporaryDirectory() as tmp:
        data_dir = Path(tmp)
        editor = seed(data_dir)
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            port = s.getsockname()[1]
        server = await asyncio.create_subprocess_exec(
            sys.executable, "-c", SERVER, str(data_dir), str(ROOT), str(port)
        )
        token = Directory(secret=load_secret(data_dir)).token_for(editor)
        url = f"http://127.0.0.1:{port}/api/quick-replies/import"
        try:
            async with aiohttp.ClientSession(headers={"Authorization": f"Bearer {token}"}) as session:
                for _ in range(300):
                    try:
                        async with session.get(f"http://127.0.0.1:{port}/healthz") as r:
                            if r.status == 200:
                                break
                    except aiohttp.ClientError:
                        await asyncio.sleep(0.1)

                async def upload(payload: bytes, filename: str) -> tuple[int, str]:
                    form = aiohttp.FormData()
                    form.add_field(
                        "file", payload, filename=filename, content_type="application/octet-stream"
                    )
                    async with session.post(url, params={"dry_run": "true"}, data=form) as r:
                        body = await r.json()
                        return r.status, str(body.get("error") or f"{body.get('added')} added")

                await upload(xf.declared_xfd(50), "warm.xlsx")  # openpyxl and the planner loaded
                baseline = status_kb(server.pid, "VmRSS")
                started = time.perf_counter()
                answers = await asyncio.gather(*(upload(data, name) for _ in range(copies)))
                status, said = answers[0]
                seconds = time.perf_counter() - started
                peak = status_kb(server.pid, "VmHWM")
        finally:
            server.terminate()
            await server.wait()
    return label, status, said, seconds, max(0, peak - baseline) / 1024


async def run() -> None:
    worst = ("", 0.0)
    print(f"{'file':24} {'size':>8}  {'status':>6} {'time':>7} {'added':>9}  answer")
    for label, make, name, copies in FILES:
        data = make()
        label, status, said, seconds, added = await measure(label, data, name, copies)
        print(
            f"{label:24} {len(data) / 1024:6.0f}KB  {status:>6} {seconds:6.2f}s {added:7.1f}MB  {said[:70]}"
        )
        if added > worst[1]:
            worst = (label, added)
    verdict = "meets" if worst[1] <= TARGET_MB else "MISSES"
    print(
        f"peak memory added by the worst import ({worst[0]}): {worst[1]:.1f} MB; target <= {TARGET_MB:.0f} MB ({verdict})"
    )
    print("before this change the declared XFD20000 file alone took 2.7 GB (issue #13)")


if __name__ == "__main__":
    asyncio.run(run())
