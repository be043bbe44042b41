"""Rolling an item's product knowledge back, through the real app: the first save keeps what the item
had before it (seeded or imported knowledge and related items, or nothing) as a revision a rollback
restores; history comes back as it was even where it breaks a limit on new input (a long legacy
note); a restored state whose related item was deleted or left the shop is refused naming the entry,
and nothing changes."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
import sqlite_utils
from aiohttp.test_utils import TestClient

from assistant import keys
from knowledge import store
from knowledge.models import ItemKnowledge, RelatedItem, RevisionAction
from tests.conftest import MiniShop
from tests.kb_editor.test_related_items_api import _knowledge, _listed, _put, _seed, _sidebar

Auth = Callable[[int], dict[str, str]]
LEGACY_NOTE = "这款玻璃杯耐热又好清洗，泡茶时能看清茶色，" * 3 + "冬天装热水也不烫手，搭配水壶一起买更划算"


@pytest.fixture
async def ids(client: TestClient, mini_shop: MiniShop) -> dict[str, int]:
    return await _seed(client.app, mini_shop)


async def _revisions(client: TestClient, auth: Auth, shop: MiniShop, item_id: int) -> list[dict[str, Any]]:
    resp = await client.get(f"/api/kb/items/{item_id}/revisions", headers=auth(shop.editor_id))
    body = await resp.json()
    assert resp.status == 200, body
    return list(body["revisions"])


async def _rollback(
    client: TestClient, auth: Auth, shop: MiniShop, item_id: int, revision_id: int, version: int
) -> tuple[int, dict[str, Any]]:
    resp = await client.post(
        f"/api/kb/items/{item_id}/rollback",
        headers=auth(shop.editor_id),
        json={"revision_id": revision_id, "version": version},
    )
    return resp.status, dict(await resp.json())


async def test_the_first_save_can_be_rolled_back_to_the_seeded_knowledge_and_related_items(
    client: TestClient, auth: Auth, mini_shop: MiniShop, ids: dict[str, int]
) -> None:
    kettle = ids["kettle"]

    def seeded(db: sqlite_utils.Database) -> None:  # as the demo (or an import) writes it: no revision
        store.save_item_knowledge(
            db,
            ItemKnowledge(
                item_id=kettle, selling_points=["一键保温"], installation="放平即可", in_box=["底座"]
            ),
        )
        store.insert_related(
            db,
            [
                RelatedItem(item_id=kettle, related_item_id=ids["tray"], position=0),
                RelatedItem(item_id=kettle, related_item_id=ids["cup"], note="泡茶用", position=1),
            ],
        )

    await client.app[keys.DB].write(seeded)
    seeded_read = await _knowledge(client, auth, mini_shop, kettle)
    status, body = await _put(
        client, auth, mini_shop, kettle, version=1, related=[{"related_item_id": ids["pot"], "note": "炖汤"}]
    )
    assert status == 200, body
    assert body["knowledge"]["version"] == 2

    revisions = await _revisions(client, auth, mini_shop, kettle)
    assert [(r["version"], r["action"], r["agent_id"]) for r in revisions] == [
        (2, "update", mini_shop.editor_id),
        (1, "create", None),
    ]
    found = revisions[1]
    assert found["before"] is None
    assert found["after"]["selling_points"] == ["一键保温"]
    assert found["after"]["related"] == [
        {"related_item_id": ids["tray"], "note": ""},
        {"related_item_id": ids["cup"], "note": "泡茶用"},
    ]
    assert revisions[0]["before"] == found["after"]

    status, body = await _rollback(client, auth, mini_shop, kettle, found["id"], 2)
    assert status == 200, body
    assert body["knowledge"] == {**seeded_read["knowledge"], "version": 3}
    assert _listed(body["related"]) == [(ids["tray"], "", 0), (ids["cup"], "泡茶用", 1)]
    read = await _knowledge(client, auth, mini_shop, kettle)
    assert read["knowledge"] == {**seeded_read["knowledge"], "version": 3}
    assert _listed(read["related"]) == _listed(seeded_read["related"])
    assert await _sidebar(client, auth, mini_shop, kettle) == [(ids["tray"], ""), (ids["cup"], "泡茶用")]
    newest = (await _revisions(client, auth, mini_shop, kettle))[0]
    assert (newest["version"], newest["action"]) == (3, "rollback")


async def test_the_first_save_of_an_item_without_knowledge_rolls_back_to_nothing(
    client: TestClient, auth: Auth, mini_shop: MiniShop, ids: dict[str, int]
) -> None:
    kettle = ids["kettle"]
    status, body = await _put(
        client,
        auth,
        mini_shop,
        kettle,
        installation="先清洗再使用",
        related=[{"related_item_id": ids["cup"], "note": "配杯子"}],
    )
    assert status == 200, body
    assert body["knowledge"]["version"] == 1  # the first write is still version 1

    revisions = await _revisions(client, auth, mini_shop, kettle)
    assert [(r["version"], r["action"]) for r in revisions] == [(1, "update"), (0, "create")]
    nothing = {
        "item_id": kettle,
        "selling_points": [],
        "size_chart": None,
        "installation": None,
        "usage_notes": None,
        "in_box": [],
        "related": [],
    }
    assert revisions[1]["after"] == nothing
    assert revisions[0]["before"] == nothing

    status, body = await _rollback(client, auth, mini_shop, kettle, revisions[1]["id"], 1)
    assert status == 200, body
    want = {**{k: v for k, v in nothing.items() if k != "related"}, "version": 2}
    assert body["knowledge"] == want and body["related"] == []
    read = await _knowledge(client, auth, mini_shop, kettle)
    assert read["knowledge"] == want and read["related"] == []
    assert await _sidebar(client, auth, mini_shop, kettle) == []

    # later saves keep the one record of what was there first
    status, body = await _put(client, auth, mini_shop, kettle, version=2)
    assert status == 200, body
    revisions = await _revisions(client, auth, mini_shop, kettle)
    assert [(r["version"], r["action"]) for r in revisions] == [
        (3, "update"),
        (2, "rollback"),
        (1, "update"),
        (0, "create"),
    ]


async def test_rollback_restores_a_legacy_note_longer_than_new_input_may_be(
    client: TestClient, auth: Auth, mini_shop: MiniShop, ids: dict[str, int]
) -> None:
    kettle = ids["kettle"]
    assert len(LEGACY_NOTE) > 60

    def legacy(db: sqlite_utils.Database) -> None:  # saved before notes were limited to 60 characters
        knowledge = ItemKnowledge(item_id=kettle, selling_points=["老卖点"])
        store.save_item_knowledge(db, knowledge)
        store.insert_related(db, [RelatedItem(item_id=kettle, related_item_id=ids["cup"], note=LEGACY_NOTE)])
        state = {
            **knowledge.model_dump(mode="json", exclude={"version"}),
            "related": [{"related_item_id": ids["cup"], "note": LEGACY_NOTE}],
        }
        store.record_revision(db, "item_knowledge", kettle, 1, RevisionAction.CREATE, None, None, state)

    await client.app[keys.DB].write(legacy)
    status, body = await _put(
        client, auth, mini_shop, kettle, version=1, related=[{"related_item_id": ids["pot"]}]
    )
    assert status == 200, body
    revisions = await _revisions(client, auth, mini_shop, kettle)
    assert revisions[0]["before"]["related"] == [{"related_item_id": ids["cup"], "note": LEGACY_NOTE}]

    status, body = await _rollback(client, auth, mini_shop, kettle, revisions[1]["id"], 2)
    assert status == 200, body
    assert body["knowledge"]["selling_points"] == ["老卖点"] and body["knowledge"]["version"] == 3
    assert _listed(body["related"]) == [(ids["cup"], LEGACY_NOTE, 0)]
    assert _listed((await _knowledge(client, auth, mini_shop, kettle))["related"]) == [
        (ids["cup"], LEGACY_NOTE, 0)
    ]
    assert await _sidebar(client, auth, mini_shop, kettle) == [(ids["cup"], LEGACY_NOTE)]
    newest = (await _revisions(client, auth, mini_shop, kettle))[0]
    assert newest["after"]["related"] == [{"related_item_id": ids["cup"], "note": LEGACY_NOTE}]

    # the limit still applies to what an editor sends
    status, body = await _put(
        client,
        auth,
        mini_shop,
        kettle,
        version=3,
        related=[{"related_item_id": ids["cup"], "note": LEGACY_NOTE}],
    )
    assert status == 400, body
    assert [e["field"] for e in body["errors"]] == ["related.0.note"]


@pytest.mark.parametrize(
    "gone",
    [
        lambda db, item_id, other_shop: db.execute("DELETE FROM items WHERE id = ?", [item_id]),
        lambda db, item_id, other_shop: db.execute(
            "UPDATE items SET shop_id = ? WHERE id = ?", [other_shop, item_id]
        ),
    ],
    ids=["deleted", "moved_to_another_shop"],
)
async def test_rollback_to_a_state_whose_related_item_is_gone_is_refused_and_changes_nothing(
    client: TestClient,
    auth: Auth,
    mini_shop: MiniShop,
    ids: dict[str, int],
    gone: Callable[[sqlite_utils.Database, int, int], Any],
) -> None:
    kettle, cup = ids["kettle"], ids["cup"]
    await client.app[keys.DB].write(
        lambda db: store.insert_related(
            db,
            [
                RelatedItem(item_id=kettle, related_item_id=ids["tray"], position=0),
                RelatedItem(item_id=kettle, related_item_id=cup, note="泡茶用", position=1),
            ],
        )
    )
    status, body = await _put(
        client, auth, mini_shop, kettle, related=[{"related_item_id": ids["pot"], "note": "炖汤"}]
    )
    assert status == 200, body
    await client.app[keys.DB].write(lambda db: gone(db, cup, mini_shop.other_shop_id))
    before = await _knowledge(client, auth, mini_shop, kettle)
    revisions = await _revisions(client, auth, mini_shop, kettle)

    status, body = await _rollback(client, auth, mini_shop, kettle, revisions[-1]["id"], 1)
    assert status == 400, body
    assert body["ok"] is False and body["status"] == 400 and body["error"]
    assert [e["field"] for e in body["errors"]] == ["related.1.related_item_id"]
    assert str(cup) in body["errors"][0]["message"] and "related.1.related_item_id" in body["error"]
    assert await _knowledge(client, auth, mini_shop, kettle) == before
    assert await _revisions(client, auth, mini_shop, kettle) == revisions
