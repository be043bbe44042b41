"""Who may see and who may change a phrase: the rules of the library, below the HTTP layer.

A personal phrase is its owner's alone; a team phrase is seen by its team and by editors; a shop
phrase by everyone logged into the shop.  Shop and team phrases are changed by editors only.
Rows (``dict``), saved states of a revision (``dict``) and models (``QuickReply``) all say the same
three things: the shop, the scope, the team and the owner, read here in one place.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from knowledge.errors import FieldError, NotAllowed
from knowledge.models import Agent, Role
from quick_replies.models import QuickReply, Scope


@dataclass(frozen=True)
class Holding:
    """Where a phrase sits: its shop, scope, team and owner."""

    shop_id: int | None
    scope: str | None
    team_id: int | None
    owner_agent_id: int | None

    @classmethod
    def of(cls, phrase: QuickReply | dict[str, Any]) -> Holding:
        """From a model, a stored row or a revision's saved state (a state without a scope is a
        shop phrase, as the first revisions were written)."""
        if isinstance(phrase, QuickReply):
            return cls(phrase.shop_id, phrase.scope.value, phrase.team_id, phrase.owner_agent_id)
        return cls(
            phrase.get("shop_id"), phrase.get("scope", Scope.SHOP.value), phrase.get("team_id"),
            phrase.get("owner_agent_id"),
        )  # fmt: skip


def may_see(agent: Agent, held: Holding) -> bool:
    if held.shop_id not in agent.shop_ids:
        return False
    if held.scope == Scope.PERSONAL.value:
        return held.owner_agent_id == agent.id
    if held.scope == Scope.TEAM.value:
        return agent.role.allows(Role.EDITOR) or held.team_id == agent.team_id
    return True


def check_editable(agent: Agent, held: Holding) -> None:
    """Personal phrases belong to their owner; shop and team phrases need the editor role."""
    if held.scope == Scope.PERSONAL.value:
        if held.owner_agent_id != agent.id:
            raise NotAllowed(
                "个人短语只能由本人创建和修改", [FieldError("owner_agent_id", "应为你自己的客服 id")]
            )
    elif not agent.role.allows(Role.EDITOR):
        raise NotAllowed(
            f"{agent.name} 的角色是 {agent.role.value}：店铺和团队短语需要 editor 角色，个人短语可以自己维护",
            [FieldError("scope", "需要 editor 角色，或改为 personal")],
        )
