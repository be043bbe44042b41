"""Synonyms every shop starts with: the words buyers use for the same thing in any shop.

A broader customer-service lexicon of related phrasings is in ``knowledge.lexicon``: the matcher
adds what it rewrites at a lower weight instead of rewriting (``knowledge.index.Analyzer``).

Each group's first word is its canonical form; the matcher rewrites every other word of
the group to it, in the knowledge base and in buyer messages alike.  Groups that share a word
are one group; a shop's own groups (edited in the knowledge base) come first, so where they
overlap a built-in group the shop's first word heads the joined group.  Single characters
are avoided on purpose: 寄 ≈ 发货 would turn 寄回 into nonsense.
"""

from __future__ import annotations

from collections.abc import Iterable

DEFAULT_SYNONYMS: tuple[tuple[str, ...], ...] = (
    ("发货", "寄出", "发出", "出货", "发走", "寄走", "寄出来", "发出来"),
    ("快递", "物流", "快递公司", "物流公司"),
    ("包邮", "免运费", "免邮", "免邮费"),
    ("运费", "邮费", "快递费"),
    ("优惠", "折扣", "打折", "优惠价"),
    ("退款", "退钱", "退费"),
    ("说明书", "使用说明", "教程", "操作说明", "使用教程"),
    ("安装", "组装"),
    ("正品", "真货", "行货"),
    ("赠品", "小礼物", "赠送的东西"),
    ("人工", "真人", "人工客服", "真人客服"),
    ("定制", "定做", "订制", "客制化", "订做"),
    ("样品", "小样", "试用装", "试用品"),
    ("尺码", "码数", "码子"),
    ("有货", "现货", "有库存", "存货"),
    ("补货", "进货", "来货", "补仓"),
    ("实体店", "门店", "门市", "线下店", "专柜"),
    ("开发票", "开票"),
    ("运费险", "退货险", "退货运费险"),
    ("异味", "气味", "怪味", "臭味"),
    ("掉色", "褪色", "掉颜色"),
    ("起球", "起毛球", "起毛"),
    ("掉毛", "掉絮", "掉毛絮"),
    ("价格", "价钱", "价位", "售价"),
    ("保修", "质保", "保固"),
    ("维修", "修理"),
    ("会员", "vip", "会员卡"),
    ("单号", "运单号", "快递单号", "物流单号"),
    ("收货地址", "收件地址"),
    ("手机号", "电话号码", "手机号码", "联系电话"),
    ("取消", "撤销"),
    ("什么时候", "啥时候", "何时", "几时", "什么时间"),
    ("多久", "多长时间", "多少天"),
    ("婴儿", "宝宝", "小孩", "儿童", "孩子"),
    ("退货", "退回去"),
    ("换货", "调换"),
    ("好评", "五星好评"),
    ("活动", "大促", "促销"),
    ("双11", "双十一"),
    ("下单", "拍下", "购买"),
    ("付款", "支付", "付钱", "给钱"),
    ("驿站", "快递柜", "菜鸟驿站"),
    ("丢件", "丢失", "弄丢", "寄丢"),
    ("破损", "损坏", "摔坏", "碎了"),
    ("少发", "漏发", "少寄", "缺件"),
    ("发错", "寄错", "错发"),
    ("自提", "自取"),
    ("产地", "原产地", "生产地"),
    ("材质", "面料", "料子"),
    ("保质期", "有效期"),
    ("降价", "便宜了"),
    ("涨价", "变贵", "贵了"),
)


def merged(shop_groups: Iterable[Iterable[str]], *, defaults: bool = True) -> list[list[str]]:
    """The shop's groups first (their first word heads a group they share a word with), then the defaults."""
    groups = [list(g) for g in shop_groups]
    if defaults:
        groups.extend(list(g) for g in DEFAULT_SYNONYMS)
    return groups
