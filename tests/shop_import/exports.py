"""Seller-center exports written the way the real ones are, from Python data (tests and the benchmark).

``orders_csv`` / ``lines_csv`` / ``items_csv`` write GBK (or UTF-8 with BOM) CSV with the export's
quirks: long numbers as ``="…"`` or with a leading ``'``, headers with stray spaces, money in yuan
with two decimals. ``to_xlsx`` writes the same table as an Excel file. ``realistic_shop`` is a small
shop export covering every status text, a refund, a multi-line order, a changed address and a broken row.
"""

from __future__ import annotations

import csv
import io
import random
from collections.abc import Iterable, Iterator, Sequence
from typing import Any

ORDER_HEADER = [
    "订单编号", "买家会员名", "买家支付宝账号", "买家应付货款", "买家应付邮费", "买家支付积分", "总金额", "返点积分",
    "买家实际支付金额", "买家实际支付积分", "订单状态", "买家留言", "收货人姓名", "收货地址", "运送方式", "联系电话",
    "联系手机", "订单创建时间", "订单付款时间", "宝贝标题", "宝贝种类", "物流单号", "物流公司", "订单备注",
    "宝贝总数量", "店铺Id", "店铺名称", "订单关闭原因", "卖家服务费", "买家服务费", "发票抬头", "是否手机订单",
    "分阶段订单信息", "特权订金订单id", "是否上传合同照片", "是否上传小票", "是否代付", "定金排名",
    "修改后的sku", "修改后的收货地址", "异常信息", "天猫卡券抵扣", "集分宝抵扣", "是否是O2O交易", "退款金额",
]  # fmt: skip
LINE_HEADER = [
    "订单编号",
    "标题",
    "价格",
    "购买数量",
    "外部系统编号",
    "商品属性",
    "套餐信息",
    "备注",
    "订单状态",
    "商家编码",
]
ITEM_HEADER = ["宝贝ID", "宝贝名称", "宝贝价格", "宝贝数量", "商家编码", "宝贝状态", "宝贝类目"]

STATUS_TEXTS = [
    "等待买家付款",
    "买家已付款，等待卖家发货",
    "卖家已发货，等待买家确认",
    "交易成功",
    "交易关闭",
]


def _quoted(value: str, style: str) -> str:
    if style == "eq":
        return f'="{value}"'
    if style == "tick":
        return f"'{value}"
    return value


def table_csv(header: Sequence[str], rows: Iterable[Sequence[str]], *, encoding: str = "gbk",
              stray_spaces: bool = True) -> bytes:  # fmt: skip
    out = io.StringIO(newline="")
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow([f" {h} " if stray_spaces and i % 3 == 0 else h for i, h in enumerate(header)])
    writer.writerows(rows)
    text = out.getvalue()
    return text.encode("utf-8-sig") if encoding == "utf-8-sig" else text.encode(encoding)


def iter_csv_lines(header: Sequence[str], rows: Iterable[Sequence[str]]) -> Iterator[str]:
    """The same CSV as lines of text, for writing big files without holding them."""
    out = io.StringIO(newline="")
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow([f" {h} " if i % 3 == 0 else h for i, h in enumerate(header)])
    for row in rows:
        writer.writerow(row)
        if out.tell() > 1 << 20:
            yield out.getvalue()
            out.seek(0)
            out.truncate()
    yield out.getvalue()


def _plain(value: Any) -> Any:
    """Excel keeps long numbers as text cells: no ="…" or ' guard (a ="…" would be a formula)."""
    if isinstance(value, str) and value.startswith('="') and value.endswith('"'):
        return value[2:-1]
    if isinstance(value, str) and value.startswith("'"):
        return value[1:]
    return value


def to_xlsx(header: Sequence[str], rows: Iterable[Sequence[Any]]) -> bytes:
    """The table as an .xlsx workbook (money as numbers, ids as text), like a seller-center .xlsx export."""
    import openpyxl

    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append([f" {h}" if i % 4 == 0 else h for i, h in enumerate(header)])
    for row in rows:
        sheet.append([_money(_plain(v)) for v in row])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _money(value: Any) -> Any:
    if isinstance(value, str) and len(value) < 12 and value.replace(".", "", 1).isdigit() and "." in value:
        return float(value)  # Excel stores 128.00 as the number 128.0
    return value


def order_row(values: dict[str, str], quote: str = "eq") -> list[str]:
    """One orders-file row from the fields given (others blank); ids and phones quoted like the export."""
    row = []
    for name in ORDER_HEADER:
        value = values.get(name, "")
        if name in {"订单编号", "物流单号", "联系手机"} and value and not value.startswith(("=", "'")):
            value = _quoted(value, quote)
        row.append(value)
    return row


def line_row(values: dict[str, str]) -> list[str]:
    row = [values.get(name, "") for name in LINE_HEADER]
    row[0] = _quoted(row[0], "eq")
    return row


def item_row(values: dict[str, str]) -> list[str]:
    row = [values.get(name, "") for name in ITEM_HEADER]
    row[0] = _quoted(row[0], "tick") if row[0] else ""
    return row


ITEMS = [
    {"宝贝ID": "612300000001", "宝贝名称": "北欧实木餐椅 橡木款", "宝贝价格": "399.00", "宝贝数量": "120",
     "商家编码": "CHAIR-OAK", "宝贝状态": "出售中", "宝贝类目": "餐椅"},
    {"宝贝ID": "612300000002", "宝贝名称": "加厚羊羔绒毛毯 150x200", "宝贝价格": "159.90", "宝贝数量": "800",
     "商家编码": "BLANKET-150", "宝贝状态": "出售中", "宝贝类目": "毛毯"},
    {"宝贝ID": "612300000003", "宝贝名称": "陶瓷香薰机 静音款", "宝贝价格": "89.00", "宝贝数量": "0",
     "商家编码": "AROMA-01", "宝贝状态": "仓库中", "宝贝类目": "香薰"},
    {"宝贝ID": "612300000004", "宝贝名称": "棉麻抱枕套 45x45", "宝贝价格": "29.90", "宝贝数量": "2000",
     "商家编码": "", "宝贝状态": "出售中", "宝贝类目": "抱枕"},
]  # fmt: skip

# (order id, nick, status text, goods, postage, receiver, address, mobile, created, paid, title, qty,
#  tracking, courier, remark, refund, changed address, buyer message)
ORDERS: list[dict[str, str]] = [
    {"订单编号": "3301000000000000001", "买家会员名": "暖暖小屋", "订单状态": "等待买家付款", "买家应付货款": "399.00",
     "买家应付邮费": "0.00", "总金额": "399.00", "买家实际支付金额": "0.00", "收货人姓名": "张晓兰",
     "收货地址": "浙江省 杭州市 西湖区 文三路 478号 华星时代广场 A座 1203室(310012)", "联系手机": "13912345678",
     "订单创建时间": "2026-11-10 20:15:02", "宝贝标题": "北欧实木餐椅 橡木款", "宝贝总数量": "1",
     "买家留言": "周末送货", "店铺名称": "测试旗舰店"},
    {"订单编号": "3301000000000000002", "买家会员名": "木子李2019", "订单状态": "买家已付款，等待卖家发货",
     "买家应付货款": "478.80", "买家应付邮费": "10.00", "总金额": "488.80", "买家实际支付金额": "488.80",
     "收货人姓名": "李明", "收货地址": "广东省 深圳市 南山区 粤海街道 科技南十二路 2号 金蝶软件园 B栋 5楼",
     "联系手机": "13800138000", "订单创建时间": "2026-11-11 00:03:11", "订单付款时间": "2026-11-11 00:04:02",
     "宝贝标题": "北欧实木餐椅 橡木款，棉麻抱枕套 45x45", "宝贝总数量": "3", "订单备注": "双11赠品已备注",
     "店铺名称": "测试旗舰店"},
    {"订单编号": "3301000000000000003", "买家会员名": "暖暖小屋", "订单状态": "卖家已发货，等待买家确认",
     "买家应付货款": "159.90", "买家应付邮费": "0.00", "总金额": "159.90", "买家实际支付金额": "159.90",
     "收货人姓名": "张晓兰", "收货地址": "浙江省 杭州市 西湖区 文三路 478号 华星时代广场 A座 1203室(310012)",
     "联系手机": "13912345678", "订单创建时间": "2026-11-01 09:00:00", "订单付款时间": "2026-11-01 09:01:30",
     "宝贝标题": "加厚羊羔绒毛毯 150x200", "宝贝总数量": "1", "物流单号": "SF1234567890123", "物流公司": "顺丰速运",
     "修改后的收货地址": "张晓兰，13912345678，浙江省 杭州市 滨江区 江南大道 3888号 2幢 801",
     "店铺名称": "测试旗舰店"},
    {"订单编号": "3301000000000000004", "买家会员名": "tb_8844221", "订单状态": "交易成功", "买家应付货款": "89.00",
     "买家应付邮费": "8.00", "总金额": "97.00", "买家实际支付金额": "97.00", "收货人姓名": "王芳",
     "收货地址": "北京 北京市 朝阳区 建国路 88号 SOHO现代城 2号楼 1201", "联系手机": "15011112222",
     "订单创建时间": "2026-10-20 14:22:10", "订单付款时间": "2026-10-20 14:25:00", "宝贝标题": "陶瓷香薰机 静音款",
     "宝贝总数量": "1", "物流单号": "YT9876543210", "物流公司": "圆通速递", "店铺名称": "测试旗舰店"},
    {"订单编号": "3301000000000000005", "买家会员名": "木子李2019", "订单状态": "交易关闭", "买家应付货款": "159.90",
     "买家应付邮费": "0.00", "总金额": "159.90", "买家实际支付金额": "159.90", "收货人姓名": "李明",
     "收货地址": "广东省 深圳市 南山区 粤海街道 科技南十二路 2号 金蝶软件园 B栋 5楼", "联系手机": "13800138000",
     "订单创建时间": "2026-10-15 10:00:00", "订单付款时间": "2026-10-15 10:02:00", "宝贝标题": "加厚羊羔绒毛毯 150x200",
     "宝贝总数量": "1", "退款金额": "159.90", "订单关闭原因": "退款", "店铺名称": "测试旗舰店"},
    {"订单编号": "3301000000000000006", "买家会员名": "夜猫子", "订单状态": "交易关闭", "买家应付货款": "29.90",
     "买家应付邮费": "0.00", "总金额": "29.90", "买家实际支付金额": "0.00", "收货人姓名": "赵六",
     "收货地址": "江苏省 南京市 鼓楼区 中山路 18号", "联系手机": "18655556666",
     "订单创建时间": "2026-11-05 23:10:00", "宝贝标题": "棉麻抱枕套 45x45", "宝贝总数量": "1",
     "订单关闭原因": "买家不想买了", "店铺名称": "测试旗舰店"},
    # a broken row: money that is not money
    {"订单编号": "3301000000000000007", "买家会员名": "错行买家", "订单状态": "交易成功", "买家应付货款": "abc",
     "买家应付邮费": "0.00", "总金额": "abc", "收货人姓名": "钱七", "收货地址": "上海 上海市 浦东新区 世纪大道 100号",
     "联系手机": "13600001111", "订单创建时间": "2026-11-02 12:00:00", "宝贝标题": "陶瓷香薰机 静音款",
     "宝贝总数量": "1", "店铺名称": "测试旗舰店"},
]  # fmt: skip
LINES: list[dict[str, str]] = [
    {"订单编号": "3301000000000000001", "标题": "北欧实木餐椅 橡木款", "价格": "399.00", "购买数量": "1",
     "商品属性": "颜色分类：原木色", "订单状态": "等待买家付款", "商家编码": "CHAIR-OAK"},
    {"订单编号": "3301000000000000002", "标题": "北欧实木餐椅 橡木款", "价格": "399.00", "购买数量": "1",
     "商品属性": "颜色分类：胡桃色", "订单状态": "买家已付款，等待卖家发货", "商家编码": "CHAIR-OAK"},
    {"订单编号": "3301000000000000002", "标题": "棉麻抱枕套 45x45", "价格": "39.90", "购买数量": "2",
     "商品属性": "颜色分类：燕麦色", "订单状态": "买家已付款，等待卖家发货", "商家编码": ""},
    {"订单编号": "3301000000000000003", "标题": "加厚羊羔绒毛毯 150x200", "价格": "159.90", "购买数量": "1",
     "订单状态": "卖家已发货，等待买家确认", "商家编码": "BLANKET-150"},
    {"订单编号": "3301000000000000004", "标题": "陶瓷香薰机 静音款", "价格": "89.00", "购买数量": "1",
     "订单状态": "交易成功", "商家编码": "AROMA-01"},
    {"订单编号": "3301000000000000005", "标题": "加厚羊羔绒毛毯 150x200", "价格": "159.90", "购买数量": "1",
     "订单状态": "交易关闭", "商家编码": "BLANKET-150"},
    {"订单编号": "3301000000000000006", "标题": "棉麻抱枕套 45x45", "价格": "29.90", "购买数量": "1",
     "订单状态": "交易关闭", "商家编码": ""},
]  # fmt: skip


def realistic_orders(encoding: str = "gbk") -> bytes:
    rows = [order_row(o, quote="tick" if i % 2 else "eq") for i, o in enumerate(ORDERS)]
    return table_csv(ORDER_HEADER, rows, encoding=encoding)


def realistic_lines(encoding: str = "gbk") -> bytes:
    return table_csv(LINE_HEADER, [line_row(line) for line in LINES], encoding=encoding)


def realistic_items(encoding: str = "gbk") -> bytes:
    return table_csv(ITEM_HEADER, [item_row(i) for i in ITEMS], encoding=encoding)


# ---- big files (benchmark) ------------------------------------------------------------------------

_PLACES = [
    ("浙江省", "杭州市", "西湖区", "文三路"), ("浙江省", "杭州市", "滨江区", "江南大道"), ("广东省", "深圳市", "南山区", "科技南路"),
    ("广东省", "广州市", "天河区", "天河路"), ("江苏省", "南京市", "鼓楼区", "中山北路"), ("上海", "上海市", "浦东新区", "张杨路"),
    ("北京", "北京市", "朝阳区", "建国路"), ("四川省", "成都市", "武侯区", "人民南路"), ("湖北省", "武汉市", "洪山区", "珞喻路"),
    ("山东省", "青岛市", "市南区", "香港中路"), ("福建省", "厦门市", "思明区", "湖滨南路"), ("陕西省", "西安市", "雁塔区", "小寨东路"),
]  # fmt: skip
_SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗"
_GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰"


def big_orders(count: int, seed: int = 7, buyers: int | None = None) -> Iterator[list[str]]:
    """``count`` order rows of a busy shop: buyers come back (about 1.6 orders each), every status."""
    rng = random.Random(seed)
    buyers = buyers or max(1, count * 5 // 8)
    for n in range(count):
        b = rng.randrange(buyers)
        brng = random.Random(b)
        province, city, district, road = _PLACES[brng.randrange(len(_PLACES))]
        name = _SURNAMES[brng.randrange(len(_SURNAMES))] + _GIVEN[brng.randrange(len(_GIVEN))]
        phone = f"1{brng.choice('3589')}{brng.randrange(10**9):09d}"
        address = f"{province} {city} {district} {road} {brng.randrange(1, 999)}号 {brng.randrange(1, 30)}幢 {brng.randrange(101, 2999)}室"
        status = STATUS_TEXTS[rng.randrange(len(STATUS_TEXTS))]
        goods = rng.randrange(990, 99900)
        day = 1 + n * 300 // count
        created = f"2026-{1 + day // 28:02d}-{1 + day % 28:02d} {rng.randrange(24):02d}:{rng.randrange(60):02d}:{rng.randrange(60):02d}"
        paid = "" if status == "等待买家付款" else created
        values = {
            "订单编号": f"{4400000000000000000 + n}", "买家会员名": f"买家{b:06d}", "订单状态": status,
            "买家应付货款": f"{goods // 100}.{goods % 100:02d}", "买家应付邮费": "0.00",
            "总金额": f"{goods // 100}.{goods % 100:02d}", "买家实际支付金额": "0.00" if not paid else f"{goods // 100}.{goods % 100:02d}",
            "收货人姓名": name, "收货地址": address, "联系手机": phone, "订单创建时间": created, "订单付款时间": paid,
            "宝贝标题": "北欧实木餐椅 橡木款", "宝贝总数量": "1", "店铺名称": "基准店",
        }  # fmt: skip
        yield order_row(values, quote="eq" if n % 2 else "tick")
