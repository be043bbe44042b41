"""Two months of the demo agents' work, so the supervisor's reports show believable figures on a fresh
start: conversations with their timing (a buyer's question, the agent's answer after a few seconds to a
few minutes, follow-ups), the evaluation invitations and ratings, the orders that came of them, in the
main shop and the outlet.

Deterministic for a seed and ``now``; it ends the evening before ``now`` with every turn answered, so
the live wall and today's figures start clean. Each agent has a habit: 小美 is quick and sells well,
阿杰 (after-sales) is slower with fewer sales, 婷婷 runs the outlet alone, 王静 (supervisor) steps in
now and then. About 7,000 conversations and 20,000 messages; built in a few seconds.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import datetime, time, timedelta

import sqlite_utils

from assistant.commerce import store as commerce_store
from assistant.commerce.models import Address, Buyer, Order, OrderLine, OrderStatus
from assistant.conversations import store as conversation_store
from assistant.conversations.models import Direction, MessageSource, NewMessage
from assistant.demo.content import intents as intent_content
from assistant.demo.content import quick_replies as qr_content
from assistant.demo.content.catalog import HOT_SKUS
from assistant.demo.content.people import REGIONS, SURNAMES, make_mobile, make_nick, make_street_address
from assistant.team import kpi_store
from knowledge import store as kb_store
from knowledge.models import Item

DAYS = 61
# hour of day → relative share of the day's consultations (a Tmall home-goods shop: evening peak)
HOURS = {
    8: 3,
    9: 6,
    10: 7,
    11: 6,
    12: 4,
    13: 5,
    14: 6,
    15: 6,
    16: 5,
    17: 4,
    18: 4,
    19: 6,
    20: 8,
    21: 8,
    22: 6,
    23: 3,
}


@dataclass(frozen=True, slots=True)
class Habit:
    login: str
    shop: str  # "main" or "outlet"
    per_day: tuple[int, int]  # consultations a day, low and high
    answer_s: tuple[int, int]  # the usual answer delay
    slow_share: float  # share of answers that take 3-6 minutes
    buys: float  # share of buyers who order
    follow_ups: float  # share of conversations with a second turn
    pleased: float  # share of ratings that are 满意 or 非常满意


HABITS = (
    Habit("xiaomei", "main", (34, 46), (4, 20), 0.01, 0.62, 0.5, 0.985),
    Habit("xiaomei", "outlet", (6, 10), (5, 28), 0.02, 0.58, 0.3, 0.97),
    Habit("ajie", "main", (26, 36), (10, 55), 0.07, 0.45, 0.6, 0.9),
    Habit("tingting", "outlet", (24, 34), (8, 42), 0.04, 0.49, 0.4, 0.95),
    Habit("wangjing", "main", (3, 6), (6, 40), 0.02, 0.52, 0.3, 0.96),
)
# the month's mood: weekends and the run-up to Double 11 bring more buyers
WEEKEND = 1.25
INVITED = 0.7  # conversations ended with an evaluation invitation
RATED = 0.4  # invitations the buyer answered


def _questions() -> list[str]:
    return [example for spec in intent_content.INTENTS for example in spec["examples"]]


def _answers() -> list[str]:
    return [phrase["body"] for group in qr_content.GROUPS for phrase in group["phrases"]]


def build_history(
    db: sqlite_utils.Database,
    *,
    now: datetime,
    shops: dict[str, int],
    agents: dict[str, int],
    item_ids: dict[str, int],
    first_buyer_id: int,
    seed: int = 17,
) -> dict[str, int]:
    """Write the history; returns what it wrote, by name (for the demo's summary)."""
    rng = random.Random(seed)
    questions, answers = _questions(), _answers()
    items: list[Item] = []
    hot = [item_ids[sku] for sku in HOT_SKUS if sku in item_ids]  # the promoted items sell more
    for item_id in hot * 3 + sorted(set(item_ids.values()) - set(hot))[:40]:
        found = kb_store.get_item(db, item_id)
        if found is not None:
            items.append(found[0])
    today = now.date()
    buyers: list[Buyer] = []
    pool: dict[str, list[Buyer]] = {"main": [], "outlet": []}
    orders: list[Order] = []
    conversations = messages = invited = rated = 0
    serial = 0
    for offset in range(DAYS, 0, -1):
        day = today - timedelta(days=offset)
        busy = (WEEKEND if day.weekday() >= 5 else 1.0) * (1.3 if day.month == 11 and day.day <= 11 else 1.0)
        for habit in HABITS:
            shop_id = shops[habit.shop]
            agent_id = agents[habit.login]
            count = round(rng.randint(*habit.per_day) * busy)
            for _ in range(count):
                # a returning buyer now and then, else a new one
                if pool[habit.shop] and rng.random() < 0.25:
                    buyer = rng.choice(pool[habit.shop])
                else:
                    buyer = Buyer(
                        id=first_buyer_id + len(buyers),
                        shop_id=shop_id,
                        nick=f"{make_nick(rng)[:30]}{len(buyers)}",
                        first_seen_at=datetime.combine(day, time(8), tzinfo=now.tzinfo),
                    )
                    buyers.append(buyer)
                    pool[habit.shop].append(buyer)
                hour = rng.choices(list(HOURS), weights=list(HOURS.values()))[0]
                asked = datetime.combine(
                    day, time(hour, rng.randrange(60), rng.randrange(60)), tzinfo=now.tzinfo
                )
                conversations += 1
                name = f"hist-{shop_id}-{conversations}"
                at = asked
                turns = 1 + (rng.random() < habit.follow_ups) + (rng.random() < habit.follow_ups / 3)
                for turn in range(turns):
                    texts = [rng.choice(questions)] + ([rng.choice(questions)] if rng.random() < 0.3 else [])
                    for text in texts:
                        conversation_store.insert_message(
                            db,
                            NewMessage(
                                shop_id=shop_id,
                                conversation=name,
                                buyer_nick=buyer.nick,
                                direction=Direction.IN,
                                agent_id=agent_id,
                                text=text,
                                at=at,
                                received_at=at,
                            ),
                        )
                        at += timedelta(seconds=rng.randint(3, 20))
                        messages += 1
                    slow = rng.random() < habit.slow_share
                    wait = rng.randint(185, 360) if slow else rng.randint(*habit.answer_s)
                    at += timedelta(seconds=wait)
                    conversation_store.insert_message(
                        db,
                        NewMessage(
                            shop_id=shop_id,
                            conversation=name,
                            buyer_nick=buyer.nick,
                            direction=Direction.OUT,
                            source=MessageSource.HUMAN,
                            agent_id=agent_id,
                            text=rng.choice(answers),
                            at=at,
                            received_at=at,
                        ),
                    )
                    messages += 1
                    at += timedelta(seconds=rng.randint(30, 600) if turn + 1 < turns else 0)
                if rng.random() < INVITED:  # the evaluation invitation at the end, and sometimes a rating
                    kpi_store.record_invitation(
                        db,
                        shop_id=shop_id,
                        conversation=name,
                        buyer=buyer.nick,
                        agent_id=agent_id,
                        at=at + timedelta(seconds=5),
                    )
                    invited += 1
                    if rng.random() < RATED:
                        pleased = rng.random() < habit.pleased
                        rating = rng.choice([4, 5, 5]) if pleased else rng.choice([1, 2, 3, 3])
                        kpi_store.record_rating(
                            db,
                            shop_id=shop_id,
                            conversation=name,
                            buyer=buyer.nick,
                            agent_id=agent_id,
                            rating=rating,
                            at=at + timedelta(seconds=rng.randint(30, 900)),
                        )
                        rated += 1
                if items and rng.random() < habit.buys:
                    serial += 1
                    orders.append(_order(rng, serial, shop_id, buyer, items, at, now))
    commerce_store.insert_buyers(db, buyers)
    commerce_store.insert_orders(db, orders, now.isoformat())
    return {"历史会话": conversations, "历史消息": messages, "历史订单": len(orders), "服务评价": rated}


def _order(
    rng: random.Random,
    serial: int,
    shop_id: int,
    buyer: Buyer,
    items: list[Item],
    after: datetime,
    now: datetime,
) -> Order:
    created = after + timedelta(minutes=rng.choice([2, 5, 12, 40, 180, 900, 1800]))
    if created > now - timedelta(hours=1):
        created = after + timedelta(minutes=2)
    lines = []
    for item in {item.id: item for item in rng.sample(items, rng.choice([1, 1, 1, 2]))}.values():
        lines.append(
            OrderLine(
                item_id=item.id if shop_id == item.shop_id else None,
                sku=item.sku,
                title=item.title[:60],
                unit_price_fen=item.price_fen,
                quantity=rng.choice([1, 1, 1, 2, 3]),
            )
        )
    province, city, district = rng.choice(REGIONS)
    return Order(
        id=str(4_100_000_000_000_000_000 + serial * 1_000_003 + rng.randrange(1_000_000)),
        shop_id=shop_id,
        buyer_id=buyer.id,
        status=OrderStatus.COMPLETED,
        created_at=created,
        paid_at=created + timedelta(minutes=rng.randint(1, 30)),
        price_fen=sum(line.unit_price_fen * line.quantity for line in lines),
        address=Address(
            name=rng.choice(SURNAMES) + "先生",
            phone=make_mobile(rng),
            province=province,
            city=city,
            district=district,
            detail=make_street_address(rng),
        ),
        lines=lines,
    )
