"""Opening an export file and finding its header: shared by the order and the item import."""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass, replace
from datetime import datetime
from pathlib import Path
from typing import IO, Any
from zoneinfo import ZoneInfo

from assistant.commerce import import_cells as c
from knowledge.spreadsheet import EXPORT_LIMITS as SHARED_EXPORT_LIMITS
from knowledge.spreadsheet import Table, TableError, open_table

_EXPORT_NAME_RE = re.compile(r"(20\d{2})(\d{2})(\d{2})[_-]?(\d{2})(\d{2})(\d{2})?")
# a 200,000-order export unpacks to well under a gigabyte; every other bound is the shared reader's
EXPORT_LIMITS = replace(SHARED_EXPORT_LIMITS, unpacked_bytes=2 << 30)


@dataclass(frozen=True)
class ImportOptions:
    shop_id: int
    zone: ZoneInfo
    exported_at: datetime
    agent_id: int | None = None
    overwrite_conflicts: bool = False
    file_name: str = ""


def export_time_from_name(name: str, zone: ZoneInfo) -> datetime | None:
    """The time in an export's file name (ExportOrderList202611121530.csv), if it has one."""
    match = _EXPORT_NAME_RE.search(Path(name).name)
    if match is None:
        return None
    year, month, day, hour, minute, second = (int(g or 0) for g in match.groups())
    try:
        return datetime(year, month, day, hour, minute, second, tzinfo=zone)
    except ValueError:
        return None


def open_export(source: Path | IO[bytes], columns: dict[str, tuple[str, ...]]) -> Table:
    """The export as a table (CSV or .xlsx, any of the usual encodings); ``Table.close()`` closes the file."""
    binary: IO[bytes] = source.open("rb") if isinstance(source, Path) else source
    try:
        binary.seek(0, 2)
        size = binary.tell()
        binary.seek(0)
        if size == 0:
            raise TableError("文件是空的：请选择从千牛/卖家中心导出的 CSV 或 Excel 文件")
        return open_table(
            binary, size, score=lambda row: len(c.header_map(row, columns)), limits=EXPORT_LIMITS
        )
    except BaseException:
        binary.close()
        raise


def find_header(
    table: Table, columns: dict[str, tuple[str, ...]], required: tuple[tuple[str, ...], ...], what: str
) -> tuple[int, dict[str, int], list[list[Any]]]:
    """Find the header among the first rows; the rows after it that were already read come back too."""
    head = list(itertools.islice(table.rows, c.HEADER_SCAN_ROWS))
    index, mapping = c.find_header(head, columns)
    missing = c.missing_columns(mapping, columns, required)
    if index < 0 or missing:
        raise TableError(
            f"{what}缺少必需的列：{'、'.join(missing)}。请用卖家中心原样导出的文件（表头要在前 {c.HEADER_SCAN_ROWS} 行内）"
        )
    return index, mapping, head[index + 1 :]


def cells_of(cells: list[Any], mapping: dict[str, int]) -> dict[str, Any]:
    """The recognised cells of a row: text cleaned once (``import_cells.text``), xlsx values as they are."""
    count = len(cells)
    text = c.text
    return {
        name: (text(value) if isinstance(value, str) else value)
        if (value := cells[i] if i < count else None) is not None
        else ""
        for name, i in mapping.items()
    }


def blank(values: dict[str, Any]) -> bool:
    return all(v == "" for v in values.values())
