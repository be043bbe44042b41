"""The shop import's .xlsx path is bounded like the quick-reply import: the shared reader scans every
part before openpyxl reads it."""

from __future__ import annotations

import io
import tracemalloc

import pytest

from knowledge.spreadsheet import TableError, open_table
from tests.qr_transfer import xlsx_files


def read(data: bytes) -> list[list[object]]:
    table = open_table(io.BytesIO(data), len(data), score=lambda row: sum(bool(c) for c in row))
    try:
        return list(table.rows)
    finally:
        table.close()


@pytest.mark.parametrize(
    "build",
    [xlsx_files.laughs_in_sheet, xlsx_files.laughs_in_workbook, xlsx_files.malformed, xlsx_files.wide_row],
)
def test_hostile_workbooks_are_refused_in_our_words(build: object) -> None:
    with pytest.raises(TableError) as refused:
        read(build())  # type: ignore[operator]
    assert "Excel" in str(refused.value) or "表格" in str(refused.value)


def test_a_declared_huge_range_reads_only_the_cells_used() -> None:
    data = xlsx_files.declared_xfd(2_000)
    tracemalloc.start()
    try:
        rows = read(data)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert len(rows) == 2_000 and max(len(r) for r in rows) <= 3
    assert peak < 50 * 1024 * 1024
