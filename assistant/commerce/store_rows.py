"""How the commerce stores read rows: a query's rows as dicts by column name (``Row``), one row or
none, and the compact JSON the JSON columns hold."""

from __future__ import annotations

import json
from typing import Any

import sqlite_utils


def json_text(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


Row = dict[str, Any]


def rows(db: sqlite_utils.Database, sql: str, params: list[Any] | tuple[Any, ...] = ()) -> list[Row]:
    cursor = db.conn.execute(sql, params)
    names = [d[0] for d in cursor.description]
    return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]


def one(db: sqlite_utils.Database, sql: str, params: list[Any] | tuple[Any, ...] = ()) -> Row | None:
    found = rows(db, sql, params)
    return found[0] if found else None
