"""QC through the real app: a sample from logged conversations, a review, a dispute decided by a second
reviewer, calibration, the live warning and the evidence locker (tampering detected)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient

from assistant.app import create_app
from assistant.settings import Settings
from knowledge import store as kb_store
from knowledge.database import AsyncDatabase
from tests.conftest import MiniShop
from tests.events.test_events_api import next_frame
from tests.team.test_watch_api import open_conversation, post

Auth = Callable[[int], dict[str, str]]
PERFECT = {
    "greeting": 5,
    "response": 5,
    "expertise": 5,
    "cross_sell": 5,
    "closing_sale": 5,
    "farewell": 5,
    "no_conflict": 2,
    "no_forbidden": 2,
    "no_wrong_promise": 2,
}


@pytest.fixture
def second_reviewer(store_db: AsyncDatabase, mini_shop: MiniShop) -> int:
    return store_db.write_sync(
        lambda db: kb_store.insert_agent(db, "zhaoqc", "赵质检", "supervisor", mini_shop.shop_id)
    )


@pytest.fixture
def app(settings: Settings, mini_shop: MiniShop, second_reviewer: int) -> web.Application:
    return create_app(settings)


def yesterday(settings: Settings, clock: str) -> datetime:
    tz = ZoneInfo(settings.timezone)
    day = datetime.now(tz).date() - timedelta(days=1)
    return datetime.combine(day, datetime.strptime(clock, "%H:%M").time(), tzinfo=tz)


async def chat(
    client: TestClient,
    headers: dict[str, str],
    conversation: str,
    buyer: str,
    lines: list[tuple[str, str, str]],
) -> None:
    await open_conversation(client, headers, conversation, buyer)
    for kind, at, text in lines:
        status, body = await post(
            client,
            headers,
            "/api/events",
            {"type": kind, "conversation": conversation, "text": text, "at": at},
        )
        assert status == 200, body


async def seed(client: TestClient, auth: Auth, mini_shop: MiniShop, settings: Settings) -> None:
    agent = auth(mini_shop.agent_id)
    for n in range(12):
        asked = yesterday(settings, f"{9 + n // 2}:{(n % 2) * 30:02d}")
        reply = asked + timedelta(seconds=30 if n % 3 else 400)
        text = "亲，这是全网最低价" if n == 5 else "亲，在的"
        said = "不退款我就给差评投诉你们" if n == 7 else "在吗"
        await chat(
            client,
            agent,
            f"c-{n}",
            f"买家{n}",
            [
                ("message.received", asked.isoformat(), said),
                ("message.sent", reply.isoformat(), text),
            ],
        )


async def test_a_review_from_the_sample_to_a_decided_dispute(
    client: TestClient, mini_shop: MiniShop, auth: Auth, settings: Settings, second_reviewer: int
) -> None:
    await seed(client, auth, mini_shop, settings)
    boss, other = auth(mini_shop.supervisor_id), auth(second_reviewer)
    mine = await (await client.get("/api/qc/sample", headers=boss)).json()
    theirs = await (await client.get("/api/qc/sample", headers=other)).json()
    assert mine["reviewers"] == 2
    ours = {i["conversation"] for i in mine["items"]}
    assert ours and not ours & {i["conversation"] for i in theirs["items"]}
    assert len(ours | {i["conversation"] for i in theirs["items"]}) == 12
    assert await (await client.get("/api/qc/sample", headers=boss)).json() == mine  # the same all day
    reasons = {i["conversation"]: i["reason"] for i in mine["items"] + theirs["items"]}
    assert (
        reasons["c-5"] == "forbidden_words" and reasons["c-7"] == "anger" and reasons["c-0"] == "missed_turn"
    )
    assert (await client.get("/api/qc/sample", headers=auth(mini_shop.agent_id))).status == 403

    item = next(i for i in mine["items"] if not i["reviewed"])
    review = {
        "shop": mini_shop.shop_id,
        "conversation": item["conversation"],
        "day": mine["day"],
        "marks": {**PERFECT, "no_wrong_promise": 1},
        "comment": "承诺了明天一定到",
    }
    status, made = await post(client, boss, "/api/qc/reviews", review)
    assert status == 201, made
    assert (
        made["score"] == 0
        and made["zeroed_by"] == ["no_wrong_promise"]
        and made["agent_id"] == mini_shop.agent_id
    )
    status, _ = await post(client, boss, "/api/qc/reviews", review)
    assert status == 409
    status, bad = await post(
        client,
        boss,
        "/api/qc/reviews",
        {**review, "conversation": item["conversation"], "marks": {"smile": 3}},
    )
    assert status in (400, 409) and bad["ok"] is False
    after = await (await client.get("/api/qc/sample", headers=boss)).json()
    assert next(i for i in after["items"] if i["conversation"] == item["conversation"])["reviewed"] is True

    agent = auth(mini_shop.agent_id)
    own = await (await client.get("/api/qc/reviews", headers=agent)).json()
    assert [r["id"] for r in own["reviews"]] == [made["id"]] and own["mean"] == 0
    assert (
        await client.get("/api/qc/reviews", params={"agent": mini_shop.editor_id}, headers=agent)
    ).status == 403
    status, body = await post(client, boss, f"/api/qc/reviews/{made['id']}/dispute", {"reason": "不是我"})
    assert status == 403
    status, dispute = await post(
        client, agent, f"/api/qc/reviews/{made['id']}/dispute", {"reason": "买家当天下午就签收了，没有乱承诺"}
    )
    assert status == 201, dispute
    status, body = await post(
        client, boss, f"/api/qc/disputes/{dispute['id']}/decide", {"decision": "upheld"}
    )
    assert status == 403  # the first reviewer may not decide their own review's dispute
    status, body = await post(
        client, other, f"/api/qc/disputes/{dispute['id']}/decide", {"decision": "revised"}
    )
    assert status == 400 and body["errors"][0]["field"] == "marks"
    status, decided = await post(
        client, other, f"/api/qc/disputes/{dispute['id']}/decide", {"decision": "revised", "marks": PERFECT}
    )
    assert status == 200 and decided["new_score"] == 100
    own = await (await client.get("/api/qc/reviews", headers=agent)).json()
    assert own["reviews"][0]["dispute"] == "revised" and own["reviews"][0]["final_score"] == 100


async def test_calibration_reviews_report_their_spread(
    client: TestClient, mini_shop: MiniShop, auth: Auth, settings: Settings, second_reviewer: int
) -> None:
    await seed(client, auth, mini_shop, settings)
    boss, other = auth(mini_shop.supervisor_id), auth(second_reviewer)
    calib = await (await client.get("/api/qc/calibration", headers=boss)).json()
    assert len(calib["items"]) == 5
    target = calib["items"][0]["conversation"]
    for headers, expertise in ((boss, 5), (other, 1)):
        status, body = await post(
            client,
            headers,
            "/api/qc/reviews",
            {
                "shop": mini_shop.shop_id,
                "conversation": target,
                "day": calib["day"],
                "calibration": True,
                "marks": {**PERFECT, "expertise": expertise},
            },
        )
        assert status == 201, body
    calib = await (await client.get("/api/qc/calibration", headers=boss)).json()
    item = next(i for i in calib["items"] if i["conversation"] == target)
    assert item["range"] == 25 and set(item["scores"]) == {"王静", "赵质检"}
    # calibration never enters the agent's own reviews
    own = await (await client.get("/api/qc/reviews", headers=auth(mini_shop.agent_id))).json()
    assert own["reviews"] == []
    outside = next(
        c for c in (f"c-{n}" for n in range(12)) if c not in {i["conversation"] for i in calib["items"]}
    )
    status, body = await post(
        client,
        boss,
        "/api/qc/reviews",
        {
            "shop": mini_shop.shop_id,
            "conversation": outside,
            "day": calib["day"],
            "calibration": True,
            "marks": PERFECT,
        },
    )
    assert status == 400 and body["errors"][0]["field"] == "calibration"


async def test_a_forbidden_word_warns_the_agent_at_once(
    client: TestClient, mini_shop: MiniShop, auth: Auth, token_for: Callable[[int], str]
) -> None:
    agent = auth(mini_shop.agent_id)
    stream = await client.get("/api/events/stream", params={"token": token_for(mini_shop.agent_id)})
    assert (await next_frame(stream))[0] == "state"
    await open_conversation(client, agent, "c-1", "买家")
    await next_frame(stream)
    status, _ = await post(
        client,
        agent,
        "/api/events",
        {
            "type": "message.sent",
            "conversation": "c-1",
            "text": "亲，加微信给您便宜",
            "at": datetime.now(UTC).isoformat(),
        },
    )
    assert status == 200
    frames = [await next_frame(stream) for _ in range(2)]
    warning = next(data for event, data in frames if event == "qc.warning")
    assert warning["words"] == ["加微信"] and "加微信" in warning["message"]
    stream.close()


async def test_evidence_is_frozen_flags_the_buyer_and_tampering_is_detected(
    client: TestClient, mini_shop: MiniShop, auth: Auth, store_db: AsyncDatabase
) -> None:
    agent, boss = auth(mini_shop.agent_id), auth(mini_shop.supervisor_id)
    await chat(
        client,
        agent,
        "c-x",
        "差评师",
        [
            ("message.received", datetime.now(UTC).isoformat(), "不给我退50元我就给差评，加我QQ说"),
        ],
    )
    status, made = await post(
        client,
        agent,
        "/api/evidence",
        {
            "shop": mini_shop.shop_id,
            "conversation": "c-x",
            "note": "以差评威胁索要赔偿",
            "flag": "bad_review_extortion",
        },
    )
    assert status == 201, made
    assert (
        made["intact"] is True
        and len(made["hash"]) == 64
        and made["payload"]["messages"][0]["text"].startswith("不给")
    )
    fetched = await (await client.get(f"/api/evidence/{made['id']}", headers=agent)).json()
    assert fetched["hash"] == made["hash"] and fetched["intact"] is True
    pack = await client.get(f"/api/evidence/{made['id']}/pack", headers=agent)
    page = await pack.text()
    assert pack.status == 200 and made["hash"] in page and "一致，未被改动" in page
    # the database refuses to edit it; a change behind its back is caught by the hash
    with pytest.raises(Exception, match="never edited"):
        store_db.write_sync(lambda db: db.execute("UPDATE evidence SET payload = '{}'"))
    store_db.write_sync(lambda db: db.execute("DROP TRIGGER evidence_frozen"))
    store_db.write_sync(
        lambda db: db.execute("UPDATE evidence SET payload = replace(payload, '退50元', '退5元')")
    )
    tampered = await (await client.get(f"/api/evidence/{made['id']}", headers=agent)).json()
    assert tampered["intact"] is False
    # deleting needs a supervisor, keeps the record and is audited
    status, _ = await post_delete(client, agent, made["id"])
    assert status == 403
    status, deleted = await post_delete(client, boss, made["id"])
    assert status == 200 and deleted["deleted"] is True
    audit = store_db.read_sync(
        lambda db: [
            r[0]
            for r in db.execute(
                "SELECT action FROM audit_log WHERE entity = 'evidence' ORDER BY id"
            ).fetchall()
        ]
    )
    assert audit == ["create", "delete"]


async def post_delete(client: TestClient, headers: dict[str, str], evidence_id: int) -> tuple[int, Any]:
    response = await client.delete(f"/api/evidence/{evidence_id}", json={"reason": "误操作"}, headers=headers)
    return response.status, await response.json()
