"""Base products of 床上用品 (BD) and 家居服 (HW)."""

from __future__ import annotations

from .specs import ProductSpec, variant

_BED_SIZES_SHEET = [
    variant("1.5m床", 0, {"适用床宽": "1.5m", "被套尺寸": "200×230cm", "床单尺寸": "245×250cm"}),
    variant("1.8m床", 6000, {"适用床宽": "1.8m", "被套尺寸": "220×240cm", "床单尺寸": "245×270cm"}),
    variant("2.0m床", 10000, {"适用床宽": "2.0m", "被套尺寸": "230×250cm", "床单尺寸": "270×280cm"}),
]

_WOMEN_CHART = (
    "尺码 | 身高 | 体重 | 衣服胸围 | 衣长 | 裤长\n"
    "S | 150–158cm | 40–47.5kg | 96cm | 62cm | 92cm\n"
    "M | 158–163cm | 47.5–55kg | 100cm | 64cm | 95cm\n"
    "L | 163–168cm | 55–62.5kg | 104cm | 66cm | 98cm\n"
    "XL | 168–173cm | 62.5–70kg | 108cm | 68cm | 100cm\n"
    "XXL | 170–175cm | 70–77.5kg | 112cm | 70cm | 102cm\n"
    "版型偏宽松，介于两个尺码之间选小一码；喜欢宽松或胸围较大选大一码。"
)

_MEN_CHART = (
    "尺码 | 身高 | 体重 | 衣服胸围 | 衣长 | 裤长\n"
    "M | 165–170cm | 55–62.5kg | 104cm | 68cm | 98cm\n"
    "L | 170–175cm | 62.5–70kg | 108cm | 70cm | 100cm\n"
    "XL | 175–180cm | 70–77.5kg | 112cm | 72cm | 102cm\n"
    "XXL | 180–185cm | 77.5–85kg | 118cm | 74cm | 104cm\n"
    "XXXL | 185–190cm | 85–95kg | 124cm | 76cm | 106cm\n"
    "肚子偏大或肩宽的亲建议拍大一码。"
)

HOME_PRODUCTS: list[ProductSpec] = [
    {
        "key": "sheet_set",
        "category": "BD",
        "title": "暖居 60支长绒棉四件套 纯棉床单被套",
        "price_fen": 39900,
        "attributes": {"材质": "100%新疆长绒棉", "支数": "60支", "工艺": "贡缎", "件数": "被套+床单+枕套×2"},
        "axes": [
            _BED_SIZES_SHEET,
            [
                variant("雾霾蓝", 0, {"颜色": "雾霾蓝"}),
                variant("燕麦白", 0, {"颜色": "燕麦白"}),
                variant("豆沙粉", 0, {"颜色": "豆沙粉"}),
            ],
        ],
        "selling_points": [
            "60支长绒棉贡缎，摸起来顺滑有光泽",
            "活性印染，机洗30次不明显褪色",
            "被套隐形拉链＋四角绑带，被芯不跑位",
            "A类标准，和宝宝一起睡也放心",
        ],
        "size_chart": (
            "规格 | 被套 | 床单 | 枕套 | 适用被芯\n"
            "1.5m床 | 200×230cm | 245×250cm | 48×74cm×2 | 200×230cm\n"
            "1.8m床 | 220×240cm | 245×270cm | 48×74cm×2 | 220×240cm\n"
            "2.0m床 | 230×250cm | 270×280cm | 48×74cm×2 | 230×250cm\n"
            "床垫厚度超过25cm建议改配床笠款。"
        ),
        "installation": None,
        "usage_notes": "第一次用前建议冷水单独洗一遍；30℃以下水温、中性洗衣液，反面晾晒，别暴晒也别用漂白剂，这样颜色能保持得更久。",
        "in_box": ["被套×1", "床单×1", "枕套×2", "洗涤说明卡×1"],
        "related": ["pillow_core", "duvet_winter", "mattress_protector"],
    },
    {
        "key": "summer_quilt",
        "category": "BD",
        "title": "水洗棉夏凉被 空调被 可整床机洗",
        "price_fen": 15900,
        "attributes": {"面料": "水洗棉（100%棉）", "填充物": "聚酯纤维", "适用季节": "夏季/空调房"},
        "axes": [
            [
                variant("150×200cm", 0, {"尺寸": "150×200cm", "填充重量": "约1.2斤"}),
                variant("200×230cm", 4000, {"尺寸": "200×230cm", "填充重量": "约1.8斤"}),
            ],
            [
                variant("浅灰", 0, {"颜色": "浅灰"}),
                variant("奶白", 0, {"颜色": "奶白"}),
                variant("薄荷绿", 0, {"颜色": "薄荷绿"}),
            ],
        ],
        "selling_points": [
            "水洗棉越洗越软，盖着不闷",
            "整床可以直接进滚筒洗衣机",
            "轻薄好收纳，叠起来只有一个枕头大",
        ],
        "size_chart": (
            "尺寸 | 适合床宽 | 填充重量\n150×200cm | 1.2–1.5m床 | 约1.2斤\n200×230cm | 1.5–1.8m床 | 约1.8斤"
        ),
        "installation": None,
        "usage_notes": "机洗选轻柔模式，低速脱水；平铺晾干后轻轻拍打，填充更蓬松。不建议烘干机高温烘干。",
        "in_box": ["夏凉被×1", "手提收纳袋×1"],
        "related": ["sheet_set", "pillow_core"],
    },
    {
        "key": "duvet_winter",
        "category": "BD",
        "title": "大豆纤维冬被 加厚保暖被芯 单双人",
        "price_fen": 19900,
        "attributes": {"面料": "全棉斜纹", "填充物": "大豆纤维+聚酯纤维", "工艺": "立体围边"},
        "axes": [
            [
                variant("4斤", 0, {"填充重量": "4斤", "适用季节": "春秋"}),
                variant("6斤", 5000, {"填充重量": "6斤", "适用季节": "初冬/南方冬季"}),
                variant("8斤", 10000, {"填充重量": "8斤", "适用季节": "寒冬/无暖气地区"}),
            ],
            [
                variant("150×200cm", 0, {"尺寸": "150×200cm"}),
                variant("200×230cm", 6000, {"尺寸": "200×230cm"}),
            ],
        ],
        "selling_points": [
            "大豆纤维亲肤柔软，盖着不压身",
            "立体围边，被子四边都蓬松保暖",
            "全棉面料，静电少不起球",
            "4斤/6斤/8斤三种厚度按地区选",
        ],
        "size_chart": (
            "尺寸 | 适合床宽 | 搭配被套\n"
            "150×200cm | 1.2–1.5m床 | 150×200cm被套\n"
            "200×230cm | 1.5–1.8m床 | 200×230cm被套\n"
            "厚度参考：有暖气选4斤；南方冬季选6斤；无暖气又很冷选8斤。"
        ),
        "installation": None,
        "usage_notes": "拆开真空包装后拍打抖松，晾晒2小时蓬松度更好；被芯不建议整床水洗，局部脏了用中性清洁剂擦拭后晾干。",
        "in_box": ["被芯×1", "无纺布收纳袋×1"],
        "related": ["sheet_set", "coral_blanket", "vacuum_bags"],
    },
    {
        "key": "pillow_core",
        "category": "BD",
        "title": "羽丝绒枕芯 酒店同款枕头 单只装",
        "price_fen": 6900,
        "attributes": {"面料": "全棉防绒布", "填充物": "羽丝绒", "尺寸": "48×74cm"},
        "axes": [
            [
                variant("低枕", 0, {"高度": "约8cm"}),
                variant("中枕", 1000, {"高度": "约12cm"}),
                variant("高枕", 2000, {"高度": "约15cm"}),
            ],
        ],
        "selling_points": [
            "羽丝绒回弹好，压下去很快复原",
            "低/中/高三种高度按睡姿挑",
            "48×74cm标准尺寸，店里四件套枕套直接能套",
        ],
        "size_chart": (
            "款式 | 高度 | 适合人群\n"
            "低枕 | 约8cm | 习惯仰睡、体型偏瘦\n"
            "中枕 | 约12cm | 仰睡侧睡交替\n"
            "高枕 | 约15cm | 习惯侧睡、肩膀较宽"
        ),
        "installation": None,
        "usage_notes": "拆包后拍松静置半天；每周翻面，晴天通风处晾晒1小时。枕芯可低温手洗，洗后一定要完全晾干再用。",
        "in_box": ["枕芯×1"],
        "related": ["sheet_set", "mattress_protector"],
    },
    {
        "key": "latex_pillow",
        "category": "BD",
        "title": "泰国天然乳胶枕 护颈枕头 含内外套",
        "price_fen": 19900,
        "attributes": {"材质": "天然乳胶（含量约93%）", "外套面料": "针织棉", "尺寸": "60×40cm"},
        "axes": [
            [
                variant("波浪曲线款", 0, {"高度": "10/12cm"}),
                variant("面包款", -2000, {"高度": "12cm"}),
            ],
        ],
        "selling_points": [
            "波浪曲线贴合颈椎，低高两边可换",
            "蜂窝透气孔，夏天不闷头",
            "天然乳胶回弹，不易塌陷",
        ],
        "size_chart": None,
        "installation": None,
        "usage_notes": "刚拆封有淡淡乳胶味是正常的，放阴凉通风处2–3天就散了；乳胶芯不能暴晒、不能机洗，外套可以单独拆洗。",
        "in_box": ["乳胶枕芯×1", "内套×1", "外套×1"],
        "related": ["sheet_set", "pillow_core"],
    },
    {
        "key": "coral_blanket",
        "category": "BD",
        "title": "加厚珊瑚绒毛毯 沙发午睡盖毯",
        "price_fen": 5900,
        "attributes": {"材质": "珊瑚绒（聚酯纤维）", "克重": "约320g/㎡"},
        "axes": [
            [
                variant("100×150cm", 0, {"尺寸": "100×150cm"}),
                variant("150×200cm", 3000, {"尺寸": "150×200cm"}),
            ],
            [
                variant("奶咖", 0, {"颜色": "奶咖"}),
                variant("雾粉", 0, {"颜色": "雾粉"}),
                variant("月光灰", 0, {"颜色": "月光灰"}),
            ],
        ],
        "selling_points": [
            "双面绒，手感厚实不扎人",
            "包边走线细密，洗了不炸边",
            "午睡、沙发、空调房都能用",
        ],
        "size_chart": "100×150cm 适合午睡、办公室盖腿；150×200cm 可以当床上加盖的小毯子。",
        "installation": None,
        "usage_notes": "首次洗涤会有少量浮毛，单独洗一次即可；建议冷水机洗，不要高温烘干，以免绒面发硬。",
        "in_box": ["毛毯×1"],
        "related": ["duvet_winter", "robe"],
    },
    {
        "key": "mattress_protector",
        "category": "BD",
        "title": "A类防水床笠 隔尿透气床垫保护罩",
        "price_fen": 8900,
        "attributes": {"面料": "针织棉＋TPU防水层", "包边": "360°松紧包边"},
        "axes": [
            [
                variant("1.5m床", 0, {"尺寸": "150×200cm", "包裹高度": "≤30cm"}),
                variant("1.8m床", 1500, {"尺寸": "180×200cm", "包裹高度": "≤30cm"}),
                variant("2.0m床", 3000, {"尺寸": "200×220cm", "包裹高度": "≤30cm"}),
            ],
            [variant("白色", 0, {"颜色": "白色"}), variant("浅灰", 0, {"颜色": "浅灰"})],
        ],
        "selling_points": [
            "TPU防水层，宝宝尿床、打翻水都不渗到床垫",
            "睡着没有塑料声，透气不闷",
            "全包松紧边，床垫厚30cm以内都能包住",
        ],
        "size_chart": (
            "规格 | 床笠尺寸 | 适用床垫\n"
            "1.5m床 | 150×200cm | 150×200cm，厚度≤30cm\n"
            "1.8m床 | 180×200cm | 180×200cm，厚度≤30cm\n"
            "2.0m床 | 200×220cm | 200×220cm，厚度≤30cm"
        ),
        "installation": None,
        "usage_notes": "可机洗，40℃以下水温；防水层怕高温，不要烘干、不要熨烫，也别用漂白剂。",
        "in_box": ["床笠×1"],
        "related": ["sheet_set", "diaper_pad"],
    },
    {
        "key": "cotton_pajama",
        "category": "HW",
        "title": "纯棉长袖睡衣女 春秋款可外穿家居服套装",
        "price_fen": 12900,
        "attributes": {"面料": "100%棉 A类", "款式": "翻领开衫＋长裤", "厚薄": "常规"},
        "axes": [
            [
                variant("S", 0, {"尺码": "S"}),
                variant("M", 0, {"尺码": "M"}),
                variant("L", 0, {"尺码": "L"}),
                variant("XL", 0, {"尺码": "XL"}),
            ],
            [
                variant("樱花粉", 0, {"颜色": "樱花粉"}),
                variant("雾霾蓝", 0, {"颜色": "雾霾蓝"}),
                variant("燕麦色", 0, {"颜色": "燕麦色"}),
            ],
        ],
        "selling_points": [
            "全棉针织，贴身穿不闷汗",
            "翻领开衫设计，在家见客也体面",
            "裤腰松紧＋抽绳，长度到脚踝",
            "胸前小口袋，手机放得下",
        ],
        "size_chart": _WOMEN_CHART,
        "installation": None,
        "usage_notes": "深浅色分开洗，第一次洗可能轻微浮色；翻面洗涤、平铺晾干，可中温熨烫。",
        "in_box": ["上衣×1", "长裤×1"],
        "related": ["slippers", "robe", "sheet_set"],
    },
    {
        "key": "modal_set",
        "category": "HW",
        "title": "莫代尔短袖短裤家居服女 夏季冰感睡衣",
        "price_fen": 9900,
        "attributes": {"面料": "莫代尔95%＋氨纶5%", "款式": "圆领短袖＋短裤", "厚薄": "薄款"},
        "axes": [
            [
                variant("M", 0, {"尺码": "M"}),
                variant("L", 0, {"尺码": "L"}),
                variant("XL", 0, {"尺码": "XL"}),
                variant("XXL", 0, {"尺码": "XXL"}),
            ],
            [variant("燕麦", 0, {"颜色": "燕麦"}), variant("浅紫", 0, {"颜色": "浅紫"})],
        ],
        "selling_points": [
            "莫代尔凉滑垂坠，夏天穿着不粘身",
            "弹力好，睡觉翻身不勒",
            "短裤带内衬口袋，居家出门取快递都方便",
        ],
        "size_chart": _WOMEN_CHART,
        "installation": None,
        "usage_notes": "莫代尔怕高温和用力拧，建议洗衣袋装好轻柔洗，阴凉处晾干，避免暴晒发黄。",
        "in_box": ["短袖上衣×1", "短裤×1"],
        "related": ["slippers", "summer_quilt"],
    },
    {
        "key": "men_waffle",
        "category": "HW",
        "title": "男士华夫格家居服套装 长袖长裤秋冬款",
        "price_fen": 15900,
        "attributes": {"面料": "棉85%＋聚酯纤维15%", "款式": "圆领套头＋长裤", "厚薄": "加厚"},
        "axes": [
            [
                variant("M", 0, {"尺码": "M"}),
                variant("L", 0, {"尺码": "L"}),
                variant("XL", 0, {"尺码": "XL"}),
                variant("XXL", 0, {"尺码": "XXL"}),
                variant("XXXL", 1000, {"尺码": "XXXL"}),
            ],
            [variant("深灰", 0, {"颜色": "深灰"}), variant("藏青", 0, {"颜色": "藏青"})],
        ],
        "selling_points": [
            "华夫格立体纹理，保暖又透气",
            "袖口裤脚罗纹收口，不漏风",
            "宽松直筒版型，大码也不紧绷",
        ],
        "size_chart": _MEN_CHART,
        "installation": None,
        "usage_notes": "可机洗，建议翻面放洗衣袋；不要与带拉链的衣物同洗，以免勾丝。",
        "in_box": ["上衣×1", "长裤×1"],
        "related": ["slippers", "robe"],
    },
    {
        "key": "robe",
        "category": "HW",
        "title": "珊瑚绒加厚睡袍 男女同款冬季浴袍",
        "price_fen": 12900,
        "attributes": {"面料": "珊瑚绒（聚酯纤维）", "款式": "系带长袍", "厚薄": "加厚"},
        "axes": [
            [
                variant("M", 0, {"尺码": "M", "衣长": "110cm"}),
                variant("L", 0, {"尺码": "L", "衣长": "115cm"}),
                variant("XL", 1000, {"尺码": "XL", "衣长": "120cm"}),
            ],
            [variant("奶白", 0, {"颜色": "奶白"}), variant("咖啡", 0, {"颜色": "咖啡"})],
        ],
        "selling_points": [
            "厚实珊瑚绒，洗完澡裹上不冷",
            "吸水快，当浴袍也好用",
            "加长款过膝，腰带可拆",
        ],
        "size_chart": (
            "尺码 | 身高 | 体重 | 衣长\n"
            "M | 155–165cm | 45–60kg | 110cm\n"
            "L | 165–175cm | 60–75kg | 115cm\n"
            "XL | 175–185cm | 75–90kg | 120cm"
        ),
        "installation": None,
        "usage_notes": "第一次穿前单独过水一次去浮毛；冷水轻柔洗，不要用柔顺剂过量，否则吸水性会变差。",
        "in_box": ["睡袍×1", "腰带×1"],
        "related": ["slippers", "coral_blanket"],
    },
    {
        "key": "slippers",
        "category": "HW",
        "title": "居家棉拖鞋女冬季 防滑厚底室内毛绒拖",
        "price_fen": 3990,
        "attributes": {"鞋面": "短毛绒", "鞋底": "EVA防滑底", "底厚": "约3cm"},
        "axes": [
            [
                variant("36-37", 0, {"码数": "36-37"}),
                variant("38-39", 0, {"码数": "38-39"}),
                variant("40-41", 0, {"码数": "40-41"}),
                variant("42-43", 0, {"码数": "42-43"}),
            ],
            [variant("米白", 0, {"颜色": "米白"}), variant("雾灰", 0, {"颜色": "雾灰"})],
        ],
        "selling_points": [
            "3cm厚底，踩着软不冰脚",
            "防滑底纹，卫生间门口也稳",
            "包跟设计，走路不掉鞋",
        ],
        "size_chart": (
            "码数 | 适合脚长\n"
            "36-37 | 22.5–23.5cm\n"
            "38-39 | 24–24.5cm\n"
            "40-41 | 25–25.5cm\n"
            "42-43 | 26–26.5cm\n"
            "包跟款偏小半码，脚背高或脚宽的亲拍大一码。"
        ),
        "installation": None,
        "usage_notes": "可手洗或洗衣袋机洗，洗后塞纸巾阴干保持鞋型；不要靠近取暖器烘烤。",
        "in_box": ["拖鞋×1双"],
        "related": ["cotton_pajama", "robe"],
    },
]
