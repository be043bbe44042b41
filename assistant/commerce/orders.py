"""Order views from database rows: detail, summary, logistics state and the tracking message.

Pure functions: the backend passes rows and ``now``; nothing here reads the database.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Protocol
from zoneinfo import ZoneInfo

from assistant.commerce import edits, privacy
from assistant.commerce.approval_store import ApprovalRow
from assistant.commerce.labels import (
    ACTION_LABELS,
    APPROVAL_LABELS,
    FLAG_LABELS,
    LOGISTICS_LABELS,
    REFUND_LABELS,
    STATUS_LABELS,
    percent_label,
    yuan,
)
from assistant.commerce.models import LogisticsStatus, OrderStatus, RefundStatus, RemarkFlag
from assistant.commerce.store_rows import AuditRecord, OrderSummaryRow, StoredEvent, StoredLine, StoredOrder
from assistant.commerce.views import (
    AddressOut,
    Allowed,
    ApprovalOut,
    EditRules,
    EventOut,
    HistoryEntry,
    LineOut,
    LogisticsOut,
    OrderDetail,
    OrderSummary,
)
from assistant.sync.outbox import entry_out
from assistant.sync.store import OutboxRow

UNSHIPPED = frozenset({OrderStatus.AWAITING_PAYMENT, OrderStatus.PAID, OrderStatus.CANCELLED})
_EXCEPTIONS = {
    LogisticsStatus.RETURNED: "returned",
    LogisticsStatus.FAILED_DELIVERY: "failed_delivery",
    LogisticsStatus.EXCEPTION: "exception",
}


class Receiver(Protocol):
    """What ``address_out`` reads: an order's receiver columns (a stored order, or privacy's receiver row)."""

    @property
    def receiver_name(self) -> str: ...
    @property
    def receiver_phone(self) -> str: ...
    @property
    def province(self) -> str: ...
    @property
    def city(self) -> str: ...
    @property
    def district(self) -> str: ...
    @property
    def address_detail(self) -> str: ...


def when(moment: datetime, tz: ZoneInfo) -> str:
    """'11月12日 14:30' in the shop's time zone."""
    local = moment.astimezone(tz)
    return f"{local.month}月{local.day}日 {local:%H:%M}"


def _dt(value: str | None) -> datetime | None:
    return datetime.fromisoformat(value) if value else None


@dataclass(frozen=True)
class LogisticsState:
    """Where a parcel stands: the state code, its label, the detail, its last update and the hours since."""

    state: str
    label: str
    detail: str
    updated_at: datetime | None
    hours: int | None


def logistics_state(
    status: OrderStatus,
    shipped_at: datetime | None,
    last_event: StoredEvent | None,
    now: datetime,
    stale_hours: int,
) -> LogisticsState:
    """Where the parcel stands, from the newest event; exceptions win over age."""
    if last_event is None and (status in UNSHIPPED or shipped_at is None):
        return LogisticsState("not_shipped", "未发货", "还没有物流信息", None, None)
    last_at = _dt(last_event.at) if last_event else shipped_at
    assert last_at is not None
    hours = max(0, int((now - last_at).total_seconds() // 3600))
    if last_event is not None:
        event_status = LogisticsStatus(last_event.status)
        if event_status in _EXCEPTIONS:
            return LogisticsState(
                _EXCEPTIONS[event_status],
                LOGISTICS_LABELS[event_status],
                last_event.description,
                last_at,
                hours,
            )
        if event_status is LogisticsStatus.DELIVERED:
            return LogisticsState("delivered", "已签收", last_event.description, last_at, hours)
    if status is OrderStatus.SHIPPED and hours >= stale_hours:
        return LogisticsState(
            "stale", f"物流超过 {stale_hours} 小时未更新", f"最后一次更新在 {hours} 小时前", last_at, hours
        )
    if status in {OrderStatus.DELIVERED, OrderStatus.COMPLETED}:
        return LogisticsState("delivered", "已签收", "订单已签收", last_at, hours)
    return LogisticsState(
        "normal", "运输中", last_event.description if last_event else "已发货", last_at, hours
    )


def tracking_message(
    order: StoredOrder, state: str, last_event: StoredEvent | None, hours: int | None, tz: ZoneInfo
) -> str:
    """A message the agent can forward to the buyer as is."""
    parcel = f"{order.courier or '快递'} {order.tracking_no or ''}".strip()
    if state == "not_shipped":
        return f"亲，您的订单 {order.id} 还在仓库打包中，发出后会第一时间把快递单号同步给您～"
    if last_event is None:
        return f"亲，您的订单已发出（{parcel}），物流信息稍后会更新，请耐心等待哦～"
    at = when(datetime.fromisoformat(last_event.at), tz)
    where = f"{last_event.location} " if last_event.location else ""
    progress = f"{where}{last_event.description}"
    if state == "delivered":
        return f"亲，您的包裹（{parcel}）已于 {at} 签收：{progress}。收到后有任何问题随时找我哦～"
    if state == "stale":
        return (
            f"亲，您的包裹（{parcel}）已经 {hours} 小时没有新的物流信息了，我们已联系快递核实，"
            f"有进展第一时间告诉您，给您添麻烦了～"
        )
    if state == "returned":
        return f"亲，您的包裹（{parcel}）被退回了（{progress}）。我们马上核实原因并为您重新安排，请放心～"
    if state == "failed_delivery":
        return (
            f"亲，您的包裹（{parcel}）这次没能送达（{progress}）。麻烦确认一下收货地址和电话是否方便接收，"
            f"我们协助您尽快重新派送～"
        )
    if state == "exception":
        return (
            f"亲，您的包裹（{parcel}）出现了异常（{progress}），我们已在联系快递处理，有结果第一时间告诉您～"
        )
    return f"亲，您的订单已由 {parcel} 发出，最新进度（{at}）：{progress}。请留意查收哦～"


def address_out(order: Receiver, *, masked: bool = True) -> AddressOut:
    """The receiver's address; the phone and street address masked unless ``masked`` is False."""
    phone = privacy.mask_phone(order.receiver_phone) if masked else order.receiver_phone
    detail = privacy.mask_detail(order.address_detail) if masked else order.address_detail
    full = f"{order.province}{order.city}{order.district}{detail}"
    return AddressOut(
        name=order.receiver_name,
        phone=phone,
        province=order.province,
        city=order.city,
        district=order.district,
        detail=detail,
        full=full,
        one_line=f"{order.receiver_name}，{phone}，{full}",
        masked=masked,
    )


def approval_out(row: ApprovalRow) -> ApprovalOut:
    points = edits.discount_basis_points(row.original_price_fen, row.to_price_fen)
    return ApprovalOut(
        id=row.id,
        shop_id=row.shop_id,
        order_id=row.order_id,
        kind=row.kind,
        status=row.status,
        status_label=APPROVAL_LABELS[row.status],
        requested_by=row.requested_by,
        requested_by_name=row.requested_by_name,
        requested_at=row.requested_at,
        original_price_fen=row.original_price_fen,
        original_price_yuan=yuan(row.original_price_fen),
        from_price_fen=row.from_price_fen,
        from_price_yuan=yuan(row.from_price_fen),
        to_price_fen=row.to_price_fen,
        to_price_yuan=yuan(row.to_price_fen),
        discount_basis_points=points,
        discount_label=percent_label(points),
        reason=row.reason,
        decided_by=row.decided_by,
        decided_by_name=row.decided_by_name,
        decided_at=row.decided_at,
        decision_note=row.decision_note,
    )


def history_out(rows: list[AuditRecord]) -> list[HistoryEntry]:
    undone = edits.undone_ids(rows)
    return [
        HistoryEntry(
            id=r.id,
            at=r.at,
            agent_id=r.agent_id,
            agent_name=r.agent_name,
            action=r.action,
            action_label=ACTION_LABELS.get(str(r.action)) or str(r.action),
            reason=r.reason,
            before=privacy.mask_columns(r.before),
            after=privacy.mask_columns(r.after),
            undoes=r.undoes,
            undone=r.id in undone,
        )
        for r in rows
    ]


def edit_rules(status: OrderStatus, history: list[AuditRecord]) -> EditRules:
    def rule(kind: edits.EditKind) -> Allowed:
        ok, reason = edits.allowed(kind, status)
        return Allowed(allowed=ok, reason=reason)

    target = edits.undo_target(history)
    if target is None:
        undo = Allowed(allowed=False, reason="没有可撤销的修改")
    else:
        kind = edits.EditKind(target.action)
        ok, reason = edits.allowed(kind, status)
        label = edits.EDIT_LABELS[kind]
        undo = Allowed(
            allowed=ok,
            reason=f"撤销上一次{label}（{target.agent_name}）" if ok else f"不能撤销上一次{label}：{reason}",
        )
    return EditRules(
        price=rule(edits.EditKind.PRICE),
        postage=rule(edits.EditKind.POSTAGE),
        address=rule(edits.EditKind.ADDRESS),
        remark=rule(edits.EditKind.REMARK),
        undo=undo,
    )


def line_out(row: StoredLine) -> LineOut:
    subtotal = row.unit_price_fen * row.quantity
    return LineOut(
        item_id=row.item_id,
        sku=row.sku,
        title=row.title,
        unit_price_fen=row.unit_price_fen,
        unit_price_yuan=yuan(row.unit_price_fen),
        quantity=row.quantity,
        subtotal_fen=subtotal,
        subtotal_yuan=yuan(subtotal),
    )


def order_detail(
    order: StoredOrder,
    lines: list[StoredLine],
    events: list[StoredEvent],
    history: list[AuditRecord],
    approvals: list[ApprovalRow],
    now: datetime,
    stale_hours: int,
    tz: ZoneInfo,
    outbox: list[OutboxRow] | None = None,
) -> OrderDetail:
    status = OrderStatus(order.status)
    last = events[0] if events else None
    found = logistics_state(status, _dt(order.shipped_at), last, now, stale_hours)
    state, label, detail, last_at, hours = (
        found.state,
        found.label,
        found.detail,
        found.updated_at,
        found.hours,
    )
    original = order.original_price_fen or order.price_fen
    points = edits.discount_basis_points(original, order.price_fen)
    total = order.price_fen + order.postage_fen
    flag = RemarkFlag(order.remark_flag)
    refund = RefundStatus(order.refund_status)
    logistics = LogisticsOut(
        courier=order.courier,
        tracking_no=order.tracking_no,
        state=state,
        label=label,
        exception=state in {"stale", "returned", "failed_delivery", "exception"},
        detail=detail,
        last_update_at=last_at,
        hours_since_update=hours,
        events=[
            EventOut(
                at=e.at,
                status=e.status,
                label=LOGISTICS_LABELS[LogisticsStatus(e.status)],
                location=e.location,
                description=e.description,
            )
            for e in events
        ],
        message=tracking_message(order, state, last, hours, tz),
    )
    return OrderDetail(
        id=order.id,
        shop_id=order.shop_id,
        buyer_id=order.buyer_id,
        buyer_nick=order.buyer_nick,
        status=status,
        status_label=STATUS_LABELS[status],
        created_at=order.created_at,
        paid_at=order.paid_at,
        shipped_at=order.shipped_at,
        delivered_at=order.delivered_at,
        price_fen=order.price_fen,
        price_yuan=yuan(order.price_fen),
        original_price_fen=original,
        original_price_yuan=yuan(original),
        discount_basis_points=points,
        discount_label=percent_label(points),
        postage_fen=order.postage_fen,
        postage_yuan=yuan(order.postage_fen),
        total_fen=total,
        total_yuan=yuan(total),
        address=address_out(order),
        seller_remark=order.seller_remark,
        remark_flag=flag,
        remark_flag_label=FLAG_LABELS[flag],
        refund_status=refund,
        refund_label=REFUND_LABELS[refund],
        disputed=bool(order.disputed),
        lines=[line_out(r) for r in lines],
        logistics=logistics,
        edits=edit_rules(status, history),
        approvals=[approval_out(a) for a in approvals],
        history=history_out(history[:20]),
        sync=[entry_out(r) for r in outbox or []],
        version=order.version,
        updated_at=order.updated_at,
    )


def order_summary(row: OrderSummaryRow) -> OrderSummary:
    status = OrderStatus(row.status)
    refund = RefundStatus(row.refund_status)
    total = row.price_fen + row.postage_fen
    return OrderSummary(
        id=row.id,
        shop_id=row.shop_id,
        buyer_id=row.buyer_id,
        status=status,
        status_label=STATUS_LABELS[status],
        created_at=row.created_at,
        price_fen=row.price_fen,
        price_yuan=yuan(row.price_fen),
        postage_fen=row.postage_fen,
        postage_yuan=yuan(row.postage_fen),
        total_fen=total,
        total_yuan=yuan(total),
        summary=row.line_titles or "",
        remark_flag=row.remark_flag,
        refund_status=refund,
        refund_label=REFUND_LABELS[refund],
        disputed=bool(row.disputed),
        version=row.version,
    )
