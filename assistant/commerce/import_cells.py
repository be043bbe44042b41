"""Cells of the seller center's exports: which column a header names, and what a cell says.

Headers are found by their text, never by position (with the aliases older and newer exports use,
and stray spaces or marks folded away). Cells come as the export writes them: long numbers quoted
as ``="…"`` or with a leading ``'``, money in yuan with two decimals (read with ``Decimal``, never
a float, into integer fen), times without an offset (the shop's time zone), and the status texts
of 已卖出的宝贝. Pure functions, no I/O.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any
from zoneinfo import ZoneInfo

from assistant.commerce.models import OrderStatus
from knowledge.spreadsheet import fold_header

HEADER_SCAN_ROWS = 20
MAX_FEN = 10_000_000_00

# column -> (the header the export writes, then aliases). The first one is shown in messages.
ORDER_COLUMNS: dict[str, tuple[str, ...]] = {
    "order_id": ("订单编号", "订单号", "主订单编号", "交易编号"),
    "nick": ("买家会员名", "买家昵称", "买家旺旺", "买家账号", "买家"),
    "goods": ("买家应付货款", "应付货款", "商品金额", "宝贝金额"),
    "postage": ("买家应付邮费", "应付邮费", "邮费", "运费"),
    "total": ("总金额", "订单金额", "应付总金额"),
    "paid_amount": ("买家实际支付金额", "实付金额", "实际支付金额"),
    "status": ("订单状态", "交易状态"),
    "message": ("买家留言",),
    "receiver": ("收货人姓名", "收货人", "收件人"),
    "address": ("收货地址", "收件地址"),
    "changed_address": ("修改后的收货地址",),
    "mobile": ("联系手机", "手机", "手机号", "收货人手机"),
    "phone": ("联系电话", "电话"),
    "created_at": ("订单创建时间", "下单时间", "创建时间"),
    "paid_at": ("订单付款时间", "付款时间"),
    "shipped_at": ("发货时间",),
    "delivered_at": ("确认收货时间", "交易结束时间"),
    "title": ("宝贝标题", "商品标题"),
    "quantity": ("宝贝总数量", "商品总数量", "购买数量"),
    "tracking_no": ("物流单号", "运单号", "快递单号"),
    "courier": ("物流公司", "快递公司"),
    "remark": ("订单备注", "卖家备注", "商家备注"),
    "shop": ("店铺名称", "店铺"),
    "refund": ("退款金额",),
    "sku": ("商家编码",),
}
LINE_COLUMNS: dict[str, tuple[str, ...]] = {
    "order_id": ("订单编号", "订单号", "主订单编号"),
    "title": ("标题", "宝贝标题", "商品标题"),
    "price": ("价格", "单价", "宝贝单价"),
    "quantity": ("购买数量", "数量"),
    "attributes": ("商品属性", "销售属性", "颜色/尺码"),
    "package": ("套餐信息",),
    "sku": ("商家编码", "外部系统编号", "商家编号"),
    "item_id": ("宝贝ID", "商品ID", "宝贝id"),
    "status": ("订单状态",),
}
ITEM_COLUMNS: dict[str, tuple[str, ...]] = {
    "item_id": ("宝贝ID", "商品ID", "宝贝id", "商品id", "数字ID"),
    "title": ("宝贝名称", "宝贝标题", "商品名称", "商品标题", "标题"),
    "sku": ("商家编码", "商家编号", "外部编码"),
    "price": ("宝贝价格", "价格", "一口价", "销售价"),
    "stock": ("宝贝数量", "库存", "数量", "可售库存"),
    "status": ("宝贝状态", "状态", "出售状态", "上架状态", "是否在售"),
    "category": ("宝贝类目", "类目", "分类", "店铺分类"),
}
ORDER_REQUIRED: tuple[tuple[str, ...], ...] = (
    ("order_id",),
    ("nick",),
    ("status",),
    ("created_at",),
    ("goods", "total"),
    ("receiver",),
    ("address",),
    ("mobile", "phone"),
)
LINE_REQUIRED: tuple[tuple[str, ...], ...] = (("order_id",), ("title",), ("price",), ("quantity",))
ITEM_REQUIRED: tuple[tuple[str, ...], ...] = (("title",), ("price",), ("item_id", "sku"))

# 已卖出的宝贝 status texts, folded (NFKC, no spaces or punctuation) -> our status.
STATUS_TEXTS: dict[str, OrderStatus] = {
    "等待买家付款": OrderStatus.AWAITING_PAYMENT,
    "等待付款": OrderStatus.AWAITING_PAYMENT,
    "买家已付款等待卖家发货": OrderStatus.PAID,
    "等待卖家发货": OrderStatus.PAID,
    "买家已付款": OrderStatus.PAID,
    "卖家部分发货": OrderStatus.SHIPPED,
    "卖家已发货等待买家确认": OrderStatus.SHIPPED,
    "卖家已发货": OrderStatus.SHIPPED,
    "等待买家确认收货": OrderStatus.SHIPPED,
    "买家已签收": OrderStatus.DELIVERED,
    "交易成功": OrderStatus.COMPLETED,
    "交易关闭": OrderStatus.CANCELLED,
    "交易自动关闭": OrderStatus.CANCELLED,
    "付款以前卖家或买家主动关闭交易": OrderStatus.CANCELLED,
    "付款以后用户退款成功交易自动关闭": OrderStatus.REFUNDED,
    "退款中": OrderStatus.REFUNDING,
}
STATUS_EXAMPLES = "等待买家付款 / 买家已付款，等待卖家发货 / 卖家已发货，等待买家确认 / 交易成功 / 交易关闭"


def _words(columns: dict[str, tuple[str, ...]]) -> dict[str, str]:
    return {fold_header(word): name for name, words in columns.items() for word in words}


_WORDS = {id(c): _words(c) for c in (ORDER_COLUMNS, LINE_COLUMNS, ITEM_COLUMNS)}


def header_map(cells: Sequence[Any], columns: dict[str, tuple[str, ...]]) -> dict[str, int]:
    """Column name -> index for the header cells that name a known column (first one wins)."""
    words = _WORDS[id(columns)]
    found: dict[str, int] = {}
    for index, cell in enumerate(cells):
        name = words.get(fold_header(cell))
        if name is not None and name not in found:
            found[name] = index
    return found


def missing_columns(
    found: dict[str, int], columns: dict[str, tuple[str, ...]], required: tuple[tuple[str, ...], ...]
) -> list[str]:
    """The required columns not found, by the header the export writes (「总金额」或「买家应付货款」)."""
    return [
        "或".join(f"「{columns[n][0]}」" for n in choice)
        for choice in required
        if not any(n in found for n in choice)
    ]


def find_header(
    rows: Sequence[Sequence[Any]], columns: dict[str, tuple[str, ...]]
) -> tuple[int, dict[str, int]]:
    """The header row among the first rows (the one naming most columns) and its map; (-1, {}) if none."""
    best, best_map = -1, dict[str, int]()
    for index, cells in enumerate(rows[:HEADER_SCAN_ROWS]):
        found = header_map(cells, columns)
        if len(found) > len(best_map):
            best, best_map = index, found
    return best, best_map


# ---- cell values --------------------------------------------------------------------------


def text(value: Any) -> str:
    """A cell as plain text: ``="…"`` and a leading ``'`` (the export's guards for long numbers) removed."""
    if value is None:
        return ""
    if type(value) is str:
        if not value:
            return ""
        if value[0] not in "=' \t" and value[-1] not in " \t\r\n" and "\r" not in value and "_x" not in value:
            return value  # the common case, fast: 200,000 rows × 25 cells
        result = value
    else:
        if isinstance(value, float) and value.is_integer():
            value = int(value)
        result = str(value)
    result = result.replace("\r\n", "\n").replace("\r", "\n").replace("_x000D_", "").strip()
    if result.startswith('="') and result.endswith('"') and len(result) >= 3:
        result = result[2:-1]
    elif result.startswith("'"):
        result = result[1:]
    return result.strip().strip("\t")


_DIGITS_RE = re.compile(r"^[0-9]+$")


def number_id(value: Any, what: str) -> str:
    """An order or item id: digits only, kept as text (Excel turns long ones into rounded floats)."""
    if isinstance(value, float) and abs(value) >= 2**53:
        raise ValueError(f"{what}被 Excel 存成了数字，末几位已经丢失：请把这一列设为文本后重新导出")
    result = text(value)
    if not _DIGITS_RE.match(result):
        raise ValueError(f"{what}「{result}」不是数字编号" if result else f"没有{what}")
    return result


_MONEY_RE = re.compile(r"^-?[0-9]+(\.[0-9]{1,2})?$")
_PLAIN_YUAN_RE = re.compile(r"^[0-9]{1,7}\.[0-9]{2}$")


def fen(value: Any, what: str) -> int:
    """Yuan with at most two decimals ('128.00', '¥1,280.5', 128) -> integer fen; blank is 0."""
    if type(value) is str and _PLAIN_YUAN_RE.match(value):
        return int(value.replace(".", ""))  # '128.00' as the export writes it: exact, no Decimal needed
    if isinstance(value, int) and not isinstance(value, bool):
        raw = str(value)
    elif isinstance(value, float):
        raw = repr(value)  # an xlsx number: its shortest exact decimal form, then Decimal
    else:
        raw = text(value)
    raw = unicodedata.normalize("NFKC", raw).replace(",", "").replace("¥", "").replace("元", "").strip()
    if raw in {"", "-"}:
        return 0
    if not _MONEY_RE.match(raw):
        try:
            amount = Decimal(raw)
        except InvalidOperation:
            raise ValueError(f"{what}「{raw}」不是金额：请写成 128.00 这样的元") from None
        if amount != amount.quantize(Decimal("0.01")):
            raise ValueError(f"{what}「{raw}」超过两位小数：金额只能精确到分")
    else:
        amount = Decimal(raw)
    result = int(amount * 100)
    if result < 0:
        raise ValueError(f"{what}「{raw}」是负数")
    if result > MAX_FEN:
        raise ValueError(f"{what}「{raw}」太大")
    return result


def quantity(value: Any, what: str) -> int:
    raw = text(value)
    if not raw:
        return 1
    if not _DIGITS_RE.match(raw) or int(raw) <= 0 or int(raw) > 999:
        raise ValueError(f"{what}「{raw}」不是 1–999 的整数")
    return int(raw)


_TIME_FORMATS = ("%Y-%m-%d %H:%M:%S", "%Y-%m-%d %H:%M", "%Y/%m/%d %H:%M:%S", "%Y/%m/%d %H:%M", "%Y-%m-%d",
                 "%Y/%m/%d")  # fmt: skip


def moment(value: Any, zone: ZoneInfo, what: str) -> datetime | None:
    """A time cell ('2026-11-11 10:23:45', an xlsx datetime) in the shop's zone; blank is None."""
    if isinstance(value, datetime):
        result = value
    elif isinstance(value, date):
        result = datetime(value.year, value.month, value.day)
    else:
        raw = text(value)
        if not raw or raw in {"-", "null", "NULL"}:
            return None
        try:
            result = datetime.fromisoformat(raw)  # '2026-11-11 10:23:45', the export's own form (fast)
        except ValueError:
            result = _strptime(raw, what)
    return result if result.tzinfo else result.replace(tzinfo=zone)


def _strptime(raw: str, what: str) -> datetime:
    for pattern in _TIME_FORMATS:
        try:
            return datetime.strptime(raw, pattern)
        except ValueError:
            continue
    raise ValueError(f"{what}「{raw}」看不懂：应为 2026-11-11 10:23:45 这样的时间")


_FOLD_STATUS_RE = re.compile(r"[\s,，.。:：;；、()（）]")


def status(value: Any) -> OrderStatus:
    raw = text(value)
    quick = STATUS_TEXTS.get(raw)
    if quick is not None:
        return quick
    folded = _FOLD_STATUS_RE.sub("", unicodedata.normalize("NFKC", raw))
    found = STATUS_TEXTS.get(folded)
    if found is None:
        raise ValueError(f"订单状态「{raw}」不认识：应为 {STATUS_EXAMPLES} 之一")
    return found


_ON_SALE = {"出售中", "在售", "上架", "已上架", "是", "1", "true", "yes", "onsale"}
_OFF_SALE = {"仓库中", "已下架", "下架", "未上架", "否", "0", "false", "no", "instock", "已售罄", "定时上架"}


def on_sale(value: Any) -> bool | None:
    """出售中 -> True, 仓库中 / 已下架 -> False, blank -> None (keep)."""
    raw = text(value)
    if not raw:
        return None
    folded = raw.replace(" ", "").lower()
    if folded in _ON_SALE:
        return True
    if folded in _OFF_SALE:
        return False
    raise ValueError(f"宝贝状态「{raw}」看不懂：应为 出售中 或 仓库中")
