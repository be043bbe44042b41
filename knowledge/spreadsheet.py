"""Reading spreadsheets the way people in China save them: CSV in any of the usual encodings, or .xlsx.

One place for the byte-level work every import shares (quick replies, a shop's orders and items):
tell CSV from .xlsx (refusing old .xls, images, archives), detect the encoding (UTF-8 with or
without BOM, UTF-16 with BOM, else GB18030 — a superset of GBK, what the seller center and an old
Excel write), pick the delimiter that makes the header readable, and stream rows one by one so a
file of hundreds of thousands of rows never sits in memory as a whole. ``progress()`` tells how far
the reading is (0..1) for a progress bar. No web framework, no database.
"""

from __future__ import annotations

import codecs
import csv
import io
import re
import unicodedata
import zipfile
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import IO, Any

from knowledge.table_error import TableError as TableError
from knowledge.xlsx_guard import ImportLimits, Reader

HEAD_BYTES = 256 * 1024  # enough to hold the header and the first rows of any export
MAX_XLSX_UNPACKED = 64 * 1024 * 1024


def fold_header(value: Any) -> str:
    """A header cell as compared with known names: NFKC, lower case, no spaces, marks or (必填)."""
    text = unicodedata.normalize("NFKC", str(value or "")).lower()
    return re.sub(r"[\s_*＊:：()（）\[\]【】\"'=]|必填|可选|optional|required", "", text)


def sniff_format(head: bytes) -> str:
    """'xlsx' or 'csv' from the first bytes; anything else (old .xls, images, PDFs, archives) is refused."""
    if head.startswith(b"PK\x03\x04"):
        return "xlsx"
    if head.startswith(b"\xd0\xcf\x11\xe0"):
        raise TableError("这是旧版 Excel (.xls) 文件：请在 Excel 中另存为 .xlsx 或 CSV 后再导入")
    if head.startswith((b"%PDF", b"\x89PNG", b"\xff\xd8\xff", b"GIF8", b"\x1f\x8b", b"Rar!", b"7z\xbc\xaf")):
        raise TableError("文件不是 CSV 或 Excel (.xlsx) 表格：请上传 .csv 或 .xlsx 文件")
    return "csv"


def detect_encoding(head: bytes) -> str:
    """The codec of a CSV from its first bytes: a BOM decides, else valid UTF-8, else GB18030."""
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        return "utf-16"
    if head.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    try:
        codecs.getincrementaldecoder("utf-8")().decode(head, final=False)  # a cut last character is fine
        return "utf-8"
    except UnicodeDecodeError:
        return "gb18030"


def choose_delimiter(head_text: str, score: Callable[[Sequence[str]], int], scan_rows: int) -> str:
    """Of comma, tab and semicolon, the one whose rows among the first ``scan_rows`` score best."""
    best, best_score = ",", -1
    for delimiter in (",", "\t", ";"):
        reader = csv.reader(io.StringIO(head_text, newline=""), delimiter=delimiter, strict=False)
        rows: list[list[str]] = []
        try:
            for row in reader:
                rows.append(row)
                if len(rows) >= scan_rows:
                    break
        except csv.Error:
            pass  # the head may end inside a quoted cell
        value = max((score(r) for r in rows), default=0)
        if value > best_score:
            best, best_score = delimiter, value
    return best


@dataclass
class Table:
    """Rows of the first sheet (lists of cell values), read lazily, and how far reading has got."""

    format: str
    rows: Iterator[list[Any]]
    progress: Callable[[], float]
    close: Callable[[], None]
    encoding: str = ""


def _csv_table(binary: IO[bytes], size: int, score: Callable[[Sequence[str]], int], scan_rows: int) -> Table:
    head = binary.read(HEAD_BYTES)
    encoding = detect_encoding(head)
    head_text = head.decode(encoding, errors="ignore")
    if "\x00" in head_text:
        raise TableError("文件不是 CSV 或 Excel (.xlsx) 表格：请上传 .csv 或 .xlsx 文件")
    delimiter = choose_delimiter(head_text, score, scan_rows)
    binary.seek(0)
    text = io.TextIOWrapper(binary, encoding=encoding, newline="")

    def rows() -> Iterator[list[Any]]:
        try:
            yield from csv.reader(text, delimiter=delimiter, strict=False)
        except UnicodeDecodeError as exc:
            raise TableError(
                f"CSV 文件按 {encoding} 读到一半遇到无法识别的字符：请在 Excel 中另存为「CSV UTF-8」或 .xlsx"
            ) from exc
        except csv.Error as exc:
            raise TableError(f"CSV 格式有误：{exc}") from exc

    def progress() -> float:
        try:
            return min(1.0, binary.tell() / size) if size else 1.0
        except (ValueError, OSError):
            return 1.0

    return Table("csv", rows(), progress, text.close, encoding)


# An export of 200,000 orders is big, but bounded all the same (see ``xlsx_guard``): the declared range
# is ignored, DTDs and entities are refused, and the sheet is scanned for its size before openpyxl reads it.
EXPORT_LIMITS = ImportLimits(
    rows=300_000,
    columns=200,
    row_cells=2_000,
    cells=30_000_000,
    shared_strings=5_000_000,
    unpacked_bytes=MAX_XLSX_UNPACKED,
    seconds=600,
)


def _xlsx_table(binary: IO[bytes], limits: ImportLimits) -> Table:
    import openpyxl  # imported here: only imports need it

    try:
        archive = zipfile.ZipFile(binary)
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError) as exc:
        raise TableError("Excel 文件无法打开：请确认是 .xlsx 格式（旧的 .xls 请先另存为 .xlsx）") from exc
    with archive:
        if sum(info.file_size for info in archive.infolist()) > limits.unpacked_bytes:
            raise TableError("Excel 文件解压后太大：请拆成几个文件分别导入")
        reader = Reader(archive, limits)
        sheets = {
            info.filename: reader.scan_part(info.filename, "sheet")
            for info in archive.infolist()
            if info.filename.startswith("xl/worksheets/") and info.filename.endswith(".xml")
        }
        for info in archive.infolist():
            if info.filename.endswith("sharedStrings.xml"):
                reader.scan_part(info.filename, "strings")
            elif info.filename.endswith((".xml", ".rels", ".vml")) and info.filename not in sheets:
                reader.scan_part(info.filename, "other")
    binary.seek(0)
    try:
        book = openpyxl.load_workbook(binary, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds for a damaged file
        raise TableError("Excel 文件无法打开：请确认是 .xlsx 格式（旧的 .xls 请先另存为 .xlsx）") from exc
    if not book.worksheets:
        book.close()
        raise TableError("Excel 文件里没有工作表")
    sheet = book.worksheets[0]
    stats = sheets.get(str(getattr(sheet, "_worksheet_path", "")).lstrip("/"))
    if stats is None:
        book.close()
        raise TableError("Excel 文件已损坏：找不到第一个工作表，请在 Excel 中重新保存后再导入")
    sheet.reset_dimensions()  # the declared A1:XFD… range is ignored
    width = max(1, min(stats.max_column or limits.columns, limits.columns))
    total = stats.rows
    done = [0]

    def rows() -> Iterator[list[Any]]:
        try:
            for values in sheet.iter_rows(max_col=width, max_row=limits.rows, values_only=True):
                done[0] += 1
                yield list(values)
        except TableError:
            raise
        except Exception as exc:  # damaged sheet data that passed the XML scan
            raise TableError("Excel 文件的表格数据无法读取：请在 Excel 中重新保存后再导入") from exc
        finally:
            book.close()

    def close() -> None:
        book.close()
        binary.close()

    return Table("xlsx", rows(), lambda: min(1.0, done[0] / total) if total else 0.0, close)


def open_table(
    binary: IO[bytes],
    size: int,
    *,
    score: Callable[[Sequence[str]], int],
    scan_rows: int = 20,
    limits: ImportLimits = EXPORT_LIMITS,
) -> Table:
    """Open a seekable binary stream as a table; ``score`` says how header-like a row is (for CSV).

    ``Table.close()`` closes the stream too."""
    head = binary.read(8)
    binary.seek(0)
    if not head.strip() and size < 8:
        raise TableError("文件是空的：请选择导出的 CSV 或 Excel 文件")
    if sniff_format(head) == "xlsx":
        return _xlsx_table(binary, limits)
    return _csv_table(binary, size, score, scan_rows)
