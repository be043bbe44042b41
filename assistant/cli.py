"""The ``kefu`` command: the argument parser and ``main``. The commands are ``cli_serve`` (serve, demo,
token), ``cli_data`` (backup, restore, purge, import, eval), ``cli_import`` and ``cli_hub``
(migrate, move-to-hub)."""

from __future__ import annotations

import argparse
import logging
import sys
from collections.abc import Sequence
from pathlib import Path

from pydantic import ValidationError

import assistant
from assistant.cli_data import cmd_backup, cmd_eval, cmd_import, cmd_purge, cmd_restore
from assistant.cli_hub import cmd_migrate, cmd_move_to_hub
from assistant.cli_serve import cmd_demo, cmd_serve, cmd_token
from assistant.settings import Settings, describe_error


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
    move = commands.add_parser(
        "move-to-hub",
        help="把本机的快捷短语复制到团队中心（先 --dry-run 预览）",
        description="把本机 SQLite 里各店铺的快捷短语分组和短语复制到团队中心数据库（KEFU_DATABASE_URL）。"
        "同名分组、同一范围内相同编码的短语视为已有，保持不变，所以可以重复运行。",
    )
    data_dir(move)
    move.add_argument("--database-url", help="团队中心 PostgreSQL 地址（默认：环境变量 KEFU_DATABASE_URL）")
    move.add_argument("--dry-run", action="store_true", help="只统计要新建和已有的分组、短语，不写入")
    move.set_defaults(run=cmd_move_to_hub)
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
