"""Suggested answers as a use case: typed sources, the template pool and the usage recorder; no HTTP."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from assistant.conversations.context import ContextSources
from assistant.conversations.suggest import Focus, suggest_answers
from assistant.usage import UsageRecorder
from knowledge import store
from knowledge.database import AsyncDatabase
from knowledge.models import Intent
from knowledge.render_pool import RenderPool
from tests.conftest import MiniShop


@pytest.fixture
def pool() -> Iterator[RenderPool]:
    templates = RenderPool(1)
    yield templates
    templates.close()


async def test_an_answer_is_ranked_rendered_for_the_buyer_and_a_stray_question_kept(
    sources: ContextSources, pool: RenderPool, store_db: AsyncDatabase, mini_shop: MiniShop
) -> None:
    intent = Intent(
        shop_id=mini_shop.shop_id, key="ship_time", name="发货时间", keywords=["发货"],
        examples=["什么时候发货", "几天发货"], answers=["{{ buyer.nick }}您好，48 小时内发货"],
    )  # fmt: skip
    intent_id = store_db.write_sync(lambda db: store.insert_intent(db, intent, None))
    sources.matcher.upsert_intent(intent.model_copy(update={"id": intent_id}))
    usage = UsageRecorder(store_db)
    agent = sources.directory.agents[mini_shop.agent_id]
    focus = Focus(mini_shop.shop_id, buyer="小王")

    answer = await suggest_answers(sources, pool, usage, agent, focus, "什么时候发货", 3)
    assert answer.confident and len(answer.questions) == 1
    top = answer.questions[0].suggestions[0]
    assert top.id == intent_id and top.kind == "intent" and top.answer == "小王您好，48 小时内发货"
    assert await usage.flush() == 0  # a confident answer leaves nothing for the editors

    stray = await suggest_answers(sources, pool, usage, agent, focus, "你们老板是谁", 3)
    assert not stray.confident
    assert await usage.flush() == 1
    kept = store_db.read_sync(lambda db: store.list_unmatched(db, mini_shop.shop_id))
    assert [row.text for row in kept] == ["你们老板是谁"]
