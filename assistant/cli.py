"""The ``kefu`` command: serve the assistant, build the demo shop, print an agent's token."""

from __future__ import annotations

import argparse
import contextlib
import errno
import logging
import socket
import sys
import time
from collections.abc import Sequence
from datetime import datetime
from pathlib import Path

import sqlite_utils
from aiohttp import web
from pydantic import ValidationError

import assistant
from assistant import service_lock
from assistant.directory import Directory
from assistant.security import load_secret
from assistant.settings import Settings, describe_error
from assistant.team import review_store
from knowledge import store as kb_store
from knowledge import store_backup
from knowledge.database import AsyncDatabase
from knowledge.store_shops import count_shops

log = logging.getLogger("kefu")
# Pages printed at start-up when they are served: (label, route name).
PAGES = [
    ("演示台", "demo_page"),
    ("侧边栏", "sidebar_page"),
    ("快捷短语", "lookup_page"),
    ("编辑器", "editor_page"),
]


def _open(settings: Settings) -> AsyncDatabase:
    from assistant.app import MIGRATION_SETS

    db = AsyncDatabase(settings.db_path, readers=1)
    db.open(MIGRATION_SETS)
    return db


def _is_empty(db: AsyncDatabase) -> bool:
    return db.read_sync(count_shops) == 0


def _build_demo(db: AsyncDatabase) -> None:
    from assistant.demo.generator import build_demo

    print("正在生成演示店铺（只在首次运行时生成，双核机器上约需 10–30 秒）…", flush=True)
    started = time.monotonic()
    summary = db.write_sync(build_demo)
    took = time.monotonic() - started
    counts = "，".join(f"{name} {count}" for name, count in summary.items())
    print(f"演示店铺已生成（用时 {took:.0f} 秒）：{counts}", flush=True)


def _directory(settings: Settings, db: AsyncDatabase) -> Directory:
    directory = Directory(secret=load_secret(settings.data_dir))
    agents, shops = db.read_sync(
        lambda conn: (review_store.effective_agents(conn), kb_store.list_shops(conn))
    )
    directory.replace(agents, shops)
    return directory


def cmd_serve(settings: Settings, args: argparse.Namespace) -> int:
    try:
        with service_lock.hold(settings.data_dir):
            return _serve(settings, args)
    except service_lock.ServiceRunning as running:
        print(
            f"数据目录 {settings.data_dir} 已有服务在运行（{_process(running.pid)}）：先停止它，或用 --data-dir 换一个数据目录",
            file=sys.stderr,
        )
        return 1


def _process(pid: int) -> str:
    return f"进程 {pid}" if pid else "进程号未知"


def _serve(settings: Settings, args: argparse.Namespace) -> int:
    from assistant.app import create_app

    if settings.database_url and (problem := _hub_problem(settings.database_url)):
        print(problem, file=sys.stderr)
        return 1
    db = _open(settings)
    try:
        if _is_empty(db) and settings.demo_on_first_run and not args.no_demo:
            _build_demo(db)
        directory = _directory(settings, db)
    finally:
        db.close()
    try:
        family = socket.AF_INET6 if ":" in settings.host else socket.AF_INET
        sock = socket.create_server((settings.host, settings.port), family=family)
    except OSError as exc:
        print(f"无法监听 {settings.host}:{settings.port}：{_bind_problem(exc)}", file=sys.stderr)
        return 1
    app = create_app(settings)
    port = sock.getsockname()[1]
    base = f"http://{'[' + settings.host + ']' if ':' in settings.host else settings.host}:{port}"
    print(f"kefu-assistant {assistant.__version__} 正在运行：{base}")
    print(f"  数据目录：{settings.data_dir}")
    routes = app.router.named_resources()
    pages = [f"{label}：{base}{routes[name].canonical}" for label, name in PAGES if name in routes]
    if pages:
        print("  " + "    ".join(pages))
    if directory.agents:
        print("  访问令牌（Authorization: Bearer <令牌>）：")
        for agent in directory.agents.values():
            print(f"    {agent.login:<10} {agent.role.value:<10} {directory.token_for(agent.id)}")
    print("按 Ctrl+C 停止。", flush=True)
    web.run_app(app, sock=sock, print=None)
    return 0


def _hub_problem(url: str) -> str | None:
    """Migrate the team hub before serving; what stops it, said plainly (None: ready)."""
    import asyncio

    from assistant.hub.schema import HubTooNew
    from assistant.hub.service import migrate_url

    try:
        applied = asyncio.run(migrate_url(url))
    except HubTooNew as exc:
        return str(exc)
    except Exception as exc:  # unreachable, refused, bad password, no such database, asyncpg missing
        return f"无法连接团队中心数据库（KEFU_DATABASE_URL）：{exc}"
    if applied:
        print(f"团队中心数据库已应用迁移：{', '.join(applied)}", flush=True)
    return None


def _bind_problem(exc: OSError) -> str:
    if exc.errno == errno.EADDRINUSE:
        return "端口已被占用（另一个 kefu 服务可能已在运行）。用 --port 换一个端口，或先停掉那个服务。"
    if exc.errno == errno.EADDRNOTAVAIL:
        return "这台机器没有这个地址。用 --host 127.0.0.1。"
    if exc.errno == errno.EACCES:
        return "没有权限使用这个端口（1024 以下的端口需要管理员权限）。用 --port 换一个端口。"
    return exc.strerror or str(exc)


def cmd_demo(settings: Settings, args: argparse.Namespace) -> int:
    if settings.db_path.exists():
        if not args.force:
            print(f"{settings.db_path} 已有数据；加 --force 会删除它并重新生成演示店铺。", file=sys.stderr)
            return 1
        pid = service_lock.holder(settings.data_dir)
        if pid is not None:
            print(
                f"服务正在使用 {settings.data_dir}（{_process(pid)}）：先停止它，再重新生成演示店铺",
                file=sys.stderr,
            )
            return 1
        for suffix in ("", "-wal", "-shm"):
            Path(f"{settings.db_path}{suffix}").unlink(missing_ok=True)
    db = _open(settings)
    try:
        _build_demo(db)
    finally:
        db.close()
    return 0


def cmd_token(settings: Settings, args: argparse.Namespace) -> int:
    db = _open(settings)
    try:
        directory = _directory(settings, db)
    finally:
        db.close()
    wanted = str(args.agent)
    agent = directory.by_login(wanted)
    if agent is None and wanted.isdigit():
        agent = directory.agents.get(int(wanted))
    if agent is None:
        known = "、".join(a.login for a in directory.agents.values()) or "（还没有客服，先运行 kefu demo）"
        print(f"没有客服 {wanted!r}。已有：{known}", file=sys.stderr)
        return 1
    print(directory.token_for(agent.id))
    return 0


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
            f"服务正在使用数据目录 {settings.data_dir}（{_process(pid)}）：先在它的窗口按 Ctrl+C 停止"
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
        print(f"服务刚刚启动（{_process(running.pid)}）：先停止它，再运行 kefu restore", file=sys.stderr)
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
    db = _open(settings)
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
    db = _open(settings)
    try:
        shop_id = _shop_of(db, args.shop)
        if shop_id is None:
            return 1
        return run_import(db, settings, shop_id, args)
    finally:
        db.close()


def cmd_migrate(settings: Settings, args: argparse.Namespace) -> int:
    """Apply migrations: the team hub's (KEFU_DATABASE_URL) and the SQLite file's."""
    import asyncio

    _open(settings).close()
    print(f"SQLite 数据库已是最新：{settings.db_path}")
    if not settings.database_url:
        print("未设置 KEFU_DATABASE_URL：没有团队中心数据库需要迁移。")
        return 0
    from assistant.hub.schema import HubTooNew
    from assistant.hub.service import migrate_url

    try:
        applied = asyncio.run(migrate_url(settings.database_url))
    except HubTooNew as exc:
        print(str(exc), file=sys.stderr)
        return 1
    except OSError as exc:
        print(f"无法连接团队中心数据库：{exc}", file=sys.stderr)
        return 1
    print("团队中心数据库" + (f"已应用迁移：{', '.join(applied)}" if applied else "已是最新，无需迁移。"))
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="kefu",
        description="客服助手 kefu-assistant：买家画像、推荐回复、快捷短语和一键改单的本地服务。",
    )
    parser.add_argument("--version", action="version", version=f"kefu-assistant {assistant.__version__}")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    def data_dir(sub: argparse.ArgumentParser) -> None:
        sub.add_argument(
            "--data-dir", type=Path, help="数据目录（默认：用户数据目录，或环境变量 KEFU_DATA_DIR）"
        )

    serve = commands.add_parser(
        "serve",
        help="启动服务（数据库为空时先生成演示店铺）",
        description="启动服务；数据库为空时先生成演示店铺，并打印地址和访问令牌。",
    )
    data_dir(serve)
    serve.add_argument("--host", help="监听地址（默认 127.0.0.1）")
    serve.add_argument("--port", type=int, help="监听端口（默认 8765）")
    serve.add_argument("--no-demo", action="store_true", help="数据库为空时也不生成演示店铺")
    serve.set_defaults(run=cmd_serve)

    demo = commands.add_parser("demo", help="生成演示店铺", description="在数据目录中生成确定性的演示店铺。")
    data_dir(demo)
    demo.add_argument("--force", action="store_true", help="删除已有数据库后重新生成")
    demo.set_defaults(run=cmd_demo)

    token = commands.add_parser(
        "token", help="打印某位客服的访问令牌", description="打印客服的 API 访问令牌，供脚本使用。"
    )
    data_dir(token)
    token.add_argument("--agent", required=True, help="客服登录名或编号，例如 xiaomei")
    token.set_defaults(run=cmd_token)

    evaluation = commands.add_parser(
        "eval",
        help="评测推荐回复：我们的匹配器 vs BM25 基线",
        description="用 JSON lines 知识库（intent_id, question）和查询（query, intent_id）评测：top-1、top-3、MRR@10、延迟。",
    )
    data_dir(evaluation)
    evaluation.add_argument("--kb", type=Path, required=True, help="知识库 KB.jsonl")
    evaluation.add_argument("--queries", type=Path, required=True, help="查询 QUERIES.jsonl")
    evaluation.add_argument("--json", action="store_true", help="输出一个 JSON 对象")
    evaluation.add_argument("--no-default-synonyms", action="store_true", help="不用内置同义词（对照）")
    evaluation.add_argument("--offtopic", type=Path, help="无关消息 OFFTOPIC.jsonl（统计误判为有把握的比例）")
    evaluation.add_argument("--per-intent", action="store_true", help="列出每个意图靠哪些例句命中")
    evaluation.add_argument("--no-encoder", action="store_true", help="不用语义编码器（只比字词匹配和 BM25）")
    evaluation.set_defaults(run=cmd_eval)

    backup = commands.add_parser(
        "backup",
        help="在服务运行时备份数据库到一个文件",
        description="用 SQLite 在线备份把数据库复制成一个完整的文件（服务可以照常运行），并做完整性检查。",
    )
    data_dir(backup)
    backup.add_argument("file", type=Path, metavar="FILE", help="备份文件，例如 kefu-2026-11-11.db")
    backup.add_argument("--force", action="store_true", help="覆盖已有的备份文件")
    backup.set_defaults(run=cmd_backup)

    restore = commands.add_parser(
        "restore",
        help="从备份文件恢复数据库（先停止服务）",
        description="检查备份（完整性、迁移版本）后换上它；原来的数据库改名留在数据目录里。服务运行时拒绝恢复。",
    )
    data_dir(restore)
    restore.add_argument("file", type=Path, metavar="FILE", help="kefu backup 生成的备份文件")
    restore.set_defaults(run=cmd_restore)
    migrate = commands.add_parser(
        "migrate",
        help="应用数据库迁移（SQLite 和团队中心 PostgreSQL）",
        description="应用本机 SQLite 和团队中心数据库（KEFU_DATABASE_URL）缺少的迁移；服务启动时也会自动应用。"
        "数据库比程序新时拒绝并说明原因。",
    )
    data_dir(migrate)
    migrate.add_argument(
        "--database-url", help="团队中心 PostgreSQL 地址（默认：环境变量 KEFU_DATABASE_URL）"
    )
    migrate.set_defaults(run=cmd_migrate)
    purge_cmd = commands.add_parser(
        "purge",
        help="清除某日之前的会话和买家个人信息",
        description="删除该日之前的会话消息和买家备注，匿名化此前已结束订单的收货人姓名、电话和详细地址；"
        "审计记录保留，只替换其中的个人信息。",
    )
    data_dir(purge_cmd)
    purge_cmd.add_argument(
        "--before", required=True, metavar="DATE", help="日期 YYYY-MM-DD（店铺时区的零点）"
    )
    purge_cmd.add_argument("--dry-run", action="store_true", help="只统计，不改动")
    purge_cmd.set_defaults(run=cmd_purge)

    importing = commands.add_parser(
        "import",
        help="导入卖家中心导出的订单或商品（先 --dry-run 预览）",
        description="导入千牛/卖家中心「已卖出的宝贝 → 批量导出」的订单文件（可带宝贝明细文件）或商品列表导出；"
        "CSV（GBK 或 UTF-8）和 .xlsx 都可以。",
    )
    kinds = importing.add_subparsers(dest="kind", required=True, metavar="KIND")

    def common(sub: argparse.ArgumentParser) -> None:
        data_dir(sub)
        sub.add_argument("file", type=Path, help="导出的文件（.csv 或 .xlsx）")
        sub.add_argument("--shop", help="店铺代码、名称或编号（只有一家店铺时可省略）")
        sub.add_argument(
            "--dry-run", action="store_true", help="只预览：列出要新增、更新、保留、拒绝的行，不写入"
        )
        sub.add_argument(
            "--exported-at",
            help="导出时间，例如 2026-11-12 09:30（默认取文件名中的时间，否则取文件修改时间）",
        )
        sub.add_argument("--json", action="store_true", help="输出一个 JSON 对象")
        sub.set_defaults(run=cmd_import)

    orders = kinds.add_parser(
        "orders",
        help="订单文件（可加 --lines 宝贝明细文件）",
        description="导入订单：重复导入会原地更新；导出之后本地改过的字段列为冲突并保留本地值。",
    )
    common(orders)
    orders.add_argument("--lines", type=Path, help="宝贝明细（订单商品）文件")
    orders.add_argument("--overwrite-conflicts", action="store_true", help="冲突字段也用导出文件的值覆盖")
    items = kinds.add_parser(
        "items", help="商品列表导出", description="导入商品：宝贝ID、标题、商家编码、价格、库存、是否在售。"
    )
    common(items)

    return parser


def main(argv: Sequence[str] | None = None) -> int:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    args = build_parser().parse_args(argv)
    overrides = {
        "data_dir": args.data_dir,
        "host": getattr(args, "host", None),
        "port": getattr(args, "port", None),
        "database_url": getattr(args, "database_url", None),
    }
    try:
        settings = Settings.load(**overrides)
    except ValidationError as exc:
        print(describe_error(exc), file=sys.stderr)
        return 2
    result: int = args.run(settings, args)
    return result


if __name__ == "__main__":
    raise SystemExit(main())
