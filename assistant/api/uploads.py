"""Reading an upload: the checks before reading any (``expect_upload``) and the bytes of one field of a
``multipart/form-data`` body (``read_form_file``), each refusal in the API's one error shape."""

from __future__ import annotations

from aiohttp import BodyPartReader, web
from aiohttp.http_exceptions import HttpProcessingError

from assistant.errors import BadRequest, FieldError, PayloadTooLarge


def expect_upload(request: web.Request, limit: int) -> None:
    """The checks before reading any upload: a ``multipart/form-data`` body (400 naming ``file``),
    not announced past ``limit`` bytes (413)."""
    if not request.content_type.startswith("multipart/form-data"):
        raise BadRequest.field(
            "file",
            f"请用 multipart/form-data 上传，文件放在 file 字段（收到的是 {request.content_type or '空'}）",
        )
    if request.content_length is not None and request.content_length > limit + 64 * 1024:
        raise PayloadTooLarge(
            f"文件太大：上限 {limit} 字节，请拆成几个文件", [FieldError("file", "文件太大")]
        )


async def read_form_file(request: web.Request, field: str, limit: int) -> bytes | None:
    """The bytes of the multipart/form-data field ``field`` (None when the form has no such field).

    A malformed form (no boundary, a boundary that never comes, broken part headers) is a 400 naming
    ``field``; a file past ``limit`` bytes is a 413.
    """
    too_large = PayloadTooLarge(
        f"文件太大：上限 {limit} 字节，请拆成几个文件", [FieldError(field, "文件太大")]
    )
    try:
        reader = await request.multipart()
        while (part := await reader.next()) is not None:
            if not isinstance(part, BodyPartReader) or part.name != field:
                continue
            data = bytearray()
            while chunk := await part.read_chunk(64 * 1024):
                data.extend(chunk)
                if len(data) > limit:
                    raise too_large
            return bytes(data)
    except (HttpProcessingError, ValueError, AssertionError, LookupError) as exc:
        message = "上传内容不是有效的 multipart/form-data（缺少或写错了 boundary，或内容不完整）"
        raise BadRequest(f"{field}: {message}", [FieldError(field, message)]) from exc
    return None
