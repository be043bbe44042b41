"""An item's related items saved with its product knowledge, through the real app: order and notes
round-trip to the editor's and the sidebar's reads, every validation error in the one error shape,
409 on a stale version, one revision per save that rollback restores, and a failed save leaves the
database as it was."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
import sqlite_utils
from aiohttp import web
from aiohttp.test_utils import TestClient

from assistant import keys
from knowledge import store
from knowledge.models import Item, ItemKnowledge, RelatedItem, RevisionAction
from tests.conftest import MiniShop

Auth = Callable[[int], dict[str, str]]


def _item(shop_id: int, sku: str, title: str) -> Item:
    return Item(id=1, shop_id=shop_id, sku=sku, title=title, category="厨房", price_fen=9900, stock=5)


async def _seed(app: web.Application, shop: MiniShop) -> dict[str, int]:
    def fn(db: sqlite_utils.Database) -> dict[str, int]:
        return {
            "kettle": store.insert_item(db, _item(shop.shop_id, "K-1", "电热水壶 1.7L"), None),
            "cup": store.insert_item(db, _item(shop.shop_id, "C-2", "玻璃杯 350ml"), None),
            "pot": store.insert_item(db, _item(shop.shop_id, "P-3", "不粘锅 28cm"), None),
            "tray": store.insert_item(db, _item(shop.shop_id, "T-4", "竹托盘"), None),
            "lamp": store.insert_item(db, _item(shop.other_shop_id, "L-5", "台灯"), None),
        }

    return dict(await app[keys.DB].write(fn))


@pytest.fixture
async def ids(client: TestClient, mini_shop: MiniShop) -> dict[str, int]:
    return await _seed(client.app, mini_shop)


async def _put(
    client: TestClient, auth: Auth, shop: MiniShop, item_id: int, **body: Any
) -> tuple[int, dict[str, Any]]:
    resp = await client.put(
        f"/api/kb/items/{item_id}/knowledge",
        headers=auth(shop.editor_id),
        json={"item_id": item_id, "selling_points": ["烧水快"], **body},
    )
    return resp.status, dict(await resp.json())


async def _knowledge(client: TestClient, auth: Auth, shop: MiniShop, item_id: int) -> dict[str, Any]:
    resp = await client.get(f"/api/kb/items/{item_id}/knowledge", headers=auth(shop.agent_id))
    assert resp.status == 200
    return dict(await resp.json())


async def _sidebar(client: TestClient, auth: Auth, shop: MiniShop, item_id: int) -> list[tuple[int, str]]:
    resp = await client.get(f"/api/items/{item_id}/related?shop={shop.shop_id}", headers=auth(shop.agent_id))
    body = await resp.json()
    assert resp.status == 200, body
    return [(r["item_id"], r["note"]) for r in body["related"] if r["source"] != "bought_together"]


def _listed(related: list[dict[str, Any]]) -> list[tuple[int, str, int]]:
    return [(r["related_item_id"], r["note"], r["position"]) for r in related]


async def test_the_related_list_is_saved_in_order_with_notes(
    client: TestClient, auth: Auth, mini_shop: MiniShop, ids: dict[str, int]
) -> None:
    kettle = ids["kettle"]
    note = "泡茶配玻璃杯，看得见茶色" + "。" * 48  # exactly 60 characters
    assert len(note) == 60
    status, body = await _put(
        client,
        auth,
        mini_shop,
        kettle,
        related=[{"related_item_id": ids["cup"], "note": note}, {"related_item_id": ids["tray"]}],
    )
    assert status == 200, body
    assert body["knowledge"]["version"] == 1
    assert _listed(body["related"]) == [(ids["cup"], note, 0), (ids["tray"], "", 1)]
    assert [r["title"] for r in body["related"]] == ["玻璃杯 350ml", "竹托盘"]
    read = await _knowledge(client, auth, mini_shop, kettle)
    assert _listed(read["related"]) == _listed(body["related"])
    assert [r["title"] for r in read["related"]] == ["玻璃杯 350ml", "竹托盘"]
    assert await _sidebar(client, auth, mini_shop, kettle) == [(ids["cup"], note), (ids["tray"], "")]

    status, body = await _put(
        client,
        auth,
        mini_shop,
        kettle,
        version=1,
        related=[
            {"related_item_id": ids["pot"], "note": "  顺手炖个汤  "},
            {"related_item_id": ids["tray"], "note": "托盘放水壶"},
            {"related_item_id": ids["cup"]},
        ],
    )
    assert status == 200, body
    assert body["knowledge"]["version"] == 2
    want = [(ids["pot"], "顺手炖个汤", 0), (ids["tray"], "托盘放水壶", 1), (ids["cup"], "", 2)]
    assert _listed(body["related"]) == want
    assert _listed((await _knowledge(client, auth, mini_shop, kettle))["related"]) == want
    assert await _sidebar(client, auth, mini_shop, kettle) == [(i, n) for i, n, _ in want]

    # without `related` the list is kept; an empty list clears it
    status, body = await _put(client, auth, mini_shop, kettle, version=2, selling_points=["304不锈钢"])
    assert status == 200, body
    assert _listed(body["related"]) == want
    status, body = await _put(client, auth, mini_shop, kettle, version=3, related=[])
    assert status == 200, body
    assert body["related"] == []
    assert (await _knowledge(client, auth, mini_shop, kettle))["related"] == []
    assert await _sidebar(client, auth, mini_shop, kettle) == []


@pytest.mark.parametrize(
    ("related", "field", "words"),
    [
        (lambda ids: [{"related_item_id": ids["kettle"]}], "related.0.related_item_id", "自己"),
        (
            lambda ids: [{"related_item_id": ids["cup"]}, {"related_item_id": ids["lamp"]}],
            "related.1.related_item_id",
            "店铺里没有编号为",
        ),
        (lambda ids: [{"related_item_id": 999_999}], "related.0.related_item_id", "999999"),
        (
            lambda ids: [
                {"related_item_id": ids["cup"]},
                {"related_item_id": ids["pot"]},
                {"related_item_id": ids["cup"], "note": "再来一次"},
            ],
            "related.2.related_item_id",
            "第 1 项",
        ),
        (
            lambda ids: [{"related_item_id": ids["cup"], "note": "好" * 61}],
            "related.0.note",
            "最多 60 个字符",
        ),
        (lambda ids: [{"related_item_id": ids["cup"]}] * 21, "related", "20"),
        (lambda ids: [{"related_item_id": "cup"}], "related.0.related_item_id", "整数"),
        (lambda ids: [{"related_item_id": ids["cup"], "why": "x"}], "related.0.why", "不认识"),
    ],
    ids=["itself", "other_shop", "missing", "duplicate", "note_too_long", "too_many", "not_an_id", "extra"],
)
async def test_each_bad_related_list_is_refused_and_nothing_changes(
    client: TestClient,
    auth: Auth,
    mini_shop: MiniShop,
    ids: dict[str, int],
    related: Callable[[dict[str, int]], list[dict[str, Any]]],
    field: str,
    words: str,
) -> None:
    kettle = ids["kettle"]
    status, saved = await _put(
        client, auth, mini_shop, kettle, related=[{"related_item_id": ids["tray"], "note": "原来的"}]
    )
    assert status == 200, saved
    before = await _knowledge(client, auth, mini_shop, kettle)
    history = f"/api/kb/items/{kettle}/revisions"
    revisions = (await (await client.get(history, headers=auth(mini_shop.editor_id))).json())["revisions"]

    status, body = await _put(
        client, auth, mini_shop, kettle, version=1, selling_points=["不该存下"], related=related(ids)
    )
    assert status == 400, body
    assert body["ok"] is False and body["status"] == 400 and body["error"]
    errors = {e["field"]: e["message"] for e in body["errors"]}
    assert field in errors, body
    assert words in errors[field]
    assert await _knowledge(client, auth, mini_shop, kettle) == before
    after = (await (await client.get(history, headers=auth(mini_shop.editor_id))).json())["revisions"]
    assert after == revisions


async def test_every_bad_entry_is_named_at_once(
    client: TestClient, auth: Auth, mini_shop: MiniShop, ids: dict[str, int]
) -> None:
    status, body = await _put(
        client,
        auth,
        mini_shop,
        ids["kettle"],
        related=[
            {"related_item_id": ids["cup"]},
            {"related_item_id": ids["kettle"]},
            {"related_item_id": ids["lamp"]},
            {"related_item_id": ids["cup"]},
        ],
    )
    assert status == 400
    assert [e["field"] for e in body["errors"]] == [f"related.{i}.related_item_id" for i in (1, 2, 3)]


async def test_a_stale_version_is_a_conflict_and_keeps_the_saved_list(
    client: TestClient, auth: Auth, mini_shop: MiniShop, ids: dict[str, int]
) -> None:
    kettle = ids["kettle"]
    status, _ = await _put(client, auth, mini_shop, kettle, related=[{"related_item_id": ids["cup"]}])
    assert status == 200
    status, _ = await _put(
        client, auth, mini_shop, kettle, version=1, related=[{"related_item_id": ids["pot"]}]
    )
    assert status == 200
    status, body = await _put(
        client, auth, mini_shop, kettle, version=1, related=[{"related_item_id": ids["tray"]}]
    )
    assert status == 409, body
    assert body["errors"] == [{"field": "version", "message": "应为 2"}]
    assert body["current"]["version"] == 2
    assert _listed((await _knowledge(client, auth, mini_shop, kettle))["related"]) == [(ids["pot"], "", 0)]


async def test_each_save_is_a_revision_and_rollback_restores_the_list(
    client: TestClient, auth: Auth, mini_shop: MiniShop, ids: dict[str, int]
) -> None:
    kettle, editor = ids["kettle"], auth(mini_shop.editor_id)
    await _put(client, auth, mini_shop, kettle, related=[{"related_item_id": ids["cup"], "note": "配杯子"}])
    status, _ = await _put(
        client,
        auth,
        mini_shop,
        kettle,
        version=1,
        related=[{"related_item_id": ids["pot"]}, {"related_item_id": ids["tray"], "note": "托盘"}],
    )
    assert status == 200
    revisions = (await (await client.get(f"/api/kb/items/{kettle}/revisions", headers=editor)).json())[
        "revisions"
    ]
    assert [r["version"] for r in revisions] == [2, 1, 0]  # 0: what the item had before the first save
    assert revisions[0]["before"]["related"] == [{"related_item_id": ids["cup"], "note": "配杯子"}]
    assert revisions[0]["after"]["related"] == [
        {"related_item_id": ids["pot"], "note": ""},
        {"related_item_id": ids["tray"], "note": "托盘"},
    ]

    resp = await client.post(
        f"/api/kb/items/{kettle}/rollback",
        headers=editor,
        json={"revision_id": revisions[1]["id"], "version": 2},
    )
    body = await resp.json()
    assert resp.status == 200, body
    assert body["knowledge"]["version"] == 3
    assert _listed(body["related"]) == [(ids["cup"], "配杯子", 0)]
    assert _listed((await _knowledge(client, auth, mini_shop, kettle))["related"]) == [
        (ids["cup"], "配杯子", 0)
    ]
    assert await _sidebar(client, auth, mini_shop, kettle) == [(ids["cup"], "配杯子")]
    newest = (await (await client.get(f"/api/kb/items/{kettle}/revisions", headers=editor)).json())[
        "revisions"
    ][0]
    assert (newest["version"], newest["action"]) == (3, "rollback")
    assert [r["related_item_id"] for r in newest["before"]["related"]] == [ids["pot"], ids["tray"]]

    # rolling back to a version whose related item has since left the shop is refused, nothing changes
    await client.app[keys.DB].write(lambda db: db.execute("DELETE FROM items WHERE id = ?", [ids["pot"]]))
    resp = await client.post(
        f"/api/kb/items/{kettle}/rollback",
        headers=editor,
        json={"revision_id": revisions[0]["id"], "version": 3},
    )
    body = await resp.json()
    assert resp.status == 400, body
    assert body["errors"][0]["field"] == "related.0.related_item_id"
    assert _listed((await _knowledge(client, auth, mini_shop, kettle))["related"]) == [
        (ids["cup"], "配杯子", 0)
    ]


async def test_rollback_to_a_revision_from_before_related_items_keeps_the_list(
    client: TestClient, auth: Auth, mini_shop: MiniShop, ids: dict[str, int]
) -> None:
    kettle = ids["kettle"]

    def old_style(db: sqlite_utils.Database) -> None:  # as saved before related items were editable
        knowledge = ItemKnowledge(item_id=kettle, selling_points=["老卖点"])
        store.save_item_knowledge(db, knowledge)
        store.insert_related(db, [RelatedItem(item_id=kettle, related_item_id=ids["cup"])])
        state = knowledge.model_dump(mode="json", exclude={"version"})
        store.record_revision(db, "item_knowledge", kettle, 1, RevisionAction.CREATE, None, None, state)

    await client.app[keys.DB].write(old_style)
    status, body = await _put(
        client, auth, mini_shop, kettle, version=1, related=[{"related_item_id": ids["pot"]}]
    )
    assert status == 200, body
    editor = auth(mini_shop.editor_id)
    revisions = (await (await client.get(f"/api/kb/items/{kettle}/revisions", headers=editor)).json())[
        "revisions"
    ]
    assert revisions[0]["before"]["related"] == [{"related_item_id": ids["cup"], "note": ""}]
    resp = await client.post(
        f"/api/kb/items/{kettle}/rollback",
        headers=editor,
        json={"revision_id": revisions[1]["id"], "version": 2},
    )
    body = await resp.json()
    assert resp.status == 200, body
    assert body["knowledge"]["selling_points"] == ["老卖点"]
    assert _listed(body["related"]) == [(ids["pot"], "", 0)]


async def test_a_save_failing_half_way_leaves_knowledge_and_list_as_they_were(
    client: TestClient, auth: Auth, mini_shop: MiniShop, ids: dict[str, int], monkeypatch: pytest.MonkeyPatch
) -> None:
    kettle = ids["kettle"]
    await _put(client, auth, mini_shop, kettle, related=[{"related_item_id": ids["cup"], "note": "配杯子"}])
    before = await _knowledge(client, auth, mini_shop, kettle)

    def broken(*args: Any, **kwargs: Any) -> None:  # the last step of the save, after the list was replaced
        raise RuntimeError("disk full")

    monkeypatch.setattr(store, "record_revision", broken)
    status, body = await _put(
        client,
        auth,
        mini_shop,
        kettle,
        version=1,
        selling_points=["不该存下"],
        related=[{"related_item_id": ids["pot"]}, {"related_item_id": ids["tray"]}],
    )
    assert status == 500, body
    monkeypatch.undo()
    assert await _knowledge(client, auth, mini_shop, kettle) == before


async def test_agents_cannot_change_the_list(
    client: TestClient, auth: Auth, mini_shop: MiniShop, ids: dict[str, int]
) -> None:
    resp = await client.put(
        f"/api/kb/items/{ids['kettle']}/knowledge",
        headers=auth(mini_shop.agent_id),
        json={"item_id": ids["kettle"], "related": [{"related_item_id": ids["cup"]}]},
    )
    assert resp.status == 403
    assert (await _knowledge(client, auth, mini_shop, ids["kettle"]))["related"] == []
