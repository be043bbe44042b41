"""A Double-11 rush, as the chat client would report it: buyers writing at random moments across
many conversations, agents answering (mostly in time, now and then too late), the platform's
auto-reply on a buyer's first message, and unpaid orders appearing.

Pure and seeded: :func:`rush` returns the events of the plugin contract (``docs/plugin.md``) with
their moment relative to the start of the replay. The demo console's "rush" mode posts them (the
past at once, the rest as their moment comes) and ``benchmarks/bench_watch.py`` drives 50 agents with
the same generator. No I/O here.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

# Double-11 peak: about 100 messages a second for 300 agents (research/team.md §9.2), i.e. one
# buyer message every ~60 s in each of an agent's 20 open conversations.
BUYER_GAP_S = 60.0
LEAD_S = 600.0  # the replay starts this long before "now": the wall opens on a rush already running

QUESTIONS = (
    "双11的满减是怎么算的？跨店能一起凑吗",
    "今天下单什么时候发货呀",
    "付款一直失败怎么办",
    "定金付了，尾款什么时候付",
    "这个还有现货吗",
    "能再便宜一点吗，别家都送赠品",
    "地址填错了能改吗",
    "领的券怎么用不了",
    "两件一起买能包邮吗",
    "预售的大概几号能到",
    "发票怎么开",
    "颜色和图片一样吗",
)
FOLLOW_UPS = ("在吗？", "亲？", "怎么没人回", "急，马上要付款了", "？？")
ANSWERS = (
    "亲，满300减50，跨店可以一起凑哦～",
    "亲，今天下单48小时内发货，双11期间会按付款顺序发出哦",
    "亲，支付失败可以换个付款方式或稍后再试，订单会为您保留",
    "亲，尾款11月11日0点开始支付，记得设置提醒哦",
    "亲，现货充足，放心拍～",
    "亲，活动价已经是全年最低了，另外现在下单还送收纳袋哦",
    "亲，发货前可以改地址，我这边帮您备注",
)
AUTO_REPLY = "亲，双11活动火热进行中，满300减50！客服正在逐一回复，请稍等片刻～"


@dataclass(frozen=True, slots=True)
class Thread:
    """One conversation of the rush: whose console it is on and the buyer writing in it."""

    conversation: str
    shop: str
    buyer: str
    login: str
    item_id: int | None = None


@dataclass(frozen=True, slots=True)
class RushEvent:
    """One event of the replay, ``offset_s`` from its start (negative: it already happened)."""

    offset_s: float
    login: str  # whose client reports it
    kind: str  # opened | buyer | reply | auto_reply | order
    body: dict[str, Any]  # the contract's event without its times

    def payload(self, start: datetime) -> dict[str, Any]:
        """The event as the client posts it, its times ``offset_s`` after ``start``."""
        at = (start + timedelta(seconds=self.offset_s)).isoformat()
        if self.kind == "order":
            return {**self.body, "modified_at": at, "created_at": at}
        if self.kind == "opened":
            return dict(self.body)
        return {**self.body, "at": at}

    def public(self) -> dict[str, Any]:
        """For the demo page: the offset, who, what kind and the event body."""
        return {
            "offset_s": round(self.offset_s, 3),
            "login": self.login,
            "kind": self.kind,
            "body": self.body,
        }


def _answer_delay(rng: random.Random) -> float:
    """How long an agent takes on a busy day: most answers in time, some near the nudge or escalation
    marks, a few missed."""
    roll = rng.random()
    if roll < 0.6:
        return rng.uniform(8, 90)
    if roll < 0.85:
        return rng.uniform(90, 175)
    return rng.uniform(180, 420)


def rush(
    threads: list[Thread],
    *,
    seed: int = 11,
    duration_s: float = 3600.0,
    lead_s: float = LEAD_S,
    buyer_gap_s: float = BUYER_GAP_S,
    unpaid_orders: int = 3,
    item: dict[str, Any] | None = None,
) -> list[RushEvent]:
    """The events of a rush across ``threads`` from ``-lead_s`` to ``duration_s``, by offset.

    ``item`` (``item_id``, ``sku``, ``title``, ``unit_price_fen``) is what the unpaid orders hold."""
    rng = random.Random(seed)
    events: list[RushEvent] = []
    for thread in threads:
        opened: dict[str, Any] = {
            "type": "conversation.opened",
            "conversation": thread.conversation,
            "shop": thread.shop,
            "buyer": thread.buyer,
        }
        if thread.item_id:
            opened["item_id"] = thread.item_id
        t = -lead_s + rng.uniform(0, buyer_gap_s)
        events.append(RushEvent(-lead_s - 1, thread.login, "opened", opened))
        first = True
        while t < duration_s:
            events.append(RushEvent(t, thread.login, "buyer", _message(thread, rng.choice(QUESTIONS))))
            if first:  # the platform's auto-reply at once: it does not stop the human clock
                events.append(
                    RushEvent(t + 1, thread.login, "auto_reply", _message(thread, AUTO_REPLY, "auto_reply"))
                )
                first = False
            delay = _answer_delay(rng)
            nudges = t + 40
            while nudges < min(t + delay, duration_s) and rng.random() < 0.5:
                events.append(
                    RushEvent(nudges, thread.login, "buyer", _message(thread, rng.choice(FOLLOW_UPS)))
                )
                nudges += rng.uniform(40, 120)
            if t + delay < duration_s:
                events.append(
                    RushEvent(
                        t + delay, thread.login, "reply", _message(thread, rng.choice(ANSWERS), "human")
                    )
                )
            t += delay + rng.expovariate(1 / buyer_gap_s)
    if item is not None:
        for n, thread in enumerate(rng.sample(threads, min(unpaid_orders, len(threads)))):
            events.append(
                RushEvent(-rng.uniform(30, lead_s / 2), thread.login, "order", _order(thread, item, n, rng))
            )
    events.sort(key=lambda e: e.offset_s)
    return events


def _message(thread: Thread, text: str, source: str | None = None) -> dict[str, Any]:
    body: dict[str, Any] = {
        "type": "message.sent" if source else "message.received",
        "conversation": thread.conversation,
        "text": text,
    }
    if source:
        body["source"] = source
    return body


def _order(thread: Thread, item: dict[str, Any], n: int, rng: random.Random) -> dict[str, Any]:
    quantity = rng.randint(1, 3)
    return {
        "type": "order.snapshot",
        "shop": thread.shop,
        "order_id": f"3911{rng.randrange(10**14):014d}{n}",
        "buyer": thread.buyer,
        "status": "awaiting_payment",
        "price_fen": item["unit_price_fen"] * quantity,
        "postage_fen": 0,
        "address": {
            "name": "陈晓",
            "phone": "13800001111",
            "province": "浙江省",
            "city": "杭州市",
            "district": "余杭区",
            "detail": "五常大道181号",
        },
        "lines": [
            {
                "item_id": item["item_id"],
                "sku": item["sku"],
                "title": item["title"][:60],
                "unit_price_fen": item["unit_price_fen"],
                "quantity": quantity,
            }
        ],
    }


HELPER = "ajie"  # the demo's second agent, answering his own buyers during the rush
BEHIND_S = 240.0
HELPER_BUYERS = ("tb_抢购达人", "tb_熬夜等零点", "tb_凑满减小能手", "tb_尾款人", "tb_囤货党", "tb_比价王")


def demo_rush(conversations: list[Any], agent: str, shop: str, *, seed: int = 11) -> list[dict[str, Any]]:
    """The demo console's rush: the demo agent's dozen conversations, six of the second agent's and
    three unpaid orders on the demo agent's buyers, an hour of it after ten minutes already past."""
    threads = [Thread(c.conversation, c.shop, c.buyer, agent, c.item_id) for c in conversations]
    threads += [
        Thread(f"rush-{HELPER}-{n + 1:02d}", shop, nick, HELPER) for n, nick in enumerate(HELPER_BUYERS)
    ]
    first = next((c for c in conversations if c.item_id), None)
    item = (
        {
            "item_id": first.item_id,
            "sku": f"D11-{first.item_id}",
            "title": first.item_title or "双11爆款",
            "unit_price_fen": 19900,
        }
        if first
        else None
    )
    own = [t for t in threads if t.login == agent]
    # the demo agent has fallen behind: her last four minutes of answers are still to be written
    events = [
        e
        for e in rush(threads, seed=seed, item=None)
        if not (e.login == agent and e.kind == "reply" and -BEHIND_S <= e.offset_s < 0)
    ]
    if item is not None:  # the unpaid orders go to the demo agent's buyers: her sidebar shows them
        events += [
            e for e in rush(own, seed=seed, item=item, duration_s=0, lead_s=LEAD_S) if e.kind == "order"
        ]
        events.sort(key=lambda e: e.offset_s)
    return [e.public() for e in events]
