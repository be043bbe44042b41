"""A stored phrase row (a ``quick_replies`` row plus ``group_name`` and ``group_position``, as both
stores return it) read back into the ``QuickReply`` model."""

from __future__ import annotations

import json
from typing import Any

from quick_replies.models import QuickReply


def to_model(row: dict[str, Any]) -> QuickReply:
    return QuickReply(
        id=row["id"],
        shop_id=row["shop_id"],
        group_id=row["group_id"],
        scope=row["scope"],
        team_id=row["team_id"],
        owner_agent_id=row["owner_agent_id"],
        code=row["code"],
        title=row["title"],
        body=row["body"],
        tags=json.loads(row["tags"]),
        enabled=bool(row["enabled"]),
        valid_from=row["valid_from"],
        valid_until=row["valid_until"],
        attachment=row["attachment"],
        position=row["position"],
        version=row["version"],
    )
