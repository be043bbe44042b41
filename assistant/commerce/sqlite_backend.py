"""The default commerce backend: buyers, orders and edits in the service's own SQLite file.

Reads run on the read pool, each in a handful of indexed queries; every write (an edit with its
audit entry, its idempotency record and any approval) is one ``db.write`` call, one transaction.
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import sqlite_utils

from assistant.commerce import approval_store, cards, orders, related, related_store, store
from assistant.commerce.backend import OrderPage, TemplateFacts
from assistant.commerce.labels import RISK_LABELS
from assistant.commerce.models import OrderStatus, RiskFlag
from assistant.commerce.sqlite_approvals import ApprovalsMixin
from assistant.commerce.sqlite_edits import EditsMixin
from assistant.commerce.views import (
    BuyerCard,
    NoteOut,
    OrderDetail,
    RelatedOut,
    buyer_for_templates,
    order_for_templates,
)
from assistant.settings import Settings
from assistant.sync import store as sync_store
from knowledge.database import AsyncDatabase
from knowledge.errors import FieldError, Invalid, NotFound, StaleVersion
from knowledge.models import Agent
from knowledge.store_shops import shop_zone

MAX_TAGS = 30
IDEMPOTENCY_KEEP = timedelta(days=7)
OUTBOX_SHOWN = 5  # an order detail lists its newest outbox entries


def _utc_now() -> datetime:
    return datetime.now(UTC)


def encode_cursor(created_at: str, order_id: str) -> str:
    return base64.urlsafe_b64encode(f"{created_at}|{order_id}".encode()).decode().rstrip("=")


def decode_cursor(cursor: str) -> tuple[str, str]:
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
    except (binascii.Error, UnicodeDecodeError, ValueError) as exc:
        raise Invalid.field("cursor", "无效的翻页游标：请使用上一页返回的 next_cursor") from exc
    created_at, sep, order_id = raw.partition("|")
    if not sep:
        raise Invalid.field("cursor", "无效的翻页游标：请使用上一页返回的 next_cursor")
    return created_at, order_id


class SqliteBackend(EditsMixin, ApprovalsMixin):
    """``CommerceBackend`` over the service's SQLite store."""

    def __init__(
        self, db: AsyncDatabase, settings: Settings, clock: Callable[[], datetime] = _utc_now
    ) -> None:
        self.db = db
        self.settings = settings
        self.clock = clock

    async def forget_old_idempotency_keys(self, keep: timedelta = IDEMPOTENCY_KEEP) -> int:
        """Drop idempotency keys older than ``keep``: a client retries within minutes, not weeks."""
        before = (self.clock() - keep).isoformat()
        return await self.db.write(lambda db: approval_store.purge_idempotency_keys(db, before))

    # ---- buyers ----------------------------------------------------------------------------

    def _buyer(self, db: sqlite_utils.Database, shop_id: int, nick: str) -> store.StoredBuyer:
        row = store.buyer_by_nick(db, shop_id, nick)
        if row is None:
            raise NotFound(
                f"店铺 {shop_id} 没有旺旺名为「{nick}」的买家", [FieldError("nick", "没有这个买家")]
            )
        return row

    def card_sync(self, db: sqlite_utils.Database, shop_id: int, nick: str) -> BuyerCard:
        """The buyer card from one connection: four indexed queries plus one per open shipped order."""
        buyer = self._buyer(db, shop_id, nick)
        rows = store.buyer_orders(db, buyer.id)
        shipped = [o.id for o in rows if o.status == OrderStatus.SHIPPED.value]
        return cards.buyer_card(
            buyer,
            rows,
            store.buyer_lines(db, buyer.id),
            store.buyer_notes(db, buyer.id, cards.MAX_NOTES),
            store.last_events(db, shipped),
            self.clock(),
            self.settings.logistics_stale_hours,
            self.settings.payment_reminder_minutes,
        )

    async def buyer_card(self, shop_id: int, nick: str) -> BuyerCard:
        return await self.db.read(lambda db: self.card_sync(db, shop_id, nick))

    async def add_note(self, shop_id: int, nick: str, agent: Agent, text: str) -> NoteOut:
        at = self.clock().isoformat()

        def write(db: sqlite_utils.Database) -> NoteOut:
            buyer = self._buyer(db, shop_id, nick)
            note_id = store.insert_note(db, buyer.id, agent.id, text, at)
            return NoteOut(
                id=note_id, agent_id=agent.id, agent_name=agent.name, text=text, at=datetime.fromisoformat(at)
            )

        return await self.db.write(write)

    def _check_buyer_version(
        self, db: sqlite_utils.Database, buyer: store.StoredBuyer, shop_id: int, version: int
    ) -> None:
        if buyer.version != version:
            current = self.card_sync(db, shop_id, buyer.nick)
            raise StaleVersion(
                f"买家「{buyer.nick}」的资料刚被修改过（你看到的是第 {version} 版，现在是第 {buyer.version} 版）：请刷新后重试",
                [FieldError("version", f"已过期，当前为 {buyer.version}")],
                current=current,
            )

    async def change_tags(
        self, shop_id: int, nick: str, agent: Agent, version: int, add: list[str], remove: list[str]
    ) -> BuyerCard:
        at = self.clock().isoformat()

        def write(db: sqlite_utils.Database) -> BuyerCard:
            buyer = self._buyer(db, shop_id, nick)
            self._check_buyer_version(db, buyer, shop_id, version)
            before: list[str] = json.loads(buyer.tags)
            after = [t for t in before if t not in remove]
            after.extend(t for t in dict.fromkeys(add) if t not in after)
            if len(after) > MAX_TAGS:
                raise Invalid.field("add", f"标签最多 {MAX_TAGS} 个，现在会有 {len(after)} 个：请先删掉一些")
            if after != before:
                store.update_buyer(db, buyer.id, {"tags": after}, version)
                store.insert_audit(
                    db,
                    at=at,
                    agent_id=agent.id,
                    shop_id=shop_id,
                    entity="buyer",
                    entity_id=str(buyer.id),
                    action="tags",
                    reason="",
                    before={"tags": before},
                    after={"tags": after},
                )
            return self.card_sync(db, shop_id, nick)

        return await self.db.write(write)

    async def set_risk(
        self, shop_id: int, nick: str, agent: Agent, version: int, flag: RiskFlag | None, note: str
    ) -> BuyerCard:
        at = self.clock().isoformat()
        if not note.strip():
            what = "证据说明（例如差评截图、聊天记录里的索要赔偿原话）" if flag else "解除原因"
            raise Invalid.field("note", f"必须填写{what}")

        def write(db: sqlite_utils.Database) -> BuyerCard:
            buyer = self._buyer(db, shop_id, nick)
            self._check_buyer_version(db, buyer, shop_id, version)
            names = ("risk_flag", "risk_note", "risk_flagged_by", "risk_flagged_at")
            before = {name: getattr(buyer, name) for name in names}
            if flag is None:
                if buyer.risk_flag is None:
                    raise Invalid.field("flag", f"买家「{nick}」没有风险标记，无需解除")
                after: dict[str, object] = dict.fromkeys(names)
                action = "risk_clear"
            else:
                after = {
                    "risk_flag": flag.value,
                    "risk_note": note,
                    "risk_flagged_by": agent.id,
                    "risk_flagged_at": at,
                }
                action = "risk_set"
            store.update_buyer(db, buyer.id, after, version)
            store.insert_audit(
                db,
                at=at,
                agent_id=agent.id,
                shop_id=shop_id,
                entity="buyer",
                entity_id=str(buyer.id),
                action=action,
                reason=note if flag is None else f"标记为{RISK_LABELS[flag]}",
                before=before,
                after=after,
            )
            return self.card_sync(db, shop_id, nick)

        return await self.db.write(write)

    # ---- orders ----------------------------------------------------------------------------

    async def buyer_orders(
        self, shop_id: int, nick: str, statuses: list[OrderStatus] | None, cursor: str | None, limit: int
    ) -> OrderPage:
        before = decode_cursor(cursor) if cursor else None

        def read(db: sqlite_utils.Database) -> OrderPage:
            buyer = self._buyer(db, shop_id, nick)
            rows = store.order_summaries(
                db, buyer.id, [s.value for s in statuses] if statuses else None, before, limit + 1
            )
            more = len(rows) > limit
            rows = rows[:limit]
            next_cursor = encode_cursor(rows[-1].created_at, rows[-1].id) if more else None
            return OrderPage(orders=[orders.order_summary(r) for r in rows], next_cursor=next_cursor)

        return await self.db.read(read)

    def _order_row(self, db: sqlite_utils.Database, order_id: str, shop_ids: list[int]) -> store.StoredOrder:
        row = store.order_row(db, order_id)
        if row is None or row.shop_id not in shop_ids:
            raise NotFound(
                f"没有订单号为 {order_id} 的订单，或它不属于你登录的店铺",
                [FieldError("order_id", "没有这个订单")],
            )
        return row

    def detail_sync(self, db: sqlite_utils.Database, order_id: str, shop_ids: list[int]) -> OrderDetail:
        row = self._order_row(db, order_id, shop_ids)
        return orders.order_detail(
            row,
            store.order_lines(db, order_id),
            store.order_events(db, order_id),
            store.audit_entries(db, "order", order_id),
            approval_store.approvals(db, shop_ids=[row.shop_id], order_id=order_id),
            self.clock(),
            self.settings.logistics_stale_hours,
            shop_zone(db, row.shop_id),
            sync_store.order_outbox(db, order_id, OUTBOX_SHOWN),
        )

    async def order(self, order_id: str, shop_ids: list[int]) -> OrderDetail:
        return await self.db.read(lambda db: self.detail_sync(db, order_id, shop_ids))

    # ---- related items ---------------------------------------------------------------------

    async def related_items(self, shop_id: int, item_id: int, limit: int) -> list[RelatedOut]:
        def read(db: sqlite_utils.Database) -> list[RelatedOut]:
            item = related_store.item_row(db, item_id)
            if item is None or item.shop_id != shop_id:
                raise NotFound(
                    f"店铺 {shop_id} 没有编号为 {item_id} 的商品", [FieldError("item_id", "没有这个商品")]
                )
            pairings = related_store.editor_pairings(db, item_id)
            together = related_store.bought_together(db, shop_id, item_id, 50)
            ids = [r.item_id for r in pairings] + [r.item_id for r in together]
            return related.combine(
                item, pairings, together, related_store.items_by_id(db, list(dict.fromkeys(ids))), limit
            )

        return await self.db.read(read)

    # ---- answer templates ------------------------------------------------------------------

    async def template_facts(self, shop_id: int, buyer: str | None, order_id: str | None) -> TemplateFacts:
        def read(db: sqlite_utils.Database) -> TemplateFacts:
            order_row = store.order_row(db, order_id) if order_id else None
            order = order_for_templates(order_row) if order_row and order_row.shop_id == shop_id else None
            buyer_row = store.buyer_by_nick(db, shop_id, buyer) if buyer else None
            card = (
                buyer_for_templates(buyer_row, len(store.buyer_orders(db, buyer_row.id)))
                if buyer_row
                else None
            )
            return TemplateFacts(buyer=card, order=order)

        return await self.db.read(read)
