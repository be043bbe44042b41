"""What every ``WatchClaims`` backend must do (assistant/team/watch_claims.py): run on SQLite by
tests/team/test_watch_claims_sqlite.py and on the hub by tests/hub/test_watch_claims_pg.py."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import pytest

from assistant.team.store import ClaimTaken
from assistant.team.watch_claims import WatchClaims

AT = datetime(2026, 11, 11, 2, 0, tzinfo=UTC)


@dataclass
class ClaimsUnderTest:
    claims: WatchClaims
    shop_id: int
    other_shop_id: int
    agent_id: int
    other_agent_id: int


class WatchClaimsContract:
    async def test_one_open_claim_per_conversation(self, wc: ClaimsUnderTest) -> None:
        made = await wc.claims.claim(shop_id=wc.shop_id, conversation="c-1", buyer_nick="买家", agent_id=wc.agent_id,
                                     from_agent_id=None, at=AT)  # fmt: skip
        assert (made.shop_id, made.conversation, made.agent_id, made.buyer_nick) == (
            wc.shop_id,
            "c-1",
            wc.agent_id,
            "买家",
        )
        assert made.claimed_at == AT and made.released_at is None and made.agent_name
        with pytest.raises(ClaimTaken) as taken:
            await wc.claims.claim(shop_id=wc.shop_id, conversation="c-1", buyer_nick="买家",
                                  agent_id=wc.other_agent_id, from_agent_id=wc.agent_id, at=AT)  # fmt: skip
        assert taken.value.holder.id == made.id and taken.value.holder.agent_id == wc.agent_id
        # the same conversation id in another shop is another conversation
        other = await wc.claims.claim(shop_id=wc.other_shop_id, conversation="c-1", buyer_nick="买家",
                                      agent_id=wc.other_agent_id, from_agent_id=None, at=AT)  # fmt: skip
        assert [c.id for c in await wc.claims.open_claims([wc.shop_id])] == [made.id]
        assert [c.id for c in await wc.claims.open_claims([wc.shop_id, wc.other_shop_id])] == [
            made.id,
            other.id,
        ]
        assert await wc.claims.open_claims([]) == []

    async def test_release_frees_it_and_only_the_holder_releases_their_own(self, wc: ClaimsUnderTest) -> None:
        await wc.claims.claim(shop_id=wc.shop_id, conversation="c-2", buyer_nick="买家", agent_id=wc.agent_id,
                              from_agent_id=None, at=AT)  # fmt: skip
        later = AT + timedelta(minutes=1)
        assert await wc.claims.release(wc.shop_id, "c-2", later, "answered", wc.other_agent_id) == 0
        assert len(await wc.claims.open_claims([wc.shop_id])) == 1
        assert await wc.claims.release(wc.shop_id, "c-2", later, "answered", wc.agent_id) == 1
        assert await wc.claims.open_claims([wc.shop_id]) == []
        again = await wc.claims.claim(shop_id=wc.shop_id, conversation="c-2", buyer_nick="买家",
                                      agent_id=wc.other_agent_id, from_agent_id=wc.agent_id, at=later)  # fmt: skip
        assert again.agent_id == wc.other_agent_id and again.from_agent_id == wc.agent_id
        assert (
            await wc.claims.release(wc.shop_id, "c-2", later, "cleared") == 1
        )  # anyone's, when no agent given

    async def test_concurrent_claims_give_one_owner(self, wc: ClaimsUnderTest) -> None:
        async def one(agent_id: int) -> int:
            try:
                made = await wc.claims.claim(shop_id=wc.shop_id, conversation="c-race", buyer_nick="买家",
                                             agent_id=agent_id, from_agent_id=None, at=AT)  # fmt: skip
                return made.agent_id
            except ClaimTaken as taken:
                return taken.holder.agent_id

        told = await asyncio.gather(*(one(a) for a in [wc.agent_id, wc.other_agent_id] * 10))
        assert len(set(told)) == 1
        assert len(await wc.claims.open_claims([wc.shop_id])) == 1
