"""``kefu move-to-hub``: a team's quick replies go from its SQLite file to the hub through the same
store writes an editor's save makes; a dry run writes nothing, and running it again changes nothing."""

from __future__ import annotations

import asyncio

import pytest
import sqlite_utils

from assistant.cli import main
from assistant.hub.quick_replies import PgQuickReplyStore
from assistant.hub.service import open_pool
from assistant.settings import Settings
from knowledge.database import AsyncDatabase
from quick_replies.models import QuickReply, QuickReplyGroup, Scope
from quick_replies.store import all_phrases, create_quick_reply, insert_group
from tests.conftest import MiniShop

pytestmark = pytest.mark.postgres


def _seed(db: sqlite_utils.Database, shop: MiniShop) -> None:
    common = insert_group(db, QuickReplyGroup(shop_id=shop.shop_id, name="常用", position=0))
    after = insert_group(db, QuickReplyGroup(shop_id=shop.shop_id, name="售后", position=1))
    other = insert_group(db, QuickReplyGroup(shop_id=shop.other_shop_id, name="常用"))
    for group, code, title, body in [
        (common, "fhsj", "发货时间", "亲，48 小时内发货哦"),
        (after, "thdz", "退货地址", "退货请寄到：杭州市余杭区…"),
    ]:
        create_quick_reply(
            db, QuickReply(shop_id=shop.shop_id, group_id=group, code=code, title=title, body=body,
                           tags=["物流"]), shop.editor_id)  # fmt: skip
    create_quick_reply(
        db, QuickReply(shop_id=shop.shop_id, group_id=common, scope=Scope.PERSONAL, owner_agent_id=shop.agent_id,
                       code="fhsj", title="我的发货话术", body="宝宝放心，今天就发～"), shop.agent_id)  # fmt: skip
    create_quick_reply(
        db, QuickReply(shop_id=shop.other_shop_id, group_id=other, code="hi", title="欢迎", body="您好，在的～"),
        shop.editor_id)  # fmt: skip


async def _move(settings: Settings, pg_url: str, *extra: str) -> int:
    args = ["move-to-hub", "--data-dir", str(settings.data_dir), "--database-url", pg_url, *extra]
    return await asyncio.to_thread(main, args)


async def test_a_dry_run_counts_then_the_move_copies_then_again_changes_nothing(
    settings: Settings, mini_shop: MiniShop, store_db: AsyncDatabase, pg_url: str,
    capsys: pytest.CaptureFixture[str],
) -> None:  # fmt: skip
    store_db.write_sync(lambda db: _seed(db, mini_shop))
    local = {(p.reply.shop_id, p.reply.scope, p.reply.code): p.reply for p in store_db.read_sync(all_phrases)}
    pool = await open_pool(pg_url, 2)
    try:
        assert await _move(settings, pg_url, "--dry-run") == 0
        said = capsys.readouterr().out
        assert "测试旗舰店：分组将新建 2、已有 0；短语将新建 3、已有 0" in said
        assert "隔壁专营店：分组将新建 1、已有 0；短语将新建 1、已有 0" in said
        hub = PgQuickReplyStore(pool)
        assert await hub.all_phrases() == [] and await hub.list_groups(mini_shop.shop_id) == []

        assert await _move(settings, pg_url) == 0
        assert "测试旗舰店：分组新建 2、已有 0；短语新建 3、已有 0" in capsys.readouterr().out
        moved = {(p.reply.shop_id, p.reply.scope, p.reply.code): p.reply for p in await hub.all_phrases()}
        assert moved.keys() == local.keys()
        for key, now in moved.items():
            was = local[key]
            assert (now.title, now.body, now.tags, now.owner_agent_id, now.enabled) == (
                was.title, was.body, was.tags, was.owner_agent_id, was.enabled)  # fmt: skip
            assert now.id is not None and now.version == 1 and len(await hub.revisions(now.id)) == 1
        groups = {g.name: g.id for g in await hub.list_groups(mini_shop.shop_id)}
        assert moved[(mini_shop.shop_id, Scope.SHOP, "thdz")].group_id == groups["售后"]
        assert moved[(mini_shop.shop_id, Scope.PERSONAL, "fhsj")].group_id == groups["常用"]

        # an edit on the hub since the move is kept: the second run finds everything there
        phrase = moved[(mini_shop.shop_id, Scope.SHOP, "fhsj")]
        assert phrase.id is not None
        await hub.update(
            phrase.id, phrase.model_copy(update={"body": "亲，今天下单今天发"}), 1, mini_shop.editor_id
        )
        assert await _move(settings, pg_url) == 0
        assert "测试旗舰店：分组新建 0、已有 2；短语新建 0、已有 3" in capsys.readouterr().out
        assert len(await hub.all_phrases()) == 4
        kept = await hub.get(phrase.id)
        assert kept is not None and kept.reply.body == "亲，今天下单今天发"
    finally:
        await pool.close()


async def test_without_a_hub_it_says_how_to_name_one(
    settings: Settings,
    mini_shop: MiniShop,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("KEFU_DATABASE_URL", raising=False)
    code = await asyncio.to_thread(main, ["move-to-hub", "--data-dir", str(settings.data_dir)])
    assert code == 2 and "KEFU_DATABASE_URL" in capsys.readouterr().err
