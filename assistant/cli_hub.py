"""The team hub's commands: ``kefu migrate`` (the SQLite file's and the hub's migrations), ``kefu
move-to-hub`` (this machine's quick replies into the hub, ``assistant/hub/move.py``), and the hub's half
of ``kefu purge`` (its conversation log)."""

from __future__ import annotations

import argparse
import asyncio
import sys
from collections.abc import Coroutine
from datetime import datetime
from typing import Any

from assistant.cli_common import open_db
from assistant.settings import Settings
from knowledge import store as kb_store
from quick_replies.store_interface import SqliteQuickReplyStore


def _on_hub(work: Coroutine[Any, Any, int]) -> int:
    """Run ``work`` against the hub; a hub newer than the program or out of reach is said in one line."""
    from assistant.hub.schema import HubTooNew

    try:
        return asyncio.run(work)
    except HubTooNew as exc:
        print(str(exc), file=sys.stderr)
    except OSError as exc:
        print(f"无法连接团队中心数据库：{exc}", file=sys.stderr)
    return 1


def purge_hub_messages(url: str, before: datetime, dry_run: bool) -> int:
    """``kefu purge`` in hub mode: the conversation log is on the hub, so its old messages go there."""
    return _on_hub(_purge_messages(url, before, dry_run))


async def _purge_messages(url: str, before: datetime, dry_run: bool) -> int:
    from assistant.hub.conversation_log import PgConversationLog
    from assistant.hub.service import open_pool

    pool = await open_pool(url, 1)
    try:
        log = PgConversationLog(pool)
        count = await (log.count_before(before) if dry_run else log.forget_before(before))
    finally:
        await pool.close()
    print(f"团队中心数据库：{'将清除' if dry_run else '已清除'}会话消息 {count} 条。")
    return 0


def cmd_migrate(settings: Settings, args: argparse.Namespace) -> int:
    """Apply migrations: the SQLite file's, then the team hub's (KEFU_DATABASE_URL)."""
    open_db(settings).close()
    print(f"SQLite 数据库已是最新：{settings.db_path}")
    if not settings.database_url:
        print("未设置 KEFU_DATABASE_URL：没有团队中心数据库需要迁移。")
        return 0
    return _on_hub(_migrate(settings.database_url))


async def _migrate(url: str) -> int:
    from assistant.hub.service import migrate_url

    applied = await migrate_url(url)
    print("团队中心数据库" + (f"已应用迁移：{', '.join(applied)}" if applied else "已是最新，无需迁移。"))
    return 0


def cmd_move_to_hub(settings: Settings, args: argparse.Namespace) -> int:
    if not settings.database_url:
        print("未设置团队中心数据库：用 --database-url 或环境变量 KEFU_DATABASE_URL 指定。", file=sys.stderr)
        return 2
    return _on_hub(_move(settings, args.dry_run))


async def _move(settings: Settings, dry_run: bool) -> int:
    from assistant.hub import schema
    from assistant.hub.move import move_shop
    from assistant.hub.quick_replies import PgQuickReplyStore
    from assistant.hub.service import open_pool

    db = open_db(settings)
    pool = await open_pool(settings.database_url, 2)
    try:
        async with pool.acquire() as conn:
            await schema.migrate(conn)
        shops = await db.read(kb_store.list_shops)
        names = {shop.id: shop.name for shop in shops}
        hub = PgQuickReplyStore(pool, shop_name=names.get)
        local = SqliteQuickReplyStore(db)
        refused = 0
        print("试运行：只统计，不写入团队中心。" if dry_run else "正在把本机的快捷短语复制到团队中心…")
        for shop in shops:
            done = await move_shop(local, hub, shop.id, dry_run=dry_run)
            verb = "将新建" if dry_run else "新建"
            print(
                f"{shop.name}：分组{verb} {done.groups_created}、已有 {done.groups_there}；"
                f"短语{verb} {done.phrases_created}、已有 {done.phrases_there}"
                + (f"；被拒 {len(done.refused)}" if done.refused else "")
            )
            for line in done.refused:
                print(f"  被拒：{line}")
            refused += len(done.refused)
    finally:
        await pool.close()
        db.close()
    if dry_run:
        print("去掉 --dry-run 再运行一次即可复制。")
    else:
        print("完成。团队中心已有的分组和短语保持不变；可以放心再运行一次。")
    return 1 if refused else 0
