"""The contract every ``QuickReplyStore`` honours (quick_replies/store.py). Subclass
``QuickReplyStoreContract`` and provide the ``qr`` fixture (a ``StoreUnderTest``): the SQLite store
runs it in test_store_contract_sqlite.py, the team hub's PostgreSQL store in tests/hub."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

import pytest

from knowledge.errors import Conflict, Invalid, NotFound, StaleVersion
from knowledge.models import RevisionAction
from quick_replies.keys import KEYS_VERSION, search_keys
from quick_replies.models import QuickReply, QuickReplyGroup, Scope
from quick_replies.rows import StoredQuickReply
from quick_replies.store_interface import QuickReplyStore
from quick_replies.store_refusals import GroupNameTaken


@dataclass
class StoreUnderTest:
    store: QuickReplyStore
    shop_id: int
    other_shop_id: int
    agent_id: int  # in a team of shop_id
    team_id: int


async def _group(qr: StoreUnderTest, name: str = "常用", shop: int | None = None) -> int:
    group = await qr.store.create_group(QuickReplyGroup(shop_id=shop or qr.shop_id, name=name))
    assert group.id is not None
    return group.id


def _reply(qr: StoreUnderTest, group_id: int, code: str = "fh", **fields: object) -> QuickReply:
    values: dict[str, object] = {"title": "发货时间", "body": "亲，付款后 48 小时内发货哦", **fields}
    return QuickReply(shop_id=qr.shop_id, group_id=group_id, code=code, **values)


class QuickReplyStoreContract:
    async def test_created_phrase_reads_back_as_the_same_model(self, qr: StoreUnderTest) -> None:
        group_id = await _group(qr)
        until = datetime(2027, 1, 1, tzinfo=UTC)
        saved = await qr.store.create(_reply(qr, group_id, tags=["物流"], valid_until=until), qr.agent_id)
        assert saved.version == 1 and saved.group_name == "常用" and saved.group_position == 0
        reply = saved.reply
        assert reply.code == "fh" and reply.tags == ["物流"] and reply.valid_until == until
        assert reply.enabled is True and reply.scope is Scope.SHOP and reply.id == saved.id
        # read back without validating: the types must be the ones validation gives
        assert QuickReply.model_validate(reply.model_dump()) == reply
        assert saved.search_keys["v"] == KEYS_VERSION and saved.search_keys == search_keys(
            reply.title, reply.body
        )
        assert await qr.store.get(saved.id) == saved
        assert [p.id for p in await qr.store.all_phrases()] == [saved.id]
        assert await qr.store.get(saved.id + 1000) is None

    async def test_listing_filters_by_text_group_scope_and_enabled(self, qr: StoreUnderTest) -> None:
        first, second = (
            await _group(qr, "常用"),
            await _group(
                qr,
                "售后",
            ),
        )
        a = await qr.store.create(_reply(qr, first, "fh"), qr.agent_id)
        b = await qr.store.create(_reply(qr, second, "th", title="退货地址", body="退货请寄 100%_包邮", enabled=False),
                                  qr.agent_id)  # fmt: skip
        c = await qr.store.create(
            _reply(qr, first, "fh", scope=Scope.TEAM, team_id=qr.team_id, title="团队发货"), qr.agent_id
        )

        def ids(phrases: list[StoredQuickReply]) -> list[int]:
            return [p.id for p in phrases]

        assert ids(await qr.store.in_shop(qr.shop_id)) == [a.id, c.id, b.id]
        assert ids(await qr.store.in_shop(qr.shop_id, q="100%_")) == [b.id]
        assert ids(await qr.store.in_shop(qr.shop_id, q="%")) == [b.id]
        assert ids(await qr.store.in_shop(qr.shop_id, q="包邮")) == [b.id]
        d = await qr.store.create(_reply(qr, first, "ip", title="iPhone 保修"), qr.agent_id)
        assert ids(await qr.store.in_shop(qr.shop_id, q="iphone")) == [d.id]  # ASCII case ignored
        assert ids(await qr.store.in_shop(qr.shop_id, group_id=second)) == [b.id]
        assert ids(await qr.store.in_shop(qr.shop_id, scope="team")) == [c.id]
        assert ids(await qr.store.in_shop(qr.shop_id, enabled=False)) == [b.id]
        assert await qr.store.in_shop(qr.other_shop_id) == []

    async def test_codes_are_unique_within_a_scope_only(self, qr: StoreUnderTest) -> None:
        group_id = await _group(qr)
        holder = await qr.store.create(_reply(qr, group_id, "fh"), qr.agent_id)
        with pytest.raises(Conflict) as clash:
            await qr.store.create(_reply(qr, group_id, "fh", title="另一条"), qr.agent_id)
        assert clash.value.extra["holder"] == {"id": holder.id, "title": "发货时间"}
        assert "编码 fh 已被「发货时间」使用" in clash.value.message
        mine = await qr.store.create(
            _reply(qr, group_id, "fh", scope=Scope.PERSONAL, owner_agent_id=qr.agent_id), qr.agent_id
        )
        other = await qr.store.create(_reply(qr, group_id, "dh"), qr.agent_id)
        with pytest.raises(Conflict):
            await qr.store.update(other.id, _reply(qr, group_id, "fh"), other.version, qr.agent_id)
        kept = await qr.store.get(other.id)
        assert mine.reply.scope is Scope.PERSONAL and kept is not None and kept.reply.code == "dh"

    async def test_groups_are_checked(self, qr: StoreUnderTest) -> None:
        group_id = await _group(qr)
        with pytest.raises(GroupNameTaken):
            await _group(qr)
        foreign = await _group(qr, "常用", shop=qr.other_shop_id)  # the same name in another shop is fine
        with pytest.raises(Invalid) as bad:
            await qr.store.create(_reply(qr, foreign), qr.agent_id)
        assert [e["field"] for e in bad.value.errors] == ["group_id"]
        with pytest.raises(Invalid):
            await qr.store.create(_reply(qr, group_id + 1000), qr.agent_id)
        late = await qr.store.create_group(QuickReplyGroup(shop_id=qr.shop_id, name="最前", position=0))
        listed = await qr.store.list_groups(qr.shop_id)
        assert [g.id for g in listed] == [group_id, late.id] and listed[0].name == "常用"

    async def test_updates_check_the_version_and_keep_revisions(self, qr: StoreUnderTest) -> None:
        group_id = await _group(qr)
        row = await qr.store.create(_reply(qr, group_id), qr.agent_id)
        saved = await qr.store.update(row.id, _reply(qr, group_id, title="新标题"), 1, qr.agent_id)
        assert saved.version == 2 and saved.reply.title == "新标题"
        with pytest.raises(StaleVersion) as stale:
            await qr.store.update(row.id, _reply(qr, group_id, title="旧的"), 1, qr.agent_id)
        assert stale.value.current["quick_reply"]["version"] == 2
        with pytest.raises(NotFound):
            await qr.store.update(row.id + 1000, _reply(qr, group_id), 1, qr.agent_id)
        revisions = await qr.store.revisions(row.id)
        assert [(r.version, r.action) for r in revisions] == [
            (2, RevisionAction.UPDATE),
            (1, RevisionAction.CREATE),
        ]
        assert revisions[0].before is not None and revisions[0].before["title"] == "发货时间"
        assert revisions[0].after is not None and revisions[0].after["title"] == "新标题"
        assert revisions[0].agent_id == qr.agent_id

    async def test_delete_then_rollback_restores_with_a_higher_version(self, qr: StoreUnderTest) -> None:
        group_id = await _group(qr)
        row = await qr.store.create(_reply(qr, group_id), qr.agent_id)
        with pytest.raises(StaleVersion):
            await qr.store.delete(row.id, 7, qr.agent_id)
        gone = await qr.store.delete(row.id, 1, qr.agent_id)
        assert gone == row and await qr.store.get(row.id) is None
        with pytest.raises(NotFound):
            await qr.store.delete(row.id, None, qr.agent_id)
        created = next(r for r in await qr.store.revisions(row.id) if r.action is RevisionAction.CREATE)
        back = await qr.store.rollback(row.id, created.id, None, qr.agent_id)
        assert back.id == row.id and back.version == 3 and back.reply.title == "发货时间"
        with pytest.raises(NotFound):
            await qr.store.rollback(row.id, created.id + 1000, None, qr.agent_id)
        assert [r.action for r in await qr.store.revisions(row.id)][:2] == [
            RevisionAction.ROLLBACK, RevisionAction.DELETE,
        ]  # fmt: skip

    async def test_reorder_is_all_or_nothing(self, qr: StoreUnderTest) -> None:
        group_id = await _group(qr)
        a = await qr.store.create(_reply(qr, group_id, "a1", position=0), qr.agent_id)
        b = await qr.store.create(_reply(qr, group_id, "b1", position=1), qr.agent_id)
        with pytest.raises(StaleVersion):
            await qr.store.reorder_group(group_id, [(b.id, 1), (a.id, 9)], qr.agent_id)
        assert (await qr.store.get(b.id)) == b  # nothing written
        saved = await qr.store.reorder_group(group_id, [(b.id, 1), (a.id, 1)], qr.agent_id)
        assert [(p.id, p.reply.position, p.version) for p in saved] == [(b.id, 0, 2), (a.id, 1, 2)]
