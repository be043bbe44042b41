"""Catalog of the demo shop 「暖居生活旗舰店」.

``build_items`` expands every base product over its variant axes
(size × colour, capacity × colour ...) into sellable items with stable
SKUs such as ``BD-0001``. The only randomness is the stock level, drawn
from ``random.Random(seed)``, so two calls with the same seed are equal.
"""

from __future__ import annotations

import itertools
import random

from ._products_home import HOME_PRODUCTS
from ._products_kitchen import KITCHEN_STORAGE_PRODUCTS
from ._products_light import LIGHT_BABY_PRODUCTS
from .specs import CategorySpec, ItemSpec, ProductSpec, VariantSpec

__all__ = [
    "CATEGORIES",
    "HOT_SKUS",
    "OUT_OF_STOCK_SHARE",
    "PRODUCTS",
    "SHOP_NAME",
    "CategorySpec",
    "ItemSpec",
    "ProductSpec",
    "build_items",
]

SHOP_NAME = "暖居生活旗舰店"

CATEGORIES: list[CategorySpec] = [
    {
        "code": "BD",
        "name": "床上用品",
        "description": "四件套、被芯、枕芯、床笠和毛毯，全棉为主，尺寸按床宽选。",
    },
    {"code": "HW", "name": "家居服", "description": "女士、男士睡衣和家居服，拖鞋睡袍，按身高体重选码。"},
    {"code": "KA", "name": "厨房电器", "description": "电饭煲、空气炸锅、热水壶等小家电，整机保修一年。"},
    {"code": "ST", "name": "收纳整理", "description": "收纳箱、置物架、抽屉柜和压缩袋，大件需简单组装。"},
    {"code": "LT", "name": "灯具照明", "description": "护眼台灯、吸顶灯、灯泡灯带和小夜灯。"},
    {"code": "BB", "name": "母婴用品", "description": "A类婴童服饰、喂养和居家安全用品。"},
]

PRODUCTS: list[ProductSpec] = [
    *HOME_PRODUCTS,
    *KITCHEN_STORAGE_PRODUCTS,
    *LIGHT_BABY_PRODUCTS,
]

OUT_OF_STOCK_SHARE = 0.08

# The twenty items that draw the most questions (爆款); they always have stock.
HOT_SKUS: list[str] = [
    "BD-0004",  # 四件套 1.8m床 雾霾蓝
    "BD-0010",  # 夏凉被 150×200cm 浅灰
    "BD-0019",  # 冬被 6斤 200×230cm
    "BD-0023",  # 羽丝绒枕芯 中枕
    "BD-0025",  # 乳胶枕 波浪曲线款
    "HW-0004",  # 纯棉睡衣 M 樱花粉
    "HW-0015",  # 莫代尔家居服 L 燕麦
    "HW-0025",  # 男士华夫格 XL 深灰
    "HW-0039",  # 棉拖鞋 38-39 米白
    "KA-0002",  # 电饭煲 4L
    "KA-0006",  # 空气炸锅 6L 奶白
    "KA-0013",  # 破壁机 1.75L加热款
    "ST-0003",  # 收纳箱 中号 透明
    "ST-0011",  # 置物架 四层 白色
    "ST-0015",  # 抽屉柜 四层 奶白
    "LT-0003",  # 护眼台灯 充电款 白色
    "LT-0018",  # 吸顶灯 直径50cm 三色分段
    "LT-0010",  # LED球泡 9W 暖白光
    "BB-0003",  # 婴儿连体衣 66码 奶油黄
    "BB-0019",  # 宝宝餐椅 可调高度款 奶油白
]


def _category_names() -> dict[str, str]:
    return {category["code"]: category["name"] for category in CATEGORIES}


def _combine(product: ProductSpec) -> list[tuple[VariantSpec, ...]]:
    return list(itertools.product(*product["axes"]))


def _draft_item(product: ProductSpec, combo: tuple[VariantSpec, ...], sku: str, category: str) -> ItemSpec:
    labels = " ".join(v["label"] for v in combo)
    attributes = dict(product["attributes"])
    in_box = list(product["in_box"])
    price = product["price_fen"]
    for choice in combo:
        attributes.update(choice["attributes"])
        price += choice["price_delta_fen"]
        if "in_box" in choice:
            in_box = list(choice["in_box"])
    return {
        "sku": sku,
        "product_key": product["key"],
        "title": f"{product['title']} {labels}",
        "category": category,
        "price_fen": price,
        "stock": 0,
        "attributes": attributes,
        "selling_points": list(product["selling_points"]),
        "size_chart": product["size_chart"],
        "installation": product["installation"],
        "usage_notes": product["usage_notes"],
        "in_box": in_box,
        "related_skus": [],
    }


def _link_related(items: list[ItemSpec], labels: dict[str, frozenset[str]]) -> None:
    by_product: dict[str, list[ItemSpec]] = {}
    for item in items:
        by_product.setdefault(item["product_key"], []).append(item)
    related_keys = {product["key"]: product["related"] for product in PRODUCTS}
    for item in items:
        own = labels[item["sku"]]
        chosen: list[str] = []
        for key in related_keys[item["product_key"]]:
            candidates = by_product[key]
            in_stock = [c for c in candidates if c["stock"] > 0] or candidates
            match = next((c for c in in_stock if labels[c["sku"]] & own), in_stock[0])
            chosen.append(match["sku"])
        item["related_skus"] = chosen[:4]


def _assign_stock(items: list[ItemSpec], rng: random.Random) -> None:
    hot = set(HOT_SKUS)
    pool = [index for index, item in enumerate(items) if item["sku"] not in hot]
    empty = set(rng.sample(pool, k=round(len(items) * OUT_OF_STOCK_SHARE)))
    for index, item in enumerate(items):
        if index in empty:
            item["stock"] = 0
        elif item["sku"] in hot:
            item["stock"] = rng.randint(300, 2000)
        elif rng.random() < 0.1:
            item["stock"] = rng.randint(1, 9)
        else:
            item["stock"] = rng.randint(20, 800)


def build_items(seed: int = 11) -> list[ItemSpec]:
    """Return every item of the catalog, in a stable order."""
    rng = random.Random(seed)
    names = _category_names()
    counters: dict[str, int] = {}
    items: list[ItemSpec] = []
    labels: dict[str, frozenset[str]] = {}
    for product in PRODUCTS:
        code = product["category"]
        for combo in _combine(product):
            counters[code] = counters.get(code, 0) + 1
            sku = f"{code}-{counters[code]:04d}"
            items.append(_draft_item(product, combo, sku, names[code]))
            labels[sku] = frozenset(choice["label"] for choice in combo)
    _assign_stock(items, rng)
    _link_related(items, labels)
    return items
