"""Quick replies as spreadsheets: read a CSV or Excel (.xlsx) file into rows keyed by column, write one.

Columns are recognised by the words in their header (分组 / 编码 / 内容 / 标题 and English
group / code / content|body / title, plus optional 标签 / 启用 / 生效开始 / 生效结束); the
header may sit below a title row, extra columns are ignored. CSV is read as UTF-8 (with or
without BOM), UTF-16 with BOM (Excel's "Unicode text") or GB18030 (a superset of GBK, what an old
Excel saves by default in China); it is written as UTF-8 with BOM so Excel opens the Chinese
correctly. Line breaks inside cells survive a round trip. No I/O beyond bytes, no web framework.
"""

from __future__ import annotations

import csv
import io
import re
import unicodedata
import zipfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from knowledge.xlsx_guard import DEFAULT_LIMITS, ImportLimits, PartStats, Reader
from quick_replies.errors import TransferError as TransferError

XLSX_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CSV_MIME = "text/csv; charset=utf-8"
MAX_ROWS = 20_000
MAX_XLSX_UNPACKED = DEFAULT_LIMITS.unpacked_bytes  # a small zip that unpacks to gigabytes is refused
HEADER_SCAN_ROWS = 20
#: Columns read from a CSV row (the rest are ignored); cells longer than this are refused.
MAX_CSV_COLUMNS = DEFAULT_LIMITS.columns

# Column -> the words that name it in a header (folded: NFKC, lower case, no spaces). The first
# word is what an export writes. Order matters: a cell is given to the first column it names.
COLUMNS: dict[str, tuple[str, ...]] = {
    "group": ("分组", "组别", "类别", "分类", "group", "category"),
    "title": ("标题", "title", "subject"),
    "code": ("编码", "快捷码", "短码", "代码", "code", "shortcut", "key"),
    "body": ("内容", "正文", "回复", "content", "body", "text", "reply", "message"),
    "tags": ("标签", "tags", "tag"),
    "enabled": ("启用", "状态", "enabled", "active", "status"),
    "valid_from": ("生效开始", "开始时间", "生效时间", "validfrom", "from", "start"),
    "valid_until": ("生效结束", "结束时间", "失效时间", "validuntil", "until", "end"),
}
REQUIRED = ("code", "body")
LABELS = {"group": "分组", "title": "标题", "code": "编码", "body": "内容", "tags": "标签",
          "enabled": "启用", "valid_from": "生效开始", "valid_until": "生效结束"}  # fmt: skip
EXPORT_COLUMNS = ("group", "title", "code", "body", "tags", "enabled", "valid_from", "valid_until")
FORMULA_START = ("=", "+", "-", "@")  # Excel would run these as formulas: exported with a leading '


@dataclass(frozen=True)
class SheetRow:
    """One data row: its number as the spreadsheet shows it (1-based) and its recognised cells."""

    number: int
    cells: dict[str, Any]


@dataclass
class Sheet:
    """The rows below the header, the columns found and where the header was."""

    format: str
    header_row: int
    columns: list[str]
    rows: list[SheetRow] = field(default_factory=list)
    #: row number -> why its body is refused as a template (see ``import_plan.check_templates``)
    refused: dict[int, str] = field(default_factory=dict)


# --------------------------------------------------------------------------- #
# Reading
# --------------------------------------------------------------------------- #


def _fold_header(value: Any) -> str:
    text = unicodedata.normalize("NFKC", str(value or "")).lower()
    return re.sub(r"[\s_*＊:：()（）\[\]【】]|必填|可选|optional|required", "", text)


def column_of(header: Any) -> str | None:
    """Which column a header cell names (exact words first, then a word inside it), or None."""
    folded = _fold_header(header)
    if not folded:
        return None
    for name, words in COLUMNS.items():
        if folded in words:
            return name
    for name, words in COLUMNS.items():
        if any(len(word) >= 2 and word in folded for word in words if not word.isascii() or len(word) > 3):
            return name
    return None


def _header_map(cells: Sequence[Any]) -> dict[str, int]:
    found: dict[str, int] = {}
    for index, cell in enumerate(cells):
        name = column_of(cell)
        if name is not None and name not in found:
            found[name] = index
    return found


def find_header(rows: Sequence[Sequence[Any]]) -> tuple[int, dict[str, int]]:
    """The index of the header row among the first rows (the one naming most columns) and its map."""
    best, best_map = -1, dict[str, int]()
    for index, cells in enumerate(rows[:HEADER_SCAN_ROWS]):
        found = _header_map(cells)
        if len(found) > len(best_map):
            best, best_map = index, found
    missing = [LABELS[name] for name in REQUIRED if name not in best_map]
    if best < 0 or len(best_map) < 2 or missing:
        names = "、".join(f"「{label}」" for label in (missing or [LABELS[n] for n in REQUIRED]))
        raise TransferError(
            f"找不到{names}列：请在表头写上 分组 / 编码 / 内容 / 标题（英文 group / code / content / title 也可以），"
            f"表头要在前 {HEADER_SCAN_ROWS} 行内"
        )
    return best, best_map


def _decode(data: bytes) -> str:
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("gb18030")
    except UnicodeDecodeError as exc:
        raise TransferError("CSV 文件的编码无法识别：请在 Excel 中另存为「CSV UTF-8」或 .xlsx") from exc


def _csv_rows(data: bytes) -> list[list[str]]:
    text = _decode(data)
    if "\x00" in text:
        raise TransferError("文件不是 CSV 或 Excel (.xlsx) 表格：请上传 .csv 或 .xlsx 文件")
    best: list[list[str]] | None = None
    best_score = -1
    failed_at = 0
    for delimiter in (",", "\t", ";"):
        rows: list[list[str]] = []
        try:
            for row in csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=False):
                rows.append(row[:MAX_CSV_COLUMNS])
                if len(rows) > MAX_ROWS + HEADER_SCAN_ROWS:
                    raise TransferError(
                        f"CSV 超过 {MAX_ROWS + HEADER_SCAN_ROWS} 行：一次最多导入 {MAX_ROWS} 条短语，请拆成几个文件"
                    )
        except csv.Error:
            failed_at = len(rows) + 1  # not this delimiter (a whole line read as one huge cell)
            continue
        score = max((len(_header_map(r)) for r in rows[:HEADER_SCAN_ROWS]), default=0)
        if score > best_score:
            best, best_score = rows, score
    if best is None:
        raise TransferError(
            f"CSV 格式有误（第 {failed_at} 行附近）：可能有没配对的引号，或一个单元格超过 {csv.field_size_limit()} 字"
        )
    return best


def _xlsx_rows(data: bytes, limits: ImportLimits = DEFAULT_LIMITS) -> list[list[Any]]:
    """The first sheet's rows, reading no more than ``limits`` allow (see ``xlsx_guard``): every XML
    part is checked for DTDs first, the sheet is scanned for its size before openpyxl reads it, and
    openpyxl is asked only for the columns actually used (never the declared dimension)."""
    import openpyxl  # imported here: only imports need it

    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError) as exc:
        raise TransferError("Excel 文件无法打开：请确认是 .xlsx 格式（旧的 .xls 请先另存为 .xlsx）") from exc
    with archive:
        if sum(info.file_size for info in archive.infolist()) > limits.unpacked_bytes:
            raise TransferError(
                f"Excel 文件解压后超过 {limits.unpacked_bytes // (1024 * 1024)} MB：请拆成几个文件分别导入"
            )
        reader = Reader(archive, limits, TransferError)
        sheets: dict[str, PartStats] = {}
        for info in archive.infolist():
            name = info.filename
            if name.startswith("xl/worksheets/") and name.endswith(".xml"):
                # every sheet, whole: openpyxl reads each one's size when it opens the book
                sheets[name] = reader.scan_part(name, "sheet")
            elif name.endswith("sharedStrings.xml"):
                reader.scan_part(name, "strings")
            elif name.endswith((".xml", ".rels", ".vml")):
                reader.scan_part(name, "other")  # up to the root element: where a DTD would be
        try:
            book = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        except Exception as exc:  # openpyxl raises many kinds for a damaged file
            raise TransferError(
                "Excel 文件无法打开：请确认是 .xlsx 格式（旧的 .xls 请先另存为 .xlsx）"
            ) from exc
        try:
            if not book.worksheets:
                raise TransferError("Excel 文件里没有工作表")
            sheet = book.worksheets[0]
            path = str(getattr(sheet, "_worksheet_path", "")).lstrip("/")
            if path not in sheets:
                raise TransferError("Excel 文件已损坏：找不到第一个工作表，请在 Excel 中重新保存后再导入")
            stats = sheets[path]
            sheet.reset_dimensions()  # the declared A1:XFD… range is ignored
            width = max(1, min(stats.max_column or limits.columns, limits.columns))
            rows: list[list[Any]] = []
            for values in sheet.iter_rows(max_col=width, max_row=limits.rows, values_only=True):
                rows.append(list(values))
                if len(rows) % 1000 == 0:
                    reader.check_time()
            return rows
        except TransferError:
            raise
        except Exception as exc:  # damaged sheet data that passed the XML scan
            raise TransferError("Excel 文件的表格数据无法读取：请在 Excel 中重新保存后再导入") from exc
        finally:
            book.close()


def sniff_format(data: bytes) -> str:
    """'xlsx' or 'csv'; anything else (old .xls, images, PDFs, archives) is refused."""
    if data.startswith(b"PK\x03\x04"):
        return "xlsx"
    if data.startswith(b"\xd0\xcf\x11\xe0"):
        raise TransferError("这是旧版 Excel (.xls) 文件：请在 Excel 中另存为 .xlsx 或 CSV 后再导入")
    if data.startswith((b"%PDF", b"\x89PNG", b"\xff\xd8\xff", b"GIF8", b"\x1f\x8b", b"Rar!", b"7z\xbc\xaf")):
        raise TransferError("文件不是 CSV 或 Excel (.xlsx) 表格：请上传 .csv 或 .xlsx 文件")
    return "csv"


def read_sheet(data: bytes) -> Sheet:
    """Parse the file (CSV or XLSX, told apart by content) into rows keyed by column."""
    if not data.strip():
        raise TransferError("文件是空的：请选择导出的 CSV 或 Excel 文件")
    kind = sniff_format(data)
    rows: list[list[Any]] = _xlsx_rows(data) if kind == "xlsx" else list(_csv_rows(data))
    header, mapping = find_header(rows)
    sheet = Sheet(format=kind, header_row=header + 1, columns=list(mapping))
    for offset, cells in enumerate(rows[header + 1 :], start=header + 2):
        values = {name: cells[i] if i < len(cells) else None for name, i in mapping.items()}
        if all(_blank(v) for v in values.values()):
            continue
        sheet.rows.append(SheetRow(offset, {k: _clean(k, v) for k, v in values.items()}))
        if len(sheet.rows) > MAX_ROWS:
            raise TransferError(f"一次最多导入 {MAX_ROWS} 条短语：请拆成几个文件")
    return sheet


def _blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _clean(column: str, value: Any) -> Any:
    """Cell value as the planner wants it: text with \\n line breaks, or a datetime/bool kept as is."""
    if value is None:
        return None
    if isinstance(value, bool | datetime):
        return value
    if isinstance(value, date):
        return datetime(value.year, value.month, value.day)
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    text = str(value).replace("\r\n", "\n").replace("\r", "\n").replace("_x000D_", "")
    if len(text) > 1 and text[0] == "'" and text[1] in FORMULA_START:
        text = text[1:]  # the guard an export put in front of =, +, -, @
    return text


# --------------------------------------------------------------------------- #
# Writing
# --------------------------------------------------------------------------- #


def _guard(text: str) -> str:
    return "'" + text if text.startswith(FORMULA_START) else text


def export_table(records: Iterable[dict[str, str]]) -> list[list[str]]:
    """The header (Chinese words the importer recognises) and one row per phrase."""
    table = [[LABELS[c] for c in EXPORT_COLUMNS]]
    table.extend([_guard(record.get(c, "")) for c in EXPORT_COLUMNS] for record in records)
    return table


def to_csv(records: Iterable[dict[str, str]]) -> bytes:
    out = io.StringIO(newline="")
    csv.writer(out, lineterminator="\r\n").writerows(export_table(records))
    return out.getvalue().encode("utf-8-sig")


def to_xlsx(records: Iterable[dict[str, str]], sheet_title: str = "快捷短语") -> bytes:
    import openpyxl
    from openpyxl.styles import Alignment, Font

    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = sheet_title[:31]
    wrap = Alignment(wrap_text=True, vertical="top")
    for r, row in enumerate(export_table(records), start=1):
        for c, value in enumerate(row, start=1):
            cell = sheet.cell(row=r, column=c, value=value)
            cell.data_type = "s"  # never a formula, whatever the text starts with
            cell.alignment = wrap
            if r == 1:
                cell.font = Font(bold=True)
    for letter, width in zip("ABCDEFGH", (14, 20, 10, 60, 16, 6, 24, 24), strict=True):
        sheet.column_dimensions[letter].width = width
    sheet.freeze_panes = "A2"
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
