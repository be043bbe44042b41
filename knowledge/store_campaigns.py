"""SQL for campaigns and their scripts: inserting and saving them, and the editor's search,
filter and delete.

A delete removes the row (campaign scripts go with their campaign) and the caller records the
``delete`` revision in the same transaction, so that a rollback can bring it back.
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any, Literal

import sqlite_utils

from knowledge.models import Campaign, CampaignScript, RevisionAction, ScriptKind
from knowledge.store_common import now, to_json
from knowledge.store_revisions import record_revision


def insert_campaign(
    db: sqlite_utils.Database, campaign: Campaign, agent_id: int | None, at: str | None = None
) -> int:
    """Save a campaign and its scripts, and the campaign's first revision."""
    stamp = at or now()
    cursor = db.execute(
        "INSERT INTO campaigns (shop_id, name, starts_at, ends_at, rules, variables, updated_at)"
        " VALUES (?, ?, ?, ?, ?, ?, ?)",
        [
            campaign.shop_id,
            campaign.name,
            campaign.starts_at.isoformat(),
            campaign.ends_at.isoformat(),
            campaign.rules,
            to_json(campaign.variables),
            stamp,
        ],
    )
    campaign_id = int(cursor.lastrowid or 0)
    db.conn.executemany(
        "INSERT INTO campaign_scripts (campaign_id, kind, situation, title, body, position, updated_at)"
        " VALUES (?, ?, ?, ?, ?, ?, ?)",
        [
            (campaign_id, s.kind.value, s.situation, s.title, s.body, s.position, stamp)
            for s in campaign.scripts
        ],
    )
    record_revision(
        db,
        "campaign",
        campaign_id,
        1,
        RevisionAction.CREATE,
        agent_id,
        None,
        campaign.model_dump(mode="json", exclude={"id", "version"}),
        at=stamp,
    )
    return campaign_id


def _campaign_rows(db: sqlite_utils.Database, where: str, params: list[Any]) -> list[Campaign]:
    campaigns = []
    for r in db.query(f"SELECT * FROM campaigns WHERE {where}", params):
        scripts = [
            CampaignScript(
                id=s["id"],
                campaign_id=s["campaign_id"],
                kind=s["kind"],
                situation=s["situation"],
                title=s["title"],
                body=s["body"],
                position=s["position"],
                version=s["version"],
            )
            for s in db.query(
                "SELECT * FROM campaign_scripts WHERE campaign_id = ? ORDER BY position, id", [r["id"]]
            )
        ]
        campaigns.append(
            Campaign(
                id=r["id"],
                shop_id=r["shop_id"],
                name=r["name"],
                starts_at=r["starts_at"],
                ends_at=r["ends_at"],
                rules=r["rules"],
                variables=json.loads(r["variables"]),
                scripts=scripts,
                version=r["version"],
            )
        )
    return campaigns


def load_campaigns(db: sqlite_utils.Database) -> list[Campaign]:
    return _campaign_rows(db, "1 ORDER BY id", [])


def get_campaign(db: sqlite_utils.Database, campaign_id: int) -> Campaign | None:
    found = _campaign_rows(db, "id = ?", [campaign_id])
    return found[0] if found else None


def list_campaigns(
    db: sqlite_utils.Database, shop_id: int, after: int = 0, limit: int = 50
) -> list[Campaign]:
    return _campaign_rows(db, "shop_id = ? AND id > ? ORDER BY id LIMIT ?", [shop_id, after, limit])


def save_campaign(db: sqlite_utils.Database, campaign: Campaign, at: str | None = None) -> Campaign:
    """Write a campaign (insert with its id if missing); scripts keep their ids, new ones get one."""
    assert campaign.id is not None
    stamp = at or now()
    db.execute(
        "INSERT INTO campaigns (id, shop_id, name, starts_at, ends_at, rules, variables, version, updated_at)"
        " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (id) DO UPDATE SET name = excluded.name,"
        " starts_at = excluded.starts_at, ends_at = excluded.ends_at, rules = excluded.rules,"
        " variables = excluded.variables, version = excluded.version, updated_at = excluded.updated_at",
        [
            campaign.id,
            campaign.shop_id,
            campaign.name,
            campaign.starts_at.isoformat(),
            campaign.ends_at.isoformat(),
            campaign.rules,
            to_json(campaign.variables),
            campaign.version,
            stamp,
        ],
    )
    keep = [s.id for s in campaign.scripts if s.id is not None]
    db.execute(
        f"DELETE FROM campaign_scripts WHERE campaign_id = ? AND id NOT IN ({','.join('?' * len(keep))})",
        [campaign.id, *keep],
    )
    scripts = []
    for s in campaign.scripts:
        cursor = db.execute(
            "INSERT INTO campaign_scripts (id, campaign_id, kind, situation, title, body, position, updated_at)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (id) DO UPDATE SET kind = excluded.kind,"
            " situation = excluded.situation, title = excluded.title, body = excluded.body,"
            " position = excluded.position, version = campaign_scripts.version + 1, updated_at = excluded.updated_at",
            [s.id, campaign.id, s.kind.value, s.situation, s.title, s.body, s.position, stamp],
        )
        scripts.append(
            s.model_copy(update={"id": s.id or int(cursor.lastrowid or 0), "campaign_id": campaign.id})
        )
    return campaign.model_copy(update={"scripts": scripts})


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
