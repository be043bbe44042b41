"""Shared fixtures: a real SQLite store in a temp folder and the real app behind a test server."""

from __future__ import annotations

import shutil
from collections.abc import Awaitable, Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import pytest
import sqlite_utils
from aiohttp import web
from aiohttp.test_utils import TestClient

from assistant.app import MIGRATION_SETS, create_app
from assistant.directory import Directory
from assistant.security import load_secret
from assistant.settings import Settings
from knowledge import store as kb_store
from knowledge.database import AsyncDatabase
from tests.commerce import factory


def afternoon_zone() -> str:
    """A time zone where it is early afternoon now (``Etc/GMT±N``). The response clock counts turns from
    08:00 to midnight of the shop's day, so a test of what it counts "today" runs in such a zone: it then
    means the same at any hour of the machine's day (CI runs at any hour)."""
    offset = 14 - datetime.now(UTC).hour  # -9 … +14 hours: within the real zones' range
    return f"Etc/GMT{-offset:+d}"


@dataclass
class MiniShop:
    """Two shops and one agent of each role: enough to test the service itself."""

    shop_id: int
    other_shop_id: int
    agent_id: int
    editor_id: int
    supervisor_id: int
    outsider_id: int


def seed_mini_shop(db: sqlite_utils.Database) -> MiniShop:
    shop = kb_store.insert_shop(db, "test_shop", "测试旗舰店")
    other = kb_store.insert_shop(db, "other_shop", "隔壁专营店", "taobao")
    team = kb_store.insert_team(db, shop, "售前一组")
    return MiniShop(
        shop_id=shop,
        other_shop_id=other,
        agent_id=kb_store.insert_agent(db, "xiaomei", "小美", "agent", shop, team, [shop, other]),
        editor_id=kb_store.insert_agent(db, "lina", "李娜", "editor", shop),
        supervisor_id=kb_store.insert_agent(db, "wangjing", "王静", "supervisor", shop),
        outsider_id=kb_store.insert_agent(db, "outsider", "外店客服", "agent", other),
    )


@pytest.fixture(autouse=True)
def _fresh_factory_clock() -> None:
    """The commerce factory dates its orders, buyers and parcels from ``factory.NOW``: read the clock
    again for each test, so that in a long run (the full suite takes minutes before it reaches the team
    tests) a "3-minute-old" order is not already past a 10-minute mark."""
    factory.NOW = datetime.now(UTC).replace(microsecond=0)


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    # The sentence encoder is off here: tests of the semantic stage turn it on (tests/knowledge).
    return Settings(data_dir=tmp_path / "data", demo_on_first_run=False, encoder="off")


@pytest.fixture(scope="session")
def mini_shop_template(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, MiniShop]:
    """One migrated database with the mini shop, built once per test process.

    Applying every migration costs ~0.1 s; copying the finished file costs a millisecond, and the
    copy is the same database a fresh migration would give (the tests of migrations themselves
    open empty files).
    """
    path = tmp_path_factory.mktemp("template") / "kefu.db"
    db = AsyncDatabase(path)
    db.open(MIGRATION_SETS)
    try:
        shop = db.write_sync(seed_mini_shop)
    finally:
        db.close()  # checkpoints the WAL into the file, so the file alone is the whole database
    return path, shop


@pytest.fixture
def mini_shop(settings: Settings, mini_shop_template: tuple[Path, MiniShop]) -> MiniShop:
    template, shop = mini_shop_template
    settings.db_path.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(template, settings.db_path)
    return shop


@pytest.fixture
def store_db(settings: Settings, mini_shop: MiniShop) -> Iterator[AsyncDatabase]:
    """A handle on the test's database beside the running app, to seed rows and check what was written."""
    db = AsyncDatabase(settings.db_path)
    db.open(MIGRATION_SETS)
    try:
        yield db
    finally:
        db.close()


@pytest.fixture
def token_for(settings: Settings) -> Callable[[int], str]:
    directory = Directory(secret=load_secret(settings.data_dir))
    return directory.token_for


@pytest.fixture
def auth(token_for: Callable[[int], str]) -> Callable[[int], dict[str, str]]:
    return lambda agent_id: {"Authorization": f"Bearer {token_for(agent_id)}"}


@pytest.fixture
def app(settings: Settings, mini_shop: MiniShop) -> web.Application:
    return create_app(settings)


@pytest.fixture
async def client(aiohttp_client: Callable[..., Awaitable[TestClient]], app: web.Application) -> TestClient:
    return await aiohttp_client(app)
