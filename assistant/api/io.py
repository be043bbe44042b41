"""Reading requests and writing responses: validated bodies and queries (and the route table's
validation of what a route declares), the success envelope; uploads are ``uploads``."""

from __future__ import annotations

import functools
import json
import math
from collections.abc import Callable
from typing import Annotated, Any, TypeVar

from aiohttp import web
from pydantic import BaseModel, Field, ValidationError

from assistant import path_params
from assistant.endpoint import Endpoint, Handler
from assistant.errors import BadRequest, FieldError, dumps, from_validation

M = TypeVar("M", bound=BaseModel)
#: an id in a query string: it arrives as text, so it is not strict like ``knowledge.models.Id``
QueryId = Annotated[int, Field(gt=0, le=2**62)]


MAX_DEPTH = 32
"""Deepest nesting of arrays/objects a body may have (no route of ours needs more than 4)."""
MAX_INT_DIGITS = 20
"""Longest integer literal a body may have (checked before ``int()``); ``within_int64`` then refuses,
naming the field, a value past SQLite's signed 64 bits, where every id, version and amount lives."""


class _Refused(ValueError):
    """Raised from inside the JSON parser: a literal we do not accept, said in our words."""


def _parse_int(text: str) -> int:
    digits = len(text.lstrip("-"))
    if digits > MAX_INT_DIGITS:
        raise _Refused(f"整数有 {digits} 位，太长（最多 {MAX_INT_DIGITS} 位）")
    return int(text)  # the range (SQLite's 64 bits) is judged after validation, naming the field


def _parse_float(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):
        raise _Refused(f"数字 {text[:20]} 超出范围")
    return value


def _parse_constant(name: str) -> Any:
    raise _Refused(f"不支持 {name}：JSON 里只能写有限的数字")


def _too_deep(data: Any) -> bool:
    stack = [(data, 1)]
    while stack:
        value, depth = stack.pop()
        if isinstance(value, dict | list):
            if depth > MAX_DEPTH:
                return True
            children = value.values() if isinstance(value, dict) else value
            stack.extend((child, depth + 1) for child in children if isinstance(child, dict | list))
    return False


def parse_json(raw: bytes) -> Any:
    """Strict JSON: finite numbers, integers of at most ``MAX_INT_DIGITS`` digits, at most ``MAX_DEPTH``
    levels; anything else is a 400 naming ``body`` (never a RecursionError or ValueError leaking out)."""

    def refused(message: str) -> BadRequest:
        return BadRequest(f"请求体不是有效的 JSON：{message}", [FieldError("body", message)])

    try:
        data = json.loads(
            raw or b"null", parse_int=_parse_int, parse_float=_parse_float, parse_constant=_parse_constant
        )
    except _Refused as exc:
        raise refused(str(exc)) from None
    except RecursionError:
        raise refused(f"嵌套太深（最多 {MAX_DEPTH} 层）") from None
    except json.JSONDecodeError as exc:
        raise refused(f"第 {exc.lineno} 行第 {exc.colno} 列有误，JSON 解析失败") from None
    except UnicodeDecodeError:
        raise refused("不是 UTF-8 编码的文字") from None
    except ValueError:  # any other literal the parser gives up on
        raise refused("无法解析") from None
    if _too_deep(data):
        raise refused(f"嵌套太深（最多 {MAX_DEPTH} 层）")
    return data


async def read_object(request: web.Request) -> dict[str, Any]:
    """The one body reader: an ``application/json`` body that is a JSON object, parsed strictly.

    aiohttp keeps the bytes it read, so a handler may call this again (the idempotency hash does).
    """
    if request.content_type not in ("application/json", ""):
        raise BadRequest.field("body", f"请用 application/json 提交，收到的是 {request.content_type}")
    data = parse_json(await request.read())
    if not isinstance(data, dict):
        raise BadRequest.field("body", "应为 JSON 对象")
    return data


async def read_json(request: web.Request, model: type[M]) -> M:
    """The request body, parsed and validated against ``model`` (unknown fields are errors)."""
    return _validated_body(model, await read_object(request))


def _validated_body(model: type[M], data: dict[str, Any]) -> M:
    try:
        return validate_body(model, data)
    except ValidationError as exc:
        raise from_validation(exc) from exc


def validate_body(model: type[M], data: dict[str, Any]) -> M:
    """Validate a parsed JSON body strictly, as the OpenAPI document describes it.

    pydantic's lax mode would take ``"5"`` or ``5.0`` for 5, ``0`` or ``"yes"`` for false/true and
    ``0`` for a time (the Unix epoch); JSON bodies have real types, so only JSON's own are taken
    (a time is still an ISO 8601 string, an enum its value).
    """
    return within_int64(model.model_validate_json(json.dumps(data, ensure_ascii=False), strict=True))


INT64_MIN, INT64_MAX = -(2**63), 2**63 - 1


def within_int64(value: M) -> M:
    """Every integer of a validated body or query fits SQLite's (int64), or a 400 naming it.

    Python's int has no bound and pydantic's ``gt=0`` none either: an id of 2**70 passed validation
    and failed in SQLite (500). The OpenAPI document gives every integer these bounds.
    """

    def walk(node: Any, path: str) -> None:
        if isinstance(node, bool):
            return
        if isinstance(node, int) and not INT64_MIN <= node <= INT64_MAX:
            raise BadRequest.field(path or "body", f"超出范围：应在 {INT64_MIN} 到 {INT64_MAX} 之间")
        if isinstance(node, dict):
            for key, item in node.items():
                walk(item, f"{path}.{key}" if path else str(key))
        elif isinstance(node, list | tuple):
            for index, item in enumerate(node):
                walk(item, f"{path}.{index}" if path else str(index))

    walk(value.model_dump(), "")
    return value


def read_query(request: web.Request, model: type[M]) -> M:
    """The query string, validated against ``model``; a repeated parameter is an error."""
    data: dict[str, str] = {}
    for key in request.query:
        values = request.query.getall(key)
        if len(values) > 1:
            raise BadRequest.field(key, "只能出现一次")
        data[key] = values[0]
    try:
        return within_int64(model.model_validate(data))
    except ValidationError as exc:
        raise from_validation(exc) from exc


#: the validated query string and JSON body of a route that declares them (``Endpoint.query``/``body``)
QUERY = web.RequestKey("query", BaseModel)
BODY = web.RequestKey("body", BaseModel)


def validating(endpoint: Endpoint) -> Handler:
    """The handler ``setup_routes`` registers: before ``endpoint.handler`` runs, the query string and
    the JSON body the route declares are read and validated (the API's one error shape: a 400 naming
    each field), so a handler only takes the typed objects (``query_of``/``body_of``)."""
    handler, query, body = endpoint.handler, endpoint.query, endpoint.body
    if query is None and body is None:
        return handler
    parse: Callable[[dict[str, Any]], BaseModel] | None = None
    if body is not None:
        parse = endpoint.parse_body or functools.partial(_validated_body, body)

    @functools.wraps(handler)
    async def validated(request: web.Request) -> web.StreamResponse:
        if query is not None:
            request[QUERY] = read_query(request, query)
        if parse is not None:
            request[BODY] = parse(await read_object(request))
        return await handler(request)

    return validated


def _declared(request: web.Request, key: web.RequestKey[BaseModel], model: type[M]) -> M:
    value = request.get(key)
    if not isinstance(value, model):  # a handler reading what its route does not declare: a bug
        raise TypeError(f"the route {request.match_info.route.name!r} declares no {key} of {model.__name__}")
    return value


def query_of(request: web.Request, model: type[M]) -> M:
    """The query string the route declares (``Endpoint.query``), already validated."""
    return _declared(request, QUERY, model)


def body_of(request: web.Request, model: type[M]) -> M:
    """The JSON body the route declares (``Endpoint.body``), already validated."""
    return _declared(request, BODY, model)


def path_int(request: web.Request, name: str) -> int:
    """An id from the path (ASCII digits, 1..2**63-1; see :mod:`assistant.path_params`)."""
    return path_params.path_int(request, name)


def ok(data: BaseModel | dict[str, Any] | None = None, *, status: int = 200) -> web.Response:
    """The success envelope: ``{"ok": true, ...data}``."""
    body: dict[str, Any] = {"ok": True}
    if isinstance(data, BaseModel):
        body.update(data.model_dump(mode="json"))
    elif data:
        body.update(data)
    return web.json_response(body, status=status, dumps=dumps)
