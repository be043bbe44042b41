"""Buyer intents (what buyers ask), hot-item answers and synonym groups.

``INTENTS`` feed the answer suggester: keywords, real-looking buyer
messages and one to three answers. Every intent has a ``topic`` from the
fixed :data:`~assistant.demo.content.specs.Topic` set; intents that only
make sense for certain order states list them in ``requires_order_status``.
"""

from __future__ import annotations

from typing import get_args

from ._hot_items import HOT_ITEM_INTENTS
from ._intents_after import ORDER_INTENTS
from ._intents_presale import PRESALE_INTENTS
from .catalog import HOT_SKUS
from .quick_replies import PLACEHOLDERS
from .specs import HotItemIntentSpec, IntentSpec, OrderStatus, Topic

__all__ = [
    "HOT_ITEM_INTENTS",
    "HOT_SKUS",
    "INTENTS",
    "ORDER_STATUSES",
    "PLACEHOLDERS",
    "SYNONYMS",
    "TOPICS",
    "HotItemIntentSpec",
    "IntentSpec",
]

TOPICS: tuple[Topic, ...] = get_args(Topic)
ORDER_STATUSES: tuple[OrderStatus, ...] = get_args(OrderStatus)

INTENTS: list[IntentSpec] = [*PRESALE_INTENTS, *ORDER_INTENTS]

SYNONYMS: list[list[str]] = [
    ["发货", "寄出", "发出", "出库", "寄件"],
    ["快递", "物流", "包裹", "快件"],
    ["包邮", "免运费", "免邮", "不要运费"],
    ["运费", "邮费", "快递费"],
    ["退款", "退钱", "返款", "退回款"],
    ["退货", "退回", "寄回", "退掉"],
    ["换货", "调换", "更换"],
    ["尺码", "码数", "尺寸", "号码", "码"],
    ["优惠券", "券", "红包", "折扣券"],
    ["便宜", "实惠", "划算", "优惠"],
    ["客服", "掌柜", "店家", "卖家"],
    ["在吗", "在不在", "有人吗", "在线吗"],
    ["多久", "几天", "多长时间", "什么时候"],
    ["到货", "收到", "送到", "到了"],
    ["签收", "收货", "已签收"],
    ["单号", "快递单号", "运单号", "物流单号"],
    ["地址", "收货地址", "收件地址"],
    ["发票", "开票", "票据"],
    ["抬头", "发票抬头", "公司名称"],
    ["付款", "支付", "付钱", "买单"],
    ["花呗", "分期", "先用后付"],
    ["质量问题", "坏了", "有问题", "故障"],
    ["破损", "破了", "碎了", "压坏"],
    ["色差", "颜色不一样", "颜色不对"],
    ["四件套", "床品套件", "床单被套"],
    ["被芯", "被子", "棉被"],
    ["枕芯", "枕头"],
    ["家居服", "睡衣", "居家服"],
    ["电饭煲", "电饭锅"],
    ["吸顶灯", "顶灯", "房灯"],
    ["灯泡", "球泡", "光源"],
    ["置物架", "货架", "层架", "收纳架"],
    ["安装", "组装", "装"],
    ["说明书", "使用说明", "手册"],
    ["双11", "双十一", "1111", "雙11"],
    ["定金", "订金", "预付款"],
    ["会员", "VIP", "粉丝"],
    ["赠品", "礼物", "小样", "送的"],
]
