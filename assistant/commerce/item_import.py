"""Import the item list export (出售中 / 仓库中的宝贝): item id, title, 商家编码, price, stock, on sale.

Rows are matched to the shop's items by the platform's item id (宝贝ID), then by 商家编码 (our
``sku``). A new item is *added* (its 商家编码 as sku, or ``TB<宝贝ID>`` when it has none); a known
one whose values differ is *updated* in place; an unchanged one is *left*; a row that cannot be
read is *refused* with its row number and reason. Product knowledge, hot-item answers and pairings
stay ours. The same dry-run / apply contract as the order import.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import IO, Any

import sqlite_utils
from pydantic import ValidationError

from assistant.commerce import import_cells as c
from assistant.commerce import import_store as istore
from assistant.commerce.import_files import ImportOptions, blank, cells_of, find_header, open_export
from assistant.commerce.import_report import ImportReport, PlanChanged, Tally
from knowledge.models import Item

DEFAULT_CATEGORY = "未分类"
COMPARED = ("sku", "title", "category", "price_fen", "stock", "on_sale", "platform_item_id")
LABELS = {"sku": "商家编码", "title": "宝贝名称", "category": "类目", "price_fen": "价格", "stock": "库存",
          "on_sale": "出售状态", "platform_item_id": "宝贝ID"}  # fmt: skip
_RANGE_RE = re.compile(r"^\s*([0-9.,]+)\s*[-~～至]\s*([0-9.,]+)\s*$")


def _price(value: Any) -> int:
    """A price, or the lowest of a range ('39.90-59.90', an item with several SKUs)."""
    raw = c.text(value)
    match = _RANGE_RE.match(raw)
    if match:
        return min(c.fen(match.group(1), "价格"), c.fen(match.group(2), "价格"))
    return c.fen(value, "价格")


def _stock(value: Any) -> int | None:
    raw = c.text(value)
    if not raw:
        return None
    if not raw.isdigit():
        raise ValueError(f"宝贝数量「{raw}」不是整数")
    return int(raw)


def _values(cells: dict[str, Any], stored: istore.ShopItemRow | None) -> dict[str, Any]:
    platform_id = c.number_id(cells["item_id"], "宝贝ID") if c.text(cells.get("item_id")) else None
    sku = c.text(cells.get("sku")) or (stored.sku if stored else (f"TB{platform_id}" if platform_id else ""))
    if not sku:
        raise ValueError("既没有宝贝ID也没有商家编码：无法认出是哪件商品")
    title = c.text(cells.get("title"))[:60]
    price = _price(cells.get("price"))
    if price <= 0:
        raise ValueError("价格为 0")
    stock = _stock(cells.get("stock"))
    sale = c.on_sale(cells.get("status"))
    category = c.text(cells.get("category"))[:60] or (stored.category if stored else DEFAULT_CATEGORY)
    values = {
        "sku": sku, "title": title, "category": category, "price_fen": price,
        "stock": stock if stock is not None else (stored.stock if stored else 0),
        "on_sale": sale if sale is not None else (bool(stored.on_sale) if stored else True),
        "platform_item_id": platform_id or (stored.platform_item_id if stored else None),
    }  # fmt: skip
    # the item model checks what the database would refuse (sku letters, title length, …)
    Item(id=1, shop_id=1, **{k: v for k, v in values.items() if k != "platform_item_id"})
    return values


def _reason(error: ValidationError) -> str:
    parts = []
    for item in error.errors(include_url=False):
        label = LABELS.get(str(item["loc"][0]) if item["loc"] else "", "")
        message = str(item["msg"]).removeprefix("Value error, ")
        if item["loc"] and item["loc"][0] == "sku" and "pattern" in item["type"]:
            message = "只能用字母、数字、- 和 _"
        parts.append(f"{label}：{message}" if label else message)
    return "；".join(parts)


def import_items(
    db: sqlite_utils.Database,
    source: Path | IO[bytes],
    options: ImportOptions,
    *,
    apply: bool = False,
    expected_plan: str | None = None,
    progress: Callable[[float], None] = lambda _: None,
) -> ImportReport:
    """The dry run (``apply=False``) or the import itself (inside one write transaction)."""
    table = open_export(source, c.ITEM_COLUMNS)
    try:
        index, mapping, rest = find_header(table, c.ITEM_COLUMNS, c.ITEM_REQUIRED, "商品文件")
        stored = istore.shop_items(db, options.shop_id)
        by_platform = {r.platform_item_id: r for r in stored if r.platform_item_id}
        by_sku = {r.sku: r for r in stored}
        tally = Tally()
        seen: dict[str, int] = {}
        now = datetime.now(UTC).isoformat()
        read = 0
        rows: Iterator[list[Any]] = itertools.chain(rest, table.rows)
        for number, raw in enumerate(rows, start=index + 2):
            cells = cells_of(raw, mapping)
            if blank(cells):
                continue
            read += 1
            if read % 500 == 0:
                progress(table.progress())
            key = c.text(cells.get("item_id")) or c.text(cells.get("sku"))
            try:
                current = (
                    by_platform.get(c.text(cells.get("item_id"))) if c.text(cells.get("item_id")) else None
                ) or (by_sku.get(c.text(cells.get("sku"))) if c.text(cells.get("sku")) else None)
                values = _values(cells, current)
            except ValidationError as exc:
                tally.note(number, "refuse", key, _reason(exc))
                continue
            except ValueError as exc:
                tally.note(number, "refuse", key, str(exc))
                continue
            if not values["title"]:
                tally.note(number, "refuse", key, "没有宝贝名称")
                continue
            ident = values["platform_item_id"] or values["sku"]
            if ident in seen:
                tally.note(number, "refuse", key, f"与第 {seen[ident]} 行是同一件商品")
                continue
            seen[ident] = number
            if current is None:
                clash = by_sku.get(values["sku"])
                if clash is not None:
                    tally.note(
                        number,
                        "refuse",
                        key,
                        f"商家编码 {values['sku']} 已被另一件商品（{clash.title}）使用",
                    )
                    continue
                tally.note(number, "add", key, payload=values)
                if apply:
                    item_id = istore.insert_item(db, options.shop_id, values, now)
                    by_sku[values["sku"]] = istore.ShopItemRow(id=item_id, version=1, **values)
                continue
            changed = {
                k: v
                for k, v in values.items()
                if (bool(current.on_sale) if k == "on_sale" else current.column(k)) != v
            }
            if "sku" in changed and changed["sku"] in by_sku and by_sku[changed["sku"]].id != current.id:
                tally.note(number, "refuse", key, f"商家编码 {changed['sku']} 已被另一件商品使用")
                continue
            if not changed:
                tally.note(number, "leave", key, "没有变化")
                continue
            tally.note(number, "update", key, "", sorted(changed), payload=sorted(changed.items(), key=str))
            if apply:
                istore.update_item(db, current.id, changed, now)
        counts = tally.counts
        report = ImportReport(
            kind="items", applied=apply, format=table.format, encoding=table.encoding, header_row=index + 1,
            columns=[c.ITEM_COLUMNS[name][0] for name in mapping], exported_at=options.exported_at, rows_read=read,
            added=counts["add"], updated=counts["update"], conflicts=0, left=counts["leave"],
            refused=counts["refuse"], plan_id=tally.plan_id, rows=tally.rows(), rows_cut=tally.cut,
        )  # fmt: skip
        if apply:
            if expected_plan is not None and expected_plan != report.plan_id:
                raise PlanChanged(report.model_copy(update={"applied": False}))
            istore.insert_run(db, {
                "shop_id": options.shop_id, "kind": "items", "agent_id": options.agent_id, "at": now,
                "file_name": options.file_name, "exported_at": options.exported_at.isoformat(), "rows_read": read,
                "added": report.added, "updated": report.updated, "conflicts": 0, "left_alone": report.left,
                "refused": report.refused,
            })  # fmt: skip
        progress(1.0)
        return report
    finally:
        table.close()
