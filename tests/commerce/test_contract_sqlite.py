"""The backend contract against the default SQLite backend."""

from __future__ import annotations

import pytest

from assistant.commerce.models import OrderStatus
from assistant.commerce.sqlite_backend import SqliteBackend
from assistant.settings import Settings
from knowledge import store as kb_store
from knowledge.database import AsyncDatabase
from tests.commerce import factory
from tests.commerce.contract import BackendContract, ContractData
from tests.conftest import MiniShop


@pytest.fixture
def backend(store_db: AsyncDatabase, settings: Settings) -> SqliteBackend:
    return SqliteBackend(store_db, settings)


@pytest.fixture
def data(store_db: AsyncDatabase, mini_shop: MiniShop) -> ContractData:
    unpaid = factory.order(mini_shop.shop_id, 1, OrderStatus.AWAITING_PAYMENT, price_fen=10_000)
    shipped = factory.order(mini_shop.shop_id, 1, OrderStatus.SHIPPED)
    store_db.write_sync(
        lambda db: factory.save(db, [factory.buyer(mini_shop.shop_id, "契约买家", 1)], [unpaid, shipped])
    )
    agents = {a.id: a for a in store_db.read_sync(kb_store.list_agents)}
    return ContractData(
        shop_id=mini_shop.shop_id,
        nick="契约买家",
        unpaid_order_id=unpaid.id,
        shipped_order_id=shipped.id,
        agent=agents[mini_shop.agent_id],
        supervisor=agents[mini_shop.supervisor_id],
    )


class TestSqliteBackend(BackendContract):
    pass
