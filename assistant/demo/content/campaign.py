"""The demo shop's Double 11 campaign: window, rules, variables and scripts.

Scripts may use ``{{ campaign.discount }}``, ``{{ campaign.ship_days }}``,
``{{ campaign.gift }}``, ``{{ buyer.nick }}`` and ``{{ shop.name }}``; the
``campaign.*`` values come from ``DOUBLE11["variables"]``.
"""

from __future__ import annotations

from .specs import CampaignScriptSpec, CampaignSpec, ScriptKind

__all__ = [
    "DOUBLE11",
    "EMERGENCY_SITUATIONS",
    "SCRIPT_PLACEHOLDERS",
    "CampaignScriptSpec",
    "CampaignSpec",
]

SCRIPT_PLACEHOLDERS: frozenset[str] = frozenset(
    {"campaign.discount", "campaign.ship_days", "campaign.gift", "buyer.nick", "shop.name"}
)

EMERGENCY_SITUATIONS: tuple[str, ...] = (
    "付款失败",
    "库存显示异常",
    "优惠券领不到",
    "物流爆仓/快递延迟",
    "页面打不开",
)


def _script(kind: ScriptKind, title: str, body: str, situation: str | None = None) -> CampaignScriptSpec:
    return {"kind": kind, "title": title, "body": body, "situation": situation}


_RULES = """\
1. 活动时间：11月1日0点至11月13日23:59，11月11日当天力度最大。
2. 满减：全店每满300减50，上不封顶，可与平台跨店满减、购物津贴和店铺券叠加。
3. 预售：部分爆款支持预售，付20元定金抵60元；尾款在11月11日0点至24点支付，逾期未付定金不退。
4. 赠品：单笔实付满299元送定制收纳袋1个，随包裹发出，数量有限送完即止；整单退货需一并退回。
5. 保价：11月1日至11月13日期间购买，活动结束前同款降价可联系客服补差价。
6. 发货：现货订单付款后3天内发出，预售订单付尾款后3–7天按付款顺序发出；偏远地区不参与包邮。
7. 限购：活动款每个ID限购2件，超出部分按日常价计算。"""

DOUBLE11: CampaignSpec = {
    "key": "double11_2026",
    "name": "双11狂欢节",
    "starts_at": "2026-11-01T00:00:00",
    "ends_at": "2026-11-13T23:59:59",
    "rules": _RULES,
    "variables": {
        "discount": "每满300减50",
        "ship_days": "3",
        "gift": "定制收纳袋",
        "gift_threshold": "满299元",
        "deposit": "定金20元抵60元",
        "final_payment": "11月11日0点至24点付尾款",
        "price_protect_until": "11月13日",
        "limit": "每个ID限购2件",
        "service_hours": "11月11日客服在线至次日凌晨2点",
    },
    "scripts": [
        _script(
            "welcome",
            "双11欢迎语",
            "亲，欢迎来到{{ shop.name }}！双11全店{{ campaign.discount }}，满299元还送{{ campaign.gift }}，领券下单更划算～",
        ),
        _script(
            "welcome",
            "老客欢迎语",
            "{{ buyer.nick }}亲，又见面啦！双11老客回购在{{ campaign.discount }}的基础上再享9折，看中的直接拍，付款后{{ campaign.ship_days }}天内发货。",
        ),
        _script(
            "welcome",
            "预售欢迎语",
            "亲，双11预售已开启，付20元定金抵60元，11日当天付尾款；现货款{{ campaign.discount }}，下单就能用。",
        ),
        _script(
            "waiting",
            "等候语",
            "亲，双11咨询的亲太多啦，回复稍慢请多包涵～页面能拍的都是现货，{{ campaign.discount }}下单自动计算，可以先自助下单哦。",
        ),
        _script(
            "waiting",
            "高峰等候语",
            "亲，现在排队的亲有点多，我们正在一位一位回复，大约需要3–5分钟；尺码和安装问题详情页都有写，可以先看看～",
        ),
        _script(
            "waiting",
            "发票备注提示",
            "亲，人多回复慢请见谅！需要发票的亲直接在订单备注里写上抬头和税号，我们会按备注开票。",
        ),
        _script(
            "closing",
            "成交结束语",
            "亲，感谢您对{{ shop.name }}的支持！双11订单量大，我们会在{{ campaign.ship_days }}天内尽快发货，请耐心等待，欢迎再次光临～",
        ),
        _script(
            "closing",
            "赠品提醒结束语",
            "亲，订单已收到，满299元的{{ campaign.gift }}会随包裹一起发出，不用另外拍；收到有任何问题随时找我们。",
        ),
        _script(
            "closing",
            "未成交结束语",
            "亲，再考虑考虑也没关系，{{ campaign.discount }}到11月13日晚上结束，看中了记得早点下单，热门颜色卖得很快哦。",
        ),
        _script(
            "closing",
            "售后结束语",
            "{{ buyer.nick }}亲，问题帮您处理好了，双11期间快递比平时慢一些，给您添麻烦了，感谢您的理解和支持～",
        ),
        _script(
            "auto_reply",
            "双11自动回复",
            "亲，欢迎光临{{ shop.name }}双11主场！全店{{ campaign.discount }}，满299元送{{ campaign.gift }}，现货付款后{{ campaign.ship_days }}天内发货。客服正在赶来，稍等片刻～",
        ),
        _script(
            "auto_reply",
            "夜间自动回复",
            "亲，现在是夜间，客服明早8:30上班会第一时间回复您；双11{{ campaign.discount }}全天有效，能拍的都有现货，可以直接下单哦。",
        ),
        _script(
            "emergency",
            "付款失败话术",
            "亲，非常抱歉，目前部分银行通道繁忙导致付款失败，我们已经在跟平台反馈。您可以稍后重试，或者换用余额、花呗付款，优惠不会失效。",
            "付款失败",
        ),
        _script(
            "emergency",
            "库存异常话术",
            "亲，很抱歉，因为访问量太大，页面库存显示有延迟，我们正在核对真实库存；您拍下的订单我们会优先确认，有货第一时间发出。",
            "库存显示异常",
        ),
        _script(
            "emergency",
            "优惠券领不到话术",
            "亲，实在抱歉，店铺券领取的人太多，系统有点卡，我们正在加紧处理；您先下单不付款，券恢复后我帮您改价到一样的价格。",
            "优惠券领不到",
        ),
        _script(
            "emergency",
            "物流爆仓话术",
            "{{ buyer.nick }}亲，很抱歉，双11快递网点爆仓，您的包裹预计会晚1–3天送达。我们已安排专人每天跟进，有进展第一时间通知您。",
            "物流爆仓/快递延迟",
        ),
        _script(
            "emergency",
            "快递停发话术",
            "亲，非常抱歉，受天气影响部分地区快递暂时停发，您的订单我们已经打包好，恢复揽收后第一批发出，请您谅解。",
            "物流爆仓/快递延迟",
        ),
        _script(
            "emergency",
            "页面打不开话术",
            "亲，很抱歉，活动页面访问人数太多暂时打不开，我们正在跟平台沟通；您可以从购物车或收藏夹直接进入商品下单，优惠照常计算。",
            "页面打不开",
        ),
    ],
}
