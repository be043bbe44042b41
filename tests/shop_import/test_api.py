"""The shop import through the real app: upload → dry-run job with progress → apply; then the buyer card,
the order panel, related items and hot-item answers work for the imported shop."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any
from urllib.parse import quote

import aiohttp
from aiohttp.test_utils import TestClient

from tests.conftest import MiniShop
from tests.shop_import import exports as ex

Auth = Callable[[int], dict[str, str]]
ORDER_2 = ex.ORDERS[1]["订单编号"]
EXPORTED = "2026-11-12T09:00:00%2B08:00"  # the first export; the second one is half an hour later


def form(**files: bytes) -> aiohttp.FormData:
    data = aiohttp.FormData()
    for name, content in files.items():
        data.add_field(name, content, filename=f"{name}.csv", content_type="text/csv")
    return data


async def finished(client: TestClient, headers: dict[str, str], job: dict[str, Any]) -> dict[str, Any]:
    for _ in range(400):
        if job["state"] != "running":
            return job
        await asyncio.sleep(0.05)
        response = await client.get(f"/api/shop-import/jobs/{job['id']}", headers=headers)
        assert response.status == 200
        job = await response.json()
        assert 0 <= job["progress"] <= 1
    raise AssertionError("the import job did not finish")


async def upload(
    client: TestClient, headers: dict[str, str], kind: str, query: str = "", **files: bytes
) -> dict[str, Any]:
    response = await client.post(f"/api/shop-import/{kind}?{query}", data=form(**files), headers=headers)
    body = await response.json()
    assert response.status == 202, body
    assert body["dry_run"] is True
    return await finished(client, headers, body)


async def apply(client: TestClient, headers: dict[str, str], job: dict[str, Any]) -> dict[str, Any]:
    plan = job["report"]["plan_id"] if job["report"] else job["current"]["plan_id"]
    response = await client.post(f"/api/shop-import/jobs/{job['id']}/apply?plan={plan}", headers=headers)
    body = await response.json()
    assert response.status == 202, body
    return await finished(client, headers, body)


async def import_shop(client: TestClient, headers: dict[str, str]) -> dict[str, Any]:
    items = await upload(client, headers, "items", file=ex.realistic_items())
    assert items["state"] == "done" and items["report"]["added"] == 4
    assert (await apply(client, headers, items))["report"]["applied"] is True
    orders = await upload(client, headers, "orders", f"exported_at={EXPORTED}", file=ex.realistic_orders(),
                          lines=ex.realistic_lines())  # fmt: skip
    assert orders["state"] == "done", orders
    report = orders["report"]
    assert (report["added"], report["refused"], report["buyers_added"]) == (6, 1, 4)
    assert report["rows"][-1] == {"row": 8, "action": "refuse", "key": "3301000000000000007",
                                  "reason": "买家应付货款「abc」不是金额：请写成 128.00 这样的元", "fields": []}  # fmt: skip
    done = await apply(client, headers, orders)
    assert done["state"] == "done" and done["report"]["applied"] and done["dry_run"] is False
    return done


async def test_an_imported_shop_works_like_the_demo_shop(
    client: TestClient, auth: Auth, mini_shop: MiniShop
) -> None:
    editor = auth(mini_shop.editor_id)
    await import_shop(client, editor)
    agent = auth(mini_shop.agent_id)
    shop = f"shop={mini_shop.shop_id}"
    # the buyer card
    card = (await (await client.get(f"/api/buyers/{quote('木子李2019')}?{shop}", headers=agent)).json())[
        "card"
    ]
    assert card["customer"]["kind"] == "returning", card
    assert [o["order_id"] for o in card["open_orders"]] == [ORDER_2]
    assert card["refunds"]["refunds"] == 1
    # the order panel
    detail = await (await client.get(f"/api/orders/{ORDER_2}", headers=agent)).json()
    order = detail["order"]
    assert [line["title"] for line in order["lines"]] == ["北欧实木餐椅 橡木款", "棉麻抱枕套 45x45"]
    assert order["address"]["district"] == "南山区" and order["edits"]["address"]["allowed"] is True
    # related items: bought together in the multi-line order
    items = await (await client.get(f"/api/kb/items?shop={mini_shop.shop_id}&q=CHAIR", headers=editor)).json()
    chair = items["items"][0]["id"]
    related = await (await client.get(f"/api/items/{chair}/related?{shop}", headers=agent)).json()
    assert [(r["title"], r["source"]) for r in related["related"]] == [
        ("棉麻抱枕套 45x45", "bought_together")
    ], related
    # hot-item answers for an imported item
    intent = {"shop_id": mini_shop.shop_id, "key": "chair_wood", "name": "餐椅材质", "topic": "product",
              "examples": ["是实木的吗"], "answers": ["{{ item.title }} 是橡木实木的～"], "item_id": chair}  # fmt: skip
    assert (await client.post("/api/kb/intents", json=intent, headers=editor)).status == 201
    answers = await (await client.get(f"/api/kb/items/{chair}/answers?{shop}&buyer={quote('木子李2019')}",
                                      headers=agent)).json()  # fmt: skip
    assert [a["answer"] for a in answers["answers"]] == ["北欧实木餐椅 橡木款 是橡木实木的～"], answers


async def test_an_agent_edit_after_the_export_is_a_conflict(
    client: TestClient, auth: Auth, mini_shop: MiniShop
) -> None:
    editor = auth(mini_shop.editor_id)
    await import_shop(client, editor)
    agent = auth(mini_shop.agent_id)
    response = await client.post(f"/api/orders/{ORDER_2}/remark", json={"version": 1, "text": "改发顺丰"},
                                 headers={**agent, "Idempotency-Key": "k-remark-1"})  # fmt: skip
    assert response.status == 200, await response.json()
    newer = [dict(o) for o in ex.ORDERS]
    newer[1]["订单状态"] = "卖家已发货，等待买家确认"
    data = ex.table_csv(ex.ORDER_HEADER, [ex.order_row(o) for o in newer])
    job = await upload(client, editor, "orders", "exported_at=2026-11-12T09:30:00%2B08:00", file=data)
    row = next(r for r in job["report"]["rows"] if r["key"] == ORDER_2)
    assert row["action"] == "conflict" and "订单备注" in row["reason"]
    await apply(client, editor, job)
    detail = await (await client.get(f"/api/orders/{ORDER_2}", headers=agent)).json()
    assert detail["order"]["status"] == "shipped" and detail["order"]["seller_remark"] == "改发顺丰"
    history = detail["order"]["history"]
    assert [h["action_label"] for h in history[:2]] == ["导入更新", "改备注"], history


async def test_a_stale_plan_fails_with_409_and_the_current_plan(
    client: TestClient, auth: Auth, mini_shop: MiniShop
) -> None:
    editor = auth(mini_shop.editor_id)
    first = await upload(client, editor, "orders", file=ex.realistic_orders())
    second = await upload(client, editor, "orders", file=ex.realistic_orders())
    await apply(client, editor, second)
    stale = await apply(client, editor, first)
    assert stale["state"] == "failed" and stale["error_status"] == 409
    assert stale["current"]["added"] == 0 and stale["current"]["left"] == 6
    again = await apply(client, editor, stale)  # the new plan applies
    assert again["state"] == "done"


async def test_bad_uploads_and_roles(client: TestClient, auth: Auth, mini_shop: MiniShop) -> None:
    editor = auth(mini_shop.editor_id)
    missing = await upload(
        client, editor, "orders", file=ex.table_csv(["订单编号", "买家会员名"], [["1", "a"]])
    )
    assert missing["state"] == "failed" and missing["error_status"] == 400
    assert "「订单状态」" in missing["error"] and missing["report"] is None
    response = await client.post("/api/shop-import/orders", data=form(file=ex.realistic_orders()),
                                 headers=auth(mini_shop.agent_id))  # fmt: skip
    assert response.status == 403
    response = await client.post("/api/shop-import/refunds", data=form(file=b"x"), headers=editor)
    assert response.status == 404
    response = await client.post(
        "/api/shop-import/orders", data=form(lines=ex.realistic_lines()), headers=editor
    )
    body = await response.json()
    assert response.status == 400 and body["errors"][0]["field"] == "file"
    response = await client.get("/api/shop-import/jobs/nope", headers=editor)
    assert response.status == 404
    outsider = await client.get(f"/api/shop-import/jobs/{missing['id']}", headers=auth(mini_shop.outsider_id))
    assert outsider.status in {403, 404}
