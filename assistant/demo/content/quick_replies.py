"""Quick replies (快捷短语) of the demo shop, grouped the way the team uses them.

Codes are pinyin initials of the idea (``fh`` 发货时间, ``tkjd`` 退款进度);
a trailing digit marks a numbered variant of an existing code (``fh2``).
Bodies may use the jinja2 placeholders listed in ``PLACEHOLDERS``.
"""

from __future__ import annotations

from . import _qr_aftersale as after
from . import _qr_presale as pre
from .specs import QuickReplyGroupSpec, QuickReplySpec

__all__ = [
    "GROUPS",
    "PERSONAL",
    "PLACEHOLDERS",
    "QuickReplyGroupSpec",
    "QuickReplySpec",
    "all_phrases",
]

PLACEHOLDERS: frozenset[str] = frozenset(
    {
        "buyer.nick",
        "buyer.name",
        "item.title",
        "order.id",
        "order.tracking_no",
        "order.courier",
        "campaign.name",
        "campaign.discount",
        "shop.name",
        "agent.name",
    }
)


def _phrase(row: tuple[str, str, str, str], campaign_only: bool = False) -> QuickReplySpec:
    code, title, body, tags = row
    return {
        "code": code,
        "title": title,
        "body": body,
        "tags": [tag for tag in tags.split(",") if tag],
        "campaign_only": campaign_only,
    }


def _group(
    key: str, name: str, rows: list[tuple[str, str, str, str]], campaign_only: bool = False
) -> QuickReplyGroupSpec:
    return {"key": key, "name": name, "phrases": [_phrase(row, campaign_only) for row in rows]}


GROUPS: list[QuickReplyGroupSpec] = [
    _group("welcome", "欢迎问候", pre.WELCOME),
    _group("product", "商品咨询", pre.PRODUCT),
    _group("size", "尺码推荐", pre.SIZE),
    _group("promotion", "优惠活动", pre.PRICE),
    _group("payment", "催付", pre.PAYMENT),
    _group("shipping", "发货物流", after.SHIPPING),
    _group("address", "地址修改", after.ADDRESS),
    _group("invoice", "发票", after.INVOICE),
    _group("install", "安装使用", after.INSTALL),
    _group("quality", "商品质量", after.QUALITY),
    _group("return", "售后退换", after.RETURN),
    _group("refund", "退款进度", after.REFUND),
    _group("soothe", "售后安抚", after.SOOTHE),
    _group("review", "评价会员", after.REVIEW),
    _group("closing", "结束语", after.CLOSING),
    _group("double11", "双11", after.DOUBLE11, campaign_only=True),
]

PERSONAL: dict[str, list[QuickReplySpec]] = {
    "xiaomei": [
        _phrase(
            (
                "mm",
                "小美开场",
                "亲，我是小美～今天由我来接待您，有什么想问的都可以直接说，我会耐心解答的。",
                "个人,欢迎",
            )
        ),
        _phrase(
            (
                "mmtj",
                "小美推荐",
                "亲，我自己家里用的就是这款60支四件套，洗了半年还是很软，真心推荐～",
                "个人,推荐",
            )
        ),
        _phrase(
            (
                "mmcm",
                "小美量尺码",
                "亲，我身高163、体重52kg穿M码刚好，您可以参考一下，比我壮一点就拍L。",
                "个人,尺码",
            )
        ),
        _phrase(
            (
                "mmxb",
                "小美下班",
                "亲，我马上要下班啦，您的问题已经交接给晚班同事，{{ buyer.nick }}有事直接留言就行～",
                "个人,交接",
            )
        ),
        _phrase(
            (
                "mmjs",
                "小美结束",
                "亲，谢谢您今天耐心跟我聊这么久，收到货有问题一定要第一时间找小美哦～",
                "个人,结束",
            )
        ),
    ],
    "ajie": [
        _phrase(
            (
                "aj",
                "阿杰开场",
                "亲，您好，我是售后阿杰，订单的物流、退换和安装问题都可以交给我处理。",
                "个人,欢迎",
            )
        ),
        _phrase(
            (
                "ajaz",
                "阿杰教安装",
                "亲，置物架我自己装过好几次，关键是层板从下往上装，每层用橡胶锤敲到位就不会晃。",
                "个人,安装",
            )
        ),
        _phrase(
            (
                "ajwl",
                "阿杰查物流",
                "亲，我刚打电话问了{{ order.courier }}网点，快递员说今天下午就能派送到您那里。",
                "个人,物流,快递员",
            )
        ),
        _phrase(
            (
                "ajgj",
                "阿杰跟进",
                "亲，您的售后单我设了提醒，明天上午我会主动把处理结果发给您，不用再来问。",
                "个人,跟进",
            )
        ),
        _phrase(
            (
                "ajjs",
                "阿杰结束",
                "亲，问题处理好了就好，以后安装使用上遇到麻烦，直接找阿杰就行，祝您生活愉快～",
                "个人,结束",
            )
        ),
    ],
}


def all_phrases() -> list[QuickReplySpec]:
    """Every shop-wide phrase, group order then row order (personal ones excluded)."""
    return [phrase for group in GROUPS for phrase in group["phrases"]]
