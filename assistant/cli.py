"""The ``kefu`` command: serve the assistant, build the demo shop, print an agent's token."""

from __future__ import annotations

import argparse
import logging
import sys
from collections.abc import Sequence
from pathlib import Path

from aiohttp import web
from pydantic import ValidationError

import assistant
from assistant.directory import Directory
from assistant.security import load_secret
from assistant.settings import Settings, describe_error
from knowledge import store as kb_store
from knowledge.database import Database

log = logging.getLogger("kefu")
# Pages printed at start-up when they are served: (label, route name).
PAGES = [("演示台", "demo_page"), ("侧边栏", "sidebar_page"), ("快捷短语", "lookup_page"), ("编辑器", "editor_page")]


def _open(settings: Settings) -> Database:
    from assistant.app import MIGRATION_SETS

    db = Database(settings.db_path, readers=1)
    db.open(MIGRATION_SETS)
    return db


def _is_empty(db: Database) -> bool:
    return bool(db.read_sync(lambda conn: conn.execute("SELECT count(*) FROM shops").fetchone()[0] == 0))


def _build_demo(db: Database) -> None:
    from assistant.demo.generator import build_demo

    print("正在生成演示店铺（首次运行约需几秒）…", flush=True)
    summary = db.write_sync(build_demo)
    print("演示店铺已生成：" + "，".join(f"{name} {count}" for name, count in summary.items()), flush=True)


def _directory(settings: Settings, db: Database) -> Directory:
    directory = Directory(secret=load_secret(settings.data_dir))
    agents, shops = db.read_sync(lambda conn: (kb_store.list_agents(conn), kb_store.list_shops(conn)))
    directory.replace(agents, shops)
    return directory


def cmd_serve(settings: Settings, args: argparse.Namespace) -> int:
    from assistant.app import create_app

    db = _open(settings)
    try:
        if _is_empty(db) and settings.demo_on_first_run and not args.no_demo:
            _build_demo(db)
        directory = _directory(settings, db)
    finally:
        db.close()
    app = create_app(settings)
    base = f"http://{'[' + settings.host + ']' if ':' in settings.host else settings.host}:{settings.port}"
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
    web.run_app(app, host=settings.host, port=settings.port, print=None)
    return 0


def cmd_demo(settings: Settings, args: argparse.Namespace) -> int:
    if settings.db_path.exists():
        if not args.force:
            print(f"{settings.db_path} 已有数据；加 --force 会删除它并重新生成演示店铺。", file=sys.stderr)
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


def cmd_eval(settings: Settings, args: argparse.Namespace) -> int:
    import json

    from knowledge.evaluation import evaluate, format_table

    for path in (args.kb, args.queries):
        if not path.is_file():
            print(f"找不到文件 {path}", file=sys.stderr)
            return 1
    try:
        result = evaluate(args.kb, args.queries, default_synonyms=not args.no_default_synonyms)
    except ValueError as exc:
        print(str(exc), file=sys.stderr)
        return 1
    print(json.dumps(result, ensure_ascii=False) if args.json else format_table(result))
    return 0


def _shop_of(db: Database, wanted: str | None) -> int | None:
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

    serve = commands.add_parser("serve", help="启动服务（数据库为空时先生成演示店铺）",
                                description="启动服务；数据库为空时先生成演示店铺，并打印地址和访问令牌。")
    data_dir(serve)
    serve.add_argument("--host", help="监听地址（默认 127.0.0.1）")
    serve.add_argument("--port", type=int, help="监听端口（默认 8765）")
    serve.add_argument("--no-demo", action="store_true", help="数据库为空时也不生成演示店铺")
    serve.set_defaults(run=cmd_serve)

    demo = commands.add_parser("demo", help="生成演示店铺", description="在数据目录中生成确定性的演示店铺。")
    data_dir(demo)
    demo.add_argument("--force", action="store_true", help="删除已有数据库后重新生成")
    demo.set_defaults(run=cmd_demo)

    token = commands.add_parser("token", help="打印某位客服的访问令牌", description="打印客服的 API 访问令牌，供脚本使用。")
    data_dir(token)
    token.add_argument("--agent", required=True, help="客服登录名或编号，例如 xiaomei")
    token.set_defaults(run=cmd_token)

    evaluation = commands.add_parser(
        "eval", help="评测推荐回复：我们的匹配器 vs BM25 基线",
        description="用 JSON lines 知识库（intent_id, question）和查询（query, intent_id）评测：top-1、top-3、MRR@10、延迟。",
    )
    data_dir(evaluation)
    evaluation.add_argument("--kb", type=Path, required=True, help="知识库 KB.jsonl")
    evaluation.add_argument("--queries", type=Path, required=True, help="查询 QUERIES.jsonl")
    evaluation.add_argument("--json", action="store_true", help="输出一个 JSON 对象")
    evaluation.add_argument("--no-default-synonyms", action="store_true", help="不用内置同义词（对照）")
    evaluation.set_defaults(run=cmd_eval)

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
    overrides = {"data_dir": args.data_dir, "host": getattr(args, "host", None), "port": getattr(args, "port", None)}
    try:
        settings = Settings.load(**overrides)
    except ValidationError as exc:
        print(describe_error(exc), file=sys.stderr)
        return 2
    result: int = args.run(settings, args)
    return result


if __name__ == "__main__":
    raise SystemExit(main())
