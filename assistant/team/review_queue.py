"""The review queue of one shop: open orders with their reasons, soonest ship-by first.

Two steps, each in one transaction: ``check_changed`` (a read) checks the orders changed since their check
and ``write_checks`` (through the writer) keeps what it found; ``queue_page`` (a read) then picks the
flagged orders, the risky buyers', the chat's and the held ones, and builds one page of them.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

import sqlite_utils

from assistant.commerce.address_regions import RegionBackend
from assistant.conversations.log import ConversationLog
from assistant.team import review_store as store
from assistant.team.review import (
    OrderFacts,
    Reason,
    ReviewRules,
    Scanned,
    buyer_risk,
    chat_reasons,
    order_reasons,
    receiver_changed,
    scan_chat,
    ship_by,
)
from assistant.team.review_rows import CheckedOrder, QueueRow, ReviewOrder


@dataclass(frozen=True)
class QueueEntry:
    order_id: str
    version: int
    buyer: str
    paid_at: datetime
    ship_by: datetime
    receiver_name: str
    receiver_phone: str
    address: str
    total_fen: int
    seller_remark: str
    remark_flag: str
    reasons: list[Reason]
    hold: store.Hold | None


@dataclass(frozen=True)
class QueuePage:
    entries: list[QueueEntry]
    total: int
    held: int


@dataclass
class Checks:
    """What a read found to write: the checks made, orders no longer open, the dirt read."""

    shop_id: int
    key: str | None  # set after a full check (the rule settings changed)
    checks: list[tuple[str, int, bool, str]] = field(default_factory=list)
    drop: list[str] = field(default_factory=list)
    max_dirt: int = 0

    @property
    def any(self) -> bool:
        return bool(self.key or self.checks or self.drop or self.max_dirt)


def _at(text: str) -> datetime:
    moment = datetime.fromisoformat(text)
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def facts_of(row: CheckedOrder | ReviewOrder) -> OrderFacts:
    return OrderFacts(
        province=row.province,
        city=row.city,
        district=row.district,
        detail=row.address_detail,
        phone=row.receiver_phone,
        buyer_message=row.buyer_message or "",
    )


def _dumps(reasons: list[Reason]) -> str:
    return json.dumps([[r.code, r.text] for r in reasons], ensure_ascii=False)


def _loads(text: str) -> list[Reason]:
    return [Reason(code, said) for code, said in json.loads(text)]


def check_changed(
    db: sqlite_utils.Database, shop_id: int, rules: ReviewRules, regions: RegionBackend
) -> tuple[Checks, dict[str, list[Reason]]]:
    """Check the orders changed since their check (every open order of the shop when the rule settings
    changed): what to write, and the shop's fresh reasons by order id."""
    key = rules.key
    dirt = store.dirty(db)
    full = store.rules_key(db, shop_id) != key
    pending = Checks(
        shop_id=shop_id, key=key if full else None, max_dirt=max((d.dirt for d in dirt), default=0)
    )
    fresh: dict[str, list[Reason]] = {}
    facts: list[tuple[str, CheckedOrder | None]] = [
        (f.order_id, f) for f in (store.open_facts(db, shop_id) if full else [])
    ]
    seen = {order_id for order_id, _ in facts}
    facts += [
        (d.order_id, d.order)
        for d in dirt
        if d.order_id not in seen and (not full or d.order is None or d.order.shop_id != shop_id)
    ]
    done: set[str] = set()
    for order_id, row in facts:
        if order_id in done:
            continue
        done.add(order_id)
        if row is None or row.status != "paid" or row.shipped_at is not None:
            pending.drop.append(order_id)
            continue
        reasons = order_reasons(facts_of(row), rules, regions)
        pending.checks.append((order_id, row.shop_id, bool(reasons), _dumps(reasons)))
        if row.shop_id == shop_id:
            fresh[order_id] = reasons
    return pending, fresh


async def review_chat(
    log: ConversationLog, shop_id: int, rules: ReviewRules, now: datetime
) -> dict[str, Scanned]:
    """What the shop's buyers said lately that the review looks for (invoice, gift, promise words), per
    buyer: read from the conversation log before the queue's read."""
    # open orders are recent: the chat of a few ship windows plus the look-back is enough
    since = now - timedelta(hours=rules.ship_hours * 4) - timedelta(days=rules.chat_days)
    words = [*rules.invoice_words, *rules.gift_words, *rules.promise_words]
    lines: dict[str, list[tuple[datetime, str]]] = {}
    for message in await log.containing(shop_id, since, words):
        lines.setdefault(message.buyer_nick, []).append((message.at, message.text))
    return {nick: scan_chat(found, rules) for nick, found in lines.items()}


Edits = list[tuple[datetime, dict[str, object], dict[str, object]]]


def _all_reasons(
    row: QueueRow | ReviewOrder,
    paid_at: datetime,
    cached: list[Reason],
    edits: Edits,
    chat: Scanned,
    rules: ReviewRules,
) -> list[Reason]:
    reasons = list(cached)
    changed = receiver_changed(edits, paid_at) if edits else None
    if changed:
        reasons.append(changed)
    if chat:
        reasons += chat_reasons(chat, _at(row.created_at), rules)
    risk = buyer_risk(row.risk_flag, row.risk_note) if row.risk_flag else None
    if risk:
        reasons.append(risk)
    return reasons


def _edits(db: sqlite_utils.Database, shop_id: int) -> dict[str, tuple[datetime | None, Edits]]:
    """The address edits of the shop's open orders, by order: (paid at, [(at, before, after)])."""
    edits: dict[str, tuple[datetime | None, Edits]] = {}
    for row in store.address_edits(db, shop_id):
        paid_at = _at(row.paid_at) if row.paid_at else None
        edits.setdefault(row.order_id, (paid_at, []))[1].append(
            (_at(row.at), json.loads(row.before or "{}"), json.loads(row.after or "{}"))
        )
    return edits


def _candidates(
    db: sqlite_utils.Database,
    shop_id: int,
    chat: dict[str, Scanned],
    edits: dict[str, tuple[datetime | None, Edits]],
    rules: ReviewRules,
) -> list[str]:
    """The orders the chat or an edit puts in the queue, exactly (a chat mention from ``chat_days`` before the
    order on; a receiver changed after payment)."""
    picked = []
    for order in store.open_orders_of(db, shop_id, sorted(chat)):
        if chat_reasons(chat[order.nick], _at(order.created_at), rules):
            picked.append(order.id)
    for order_id, (paid_at, changes) in edits.items():
        if paid_at is not None and receiver_changed(changes, paid_at):
            picked.append(order_id)
    return picked


def queue_page(
    db: sqlite_utils.Database,
    shop_id: int,
    rules: ReviewRules,
    chat: dict[str, Scanned],
    limit: int,
    offset: int = 0,
) -> QueuePage:
    """One page of the shop's queue, soonest ship-by first, with the totals. The checks must be current
    (``check_changed`` then ``write_checks`` first): the flagged ones are read from the store. ``chat``
    is ``review_chat``'s."""
    holds = store.open_holds(db, shop_id)
    edits = _edits(db, shop_id)
    ids = sorted({*holds, *_candidates(db, shop_id, chat, edits, rules)})
    rows, total, held = store.queue_page(db, shop_id, ids, sorted(holds), limit, offset)
    if total is None or held is None:
        _, total, held = store.queue_page(db, shop_id, ids, sorted(holds), 1, 0)
    entries = []
    for row in rows:
        order_id = row.id
        paid_at = _at(row.paid_at) if row.paid_at else _at(row.created_at)
        cached = _loads(row.reasons) if row.reasons else []
        changes = edits.get(order_id, (None, []))[1]
        reasons = _all_reasons(row, paid_at, cached, changes, chat.get(row.nick, []), rules)
        entries.append(
            QueueEntry(
                order_id=order_id,
                version=row.version,
                buyer=row.nick,
                paid_at=paid_at,
                ship_by=ship_by(paid_at, rules),
                receiver_name=row.receiver_name,
                receiver_phone=row.receiver_phone,
                address=f"{row.province}{row.city}{row.district}{row.address_detail}",
                total_fen=row.price_fen + row.postage_fen,
                seller_remark=row.seller_remark,
                remark_flag=row.remark_flag,
                reasons=reasons,
                hold=holds.get(order_id),
            )
        )
    return QueuePage(entries=entries, total=total or 0, held=held or 0)


def write_checks(db: sqlite_utils.Database, pending: Checks) -> None:
    store.apply_checks(db, pending.shop_id, pending.key, pending.checks, pending.drop, pending.max_dirt)


def order_reasons_now(
    db: sqlite_utils.Database, order_id: str, rules: ReviewRules, regions: RegionBackend, chat: Scanned
) -> tuple[ReviewOrder, list[Reason]] | None:
    """One order's facts and every reason it has now (for the confirmation script and a review); ``chat``
    is ``review_chat``'s for the order's buyer."""
    row = store.order_facts(db, order_id)
    if row is None:
        return None
    edits = _edits(db, row.shop_id).get(order_id, (None, []))[1]
    paid_at = _at(row.paid_at) if row.paid_at else _at(row.created_at)
    return row, _all_reasons(row, paid_at, order_reasons(facts_of(row), rules, regions), edits, chat, rules)
