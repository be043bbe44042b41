"""The quick-reply store contract on the team hub's PostgreSQL store, and what only the hub adds:
every write is in the change feed, in the same transaction."""

from __future__ import annotations

import asyncio

import asyncpg
import pytest

from assistant.hub import feed
from assistant.hub.quick_replies import PgQuickReplyStore
from knowledge.errors import Conflict, StaleVersion
from quick_replies.models import QuickReply, QuickReplyGroup
from quick_replies.rows import StoredQuickReply
from tests.quick_replies.contract import QuickReplyStoreContract, StoreUnderTest

pytestmark = pytest.mark.postgres


@pytest.fixture
def qr(pool: asyncpg.Pool) -> StoreUnderTest:
    return StoreUnderTest(PgQuickReplyStore(pool), shop_id=1, other_shop_id=2, agent_id=1, team_id=1)


class TestPgQuickReplyStore(QuickReplyStoreContract):
    pass


async def test_every_write_is_in_the_feed_and_a_failed_one_is_not(
    pool: asyncpg.Pool, qr: StoreUnderTest
) -> None:
    group = await qr.store.create_group(QuickReplyGroup(shop_id=1, name="常用"))
    assert group.id is not None
    reply = QuickReply(shop_id=1, group_id=group.id, code="fh", title="发货", body="48 小时内发货")
    created = await qr.store.create(reply, 1)
    saved = await qr.store.update(created.id, reply.model_copy(update={"title": "发货时间"}), 1, 1)
    with pytest.raises(StaleVersion):
        await qr.store.update(created.id, reply, 1, 1)  # refused: no change recorded
    await qr.store.delete(created.id, 2, 1)
    changes = [c for c in await feed.read_after(pool, 0) if c.entity != "quick_reply_group"]
    assert [(c.entity, c.entity_id, c.op, c.version) for c in changes] == [
        ("quick_reply", created.id, "upsert", 1), ("quick_reply", created.id, "upsert", 2),
        ("quick_reply", created.id, "delete", 3),
    ]  # fmt: skip
    assert changes[1].data == saved.model_dump(mode="json")  # the whole phrase: no second read needed
    assert await feed.read_after(pool, changes[1].id) == changes[2:]
    groups = [c for c in await feed.read_after(pool, 0) if c.entity == "quick_reply_group"]
    assert [(g.entity_id, g.data) for g in groups] == [
        (group.id, {"id": group.id, "shop_id": 1, "name": "常用", "position": 0})
    ]


async def test_concurrent_saves_of_one_code_give_one_phrase_and_clashes(qr: StoreUnderTest) -> None:
    group = await qr.store.create_group(QuickReplyGroup(shop_id=1, name="常用"))
    assert group.id is not None
    group_id = group.id

    async def save(n: int) -> object:
        reply = QuickReply(shop_id=1, group_id=group_id, code="same", title=f"标题{n}", body="正文")
        try:
            return await qr.store.create(reply, 1)
        except Conflict as exc:
            return exc

    results = await asyncio.gather(*(save(n) for n in range(8)))
    saved = [r for r in results if isinstance(r, StoredQuickReply)]
    assert len(saved) == 1 and len(await qr.store.all_phrases()) == 1
    assert all(isinstance(r, Conflict) for r in results if not isinstance(r, StoredQuickReply))
    assert any(
        isinstance(r, Conflict) and r.extra.get("holder", {}).get("id") == saved[0].id for r in results
    )
