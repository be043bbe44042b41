"""Edits, undo and idempotency for the SQLite backend, each in one transaction (approvals are
``sqlite_approvals``).

Order of checks inside the transaction: the idempotency key (a retry returns the first result),
the order (exists, in the agent's shops), the version (stale: 409 with the current order), the
status (the edit must be allowed now), the value rules (discount caps), then the update, the
audit entry and the stored response. Any exception rolls all of it back.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import TYPE_CHECKING

import sqlite_utils

from assistant.commerce import approval_store, edits, store
from assistant.commerce.backend import EditRequest, EditResult, Undo
from assistant.commerce.edits import EditKind, PriceChange
from assistant.commerce.labels import percent_label, yuan
from assistant.commerce.models import OrderStatus
from assistant.commerce.store_rows import StoredOrder
from assistant.commerce.views import EditOutcome, OrderDetail
from assistant.sync import store as sync_store
from assistant.sync.models import OUTBOX_LABELS, Offer
from assistant.sync.outbox import offer_out
from knowledge.errors import Conflict, DomainError, FieldError, Invalid, NotFound, StaleVersion
from knowledge.models import Agent, Role

if TYPE_CHECKING:
    from assistant.settings import Settings
    from knowledge.database import AsyncDatabase


def _no_change(kind: EditKind) -> DomainError:
    return Invalid.field(
        edits.BODY_FIELDS[kind], f"新的值和订单现在的一样，没有需要{edits.EDIT_LABELS[kind]}的内容"
    )


def offer_of(db: sqlite_utils.Database, audit_id: int) -> Offer | None:
    """The outbox offer an audit entry made for the chat client, if any."""
    row = sync_store.outbox_by_audit(db, audit_id)
    return offer_out(row) if row else None


class EditsMixin:
    db: AsyncDatabase
    settings: Settings
    clock: Callable[[], datetime]

    if TYPE_CHECKING:  # provided by SqliteBackend, which mixes this in

        def _order_row(
            self, db: sqlite_utils.Database, order_id: str, shop_ids: list[int]
        ) -> StoredOrder: ...

        def detail_sync(
            self, db: sqlite_utils.Database, order_id: str, shop_ids: list[int]
        ) -> OrderDetail: ...

    # ---- edits ----------------------------------------------------------------------------

    async def apply_edit(self, request: EditRequest) -> EditResult:
        at = self.clock().isoformat()
        return await self.db.write(lambda db: self._apply(db, request, at))

    def _apply(self, db: sqlite_utils.Database, req: EditRequest, at: str) -> EditResult:
        agent = req.agent
        stored = approval_store.idempotent_response(db, agent.id, req.idempotency_key)
        if stored is not None:
            if stored.request_hash != req.request_hash:
                raise Conflict(
                    f"幂等键 {req.idempotency_key} 已用于另一个请求：重试时请原样重发，新的修改请换一个新键",
                    [FieldError("Idempotency-Key", "已用于内容不同的请求")],
                )
            first = EditOutcome.model_validate_json(stored.response)
            return EditResult(status=stored.status, outcome=first.model_copy(update={"replayed": True}))
        order = self._order_row(db, req.order_id, agent.shop_ids)
        shop_ids = [order.shop_id]
        if order.version != req.version:
            current = self.detail_sync(db, req.order_id, shop_ids)
            raise StaleVersion(
                f"订单 {req.order_id} 刚被修改过（你看到的是第 {req.version} 版，现在是第 {order.version} 版），"
                "没有覆盖任何内容：请看一下最新内容再操作",
                [FieldError("version", f"已过期，当前为 {order.version}")],
                current=current,
            )
        if isinstance(req.change, Undo):
            result = self._undo(db, req, order, at)
        else:
            kind = EditKind(req.change.kind)
            self._check_status(db, kind, order, shop_ids)
            try:
                after = edits.new_values(req.change, order)
            except ValueError as exc:
                raise Invalid.field("text", str(exc)) from exc
            # Checked before an approval is asked for: a request for the order's current value could
            # never be granted (its grant would change nothing), so it is refused now, not later.
            if edits.unchanged(kind, order, after):
                raise _no_change(kind)
            approval_id = (
                self._needs_approval(db, req, order, at) if isinstance(req.change, PriceChange) else None
            )
            if approval_id is not None:
                detail = self.detail_sync(db, req.order_id, shop_ids)
                approval = next(a for a in detail.approvals if a.id == approval_id)
                result = EditResult(
                    202,
                    EditOutcome(
                        applied=False,
                        audit_id=None,
                        approval=approval,
                        order=detail,
                        message=f"降价 {approval.discount_label} 超过你的权限，已提交主管审批（审批单 #{approval_id}）",
                    ),
                )
            else:
                audit_id = self._write_change(db, agent.id, order, kind, after, req.reason, at)
                detail = self.detail_sync(db, req.order_id, shop_ids)
                result = EditResult(
                    200,
                    EditOutcome(
                        applied=True,
                        audit_id=audit_id,
                        approval=None,
                        order=detail,
                        message=f"{edits.EDIT_LABELS[kind]}已生效，可撤销",
                        sync=offer_of(db, audit_id),
                    ),
                )
        approval_store.remember_response(
            db,
            agent.id,
            req.idempotency_key,
            req.request_hash,
            result.status,
            result.outcome.model_dump_json(),
            at,
        )
        return result

    def _check_status(
        self, db: sqlite_utils.Database, kind: EditKind, order: StoredOrder, shop_ids: list[int]
    ) -> None:
        ok, reason = edits.allowed(kind, OrderStatus(order.status))
        if not ok:
            current = self.detail_sync(db, order.id, shop_ids)
            raise Conflict(
                f"订单 {order.id} 不能{edits.EDIT_LABELS[kind]}：{reason}",
                [FieldError("status", reason)],
                extra={"current": current.model_dump(mode="json")},
            )

    def _write_change(
        self,
        db: sqlite_utils.Database,
        agent_id: int,
        order: StoredOrder,
        kind: EditKind,
        after: dict[str, object],
        reason: str,
        at: str,
        undoes: int | None = None,
        *,
        sync: bool = True,
    ) -> int:
        """Apply, audit and (unless ``sync`` is False: a local undo of an edit the platform refused) queue
        the change for the platform in the outbox, all in the caller's transaction."""
        before = edits.columns_of(kind, order)
        if after == before and undoes is None:
            raise _no_change(kind)
        if kind is EditKind.PRICE:
            store.keep_original_price(db, order.id)
        if not store.update_order(db, order.id, after, order.version, at):
            raise StaleVersion(f"订单 {order.id} 刚被修改过：请刷新后重试", [FieldError("version", "已过期")])
        audit_id = store.insert_audit(
            db,
            at=at,
            agent_id=agent_id,
            shop_id=order.shop_id,
            entity="order",
            entity_id=order.id,
            action="undo" if undoes is not None else kind.value,
            reason=reason,
            before=before,
            after=after,
            undoes=undoes,
        )
        if sync:
            reverted = sync_store.outbox_by_audit(db, undoes) if undoes is not None else None
            sync_store.insert_outbox(
                db,
                shop_id=order.shop_id,
                order_id=order.id,
                audit_id=audit_id,
                kind="undo" if undoes is not None else kind.value,
                edit_kind=kind.value,
                undoes=reverted.id if reverted else None,
                before=before,
                after=after,
                agent_id=agent_id,
                at=at,
            )
        return audit_id

    def _needs_approval(
        self, db: sqlite_utils.Database, req: EditRequest, order: StoredOrder, at: str
    ) -> int | None:
        """None when the agent may give this price; the new approval's id when a supervisor must decide."""
        assert isinstance(req.change, PriceChange)
        new = req.change.price_fen
        original = order.original_price_fen or order.price_fen
        role = req.agent.role
        cap = edits.discount_cap(self.settings, role)
        if not edits.above_cap(original, new, cap):
            return None
        cut = percent_label(edits.discount_basis_points(original, new))
        supervisor_cap = self.settings.supervisor_discount_cap_percent
        if role is Role.SUPERVISOR or edits.above_cap(original, new, supervisor_cap):
            raise Invalid.field(
                "price_fen",
                f"从原价 {yuan(original)} 改到 {yuan(new)} 是降价 {cut}，超过了主管可给的上限 {supervisor_cap}%：请提高价格",
            )
        return approval_store.insert_approval(
            db,
            {
                "shop_id": order.shop_id,
                "order_id": order.id,
                "kind": "price",
                "requested_by": req.agent.id,
                "requested_at": at,
                "order_version": order.version,
                "original_price_fen": original,
                "from_price_fen": order.price_fen,
                "to_price_fen": new,
                "reason": req.reason,
            },
        )

    def _undo(self, db: sqlite_utils.Database, req: EditRequest, order: StoredOrder, at: str) -> EditResult:
        history = store.audit_entries(db, "order", order.id)
        target = edits.undo_target(history)
        shop_ids = [order.shop_id]
        if target is None:
            raise Conflict(f"订单 {order.id} 没有可撤销的修改", [FieldError("order_id", "没有可撤销的修改")])
        kind = EditKind(target.action)
        self._check_status(db, kind, order, shop_ids)
        if edits.columns_of(kind, order) != target.after:
            raise Conflict(
                f"订单 {order.id} 的{edits.EDIT_LABELS[kind]}内容之后又被改过，不能撤销",
                [FieldError("order_id", "内容已变化")],
            )
        audit_id = self._write_change(
            db, req.agent.id, order, kind, dict(target.before or {}), req.reason, at, undoes=target.id
        )
        detail = self.detail_sync(db, order.id, shop_ids)
        return EditResult(
            200,
            EditOutcome(
                applied=True,
                audit_id=audit_id,
                approval=None,
                order=detail,
                message=f"已撤销 {target.agent_name} 的{edits.EDIT_LABELS[kind]}",
                sync=offer_of(db, audit_id),
            ),
        )

    # ---- an edit the platform refused, undone here only ----------------------------------------

    async def undo_refused_edit(self, entry_id: int, agent: Agent) -> EditOutcome:
        """Put our copy back as it was before an edit whose outbox entry failed; nothing goes to the host."""
        at = self.clock().isoformat()
        return await self.db.write(lambda db: self._undo_refused(db, entry_id, agent, at))

    def _undo_refused(self, db: sqlite_utils.Database, entry_id: int, agent: Agent, at: str) -> EditOutcome:
        entry = sync_store.outbox_entry(db, entry_id)
        if entry is None or entry.shop_id not in agent.shop_ids:
            raise NotFound(f"没有编号为 {entry_id} 的待同步修改", [FieldError("edit_id", "没有这条修改")])
        if entry.status != "failed" or entry.kind == "undo":
            what = "撤销操作" if entry.kind == "undo" else "修改"
            raise Conflict(
                f"只有同步失败的修改才能在本地撤销；这条{what}是「{OUTBOX_LABELS[entry.status]}」",
                [FieldError("edit_id", "不能本地撤销")],
            )
        order = self._order_row(db, entry.order_id, agent.shop_ids)
        target = edits.undo_target(store.audit_entries(db, "order", order.id))
        kind = EditKind(entry.edit_kind)
        if target is None or target.id != entry.audit_id:
            raise Conflict(
                f"订单 {order.id} 在这次{edits.EDIT_LABELS[kind]}之后又改过：请先撤销后面的修改",
                [FieldError("edit_id", "不是最近一次修改")],
            )
        if edits.columns_of(kind, order) != target.after:
            raise Conflict(
                f"订单 {order.id} 的{edits.EDIT_LABELS[kind]}内容之后又被改过，不能撤销",
                [FieldError("edit_id", "内容已变化")],
            )
        reason = f"平台未生效（{entry.failure}），本地撤销"
        audit_id = self._write_change(
            db, agent.id, order, kind, dict(target.before or {}), reason, at, undoes=target.id, sync=False
        )
        sync_store.revert_outbox(db, entry_id, at, agent.id)
        return EditOutcome(
            applied=True,
            audit_id=audit_id,
            approval=None,
            order=self.detail_sync(db, order.id, [order.shop_id]),
            message=f"已在本地撤销这次{edits.EDIT_LABELS[kind]}（平台上没有生效）",
        )
