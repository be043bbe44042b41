"""Who may see and change a phrase, without HTTP."""

from __future__ import annotations

import pytest

from knowledge.errors import NotAllowed
from knowledge.models import Agent, Role
from quick_replies.access import Holding, check_editable, may_see
from quick_replies.models import QuickReply, Scope

AGENT = Agent(id=1, login="xiaomei", name="小美", role=Role.AGENT, main_shop_id=1, team_id=7, shop_ids=[1])
EDITOR = Agent(id=2, login="lina", name="李娜", role=Role.EDITOR, main_shop_id=1, shop_ids=[1])


def test_who_sees_what() -> None:
    shop = Holding(1, Scope.SHOP.value, None, None)
    team = Holding(1, Scope.TEAM.value, 7, None)
    other_team = Holding(1, Scope.TEAM.value, 8, None)
    mine = Holding(1, Scope.PERSONAL.value, None, 1)
    hers = Holding(1, Scope.PERSONAL.value, None, 2)
    elsewhere = Holding(2, Scope.SHOP.value, None, None)
    assert [may_see(AGENT, h) for h in (shop, team, other_team, mine, hers, elsewhere)] == [
        True, True, False, True, False, False,
    ]  # fmt: skip
    assert [may_see(EDITOR, h) for h in (shop, team, other_team, mine, hers, elsewhere)] == [
        True, True, True, False, True, False,
    ]  # fmt: skip


def test_who_changes_what() -> None:
    personal = QuickReply(
        shop_id=1, group_id=1, scope=Scope.PERSONAL, owner_agent_id=1, code="wo", title="我的", body="亲"
    )
    check_editable(AGENT, Holding.of(personal))
    with pytest.raises(NotAllowed) as caught:
        check_editable(EDITOR, Holding.of(personal))
    assert caught.value.errors[0]["field"] == "owner_agent_id"
    with pytest.raises(NotAllowed) as refused:
        check_editable(AGENT, Holding.of({"shop_id": 1, "scope": "shop"}))
    assert refused.value.errors[0]["field"] == "scope"
    check_editable(
        EDITOR, Holding.of({"shop_id": 1})
    )  # an old revision's state without a scope: a shop phrase
