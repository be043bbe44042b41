"""What an answer template may use: the documented context variables and sample contexts.

A template sees six objects (``buyer``, ``item``, ``order``, ``campaign``, ``shop``,
``agent``) plus ``now`` (the current time in the shop's time zone).  Their fields are
listed here, with a description each, so that the linter can flag ``{{ buyer.nik }}``
and the editor can show what is available.  ``campaign`` is open: besides the listed
fields it carries the campaign's own variables (``discount``, ``ship_by_days``, ``gift``…).

Sample contexts let an editor preview a template as a new buyer, a returning buyer with
an unpaid order, a buyer whose parcel shipped, and so on.
"""

from __future__ import annotations

import copy
from typing import Any

#: object -> field -> description.  Money fields end in ``_fen`` (integer fen; use ``|money``).
CONTEXT_VARIABLES: dict[str, dict[str, str]] = {
    "buyer": {
        "nick": "买家旺旺名",
        "name": "买家称呼（真实姓名或昵称）",
        "level": "平台等级，例如 V3",
        "member_tier": "店铺会员等级，例如 金卡会员（非会员为空）",
        "is_new": "是否新客（true/false）",
        "orders_count": "在本店的订单数",
    },
    "item": {
        "id": "商品编号",
        "title": "商品标题",
        "sku": "商家编码",
        "category": "类目",
        "price_fen": "价格（分）",
        "stock": "库存件数",
        "selling_points": "卖点列表",
        "size_chart": "尺码表",
        "installation": "安装说明",
        "usage_notes": "使用注意事项",
        "in_box": "包装清单",
    },
    "order": {
        "id": "订单号",
        "status": "订单状态：awaiting_payment / paid / shipped / delivered / completed / cancelled / refunding / refunded",
        "status_text": "订单状态（中文）",
        "total_fen": "实付金额（分）",
        "postage_fen": "运费（分）",
        "created_at": "下单时间",
        "paid_at": "付款时间",
        "shipped_at": "发货时间",
        "courier": "快递公司",
        "tracking_no": "快递单号",
        "receiver": "收货人",
        "address": "收货地址",
    },
    "campaign": {
        "name": "活动名称",
        "starts_at": "开始时间",
        "ends_at": "结束时间",
        "rules": "活动规则",
        "discount": "优惠（活动变量，示例）",
        "ship_by_days": "几天内发货（活动变量，示例）",
        "gift": "赠品（活动变量，示例）",
    },
    "shop": {"name": "店铺名称", "code": "店铺编码"},
    "agent": {"name": "客服名字", "login": "客服登录名"},
    "now": {},
}

#: Objects whose fields are not a closed list (campaign variables are defined per campaign).
OPEN_OBJECTS: frozenset[str] = frozenset({"campaign"})

#: Documented filters: name -> description (used by docs and the editor).
FILTERS: dict[str, str] = {
    "money": "分 → 元，带 ¥：12950 → ¥129.50，12900 → ¥129",
    "yuan": "分 → 元数字：12950 → 129.5",
    "date": "日期：默认 11月11日；date('long') → 2026年11月11日，date('time') → 11月11日 14:30，date('weekday') → 周三",
    "relday": "相对今天的中文说法：今天 / 明天 / 后天 / 大后天 / 昨天 / 前天 / 5天后 / 3天前",
    "add_days": "加几天：now|add_days(campaign.ship_by_days)|date",
    "default": "缺值时用给定文字：buyer.name|default('亲')",
    "join": "把列表连成文字：item.in_box|join('、')",
    "upper": "转大写",
    "lower": "转小写",
    "trim": "去掉首尾空白",
    "truncate": "截断到给定长度",
    "length": "列表或文字的长度",
    "first": "列表的第一项",
    "last": "列表的最后一项",
    "round": "四舍五入",
    "int": "转整数",
    "replace": "替换文字",
}

_SHOP = {"name": "暖居生活旗舰店", "code": "nuanju"}
_AGENT = {"name": "小美", "login": "xiaomei"}
_ITEM = {
    "id": 101,
    "title": "加厚珊瑚绒四件套 1.8m床",
    "sku": "SET-180-CORAL",
    "category": "床品套件",
    "price_fen": 25900,
    "stock": 36,
    "selling_points": ["A类母婴级面料", "不掉毛不起球", "双面可用"],
    "size_chart": "1.5m床：被套200×230cm；1.8m床：被套220×240cm",
    "installation": None,
    "usage_notes": "首次使用前请冷水单独洗涤",
    "in_box": ["被套×1", "床单×1", "枕套×2"],
}
_CAMPAIGN = {
    "name": "双11狂欢节",
    "starts_at": "2026-11-10T20:00:00+08:00",
    "ends_at": "2026-11-11T23:59:59+08:00",
    "rules": "全店满300减40，前1小时下单送同款枕套",
    "discount": "满300减40",
    "ship_by_days": 3,
    "gift": "同款枕套一只",
}

#: Sample contexts for preview and lint, by name.
SAMPLE_CONTEXTS: dict[str, dict[str, Any]] = {
    "new_buyer": {
        "buyer": {
            "nick": "tb_小雨点",
            "name": "小雨",
            "level": "V2",
            "member_tier": "",
            "is_new": True,
            "orders_count": 0,
        },
        "item": _ITEM,
        "shop": _SHOP,
        "agent": _AGENT,
        "now": "2026-11-08T10:30:00+08:00",
    },
    "unpaid_order": {
        "buyer": {
            "nick": "jianing_88",
            "name": "佳宁",
            "level": "V4",
            "member_tier": "金卡会员",
            "is_new": False,
            "orders_count": 5,
        },
        "item": _ITEM,
        "order": {
            "id": "3109927711",
            "status": "awaiting_payment",
            "status_text": "待付款",
            "total_fen": 25900,
            "postage_fen": 0,
            "created_at": "2026-11-08T10:12:00+08:00",
            "paid_at": None,
            "shipped_at": None,
            "courier": None,
            "tracking_no": None,
            "receiver": "王佳宁",
            "address": "浙江省杭州市西湖区文三路 90 号",
        },
        "shop": _SHOP,
        "agent": _AGENT,
        "now": "2026-11-08T10:30:00+08:00",
    },
    "shipped_order": {
        "buyer": {
            "nick": "阿杰zz",
            "name": "阿杰",
            "level": "V3",
            "member_tier": "银卡会员",
            "is_new": False,
            "orders_count": 2,
        },
        "item": _ITEM,
        "order": {
            "id": "3109912345",
            "status": "shipped",
            "status_text": "已发货",
            "total_fen": 21900,
            "postage_fen": 0,
            "created_at": "2026-11-05T21:02:00+08:00",
            "paid_at": "2026-11-05T21:03:00+08:00",
            "shipped_at": "2026-11-06T16:40:00+08:00",
            "courier": "中通快递",
            "tracking_no": "ZT7788123456",
            "receiver": "李杰",
            "address": "广东省深圳市南山区科技园南区 8 栋",
        },
        "shop": _SHOP,
        "agent": _AGENT,
        "now": "2026-11-08T10:30:00+08:00",
    },
    "campaign": {
        "buyer": {
            "nick": "momo的小店",
            "name": "",
            "level": "V1",
            "member_tier": "",
            "is_new": True,
            "orders_count": 0,
        },
        "item": _ITEM,
        "campaign": _CAMPAIGN,
        "shop": _SHOP,
        "agent": _AGENT,
        "now": "2026-11-11T00:20:00+08:00",
    },
}


def sample_context(name: str) -> dict[str, Any]:
    """A deep copy of one sample context (KeyError for an unknown name)."""
    return copy.deepcopy(SAMPLE_CONTEXTS[name])
