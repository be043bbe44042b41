"""A conversation's template context from typed sources (directory, commerce backend, matcher,
knowledge store): no app, no request."""

from __future__ import annotations

import pytest

from assistant.commerce.models import OrderStatus
from assistant.conversations.context import ContextSources, build_context
from knowledge import store
from knowledge.database import AsyncDatabase
from knowledge.errors import NotFound
from knowledge.models import Item, ItemKnowledge
from tests.commerce import factory
from tests.conftest import MiniShop


async def test_the_context_names_buyer_item_and_order(
    sources: ContextSources, store_db: AsyncDatabase, mini_shop: MiniShop
) -> None:
    order = factory.order(mini_shop.shop_id, 1, OrderStatus.SHIPPED)
    store_db.write_sync(lambda db: factory.save(db, [factory.buyer(mini_shop.shop_id, "小王", 1)], [order]))
    item = Item(
        id=1, shop_id=mini_shop.shop_id, sku="K-1", title="电热水壶", category="厨房", price_fen=9900, stock=5
    )
    item_id = store_db.write_sync(
        lambda db: store.insert_item(db, item, ItemKnowledge(item_id=1, selling_points=["烧水快"]))
    )
    agent = sources.directory.agents[mini_shop.agent_id]
    built = await build_context(
        sources, agent, mini_shop.shop_id, buyer="小王", item_id=item_id, order_id=order.id
    )
    assert built.order_status == "shipped" and built.campaigns == []
    values = built.values
    assert values["shop"]["name"] == "测试旗舰店" and values["agent"]["login"] == "xiaomei"
    assert values["buyer"]["nick"] == "小王" and values["buyer"]["orders_count"] == 1
    assert values["item"]["title"] == "电热水壶" and values["item"]["selling_points"] == ["烧水快"]
    assert values["order"]["id"] == order.id and values["now"].endswith("+08:00")


async def test_an_unknown_buyer_is_just_a_nick_and_another_shops_item_is_not_found(
    sources: ContextSources, store_db: AsyncDatabase, mini_shop: MiniShop
) -> None:
    agent = sources.directory.agents[mini_shop.agent_id]
    built = await build_context(sources, agent, mini_shop.shop_id, buyer="新客", item_id=None, order_id=None)
    assert built.values["buyer"] == {"nick": "新客"} and "item" not in built.values
    lamp = Item(
        id=1, shop_id=mini_shop.other_shop_id, sku="L-1", title="台灯", category="灯", price_fen=100, stock=1
    )
    lamp_id = store_db.write_sync(lambda db: store.insert_item(db, lamp, None))
    with pytest.raises(NotFound, match="没有编号为"):
        await build_context(sources, agent, mini_shop.shop_id, buyer=None, item_id=lamp_id, order_id=None)
    with pytest.raises(NotFound, match="没有订单"):
        await build_context(sources, agent, mini_shop.shop_id, buyer=None, item_id=None, order_id="NO-SUCH")
