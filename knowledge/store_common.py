"""What every knowledge store module shares: the clock, JSON columns, deleting a row."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

import sqlite_utils


def now() -> str:
    """The current time as ISO 8601 with offset (UTC)."""
    return datetime.now(UTC).isoformat(timespec="seconds")


def to_json(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def delete_row(db: sqlite_utils.Database, table: str, row_id: int) -> None:
    assert table in ("intents", "campaigns", "synonyms")
    db.execute(f"DELETE FROM {table} WHERE id = ?", [row_id])
