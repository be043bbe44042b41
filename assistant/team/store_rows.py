"""How the team's stores read rows: a query's rows as dicts by column name (``rows``) or validated as a
frozen pydantic model (``models``, over a ``FrozenRow``), and ``Duplicate``, the refusal of a row a
unique index already holds. Apart from ``assistant.team.store`` (the response watch) so every team store
shares them without importing the watch's SQL."""

from __future__ import annotations

from typing import Any, TypeVar

import sqlite_utils
from pydantic import BaseModel, ConfigDict

M = TypeVar("M", bound=BaseModel)


class FrozenRow(BaseModel):
    """A row as a team store hands it out: read-only."""

    model_config = ConfigDict(frozen=True)


class Duplicate(Exception):
    """The row is there already (a unique index refused the insert)."""


def rows(
    db: sqlite_utils.Database, sql: str, params: tuple[Any, ...] | dict[str, Any] = ()
) -> list[dict[str, Any]]:
    """A query's rows as dicts by column name (every team store reads through this)."""
    cursor = db.conn.execute(sql, params)
    names = [c[0] for c in cursor.description]
    return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]


def models(db: sqlite_utils.Database, model: type[M], sql: str, params: tuple[Any, ...] = ()) -> list[M]:
    """A query's rows validated as ``model``."""
    return [model.model_validate(row) for row in rows(db, sql, params)]
