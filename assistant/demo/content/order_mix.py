"""The demo shop's order mix: how many buyers and orders, how often a buyer buys, their levels,
tiers and tags, the statuses an order has by its age, and the kinds of parcel trouble. Data for
``assistant.demo.orders``, which draws from it."""

from __future__ import annotations

from assistant.commerce.models import LogisticsStatus, MemberTier, OrderStatus

BUYERS = 2400
MIN_ORDERS = 11000
REMOTE = ("新疆", "西藏", "青海", "内蒙古")  # 偏远地区 pay postage

# (share, orders per buyer range): most buyers buy once, a loyal few buy often.
FREQUENCY = [((1, 1), 0.42), ((2, 3), 0.28), ((4, 8), 0.2), ((9, 24), 0.1)]
LEVELS = [(0, 4), (1, 18), (2, 26), (3, 24), (4, 15), (5, 9), (6, 4)]
TIERS = [
    (MemberTier.NONE, 48),
    (MemberTier.SILVER, 24),
    (MemberTier.GOLD, 16),
    (MemberTier.PLATINUM, 8),
    (MemberTier.DIAMOND, 4),
]
BUYER_TAGS = [
    "老客",
    "价格敏感",
    "爱买家居服",
    "送礼",
    "宝妈",
    "颜色控",
    "收纳达人",
    "催发货",
    "好评多",
    "大件用户",
]
# status weights by the order's age
RECENT = [
    (OrderStatus.AWAITING_PAYMENT, 30),
    (OrderStatus.PAID, 40),
    (OrderStatus.SHIPPED, 22),
    (OrderStatus.CANCELLED, 8),
]
DAYS = [
    (OrderStatus.AWAITING_PAYMENT, 3),
    (OrderStatus.PAID, 22),
    (OrderStatus.SHIPPED, 50),
    (OrderStatus.DELIVERED, 12),
    (OrderStatus.REFUNDING, 5),
    (OrderStatus.CANCELLED, 8),
]
WEEKS = [
    (OrderStatus.SHIPPED, 12),
    (OrderStatus.DELIVERED, 38),
    (OrderStatus.COMPLETED, 35),
    (OrderStatus.REFUNDING, 6),
    (OrderStatus.REFUNDED, 5),
    (OrderStatus.CANCELLED, 4),
]
OLD = [(OrderStatus.COMPLETED, 86), (OrderStatus.REFUNDED, 6), (OrderStatus.CANCELLED, 8)]
EXCEPTION_KINDS = {
    "returned": LogisticsStatus.RETURNED,
    "address_unknown": LogisticsStatus.FAILED_DELIVERY,
    "no_answer": LogisticsStatus.FAILED_DELIVERY,
}
