"""Import/export of quick replies and the usage report, through the real app and SQLite file."""

from __future__ import annotations

import io
from collections.abc import Callable
from typing import Any

import openpyxl
import pytest
from aiohttp import FormData
from aiohttp.test_utils import TestClient

from assistant import keys
from quick_replies import store as qr_store
from tests.conftest import MiniShop
from tests.foundation.test_api_errors import assert_error_shape

Auth = Callable[[int], dict[str, str]]


async def _seed(client: TestClient, shop: MiniShop, auth: Auth) -> dict[str, Any]:
    """One group with two shop phrases (fh, th) and one personal phrase (fh of the agent)."""
    headers = auth(shop.editor_id)
    response = await client.post("/api/quick-reply-groups", json={"name": "物流"}, headers=headers)
    group = (await response.json())["group"]["id"]
    made = {}
    for code, title, body in (
        ("fh", "发货时间", "现货48小时内发货"),
        ("th", "退货地址", "请寄回：杭州市\n收件人：售后"),
    ):
        response = await client.post(
            "/api/quick-replies", json={"group_id": group, "code": code, "title": title, "body": body},
            headers=headers,
        )  # fmt: skip
        assert response.status == 201, await response.text()
        made[code] = (await response.json())["quick_reply"]
    response = await client.post(
        "/api/quick-replies",
        json={"group_id": group, "code": "fh", "title": "我的发货", "body": "我自己的", "scope": "personal",
              "owner_agent_id": shop.agent_id},
        headers=auth(shop.agent_id),
    )  # fmt: skip
    assert response.status == 201
    made["group_id"] = group
    return made


async def _import(
    client: TestClient,
    who: dict[str, str],
    data: bytes,
    *,
    dry_run: bool = True,
    name: str = "p.csv",
    **params: str,
) -> Any:
    form = FormData()
    form.add_field("file", io.BytesIO(data), filename=name, content_type="application/octet-stream")
    query = {"dry_run": "true" if dry_run else "false", **params}
    return await client.post("/api/quick-replies/import", params=query, data=form, headers=who)


async def _phrases(client: TestClient, who: dict[str, str], **params: str) -> list[dict[str, Any]]:
    response = await client.get("/api/quick-replies", params=params, headers=who)
    assert response.status == 200, await response.text()
    return [p["quick_reply"] | {"group": p["group"]} for p in (await response.json())["quick_replies"]]


CSV = (
    "暖居生活旗舰店 快捷短语\n"
    "分组,编码,标题,内容,备注\n"
    '仓储物流,FH,发货时间,"现货24小时内发货\n节假日顺延",改了内容\n'  # changes fh (body, group), code folded
    '物流,th,退货地址,"请寄回：杭州市\n收件人：售后",原样\n'  # unchanged
    '新品,xp,,"新品上市\n第二行\n第三行",多行新短语\n'  # added; title from the first line
    "新品,xp,重复,又一个,\n"  # same code twice in the file
    "新品,kb,空的,,\n"  # empty content
    "新品,编码有空格,坏的,内容,\n"  # invalid code
).encode("utf-8-sig")


async def test_dry_run_lists_the_plan_and_apply_writes_it_with_revisions(
    client: TestClient, mini_shop: MiniShop, auth: Auth
) -> None:
    made = await _seed(client, mini_shop, auth)
    editor = auth(mini_shop.editor_id)
    before = await _phrases(client, editor)

    response = await _import(client, editor, CSV)
    assert response.status == 200, await response.text()
    plan = await response.json()
    assert (plan["added"], plan["changed"], plan["skipped"], plan["applied"]) == (1, 1, 4, False)
    assert plan["header_row"] == 2
    by_row = {r["row"]: r for r in plan["rows"]}
    assert by_row[3]["action"] == "changed" and by_row[3]["id"] == made["fh"]["id"]
    assert {c["field"]: c["after"] for c in by_row[3]["changes"]} == {
        "group": "仓储物流",
        "body": "现货24小时内发货\n节假日顺延",
    }
    assert by_row[4]["skip"] == "unchanged"
    assert (
        by_row[5]["action"] == "added" and by_row[5]["title"] == "新品上市" and by_row[5]["group"] == "新品"
    )
    assert by_row[6]["skip"] == "duplicate_code" and "第 5 行" in by_row[6]["reason"]
    assert by_row[7]["skip"] == "empty_body" and by_row[8]["skip"] == "invalid"
    assert await _phrases(client, editor) == before  # a dry run writes nothing

    response = await _import(client, editor, CSV, dry_run=False, plan=plan["plan_id"])
    assert response.status == 200, await response.text()
    applied = await response.json()
    assert applied["applied"] is True and (applied["added"], applied["changed"]) == (1, 1)

    after = {p["code"]: p for p in await _phrases(client, editor, scope="shop")}
    assert after["xp"]["body"] == "新品上市\n第二行\n第三行" and after["xp"]["group"] == "新品"
    assert after["fh"]["version"] == 2 and after["fh"]["group"] == "仓储物流"
    assert after["th"]["version"] == 1
    revisions = await client.get(f"/api/quick-replies/{after['xp']['id']}/revisions", headers=editor)
    assert [r["action"] for r in (await revisions.json())["revisions"]] == ["create"]
    search = await client.get(
        "/api/quick-replies/search", params={"q": "xp"}, headers=auth(mini_shop.agent_id)
    )
    assert (await search.json())["results"][0]["id"] == after["xp"]["id"]  # the index knows the new phrase
    personal = [p for p in await _phrases(client, auth(mini_shop.agent_id)) if p["scope"] == "personal"]
    assert personal[0]["body"] == "我自己的"  # personal phrases are never touched

    again = await (await _import(client, editor, CSV)).json()
    assert (again["added"], again["changed"]) == (0, 0)


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
async def test_export_then_import_changes_nothing(
    client: TestClient, mini_shop: MiniShop, auth: Auth, fmt: str
) -> None:
    made = await _seed(client, mini_shop, auth)
    editor = auth(mini_shop.editor_id)
    window = {"valid_from": "2026-11-11T00:00:00+08:00", "valid_until": "2026-11-12T00:00:00+08:00"}
    fields = {"group_id": made["group_id"], "code": "s11", "title": "双11", "body": "=双11 全场包邮\n第二行",
              "tags": ["双11", "包邮"], "enabled": False, **window}  # fmt: skip
    assert (await client.post("/api/quick-replies", json=fields, headers=editor)).status == 201

    response = await client.get("/api/quick-replies/export", params={"format": fmt}, headers=editor)
    assert response.status == 200
    assert "attachment" in response.headers["Content-Disposition"]
    data = await response.read()
    if fmt == "xlsx":
        sheet = openpyxl.load_workbook(io.BytesIO(data)).active
        assert [c.value for c in sheet[1]][:4] == ["分组", "标题", "编码", "内容"]
        assert sheet.max_row == 4  # header + the three shop phrases; the personal one stays out
    else:
        assert data.startswith(b"\xef\xbb\xbf") and data.decode("utf-8-sig").count("我自己的") == 0
    plan = await (await _import(client, editor, data, name=f"p.{fmt}")).json()
    assert (plan["added"], plan["changed"], plan["skipped"]) == (0, 0, 3), plan
    assert {r["skip"] for r in plan["rows"]} == {"unchanged"}


async def test_apply_is_all_or_nothing(
    client: TestClient, mini_shop: MiniShop, auth: Auth, monkeypatch: pytest.MonkeyPatch
) -> None:
    await _seed(client, mini_shop, auth)
    editor = auth(mini_shop.editor_id)
    before = await _phrases(client, editor)

    def broken(*args: Any, **kwargs: Any) -> Any:
        raise RuntimeError("disk full")

    monkeypatch.setattr(qr_store, "update_quick_reply", broken)  # the change comes after the addition
    response = await _import(client, editor, CSV, dry_run=False)
    assert response.status == 500
    assert await _phrases(client, editor) == before


async def test_a_stale_dry_run_is_refused(client: TestClient, mini_shop: MiniShop, auth: Auth) -> None:
    made = await _seed(client, mini_shop, auth)
    editor = auth(mini_shop.editor_id)
    plan = await (await _import(client, editor, CSV)).json()
    fh = made["fh"]
    update = {k: fh[k] for k in ("group_id", "code", "title", "version")} | {"body": "别人刚改过"}
    assert (await client.put(f"/api/quick-replies/{fh['id']}", json=update, headers=editor)).status == 200
    response = await _import(client, editor, CSV, dry_run=False, plan=plan["plan_id"])
    assert response.status == 409
    body = await response.json()
    assert_error_shape(body, 409)
    assert body["errors"][0]["field"] == "plan" and body["current"]["changed"] == 1
    assert "xp" not in {p["code"] for p in await _phrases(client, editor)}


@pytest.mark.parametrize(
    ("data", "status", "words"),
    [
        (b"%PDF-1.4 hello", 400, "CSV 或 Excel"),
        ("分组,编码,标题\n物流,fh,发货\n".encode(), 400, "「内容」"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", 400, ".xls"),
        (b"a" * 1_100_000, 413, "文件太大"),
    ],
)
async def test_bad_files_get_the_error_shape(
    client: TestClient, mini_shop: MiniShop, auth: Auth, data: bytes, status: int, words: str
) -> None:
    response = await _import(client, auth(mini_shop.editor_id), data)
    assert response.status == status
    body = await response.json()
    assert_error_shape(body, status)
    assert words in body["error"] and body["errors"][0]["field"] == "file"


async def test_import_needs_a_multipart_file_and_the_editor_role(
    client: TestClient, mini_shop: MiniShop, auth: Auth
) -> None:
    raw = await client.post("/api/quick-replies/import", data=CSV, headers=auth(mini_shop.editor_id))
    assert raw.status == 400 and (await raw.json())["errors"][0]["field"] == "file"
    agent = await _import(client, auth(mini_shop.agent_id), CSV)
    assert agent.status == 403
    export = await client.get("/api/quick-replies/export", headers=auth(mini_shop.agent_id))
    assert export.status == 403
    other = await client.get(
        "/api/quick-replies/export",
        params={"shop": str(mini_shop.other_shop_id)},
        headers=auth(mini_shop.editor_id),
    )
    assert other.status == 404
    pdf = await client.get(
        "/api/quick-replies/export", params={"format": "pdf"}, headers=auth(mini_shop.editor_id)
    )
    assert pdf.status == 400 and (await pdf.json())["errors"][0]["field"] == "format"


async def test_list_filters(client: TestClient, mini_shop: MiniShop, auth: Auth) -> None:
    made = await _seed(client, mini_shop, auth)
    agent = auth(mini_shop.agent_id)
    assert [p["code"] for p in await _phrases(client, agent, q="杭州")] == ["th"]
    assert [p["code"] for p in await _phrases(client, agent, q="ＦＨ")] == ["fh", "fh"]
    assert [p["scope"] for p in await _phrases(client, agent, q="fh", scope="personal")] == ["personal"]
    assert len(await _phrases(client, agent, group=str(made["group_id"]))) == 3
    assert await _phrases(client, agent, enabled="false") == []
    assert await _phrases(client, agent, q="100%_") == []
    bad = await client.get("/api/quick-replies", params={"scope": "everyone"}, headers=agent)
    assert bad.status == 400 and (await bad.json())["errors"][0]["field"] == "scope"


async def test_usage_report_lists_most_and_never_used(
    client: TestClient, mini_shop: MiniShop, auth: Auth
) -> None:
    made = await _seed(client, mini_shop, auth)
    for who, phrase in ((mini_shop.agent_id, "th"), (mini_shop.agent_id, "th"), (mini_shop.editor_id, "th"),
                        (mini_shop.agent_id, "fh")):  # fmt: skip
        body = {"kind": "quick_reply", "ref_id": made[phrase]["id"], "edited": phrase == "fh"}
        assert (await client.post("/api/usage", json=body, headers=auth(who))).status == 202
    await client.app[keys.USAGE].flush()
    response = await client.get(
        "/api/quick-replies/usage-report", params={"days": "30"}, headers=auth(mini_shop.editor_id)
    )
    assert response.status == 200, await response.text()
    report = await response.json()
    assert [(p["code"], p["uses"], p["agents"], p["edited"]) for p in report["most_used"]] == [
        ("th", 3, 2, 0),
        ("fh", 1, 1, 1),
    ]
    assert (
        report["total_uses"] == 4 and report["never_used"] == []
    )  # the agent's personal phrase is not the editor's
    assert report["phrases"] == 2
    denied = await client.get("/api/quick-replies/usage-report", headers=auth(mini_shop.agent_id))
    assert denied.status == 403
    bad = await client.get(
        "/api/quick-replies/usage-report", params={"days": "0"}, headers=auth(mini_shop.editor_id)
    )
    assert bad.status == 400


@pytest.mark.parametrize(
    ("content_type", "body"),
    [
        # a part header that is not valid HTTP (a control character in it): found by the schema fuzzer
        (
            "multipart/form-data; boundary=xyz",
            b'--xyz\r\nContent-Disposition: form-data; name="a\x03b"\r\n\r\n1\r\n--xyz--\r\n',
        ),
        ("multipart/form-data", b"--xyz\r\n\r\n1\r\n--xyz--\r\n"),  # no boundary
        ("multipart/form-data; boundary=xyz", b"no parts at all"),
    ],
)
async def test_a_malformed_upload_is_a_400_naming_the_file(
    client: TestClient, mini_shop: MiniShop, auth: Auth, content_type: str, body: bytes
) -> None:
    response = await client.post(
        "/api/quick-replies/import",
        data=body,
        headers={**auth(mini_shop.editor_id), "Content-Type": content_type},
    )
    payload = await response.json()
    assert response.status == 400, payload
    assert_error_shape(payload, 400)
    assert payload["errors"][0]["field"] == "file"
