"""The data commands: ``kefu backup|restore|purge|migrate|import|eval``."""

from __future__ import annotations

import argparse
import contextlib
import sys
from datetime import datetime
from pathlib import Path

import sqlite_utils

from assistant import service_lock
from assistant.cli_common import open_db, process_name
from assistant.settings import Settings
from knowledge import store as kb_store
from knowledge import store_backup
from knowledge.database import AsyncDatabase


def cmd_backup(settings: Settings, args: argparse.Namespace) -> int:
    target: Path = args.file
    if not settings.db_path.is_file():
        print(f"数据目录 {settings.data_dir} 里还没有数据库，没有可备份的内容", file=sys.stderr)
        return 1
    if target.exists() and not args.force:
        print(f"{target} 已存在：换一个文件名，或加 --force 覆盖", file=sys.stderr)
        return 1
    if target.resolve() == settings.db_path.resolve():
        print("备份文件不能是数据库本身", file=sys.stderr)
        return 1
    target.parent.mkdir(parents=True, exist_ok=True)
    try:
        report = store_backup.backup(settings.db_path, target)
    except store_backup.BackupError as exc:
        print(str(exc), file=sys.stderr)
        return 1
    print(
        f"已备份到 {target}（{target.stat().st_size} 字节，{len(report.migrations)} 个迁移，完整性检查通过）。"
        f"恢复：kefu restore {target}"
    )
    return 0


def cmd_restore(settings: Settings, args: argparse.Namespace) -> int:
    from assistant.app import MIGRATION_SETS

    source: Path = args.file
    if not source.is_file():
        print(f"找不到备份文件 {source}", file=sys.stderr)
        return 1
    pid = service_lock.holder(settings.data_dir)
    if pid is not None:
        print(
            f"服务正在使用数据目录 {settings.data_dir}（{process_name(pid)}）：先在它的窗口按 Ctrl+C 停止"
            + (f"（或 kill {pid}）" if pid else "")
            + "，再运行 kefu restore",
            file=sys.stderr,
        )
        return 1
    staged = settings.db_path.with_name(settings.db_path.name + ".restoring")
    try:
        with service_lock.hold(settings.data_dir):  # no service starts while the file is swapped
            try:
                report = store_backup.stage(source, staged)
            except store_backup.BackupError as exc:
                print(f"没有恢复：{exc}", file=sys.stderr)
                return 1
            problem = _restore_problem(report, store_backup.known_migrations(MIGRATION_SETS))
            if problem:
                store_backup.discard(staged)
                print(f"没有恢复：{source} {problem}；现有数据没有改动", file=sys.stderr)
                return 1
            stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
            aside = settings.db_path.with_name(f"{settings.db_path.name}.before-restore-{stamp}")
            kept = store_backup.install(staged, settings.db_path, aside)
    except service_lock.ServiceRunning as running:
        store_backup.discard(staged)
        print(f"服务刚刚启动（{process_name(running.pid)}）：先停止它，再运行 kefu restore", file=sys.stderr)
        return 1
    print(f"已从 {source} 恢复数据库（完整性检查通过，{len(report.migrations)} 个迁移）。")
    if kept:
        print(f"  原来的数据库留在 {aside}；确认无误后可以删除。")
    missing = store_backup.known_migrations(MIGRATION_SETS) - report.migrations
    if missing:
        print(f"  备份比当前版本旧：下次 kefu serve 启动时会补上 {len(missing)} 个迁移。")
    print("  现在可以运行 kefu serve。")
    return 0


def _restore_problem(report: store_backup.CopyReport, known: set[tuple[str, str]]) -> str | None:
    """Why a staged copy must not be installed, or None."""
    if not report.sound:
        return "没有通过完整性检查（" + "；".join(report.integrity[:3]) + "）"
    if not report.migrations:
        return "不是客服助手的数据库（没有迁移记录）"
    unknown = sorted(report.migrations - known)
    if unknown:
        names = "、".join(f"{s}:{n}" for s, n in unknown[:3])
        return f"来自更新的版本（这一版不认识迁移 {names}）：请先升级 kefu-assistant"
    return None


def cmd_eval(settings: Settings, args: argparse.Namespace) -> int:
    import json

    from knowledge.encoder import load_encoder
    from knowledge.evaluation import evaluate, format_table

    for path in (args.kb, args.queries, *([args.offtopic] if args.offtopic else [])):
        if not path.is_file():
            print(f"找不到文件 {path}", file=sys.stderr)
            return 1
    encoder, status = load_encoder("off" if args.no_encoder else settings.encoder)
    if encoder is None:
        print(f"语义编码器未启用（sentence encoder {status.state}: {status.detail}）", file=sys.stderr)
    try:
        result = evaluate(
            args.kb,
            args.queries,
            default_synonyms=not args.no_default_synonyms,
            encoder=encoder,
            offtopic_path=args.offtopic,
            per_intent=args.per_intent,
        )
    except ValueError as exc:
        print(str(exc), file=sys.stderr)
        return 1
    print(json.dumps(result, ensure_ascii=False) if args.json else format_table(result))
    return 0


class _DryRun(Exception):
    """Raised inside the purge's transaction to roll it back after counting."""


def cmd_purge(settings: Settings, args: argparse.Namespace) -> int:
    from datetime import date, datetime, time
    from zoneinfo import ZoneInfo

    from assistant.privacy.purge import PurgeReport, purge

    try:
        day = date.fromisoformat(args.before)
    except ValueError:
        print(f"--before 应为日期 YYYY-MM-DD，收到的是 {args.before!r}", file=sys.stderr)
        return 2
    tz = ZoneInfo(settings.timezone)
    before = datetime.combine(day, time(0), tzinfo=tz)
    now = datetime.now(tz)
    if before > now:
        print(f"--before {day} 在今天之后：不能清除还没发生的数据", file=sys.stderr)
        return 2
    db = open_db(settings)
    report: list[PurgeReport] = []

    def run(conn: sqlite_utils.Database) -> None:
        report.append(purge(conn, before, now.isoformat()))
        if args.dry_run:
            raise _DryRun

    try:
        with contextlib.suppress(_DryRun):
            db.write_sync(run)
    finally:
        db.close()
    r = report[0]
    head = "试运行（没有改动）" if args.dry_run else "已清除"
    print(
        f"{head}：{day} 之前（{settings.timezone}）的会话消息 {r.messages_deleted} 条，"
        f"已结束订单的收货人信息 {r.orders_anonymised} 笔，审计记录匿名化 {r.audit_rows_anonymised} 条，"
        f"待同步记录匿名化 {r.outbox_rows_anonymised} 条，买家备注 {r.notes_deleted} 条，"
        f"幂等记录 {r.idempotency_keys_deleted} 条。审计记录本身全部保留。"
    )
    if settings.database_url:
        from assistant.cli_hub import purge_hub_messages

        return purge_hub_messages(settings.database_url, before, args.dry_run)
    return 0


def _shop_of(db: AsyncDatabase, wanted: str | None) -> int | None:
    shops = db.read_sync(kb_store.list_shops)
    if wanted is None:
        if len(shops) == 1:
            return shops[0].id
        names = "、".join(f"{s.code}（{s.name}）" for s in shops) or "（还没有店铺）"
        print(f"请用 --shop 指定导入到哪家店铺：{names}", file=sys.stderr)
        return None
    for shop in shops:
        if wanted in {shop.code, shop.name, str(shop.id)}:
            return shop.id
    names = "、".join(f"{s.code}（{s.name}）" for s in shops) or "（还没有店铺）"
    print(f"没有店铺 {wanted!r}。已有：{names}", file=sys.stderr)
    return None


def cmd_import(settings: Settings, args: argparse.Namespace) -> int:
    from assistant.cli_import import run_import

    for path in (args.file, getattr(args, "lines", None)):
        if path is not None and not path.is_file():
            print(f"找不到文件 {path}", file=sys.stderr)
            return 1
    db = open_db(settings)
    try:
        shop_id = _shop_of(db, args.shop)
        if shop_id is None:
            return 1
        return run_import(db, settings, shop_id, args)
    finally:
        db.close()
