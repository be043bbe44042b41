"""``kefu move-to-hub``: copy what the team hub holds from this machine's SQLite file into the hub, so a
team that started on one machine keeps its quick replies when it moves to PostgreSQL.

Today the hub holds the quick replies (groups and phrases); everything else is still local
(``assistant.hub.service.LOCAL``), so there is nothing else to move yet. The copy goes through the
``QuickReplyStore`` interface on both sides, the same writes an editor's save makes: every phrase is
checked as a save is, gets its first revision on the hub, and reaches running processes through the
change feed. It can be run again: a group is matched by its name in the shop, a phrase by its short
code in its scope (shop, team or owner), and what is already there is left as it is, so an interrupted
move finishes by running it once more and a phrase edited on the hub since is not overwritten."""

from __future__ import annotations

from dataclasses import dataclass, field

from pydantic import ValidationError

from knowledge.errors import DomainError
from quick_replies.models import QuickReply, QuickReplyGroup
from quick_replies.store_interface import QuickReplyStore


@dataclass
class ShopMove:
    """What the move did (or, in a dry run, would do) for one shop."""

    shop_id: int
    groups_created: int = 0
    groups_there: int = 0
    phrases_created: int = 0
    phrases_there: int = 0
    refused: list[str] = field(default_factory=list)  # "code: why", for a phrase the hub refused


def _key(reply: QuickReply) -> tuple[str, int, int, str]:
    return (reply.scope.value, reply.team_id or 0, reply.owner_agent_id or 0, reply.code)


async def move_shop(
    local: QuickReplyStore, hub: QuickReplyStore, shop_id: int, *, dry_run: bool = False
) -> ShopMove:
    """Copy one shop's groups and phrases from ``local`` to ``hub`` (nothing is written when ``dry_run``)."""
    report = ShopMove(shop_id)
    hub_groups = {g.name: g for g in await hub.list_groups(shop_id)}
    group_ids: dict[int, int | None] = {}  # local group id -> hub group id (None: not created, dry run)
    for group in await local.list_groups(shop_id):
        assert group.id is not None
        there = hub_groups.get(group.name)
        if there is not None:
            report.groups_there += 1
            group_ids[group.id] = there.id
            continue
        report.groups_created += 1
        if dry_run:
            group_ids[group.id] = None
            continue
        made = await hub.create_group(
            QuickReplyGroup(shop_id=shop_id, name=group.name, position=group.position)
        )
        group_ids[group.id] = made.id
    on_hub = {_key(phrase.reply) for phrase in await hub.in_shop(shop_id)}
    for phrase in await local.in_shop(shop_id):
        reply = phrase.reply
        if _key(reply) in on_hub:
            report.phrases_there += 1
            continue
        hub_group = group_ids[reply.group_id]
        if dry_run or hub_group is None:
            report.phrases_created += 1
            continue
        try:  # validated as a save is: the local row was read back without it
            copy = QuickReply.model_validate(
                {**reply.model_dump(), "id": None, "group_id": hub_group, "version": 1}
            )
            await hub.create(copy, agent_id=None)
        except ValidationError as exc:
            report.refused.append(f"{reply.code}: {exc.errors(include_url=False)[0]['msg']}")
            continue
        except DomainError as exc:
            report.refused.append(f"{reply.code}: {exc}")
            continue
        report.phrases_created += 1
    return report
