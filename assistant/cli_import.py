"""``kefu import orders|items``: the dry run or the import of a seller-center export, from the shell."""

from __future__ import annotations

import argparse
import sys
from datetime import datetime
from zoneinfo import ZoneInfo

from assistant.commerce.import_files import ImportOptions, export_time_from_name
from assistant.commerce.import_report import ImportReport
from assistant.commerce.item_import import import_items
from assistant.commerce.order_import import import_orders
from assistant.settings import Settings
from knowledge.database import AsyncDatabase
from knowledge.spreadsheet import TableError
from knowledge.store_shops import shop_zone

ACTION_WORDS = {"add": "新增", "update": "更新", "conflict": "冲突", "leave": "保留", "refuse": "拒绝"}
LISTED = ("refuse", "conflict", "update")  # adds and unchanged rows are only counted
MAX_PRINTED = 200


def export_time(args: argparse.Namespace, zone: ZoneInfo) -> datetime:
    """--exported-at, else the time in the file name, else the file's modification time."""
    if args.exported_at:
        moment = datetime.fromisoformat(args.exported_at.replace("/", "-"))
        return moment if moment.tzinfo else moment.replace(tzinfo=zone)
    named = export_time_from_name(args.file.name, zone)
    if named is not None:
        return named
    return datetime.fromtimestamp(args.file.stat().st_mtime, zone)


def _progress(fraction: float) -> None:
    if sys.stderr.isatty():
        print(f"\r读取中… {fraction:4.0%}", end="", file=sys.stderr, flush=True)


def summary(report: ImportReport) -> str:
    what = "订单" if report.kind == "orders" else "商品"
    verb = "已导入" if report.applied else "预览（未写入）"
    parts = [
        f"{verb}：{report.rows_read} 行{what}（{report.format}"
        f"{'，' + report.encoding if report.encoding else ''}，表头在第 {report.header_row} 行）",
        f"  新增 {report.added}，更新 {report.updated}，冲突 {report.conflicts}，保留 {report.left}，拒绝 {report.refused}",
    ]
    if report.kind == "orders":
        parts.append(
            f"  新买家 {report.buyers_added}；宝贝明细 {report.lines_read} 行"
            + (f"（{report.lines_without_order} 个订单不在订单文件里）" if report.lines_without_order else "")
        )
    rows = [r for r in report.rows if r.action in LISTED]
    for row in rows[:MAX_PRINTED]:
        detail = row.reason or "、".join(row.fields)
        parts.append(f"  第 {row.row} 行 {ACTION_WORDS[row.action]} {row.key}：{detail}")
    if len(rows) > MAX_PRINTED or report.rows_cut:
        parts.append("  …（只列出一部分，完整结果请加 --json）")
    parts.append(f"  计划编号 {report.plan_id}")
    return "\n".join(parts)


def run_import(db: AsyncDatabase, settings: Settings, shop_id: int, args: argparse.Namespace) -> int:
    zone = db.read_sync(lambda c: shop_zone(c, shop_id))
    try:
        exported = export_time(args, zone)
    except ValueError:
        print(f"导出时间「{args.exported_at}」看不懂：请写成 2026-11-12 09:30 这样", file=sys.stderr)
        return 2
    options = ImportOptions(
        shop_id=shop_id, zone=zone, exported_at=exported, file_name=args.file.name,
        overwrite_conflicts=getattr(args, "overwrite_conflicts", False),
    )  # fmt: skip
    apply = not args.dry_run
    try:
        if args.kind == "orders":
            report = (db.write_sync if apply else db.read_sync)(
                lambda conn: import_orders(
                    conn, args.file, options, lines_file=args.lines, apply=apply, progress=_progress
                )
            )
        else:
            report = (db.write_sync if apply else db.read_sync)(
                lambda conn: import_items(conn, args.file, options, apply=apply, progress=_progress)
            )
    except TableError as exc:
        print(str(exc), file=sys.stderr)
        return 1
    if sys.stderr.isatty():
        print(file=sys.stderr)
    print(report.model_dump_json() if args.json else summary(report))
    return 0
