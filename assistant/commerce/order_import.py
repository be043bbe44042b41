"""Import the seller center's order export (已卖出的宝贝 → 批量导出): orders, their lines and buyers.

``import_orders`` reads the orders file (and the order-lines file when given) row by row, in chunks,
and decides for each row: *add* a new order, *update* one we have (in place, no duplicate),
*conflict* (an agent edited it here after the export was made: those fields keep the local value
unless ``overwrite_conflicts``), *leave* it (unchanged, or an older export than the one that
wrote it) or *refuse* it (row number and reason: a broken cell, an address the parser cannot
read, a line of the lines file that is wrong). A refused row writes nothing at all. With
``apply=False`` it only reads (the dry run); with ``apply=True`` it must run inside one
``Database.write``: a plan that differs from the dry run's raises ``PlanChanged`` and nothing is kept.

Buyers follow from the orders (nick, first purchase); their tiers, tags and notes stay ours.
Addresses go through ``assistant.commerce.address.parse_address``.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import IO, Any

import sqlite_utils
from pydantic import ValidationError

from assistant.commerce import import_cells as c
from assistant.commerce import import_store as istore
from assistant.commerce import store
from assistant.commerce.address import AddressParseError, ParsedAddress, parse_address
from assistant.commerce.import_files import ImportOptions, blank, cells_of, find_header, open_export
from assistant.commerce.import_report import ImportReport, PlanChanged, Tally
from assistant.commerce.models import Address, Order, OrderLine, OrderStatus, RefundStatus

CHUNK = 1000
ADDRESS_CACHE = 50_000
TITLE_MAX = 60
SKU_MAX = 40
NO_SKU = "-"
PLACEHOLDER_NAME = "某某"
EDITABLE = store.ORDER_EDIT_COLUMNS
FIELD_LABELS = {
    "status": "订单状态", "paid_at": "付款时间", "shipped_at": "发货时间", "delivered_at": "确认收货时间",
    "price_fen": "货款", "postage_fen": "邮费", "receiver_name": "收货人", "receiver_phone": "联系手机",
    "province": "省", "city": "市", "district": "区", "address_detail": "详细地址", "seller_remark": "订单备注",
    "courier": "物流公司", "tracking_no": "物流单号", "refund_status": "退款", "refund_fen": "退款金额",
    "buyer_message": "买家留言", "lines": "宝贝明细", "remark_flag": "旗帜",
}  # fmt: skip
_MASKED_RE = re.compile(r"\*{2,}")


@dataclass(slots=True)
class _Line:
    row: int
    title: str
    sku: str
    unit_price_fen: int
    quantity: int
    platform_item_id: str


@dataclass
class _Items:
    """The shop's items, to give order lines their ``item_id`` (by 宝贝ID, 商家编码, then title)."""

    by_platform: dict[str, int] = field(default_factory=dict)
    by_sku: dict[str, int] = field(default_factory=dict)
    by_title: dict[str, int] = field(default_factory=dict)
    sku_of: dict[int, str] = field(default_factory=dict)

    @classmethod
    def load(cls, db: sqlite_utils.Database, shop_id: int) -> _Items:
        items = cls()
        for row in istore.shop_items(db, shop_id):
            if row["platform_item_id"]:
                items.by_platform[row["platform_item_id"]] = row["id"]
            items.by_sku.setdefault(row["sku"], row["id"])
            items.by_title.setdefault(row["title"], row["id"])
            items.sku_of[row["id"]] = row["sku"]
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
class _LinesFile:
    lines: dict[str, list[_Line]] = field(default_factory=dict)
    errors: dict[str, str] = field(default_factory=dict)  # order id -> why its lines are refused
    read: int = 0


def _read_lines(source: Path | IO[bytes], progress: Callable[[float], None]) -> _LinesFile:
    table, binary, _ = open_export(source, c.LINE_COLUMNS)
    try:
        index, mapping, rest = find_header(table, c.LINE_COLUMNS, c.LINE_REQUIRED, "宝贝明细文件")
        result = _LinesFile()
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
        binary.close()


# ---- one order row --------------------------------------------------------------------------------


@dataclass(slots=True)
class _OrderIn:
    row: int
    order_id: str
    nick: str
    created_at: datetime
    values: dict[str, Any]  # IMPORT_COLUMNS
    lines: list[tuple[int | None, str, str, int, int]] | None  # None: keep what we have


class _Parser:
    def __init__(self, options: ImportOptions, items: _Items, lines: _LinesFile | None) -> None:
        self.options = options
        self.items = items
        self.lines = lines
        self.addresses: dict[str, ParsedAddress | AddressParseError] = {}

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

    def address(self, values: dict[str, Any]) -> ParsedAddress:
        receiver = c.text(values.get("receiver"))
        phone = c.text(values.get("mobile")) or c.text(values.get("phone"))
        if _MASKED_RE.search(phone):
            raise ValueError(f"联系手机「{phone}」是打码的：请在导出时选择显示完整的收货人手机号")
        changed = c.text(values.get("changed_address"))
        if changed:
            try:
                return self._parse(changed)
            except AddressParseError as exc:
                if exc.field not in {"phone", "name"}:
                    raise ValueError(f"修改后的收货地址看不懂：{exc.message}") from None
            return self._parse(f"{receiver} {phone} {changed}")
        address = c.text(values.get("address"))
        if not address:
            raise ValueError("没有收货地址")
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
        return parsed.model_copy(update={"name": receiver}) if receiver else parsed

    def order(self, number: int, values: dict[str, Any]) -> _OrderIn:
        zone = self.options.zone
        order_id = c.number_id(values.get("order_id"), "订单编号")
        nick = c.text(values.get("nick"))
        if not nick:
            raise ValueError("没有买家会员名")
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
        lines = self._lines(order_id, values, price)
        courier = c.text(values.get("courier")) or None
        tracking = c.text(values.get("tracking_no")) or None
        model = Order(
            id=order_id, shop_id=self.options.shop_id, buyer_id=1, status=status, created_at=created,
            paid_at=paid, shipped_at=c.moment(values.get("shipped_at"), zone, "发货时间"),
            delivered_at=c.moment(values.get("delivered_at"), zone, "确认收货时间"), price_fen=price,
            postage_fen=postage,
            address=Address(name=address.name, phone=address.phone, province=address.province, city=address.city,
                            district=address.district, detail=address.detail),
            seller_remark=c.text(values.get("remark")), courier=courier, tracking_no=tracking,
            refund_status=refund_status,
            lines=[OrderLine(item_id=i, sku=s, title=t, unit_price_fen=p, quantity=q) for i, s, t, p, q in lines or []],
        )  # fmt: skip
        message = c.text(values.get("message"))
        if len(message) > 500:
            raise ValueError("买家留言超过 500 字")
        if len(nick) > 40:
            raise ValueError(f"买家会员名「{nick}」超过 40 个字")
        iso = _iso
        return _OrderIn(
            row=number, order_id=order_id, nick=nick, created_at=created,
            values={
                "status": model.status.value, "paid_at": iso(model.paid_at), "shipped_at": iso(model.shipped_at),
                "delivered_at": iso(model.delivered_at), "price_fen": price, "postage_fen": postage,
                "receiver_name": model.address.name, "receiver_phone": model.address.phone,
                "province": model.address.province, "city": model.address.city,
                "district": model.address.district, "address_detail": model.address.detail,
                "seller_remark": model.seller_remark, "courier": courier, "tracking_no": tracking,
                "refund_status": refund_status.value, "refund_fen": refund, "buyer_message": message,
            },
            lines=lines,
        )  # fmt: skip

    def _lines(
        self, order_id: str, values: dict[str, Any], price: int
    ) -> list[tuple[int | None, str, str, int, int]] | None:
        if self.lines is not None:
            if order_id in self.lines.errors:
                raise ValueError(self.lines.errors[order_id])
            found = self.lines.lines.get(order_id)
            if found:
                result = []
                for line in found:
                    item_id = self.items.find(line.platform_item_id, line.sku, line.title)
                    sku = line.sku or (self.items.sku_of[item_id] if item_id else NO_SKU)
                    result.append((item_id, sku, line.title, line.unit_price_fen, line.quantity))
                return result
        title = c.text(values.get("title"))[:TITLE_MAX]
        if not title:
            return None
        quantity = c.quantity(values.get("quantity"), "宝贝总数量")
        sku = c.text(values.get("sku"))[:SKU_MAX]
        item_id = self.items.find("", sku, title)
        sku = sku or (self.items.sku_of[item_id] if item_id else NO_SKU)
        return [(item_id, sku, title, max(1, price // quantity), quantity)]


def _iso(moment: datetime | None) -> str | None:
    return moment.isoformat() if moment else None


_LOC_LABELS = {"name": "收货人姓名", "phone": "联系手机", "detail": "详细地址", "province": "省", "city": "市",
               "seller_remark": "订单备注", "courier": "物流公司", "tracking_no": "物流单号", "title": "宝贝标题",
               "sku": "商家编码", "quantity": "数量", "unit_price_fen": "价格"}  # fmt: skip


def _reason(error: ValidationError) -> str:
    parts = []
    for item in error.errors(include_url=False):
        where = next((_LOC_LABELS[str(p)] for p in reversed(item["loc"]) if str(p) in _LOC_LABELS), "")
        message = str(item["msg"]).removeprefix("Value error, ")
        parts.append(f"{where}：{message}" if where else message)
    return "；".join(parts)


# ---- planning and writing ------------------------------------------------------------------------


@dataclass
class _Run:
    db: sqlite_utils.Database
    options: ImportOptions
    apply: bool
    tally: Tally = field(default_factory=Tally)
    buyers: dict[str, int] = field(default_factory=dict)  # nick -> id (0: would be added)
    first_seen: dict[str, tuple[datetime, datetime | None]] = field(
        default_factory=dict
    )  # nick -> (min, stored)
    buyers_added: int = 0
    now: str = field(default_factory=lambda: datetime.now(UTC).isoformat())

    def chunk(self, batch: list[_OrderIn]) -> None:
        ids = [o.order_id for o in batch]
        existing = istore.orders_by_id(self.db, ids)
        known = [i for i in ids if i in existing]
        audit = istore.order_audit(self.db, known) if known else {}
        stored_lines = istore.lines_by_order(self.db, known) if known else {}
        self._buyers([o.nick for o in batch if o.nick not in self.buyers])
        new_rows: list[dict[str, Any]] = []
        new_lines: list[tuple[Any, ...]] = []
        confirmed: list[tuple[str, str]] = []
        exported = self.options.exported_at.isoformat()
        for order in batch:
            self._seen(order)
            current = existing.get(order.order_id)
            if current is None:
                self.tally.note(order.row, "add", order.order_id, payload=(order.values, order.lines))
                if self.apply:
                    new_rows.append({
                        "id": order.order_id, "shop_id": self.options.shop_id, "buyer_id": self._buyer_id(order),
                        "created_at": order.created_at.isoformat(), **order.values, "version": 1,
                        "updated_at": self.now, "exported_at": exported,
                    })  # fmt: skip
                    new_lines.extend((order.order_id, *line) for line in order.lines or [])
                continue
            self._existing(order, current, audit.get(order.order_id, []), stored_lines.get(order.order_id, []),
                           confirmed)  # fmt: skip
        if self.apply:
            istore.insert_orders(self.db, new_rows)
            istore.insert_lines(self.db, new_lines)
            istore.mark_exported(self.db, confirmed)

    def _existing(
        self, order: _OrderIn, current: dict[str, Any], audit: list[dict[str, Any]], lines: list[dict[str, Any]],
        confirmed: list[tuple[str, str]],
    ) -> None:  # fmt: skip
        if current["shop_id"] != self.options.shop_id:
            self.tally.note(
                order.row, "refuse", order.order_id, "这个订单编号属于另一家店铺：请确认导入到哪家店铺"
            )
            return
        if (
            current["exported_at"]
            and datetime.fromisoformat(current["exported_at"]) > self.options.exported_at
        ):
            when = datetime.fromisoformat(current["exported_at"]).astimezone(self.options.zone)
            self.tally.note(
                order.row,
                "leave",
                order.order_id,
                f"已按 {when:%Y-%m-%d %H:%M} 的更新导出导入过，不用旧的覆盖",
            )
            return
        changed = {k: v for k, v in order.values.items() if current[k] != v}
        if order.lines is not None and _line_tuples(lines) != order.lines:
            changed["lines"] = order.lines
        if not changed:
            self.tally.note(order.row, "leave", order.order_id, "没有变化")
            if self.apply:
                confirmed.append((self.options.exported_at.isoformat(), order.order_id))
            return
        edited = {
            name for entry in audit if datetime.fromisoformat(entry["at"]) > self.options.exported_at
            for name in entry["after"] if name in EDITABLE
        }  # fmt: skip
        kept = sorted(name for name in changed if name in edited)
        fields = sorted(changed)
        if kept and not self.options.overwrite_conflicts:
            labels = "、".join(FIELD_LABELS.get(k, k) for k in kept)
            for name in kept:
                del changed[name]
            rest = "；其余改动照常更新" if changed else ""
            self.tally.note(order.row, "conflict", order.order_id,
                            f"导出之后有人在这里改过{labels}：保留本地的值{rest}", fields, payload=sorted(changed.items(), key=str))  # fmt: skip
        else:
            self.tally.note(
                order.row, "update", order.order_id, "", fields, payload=sorted(changed.items(), key=str)
            )
        if not self.apply:
            return
        new_lines = changed.pop("lines", None)
        if not changed and new_lines is None:
            confirmed.append((self.options.exported_at.isoformat(), order.order_id))
            return
        columns = {**changed, "exported_at": self.options.exported_at.isoformat()}
        istore.update_orders(self.db, order.order_id, columns, self.now)
        if new_lines is not None:
            istore.replace_lines(self.db, order.order_id, new_lines)
            store.insert_audit(
                self.db, at=self.now, agent_id=self.options.agent_id, shop_id=self.options.shop_id, entity="order",
                entity_id=order.order_id, action="import", reason=self.options.file_name,
                before={k: current[k] for k in changed}, after=dict(changed),
            )  # fmt: skip

    def _buyers(self, nicks: list[str]) -> None:
        unique = list(dict.fromkeys(nicks))
        if not unique:
            return
        found = istore.buyers_by_nick(self.db, self.options.shop_id, unique)
        for nick in unique:
            row = found.get(nick)
            if row is not None:
                self.buyers[nick] = row["id"]
                stored = datetime.fromisoformat(row["first_seen_at"])
                self.first_seen[nick] = (stored, stored)

    def _seen(self, order: _OrderIn) -> None:
        earliest, stored = self.first_seen.get(order.nick, (order.created_at, None))
        self.first_seen[order.nick] = (min(earliest, order.created_at), stored)

    def _buyer_id(self, order: _OrderIn) -> int:
        buyer_id = self.buyers.get(order.nick)
        if buyer_id is None:
            buyer_id = istore.insert_buyer(
                self.db, self.options.shop_id, order.nick, order.created_at.isoformat()
            )
            self.buyers[order.nick] = buyer_id
            self.first_seen[order.nick] = (order.created_at, order.created_at)
            self.buyers_added += 1
        return buyer_id

    def finish(self) -> None:
        if not self.apply:
            self.buyers_added = sum(1 for nick in self.first_seen if nick not in self.buyers)
            return
        changes = [
            (earliest.isoformat(), self.buyers[nick])
            for nick, (earliest, stored) in self.first_seen.items()
            if stored is not None and earliest < stored and nick in self.buyers
        ]
        istore.set_first_seen(self.db, changes)


def _line_tuples(rows: list[dict[str, Any]]) -> list[tuple[int | None, str, str, int, int]]:
    return [(r["item_id"], r["sku"], r["title"], r["unit_price_fen"], r["quantity"]) for r in rows]


def import_orders(
    db: sqlite_utils.Database,
    orders_file: Path | IO[bytes],
    options: ImportOptions,
    *,
    lines_file: Path | IO[bytes] | None = None,
    apply: bool = False,
    expected_plan: str | None = None,
    progress: Callable[[float], None] = lambda _: None,
) -> ImportReport:
    """The dry run (``apply=False``, reads only) or the import itself (inside one write transaction)."""
    share = 0.3 if lines_file is not None else 0.0
    lines = _read_lines(lines_file, lambda f: progress(f * share)) if lines_file is not None else None
    table, binary, _ = open_export(orders_file, c.ORDER_COLUMNS)
    try:
        index, mapping, rest = find_header(table, c.ORDER_COLUMNS, c.ORDER_REQUIRED, "订单文件")
        parser = _Parser(options, _Items.load(db, options.shop_id), lines)
        run = _Run(db, options, apply)
        seen: dict[str, int] = {}
        batch: list[_OrderIn] = []
        read = 0
        for number, cells in enumerate(itertools.chain(rest, table.rows), start=index + 2):
            values = cells_of(cells, mapping)
            if blank(values):
                continue
            read += 1
            key = c.text(values.get("order_id"))
            try:
                order = parser.order(number, values)
            except (ValueError, ValidationError) as exc:
                reason = _reason(exc) if isinstance(exc, ValidationError) else str(exc)
                run.tally.note(number, "refuse", key, reason)
                continue
            if order.order_id in seen:
                run.tally.note(number, "refuse", key, f"订单编号与第 {seen[order.order_id]} 行重复")
                continue
            seen[order.order_id] = number
            batch.append(order)
            if len(batch) >= CHUNK:
                run.chunk(batch)
                batch = []
                progress(share + (1 - share) * table.progress())
        if batch:
            run.chunk(batch)
        run.finish()
        counts = run.tally.counts
        report = ImportReport(
            kind="orders", applied=apply, format=table.format, encoding=table.encoding, header_row=index + 1,
            columns=[c.ORDER_COLUMNS[name][0] for name in mapping], exported_at=options.exported_at,
            rows_read=read, added=counts["add"], updated=counts["update"], conflicts=counts["conflict"],
            left=counts["leave"], refused=counts["refuse"], buyers_added=run.buyers_added,
            lines_read=lines.read if lines else 0,
            lines_without_order=sum(1 for k in (lines.lines if lines else {}) if k not in seen),
            plan_id=run.tally.plan_id, rows=run.tally.rows(), rows_cut=run.tally.cut,
        )  # fmt: skip
        if apply:
            if expected_plan is not None and expected_plan != report.plan_id:
                raise PlanChanged(report.model_copy(update={"applied": False}))
            istore.insert_run(db, {
                "shop_id": options.shop_id, "kind": "orders", "agent_id": options.agent_id, "at": run.now,
                "file_name": options.file_name, "exported_at": options.exported_at.isoformat(), "rows_read": read,
                "added": report.added, "updated": report.updated, "conflicts": report.conflicts,
                "left_alone": report.left, "refused": report.refused,
            })  # fmt: skip
        progress(1.0)
        return report
    finally:
        binary.close()
