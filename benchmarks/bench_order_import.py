"""Importing a big seller-center order export: time and peak memory beside the targets, in one run.

    .venv/bin/python benchmarks/bench_order_import.py [--rows 200000] [--format csv|xlsx]

Writes a GBK orders file of ``--rows`` rows the way the seller center does (``="…"`` and ``'``
quoted numbers, stray-space headers, buyers who come back, every status text), then runs the real
import (``import_orders`` with ``apply=True`` in one write transaction, addresses through the
address parser) on a fresh database, and prints the wall time and the peak memory the import added
(the process's peak resident size before and after; the CPU time beside the wall time, since
this machine is shared) next to the targets: 200,000 rows in at most 60 s with at most 300 MB added. A second run re-imports the same
file (every row unchanged: the re-import path).
"""

from __future__ import annotations

import argparse
import os
import resource
import sys
import tempfile
import time
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from assistant.app import MIGRATION_SETS
from assistant.commerce.import_files import ImportOptions
from assistant.commerce.order_import import import_orders
from knowledge import store as kb_store
from knowledge.database import AsyncDatabase
from tests.shop_import.exports import ORDER_HEADER, big_orders, iter_csv_lines, to_xlsx

TARGET_SECONDS = 60.0
TARGET_MB = 300.0
TARGET_ROWS = 200_000


def _rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux: kilobytes


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rows", type=int, default=TARGET_ROWS)
    parser.add_argument("--format", choices=("csv", "xlsx"), default="csv")
    args = parser.parse_args()
    zone = ZoneInfo("Asia/Shanghai")
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / f"ExportOrderList202612010900.{args.format}"
        started = time.perf_counter()
        if args.format == "csv":
            with path.open("wb") as out:
                for chunk in iter_csv_lines(ORDER_HEADER, big_orders(args.rows)):
                    out.write(chunk.encode("gbk"))
        else:
            path.write_bytes(to_xlsx(ORDER_HEADER, big_orders(args.rows)))
        print(f"wrote {args.rows:,} rows ({path.stat().st_size / 1e6:.1f} MB {args.format}, GBK) "
              f"in {time.perf_counter() - started:.1f} s")  # fmt: skip
        db = AsyncDatabase(Path(folder) / "kefu.db", readers=1)
        db.open(MIGRATION_SETS)
        shop = db.write_sync(lambda c: kb_store.insert_shop(c, "bench", "基准店"))
        options = ImportOptions(shop_id=shop, zone=zone, exported_at=datetime(2026, 12, 1, 9, tzinfo=zone))
        for label in ("first import", "re-import"):
            rss_before = _rss_mb()
            started, cpu = time.perf_counter(), time.process_time()
            report = db.write_sync(lambda c: import_orders(c, path, options, apply=True))
            seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
            rss_added = _rss_mb() - rss_before
            scaled = seconds * TARGET_ROWS / max(1, args.rows)
            print(f"{label}: {report.rows_read:,} rows — added {report.added:,}, updated {report.updated:,}, "
                  f"left {report.left:,}, refused {report.refused:,}, buyers {report.buyers_added:,}")  # fmt: skip
            print(f"  time   {seconds:6.1f} s wall, {cpu:.1f} s CPU (≈ {scaled:.1f} s wall per 200,000 rows; "
                  f"target ≤ {TARGET_SECONDS:.0f} s)  {'OK' if scaled <= TARGET_SECONDS else 'OVER'}")  # fmt: skip
            print(f"  memory {rss_added:6.1f} MB added to the peak resident size "
                  f"(target ≤ {TARGET_MB:.0f} MB)  {'OK' if rss_added <= TARGET_MB else 'OVER'}")  # fmt: skip
            print(f"  load average while running: {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
        db.close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
