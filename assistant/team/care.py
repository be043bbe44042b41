"""Messages to buyers beside the chat: care messages (关怀) by order stage, the reminder scripts by the
buyer's reason, and the courier-jam apology. No I/O here.

Each purpose has a built-in text (a sandboxed template, ``knowledge.templates``) a shop may replace.
Care stages are read from the order and its logistics trace: shipped, out for delivery, delivered
(signed), confirmed (completed), please review (some days after delivery); and a big event for
returning buyers, some days before a campaign starts. A message is due at once, or after the quiet
hours (spread over the first hour); the per-buyer daily cap counts reminder touches and care messages
together and is applied when the message is handed over.

SMS are counted in segments of 70 characters; the editor's counter renders the template with every
variable at its typical length (a nick of 6 characters, an order number of 19…).
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta, tzinfo
from enum import StrEnum
from typing import Any

from assistant.team.reminders import Rules, is_quiet, quiet_ends, spread
from knowledge.templates import Rendered, render

SMS_SEGMENT = 70


class Stage(StrEnum):
    SHIPPED = "shipped"
    OUT_FOR_DELIVERY = "out_for_delivery"
    DELIVERED = "delivered"
    CONFIRMED = "confirmed"
    REVIEW = "review"
    EVENT = "event"


REMINDER_REASONS = ("default", "price", "size", "delivery")

#: Every purpose a shop can word, with its built-in text.
DEFAULT_TEMPLATES: dict[str, str] = {
    "reminder_default": "亲，您拍下的{{ order.item }}还没有付款哦，{{ order.pay_by }}前付款就能尽快为您安排发货～",
    "reminder_price": "亲，{{ order.item }}现在拍下已经是活动价，店铺券也能叠加使用，{{ order.pay_by }}前付款都有效，别错过哦～",
    "reminder_size": "亲，{{ order.item }}的尺码拿不准的话，告诉我身高体重，我帮您对照尺码表；付款后不合适也支持退换～",
    "reminder_delivery": "亲，{{ order.item }}现货在仓，今天付款今天就能发出，一般 2–3 天送到，{{ order.pay_by }}前付款都来得及～",
    "reminder_sms": "【{{ shop.name }}】亲，您拍下的{{ order.item }}还未付款，{{ order.pay_by }}前付款即可尽快发货。回T退订",
    "care_shipped": "亲，您的{{ order.item }}已经发货啦，{{ logistics.courier }}单号 {{ logistics.tracking_no }}，请留意查收～",
    "care_out_for_delivery": "亲，您的包裹正在派送中，快递员很快就到，请保持电话畅通哦～",
    "care_delivered": "亲，您的包裹已经签收（{{ logistics.location }}），如果不是本人签收请留意一下，有问题随时找我们～",
    "care_confirmed": "亲，感谢您确认收货！{{ order.item }}用得顺手的话，欢迎常来{{ shop.name }}逛逛～",
    "care_review": "亲，{{ order.item }}用了几天感觉怎么样？方便的话给个评价，您的反馈对我们很重要～",
    "care_event": "亲，{{ campaign.name }}{{ campaign.starts }}开始，老顾客的专属优惠已经为您准备好了，记得来{{ shop.name }}看看哦～",
    "jam": "{{ receiver.name }}您好，{{ logistics.courier }}在您所在地区出现派送延误，您的包裹（{{ logistics.tracking_no }}）"
    "会晚几天送到，给您添麻烦了，非常抱歉！",
}
PURPOSES: tuple[str, ...] = tuple(DEFAULT_TEMPLATES)

#: The typical length of each variable, for the editor's character and segment count.
TYPICAL_LENGTHS: dict[str, dict[str, int]] = {
    "buyer": {"nick": 6},
    "receiver": {"name": 3},
    "order": {"id": 19, "item": 14, "total": 6, "pay_by": 11},
    "logistics": {"courier": 4, "tracking_no": 13, "location": 6},
    "shop": {"name": 8},
    "campaign": {"name": 6, "starts": 5},
}


def typical_context() -> dict[str, dict[str, str]]:
    """Every variable as a run of placeholder characters of its typical length."""
    return {group: {name: "某" * n for name, n in names.items()} for group, names in TYPICAL_LENGTHS.items()}


def segments(text: str) -> int:
    """How many SMS a text takes (70 characters each; an empty text takes none)."""
    return math.ceil(len(text) / SMS_SEGMENT) if text else 0


@dataclass(frozen=True, slots=True)
class Measure:
    chars: int
    segments: int
    rendered: Rendered


def measure(body: str) -> Measure:
    """Characters and SMS segments of ``body`` with every variable at its typical length (raises
    ``TemplateProblem`` for a template that cannot render)."""
    rendered = render(body, typical_context())
    return Measure(len(rendered.text), segments(rendered.text), rendered)


def fill(body: str, context: Mapping[str, Any]) -> str:
    """The text a buyer gets (raises ``TemplateProblem``)."""
    return render(body, context).text


@dataclass(frozen=True, slots=True)
class OrderFacts:
    status: str
    shipped_at: datetime | None
    delivered_at: datetime | None
    trace: tuple[tuple[str, datetime], ...] = ()  # (logistics status, at), any order


def stages(order: OrderFacts, *, review_after: timedelta) -> list[tuple[Stage, datetime]]:
    """The care stages the order has reached, each with when it was reached (from the trace first)."""
    found: list[tuple[Stage, datetime]] = []
    first: dict[str, datetime] = {}
    for status, at in order.trace:
        if status not in first or at < first[status]:
            first[status] = at
    if order.shipped_at and order.status in ("shipped", "delivered", "completed"):
        found.append((Stage.SHIPPED, first.get("collected", order.shipped_at)))
    if "out_for_delivery" in first and order.status in ("shipped", "delivered", "completed"):
        found.append((Stage.OUT_FOR_DELIVERY, first["out_for_delivery"]))
    signed = first.get("delivered", order.delivered_at)
    if signed and order.status in ("delivered", "completed"):
        found.append((Stage.DELIVERED, signed))
    if order.status == "completed" and signed:
        found.append((Stage.CONFIRMED, signed))  # fresh until the review is due (a buyer confirms later)
        found.append((Stage.REVIEW, signed + review_after))
    return found


def due_at(moment: datetime, key: str, rules: Rules, tz: tzinfo) -> datetime:
    """When a message made at ``moment`` may go: at once, or in the first hour after the quiet hours."""
    if is_quiet(moment, rules, tz):
        return quiet_ends(moment, rules, tz) + spread(key, rules.quiet_spread)
    return moment


def within_cap(sent_today: int, per_day: int) -> bool:
    return sent_today < per_day


def returning(order_counts: Mapping[int, int], buyers: Iterable[int]) -> list[int]:
    """Buyers with two orders or more (the returning ones an event message is for)."""
    return [b for b in buyers if order_counts.get(b, 0) >= 2]
