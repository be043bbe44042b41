"""``kefu import orders|items`` on files written in the export's formats, against a real data folder."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest

from assistant.cli import main
from assistant.settings import Settings
from tests.conftest import MiniShop
from tests.shop_import import exports as ex


@pytest.fixture
def files(tmp_path: Path) -> dict[str, Path]:
    paths = {
        "orders": tmp_path / "ExportOrderList202611120930.csv",
        "lines": tmp_path / "ExportOrderDetailList202611120930.csv",
        "items": tmp_path / "items.xlsx",
    }
    paths["orders"].write_bytes(ex.realistic_orders())
    paths["lines"].write_bytes(ex.realistic_lines("utf-8-sig"))
    paths["items"].write_bytes(ex.to_xlsx(ex.ITEM_HEADER, [ex.item_row(i) for i in ex.ITEMS]))
    return paths


def count(settings: Settings, table: str) -> int:
    with sqlite3.connect(settings.db_path) as conn:
        return int(conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0])


def test_import_items_then_orders_dry_run_first(
    settings: Settings, mini_shop: MiniShop, files: dict[str, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    base = ["--data-dir", str(settings.data_dir), "--shop", "test_shop"]
    assert main(["import", "items", str(files["items"]), *base]) == 0
    out = capsys.readouterr().out
    assert "已导入：4 行商品（xlsx" in out and "新增 4" in out
    orders = ["import", "orders", str(files["orders"]), "--lines", str(files["lines"]), *base]
    assert main([*orders, "--dry-run"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("预览（未写入）：7 行订单（csv，gb18030")
    assert "新增 6，更新 0，冲突 0，保留 0，拒绝 1" in out
    assert "第 8 行 拒绝 3301000000000000007：买家应付货款「abc」不是金额" in out
    assert count(settings, "orders") == 0
    assert main(orders) == 0
    assert "已导入：7 行订单" in capsys.readouterr().out
    assert count(settings, "orders") == 6 and count(settings, "order_lines") == 7
    assert main([*orders, "--json"]) == 0  # the same export again: nothing new
    report = json.loads(capsys.readouterr().out)
    assert (report["added"], report["left"], report["refused"]) == (0, 6, 1)
    assert report["exported_at"] == "2026-11-12T09:30:00+08:00"  # from the file name
    assert count(settings, "orders") == 6


def test_unknown_shops_files_and_columns_are_explained(
    settings: Settings, mini_shop: MiniShop, files: dict[str, Path], tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:  # fmt: skip
    base = ["--data-dir", str(settings.data_dir)]
    assert main(["import", "orders", str(files["orders"]), *base]) == 1
    assert "请用 --shop 指定" in capsys.readouterr().err  # two shops
    assert main(["import", "orders", str(files["orders"]), *base, "--shop", "nope"]) == 1
    assert "test_shop" in capsys.readouterr().err
    assert main(["import", "orders", str(tmp_path / "missing.csv"), *base, "--shop", "test_shop"]) == 1
    assert "找不到文件" in capsys.readouterr().err
    assert main(["import", "orders", str(files["lines"]), *base, "--shop", "test_shop"]) == 1
    assert "订单文件缺少必需的列" in capsys.readouterr().err
