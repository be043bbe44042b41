"""SQL for the editor's lists and deletes of campaigns and synonym groups.

Creating and saving them stays in ``knowledge.store`` (the demo generator and rollback use it);
this module adds searching, filtering and deleting.  A delete removes the row (campaign scripts
go with their campaign) and the caller records the ``delete`` revision in the same transaction,
so that a rollback can bring it back.
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any, Literal

import sqlite_utils

from knowledge.models import Campaign, ScriptKind, SynonymGroup
from knowledge.store import get_campaign

__all__ = [
    "CampaignState",
    "campaign_intents",
    "delete_campaign",
    "delete_synonyms",
    "get_synonyms",
    "search_campaigns",
    "search_synonyms",
]

CampaignState = Literal["active", "upcoming", "ended"]


def _like(text: str) -> str:
    """A LIKE pattern matching ``text`` anywhere (``%`` and ``_`` taken literally)."""
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def search_campaigns(
    db: sqlite_utils.Database,
    shop_id: int,
    *,
    search: str = "",
    state: CampaignState | None = None,
    kind: ScriptKind | None = None,
    moment: datetime | None = None,
    after: int = 0,
    limit: int = 50,
) -> list[Campaign]:
    """One page of a shop's campaigns by id.

    ``search`` looks in the name, rules, variables and the scripts' titles, situations and bodies;
    ``state`` compares the window with ``moment`` (active: started and not ended); ``kind`` keeps
    campaigns having a script of that kind."""
    where = ["shop_id = ?", "id > ?"]
    params: list[Any] = [shop_id, after]
    if search:
        like = _like(search)
        where.append(
            "(name LIKE ? ESCAPE '\\' OR rules LIKE ? ESCAPE '\\' OR variables LIKE ? ESCAPE '\\' OR id IN"
            " (SELECT campaign_id FROM campaign_scripts WHERE title LIKE ? ESCAPE '\\'"
            " OR situation LIKE ? ESCAPE '\\' OR body LIKE ? ESCAPE '\\'))"
        )
        params += [like] * 6
    if kind is not None:
        where.append("id IN (SELECT campaign_id FROM campaign_scripts WHERE kind = ?)")
        params.append(kind.value)
    rows = [
        r["id"] for r in db.query(f"SELECT id FROM campaigns WHERE {' AND '.join(where)} ORDER BY id", params)
    ]
    found: list[Campaign] = []
    for campaign_id in rows:
        campaign = get_campaign(db, campaign_id)
        if campaign is None or (
            state is not None and moment is not None and _state(campaign, moment) != state
        ):
            continue
        found.append(campaign)
        if len(found) >= limit:
            break
    return found


def _state(campaign: Campaign, moment: datetime) -> CampaignState:
    if moment < campaign.starts_at:
        return "upcoming"
    return "ended" if moment > campaign.ends_at else "active"


def campaign_intents(db: sqlite_utils.Database, campaign_id: int) -> list[str]:
    """Names of the intents bound to a campaign (they would go with it: the editor must move them)."""
    return [
        r["name"]
        for r in db.query("SELECT name FROM intents WHERE campaign_id = ? ORDER BY id", [campaign_id])
    ]


def delete_campaign(db: sqlite_utils.Database, campaign_id: int) -> None:
    """Delete a campaign and its scripts (the caller records the revision)."""
    db.execute("DELETE FROM campaign_scripts WHERE campaign_id = ?", [campaign_id])
    db.execute("DELETE FROM campaigns WHERE id = ?", [campaign_id])


def get_synonyms(db: sqlite_utils.Database, group_id: int) -> SynonymGroup | None:
    row = next(iter(db.query("SELECT * FROM synonyms WHERE id = ?", [group_id])), None)
    if row is None:
        return None
    return SynonymGroup(
        id=row["id"], shop_id=row["shop_id"], words=json.loads(row["words"]), version=row["version"]
    )


def search_synonyms(
    db: sqlite_utils.Database, shop_id: int, *, search: str = "", after: int = 0, limit: int = 200
) -> list[SynonymGroup]:
    """One page of a shop's synonym groups by id; ``search``: a word of the group contains it
    (case-insensitive for Latin letters)."""
    needle = search.strip().lower()
    found: list[SynonymGroup] = []
    for row in db.query("SELECT * FROM synonyms WHERE shop_id = ? AND id > ? ORDER BY id", [shop_id, after]):
        words = json.loads(row["words"])
        if needle and not any(needle in str(w).lower() for w in words):
            continue
        found.append(SynonymGroup(id=row["id"], shop_id=row["shop_id"], words=words, version=row["version"]))
        if len(found) >= limit:
            break
    return found


def delete_synonyms(db: sqlite_utils.Database, group_id: int) -> None:
    """Delete a synonym group (the caller records the revision)."""
    db.execute("DELETE FROM synonyms WHERE id = ?", [group_id])
