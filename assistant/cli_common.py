"""What the ``kefu`` commands share: opening the database (every migration applied) and naming the
process that holds the data directory."""

from __future__ import annotations

from assistant.settings import Settings
from knowledge.database import AsyncDatabase


def open_db(settings: Settings) -> AsyncDatabase:
    from assistant.app import MIGRATION_SETS

    db = AsyncDatabase(settings.db_path, readers=1)
    db.open(MIGRATION_SETS)
    return db


def process_name(pid: int) -> str:
    return f"进程 {pid}" if pid else "进程号未知"
