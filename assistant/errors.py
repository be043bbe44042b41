"""The API's one error shape and the middleware that produces it.

Every failure leaves as ``{"ok": false, "error": "...", "errors": [{"field", "message"}], "status": N}``.
Handlers raise the typed errors below; the layers beneath raise the domain's (``knowledge.errors``:
``NotFound``, ``Conflict``/``StaleVersion``, ``Invalid``), mapped here to 404, 409 and 400; aiohttp's own HTTP errors (no route, wrong method,
body too large) and pydantic validation errors are turned into the same shape; anything
unexpected is logged and becomes a generic 500 that leaks nothing.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Awaitable, Callable, Iterable
from typing import Any

from aiohttp import web
from aiohttp.web_protocol import RequestPayloadError
from pydantic import ValidationError
from pydantic_core import ErrorDetails

from assistant import keys
from knowledge import errors as domain
from knowledge.errors import FieldError as FieldError  # one class for both layers

log = logging.getLogger("kefu.errors")

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


ApiError = domain.Refusal
"""Base of every refusal a handler may meet: the HTTP errors below and the domain's alike."""


class HttpError(domain.Refusal):
    """Base of the typed errors handlers raise, each with its HTTP status."""

    status = 400
    default_message = "请求有误"


class BadRequest(HttpError):
    status = 400
    default_message = "请求有误"


class Unauthorized(HttpError):
    status = 401
    default_message = (
        "缺少或无效的访问令牌：请在 Authorization 头中带上 Bearer 令牌（运行 kefu token --agent 登录名 获取）"
    )


class Forbidden(HttpError):
    status = 403
    default_message = "没有权限执行此操作"


class NotFound(HttpError):
    status = 404
    default_message = "找不到请求的内容"


class Conflict(HttpError):
    status = 409
    default_message = "数据已被他人修改，请刷新后重试"


class PayloadTooLarge(HttpError):
    status = 413
    default_message = "请求内容太大"


# pydantic's error types, said plainly in Chinese; anything else keeps pydantic's own words.
_MESSAGES: dict[str, str] = {
    "missing": "必填",
    "extra_forbidden": "不认识的字段，请删除",
    "int_type": "应为整数",
    "int_parsing": "应为整数",
    "int_from_float": "应为整数（金额以分为单位，不能有小数）",
    "float_type": "应为数字",
    "float_parsing": "应为数字",
    "bool_type": "应为 true 或 false",
    "bool_parsing": "应为 true 或 false",
    "string_type": "应为文字",
    "list_type": "应为列表",
    "dict_type": "应为对象",
    "model_type": "应为对象",
    "enum": "可选值：{expected}",
    "literal_error": "可选值：{expected}",
    "string_too_short": "至少 {min_length} 个字符",
    "string_too_long": "最多 {max_length} 个字符",
    "too_short": "至少 {min_length} 项",
    "too_long": "最多 {max_length} 项",
    "greater_than": "必须大于 {gt}",
    "greater_than_equal": "不能小于 {ge}",
    "less_than": "必须小于 {lt}",
    "less_than_equal": "不能大于 {le}",
    "string_pattern_mismatch": "格式不对",
    "datetime_type": "应为时间，例如 2026-11-11T00:00:00+08:00",
    "datetime_parsing": "应为时间，例如 2026-11-11T00:00:00+08:00",
    "datetime_from_date_parsing": "应为时间，例如 2026-11-11T00:00:00+08:00",
    "json_invalid": "不是有效的 JSON",
    "string_unicode": "应为文字（含有无法编码的字符）",
    "int_parsing_size": "数字太长",
    "finite_number": "应为有限的数字",
    "date_type": "应为日期，例如 2026-11-11",
    "date_parsing": "应为日期，例如 2026-11-11",
    "date_from_datetime_parsing": "应为日期，例如 2026-11-11",
    "timezone_aware": "时间要带时区，例如 2026-11-11T00:00:00+08:00",
    "dict_attributes_type": "应为对象",
    "url_parsing": "应为网址",
    "url_scheme": "网址应以 http:// 或 https:// 开头",
}


def _message(item: ErrorDetails) -> str:
    kind = item["type"]
    if kind in ("too_short", "too_long") and isinstance(item.get("input"), str):
        kind = f"string_{kind}"  # a length limit checked after a validator (Text): characters, not items
    if kind in ("value_error", "assertion_error"):
        return str(item["msg"]).removeprefix("Value error, ").removeprefix("Assertion failed, ")
    template = _MESSAGES.get(kind)
    if template is None:
        return str(item["msg"])
    try:
        return template.format(**(item.get("ctx") or {}))
    except (KeyError, IndexError):
        return template


def field_errors(error: ValidationError, prefix: str = "") -> list[FieldError]:
    """pydantic's errors as ``[{"field": "a.b", "message": "..."}]``."""
    result = []
    for item in error.errors(include_url=False):
        path = ".".join(str(p) for p in item["loc"])
        field = f"{prefix}.{path}" if prefix and path else (prefix or path or "body")
        result.append(FieldError(field, _message(item)))
    return result


def from_validation(error: ValidationError, prefix: str = "") -> BadRequest:
    errors = field_errors(error, prefix)
    summary = "；".join(f"{e['field']}: {e['message']}" for e in errors[:3])
    return BadRequest(f"输入有误 — {summary}", errors)


def error_response(
    status: int,
    message: str,
    errors: Iterable[FieldError] = (),
    *,
    headers: dict[str, str] | None = None,
    **extra: Any,
) -> web.Response:
    body = {"ok": False, "error": message, "errors": list(errors), "status": status, **extra}
    return web.json_response(body, status=status, dumps=dumps, headers=headers)


def dumps(value: Any) -> str:
    """The one JSON writer of responses: UTF-8 text as is; text that cannot be UTF-8 (a header
    aiohttp decoded with surrogate escapes, echoed in a message) is written as \\u escapes."""
    text = json.dumps(value, ensure_ascii=False, separators=(",", ":"), default=str)
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return json.dumps(value, ensure_ascii=True, separators=(",", ":"), default=str)
    return text


_DOMAIN_STATUS: tuple[tuple[type[domain.DomainError], int], ...] = (
    (domain.NotFound, 404),
    (domain.NotAllowed, 403),
    (domain.Conflict, 409),
    (domain.Invalid, 400),
)


def domain_response(exc: domain.DomainError) -> web.Response:
    """A refusal of the domain in the API's error shape."""
    if isinstance(exc, domain.Invalid) and exc.validation is not None:
        bad = from_validation(exc.validation, exc.prefix)
        return error_response(bad.status, bad.message, bad.errors)
    status = next((code for kind, code in _DOMAIN_STATUS if isinstance(exc, kind)), 400)
    return error_response(status, exc.message, exc.errors, **exc.extra)


_HTTP_MESSAGES = {
    404: "没有这个地址",
    405: "这个地址不支持 {method} 请求",
    413: "请求内容太大（上限 {limit} 字节）",
}


def wants_page(request: web.Request) -> bool:
    """A browser asking for a page (not ``/api/``, HTML accepted) gets an HTML error page."""
    return (
        not request.path.startswith("/api/")
        and request.method in ("GET", "HEAD")
        and "text/html" in request.headers.get("Accept", "")
    )


def _answer(request: web.Request, response: web.Response) -> web.Response:
    """The failure as JSON, or as an HTML page when a browser asked for a page."""
    if not wants_page(request):
        return response
    from assistant.web.pages import render  # the page layer sits above this module

    try:
        body = json.loads(response.text or "{}")
        page = render(request, "error.html", status=response.status, message=body.get("error", ""))
    except Exception:  # the page must never hide the failure it reports
        log.exception("could not render the error page for %s", request.path)
        return response
    page.set_status(response.status)
    if "Allow" in response.headers:
        page.headers["Allow"] = response.headers["Allow"]
    return page


@web.middleware
async def error_middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
    """Render every failure in the one error shape (an HTML page for a browser's page path)."""
    try:
        return await handler(request)
    except HttpError as exc:
        return _answer(request, error_response(exc.status, exc.message, exc.errors, **exc.extra))
    except domain.DomainError as exc:
        return _answer(request, domain_response(exc))
    except ValidationError as exc:
        bad = from_validation(exc)
        return _answer(request, error_response(bad.status, bad.message, bad.errors))
    except RequestPayloadError:
        # A body aiohttp could not read: bad content-encoding, broken chunked encoding.
        message = "请求体无法读取（压缩或分块编码有误）"
        return _answer(request, error_response(400, message, [FieldError("body", message)]))
    except web.HTTPRequestEntityTooLarge as exc:
        limit = request.app[keys.SETTINGS].max_body_bytes
        message = _HTTP_MESSAGES[413].format(limit=limit)
        return _answer(request, error_response(exc.status, message, [FieldError("body", "太大")]))
    except web.HTTPException as exc:
        if exc.status < 400:
            raise
        template = _HTTP_MESSAGES.get(exc.status)
        message = template.format(method=request.method) if template else exc.reason
        extra: dict[str, Any] = {}
        headers: dict[str, str] = {}
        if exc.status == 405 and isinstance(exc, web.HTTPMethodNotAllowed):
            extra["allowed_methods"] = sorted(exc.allowed_methods)
            headers["Allow"] = ", ".join(extra["allowed_methods"])
        return _answer(request, error_response(exc.status, message, headers=headers, **extra))
    except Exception:
        log.exception("unexpected error on %s %s", request.method, request.path)
        return _answer(request, error_response(500, "服务内部出错，已记录日志；请稍后重试"))
