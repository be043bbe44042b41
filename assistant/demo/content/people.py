"""Material for deterministic buyers, addresses and logistics timelines.

Everything here is data plus tiny helpers that take a ``random.Random`` so
the caller controls the seed.
"""

from __future__ import annotations

import random

from .specs import CourierSpec, LogisticsStepSpec, NickPartsSpec, RemarkSpec, RiskNoteSpec

__all__ = [
    "BUILDING_PATTERNS",
    "BUYER_NOTES",
    "COMMUNITIES",
    "COURIERS",
    "GIVEN_NAMES",
    "LOGISTICS_STEPS",
    "NICK_PARTS",
    "REGIONS",
    "REMARKS",
    "RISK_NOTES",
    "STREETS",
    "SURNAMES",
    "TRANSIT_HUBS",
    "make_mobile",
    "make_nick",
    "make_street_address",
    "make_tracking_no",
]

SURNAMES: list[str] = [
    "王", "李", "张", "刘", "陈", "杨", "黄", "赵", "吴", "周",
    "徐", "孙", "马", "朱", "胡", "郭", "何", "林", "罗", "高",
    "郑", "梁", "谢", "宋", "唐", "许", "韩", "冯", "邓", "曹",
    "彭", "曾", "肖", "田", "董", "潘", "袁", "蒋", "蔡", "余",
    "杜", "叶", "程", "魏", "苏", "吕", "丁", "沈", "任", "姚",
    "欧阳", "司马", "上官",
]  # fmt: skip

GIVEN_NAMES: list[str] = [
    "伟", "芳", "娜", "敏", "静", "丽", "强", "磊", "洋", "艳",
    "勇", "军", "杰", "娟", "涛", "超", "明", "霞", "秀英", "桂英",
    "子涵", "欣怡", "梓萱", "一诺", "浩然", "宇轩", "思远", "雨桐", "佳怡", "梦瑶",
    "晓燕", "海燕", "建华", "志强", "丽娟", "春梅", "文博", "嘉怡", "俊杰", "诗涵",
    "婷婷", "晨阳", "若曦", "天佑", "语嫣", "可馨", "家豪", "明轩", "慧敏", "雅琴",
]  # fmt: skip

NICK_PARTS: NickPartsSpec = {
    "subjects": [
        "小鹿",
        "阿花",
        "胖虎",
        "团子",
        "橘猫",
        "兔兔",
        "木子",
        "小满",
        "阿杏",
        "豆豆",
        "七七",
        "大橙子",
    ],
    "actions": [
        "爱吃糖",
        "不吃香菜",
        "在发呆",
        "要早睡",
        "会发光",
        "想去海边",
        "爱囤货",
        "今天也努力",
        "在减肥",
        "喝奶茶",
    ],
    "modifiers": [
        "晴天的",
        "午后的",
        "会飞的",
        "安静的",
        "爱笑的",
        "慢吞吞的",
        "不加糖的",
        "下雨天的",
        "向日葵的",
        "深夜的",
    ],
    "nouns": ["猫", "鱼", "橘子", "风", "月亮", "小熊", "布丁", "樱桃", "蘑菇", "星星"],
    "latin_prefixes": ["tb_", "tb", "coco_", "sunny", "lily_", "momo"],
    "patterns": [
        "{subject}{action}",
        "{modifier}{noun}",
        "{latin}{digits}",
        "{subject}{digits}",
        "{modifier}{subject}",
    ],
}

# (province, city, district): real names, full official forms.
REGIONS: list[tuple[str, str, str]] = [
    ("浙江省", "杭州市", "余杭区"),
    ("浙江省", "杭州市", "临平区"),
    ("浙江省", "杭州市", "钱塘区"),
    ("浙江省", "杭州市", "西湖区"),
    ("浙江省", "杭州市", "拱墅区"),
    ("浙江省", "宁波市", "鄞州区"),
    ("浙江省", "温州市", "鹿城区"),
    ("浙江省", "金华市", "义乌市"),
    ("上海市", "上海市", "浦东新区"),
    ("上海市", "上海市", "闵行区"),
    ("上海市", "上海市", "徐汇区"),
    ("北京市", "北京市", "朝阳区"),
    ("北京市", "北京市", "海淀区"),
    ("北京市", "北京市", "丰台区"),
    ("天津市", "天津市", "滨海新区"),
    ("天津市", "天津市", "南开区"),
    ("重庆市", "重庆市", "渝北区"),
    ("重庆市", "重庆市", "沙坪坝区"),
    ("广东省", "广州市", "天河区"),
    ("广东省", "广州市", "番禺区"),
    ("广东省", "深圳市", "南山区"),
    ("广东省", "深圳市", "宝安区"),
    ("广东省", "深圳市", "龙华区"),
    ("广东省", "佛山市", "顺德区"),
    ("江苏省", "南京市", "江宁区"),
    ("江苏省", "苏州市", "吴中区"),
    ("江苏省", "苏州市", "姑苏区"),
    ("江苏省", "无锡市", "滨湖区"),
    ("四川省", "成都市", "武侯区"),
    ("四川省", "成都市", "双流区"),
    ("四川省", "成都市", "郫都区"),
    ("湖北省", "武汉市", "洪山区"),
    ("湖北省", "武汉市", "江汉区"),
    ("湖南省", "长沙市", "岳麓区"),
    ("湖南省", "长沙市", "雨花区"),
    ("山东省", "青岛市", "黄岛区"),
    ("山东省", "济南市", "历下区"),
    ("河南省", "郑州市", "金水区"),
    ("河北省", "石家庄市", "长安区"),
    ("福建省", "厦门市", "思明区"),
    ("福建省", "福州市", "鼓楼区"),
    ("安徽省", "合肥市", "蜀山区"),
    ("江西省", "南昌市", "红谷滩区"),
    ("陕西省", "西安市", "雁塔区"),
    ("辽宁省", "沈阳市", "浑南区"),
    ("辽宁省", "大连市", "甘井子区"),
    ("吉林省", "长春市", "朝阳区"),
    ("黑龙江省", "哈尔滨市", "南岗区"),
    ("云南省", "昆明市", "五华区"),
    ("贵州省", "贵阳市", "观山湖区"),
    ("广西壮族自治区", "南宁市", "青秀区"),
    ("海南省", "海口市", "美兰区"),
    ("山西省", "太原市", "小店区"),
    ("内蒙古自治区", "呼和浩特市", "赛罕区"),
    ("新疆维吾尔自治区", "乌鲁木齐市", "天山区"),
    ("甘肃省", "兰州市", "城关区"),
    ("宁夏回族自治区", "银川市", "兴庆区"),
    ("西藏自治区", "拉萨市", "城关区"),
    ("青海省", "西宁市", "城西区"),
]

STREETS: list[str] = [
    "文一西路", "人民路", "解放大道", "中山北路", "建设路", "长江路", "和平街", "学院路",
    "东风路", "幸福大街", "新华路", "迎宾大道", "科技园路", "滨江路", "桂花路", "龙华大道",
    "南京西路", "天府大道", "金沙江路", "五四路", "青年路", "湖滨路", "世纪大道", "光明路",
]  # fmt: skip

COMMUNITIES: list[str] = [
    "阳光花园", "绿城桂花苑", "万科城市之光", "碧桂园", "金地自在城", "龙湖春江郦城", "保利香槟国际",
    "翠苑一区", "锦绣江南", "华润悦府", "东方名苑", "幸福里小区", "滨江金色家园", "融创玖樾府",
]  # fmt: skip

# str.format fields: {street} {no} {community} {building} {unit} {room} {floor}
BUILDING_PATTERNS: list[str] = [
    "{street}{no}号{community}{building}幢{unit}单元{room}室",
    "{street}{no}号{community}{building}栋{room}",
    "{community}{building}号楼{unit}单元{room}",
    "{street}{no}号{building}栋{floor}楼",
    "{street}{no}弄{building}号{room}室",
    "{street}{no}号{community}{building}-{unit}-{room}",
    "{street}{no}号科技大厦{floor}层前台",
    "{street}{no}号{community}菜鸟驿站",
]

COURIERS: list[CourierSpec] = [
    {
        "code": "zto",
        "name": "中通快递",
        "hotline": "95311",
        "prefix": "78",
        "digits": 12,
        "pattern": r"^78\d{12}$",
    },
    {
        "code": "yto",
        "name": "圆通速递",
        "hotline": "95554",
        "prefix": "YT",
        "digits": 13,
        "pattern": r"^YT\d{13}$",
    },
    {
        "code": "sf",
        "name": "顺丰速运",
        "hotline": "95338",
        "prefix": "SF",
        "digits": 13,
        "pattern": r"^SF\d{13}$",
    },
    {
        "code": "yunda",
        "name": "韵达快递",
        "hotline": "95546",
        "prefix": "46",
        "digits": 13,
        "pattern": r"^46\d{13}$",
    },
    {
        "code": "sto",
        "name": "申通快递",
        "hotline": "95543",
        "prefix": "77",
        "digits": 13,
        "pattern": r"^77\d{13}$",
    },
    {
        "code": "jd",
        "name": "京东物流",
        "hotline": "950616",
        "prefix": "JDVA",
        "digits": 11,
        "pattern": r"^JDVA\d{11}$",
    },
    {
        "code": "ems",
        "name": "EMS",
        "hotline": "11183",
        "prefix": "11",
        "digits": 11,
        "pattern": r"^11\d{11}$",
    },
]

TRANSIT_HUBS: list[str] = [
    "杭州转运中心", "上海转运中心", "广州白云转运中心", "深圳转运中心", "苏州转运中心",
    "南京转运中心", "武汉转运中心", "郑州转运中心", "成都转运中心", "重庆转运中心",
    "北京转运中心", "济南转运中心", "西安转运中心", "长沙转运中心", "沈阳转运中心",
]  # fmt: skip

# Texts use str.format fields: {courier} {origin} {origin_hub} {hub} {city}
# {district} {name} {phone}; origin is the warehouse city (杭州市 or 广州市).
LOGISTICS_STEPS: list[LogisticsStepSpec] = [
    {"code": "collected", "stage": "collected", "is_exception": False,
     "text": "【{origin}】{courier} {origin}仓储揽收网点 已揽收"},
    {"code": "left_origin", "stage": "in_transit", "is_exception": False,
     "text": "【{origin}】快件已从 {origin}仓储揽收网点 发出，下一站【{origin_hub}】"},
    {"code": "arrive_hub", "stage": "in_transit", "is_exception": False,
     "text": "运输中 快件已到达【{hub}】"},
    {"code": "leave_hub", "stage": "in_transit", "is_exception": False,
     "text": "运输中 快件已从【{hub}】发出，准备发往【{city}】"},
    {"code": "arrive_city", "stage": "in_transit", "is_exception": False,
     "text": "【{city}】快件已到达 {district}营业部"},
    {"code": "dispatching", "stage": "dispatching", "is_exception": False,
     "text": "【{city}】{district}营业部 派送中，快递员：{name}，电话：{phone}，请保持电话畅通"},
    {"code": "station", "stage": "dispatching", "is_exception": False,
     "text": "【{city}】快件已放入{district}菜鸟驿站，请凭取件码及时领取，如有疑问请联系快递员{name}（{phone}）"},
    {"code": "signed", "stage": "delivered", "is_exception": False,
     "text": "【{city}】已签收，签收人：本人，感谢使用{courier}，期待再次为您服务"},
    {"code": "signed_other", "stage": "delivered", "is_exception": False,
     "text": "【{city}】已签收，签收人：门卫代收，如有疑问请联系快递员{name}（{phone}）"},
    {"code": "returned", "stage": "exception", "is_exception": True,
     "text": "【{city}】快件因收件人拒收已退回，正在返回寄件地，退回原因：收件人不要了"},
    {"code": "address_unknown", "stage": "exception", "is_exception": True,
     "text": "【{city}】派送失败：收件地址不详，快递员{name}（{phone}）无法联系到收件人，将于次日再次派送"},
    {"code": "no_answer", "stage": "exception", "is_exception": True,
     "text": "【{city}】派送失败：电话无人接听，快件暂存{district}营业部，请尽快联系快递员{name}（{phone}）"},
    {"code": "stalled", "stage": "exception", "is_exception": True,
     "text": "快件在【{hub}】停留时间较长，物流信息超过48小时未更新，已提交查件"},
    {"code": "delayed", "stage": "exception", "is_exception": True,
     "text": "受大促件量激增影响，【{hub}】中转延迟，预计晚1–3天送达，给您带来不便敬请谅解"},
    {"code": "damaged", "stage": "exception", "is_exception": True,
     "text": "【{city}】快件外包装破损，已在{district}营业部重新加固，继续派送"},
]  # fmt: skip

BUYER_NOTES: list[str] = [
    "喜欢简洁风，偏爱燕麦色和浅灰",
    "上次尺码偏小已换货，这次建议拍大一码",
    "宝妈，宝宝2025年5月出生，关注A类和纱布类",
    "公司采购，每季度买一批，需要开专票",
    "对味道敏感，推荐前提醒通风时间",
    "住6楼无电梯，大件提醒快递送货上门",
    "家在重庆，发货优先走西南仓线路",
    "老客，金卡会员，沟通爽快，不喜欢被催",
    "收货地址是学校，只能放驿站，周末才取件",
    "买过电饭煲和炸锅，对小家电感兴趣",
    "床是1.8×2.0米，床垫厚28cm",
    "给父母买，收件人是母亲，电话打过去要说清楚",
    "要求每单都放洗涤说明卡",
    "上次物流慢投诉过，发货后主动告知单号",
    "不喜欢语音，只打字沟通",
    "偏好顺丰，愿意补差价",
    "送礼为主，不放价格单，加礼盒",
    "男款XL、女款M，夫妻俩一起买",
]

RISK_NOTES: list[RiskNoteSpec] = [
    {"kind": "bad_review_extortion", "label": "差评师",
     "note": "2026-08 收货后以差评威胁要求返现50元，聊天记录已截图存档"},
    {"kind": "bad_review_extortion", "label": "差评师",
     "note": "2026-06 签收当天即发中评，随后私聊称“给20元就改好评”，已向平台举报，举报单号已记录"},
    {"kind": "bad_review_extortion", "label": "差评师",
     "note": "近3个月在本店下单5次，4次以“有异味”为由差评后索要补偿，均无照片凭证"},
    {"kind": "professional_claimant", "label": "职业打假",
     "note": "2026-07 购买2件四件套，收货后以“宣传用语违规”要求十倍赔偿，已转法务，勿私下承诺"},
    {"kind": "professional_claimant", "label": "职业打假",
     "note": "同一收货地址关联3个账号，均购买护眼台灯后以“照度不达标”索赔，已提交检测报告申诉"},
    {"kind": "professional_claimant", "label": "职业打假",
     "note": "要求提供营业执照和进货发票原件，并称已向市场监管局投诉，投诉回执未能提供"},
    {"kind": "malicious_complaint", "label": "恶意投诉",
     "note": "2026-09 签收后仅退款申请被驳回，随即发起3次平台投诉，物流签收底单已上传"},
    {"kind": "malicious_complaint", "label": "恶意投诉",
     "note": "寄回空包裹申请退款，仓库开箱视频已保存（2026-05-14 14:32），已申请小二介入"},
    {"kind": "malicious_complaint", "label": "恶意投诉",
     "note": "聊天中多次辱骂客服，威胁“天天投诉你们”，主管已接手，其他客服勿单独承诺"},
    {"kind": "malicious_complaint", "label": "恶意投诉",
     "note": "退回商品与发出批次不符（吊牌编号不同），疑似调包，已拍照留证并暂停退款"},
]  # fmt: skip

REMARKS: list[RemarkSpec] = [
    {"flag": "red", "text": "加急发顺丰，已补差价12元"},
    {"flag": "red", "text": "催过两次，今天必须发出"},
    {"flag": "red", "text": "风险买家，发货前拍照留证"},
    {"flag": "yellow", "text": "送小样：洗涤说明卡＋乳胶枕小样"},
    {"flag": "yellow", "text": "送礼，加礼盒，不放价格单"},
    {"flag": "yellow", "text": "双11赠品：定制收纳袋×1"},
    {"flag": "green", "text": "已改价，老客9折"},
    {"flag": "green", "text": "开电子发票，抬头见聊天记录"},
    {"flag": "green", "text": "地址已改，以备注为准"},
    {"flag": "blue", "text": "与另一单合并发货"},
    {"flag": "blue", "text": "颜色缺货，从广州仓调货"},
    {"flag": "blue", "text": "预售款，尾款后统一发"},
    {"flag": "purple", "text": "换货单，原单已退回"},
    {"flag": "purple", "text": "补发配件：置物架脚垫×4"},
    {"flag": "purple", "text": "重新发货，原包裹派送失败退回"},
]


def make_nick(rng: random.Random) -> str:
    """A 旺旺 nick such as ``小鹿爱吃糖``, ``晴天的猫`` or ``tb_8823``."""
    parts = NICK_PARTS
    pattern = rng.choice(parts["patterns"])
    return pattern.format(
        subject=rng.choice(parts["subjects"]),
        action=rng.choice(parts["actions"]),
        modifier=rng.choice(parts["modifiers"]),
        noun=rng.choice(parts["nouns"]),
        latin=rng.choice(parts["latin_prefixes"]),
        digits=str(rng.randint(1000, 99999)),
    )


def make_mobile(rng: random.Random) -> str:
    """An 11-digit mainland mobile number with a real carrier prefix."""
    prefix = rng.choice(["138", "139", "136", "150", "151", "158", "186", "187", "177", "189", "199", "135"])
    return prefix + "".join(str(rng.randint(0, 9)) for _ in range(8))


def make_street_address(rng: random.Random) -> str:
    """The part of an address after the district: road, number, building, room."""
    floor = rng.randint(1, 28)
    return rng.choice(BUILDING_PATTERNS).format(
        street=rng.choice(STREETS),
        no=rng.randint(1, 888),
        community=rng.choice(COMMUNITIES),
        building=rng.randint(1, 32),
        unit=rng.randint(1, 4),
        room=f"{floor}{rng.randint(1, 4):02d}",
        floor=floor,
    )


def make_tracking_no(courier: CourierSpec, rng: random.Random) -> str:
    """A tracking number in the courier's format; always matches ``courier["pattern"]``."""
    return courier["prefix"] + "".join(str(rng.randint(0, 9)) for _ in range(courier["digits"]))
