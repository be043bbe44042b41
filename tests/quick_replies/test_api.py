"""The quick-reply API through the real app and SQLite file: search, CRUD, clashes, rollback, scopes, bad input."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from aiohttp.test_utils import TestClient

from tests.conftest import MiniShop
from tests.foundation.test_api_errors import assert_error_shape

Auth = Callable[[int], dict[str, str]]


async def _group(client: TestClient, shop: MiniShop, auth: Auth, name: str = "物流") -> int:
    response = await client.post("/api/quick-reply-groups", json={"name": name}, headers=auth(shop.editor_id))
    assert response.status == 201, await response.text()
    return int((await response.json())["group"]["id"])


async def _create(client: TestClient, who: int, auth: Auth, **fields: Any) -> dict[str, Any]:
    response = await client.post("/api/quick-replies", json=fields, headers=auth(who))
    assert response.status == 201, await response.text()
    return dict((await response.json())["quick_reply"])


async def _search(client: TestClient, who: int, auth: Auth, q: str, **params: Any) -> list[dict[str, Any]]:
    response = await client.get("/api/quick-replies/search", params={"q": q, **params}, headers=auth(who))
    assert response.status == 200, await response.text()
    body = await response.json()
    assert body["ok"] is True
    return list(body["results"])


async def test_created_phrases_are_found_by_code_pinyin_and_chinese(
    client: TestClient, mini_shop: MiniShop, auth: Auth
) -> None:
    group = await _group(client, mini_shop, auth)
    made = await _create(
        client,
        mini_shop.editor_id,
        auth,
        group_id=group,
        code="ＦＨ",
        title="发货时间",
        body="{{ buyer.nick }}，{{ shop.name }}现货48小时内发货",
        tags=["发货"],
    )
    assert made["code"] == "fh" and made["version"] == 1
    for q in ("fh", "fhsj", "fahuo", "發貨", "48小时"):
        results = await _search(client, mini_shop.agent_id, auth, q, buyer="小王")
        assert results and results[0]["id"] == made["id"], q
    [hit] = await _search(client, mini_shop.agent_id, auth, "fh", buyer="小王", limit=1)
    assert hit["preview"] == "小王，测试旗舰店现货48小时内发货"
    assert hit["matched_on"][0] == "code" and hit["highlights"]["code"] == [[0, 2]]
    assert set(hit) >= {"id", "code", "title", "group", "preview", "score", "matched_on", "highlights"}


async def test_a_code_clash_in_the_same_scope_names_the_holder(
    client: TestClient, mini_shop: MiniShop, auth: Auth
) -> None:
    group = await _group(client, mini_shop, auth)
    await _create(
        client, mini_shop.editor_id, auth, group_id=group, code="fh", title="发货时间", body="48小时"
    )
    response = await client.post(
        "/api/quick-replies",
        json={"group_id": group, "code": "FH", "title": "另一个", "body": "x"},
        headers=auth(mini_shop.editor_id),
    )
    assert response.status == 409
    body = await response.json()
    assert_error_shape(body, 409)
    assert (
        "「发货时间」" in body["error"]
        and "测试旗舰店" in body["error"]
        and body["errors"][0]["field"] == "code"
    )
    # the same code is free in another scope (the agent's personal phrases)
    mine = await _create(
        client,
        mini_shop.agent_id,
        auth,
        group_id=group,
        code="fh",
        title="我的发货",
        body="我的",
        scope="personal",
        owner_agent_id=mini_shop.agent_id,
    )
    assert mine["scope"] == "personal"


async def test_update_keeps_revisions_and_stale_versions_get_409(
    client: TestClient, mini_shop: MiniShop, auth: Auth
) -> None:
    group = await _group(client, mini_shop, auth)
    made = await _create(
        client, mini_shop.editor_id, auth, group_id=group, code="fh", title="发货时间", body="旧"
    )
    url = f"/api/quick-replies/{made['id']}"
    update = {"group_id": group, "code": "fhsj", "title": "发货时效", "body": "新", "version": 1}
    response = await client.put(url, json=update, headers=auth(mini_shop.editor_id))
    assert response.status == 200, await response.text()
    assert (await response.json())["quick_reply"]["version"] == 2
    assert [r["code"] for r in await _search(client, mini_shop.agent_id, auth, "fhsj")] == ["fhsj"]
    assert await _search(client, mini_shop.agent_id, auth, "旧") == []
    stale = await client.put(url, json={**update, "body": "晚到的"}, headers=auth(mini_shop.editor_id))
    assert stale.status == 409
    assert (await stale.json())["current"]["quick_reply"]["version"] == 2
    history = await (await client.get(f"{url}/revisions", headers=auth(mini_shop.editor_id))).json()
    assert [r["action"] for r in history["revisions"]] == ["update", "create"]
    assert (
        history["revisions"][0]["before"]["body"] == "旧" and history["revisions"][0]["after"]["body"] == "新"
    )
    assert history["revisions"][0]["agent_id"] == mini_shop.editor_id


async def test_rollback_restores_an_old_state_and_a_deleted_phrase(
    client: TestClient, mini_shop: MiniShop, auth: Auth
) -> None:
    group = await _group(client, mini_shop, auth)
    made = await _create(
        client, mini_shop.editor_id, auth, group_id=group, code="tk", title="退款流程", body="一"
    )
    url = f"/api/quick-replies/{made['id']}"
    headers = auth(mini_shop.editor_id)
    await client.put(
        url,
        json={"group_id": group, "code": "tk", "title": "退款流程", "body": "二", "version": 1},
        headers=headers,
    )
    first = (await (await client.get(f"{url}/revisions", headers=headers)).json())["revisions"][-1]
    back = await client.post(
        f"{url}/rollback", json={"revision_id": first["id"], "version": 2}, headers=headers
    )
    assert back.status == 200, await back.text()
    assert (await back.json())["quick_reply"]["body"] == "一"
    deleted = await client.delete(url, params={"version": 3}, headers=headers)
    assert deleted.status == 200
    assert await _search(client, mini_shop.agent_id, auth, "tk") == []
    assert (await client.get(url, headers=headers)).status == 404
    history = (await (await client.get(f"{url}/revisions", headers=headers)).json())["revisions"]
    assert history[0]["action"] == "delete"
    restore = await client.post(f"{url}/rollback", json={"revision_id": history[0]["id"]}, headers=headers)
    assert restore.status == 200, await restore.text()
    assert [r["id"] for r in await _search(client, mini_shop.agent_id, auth, "tk")] == [made["id"]]


async def test_scopes_decide_who_sees_and_who_edits(
    client: TestClient, mini_shop: MiniShop, auth: Auth
) -> None:
    group = await _group(client, mini_shop, auth)
    # an agent cannot create shop phrases, but can keep personal ones; nobody writes someone else's
    refused = await client.post(
        "/api/quick-replies",
        json={"group_id": group, "code": "x1", "title": "t", "body": "b"},
        headers=auth(mini_shop.agent_id),
    )
    assert refused.status == 403
    assert_error_shape(await refused.json(), 403)
    not_mine = await client.post(
        "/api/quick-replies",
        json={
            "group_id": group,
            "code": "x2",
            "title": "t",
            "body": "b",
            "scope": "personal",
            "owner_agent_id": mini_shop.agent_id,
        },
        headers=auth(mini_shop.editor_id),
    )
    assert not_mine.status == 403
    personal = await _create(
        client,
        mini_shop.agent_id,
        auth,
        group_id=group,
        code="wd",
        title="我的短语",
        body="只有我能看到",
        scope="personal",
        owner_agent_id=mini_shop.agent_id,
    )
    assert [r["id"] for r in await _search(client, mini_shop.agent_id, auth, "wd")] == [personal["id"]]
    assert await _search(client, mini_shop.editor_id, auth, "wd") == []
    assert (
        await client.get(f"/api/quick-replies/{personal['id']}", headers=auth(mini_shop.editor_id))
    ).status == 404
    # team phrases: seen by the team, not by others outside it
    team = await _create(
        client,
        mini_shop.editor_id,
        auth,
        group_id=group,
        code="td",
        title="团队口径",
        body="团队",
        scope="team",
        team_id=1,
    )
    assert [r["id"] for r in await _search(client, mini_shop.agent_id, auth, "td")] == [team["id"]]
    assert await _search(client, mini_shop.supervisor_id, auth, "td") == []
    # other shops: the outsider never sees this shop's phrases and cannot search it
    assert (
        await client.get(
            "/api/quick-replies/search",
            params={"q": "wd", "shop": mini_shop.shop_id},
            headers=auth(mini_shop.outsider_id),
        )
    ).status == 404
    assert await _search(client, mini_shop.outsider_id, auth, "团队") == []
    assert await _search(client, mini_shop.agent_id, auth, "wd", shop=mini_shop.other_shop_id) == []


async def test_disabled_phrases_and_groups_of_another_shop(
    client: TestClient, mini_shop: MiniShop, auth: Auth
) -> None:
    group = await _group(client, mini_shop, auth)
    await _create(
        client,
        mini_shop.editor_id,
        auth,
        group_id=group,
        code="ty",
        title="停用短语",
        body="停用",
        enabled=False,
    )
    assert await _search(client, mini_shop.agent_id, auth, "ty") == []
    await _create(
        client,
        mini_shop.editor_id,
        auth,
        group_id=group,
        code="gq",
        title="过期短语",
        body="过期",
        valid_from="2020-01-01T00:00:00+08:00",
        valid_until="2020-01-02T00:00:00+08:00",
    )
    assert await _search(client, mini_shop.agent_id, auth, "gq") == []
    wrong = await client.post(
        "/api/quick-replies",
        json={
            "shop": mini_shop.other_shop_id,
            "group_id": group,
            "code": "zz",
            "title": "t",
            "body": "b",
            "scope": "personal",
            "owner_agent_id": mini_shop.agent_id,
        },
        headers=auth(mini_shop.agent_id),
    )
    assert wrong.status == 400 and (await wrong.json())["errors"][0]["field"] == "group_id"


async def test_usage_events_rank_the_agents_phrases(
    client: TestClient, mini_shop: MiniShop, auth: Auth
) -> None:
    group = await _group(client, mini_shop, auth)
    ids = [
        (await _create(client, mini_shop.editor_id, auth, group_id=group, code=c, title=t, body="b"))["id"]
        for c, t in (("fh1", "发货一"), ("fh2", "发货二"), ("fh3", "发货三"))
    ]
    assert [r["id"] for r in await _search(client, mini_shop.agent_id, auth, "fh")] == ids
    for _ in range(2):
        used = await client.post(
            "/api/usage", json={"kind": "quick_reply", "ref_id": ids[2]}, headers=auth(mini_shop.agent_id)
        )
        assert used.status == 202
    assert (await _search(client, mini_shop.agent_id, auth, "fh"))[0]["id"] == ids[2]
    assert (await _search(client, mini_shop.agent_id, auth, ""))[0]["id"] == ids[2]


@pytest.mark.parametrize(
    ("params", "status", "field"),
    [
        ({"q": "x" * 101}, 400, "q"),
        ({"q": "fh", "limit": "0"}, 400, "limit"),
        ({"q": "fh", "limit": "51"}, 400, "limit"),
        ({"q": "fh", "limit": "ten"}, 400, "limit"),
        ({"q": "fh", "shop": "999"}, 404, "shop"),
        ({"q": "fh", "colour": "red"}, 400, "colour"),
    ],
)
async def test_bad_search_input_gets_the_error_shape(
    client: TestClient, mini_shop: MiniShop, auth: Auth, params: dict[str, str], status: int, field: str
) -> None:
    response = await client.get("/api/quick-replies/search", params=params, headers=auth(mini_shop.agent_id))
    assert response.status == status
    body = await response.json()
    assert_error_shape(body, status)
    assert body["errors"][0]["field"] == field


@pytest.mark.parametrize("q", ["😀", "\x00\x1f", "\ufffd", "𠮷野家", "　", "%", "' OR 1=1 --", "\u202e"])
async def test_odd_unicode_never_crashes_the_search(
    client: TestClient, mini_shop: MiniShop, auth: Auth, q: str
) -> None:
    await _search(client, mini_shop.agent_id, auth, q)


async def test_search_needs_a_token(client: TestClient, mini_shop: MiniShop) -> None:
    response = await client.get("/api/quick-replies/search", params={"q": "fh"})
    assert response.status == 401


async def test_a_group_is_reordered_in_one_transaction_or_not_at_all(
    client: TestClient, mini_shop: MiniShop, auth: Auth
) -> None:
    group = await _group(client, mini_shop, auth)
    other = await _group(client, mini_shop, auth, name="售后")
    made = [
        await _create(
            client,
            mini_shop.editor_id,
            auth,
            group_id=group,
            code=f"w{n}",
            title=f"物流{n}",
            body=f"物流说明{n}",
            position=n,
        )
        for n in range(3)
    ]
    stranger = await _create(
        client, mini_shop.editor_id, auth, group_id=other, code="sh", title="售后", body="售后说明"
    )
    url = f"/api/quick-reply-groups/{group}/order"
    headers = auth(mini_shop.editor_id)

    async def positions() -> dict[int, tuple[int, int]]:
        response = await client.get("/api/quick-replies", params={"group": group}, headers=headers)
        rows = [r["quick_reply"] for r in (await response.json())["quick_replies"]]
        return {r["id"]: (r["position"], r["version"]) for r in rows}

    # one stale version: 409 and not one position changed
    stale = [
        {"id": made[2]["id"], "version": 1},
        {"id": made[0]["id"], "version": 1},
        {"id": made[1]["id"], "version": 7},
    ]
    response = await client.put(url, json={"items": stale}, headers=headers)
    assert response.status == 409
    assert_error_shape(await response.json(), 409)
    assert await positions() == {m["id"]: (n, 1) for n, m in enumerate(made)}

    # a phrase of another group is named
    response = await client.put(url, json={"items": [{"id": stranger["id"], "version": 1}]}, headers=headers)
    body = await response.json()
    assert response.status == 400 and body["errors"][0]["field"] == "items.0.id"

    # the real move: the last phrase goes first; the ones that moved get a new version and a revision
    order = [made[2], made[0], made[1]]
    response = await client.put(
        url, json={"items": [{"id": m["id"], "version": 1} for m in order]}, headers=headers
    )
    assert response.status == 200, await response.text()
    assert await positions() == {made[2]["id"]: (0, 2), made[0]["id"]: (1, 2), made[1]["id"]: (2, 2)}
    response = await client.get(f"/api/quick-replies/{made[2]['id']}/revisions", headers=headers)
    [latest, *_] = (await response.json())["revisions"]
    assert latest["before"]["position"] == 2 and latest["after"]["position"] == 0

    # an agent may not reorder shop phrases
    response = await client.put(
        url, json={"items": [{"id": m["id"], "version": 2} for m in order]}, headers=auth(mini_shop.agent_id)
    )
    assert response.status == 403


async def test_the_phrase_list_comes_in_pages(client: TestClient, mini_shop: MiniShop, auth: Auth) -> None:
    editor = auth(mini_shop.editor_id)
    group = await client.post("/api/quick-reply-groups", json={"name": "分页"}, headers=editor)
    group_id = (await group.json())["group"]["id"]
    for n in range(5):
        made = await client.post(
            "/api/quick-replies",
            json={"group_id": group_id, "code": f"p{n}", "title": f"第{n}条", "body": "亲"},
            headers=editor,
        )
        assert made.status == 201
    whole = await (await client.get("/api/quick-replies", params={"group": group_id}, headers=editor)).json()
    assert [r["quick_reply"]["code"] for r in whole["quick_replies"]] == [f"p{n}" for n in range(5)]
    assert whole["next_cursor"] is None
    codes: list[str] = []
    cursor: int | None = 0
    pages = 0
    while cursor is not None:
        params = {"group": group_id, "limit": 2, "cursor": cursor}
        page = await (await client.get("/api/quick-replies", params=params, headers=editor)).json()
        assert len(page["quick_replies"]) <= 2
        codes += [r["quick_reply"]["code"] for r in page["quick_replies"]]
        cursor, pages = page["next_cursor"], pages + 1
    assert codes == [f"p{n}" for n in range(5)] and pages == 3
    bad = await client.get("/api/quick-replies", params={"limit": 0}, headers=editor)
    assert bad.status == 400 and (await bad.json())["errors"][0]["field"] == "limit"
