"""Hostile and damaged .xlsx files, written part by part (fast, and exactly the bytes wanted).

Used by the tests and by ``benchmarks/bench_import_memory.py``.
"""

from __future__ import annotations

import io
import zipfile

_CT = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/xl/workbook.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
    '<Override PartName="/xl/worksheets/sheet1.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
    "</Types>"
)
_RELS = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/'
    'officeDocument" Target="xl/workbook.xml"/></Relationships>'
)
_BOOK = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
    'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
    '<sheets><sheet name="Sheet1" sheetId="1" r:id="rId1"/></sheets></workbook>'
)
_BOOK_RELS = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/'
    'worksheet" Target="worksheets/sheet1.xml"/></Relationships>'
)
_SHEET_OPEN = '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
LAUGHS = (
    '<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
    + "".join(
        f'<!ENTITY lol{i} "{("&lol" + str(i - 1) + ";" if i > 1 else "&lol;") * 10}">' for i in range(1, 10)
    )
    + "]>"
)


def _cell(ref: str, text: str) -> str:
    return f'<c r="{ref}" t="inlineStr"><is><t>{text}</t></is></c>'


def rows_xml(rows: int, dimension: str | None = None) -> str:
    """A sheet: header 编码/内容 and ``rows`` phrases, declaring ``dimension`` if given."""
    head = f'<dimension ref="{dimension}"/>' if dimension else ""
    body = [f'<row r="1">{_cell("A1", "编码")}{_cell("B1", "内容")}</row>']
    body += [
        f'<row r="{r}">{_cell(f"A{r}", f"c{r}")}{_cell(f"B{r}", f"短语 {r}")}</row>'
        for r in range(2, rows + 2)
    ]
    return f'<?xml version="1.0" encoding="UTF-8"?>{_SHEET_OPEN}{head}<sheetData>{"".join(body)}</sheetData></worksheet>'


def book(sheet_xml: str | bytes, *, workbook_xml: str = _BOOK, extra: dict[str, str] | None = None) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        archive.writestr("[Content_Types].xml", _CT)
        archive.writestr("_rels/.rels", _RELS)
        archive.writestr("xl/workbook.xml", workbook_xml)
        archive.writestr("xl/_rels/workbook.xml.rels", _BOOK_RELS)
        archive.writestr("xl/worksheets/sheet1.xml", sheet_xml)
        for name, text in (extra or {}).items():
            archive.writestr(name, text)
    return out.getvalue()


def declared_xfd(rows: int = 20_000) -> bytes:
    """The report's file: ``A1:XFD20000`` declared, two columns used (openpyxl would pad to 16,384)."""
    return book(rows_xml(rows - 1, "A1:XFD20000"))


def wide_row(cells: int = 1_000_000) -> bytes:
    """A zip bomb of a sheet: one row of a million empty cells (compresses to a few KB)."""
    row = "".join(f'<c r="A{i}"/>' for i in range(cells))
    return book(f'{_SHEET_OPEN}<sheetData><row r="1">{row}</row></sheetData></worksheet>')


def unpacks_big(megabytes: int = 200) -> bytes:
    """A part that unpacks to ``megabytes`` of whitespace (declared sizes honest)."""
    filler = " " * (1024 * 1024)
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        archive.writestr("[Content_Types].xml", _CT)
        archive.writestr("_rels/.rels", _RELS)
        archive.writestr("xl/workbook.xml", _BOOK)
        archive.writestr("xl/_rels/workbook.xml.rels", _BOOK_RELS)
        with archive.open("xl/worksheets/sheet1.xml", "w") as part:
            part.write(rows_xml(3).encode())
            for _ in range(megabytes):
                part.write(filler.encode())
    return out.getvalue()


def malformed() -> bytes:
    """Sheet XML cut off in the middle of a cell."""
    return book(rows_xml(5)[:-60])


def laughs_in_sheet() -> bytes:
    return book(LAUGHS + rows_xml(2).split("?>", 1)[1].replace("短语 2", "&lol9;"))


def laughs_in_workbook() -> bytes:
    return book(
        rows_xml(2), workbook_xml=LAUGHS + _BOOK.split("?>", 1)[1].replace('name="Sheet1"', 'name="&lol9;"')
    )


def many_rows(rows: int = 30_000) -> bytes:
    return book(rows_xml(rows))


def cell_bomb(cells: int = 5_000_000) -> bytes:
    """Millions of identical empty cells in rows of 1,000: megabytes of XML in a few KB of zip."""
    row = "<c/>" * 1000
    rows = "".join(f"<row>{row}</row>" for _ in range(cells // 1000))
    return book(f"{_SHEET_OPEN}<sheetData>{rows}</sheetData></worksheet>")
