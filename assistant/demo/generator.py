"""The demo shop: a deterministic, realistic Tmall home-goods shop to try the assistant on.

``build_demo(db)`` writes two shops, their agents, ~170 items with product knowledge,
300+ quick replies, 130+ intents, hot-item answers, a Double 11 campaign, 2,400 buyers
and 11,000+ orders with logistics. Same seed and same ``now`` give the same database.
"""

from __future__ import annotations

import random
from datetime import datetime, timedelta, timezone

import sqlite_utils

from assistant.commerce import store as commerce_store
from assistant.demo.content import campaign as campaign_content
from assistant.demo.content import intents as intent_content
from assistant.demo.content import quick_replies as qr_content
from assistant.demo.content.catalog import HOT_SKUS, build_items
from assistant.demo.history import build_history
from assistant.demo.orders import OrderFactory
from assistant.demo.refunds import seed_refunds
from assistant.demo.review import seed_review_and_training
from knowledge import store as kb_store
from knowledge.models import (
    Campaign,
    CampaignScript,
    Intent,
    IntentTopic,
    Item,
    ItemKnowledge,
    RelatedItem,
    ScriptKind,
    SynonymGroup,
)
from quick_replies import store as qr_store
from quick_replies.models import QuickReply, QuickReplyGroup, Scope

SEED = 11
SHANGHAI = timezone(timedelta(hours=8), "Asia/Shanghai")

SHOP = ("nuanju", "暖居生活旗舰店", "tmall")
OUTLET = ("nuanju_outlet", "暖居家居折扣店", "taobao")
# login, name, role, team, logged into the outlet too
AGENTS = [
    ("xiaomei", "小美", "agent", "售前一组", True),
    ("ajie", "阿杰", "agent", "售后组", False),
    ("lina", "李娜", "editor", None, False),
    ("wangjing", "王静", "supervisor", None, True),
    ("tingting", "婷婷", "agent", None, None),  # works in the outlet only
]
# A few phrases of the outlet, to show that shops never see each other's phrases.
OUTLET_PHRASES = [
    ("fh", "发货时间", "亲，折扣店商品统一从嘉兴仓发出，付款后72小时内发货哦。"),
    ("th", "退换说明", "亲，折扣店清仓商品支持7天无理由退换，不影响二次销售即可，运费险可抵扣来回运费。"),
    ("hy", "欢迎语", "欢迎来到暖居家居折扣店～都是正品尾货，数量有限，喜欢就早点下单哦。"),
    ("qx", "瑕疵说明", "亲，标注“微瑕”的商品可能有轻微线头或包装压痕，不影响使用，介意的话请选正常款。"),
]


# Phrases only the after-sales team sees.
TEAM_PHRASES = [
    (
        "shth",
        "上门取件",
        "亲，退货可以选“上门取件”，快递员会在约定时间上门，运费由运费险抵扣，您只需把商品和配件装好即可。",
    ),
    ("bfh", "补发安排", "亲，少发的配件我们已经登记补发，今天下午随顺丰寄出，单号出来后第一时间发给您。"),
    (
        "pcsm",
        "破损处理",
        "亲，非常抱歉商品在运输中破损了。麻烦拍一下外箱和破损处的照片，我们核实后为您补发或退款，您不用再寄回。",
    ),
    ("tkdz", "退款到账", "亲，退款已经原路退回，支付宝一般即时到账，银行卡需要1–3个工作日，请留意账户通知。"),
]


def demo_now() -> datetime:
    """The moment the demo is built around: now, to the minute, in the shop's time zone."""
    return datetime.now(SHANGHAI).replace(second=0, microsecond=0)


def _campaign_window(now: datetime) -> tuple[datetime, datetime]:
    """The campaign's own dates, or the same length of time around ``now`` so its scripts are live."""
    spec = campaign_content.DOUBLE11
    starts = datetime.fromisoformat(spec["starts_at"]).replace(tzinfo=SHANGHAI)
    ends = datetime.fromisoformat(spec["ends_at"]).replace(tzinfo=SHANGHAI)
    if starts <= now <= ends:
        return starts, ends
    length = ends - starts
    ends = now + timedelta(days=2)
    return ends - length, ends


def build_demo(db: sqlite_utils.Database, *, seed: int = SEED, now: datetime | None = None) -> dict[str, int]:
    """Write the whole demo shop; returns what was created, by name."""
    now = now or demo_now()
    stamp = now.isoformat()
    rng = random.Random(seed)

    shop_id = kb_store.insert_shop(db, *SHOP, at=stamp)
    outlet_id = kb_store.insert_shop(db, *OUTLET, at=stamp)
    teams = {name: kb_store.insert_team(db, shop_id, name) for name in ("售前一组", "售后组")}
    agents: dict[str, int] = {}
    for login, name, role, team, also_outlet in AGENTS:
        if also_outlet is None:
            agents[login] = kb_store.insert_agent(db, login, name, role, outlet_id, at=stamp)
            continue
        shops = [shop_id, outlet_id] if also_outlet else [shop_id]
        team_id = teams[team] if team else None
        agents[login] = kb_store.insert_agent(db, login, name, role, shop_id, team_id, shops, at=stamp)
    editor = agents["lina"]

    item_ids = _items(db, shop_id, rng, stamp)
    campaign_id = _campaign(db, shop_id, editor, now)
    phrases = _quick_replies(db, shop_id, outlet_id, teams, agents, now)
    intents = _intents(db, shop_id, item_ids, campaign_id, editor, stamp)
    synonyms = 0
    for words in intent_content.SYNONYMS:
        kb_store.insert_synonyms(db, SynonymGroup(shop_id=shop_id, words=words), editor, at=stamp)
        synonyms += 1

    factory = OrderFactory(rng, now, shop_id, item_ids, db)
    buyers, orders = factory.build(agents["wangjing"], [agents["xiaomei"], agents["ajie"]])
    orders += factory.showcase(buyers)  # the reminder queue and care have work at once
    commerce_store.insert_buyers(db, buyers)
    commerce_store.insert_buyer_notes(db, factory.notes)
    commerce_store.insert_orders(db, orders, stamp)
    review = seed_review_and_training(db, shop_id, agents["wangjing"], agents["xiaomei"], now)

    return {
        "店铺": 2,
        "客服": len(agents) + 2,
        "商品": len(item_ids),
        "快捷短语": phrases,
        "意图": intents,
        "同义词组": synonyms,
        "买家": len(buyers),
        "订单": len(orders),
        **review,
        **build_history(
            db,
            now=now,
            shops={"main": shop_id, "outlet": outlet_id},
            agents=agents,
            item_ids=item_ids,
            first_buyer_id=max(b.id for b in buyers) + 1,
        ),
        **seed_refunds(db, shop_id, agents["wangjing"], now),  # on the history's orders
    }


def _items(db: sqlite_utils.Database, shop_id: int, rng: random.Random, stamp: str) -> dict[str, int]:
    specs = build_items(rng.randrange(1 << 30))
    ids: dict[str, int] = {}
    for spec in specs:
        item = Item(
            id=1,
            shop_id=shop_id,
            sku=spec["sku"],
            title=spec["title"],
            category=spec["category"],
            price_fen=spec["price_fen"],
            stock=spec["stock"],
            attributes=spec["attributes"],
        )
        knowledge = ItemKnowledge(
            item_id=1,
            selling_points=spec["selling_points"],
            size_chart=spec["size_chart"],
            installation=spec["installation"],
            usage_notes=spec["usage_notes"],
            in_box=spec["in_box"],
        )
        ids[spec["sku"]] = kb_store.insert_item(db, item, knowledge, at=stamp)
    related = [
        RelatedItem(item_id=ids[spec["sku"]], related_item_id=ids[other], position=position)
        for spec in specs
        for position, other in enumerate(spec["related_skus"])
        if other in ids and other != spec["sku"]
    ]
    kb_store.insert_related(db, related)
    return ids


def _campaign(db: sqlite_utils.Database, shop_id: int, editor: int, now: datetime) -> int:
    spec = campaign_content.DOUBLE11
    starts, ends = _campaign_window(now)
    scripts = [
        CampaignScript(
            kind=ScriptKind(script["kind"]),
            situation=script["situation"] or "",
            title=script["title"],
            body=script["body"],
            position=position,
        )
        for position, script in enumerate(spec["scripts"])
    ]
    campaign = Campaign(
        shop_id=shop_id,
        name=spec["name"],
        starts_at=starts,
        ends_at=ends,
        rules=spec["rules"],
        variables=spec["variables"],
        scripts=scripts,
    )
    return kb_store.insert_campaign(db, campaign, editor, at=now.isoformat())


def _quick_replies(
    db: sqlite_utils.Database,
    shop_id: int,
    outlet_id: int,
    teams: dict[str, int],
    agents: dict[str, int],
    now: datetime,
) -> int:
    stamp = now.isoformat()
    starts, ends = _campaign_window(now)
    count = 0
    editor = agents["lina"]
    for position, group in enumerate(qr_content.GROUPS):
        group_id = qr_store.insert_group(
            db, QuickReplyGroup(shop_id=shop_id, name=group["name"], position=position)
        )
        for order, phrase in enumerate(group["phrases"]):
            window = {"valid_from": starts, "valid_until": ends} if phrase["campaign_only"] else {}
            reply = QuickReply(
                shop_id=shop_id,
                group_id=group_id,
                code=phrase["code"],
                title=phrase["title"],
                body=phrase["body"],
                tags=phrase["tags"],
                position=order,
                **window,
            )
            qr_store.insert_quick_reply(db, reply, editor, at=stamp)
            count += 1
    personal_group = qr_store.insert_group(
        db, QuickReplyGroup(shop_id=shop_id, name="我的短语", position=len(qr_content.GROUPS))
    )
    for login, phrases in qr_content.PERSONAL.items():
        for order, phrase in enumerate(phrases):
            reply = QuickReply(
                shop_id=shop_id,
                group_id=personal_group,
                scope=Scope.PERSONAL,
                owner_agent_id=agents[login],
                code=phrase["code"],
                title=phrase["title"],
                body=phrase["body"],
                tags=phrase["tags"],
                position=order,
            )
            qr_store.insert_quick_reply(db, reply, agents[login], at=stamp)
            count += 1
    team_group = qr_store.insert_group(
        db, QuickReplyGroup(shop_id=shop_id, name="售后组话术", position=len(qr_content.GROUPS) + 1)
    )
    for order, (code, title, body) in enumerate(TEAM_PHRASES):
        reply = QuickReply(
            shop_id=shop_id,
            group_id=team_group,
            scope=Scope.TEAM,
            team_id=teams["售后组"],
            code=code,
            title=title,
            body=body,
            position=order,
        )
        qr_store.insert_quick_reply(db, reply, editor, at=stamp)
        count += 1
    outlet_group = qr_store.insert_group(db, QuickReplyGroup(shop_id=outlet_id, name="常用"))
    for order, (code, title, body) in enumerate(OUTLET_PHRASES):
        reply = QuickReply(
            shop_id=outlet_id, group_id=outlet_group, code=code, title=title, body=body, position=order
        )
        qr_store.insert_quick_reply(db, reply, None, at=stamp)
        count += 1
    return count


def _topic(name: str) -> IntentTopic:
    return IntentTopic(name) if name in IntentTopic.__members__.values() else IntentTopic.GENERAL


def _intents(
    db: sqlite_utils.Database,
    shop_id: int,
    item_ids: dict[str, int],
    campaign_id: int,
    editor: int,
    stamp: str,
) -> int:
    count = 0
    for spec in intent_content.INTENTS:
        intent = Intent(
            shop_id=shop_id,
            key=spec["key"],
            name=spec["name"],
            topic=_topic(spec["topic"]),
            keywords=spec["keywords"],
            examples=spec["examples"],
            answers=spec["answers"],
            campaign_id=campaign_id if spec["topic"] == "campaign" else None,
        )
        kb_store.insert_intent(db, intent, editor, at=stamp)
        count += 1
    for hot in intent_content.HOT_ITEM_INTENTS:
        if hot["sku"] not in item_ids:
            raise ValueError(f"hot-item answer {hot['key']} names unknown item {hot['sku']}")
        intent = Intent(
            shop_id=shop_id,
            key=hot["key"],
            name=hot["name"],
            topic=_topic(hot["topic"]),
            examples=hot["examples"],
            answers=hot["answers"],
            item_id=item_ids[hot["sku"]],
        )
        kb_store.insert_intent(db, intent, editor, at=stamp)
        count += 1
    assert set(HOT_SKUS) <= set(item_ids)
    return count
