"""What QC findings lead to, through the real app: a fix on one quick reply or intent that the editor sees
and closes, a training card, 丢单 / 优秀 tags and the weekly pack, the editable scorecard and word list
(the live warning follows the edit), the conversation beside the review form, and the KPI seam."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from typing import Any

from aiohttp.test_utils import TestClient

from assistant.settings import Settings
from assistant.team import qc_store as qs
from knowledge.database import AsyncDatabase
from tests.conftest import MiniShop
from tests.events.test_events_api import next_frame
from tests.team import test_qc_api
from tests.team.test_qc_api import PERFECT, seed
from tests.team.test_watch_api import open_conversation, post

Auth = Callable[[int], dict[str, str]]
# the fixtures of the QC API tests: the app with a second reviewer
app = test_qc_api.app
second_reviewer = test_qc_api.second_reviewer


async def put(client: TestClient, headers: dict[str, str], path: str, body: object) -> tuple[int, dict]:
    response = await client.put(path, json=body, headers=headers)
    return response.status, await response.json()


async def a_review(client: TestClient, auth: Auth, mini_shop: MiniShop, settings: Settings) -> Any:
    await seed(client, auth, mini_shop, settings)
    boss = auth(mini_shop.supervisor_id)
    sample = await (await client.get("/api/qc/sample", headers=boss)).json()
    item = sample["items"][0]
    status, made = await post(
        client,
        boss,
        "/api/qc/reviews",
        {
            "shop": mini_shop.shop_id,
            "conversation": item["conversation"],
            "day": sample["day"],
            "marks": PERFECT,
        },
    )
    assert status == 201, made
    return made


async def a_quick_reply_and_an_intent(client: TestClient, auth: Auth, mini_shop: MiniShop) -> tuple[int, int]:
    editor = auth(mini_shop.editor_id)
    status, group = await post(client, editor, "/api/quick-reply-groups", {"name": "物流"})
    assert status == 201, group
    status, phrase = await post(
        client,
        editor,
        "/api/quick-replies",
        {"group_id": group["group"]["id"], "code": "fh", "title": "发货时间", "body": "现货48小时内发货"},
    )
    assert status == 201, phrase
    status, intent = await post(
        client,
        editor,
        "/api/kb/intents",
        {
            "shop_id": mini_shop.shop_id,
            "key": "ship",
            "name": "发货",
            "examples": ["几天发货"],
            "answers": ["48小时"],
        },
    )
    assert status == 201, intent
    return phrase["quick_reply"]["id"], intent["intent"]["id"]


async def test_a_fix_on_a_quick_reply_reaches_the_editor_and_closes(
    client: TestClient, mini_shop: MiniShop, auth: Auth, settings: Settings
) -> None:
    review = await a_review(client, auth, mini_shop, settings)
    phrase, intent = await a_quick_reply_and_an_intent(client, auth, mini_shop)
    boss, editor = auth(mini_shop.supervisor_id), auth(mini_shop.editor_id)
    base = {"shop": mini_shop.shop_id, "review": review["id"], "note": "短语说“绝对不褪色”，是极限词"}
    status, body = await post(client, boss, "/api/qc/findings", {**base, "kind": "fix"})
    assert status == 400 and body["errors"][0]["field"] == "target"
    status, body = await post(
        client,
        boss,
        "/api/qc/findings",
        {**base, "kind": "fix", "target_kind": "quick_reply", "target": 99999},
    )
    assert status == 404 and body["errors"][0]["field"] == "target"
    status, fix = await post(
        client,
        boss,
        "/api/qc/findings",
        {**base, "kind": "fix", "target_kind": "quick_reply", "target": phrase},
    )
    assert status == 201, fix
    assert (fix["target_name"], fix["conversation"], fix["agent_id"]) == (
        "发货时间",
        review["conversation"],
        mini_shop.agent_id,
    )
    status, card = await post(client, boss, "/api/qc/findings", {**base, "kind": "training"})
    assert status == 201 and card["target_id"] is None and card["agent"] == "小美"
    status, on_intent = await post(
        client, boss, "/api/qc/findings", {**base, "kind": "fix", "target_kind": "intent", "target": intent}
    )
    assert status == 201 and on_intent["target_name"] == "发货"
    # the editor asks for the open fixes on that one quick reply
    params = {"kind": "fix", "target_kind": "quick_reply", "target": str(phrase)}
    listed = await (await client.get("/api/qc/findings", params=params, headers=editor)).json()
    assert [f["id"] for f in listed["findings"]] == [fix["id"]]
    assert (await client.get("/api/qc/findings", headers=auth(mini_shop.agent_id))).status == 403
    assert (await client.get("/api/qc/findings", headers=auth(mini_shop.outsider_id))).status == 403
    status, closed = await post(
        client, editor, f"/api/qc/findings/{fix['id']}/close", {"outcome": "改成“不易褪色”"}
    )
    assert status == 200 and closed["closed_at"] and closed["outcome"] == "改成“不易褪色”"
    status, _ = await post(client, editor, f"/api/qc/findings/{fix['id']}/close", {})
    assert status == 409
    listed = await (await client.get("/api/qc/findings", params=params, headers=editor)).json()
    assert listed["findings"] == []
    everything = await (await client.get("/api/qc/findings", params={"state": "all"}, headers=editor)).json()
    assert {f["id"] for f in everything["findings"]} == {fix["id"], card["id"], on_intent["id"]}


async def test_tags_make_the_weekly_pack(
    client: TestClient, mini_shop: MiniShop, auth: Auth, settings: Settings
) -> None:
    review = await a_review(client, auth, mini_shop, settings)
    boss = auth(mini_shop.supervisor_id)
    conversation = review["conversation"]
    other = next(f"c-{n}" for n in range(12) if f"c-{n}" != conversation)
    status, lost = await post(
        client,
        boss,
        "/api/qc/tags",
        {"shop": mini_shop.shop_id, "conversation": conversation, "tag": "lost_order"},
    )
    assert status == 201, lost
    status, _ = await post(
        client,
        boss,
        "/api/qc/tags",
        {"shop": mini_shop.shop_id, "conversation": conversation, "tag": "lost_order"},
    )
    assert status == 409
    status, good = await post(
        client,
        boss,
        "/api/qc/tags",
        {"shop": mini_shop.shop_id, "conversation": other, "tag": "excellent", "note": "关联推荐做得好"},
    )
    assert status == 201 and good["agent"] == "小美"
    status, _ = await post(
        client, boss, "/api/qc/tags", {"shop": mini_shop.shop_id, "conversation": "nope", "tag": "excellent"}
    )
    assert status == 404
    day = date.fromisoformat(review["day"])
    pack = await (await client.get("/api/qc/pack", params={"week": day.isoformat()}, headers=boss)).json()
    assert pack["week_start"] <= review["day"] <= pack["week_end"]
    assert date.fromisoformat(pack["week_start"]).weekday() == 0
    assert [i["conversation"] for i in pack["lost_orders"]] == [conversation]
    assert pack["lost_orders"][0]["score"] == 100 and pack["lost_orders"][0]["lines"]
    assert [(i["conversation"], i["note"], i["score"]) for i in pack["excellent"]] == [
        (other, "关联推荐做得好", None)
    ]
    later = (day + timedelta(days=7)).isoformat()
    empty = await (await client.get("/api/qc/pack", params={"week": later}, headers=boss)).json()
    assert empty["lost_orders"] == [] and empty["excellent"] == []
    # the conversation beside the review form: its lines, its review and its tag
    seen = await (
        await client.get(
            "/api/qc/conversation",
            params={"shop": str(mini_shop.shop_id), "conversation": conversation},
            headers=boss,
        )
    ).json()
    assert [r["id"] for r in seen["reviews"]] == [review["id"]] and [t["tag"] for t in seen["tags"]] == [
        "lost_order"
    ]
    assert [line["by"] for line in seen["lines"]] == ["buyer", "shop"] and seen["agent"] == "小美"


async def test_the_conversation_marks_forbidden_words(
    client: TestClient, mini_shop: MiniShop, auth: Auth, settings: Settings
) -> None:
    await seed(client, auth, mini_shop, settings)
    seen = await (
        await client.get(
            "/api/qc/conversation",
            params={"shop": str(mini_shop.shop_id), "conversation": "c-5"},
            headers=auth(mini_shop.supervisor_id),
        )
    ).json()
    assert seen["lines"][1]["words"] == ["最低价", "全网最低"] and seen["lines"][0]["words"] == []


async def test_the_scorecard_is_editable_and_reviews_use_it(
    client: TestClient, mini_shop: MiniShop, auth: Auth, settings: Settings, store_db: AsyncDatabase
) -> None:
    await seed(client, auth, mini_shop, settings)
    boss = auth(mini_shop.supervisor_id)
    card = [
        {"key": "greeting", "label": "问候", "weight": 1},
        {"key": "expertise", "label": "专业", "weight": 3},
        {"key": "no_conflict", "label": "未与买家冲突", "weight": 0, "scale": 2, "critical": True},
    ]
    status, body = await put(client, auth(mini_shop.agent_id), "/api/qc/scorecard", {"categories": card})
    assert status == 403
    status, body = await put(
        client,
        boss,
        "/api/qc/scorecard",
        {"categories": [*card, {"key": "greeting", "label": "又一个", "weight": 1}]},
    )
    assert status == 400 and body["errors"][0]["field"] == "categories.3"
    status, body = await put(
        client,
        boss,
        "/api/qc/scorecard",
        {"categories": [{"key": "no_conflict", "label": "冲突", "weight": 5, "scale": 2, "critical": True}]},
    )
    assert {e["field"] for e in body["errors"]} == {"categories.0", "categories"}
    status, body = await put(client, boss, "/api/qc/scorecard", {"categories": card})
    assert status == 200 and [c["key"] for c in body["categories"]] == [
        "greeting",
        "expertise",
        "no_conflict",
    ]
    shown = await (await client.get("/api/qc/scorecard", headers=auth(mini_shop.agent_id))).json()
    assert shown["categories"] == body["categories"]
    sample = await (await client.get("/api/qc/sample", headers=boss)).json()
    conversation = sample["items"][0]["conversation"]
    review = {"shop": mini_shop.shop_id, "conversation": conversation, "day": sample["day"]}
    status, bad = await post(client, boss, "/api/qc/reviews", {**review, "marks": PERFECT})
    assert status == 400 and bad["errors"][0]["field"] == "marks"
    status, made = await post(
        client,
        boss,
        "/api/qc/reviews",
        {**review, "marks": {"greeting": 5, "expertise": 3, "no_conflict": 2}},
    )
    assert status == 201 and made["score"] == 62.5  # (100×1 + 50×3) / 4
    audit = store_db.read_sync(
        lambda db: db.execute("SELECT entity_id FROM audit_log WHERE entity = 'qc_config'").fetchall()
    )
    assert audit == [("scorecard",)]


async def test_the_word_list_is_editable_and_the_live_warning_follows_it(
    client: TestClient, mini_shop: MiniShop, auth: Auth, token_for: Callable[[int], str]
) -> None:
    boss, agent = auth(mini_shop.supervisor_id), auth(mini_shop.agent_id)
    status, body = await put(client, agent, "/api/qc/words", {"words": ["秒杀"]})
    assert status == 403
    status, body = await put(client, boss, "/api/qc/words", {"words": ["秒杀", "包治百病", "秒杀", " "]})
    assert status == 400 and body["errors"][0]["field"] == "words.3"
    status, body = await put(client, boss, "/api/qc/words", {"words": ["秒杀", "包治百病", "秒杀"]})
    assert status == 200 and body["words"] == ["秒杀", "包治百病"]
    assert (await (await client.get("/api/qc/words", headers=agent)).json())["words"] == ["秒杀", "包治百病"]
    stream = await client.get("/api/events/stream", params={"token": token_for(mini_shop.agent_id)})
    assert (await next_frame(stream))[0] == "state"
    await open_conversation(client, agent, "c-1", "买家")
    await next_frame(stream)
    for text in ("亲，全网最低价", "这个包治百病"):  # the old default word no longer warns; the new one does
        status, _ = await post(
            client,
            agent,
            "/api/events",
            {
                "type": "message.sent",
                "conversation": "c-1",
                "text": text,
                "at": datetime.now(UTC).isoformat(),
            },
        )
        assert status == 200
    frames = [await next_frame(stream) for _ in range(3)]
    warnings = [data["words"] for event, data in frames if event == "qc.warning"]
    assert warnings == [["包治百病"]]
    stream.close()


async def test_the_kpi_seam_leaves_calibration_out_and_counts_revised_disputes(
    client: TestClient,
    mini_shop: MiniShop,
    auth: Auth,
    settings: Settings,
    store_db: AsyncDatabase,
    second_reviewer: int,
) -> None:
    await seed(client, auth, mini_shop, settings)
    boss, other, agent = auth(mini_shop.supervisor_id), auth(second_reviewer), auth(mini_shop.agent_id)
    calib = await (await client.get("/api/qc/calibration", headers=boss)).json()
    day = calib["day"]
    sample = await (await client.get("/api/qc/sample", headers=boss)).json()
    calibrating = {i["conversation"] for i in calib["items"]}
    plain = next(i["conversation"] for i in sample["items"] if i["conversation"] not in calibrating)
    status, zeroed = await post(
        client,
        boss,
        "/api/qc/reviews",
        {
            "shop": mini_shop.shop_id,
            "conversation": plain,
            "day": day,
            "marks": {**PERFECT, "no_conflict": 1},
        },
    )
    assert status == 201 and zeroed["score"] == 0
    for headers in (boss, other):  # a calibration review at 100 must not lift the agent's score
        status, _ = await post(
            client,
            headers,
            "/api/qc/reviews",
            {
                "shop": mini_shop.shop_id,
                "conversation": calib["items"][0]["conversation"],
                "day": day,
                "calibration": True,
                "marks": PERFECT,
            },
        )
        assert status == 201
    since, until = date.fromisoformat(day), date.fromisoformat(day) + timedelta(days=1)
    metric = store_db.read_sync(lambda db: qs.agent_metrics(db, [mini_shop.agent_id], since, until))
    assert metric[mini_shop.agent_id] == qs.QcMetric(score=0, reviews=1, zeroed=1)
    status, dispute = await post(
        client, agent, f"/api/qc/reviews/{zeroed['id']}/dispute", {"reason": "没有冲突"}
    )
    assert status == 201
    status, _ = await post(
        client, other, f"/api/qc/disputes/{dispute['id']}/decide", {"decision": "revised", "marks": PERFECT}
    )
    assert status == 200
    metric = store_db.read_sync(lambda db: qs.agent_metrics(db, [mini_shop.agent_id], since, until))
    assert metric[mini_shop.agent_id] == qs.QcMetric(score=100, reviews=1, zeroed=0)


async def test_the_dispute_window_is_a_setting(
    client: TestClient, mini_shop: MiniShop, auth: Auth, settings: Settings, store_db: AsyncDatabase
) -> None:
    review = await a_review(client, auth, mini_shop, settings)
    old = (datetime.now(UTC) - timedelta(days=settings.qc_dispute_days, minutes=1)).isoformat()
    store_db.write_sync(lambda db: db.execute("UPDATE qc_reviews SET created_at = ?", (old,)))
    status, body = await post(
        client, auth(mini_shop.agent_id), f"/api/qc/reviews/{review['id']}/dispute", {"reason": "打分不对"}
    )
    assert status == 409 and f"{settings.qc_dispute_days} 天" in body["errors"][0]["message"]
