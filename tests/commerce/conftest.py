"""Commerce fixtures: a store handle to seed buyers and orders beside the running app."""

from __future__ import annotations

import itertools
from collections.abc import Callable
from typing import Any

import pytest

from assistant.commerce.models import Order, OrderStatus
from knowledge.database import AsyncDatabase
from tests.commerce import factory
from tests.conftest import MiniShop

_buyer_ids = itertools.count(1000)


@pytest.fixture
def new_order(store_db: AsyncDatabase, mini_shop: MiniShop) -> Callable[..., Order]:
    """Save an order (for a fresh buyer unless ``buyer_id`` is given) and return it."""

    def make(status: OrderStatus = OrderStatus.AWAITING_PAYMENT, **extra: Any) -> Order:
        shop_id = extra.pop("shop_id", mini_shop.shop_id)
        buyer_id = extra.pop("buyer_id", None)
        buyers = []
        if buyer_id is None:
            buyer_id = next(_buyer_ids)
            buyers.append(factory.buyer(shop_id, f"买家{buyer_id}", buyer_id))
        made = factory.order(shop_id, buyer_id, status, **extra)
        store_db.write_sync(lambda db: factory.save(db, buyers, [made]))
        return made

    return make
