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
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import IO, Any

import sqlite_utils

from assistant.commerce import import_cells as c
from assistant.commerce import import_store as istore
from assistant.commerce import store
from assistant.commerce.import_files import ImportOptions, blank, cells_of, find_header, open_export
from assistant.commerce.import_report import ImportReport, PlanChanged, Tally
from assistant.commerce.order_rows import CHUNK, Items, OrderRow, RowParser, read_lines
from assistant.commerce.store_rows import OrderColumns

EDITABLE = store.ORDER_EDIT_COLUMNS
FIELD_LABELS = {
    "status": "订单状态", "paid_at": "付款时间", "shipped_at": "发货时间", "delivered_at": "确认收货时间",
    "price_fen": "货款", "postage_fen": "邮费", "receiver_name": "收货人", "receiver_phone": "联系手机",
    "province": "省", "city": "市", "district": "区", "address_detail": "详细地址", "seller_remark": "订单备注",
    "courier": "物流公司", "tracking_no": "物流单号", "refund_status": "退款", "refund_fen": "退款金额",
    "buyer_message": "买家留言", "lines": "宝贝明细", "remark_flag": "旗帜",
}  # fmt: skip


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

    def chunk(self, batch: list[OrderRow]) -> None:
        ids = [o.order_id for o in batch]
        existing = istore.orders_by_id(self.db, ids)
        known = [i for i in ids if i in existing]
        audit = istore.order_audit(self.db, known) if known else {}
        stored_lines = istore.lines_by_order(self.db, known) if known else {}
        self._buyers([o.nick for o in batch if o.nick not in self.buyers])
        if self.apply:
            self._new_buyers([o for o in batch if o.nick not in self.buyers and o.order_id not in existing])
        new_rows: list[dict[str, Any]] = []
        new_lines: list[tuple[Any, ...]] = []
        confirmed: list[tuple[str, str]] = []
        exported = self.options.exported_at.isoformat()
        for order in batch:
            self._seen(order)
            current = existing.get(order.order_id)
            if current is None:
                self.tally.note(
                    order.row, "add", order.order_id
                )  # the file is the same: its row and key say enough
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
        self, order: OrderRow, current: OrderColumns, audit: list[istore.LocalEdit], lines: list[istore.ImportedLine],
        confirmed: list[tuple[str, str]],
    ) -> None:  # fmt: skip
        if current.shop_id != self.options.shop_id:
            self.tally.note(
                order.row, "refuse", order.order_id, "这个订单编号属于另一家店铺：请确认导入到哪家店铺"
            )
            return
        if current.exported_at and datetime.fromisoformat(current.exported_at) > self.options.exported_at:
            when = datetime.fromisoformat(current.exported_at).astimezone(self.options.zone)
            self.tally.note(
                order.row,
                "leave",
                order.order_id,
                f"已按 {when:%Y-%m-%d %H:%M} 的更新导出导入过，不用旧的覆盖",
            )
            return
        changed = {k: v for k, v in order.values.items() if current.column(k) != v}
        if (
            order.lines is not None
            and (order.lines_given or not lines)
            and _line_tuples(lines) != order.lines
        ):
            changed["lines"] = order.lines
        if not changed:
            self.tally.note(order.row, "leave", order.order_id, "没有变化")
            if self.apply:
                confirmed.append((self.options.exported_at.isoformat(), order.order_id))
            return
        edited = {
            name for entry in audit if datetime.fromisoformat(entry.at) > self.options.exported_at
            for name in entry.after if name in EDITABLE
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
            before={k: current.column(k) for k in changed}, after=dict(changed),
        )  # fmt: skip

    def _buyers(self, nicks: list[str]) -> None:
        unique = list(dict.fromkeys(nicks))
        if not unique:
            return
        found = istore.buyers_by_nick(self.db, self.options.shop_id, unique)
        for nick in unique:
            row = found.get(nick)
            if row is not None:
                self.buyers[nick] = row.id
                stored = datetime.fromisoformat(row.first_seen_at)
                self.first_seen[nick] = (stored, stored)

    def _seen(self, order: OrderRow) -> None:
        earliest, stored = self.first_seen.get(order.nick, (order.created_at, None))
        self.first_seen[order.nick] = (min(earliest, order.created_at), stored)

    def _new_buyers(self, orders: list[OrderRow]) -> None:
        """Create the buyers first seen in this chunk, in one statement (their first order's time)."""
        first: dict[str, str] = {}
        for order in orders:
            first.setdefault(order.nick, order.created_at.isoformat())
        if not first:
            return
        istore.insert_buyers(self.db, self.options.shop_id, list(first.items()))
        for nick, row in istore.buyers_by_nick(self.db, self.options.shop_id, list(first)).items():
            self.buyers[nick] = row.id
            at = datetime.fromisoformat(row.first_seen_at)
            self.first_seen[nick] = (min(at, self.first_seen.get(nick, (at, None))[0]), at)
        self.buyers_added += len(first)

    def _buyer_id(self, order: OrderRow) -> int:
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


def _line_tuples(rows: list[istore.ImportedLine]) -> list[tuple[int | None, str, str, int, int]]:
    return [(r.item_id, r.sku, r.title, r.unit_price_fen, r.quantity) for r in rows]


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
    lines = read_lines(lines_file, lambda f: progress(f * share)) if lines_file is not None else None
    table = open_export(orders_file, c.ORDER_COLUMNS)
    try:
        index, mapping, rest = find_header(table, c.ORDER_COLUMNS, c.ORDER_REQUIRED, "订单文件")
        parser = RowParser(options, Items.load(db, options.shop_id), lines)
        run = _Run(db, options, apply)
        seen: dict[str, int] = {}
        batch: list[OrderRow] = []
        read = 0
        for number, cells in enumerate(itertools.chain(rest, table.rows), start=index + 2):
            values = cells_of(cells, mapping)
            if blank(values):
                continue
            read += 1
            key = c.text(values.get("order_id"))
            try:
                order = parser.order(number, values)
            except ValueError as exc:
                run.tally.note(number, "refuse", key, str(exc))
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
        table.close()
