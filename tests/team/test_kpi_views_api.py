"""The KPI settings, the agent's own card, charts, drill-down, exports and the forecast's additions
through the real app."""

from __future__ import annotations

import csv
import io
from datetime import datetime, timedelta
from decimal import Decimal

import openpyxl
import pytest
from aiohttp.test_utils import TestClient

from assistant.commerce.models import OrderStatus
from knowledge.database import AsyncDatabase
from tests.commerce import factory
from tests.conftest import MiniShop
from tests.team.test_qc_api import PERFECT
from tests.team.test_reports_api import CST, Auth, say
from tests.team.test_watch_api import open_conversation, post

ASKED = datetime(2026, 11, 11, 10, 0, tzinfo=CST)


async def _month(client: TestClient, mini_shop: MiniShop, auth: Auth, store_db: AsyncDatabase) -> None:
    """Two buyers ask on 11-11: one answered in 40 s who pays 250 yuan, one never answered."""
    agent = auth(mini_shop.agent_id)
    await open_conversation(client, agent, "c-1", "买家甲")
    await say(client, agent, "message.received", "c-1", ASKED)
    await say(client, agent, "message.sent", "c-1", ASKED + timedelta(seconds=40))
    await open_conversation(client, agent, "c-2", "=买家乙")
    await say(client, agent, "message.received", "c-2", ASKED)
    buyer = factory.buyer(mini_shop.shop_id, "买家甲", 501)
    made = factory.order(
        mini_shop.shop_id,
        501,
        OrderStatus.PAID,
        price_fen=25_000,
        created_at=ASKED + timedelta(hours=2),
        paid_at=ASKED + timedelta(hours=2, minutes=3),
    )
    store_db.write_sync(lambda db: factory.save(db, [buyer], [made]))


async def _kpi(client: TestClient, headers: dict[str, str], **params: str) -> dict:
    response = await client.get("/api/reports/kpi", params=params, headers=headers)
    body = await response.json()
    assert response.status == 200, body
    return body  # type: ignore[no-any-return]


async def test_settings_are_published_edited_by_supervisors_and_change_the_bonus(
    client: TestClient, mini_shop: MiniShop, auth: Auth, store_db: AsyncDatabase
) -> None:
    await _month(client, mini_shop, auth, store_db)
    boss, agent = auth(mini_shop.supervisor_id), auth(mini_shop.agent_id)
    published = await (await client.get("/api/reports/kpi/settings", headers=agent)).json()
    assert published["version"] == 0 and published["config"]["bands"][0] == {
        "min_score": 90,
        "base_yuan": 3000,
    }
    before = await _kpi(client, boss, period="2026-11")
    row = next(a for a in before["agents"] if a["agent_id"] == mini_shop.agent_id)
    config = published["config"]
    config["bands"] = [{"min_score": 0, "base_yuan": 5000}]
    denied = await client.put(
        "/api/reports/kpi/settings", json={"version": 0, "config": config}, headers=agent
    )
    assert denied.status == 403
    saved = await client.put("/api/reports/kpi/settings", json={"version": 0, "config": config}, headers=boss)
    assert saved.status == 200 and (await saved.json())["version"] == 1
    stale = await client.put("/api/reports/kpi/settings", json={"version": 0, "config": config}, headers=boss)
    assert stale.status == 409 and (await stale.json())["errors"][0]["field"] == "version"
    config["bands"] = [{"min_score": 50, "base_yuan": 5000}]
    bad = await client.put("/api/reports/kpi/settings", json={"version": 1, "config": config}, headers=boss)
    body = await bad.json()
    assert bad.status == 400 and "从 0 分起" in body["error"]
    after = await _kpi(client, boss, period="2026-11")
    changed = next(a for a in after["agents"] if a["agent_id"] == mini_shop.agent_id)
    assert changed["score"] == row["score"] and changed["base_yuan"] == 5000
    assert Decimal(changed["bonus_yuan"]) == (Decimal(5000) * Decimal(str(row["score"])) / 100).quantize(
        Decimal("0.01")
    )
    assert after["bands"] == [{"min_score": 0, "base_yuan": 5000}]
    audit = store_db.read_sync(
        lambda db: db.conn.execute("SELECT count(*) FROM audit_log WHERE entity = 'kpi_settings'").fetchone()[
            0
        ]
    )
    assert audit == 1


async def test_days_weeks_levels_and_the_agents_own_card(
    client: TestClient, mini_shop: MiniShop, auth: Auth, store_db: AsyncDatabase
) -> None:
    await _month(client, mini_shop, auth, store_db)
    boss, agent = auth(mini_shop.supervisor_id), auth(mini_shop.agent_id)
    day = await _kpi(client, boss, period="2026-11-11")
    week = await _kpi(client, boss, period="2026-W46")
    other = await _kpi(client, boss, period="2026-11-12")
    assert day["kind"] == "day" and week["kind"] == "week"
    mine = [next(a for a in b["agents"] if a["agent_id"] == mini_shop.agent_id) for b in (day, week, other)]
    assert mine[0]["metrics"]["inquiring"] == 2 and mine[1]["metrics"]["inquiring"] == 2
    assert mine[2]["score"] is None and mine[2]["explanation"] == "当天没有咨询，不计分"
    # December's level is judged on November: one month with a score
    december = await _kpi(client, boss, period="2026-12")
    row = next(a for a in december["agents"] if a["agent_id"] == mini_shop.agent_id)
    november = next(
        a
        for a in (await _kpi(client, boss, period="2026-11"))["agents"]
        if a["agent_id"] == mini_shop.agent_id
    )
    assert row["level"] == ("高级" if november["score"] >= 70 else "普通") and row["next_level"]
    assert row["level_needs"].startswith("升")
    card = await client.get("/api/kpi/me", params={"period": "2026-11"}, headers=agent)
    body = await card.json()
    assert card.status == 200 and body["row"]["agent_id"] == mini_shop.agent_id
    assert body["row"]["score"] == november["score"] and body["row"]["explanation"] == november["explanation"]
    bad = await client.get("/api/reports/kpi", params={"period": "2026-02-30"}, headers=boss)
    assert bad.status == 400 and (await bad.json())["errors"][0]["field"] == "period"


async def test_charts_and_the_conversations_behind_a_number(
    client: TestClient, mini_shop: MiniShop, auth: Auth, store_db: AsyncDatabase
) -> None:
    await _month(client, mini_shop, auth, store_db)
    boss = auth(mini_shop.supervisor_id)
    charts = await (
        await client.get("/api/reports/charts", params={"period": "2026-11"}, headers=boss)
    ).json()
    assert all(charts[k].startswith("<svg") for k in ("trend", "bars", "heatmap"))
    assert "周三 10: 2" in charts["heatmap"]  # two buyers' messages on Wednesday 11-11 at 10:00
    drill = await client.get(
        "/api/reports/conversations",
        headers=boss,
        params={"period": "2026-11", "agent": str(mini_shop.agent_id), "filter": "paid"},
    )
    body = await drill.json()
    assert drill.status == 200, body
    assert body["counts"] == {"all": 2, "paid": 1, "unpaid": 1, "slow": 1, "unreplied": 1}
    [paid] = body["conversations"]
    assert paid["conversation"] == "c-1" and paid["paid_yuan"] == "250.00" and paid["first_response_s"] == 40
    assert paid["started"].endswith("+08:00")
    agent = auth(mini_shop.agent_id)
    assert (
        await client.get("/api/reports/conversations", params={"period": "2026-11"}, headers=agent)
    ).status == 403


async def test_exports_one_row_per_agent_day_and_conversation(
    client: TestClient, mini_shop: MiniShop, auth: Auth, store_db: AsyncDatabase
) -> None:
    await _month(client, mini_shop, auth, store_db)
    boss = auth(mini_shop.supervisor_id)
    response = await client.get(
        "/api/reports/export",
        headers=boss,
        params={"period": "2026-11", "rows": "conversation", "format": "csv"},
    )
    data = await response.read()
    assert response.status == 200 and data.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
    assert rows[0][:3] == ["店铺", "会话", "买家"] and len(rows) == 3
    assert {r[2] for r in rows[1:]} == {"买家甲", "'=买家乙"}  # never a formula
    response = await client.get(
        "/api/reports/export", headers=boss, params={"period": "2026-11", "rows": "agent", "format": "xlsx"}
    )
    assert response.status == 200 and "kpi-2026-11-agent.xlsx" in response.headers["Content-Disposition"]
    sheet = openpyxl.load_workbook(io.BytesIO(await response.read())).active
    header = [c.value for c in sheet[1]]
    assert header[0] == "客服" and "奖金(元)" in header and "等级" in header
    names = [r[0].value for r in sheet.iter_rows(min_row=2)]
    assert len(names) == len(set(names)) and len(names) >= 3
    response = await client.get(
        "/api/reports/export", headers=boss, params={"period": "2026-11", "rows": "day", "format": "csv"}
    )
    assert response.status == 200  # (no day computed yet in this test: the header only)
    assert (await response.read()).decode("utf-8-sig").startswith("日期,店铺,客服")


async def test_the_forecast_against_the_roster_and_from_the_log(
    client: TestClient, mini_shop: MiniShop, auth: Auth, store_db: AsyncDatabase
) -> None:
    boss = auth(mini_shop.supervisor_id)
    status, body = await post(
        client,
        boss,
        "/api/reports/forecast",
        {
            "this_october_daily": 120,
            "last_event_day": 900,
            "last_october_daily": 100,
            "shop": mini_shop.shop_id,
            "day": "2026-11-11",
        },
    )
    assert status == 200, body
    assert body["forecast"] == 1080 and body["roster_from"] == "roster"
    # the shop's agent and supervisor are rostered (by id, alternating groups)
    assert sum(s["rostered"] for s in body["by_shift"]) == 2
    assert len(body["hours"]) == 24 and body["hours_short"]
    assert all(0 <= s["rate_3min_expected"] <= 1 for s in body["by_shift"])
    assert body["curve_svg"].startswith("<svg")
    got = await (
        await client.get(
            "/api/reports/forecast/inputs",
            headers=boss,
            params={"shop": str(mini_shop.shop_id), "year": "2026"},
        )
    ).json()
    assert got["this_october_daily"] is None and got["last_event_day"] is None
    agent = auth(mini_shop.agent_id)
    await open_conversation(client, agent, "o-1", "买家丙")
    await say(client, agent, "message.received", "o-1", datetime(2026, 10, 8, 9, 0, tzinfo=CST))
    got = await (
        await client.get(
            "/api/reports/forecast/inputs",
            headers=boss,
            params={"shop": str(mini_shop.shop_id), "year": "2026"},
        )
    ).json()
    assert got["this_october_daily"] == 1.0 and got["last_october_daily"] is None


async def test_satisfaction_comes_from_evaluation_events(
    client: TestClient, mini_shop: MiniShop, auth: Auth, store_db: AsyncDatabase
) -> None:
    await _month(client, mini_shop, auth, store_db)
    agent, boss = auth(mini_shop.agent_id), auth(mini_shop.supervisor_id)
    end = ASKED + timedelta(minutes=5)
    for conversation, rating in (("c-1", 5), ("c-2", 3)):
        status, body = await post(
            client,
            agent,
            "/api/events",
            {"type": "evaluation.invited", "conversation": conversation, "at": end.isoformat()},
        )
        assert status == 200 and body["type"] == "evaluation.invited", body
        status, body = await post(
            client,
            agent,
            "/api/events",
            {
                "type": "evaluation.rated",
                "conversation": conversation,
                "rating": rating,
                "at": (end + timedelta(minutes=1)).isoformat(),
            },
        )
        assert status == 200, body
    # the buyer of c-2 changes their mind: the later rating replaces the first
    await post(
        client,
        agent,
        "/api/events",
        {
            "type": "evaluation.rated",
            "conversation": "c-2",
            "rating": 4,
            "at": (end + timedelta(minutes=9)).isoformat(),
        },
    )
    status, body = await post(
        client,
        agent,
        "/api/events",
        {"type": "evaluation.rated", "conversation": "c-2", "rating": 6, "at": end.isoformat()},
    )
    assert status == 400 and body["errors"][0]["field"] == "rating"
    status, body = await post(
        client,
        agent,
        "/api/events",
        {"type": "evaluation.invited", "conversation": "never-opened", "at": end.isoformat()},
    )
    assert status == 400 and body["errors"][0]["field"] == "conversation"
    report = await _kpi(client, boss, period="2026-11")
    row = next(a for a in report["agents"] if a["agent_id"] == mini_shop.agent_id)
    assert row["metrics"]["satisfaction"] == 1.0 and row["metrics"]["invite_rate"] == 1.0
    # the satisfaction now carries its weight: 100 points of it are in the score
    assert row["score"] is not None


async def test_promoted_items_sold_count_the_hot_items_in_the_agents_orders(
    client: TestClient, mini_shop: MiniShop, auth: Auth, store_db: AsyncDatabase
) -> None:
    from assistant.commerce.models import OrderLine
    from knowledge import store as kb_store
    from knowledge.models import Intent

    agent, boss = auth(mini_shop.agent_id), auth(mini_shop.supervisor_id)
    hot = store_db.write_sync(lambda db: factory.item(db, mini_shop.shop_id, "HOT-1", "爆款落地灯", "灯具"))
    plain = store_db.write_sync(lambda db: factory.item(db, mini_shop.shop_id, "PLAIN-1", "普通台灯", "灯具"))
    store_db.write_sync(
        lambda db: kb_store.insert_intent(
            db,
            Intent(
                shop_id=mini_shop.shop_id,
                key="hot_lamp",
                name="爆款落地灯",
                examples=["这个灯亮吗"],
                answers=["很亮哦"],
                item_id=hot,
            ),
            None,
        )
    )
    await open_conversation(client, agent, "p-1", "买家丁")
    await say(client, agent, "message.received", "p-1", ASKED)
    await say(client, agent, "message.sent", "p-1", ASKED + timedelta(seconds=20))
    lines = [
        OrderLine(item_id=hot, sku="HOT-1", title="爆款落地灯", unit_price_fen=9_900, quantity=2),
        OrderLine(item_id=plain, sku="PLAIN-1", title="普通台灯", unit_price_fen=5_000, quantity=1),
    ]
    buyer = factory.buyer(mini_shop.shop_id, "买家丁", 601)
    made = factory.order(
        mini_shop.shop_id,
        601,
        OrderStatus.PAID,
        price_fen=24_800,
        lines=lines,
        created_at=ASKED + timedelta(hours=1),
        paid_at=ASKED + timedelta(hours=1, minutes=1),
    )
    store_db.write_sync(lambda db: factory.save(db, [buyer], [made]))
    report = await _kpi(client, boss, period="2026-11")
    row = next(a for a in report["agents"] if a["agent_id"] == mini_shop.agent_id)
    assert row["metrics"]["items_per_buyer"] == 3 and row["metrics"]["promoted_items"] == 2


async def test_the_qc_score_is_a_kpi_metric_scored_once_a_card_weighs_it(
    client: TestClient, mini_shop: MiniShop, auth: Auth, store_db: AsyncDatabase
) -> None:
    await _month(client, mini_shop, auth, store_db)
    boss = auth(mini_shop.supervisor_id)
    unreviewed = next(
        a
        for a in (await _kpi(client, boss, period="2026-11"))["agents"]
        if a["agent_id"] == mini_shop.agent_id
    )
    assert "qc" not in unreviewed["metrics"]
    marks = {**PERFECT, "greeting": 1, "expertise": 3}  # a real review of the month's conversation
    status, made = await post(
        client,
        boss,
        "/api/qc/reviews",
        {"shop": mini_shop.shop_id, "conversation": "c-1", "day": ASKED.date().isoformat(), "marks": marks},
    )
    assert status == 201, made
    before = next(
        a
        for a in (await _kpi(client, boss, period="2026-11"))["agents"]
        if a["agent_id"] == mini_shop.agent_id
    )
    assert before["metrics"]["qc"] == made["score"] and 60 < made["score"] < 100
    config = (await (await client.get("/api/reports/kpi/settings", headers=boss)).json())["config"]
    config["cards"]["agent"]["weights"] = {"qc": 100}
    assert (
        await client.put("/api/reports/kpi/settings", json={"version": 0, "config": config}, headers=boss)
    ).status == 200
    after = next(
        a
        for a in (await _kpi(client, boss, period="2026-11"))["agents"]
        if a["agent_id"] == mini_shop.agent_id
    )
    assert after["score"] == pytest.approx((made["score"] - 60) / 40 * 100, abs=0.01)  # the 60 → 100 scale
