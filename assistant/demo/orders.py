"""Buyers and their orders for the demo shop: realistic mixes of statuses, addresses and parcels.

Everything is drawn from one ``random.Random`` and placed in time relative to ``now``, so the
same seed and the same ``now`` always give the same buyers and orders. The mix itself (how many
buyers, how often they buy, which statuses by age) is ``assistant.demo.content.order_mix``.
"""

from __future__ import annotations

import random
import string
from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any, TypeVar

import sqlite_utils

from assistant.commerce.models import (
    Address,
    Buyer,
    LogisticsEvent,
    LogisticsStatus,
    Order,
    OrderLine,
    OrderStatus,
    RefundStatus,
    RemarkFlag,
    RiskFlag,
)
from assistant.demo.content import people
from assistant.demo.content.order_mix import (
    BUYER_TAGS,
    BUYERS,
    DAYS,
    EXCEPTION_KINDS,
    FREQUENCY,
    LEVELS,
    MIN_ORDERS,
    OLD,
    RECENT,
    REMOTE,
    TIERS,
    WEEKS,
)
from assistant.demo.content.specs import LogisticsStepSpec
from assistant.demo.store import shop_items

T = TypeVar("T")


def _weighted(rng: random.Random, table: Sequence[tuple[T, float]]) -> T:
    values = [value for value, _ in table]
    weights = [weight for _, weight in table]
    return rng.choices(values, weights)[0]


class OrderFactory:
    """Makes buyers, their notes and their orders; ``build()`` returns buyers and orders."""

    def __init__(
        self,
        rng: random.Random,
        now: datetime,
        shop_id: int,
        item_ids: dict[str, int],
        db: sqlite_utils.Database,
    ) -> None:
        self.rng = rng
        self.now = now
        self.shop_id = shop_id
        self.items = [item for item in shop_items(db, shop_id) if item.sku in item_ids]
        self.notes: list[tuple[int, int, str, str]] = []
        self._serial = 0

    # -- buyers ------------------------------------------------------------------------------

    def _nick(self, taken: set[str]) -> str:
        parts = people.NICK_PARTS
        pools = {
            "subject": parts["subjects"],
            "action": parts["actions"],
            "modifier": parts["modifiers"],
            "noun": parts["nouns"],
            "latin": parts["latin_prefixes"],
            "prefix": parts["latin_prefixes"],
        }
        for _ in range(50):
            pattern = self.rng.choice(parts["patterns"])
            # in the pattern's order: a set's order changes with PYTHONHASHSEED, and so would the draws
            fields = list(dict.fromkeys(name for _, name, _, _ in string.Formatter().parse(pattern) if name))
            values = {name: self.rng.choice(pools[name]) for name in fields if name in pools}
            values.update({name: str(self.rng.randrange(10, 9999)) for name in fields if name not in pools})
            nick = pattern.format(**values)[:40]
            if nick not in taken:
                taken.add(nick)
                return nick
        nick = f"tb_{len(taken):06d}"
        taken.add(nick)
        return nick

    def _buyer(self, buyer_id: int, nick: str, flagger: int) -> Buyer:
        rng = self.rng
        first_seen = self.now - timedelta(days=rng.randrange(1, 1100), minutes=rng.randrange(1440))
        tags = rng.sample(BUYER_TAGS, rng.choice([0, 0, 1, 1, 2]))
        risk: dict[str, Any] = {}
        if rng.random() < 0.015:
            spec = rng.choice(people.RISK_NOTES)
            risk = {
                "risk_flag": RiskFlag(spec["kind"]),
                "risk_note": spec["note"],
                "risk_flagged_by": flagger,
                "risk_flagged_at": self.now - timedelta(days=rng.randrange(1, 200)),
            }
        return Buyer(
            id=buyer_id,
            shop_id=self.shop_id,
            nick=nick,
            platform_level=_weighted(rng, LEVELS),
            member_tier=_weighted(rng, TIERS),
            first_seen_at=first_seen,
            tags=tags,
            **risk,
        )

    def _home(self) -> Address:
        rng = self.rng
        province, city, district = rng.choice(people.REGIONS)
        floor = rng.randrange(1, 33)
        street = rng.choice(people.BUILDING_PATTERNS).format(
            street=rng.choice(people.STREETS),
            no=rng.randrange(1, 999),
            community=rng.choice(people.COMMUNITIES),
            building=rng.randrange(1, 30),
            unit=rng.randrange(1, 6),
            floor=floor,
            room=f"{floor}0{rng.randrange(1, 5)}",
        )
        name = rng.choice(people.SURNAMES) + rng.choice(people.GIVEN_NAMES)
        phone = "1" + rng.choice("3456789") + "".join(rng.choice(string.digits) for _ in range(9))
        return Address(name=name, phone=phone, province=province, city=city, district=district, detail=street)

    # -- orders ------------------------------------------------------------------------------

    def _order_id(self) -> str:
        self._serial += 1
        return str(3_900_000_000_000_000_000 + self._serial * 1_000_003 + self.rng.randrange(1_000_000))

    def _status(self, created: datetime) -> OrderStatus:
        age = self.now - created
        if age < timedelta(hours=20):
            table = RECENT
        elif age < timedelta(days=4):
            table = DAYS
        elif age < timedelta(days=21):
            table = WEEKS
        else:
            table = OLD
        return _weighted(self.rng, table)

    def _created(self, first_seen: datetime) -> datetime:
        rng = self.rng
        span = max((self.now - first_seen).total_seconds(), 3600.0)
        roll = rng.random()
        if roll < 0.07:
            seconds = rng.uniform(600, 20 * 3600)
        elif roll < 0.2:
            seconds = rng.uniform(20 * 3600, 4 * 86400)
        elif roll < 0.36:
            seconds = rng.uniform(4 * 86400, 21 * 86400)
        else:
            seconds = rng.uniform(21 * 86400, max(span, 22 * 86400))
        return self.now - timedelta(seconds=min(seconds, span))

    def _lines(self) -> list[OrderLine]:
        rng = self.rng
        picks = rng.sample(self.items, rng.choice([1, 1, 1, 1, 2, 2, 3]))
        return [item.line(rng.choice([1, 1, 1, 2])) for item in picks]

    def _logistics(
        self, courier: str, address: Address, shipped: datetime, status: OrderStatus
    ) -> tuple[list[LogisticsEvent], datetime | None]:
        rng = self.rng
        steps = people.LOGISTICS_STEPS
        by_stage: dict[str, list[LogisticsStepSpec]] = {}
        for step in steps:
            by_stage.setdefault(step["stage"], []).append(step)
        origin = rng.choice(["杭州市", "广州市"])
        fill = {
            "courier": courier,
            "origin": origin,
            "origin_hub": f"{origin.removesuffix('市')}转运中心",
            "hub": rng.choice(people.TRANSIT_HUBS),
            "city": address.city,
            "district": address.district or address.city,
            "name": rng.choice(people.SURNAMES) + "师傅",
            "phone": "1" + rng.choice("3578") + "".join(rng.choice(string.digits) for _ in range(9)),
        }

        def event(step: LogisticsStepSpec, at: datetime, kind: LogisticsStatus) -> LogisticsEvent:
            text = step["text"].format(**fill)
            return LogisticsEvent(at=at, status=kind, location=address.city, description=text[:300])

        def pick(stage: str) -> LogisticsStepSpec:
            return rng.choice([s for s in by_stage[stage] if not s["is_exception"]] or by_stage[stage])

        collected = min(shipped + timedelta(hours=rng.uniform(1, 6)), self.now - timedelta(minutes=10))
        events = [event(pick("collected"), collected, LogisticsStatus.COLLECTED)]
        at = events[0].at
        delivered_at: datetime | None = None
        hops = rng.randrange(1, 4)
        for _ in range(hops):
            at += timedelta(hours=rng.uniform(6, 20))
            if at >= self.now:
                break
            events.append(event(pick("in_transit"), at, LogisticsStatus.IN_TRANSIT))
        arrived = status in (OrderStatus.DELIVERED, OrderStatus.COMPLETED, OrderStatus.REFUNDED)
        trouble = status is OrderStatus.SHIPPED and rng.random() < 0.12
        if trouble:
            exceptions = [s for s in steps if s["is_exception"]]
            step = rng.choice(exceptions)
            kind = EXCEPTION_KINDS.get(step["code"], LogisticsStatus.EXCEPTION)
            events.append(event(step, min(at + timedelta(hours=8), self.now - timedelta(hours=1)), kind))
        elif arrived:
            at += timedelta(hours=rng.uniform(4, 16))
            events.append(event(pick("dispatching"), at, LogisticsStatus.OUT_FOR_DELIVERY))
            delivered_at = at + timedelta(hours=rng.uniform(1, 6))
            events.append(event(pick("delivered"), delivered_at, LogisticsStatus.DELIVERED))
        events = [e for e in events if e.at <= self.now]
        return events, delivered_at

    def _order(self, buyer: Buyer, address: Address) -> Order:
        rng = self.rng
        created = self._created(buyer.first_seen_at)
        status = self._status(created)
        lines = self._lines()
        goods = sum(line.unit_price_fen * line.quantity for line in lines)
        discount = goods * rng.choice([0, 0, 0, 5, 10]) // 100
        postage = rng.choice([800, 1000, 1500]) if address.province.startswith(REMOTE) else 0
        paid = (
            None
            if status in (OrderStatus.AWAITING_PAYMENT, OrderStatus.CANCELLED)
            else created + timedelta(minutes=rng.uniform(1, 30))
        )
        courier_name: str | None = None
        tracking_no: str | None = None
        shipped = delivered = None
        logistics: list[LogisticsEvent] = []
        if status in (OrderStatus.SHIPPED, OrderStatus.DELIVERED, OrderStatus.COMPLETED) or (
            status in (OrderStatus.REFUNDING, OrderStatus.REFUNDED) and rng.random() < 0.6
        ):
            assert paid is not None
            courier = rng.choice(people.COURIERS)
            courier_name = courier["name"]
            tracking_no = courier["prefix"] + "".join(
                rng.choice(string.digits) for _ in range(courier["digits"])
            )
            shipped = min(paid + timedelta(hours=rng.uniform(2, 40)), self.now - timedelta(minutes=30))
            logistics, delivered = self._logistics(courier_name, address, shipped, status)
        remark = rng.choice(people.REMARKS) if rng.random() < 0.15 else None
        refund = {
            OrderStatus.REFUNDING: RefundStatus.REQUESTED,
            OrderStatus.REFUNDED: RefundStatus.REFUNDED,
        }.get(
            status,
            RefundStatus.REJECTED
            if status is OrderStatus.COMPLETED and rng.random() < 0.01
            else RefundStatus.NONE,
        )
        return Order(
            id=self._order_id(),
            shop_id=self.shop_id,
            buyer_id=buyer.id,
            status=status,
            created_at=created,
            paid_at=paid,
            shipped_at=shipped,
            delivered_at=delivered,
            price_fen=goods - discount,
            postage_fen=postage,
            address=address,
            seller_remark=remark["text"] if remark else "",
            remark_flag=RemarkFlag(remark["flag"]) if remark else RemarkFlag.NONE,
            courier=courier_name,
            tracking_no=tracking_no,
            refund_status=refund,
            disputed=refund is RefundStatus.REFUNDED and rng.random() < 0.08,
            lines=lines,
            logistics=logistics,
        )

    def showcase(self, buyers: Sequence[Buyer]) -> list[Order]:
        """A few orders placed just now, so the reminder queue and the care messages have work the
        moment the demo starts: unpaid ones of several ages and sizes (one large enough to be phoned),
        one collected by the courier an hour ago and one signed for half an hour ago."""
        rng = self.rng
        made: list[Order] = []
        for minutes, at_least_fen in ((4, 0), (18, 0), (45, 0), (95, 129_900), (6 * 60, 0), (26 * 60, 0)):
            buyer = rng.choice(buyers)
            base = self._order(buyer, self._home())
            lines = base.lines
            if at_least_fen:
                top = max(lines, key=lambda line: line.unit_price_fen)
                quantity = -(-at_least_fen // top.unit_price_fen)
                lines = [top.model_copy(update={"quantity": quantity})]
            goods = sum(line.unit_price_fen * line.quantity for line in lines)
            made.append(
                base.model_copy(
                    update={
                        "status": OrderStatus.AWAITING_PAYMENT,
                        "created_at": self.now - timedelta(minutes=minutes),
                        "paid_at": None,
                        "shipped_at": None,
                        "delivered_at": None,
                        "courier": None,
                        "tracking_no": None,
                        "logistics": [],
                        "refund_status": RefundStatus.NONE,
                        "disputed": False,
                        "lines": lines,
                        "price_fen": goods,
                    }
                )
            )
        for status, hours in ((OrderStatus.SHIPPED, 1.0), (OrderStatus.DELIVERED, 0.5)):
            buyer = rng.choice(buyers)
            address = self._home()
            base = self._order(buyer, address)
            courier = people.COURIERS[0]
            created = self.now - timedelta(hours=30)
            shipped = self.now - timedelta(hours=hours + (20 if status is OrderStatus.DELIVERED else 0))
            trace = [
                LogisticsEvent(
                    at=shipped,
                    status=LogisticsStatus.COLLECTED,
                    location=address.city,
                    description=f"【{address.city}】{courier['name']}已揽收",
                )
            ]
            delivered = None
            if status is OrderStatus.DELIVERED:
                out = self.now - timedelta(hours=3)
                delivered = self.now - timedelta(hours=hours)
                trace += [
                    LogisticsEvent(
                        at=out,
                        status=LogisticsStatus.OUT_FOR_DELIVERY,
                        location=address.district,
                        description=f"【{address.district}】快递员正在派件",
                    ),
                    LogisticsEvent(
                        at=delivered,
                        status=LogisticsStatus.DELIVERED,
                        location=address.district,
                        description=f"【{address.district}】已签收，签收人：本人",
                    ),
                ]
            made.append(
                base.model_copy(
                    update={
                        "status": status,
                        "created_at": created,
                        "paid_at": created + timedelta(minutes=3),
                        "shipped_at": shipped,
                        "delivered_at": delivered,
                        "courier": courier["name"],
                        "tracking_no": courier["prefix"]
                        + "".join(rng.choice(string.digits) for _ in range(courier["digits"])),
                        "logistics": trace,
                        "refund_status": RefundStatus.NONE,
                        "disputed": False,
                    }
                )
            )
        return made

    def build(self, flagger: int, note_authors: list[int]) -> tuple[list[Buyer], list[Order]]:
        rng = self.rng
        taken: set[str] = set()
        buyers = [self._buyer(i + 1, self._nick(taken), flagger) for i in range(BUYERS)]
        orders: list[Order] = []
        for buyer in buyers:
            address = self._home()
            low, high = _weighted(rng, FREQUENCY)
            for _ in range(rng.randint(low, high)):
                orders.append(self._order(buyer, address if rng.random() < 0.85 else self._home()))
            if rng.random() < 0.08:
                at = self.now - timedelta(days=rng.randrange(0, 300))
                self.notes.append(
                    (buyer.id, rng.choice(note_authors), rng.choice(people.BUYER_NOTES), at.isoformat())
                )
        while len(orders) < MIN_ORDERS:
            buyer = rng.choice(buyers)
            orders.append(self._order(buyer, self._home()))
        orders.sort(key=lambda order: order.created_at)
        return buyers, orders
