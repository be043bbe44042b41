"""The review queue of one shop: open orders with their reasons, soonest ship-by first.

Reads through ``review_store`` in one read transaction (the caller's ``db.read``) and returns the
cache rows to write for orders whose check was stale (the caller writes them through the writer).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import sqlite_utils

from assistant.commerce.address_regions import RegionBackend
from assistant.team import review_store as store
from assistant.team.review import (
    OrderFacts,
    Reason,
    ReviewRules,
    buyer_risk,
    chat_mentions,
    order_reasons,
    receiver_changed,
    ship_by,
)


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


@dataclass
class Queue:
    entries: list[QueueEntry]
    stale: list[tuple[str, int, str, bool, str]] = field(default_factory=list)


def _at(text: str) -> datetime:
    moment = datetime.fromisoformat(text)
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def facts_of(row: dict[str, Any]) -> OrderFacts:
    return OrderFacts(
        province=row["province"],
        city=row["city"],
        district=row["district"],
        detail=row["address_detail"],
        phone=row["receiver_phone"],
        buyer_message=row["buyer_message"] or "",
    )


def _chat_by_nick(
    db: sqlite_utils.Database, shop_id: int, rules: ReviewRules, now: datetime
) -> dict[str, list[tuple[datetime, str]]]:
    # open orders are recent: the chat of the last ship window plus the look-back is enough
    since = now - timedelta(hours=rules.ship_hours * 4) - timedelta(days=rules.chat_days)
    words = [*rules.invoice_words, *rules.gift_words, *rules.promise_words]
    found: dict[str, list[tuple[datetime, str]]] = {}
    for row in store.chat_lines(db, shop_id, since.astimezone(UTC).isoformat(timespec="microseconds"), words):
        found.setdefault(row["buyer_nick"], []).append((_at(row["at"]), row["text"]))
    return found


def _all_reasons(
    row: dict[str, Any],
    cached: list[Reason],
    edits: list[tuple[datetime, dict[str, object], dict[str, object]]],
    chat: list[tuple[datetime, str]],
    rules: ReviewRules,
) -> list[Reason]:
    paid_at = _at(row["paid_at"]) if row["paid_at"] else _at(row["created_at"])
    reasons = list(cached)
    changed = receiver_changed(edits, paid_at)
    if changed:
        reasons.append(changed)
    reasons += chat_mentions(chat, _at(row["created_at"]), rules)
    risk = buyer_risk(row["risk_flag"], row["risk_note"])
    if risk:
        reasons.append(risk)
    return reasons


def build_queue(
    db: sqlite_utils.Database, shop_id: int, rules: ReviewRules, regions: RegionBackend, now: datetime
) -> Queue:
    key = rules.key
    chat = _chat_by_nick(db, shop_id, rules, now)
    holds = store.open_holds(db, shop_id)
    edits: dict[str, list[tuple[datetime, dict[str, object], dict[str, object]]]] = {}
    for row in store.address_edits(db, shop_id):
        edits.setdefault(row["order_id"], []).append(
            (_at(row["at"]), json.loads(row["before"] or "{}"), json.loads(row["after"] or "{}"))
        )
    queue = Queue(entries=[])
    for row in store.queue_rows(db, shop_id, key, sorted(chat), sorted({*holds, *edits})):
        if row["checked_version"] == row["version"] and row["rules_key"] == key:
            cached = [Reason.model_validate(r) for r in json.loads(row["reasons"])]
        else:
            cached = order_reasons(facts_of(row), rules, regions)
            dumped = json.dumps([r.model_dump() for r in cached], ensure_ascii=False)
            queue.stale.append((row["id"], row["version"], key, bool(cached), dumped))
        paid_at = _at(row["paid_at"]) if row["paid_at"] else _at(row["created_at"])
        reasons = _all_reasons(row, cached, edits.get(row["id"], []), chat.get(row["nick"], []), rules)
        hold = holds.get(row["id"])
        if not reasons and hold is None:
            continue
        queue.entries.append(
            QueueEntry(
                order_id=row["id"],
                version=row["version"],
                buyer=row["nick"],
                paid_at=paid_at,
                ship_by=ship_by(paid_at, rules),
                receiver_name=row["receiver_name"],
                receiver_phone=row["receiver_phone"],
                address=f"{row['province']}{row['city']}{row['district']}{row['address_detail']}",
                total_fen=row["price_fen"] + row["postage_fen"],
                seller_remark=row["seller_remark"],
                remark_flag=row["remark_flag"],
                reasons=reasons,
                hold=hold,
            )
        )
    return queue


def order_reasons_now(
    db: sqlite_utils.Database, order_id: str, rules: ReviewRules, regions: RegionBackend, now: datetime
) -> tuple[dict[str, Any], list[Reason]] | None:
    """One order's facts and every reason it has now (for the confirmation script and a review)."""
    row = store.order_facts(db, order_id)
    if row is None:
        return None
    chat = _chat_by_nick(db, row["shop_id"], rules, now).get(row["nick"], [])
    edits = [
        (_at(e["at"]), json.loads(e["before"] or "{}"), json.loads(e["after"] or "{}"))
        for e in store.address_edits(db, row["shop_id"])
        if e["order_id"] == order_id
    ]
    return row, _all_reasons(row, order_reasons(facts_of(row), rules, regions), edits, chat, rules)
