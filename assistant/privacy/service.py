"""Personal data for the API: the full receiver address (for editing it) and a supervisor's export."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import sqlite_utils

from assistant.commerce import edits, orders
from assistant.commerce.models import OrderStatus
from assistant.commerce.views import AddressOut
from assistant.conversations.log import ConversationLog
from assistant.conversations.models import utc_text
from assistant.privacy import store
from knowledge.database import AsyncDatabase
from knowledge.errors import Conflict, FieldError, NotFound
from knowledge.models import Agent, Model, Role


class FullAddressOut(Model):
    order_id: str
    version: int
    address: AddressOut


class BuyerExport(Model):
    """Everything we hold on one buyer of one shop, personal data in full."""

    exported_at: datetime
    exported_by: int
    buyer: dict[str, Any]
    orders: list[dict[str, Any]]
    notes: list[dict[str, Any]]
    messages: list[dict[str, Any]]


def _utc_now() -> datetime:
    return datetime.now(UTC)


class PersonalData:
    def __init__(self, db: AsyncDatabase, clock: Callable[[], datetime] = _utc_now) -> None:
        self.db = db
        self.clock = clock

    async def full_address(self, order_id: str, agent: Agent) -> FullAddressOut:
        """The unmasked address, for the 改地址 form: only while the address may be edited (supervisors: always)."""

        def read(db: sqlite_utils.Database) -> FullAddressOut:
            row = store.order_receiver(db, order_id)
            if row is None or row.shop_id not in agent.shop_ids:
                raise NotFound(
                    f"没有订单号为 {order_id} 的订单，或它不属于你登录的店铺",
                    [FieldError("order_id", "没有这个订单")],
                )
            ok, reason = edits.allowed(edits.EditKind.ADDRESS, OrderStatus(row.status))
            if not ok and agent.role is not Role.SUPERVISOR:
                raise Conflict(
                    f"订单 {order_id} 不能再改地址，完整的收货信息不再显示：{reason}",
                    [FieldError("status", reason)],
                )
            return FullAddressOut(
                order_id=order_id, version=row.version, address=orders.address_out(row, masked=False)
            )

        return await self.db.read(read)

    async def export_buyer(self, shop_id: int, nick: str, agent: Agent, log: ConversationLog) -> BuyerExport:
        """A supervisor's export of one buyer's personal data; the export itself is audited."""
        at = self.clock()
        said = [
            store.ExportedMessage(conversation=m.conversation, direction=m.direction.value,
                                  source=m.source.value if m.source else None, sender=m.sender, text=m.text,
                                  at=utc_text(m.at))
            for m in await log.buyer_messages(shop_id, nick)
        ]  # fmt: skip

        def write(db: sqlite_utils.Database) -> BuyerExport:
            buyer = store.buyer(db, shop_id, nick)
            if buyer is None:
                raise NotFound(
                    f"店铺 {shop_id} 没有旺旺名为「{nick}」的买家", [FieldError("nick", "没有这个买家")]
                )
            store.insert_export_audit(db, at.isoformat(), agent.id, shop_id, buyer.id)
            return BuyerExport(
                exported_at=at,
                exported_by=agent.id,
                buyer=buyer.model_dump(),
                orders=[o.model_dump() for o in store.buyer_orders(db, buyer.id)],
                notes=[n.model_dump() for n in store.buyer_notes(db, buyer.id)],
                messages=[m.model_dump() for m in said],
            )

        return await self.db.write(write)
