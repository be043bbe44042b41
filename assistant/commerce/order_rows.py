"""One row of an order export into what we store: cells, the address, the lines.

``RowParser.order`` turns a row of the orders file into an ``OrderRow`` (our columns and lines) or
raises ``ValueError`` with the reason the row is refused. Addresses go through the address parser
(``parse_address``); the export's own spaced form (``浙江省 杭州市 西湖区 文三路 478号``) is
resolved region by region: the parser reads each distinct region prefix once (checked: the prefix
must be exactly a region, nothing of it left in the detail) and the rest becomes the detail,
tidied the way the parser tidies it. Anything else (a changed address, a landline, labels or
numbers in the detail) is handed to the parser whole. Results are cached per text.
"""

from __future__ import annotations

import itertools
import re
import unicodedata
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import IO, Any, NamedTuple

import sqlite_utils

from assistant.commerce import import_cells as c
from assistant.commerce import import_store as istore
from assistant.commerce.address import AddressParseError, ParsedAddress, parse_address
from assistant.commerce.import_files import ImportOptions, blank, cells_of, find_header, open_export
from assistant.commerce.models import OrderStatus, RefundStatus

CHUNK = 1000
ADDRESS_CACHE = 50_000
TITLE_MAX = 60
SKU_MAX = 40
NO_SKU = "-"
PLACEHOLDER_NAME = "某某"
PROBE_PHONE = "13800000000"
PROBE_DETAIL = "1号"
_MASKED_RE = re.compile(r"\*{2,}")
_MOBILE_RE = re.compile(r"^1[3-9][0-9]{9}$")
_CJK = "\u4e00-\u9fff"
_POSTCODE_TAIL_RE = re.compile(r"\s*[(（]?\s*[0-9]{6}\s*[)）]?\s*$")
_SPACE_RE = re.compile(rf"(?<=[{_CJK}]) | (?=[{_CJK}])")
_NOT_PLAIN_RE = re.compile(r"[0-9]{7,}|[:：]|收货人|收件人|电话|手机|联系人|地址")
_CONTROL_RE = re.compile(r"[\x00-\x08\x0b-\x1f]")


class Address(NamedTuple):
    """An address as the row gets it (the parser's ``ParsedAddress`` fields, without a model per row)."""

    name: str
    phone: str
    province: str
    city: str
    district: str
    detail: str
    notes: list[str] = []  # what the parser says about the region (an old district mapped to today's)  # noqa: RUF012


Lines = list[tuple[int | None, str, str, int, int]]  # (item_id, sku, title, unit_price_fen, quantity)


@dataclass(slots=True)
class _Line:
    row: int
    title: str
    sku: str
    unit_price_fen: int
    quantity: int
    platform_item_id: str


@dataclass
class Items:
    """The shop's items, to give order lines their ``item_id`` (by 宝贝ID, 商家编码, then title)."""

    by_platform: dict[str, int] = field(default_factory=dict)
    by_sku: dict[str, int] = field(default_factory=dict)
    by_title: dict[str, int] = field(default_factory=dict)
    sku_of: dict[int, str] = field(default_factory=dict)

    @classmethod
    def load(cls, db: sqlite_utils.Database, shop_id: int) -> Items:
        items = cls()
        for row in istore.shop_items(db, shop_id):
            if row.platform_item_id:
                items.by_platform[row.platform_item_id] = row.id
            items.by_sku.setdefault(row.sku, row.id)
            items.by_title.setdefault(row.title, row.id)
            items.sku_of[row.id] = row.sku
        return items

    def find(self, platform_id: str, sku: str, title: str) -> int | None:
        return (
            (self.by_platform.get(platform_id) if platform_id else None)
            or (self.by_sku.get(sku) if sku else None)
            or self.by_title.get(title)
            or self.by_title.get(title[:TITLE_MAX])
        )


# ---- the lines file -----------------------------------------------------------------------------


@dataclass
class LinesFile:
    lines: dict[str, list[_Line]] = field(default_factory=dict)
    errors: dict[str, str] = field(default_factory=dict)  # order id -> why its lines are refused
    read: int = 0


def read_lines(source: Path | IO[bytes], progress: Callable[[float], None]) -> LinesFile:
    table = open_export(source, c.LINE_COLUMNS)
    try:
        index, mapping, rest = find_header(table, c.LINE_COLUMNS, c.LINE_REQUIRED, "宝贝明细文件")
        result = LinesFile()
        rows: Iterator[list[Any]] = itertools.chain(rest, table.rows)
        for number, cells in enumerate(rows, start=index + 2):
            values = cells_of(cells, mapping)
            if blank(values):
                continue
            result.read += 1
            if result.read % CHUNK == 0:
                progress(table.progress())
            try:
                order_id = c.number_id(values.get("order_id"), "订单编号")
            except ValueError as exc:
                result.errors.setdefault(f"?{number}", f"宝贝明细第 {number} 行：{exc}")
                continue
            try:
                title = c.text(values.get("title"))
                if not title:
                    raise ValueError("没有标题")
                sku = c.text(values.get("sku"))
                if len(sku) > SKU_MAX:
                    raise ValueError(f"商家编码「{sku}」超过 {SKU_MAX} 个字符")
                price = c.fen(values.get("price"), "价格")
                if price <= 0:
                    raise ValueError("价格为 0")
                line = _Line(number, title[:TITLE_MAX], sku, price, c.quantity(values.get("quantity"), "购买数量"),
                             c.text(values.get("item_id")))  # fmt: skip
            except ValueError as exc:
                result.errors.setdefault(order_id, f"宝贝明细第 {number} 行：{exc}")
                continue
            result.lines.setdefault(order_id, []).append(line)
        return result
    finally:
        table.close()


# ---- one order row --------------------------------------------------------------------------------


@dataclass(slots=True)
class OrderRow:
    row: int
    order_id: str
    nick: str
    created_at: datetime
    values: dict[str, Any]  # IMPORT_COLUMNS
    lines: Lines | None  # None: keep what we have
    lines_given: bool = False  # from the lines file (they replace stored lines), not made from 宝贝标题


class RowParser:
    """Rows of the orders file into ``OrderRow``s; keeps the address caches of one import."""

    def __init__(self, options: ImportOptions, items: Items, lines: LinesFile | None) -> None:
        self.options = options
        self.items = items
        self.lines = lines
        self.addresses: dict[str, ParsedAddress | AddressParseError] = {}
        self.regions: dict[str, tuple[str, str, str] | None] = {}

    def _parse(self, text: str) -> ParsedAddress:
        found = self.addresses.get(text)
        if found is None:
            try:
                found = parse_address(text)
            except AddressParseError as exc:
                found = exc
            if len(self.addresses) >= ADDRESS_CACHE:
                self.addresses.clear()
            self.addresses[text] = found
        if isinstance(found, AddressParseError):
            raise found
        return found

    def _region(self, prefix: str, districtless: bool) -> tuple[str, str, str] | None:
        """(province, city, district) when ``prefix`` is exactly a region the parser knows."""
        key = f"{districtless}|{prefix}"
        if key not in self.regions:
            try:
                probe = self._parse(f"{PLACEHOLDER_NAME} {PROBE_PHONE} {prefix} {PROBE_DETAIL}")
                # a region with notes (an old district) goes through the parser whole, which says so
                exact = (
                    probe.detail == PROBE_DETAIL
                    and (probe.district == "") == districtless
                    and not probe.notes
                )
                self.regions[key] = (probe.province, probe.city, probe.district) if exact else None
            except AddressParseError:
                self.regions[key] = None
        return self.regions[key]

    def _spaced(self, receiver: str, phone: str, address: str) -> Address | None:
        """The export's ``省 市 区 详细地址`` form, region by region (None: let the parser read it all)."""
        if not receiver or not _MOBILE_RE.match(phone):
            return None
        tokens = unicodedata.normalize("NFKC", address).split()
        for size, districtless in ((3, False), (2, True)):
            if len(tokens) <= size:
                continue
            rest = " ".join(tokens[size:])
            if _NOT_PLAIN_RE.search(rest):
                return None
            region = self._region(" ".join(tokens[:size]), districtless)
            if region is None:
                continue
            detail = _SPACE_RE.sub("", _POSTCODE_TAIL_RE.sub("", rest)).strip()
            if not detail:
                return None
            return Address(name=receiver, phone=phone, province=region[0], city=region[1],
                                                                                 district=region[2], detail=detail)  # fmt: skip
        return None

    def address(self, values: dict[str, Any]) -> Address:
        receiver = c.text(values.get("receiver"))
        phone = c.text(values.get("mobile")) or c.text(values.get("phone"))
        if _MASKED_RE.search(phone):
            raise ValueError(f"联系手机「{phone}」是打码的：请在导出时选择显示完整的收货人手机号")
        changed = c.text(values.get("changed_address"))
        if changed:
            try:
                return _address(self._parse(changed))
            except AddressParseError as exc:
                if exc.field not in {"phone", "name"}:
                    raise ValueError(f"修改后的收货地址看不懂：{exc.message}") from None
            try:
                return _address(self._parse(f"{receiver} {phone} {changed}"))
            except AddressParseError as exc:
                raise ValueError(f"修改后的收货地址看不懂：{exc.message}") from None
        address = c.text(values.get("address"))
        if not address:
            raise ValueError("没有收货地址")
        fast = self._spaced(receiver, phone, address)
        if fast is not None:
            return fast
        try:
            try:
                parsed = self._parse(f"{receiver} {phone} {address}")
            except AddressParseError as exc:
                if exc.field != "name" or not receiver:
                    raise
                # the export gives the name in its own column: let the parser read only the address
                parsed = self._parse(f"{PLACEHOLDER_NAME} {phone} {address}")
        except AddressParseError as exc:
            raise ValueError(f"收货地址看不懂：{exc.message}") from None
        return _address(parsed, receiver)

    def order(self, number: int, values: dict[str, Any]) -> OrderRow:
        """The row as our columns, or ``ValueError`` naming what is wrong."""
        zone = self.options.zone
        order_id = c.number_id(values.get("order_id"), "订单编号")
        if len(order_id) < 6 or len(order_id) > 24:
            raise ValueError(f"订单编号「{order_id}」应为 6–24 位数字")
        nick = c.text(values.get("nick"))
        if not nick:
            raise ValueError("没有买家会员名")
        if len(nick) > 40:
            raise ValueError(f"买家会员名「{nick}」超过 40 个字")
        status = c.status(values.get("status"))
        created = c.moment(values.get("created_at"), zone, "订单创建时间")
        if created is None:
            raise ValueError("没有订单创建时间")
        paid = c.moment(values.get("paid_at"), zone, "订单付款时间")
        postage = c.fen(values.get("postage"), "买家应付邮费")
        if "goods" in values and c.text(values["goods"]):
            price = c.fen(values["goods"], "买家应付货款")
        else:
            price = c.fen(values.get("total"), "总金额") - postage
        if price <= 0:
            raise ValueError("货款为 0：没有可导入的金额（买家应付货款 / 总金额）")
        refund = c.fen(values.get("refund"), "退款金额")
        refund_status = RefundStatus.REFUNDED if refund else RefundStatus.NONE
        if refund and status is OrderStatus.CANCELLED and paid is not None:
            status = OrderStatus.REFUNDED
        address = self.address(values)
        _check(address.name, "收货人姓名", 1, 30)
        _check(address.detail, "详细地址", 1, 200)
        remark = _check(c.text(values.get("remark")), "订单备注", 0, 500)
        message = _check(c.text(values.get("message")), "买家留言", 0, 500)
        courier = _check(c.text(values.get("courier")), "物流公司", 0, 200) or None
        tracking = _check(c.text(values.get("tracking_no")), "物流单号", 0, 40) or None
        _check(nick, "买家会员名", 1, 40)
        return OrderRow(
            row=number, order_id=order_id, nick=nick, created_at=created,
            values={
                "status": status.value, "paid_at": _iso(paid),
                "shipped_at": _iso(c.moment(values.get("shipped_at"), zone, "发货时间")),
                "delivered_at": _iso(c.moment(values.get("delivered_at"), zone, "确认收货时间")),
                "price_fen": price, "postage_fen": postage, "receiver_name": address.name,
                "receiver_phone": address.phone, "province": address.province, "city": address.city,
                "district": address.district, "address_detail": address.detail, "seller_remark": remark,
                "courier": courier, "tracking_no": tracking, "refund_status": refund_status.value,
                "refund_fen": refund, "buyer_message": message,
            },
            lines=self._lines(order_id, values, price),
            lines_given=self.lines is not None and order_id in self.lines.lines,
        )  # fmt: skip

    def _lines(self, order_id: str, values: dict[str, Any], price: int) -> Lines | None:
        if self.lines is not None:
            if order_id in self.lines.errors:
                raise ValueError(self.lines.errors[order_id])
            found = self.lines.lines.get(order_id)
            if found:
                result: Lines = []
                for line in found:
                    item_id = self.items.find(line.platform_item_id, line.sku, line.title)
                    sku = line.sku or (self.items.sku_of[item_id] if item_id else NO_SKU)
                    result.append((item_id, sku, line.title, line.unit_price_fen, line.quantity))
                return result
        title = _check(c.text(values.get("title"))[:TITLE_MAX], "宝贝标题", 0, TITLE_MAX)
        if not title:
            return None
        quantity = c.quantity(values.get("quantity"), "宝贝总数量")
        sku = c.text(values.get("sku"))[:SKU_MAX]
        item_id = self.items.find("", sku, title)
        sku = sku or (self.items.sku_of[item_id] if item_id else NO_SKU)
        return [(item_id, sku, title, max(1, price // quantity), quantity)]


def _address(parsed: ParsedAddress, name: str = "") -> Address:
    return Address(
        name or parsed.name,
        parsed.phone,
        parsed.province,
        parsed.city,
        parsed.district,
        parsed.detail,
        list(parsed.notes),
    )


def _iso(moment: datetime | None) -> str | None:
    return moment.isoformat() if moment else None


def _check(value: str, what: str, shortest: int, longest: int) -> str:
    """What the order model would refuse, checked without building one per row."""
    if len(value) < shortest:
        raise ValueError(f"没有{what}")
    if len(value) > longest:
        raise ValueError(f"{what}超过 {longest} 个字")
    if _CONTROL_RE.search(value):
        raise ValueError(f"{what}含有控制字符")
    return value
