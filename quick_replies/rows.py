"""A stored phrase as both stores hand it out: :class:`StoredQuickReply`, the ``QuickReply`` with its
group's name and position and the search keys computed when it was saved.

``stored`` reads one back from a ``quick_replies`` row joined with its group (SQLite's shape; the hub's
PostgreSQL row differs only in ``enabled`` being a boolean). A row was written through the validated
model and the tables' checks, so it is read back without validating again: at 20,000 phrases that is
0.2 s less at every start. What arrives from elsewhere (the hub's change feed) goes through
``StoredQuickReply.model_validate``."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict

from quick_replies.models import QuickReply, Scope


class StoredQuickReply(BaseModel):
    """One saved phrase: the phrase, its group, and the search keys the lookup index is built from."""

    model_config = ConfigDict(frozen=True)

    reply: QuickReply
    group_name: str
    group_position: int
    #: ``quick_replies.keys.search_keys`` of the title and body at save time (recomputed by the index
    #: when their ``v`` is older than the code's)
    search_keys: dict[str, Any]

    @property
    def id(self) -> int:
        assert self.reply.id is not None  # a stored phrase has its id
        return self.reply.id

    @property
    def version(self) -> int:
        return self.reply.version


def _time(value: Any) -> datetime | None:
    if value is None or isinstance(value, datetime):
        return value
    return datetime.fromisoformat(value)


def _json(value: Any) -> Any:
    return json.loads(value) if isinstance(value, str) else value


def to_model(row: dict[str, Any]) -> QuickReply:
    """The phrase of a stored row (see the module's docstring for why it is not validated again)."""
    return QuickReply.model_construct(
        id=row["id"],
        shop_id=row["shop_id"],
        group_id=row["group_id"],
        scope=Scope(row["scope"]),
        team_id=row["team_id"],
        owner_agent_id=row["owner_agent_id"],
        code=row["code"],
        title=row["title"],
        body=row["body"],
        tags=_json(row["tags"]),
        enabled=bool(row["enabled"]),
        valid_from=_time(row["valid_from"]),
        valid_until=_time(row["valid_until"]),
        attachment=row["attachment"],
        position=row["position"],
        version=row["version"],
    )


def stored(row: dict[str, Any]) -> StoredQuickReply:
    """A ``quick_replies`` row joined with its group's ``group_name`` and ``group_position``."""
    return StoredQuickReply.model_construct(
        reply=to_model(row),
        group_name=row["group_name"],
        group_position=row["group_position"],
        search_keys=_json(row.get("search_keys") or "{}"),
    )
