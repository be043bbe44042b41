"""Approvals for the SQLite backend: a price cut past an agent's cap waits for a supervisor, who
grants it (the edit is applied then, in the same transaction, if the order has not moved on) or
refuses it (with an audit entry). A grant that can never succeed (the order was paid or edited, the
cap was lowered) is decided as failed rather than left pending."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import TYPE_CHECKING

import sqlite_utils

from assistant.commerce import approval_store, edits, orders, store
from assistant.commerce.edits import EditKind
from assistant.commerce.labels import yuan
from assistant.commerce.models import OrderStatus
from assistant.commerce.sqlite_edits import offer_of
from assistant.commerce.views import ApprovalOut, EditOutcome, OrderDetail
from knowledge.errors import Conflict, FieldError, NotFound
from knowledge.models import Agent

if TYPE_CHECKING:
    from assistant.settings import Settings
    from knowledge.database import AsyncDatabase


class ApprovalsMixin:
    db: AsyncDatabase
    settings: Settings
    clock: Callable[[], datetime]

    if TYPE_CHECKING:  # provided by SqliteBackend (EditsMixin), which mixes this in

        def _write_change(
            self,
            db: sqlite_utils.Database,
            agent_id: int,
            order: store.StoredOrder,
            kind: EditKind,
            after: dict[str, object],
            reason: str,
            at: str,
            undoes: int | None = None,
            *,
            sync: bool = True,
        ) -> int: ...

        def detail_sync(
            self, db: sqlite_utils.Database, order_id: str, shop_ids: list[int]
        ) -> OrderDetail: ...

    async def approvals(
        self, shop_ids: list[int], requested_by: int | None, status: str | None, limit: int
    ) -> list[ApprovalOut]:
        rows = await self.db.read(
            lambda db: approval_store.approvals(
                db, shop_ids=shop_ids, requested_by=requested_by, status=status, limit=limit
            )
        )
        return [orders.approval_out(r) for r in rows]

    async def decide(
        self, approval_id: int, agent: Agent, grant: bool, note: str
    ) -> tuple[ApprovalOut, EditOutcome | None]:
        at = self.clock().isoformat()
        approval, outcome, failure = await self.db.write(
            lambda db: self._decide(db, approval_id, agent, grant, note, at)
        )
        if failure:
            raise Conflict(
                failure,
                [FieldError("approval", failure)],
                extra={"approval": approval.model_dump(mode="json")},
            )
        return approval, outcome

    def _decide(
        self, db: sqlite_utils.Database, approval_id: int, agent: Agent, grant: bool, note: str, at: str
    ) -> tuple[ApprovalOut, EditOutcome | None, str | None]:
        row = approval_store.approval(db, approval_id)
        if row is None or row.shop_id not in agent.shop_ids:
            raise NotFound(
                f"没有编号为 {approval_id} 的审批单", [FieldError("approval_id", "没有这个审批单")]
            )
        if row.status != "pending":
            raise Conflict(
                f"审批单 #{approval_id} 已经处理过了（{row.status}）",
                [FieldError("approval_id", "已处理")],
                extra={"approval": orders.approval_out(row).model_dump(mode="json")},
            )
        if not grant:
            approval_store.decide_approval(db, approval_id, "refused", agent.id, at, note, None)
            store.insert_audit(
                db,
                at=at,
                agent_id=agent.id,
                shop_id=row.shop_id,
                entity="approval",
                entity_id=str(approval_id),
                action="approval_refused",
                reason=note,
                before={"status": "pending"},
                after={"status": "refused"},
            )
            return orders.approval_out(self._approval(db, approval_id)), None, None
        order = store.order_row(db, row.order_id)
        assert order is not None
        failure = None
        if order.status != OrderStatus.AWAITING_PAYMENT.value:
            failure = f"审批失败：订单 {order.id} 已不是待付款状态，不能再改价"
        elif order.version != row.order_version:
            failure = f"审批失败：订单 {order.id} 在申请后又被修改过（第 {row.order_version} 版 → 第 {order.version} 版），请客服重新提交"
        elif edits.above_cap(
            row.original_price_fen, row.to_price_fen, self.settings.supervisor_discount_cap_percent
        ):
            # The cap was lowered after the request: it can never be granted, so it is decided (failed)
            # rather than left pending with a grant that fails every time.
            failure = f"审批失败：降价超过主管上限 {self.settings.supervisor_discount_cap_percent}%，不能批准；请客服按新上限重新提交"
        if failure:
            approval_store.decide_approval(db, approval_id, "failed", agent.id, at, failure, None)
            return orders.approval_out(self._approval(db, approval_id)), None, failure
        reason = (
            f"{row.reason}（{row.requested_by_name} 申请，{agent.name} 批准，审批单 #{approval_id}）".lstrip()
        )
        audit_id = self._write_change(
            db, agent.id, order, EditKind.PRICE, {"price_fen": row.to_price_fen}, reason, at
        )
        approval_store.decide_approval(db, approval_id, "granted", agent.id, at, note, audit_id)
        detail = self.detail_sync(db, order.id, [order.shop_id])
        approval = orders.approval_out(self._approval(db, approval_id))
        return (
            approval,
            EditOutcome(
                applied=True,
                audit_id=audit_id,
                approval=approval,
                order=detail,
                message=f"已批准，订单价格改为 {yuan(row.to_price_fen)}",
                sync=offer_of(db, audit_id),
            ),
            None,
        )

    @staticmethod
    def _approval(db: sqlite_utils.Database, approval_id: int) -> approval_store.ApprovalRow:
        row = approval_store.approval(db, approval_id)
        assert row is not None
        return row
