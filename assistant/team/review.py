"""Order review before shipping (订单审核): the rules that put a paid, unshipped order in the queue.

Each rule is a small function of an order's facts and the rule settings, returning a ``Reason`` in our
words or None. The order-local rules (address, region, remote area, phone, the buyer's message) are
cached per order by the store (``review_store``; checked again when the order's columns change or
``ReviewRules.key`` does); the rules that read other rows (a receiver
changed after payment, the chat, a buyer's risk flag) are applied when the queue is read.
No aiohttp here, no SQL.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from assistant.commerce.address_regions import RegionBackend, RegionNotFound

RULES_VERSION = 1
"""Bump when a cached rule changes, so every cached check is made again."""

# a street address names a road, a building or a number somewhere
_STREET_RE = re.compile(r"[0-9０-９一二三四五六七八九十百]+|[路街道巷弄村组号栋幢楼室区苑园院镇乡屯]")
_MOBILE_RE = re.compile(r"1[3-9][0-9]{9}(?:-[0-9]{1,4})?")  # a virtual number (隐私号) has an extension
_LANDLINE_RE = re.compile(r"0[1-9][0-9]{1,2}-?[2-9][0-9]{6,7}(?:-[0-9]{1,6})?")
_PHONE_NOISE_RE = re.compile(r"[\s()（）]")


@dataclass(frozen=True, slots=True)
class Reason:
    """Why an order is in the queue: a code for programs, a sentence for the reviewer."""

    code: str
    text: str


@dataclass(frozen=True)
class ReviewRules:
    """The rules' thresholds and word lists (from settings)."""

    min_detail_chars: int = 6
    cities_without_districts: tuple[str, ...] = ("东莞市", "中山市", "儋州市", "嘉峪关市")
    remote_provinces: tuple[str, ...] = ()
    remote_places: tuple[str, ...] = ()
    invoice_words: tuple[str, ...] = ("发票",)
    gift_words: tuple[str, ...] = ("赠品",)
    promise_words: tuple[str, ...] = ("答应",)
    ship_hours: int = 48
    chat_days: int = 7

    @property
    def key(self) -> str:
        """Names the cached rules: a change of a cached rule's setting makes every check stale."""
        cached = [
            RULES_VERSION,
            self.min_detail_chars,
            self.cities_without_districts,
            self.remote_provinces,
            self.remote_places,
            self.invoice_words,
            self.gift_words,
            self.promise_words,
        ]
        return hashlib.sha1(json.dumps(cached, ensure_ascii=False).encode()).hexdigest()[:16]


@dataclass(frozen=True)
class OrderFacts:
    """What the order-local rules read of an order."""

    province: str
    city: str
    district: str
    detail: str
    phone: str
    buyer_message: str = ""


# ---- the rules, one by one --------------------------------------------------------------------------


def address_incomplete(order: OrderFacts, rules: ReviewRules) -> Reason | None:
    """No district (where the city has them), or a street address too short or naming no street."""
    missing = []
    if not order.district.strip() and order.city not in rules.cities_without_districts:
        missing.append("区县")
    detail = order.detail.strip()
    if len(detail) < rules.min_detail_chars or not _STREET_RE.search(detail):
        missing.append("街道门牌")
    if not missing:
        return None
    return Reason(code="address_incomplete", text=f"地址不完整：缺少{'和'.join(missing)}")


def region_contradicts(order: OrderFacts, regions: RegionBackend) -> Reason | None:
    """The street address names another province, city or district than the order's region."""
    try:
        found = regions.resolve(order.detail)
    except RegionNotFound:
        found = None
    # a place counts only when written in full (上海市, 浦东新区): "东方名苑" is an estate, not 东方市
    written = found is not None and any(
        name and name in order.detail for name in (found.province, found.city, found.district)
    )
    if found is not None and written and (found.province != order.province or found.city != order.city):
        return Reason(
            code="region_contradicts",
            text=f"地区是{order.province}{order.city}，详细地址里却写着{found.province}{found.city}",
        )
    if not order.district:
        return None
    try:
        within = regions.resolve(f"{order.province}{order.city}{order.detail}")
    except RegionNotFound as error:
        if error.ambiguous:
            return Reason(code="region_contradicts", text="详细地址里写了另一个地方，和所选地区对不上")
        return None
    if within.district and within.district != order.district and within.district in order.detail:
        return Reason(
            code="region_contradicts",
            text=f"区县选的是{order.district}，详细地址里却写着{within.district}",
        )
    return None


def remote_area(order: OrderFacts, rules: ReviewRules) -> Reason | None:
    """A province or place (an island) the shop's couriers do not reach or charge extra for."""
    if order.province in rules.remote_provinces:
        return Reason(code="remote_area", text=f"{order.province}属于偏远地区：快递可能不到或要加运费")
    where = f"{order.city}{order.district}{order.detail}"
    place = next((p for p in rules.remote_places if p and p in where), None)
    if place is not None:
        return Reason(code="remote_area", text=f"收货地在{place}：快递可能不到或要加运费")
    return None


def phone_valid(phone: str) -> bool:
    """A mainland mobile (11 digits from 13-19, a virtual number's extension allowed) or landline."""
    bare = _PHONE_NOISE_RE.sub("", phone)
    bare = re.sub(r"^(?:\+86|0086|86)-?(?=1)", "", bare)
    return bool(_MOBILE_RE.fullmatch(bare) or _LANDLINE_RE.fullmatch(bare))


def phone_invalid(order: OrderFacts) -> Reason | None:
    if phone_valid(order.phone):
        return None
    shown = order.phone.strip() or "（空）"
    return Reason(code="phone_invalid", text=f"电话 {shown} 不是有效的大陆手机号或固定电话")


def mentions(text: str, rules: ReviewRules) -> list[tuple[str, str]]:
    """Which of invoice / gift / promise a text mentions, with the word found: [("invoice", "发票")]."""
    found = []
    for kind, words in (
        ("invoice", rules.invoice_words),
        ("gift", rules.gift_words),
        ("promise", rules.promise_words),
    ):
        word = next((w for w in words if w and w in text), None)
        if word is not None:
            found.append((kind, word))
    return found


MENTION_NAMES = {"invoice": "发票", "gift": "赠品", "promise": "承诺"}


def _quote(text: str, word: str) -> str:
    at = max(text.find(word) - 8, 0)
    piece = text[at : at + 24].replace("\n", " ")
    return ("…" if at else "") + piece + ("…" if at + 24 < len(text) else "")


def message_mentions(order: OrderFacts, rules: ReviewRules) -> list[Reason]:
    """The buyer's message (买家留言) asks for an invoice or a gift, or holds a promise."""
    return [
        Reason(
            code=f"message_{kind}",
            text=f"买家留言提到{MENTION_NAMES[kind]}：「{_quote(order.buyer_message, word)}」，请核对订单上有没有",
        )
        for kind, word in mentions(order.buyer_message, rules)
    ]


def order_reasons(order: OrderFacts, rules: ReviewRules, regions: RegionBackend) -> list[Reason]:
    """Every order-local reason (the cached part of the queue), in a fixed order."""
    reasons = [
        address_incomplete(order, rules),
        region_contradicts(order, regions),
        remote_area(order, rules),
        phone_invalid(order),
    ]
    return [r for r in reasons if r is not None] + message_mentions(order, rules)


# ---- the rules that read other rows -------------------------------------------------------------------


def receiver_changed(
    changes: Iterable[tuple[datetime, dict[str, object], dict[str, object]]], paid_at: datetime
) -> Reason | None:
    """An address edit after payment that changed the receiver's name or phone: (at, before, after)."""
    for at, before, after in changes:
        if at < paid_at:
            continue
        changed = [
            label
            for column, label in (("receiver_name", "收货人"), ("receiver_phone", "电话"))
            if column in after and after.get(column) != before.get(column)
        ]
        if changed:
            return Reason(code="receiver_changed", text=f"付款后改过{'和'.join(changed)}：请和买家本人确认")
    return None


Scanned = list[tuple[datetime, str, Reason]]
"""A conversation's lines that mention something: (at, kind, the reason it gives)."""


def scan_chat(messages: Sequence[tuple[datetime, str]], rules: ReviewRules) -> Scanned:
    """Each line's invoice / gift / promise mentions, once per line (the queue scans a buyer once)."""
    return [
        (
            at,
            kind,
            Reason(
                code=f"chat_{kind}",
                text=f"聊天里提到{MENTION_NAMES[kind]}：「{_quote(text, word)}」，请核对订单上有没有",
            ),
        )
        for at, text in messages
        for kind, word in mentions(text, rules)
    ]


def chat_reasons(scanned: Scanned, created_at: datetime, rules: ReviewRules) -> list[Reason]:
    """The mentions from ``chat_days`` before the order on: the first of each kind."""
    since = created_at - timedelta(days=rules.chat_days)
    seen: dict[str, Reason] = {}
    for at, kind, reason in scanned:
        if at >= since:
            seen.setdefault(kind, reason)
    return [seen[k] for k in ("invoice", "gift", "promise") if k in seen]


def chat_mentions(
    messages: Sequence[tuple[datetime, str]], created_at: datetime, rules: ReviewRules
) -> list[Reason]:
    """The chat around the order mentions an invoice, a gift or a promise: (at, text) of the conversation."""
    return chat_reasons(scan_chat(messages, rules), created_at, rules)


RISK_NAMES = {
    "bad_review_extortion": "差评师",
    "professional_claimant": "职业打假",
    "malicious_complaint": "恶意投诉",
}


def buyer_risk(flag: str | None, note: str | None) -> Reason | None:
    """The buyer carries a risk flag (QC evidence or an agent set it)."""
    if not flag:
        return None
    name = RISK_NAMES.get(flag, flag)
    return Reason(code="buyer_risk", text=f"买家有风险标记（{name}）" + (f"：{note}" if note else ""))


def ship_by(paid_at: datetime, rules: ReviewRules) -> datetime:
    return paid_at + timedelta(hours=rules.ship_hours)


def confirmation_script(name: str, phone: str, address: str, reasons: Sequence[Reason]) -> str:
    """The text the reviewer inserts into the chat to confirm the order with the buyer."""
    masked = phone[:3] + "****" + phone[-4:] if len(phone) >= 11 else phone
    lines = [f"亲，跟您确认一下收货地址：{name}，{masked}，{address}，对吗？"]
    codes = {r.code for r in reasons}
    if "address_incomplete" in codes or "region_contradicts" in codes:
        lines.append("地址好像不太完整或前后对不上，麻烦把完整的省市区和门牌号发我一下～")
    if "phone_invalid" in codes:
        lines.append("您留的电话好像打不通，麻烦再留一个能联系到您的手机号～")
    if "remote_area" in codes:
        lines.append("您的地址快递可能送不到或需要补运费，我们先帮您确认一下哦。")
    if codes & {"message_invoice", "chat_invoice"}:
        lines.append("您要的发票我们已记下，麻烦确认一下抬头和税号～")
    if codes & {"message_gift", "chat_gift", "message_promise", "chat_promise"}:
        lines.append("您提到的赠品和约定我们都备注在订单上了，发货前会再核对一遍。")
    return "".join(lines)
