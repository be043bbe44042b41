"""What an .xlsx import may make the service read, checked before openpyxl reads it.

An .xlsx file is a zip of XML parts. A small file can declare a huge range (``A1:XFD20000``:
openpyxl pads every row to 16,384 cells), unpack to gigabytes (a zip bomb), carry millions of
cells or shared strings, or a DTD with nested entities ("billion laughs"). ``scan_part`` streams
one part through expat (Python's own XML parser, no extra dependency) in 64 KB chunks, so memory
stays flat whatever the part holds, and refuses:

- any DTD (``<!DOCTYPE``) or entity declaration: a spreadsheet never needs one;
- XML that is not well formed;
- more bytes unpacked than ``ImportLimits.unpacked_bytes`` (counted as read, not as declared);
- in the sheet read: more rows, cells in a row or cells in all than the limits;
- in the shared strings: more strings than the limit;
- past ``ImportLimits.seconds``.

It reports the columns actually used, so the reader asks openpyxl for those and no more (the
declared dimension is ignored). Every refusal is a ``TableError`` (or the class the reader is
given) naming the limit.
"""

from __future__ import annotations

import re
import time
import zipfile
from dataclasses import dataclass
from typing import Any
from xml.parsers import expat

from knowledge.table_error import TableError

CHUNK = 64 * 1024
_CELL_REF = re.compile(r"^([A-Z]{1,3})")


@dataclass(frozen=True)
class ImportLimits:
    """The bounds of one import (defaults: 20,000 phrases with room to spare, under 200 MB)."""

    rows: int = 20_020
    columns: int = 64
    row_cells: int = 2_000
    cells: int = 500_000
    shared_strings: int = 200_000
    unpacked_bytes: int = 64 * 1024 * 1024
    seconds: float = 60.0


DEFAULT_LIMITS = ImportLimits()


class _Stop(Exception):
    """Enough of a part has been read (its root element started)."""


@dataclass
class PartStats:
    rows: int = 0
    cells: int = 0
    strings: int = 0
    max_column: int = 0


class Reader:
    """Shared state of one file's scan: bytes unpacked so far and the deadline."""

    def __init__(
        self,
        archive: zipfile.ZipFile,
        limits: ImportLimits = DEFAULT_LIMITS,
        error: type[ValueError] = TableError,
    ) -> None:
        self.archive = archive
        self.error = error
        self.limits = limits
        self.unpacked = 0
        self.deadline = time.monotonic() + limits.seconds

    def check_time(self) -> None:
        if time.monotonic() > self.deadline:
            raise self.error(f"Excel 文件读取超过 {self.limits.seconds:.0f} 秒：请拆成几个小文件分别导入")

    def scan_part(self, name: str, kind: str = "other") -> PartStats:
        """Stream part ``name``: ``other`` only up to its root element (a DTD must come before it),
        ``sheet`` and ``strings`` whole, counting rows and cells or strings."""
        stats = PartStats()
        limits = self.limits
        row_cells = 0

        def refuse_dtd(*_: Any) -> None:
            raise self.error("Excel 文件里有 DTD 或实体声明（<!DOCTYPE / <!ENTITY），不是正常的表格：已拒绝")

        def start(tag: str, attrs: dict[str, str]) -> None:
            nonlocal row_cells
            local = tag.rpartition(":")[2]
            if kind == "other":
                raise _Stop
            if kind == "strings":
                if local == "si":
                    stats.strings += 1
                    if stats.strings > limits.shared_strings:
                        raise self.error(f"Excel 文件的文字超过 {limits.shared_strings} 条：请拆成几个文件")
                return
            if local == "row":
                stats.rows += 1
                row_cells = 0
                if stats.rows > limits.rows:
                    raise self.error(f"表格超过 {limits.rows} 行：一次最多导入 20000 条短语，请拆成几个文件")
            elif local == "c":
                row_cells += 1
                stats.cells += 1
                if row_cells > limits.row_cells:
                    raise self.error(
                        f"表格第 {stats.rows} 行超过 {limits.row_cells} 个单元格：请删掉多余的列"
                    )
                if stats.cells > limits.cells:
                    raise self.error(f"表格超过 {limits.cells} 个单元格：请删掉多余的列或拆成几个文件")
                found = _CELL_REF.match(attrs.get("r", ""))
                if found:
                    stats.max_column = max(stats.max_column, _column_number(found[1]))

        parser = expat.ParserCreate()
        parser.StartDoctypeDeclHandler = refuse_dtd
        parser.EntityDeclHandler = refuse_dtd
        parser.SetParamEntityParsing(expat.XML_PARAM_ENTITY_PARSING_NEVER)
        parser.StartElementHandler = start
        try:
            with self.archive.open(name) as part:
                while chunk := part.read(CHUNK):
                    self.unpacked += len(chunk)
                    if self.unpacked > limits.unpacked_bytes:
                        raise self.error(
                            f"Excel 文件解压后超过 {limits.unpacked_bytes // (1024 * 1024)} MB：请拆成几个文件分别导入"
                        )
                    self.check_time()
                    parser.Parse(chunk, False)
                parser.Parse(b"", True)
        except _Stop:
            pass
        except expat.ExpatError as exc:
            raise self.error(
                f"Excel 文件已损坏：{name} 第 {exc.lineno} 行的 XML 格式不对，请在 Excel 中重新保存后再导入"
            ) from exc
        except (zipfile.BadZipFile, zipfile.LargeZipFile, EOFError, OSError, NotImplementedError) as exc:
            raise self.error("Excel 文件已损坏：压缩包无法解开，请在 Excel 中重新保存后再导入") from exc
        return stats


def _column_number(letters: str) -> int:
    number = 0
    for letter in letters:
        number = number * 26 + ord(letter) - 64
    return number
