"""``kefu serve``, ``kefu demo`` and ``kefu token``: the service, the demo shop and an agent's token."""

from __future__ import annotations

import argparse
import errno
import socket
import sys
import time
from pathlib import Path

from aiohttp import web

import assistant
from assistant import service_lock
from assistant.cli_common import open_db, process_name
from assistant.directory import Directory
from assistant.security import load_secret
from assistant.settings import Settings
from assistant.team import grant_store
from knowledge import store as kb_store
from knowledge.database import AsyncDatabase
from knowledge.store_shops import count_shops

# Pages printed at start-up when they are served: (label, route name).
PAGES = [
    ("演示台", "demo_page"),
    ("侧边栏", "sidebar_page"),
    ("快捷短语", "lookup_page"),
    ("编辑器", "editor_page"),
]


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
    agents, shops = db.read_sync(lambda conn: (grant_store.effective_agents(conn), kb_store.list_shops(conn)))
    directory.replace(agents, shops)
    return directory


def cmd_serve(settings: Settings, args: argparse.Namespace) -> int:
    try:
        with service_lock.hold(settings.data_dir):
            return _serve(settings, args)
    except service_lock.ServiceRunning as running:
        print(
            f"数据目录 {settings.data_dir} 已有服务在运行（{process_name(running.pid)}）：先停止它，或用 --data-dir 换一个数据目录",
            file=sys.stderr,
        )
        return 1


def _serve(settings: Settings, args: argparse.Namespace) -> int:
    from assistant.app import create_app

    if settings.database_url and (problem := _hub_problem(settings.database_url)):
        print(problem, file=sys.stderr)
        return 1
    db = open_db(settings)
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
                f"服务正在使用 {settings.data_dir}（{process_name(pid)}）：先停止它，再重新生成演示店铺",
                file=sys.stderr,
            )
            return 1
        for suffix in ("", "-wal", "-shm"):
            Path(f"{settings.db_path}{suffix}").unlink(missing_ok=True)
    db = open_db(settings)
    try:
        _build_demo(db)
    finally:
        db.close()
    return 0


def cmd_token(settings: Settings, args: argparse.Namespace) -> int:
    db = open_db(settings)
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
