"""Reading requests and writing responses: validated bodies and queries, the success envelope."""

from __future__ import annotations

import json
from typing import Any, TypeVar

from aiohttp import web
from pydantic import BaseModel, ValidationError

from assistant import path_params
from assistant.errors import BadRequest, FieldError, from_validation

M = TypeVar("M", bound=BaseModel)


async def read_json(request: web.Request, model: type[M]) -> M:
    """The request body, parsed and validated against ``model`` (unknown fields are errors)."""
    if request.content_type not in ("application/json", ""):
        raise BadRequest.field("body", f"请用 application/json 提交，收到的是 {request.content_type}")
    raw = await request.read()
    try:
        data = json.loads(raw or b"null")
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise BadRequest("请求体不是有效的 JSON", [FieldError("body", f"JSON 解析失败：{exc}")]) from exc
    if not isinstance(data, dict):
        raise BadRequest.field("body", "应为 JSON 对象")
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


def path_int(request: web.Request, name: str) -> int:
    """An id from the path (ASCII digits, 1..2**63-1; see :mod:`assistant.path_params`)."""
    return path_params.path_int(request, name)


def _dumps(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"), default=str)


def ok(data: BaseModel | dict[str, Any] | None = None, *, status: int = 200) -> web.Response:
    """The success envelope: ``{"ok": true, ...data}``."""
    body: dict[str, Any] = {"ok": True}
    if isinstance(data, BaseModel):
        body.update(data.model_dump(mode="json"))
    elif data:
        body.update(data)
    return web.json_response(body, status=status, dumps=_dumps)
