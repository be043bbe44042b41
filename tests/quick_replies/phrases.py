"""A small shop's phrase library written for the lookup tests (independent of the demo shop)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from quick_replies.keys import search_keys
from quick_replies.lookup import QuickReplyLibrary
from quick_replies.models import QuickReply, Scope
from quick_replies.rows import StoredQuickReply

SHOP, OTHER_SHOP = 1, 2
AGENT, TEAMMATE, STRANGER = 11, 12, 13
TEAM, OTHER_TEAM = 21, 22

# (code, title, body, group)
PHRASES: list[tuple[str, str, str, str]] = [
    ("hy", "欢迎语", "亲，欢迎光临{{ shop.name }}～我是客服{{ agent.name }}，有什么可以帮您？", "接待"),
    ("sd", "稍等", "亲，稍等一下哦，我帮您查一下，马上回复您～", "接待"),
    ("zx", "在线确认", "在的在的，亲您说～看到消息第一时间回您。", "接待"),
    ("zxsj", "在线时间", "客服在线时间是每天8:30到00:30，夜里留言第二天优先回复。", "接待"),
    ("fh", "发货时间", "亲，现货下单后48小时内发货，预售按页面时间发出哦。", "物流"),
    ("fh2", "发货地址", "我们从杭州仓和广州仓发货，系统会自动选择离您近的仓库。", "物流"),
    ("fhkd", "发什么快递", "默认发中通和圆通，偏远地区发邮政，不支持指定快递哦。", "物流"),
    ("kdy", "快递员联系方式", "快递员的电话在物流详情里可以看到，派送前会联系您。", "物流"),
    ("wlcx", "物流查询", "亲，在订单详情点“查看物流”就能看到最新进度～", "物流"),
    ("cq", "重庆地区时效", "发往重庆一般3到4天送达，山区会慢一天左右。", "物流"),
    ("xj", "新疆西藏运费", "新疆西藏地区需要补运费差价15元，拍下后联系客服改价。", "物流"),
    ("by", "包邮说明", "全店满59元包邮，偏远地区除外。", "优惠"),
    ("d11", "双11预售", "双11预售付定金立减，尾款11月11日0点开始支付。", "优惠"),
    ("d11by", "双11包邮", "双11期间全场包邮，{{ buyer.nick }}亲放心拍～", "优惠"),
    ("d11yh", "双11优惠叠加", "双11跨店满减可以和店铺券叠加使用，下单页面会自动计算。", "优惠"),
    ("yhq", "优惠券领取", "店铺首页领取5元无门槛优惠券，下单时自动抵扣。", "优惠"),
    ("jg", "价格保护", "下单后7天内降价可以申请价保，补差价给您。", "优惠"),
    ("tk", "退款流程", "在订单页申请退款，选择原因后提交，我们会尽快审核。", "售后"),
    ("tkl", "退款了吗", "亲，退款已经在处理了，一般1到3个工作日原路退回。", "售后"),
    ("th", "退货地址", "退货请寄到杭州市余杭区仓前街道售后组，备注订单号。", "售后"),
    ("hh", "换货说明", "收到后尺码不合适可以换货，不影响二次销售即可。", "售后"),
    ("qrsh", "确认收货", "亲，收到宝贝没问题的话麻烦确认收货哦，谢谢支持～", "售后"),
    ("hp", "好评邀请", "如果满意的话给个五星好评吧，晒图还能返现5元哦。", "售后"),
    ("cp", "差评处理", "非常抱歉给您不好的体验，我们马上帮您处理，请给我们一次机会。", "售后"),
    ("zlwt", "质量问题", "质量问题我们承担来回运费，麻烦拍照发给我看看。", "售后"),
    ("hk", "花呗还款", "花呗还款按照支付宝的账单日，提前还款不收手续费。", "支付"),
    ("fq", "分期付款", "支持花呗分期，3期免息，下单时选择花呗分期即可。", "支付"),
    ("fp", "发票说明", "可以开电子发票，下单时填写抬头和税号，发货后24小时内开出。", "支付"),
    ("gj", "改价格", "亲，拍下先不要付款，我这边帮您修改价格。", "支付"),
    ("cd", "裤子长度", "这款裤子长度约95厘米，身高160左右穿到脚踝。", "尺码"),
    ("zd", "宝宝长大", "宝宝长大很快，建议按现在身高再加5厘米选码。", "尺码"),
    ("cm", "尺码推荐", "麻烦告诉我身高体重，我帮您推荐合适的尺码～", "尺码"),
    ("cmb", "尺码表", "尺码表在详情页第三屏，衣长胸围都有标注。", "尺码"),
    ("xl", "XL码有货吗", "XL码目前有现货，今天下单明天发出。", "尺码"),
    ("zp", "正品保证", "我们是品牌天猫旗舰店，所有商品都是正品，假一赔四。", "商品"),
    ("cz", "材质说明", "{{ item.title }}的材质在详情页“商品参数”里都有写。", "商品"),
    ("sc", "色差说明", "图片都是实物拍摄，不同屏幕会有一点点色差。", "商品"),
    ("bx", "保修政策", "家电类商品保修一年，出现问题直接找客服。", "商品"),
    ("qh", "缺货补货", "这个颜色暂时缺货，预计7天后补货，可以先点到货提醒。", "商品"),
    ("lp", "礼品包装", "需要送人的话可以备注礼品包装，免费加礼盒和贺卡。", "商品"),
    ("cfd", "催付款", "亲，您的订单还没有付款哦，库存有限，尽快付款我们马上发货～", "催付"),
    ("gdz", "改地址", "亲，麻烦把新的收货地址发给我，发货前都可以修改。", "订单"),
    ("bz", "订单备注", "您的要求我已经备注在订单上了，仓库会按备注处理。", "订单"),
    ("jsy", "结束语", "感谢您的支持，祝您生活愉快，有问题随时找我～", "接待"),
]

PERSONAL = [("wdfh", "我的发货话术", "亲，小美这边帮您催一下仓库，今天一定发出！", "个人")]
TEAM_PHRASES = [("tdfh", "团队发货口径", "今天仓库爆单，发货会晚一天，我们会优先处理您的订单。", "团队")]
_GROUP_IDS: dict[str, int] = {}
OTHER_SHOP_PHRASES = [("fh", "隔壁店发货", "隔壁店的发货说明，不应该出现在本店。", "物流")]


def phrase(
    phrase_id: int,
    code: str,
    title: str,
    body: str,
    group: str,
    *,
    shop_id: int = SHOP,
    scope: str = "shop",
    team_id: int | None = None,
    owner: int | None = None,
    enabled: bool = True,
    valid_from: datetime | None = None,
    valid_until: datetime | None = None,
    version: int = 1,
) -> StoredQuickReply:
    """A phrase as the store returns it, with keys computed as a save would."""
    reply = QuickReply(
        id=phrase_id, shop_id=shop_id, group_id=_GROUP_IDS.setdefault(group, len(_GROUP_IDS) + 1),
        scope=Scope(scope), team_id=team_id, owner_agent_id=owner, code=code, title=title, body=body,
        enabled=enabled, valid_from=valid_from, valid_until=valid_until, position=phrase_id, version=version,
    )  # fmt: skip
    return StoredQuickReply(
        reply=reply, group_name=group, group_position=0, search_keys=search_keys(title, body)
    )


def edited(stored: StoredQuickReply, **changes: Any) -> StoredQuickReply:
    """``stored`` saved again with ``changes`` (its keys recomputed, as a save does)."""
    reply = stored.reply.model_copy(update=changes)
    return stored.model_copy(update={"reply": reply, "search_keys": search_keys(reply.title, reply.body)})


def library_phrases() -> list[StoredQuickReply]:
    phrases = [phrase(i, *p) for i, p in enumerate(PHRASES, start=1)]
    n = len(phrases)
    phrases += [phrase(n + 1, *PERSONAL[0], scope="personal", owner=AGENT)]
    phrases += [phrase(n + 2, *TEAM_PHRASES[0], scope="team", team_id=TEAM)]
    phrases += [phrase(n + 3, *OTHER_SHOP_PHRASES[0], shop_id=OTHER_SHOP)]
    return phrases


def build_library(phrases: list[StoredQuickReply] | None = None) -> QuickReplyLibrary:
    library = QuickReplyLibrary()
    library.load(
        phrases if phrases is not None else library_phrases(),
        [],
        {AGENT: TEAM, TEAMMATE: TEAM, STRANGER: OTHER_TEAM},
    )
    return library


def codes(
    library: QuickReplyLibrary,
    q: str,
    agent: int = AGENT,
    team: int | None = TEAM,
    shop: int = SHOP,
    limit: int = 10,
    moment: datetime | None = None,
) -> list[str]:
    return [r.code for r in library.search(shop, agent, team, q, limit, moment=moment)]
