"""The Chinese labels of the commerce codes (order status, member tier, risk, remark flag, refund,
logistics, audit action, approval) and money and rates for people: ``yuan(19900)`` is ``"¥199.00"``.
One table each, so the order panel, the buyer card, the answer templates and the UI strings say the
same word."""

from __future__ import annotations

from assistant.commerce.models import (
    LogisticsStatus,
    MemberTier,
    OrderStatus,
    RefundStatus,
    RemarkFlag,
    RiskFlag,
)

STATUS_LABELS: dict[OrderStatus, str] = {
    OrderStatus.AWAITING_PAYMENT: "待付款",
    OrderStatus.PAID: "待发货",
    OrderStatus.SHIPPED: "已发货",
    OrderStatus.DELIVERED: "已签收",
    OrderStatus.COMPLETED: "交易成功",
    OrderStatus.CANCELLED: "交易关闭",
    OrderStatus.REFUNDING: "退款中",
    OrderStatus.REFUNDED: "已退款",
}
TIER_LABELS: dict[MemberTier, str] = {
    MemberTier.NONE: "非会员",
    MemberTier.SILVER: "银卡会员",
    MemberTier.GOLD: "金卡会员",
    MemberTier.PLATINUM: "铂金卡会员",
    MemberTier.DIAMOND: "钻石卡会员",
}
RISK_LABELS: dict[RiskFlag, str] = {
    RiskFlag.BAD_REVIEW_EXTORTION: "差评师",
    RiskFlag.PROFESSIONAL_CLAIMANT: "职业打假",
    RiskFlag.MALICIOUS_COMPLAINT: "恶意投诉",
}
FLAG_LABELS: dict[RemarkFlag, str] = {
    RemarkFlag.NONE: "无旗帜",
    RemarkFlag.RED: "红旗",
    RemarkFlag.YELLOW: "黄旗",
    RemarkFlag.GREEN: "绿旗",
    RemarkFlag.BLUE: "蓝旗",
    RemarkFlag.PURPLE: "紫旗",
}
REFUND_LABELS: dict[RefundStatus, str] = {
    RefundStatus.NONE: "无退款",
    RefundStatus.REQUESTED: "退款申请中",
    RefundStatus.REFUNDED: "已退款",
    RefundStatus.REJECTED: "退款被拒",
}
LOGISTICS_LABELS: dict[LogisticsStatus, str] = {
    LogisticsStatus.COLLECTED: "已揽收",
    LogisticsStatus.IN_TRANSIT: "运输中",
    LogisticsStatus.OUT_FOR_DELIVERY: "派送中",
    LogisticsStatus.DELIVERED: "已签收",
    LogisticsStatus.EXCEPTION: "物流异常",
    LogisticsStatus.RETURNED: "已退回",
    LogisticsStatus.FAILED_DELIVERY: "派送失败",
}
ACTION_LABELS: dict[str, str] = {
    "price": "改价",
    "postage": "改邮费",
    "address": "改地址",
    "remark": "改备注",
    "undo": "撤销",
    "tags": "改标签",
    "risk_set": "标记风险买家",
    "risk_clear": "解除风险标记",
    "approval_refused": "拒绝改价申请",
    "import": "导入更新",
    "platform_sync": "平台同步",
}
APPROVAL_LABELS = {
    "pending": "待主管审批",
    "granted": "已批准并生效",
    "refused": "已拒绝",
    "failed": "审批失败",
}


def yuan(fen: int) -> str:
    """19900 -> '¥199.00'; 129900 -> '¥1,299.00'."""
    sign = "-" if fen < 0 else ""
    whole, cents = divmod(abs(fen), 100)
    return f"{sign}¥{whole:,}.{cents:02d}"


def percent_label(basis_points: int) -> str:
    """1500 -> '15.00%'."""
    return f"{basis_points // 100}.{basis_points % 100:02d}%"
