"""Path parameters: what every ``{name}`` in a route may be, read in one place.

Each parameter name used in a route path has one spec here: how the raw segment is read
(an id is ASCII digits ``1..2**63-1``; ``str.isdigit`` would also take ``³`` or ``٣``) and
the JSON schema the OpenAPI document gives it. :func:`path_middleware` checks every
parameter of the matched route before its handler runs, so a handler that forgets cannot
answer 500 or read ``٣`` as 3; handlers read the value with :func:`path_value`.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web

from assistant.errors import BadRequest, FieldError, Handler, NotFound
from assistant.team.care import PURPOSES
from knowledge.template_context import SAMPLE_CONTEXTS

INT64_MAX = 2**63 - 1
_ASCII_DIGITS = re.compile(r"[0-9]+")
_ORDER_NO = re.compile(r"[0-9]{6,24}")

#: Kinds of knowledge with a history (``/api/kb/{entity}/{entity_id}/...``) -> the revision entity.
KB_ENTITIES: Mapping[str, str] = {
    "intents": "intent",
    "campaigns": "campaign",
    "synonyms": "synonyms",
    "items": "item_knowledge",
}


def parse_id(name: str, raw: str) -> int:
    """``"42"`` -> 42; anything but ASCII digits from 1 to 2**63-1 is a 400 naming ``name``."""
    digits = raw.lstrip("0")
    if not _ASCII_DIGITS.fullmatch(raw) or len(digits) > 19 or not 1 <= int(digits or "0") <= INT64_MAX:
        raise BadRequest.field(name, "应为正整数（1 到 9223372036854775807 的阿拉伯数字）")
    return int(raw)


def _order_no(name: str, raw: str) -> str:
    if not _ORDER_NO.fullmatch(raw):
        raise BadRequest.field(name, "订单号应为 6–24 位阿拉伯数字")
    return raw


def _nick(name: str, raw: str) -> str:
    """1–40 characters, no control characters, not only spaces; the spaces around are trimmed."""
    if not 1 <= len(raw) <= 40 or any(ord(ch) < 32 for ch in raw) or not raw.strip():
        raise BadRequest.field(name, "旺旺名应为 1–40 个字符（不含控制字符）")
    return raw.strip()


def _choice(choices: tuple[str, ...], what: str) -> Callable[[str, str], str]:
    def parse(name: str, raw: str) -> str:
        if raw not in choices:
            raise NotFound(
                f"没有{what}「{raw}」，可选：{'、'.join(choices)}", [FieldError(name, f"未知的{what}")]
            )
        return raw

    return parse


@dataclass(frozen=True)
class PathParam:
    """How one path parameter is read and how the OpenAPI document describes it."""

    parse: Callable[[str, str], int | str]
    schema: dict[str, Any]
    description: str
    errors: frozenset[int] = field(default=frozenset({400}))


ID = PathParam(
    parse_id,
    {"type": "integer", "format": "int64", "minimum": 1, "maximum": INT64_MAX},
    "an id: ASCII digits, 1 to 2^63-1; anything else is 400 naming this parameter",
)

PATH_PARAMS: dict[str, PathParam] = {
    name: ID
    for name in (
        "shop_id",
        "phrase_id",
        "group_id",
        "item_id",
        "approval_id",
        "intent_id",
        "campaign_id",
        "synonym_id",
        "message_id",
        "entity_id",
        "edit_id",
        "agent_id",
        "task_id",
        "review_id",
        "dispute_id",
        "evidence_id",
        "finding_id",
        "jam_id",
        "round_id",
        "question_id",
        "request_id",
    )
}
PATH_PARAMS["order_id"] = PathParam(
    _order_no,
    {"type": "string", "pattern": "^[0-9]{6,24}$"},
    "the platform's order number: 6–24 ASCII digits",
)
PATH_PARAMS["nick"] = PathParam(
    _nick,
    {
        "type": "string",
        "minLength": 1,
        "maxLength": 40,
        "pattern": "^[^\\x00-\\x1f]*[^\\x00-\\x1f\\s][^\\x00-\\x1f]*$",
    },
    "the buyer's nick (旺旺名): 1–40 characters, no control characters, not only spaces (trimmed)",
)
PATH_PARAMS["entity"] = PathParam(
    _choice(tuple(KB_ENTITIES), "知识类别"),
    {"type": "string", "enum": list(KB_ENTITIES)},
    "which kind of knowledge",
    frozenset({404}),
)
PATH_PARAMS["name"] = PathParam(
    _choice(tuple(SAMPLE_CONTEXTS), "示例"),
    {"type": "string", "enum": list(SAMPLE_CONTEXTS)},
    "a sample context's name",
    frozenset({404}),
)
PATH_PARAMS["purpose"] = PathParam(
    _choice(PURPOSES, "模板用途"),
    {"type": "string", "enum": list(PURPOSES)},
    "what a message template is for: a reminder script by reason, the reminder SMS, a care stage, the jam notice",
    frozenset({404}),
)
PATH_PARAMS["kind"] = PathParam(
    _choice(("orders", "items"), "导入类别"),
    {"type": "string", "enum": ["orders", "items"]},
    "what a seller-center export holds: orders or items",
    frozenset({404}),
)


def _job_id(name: str, raw: str) -> str:
    if not re.fullmatch(r"[A-Za-z0-9_-]{1,64}", raw):
        raise BadRequest.field(name, "导入任务号应为 1–64 位字母、数字、- 或 _")
    return raw


PATH_PARAMS["job_id"] = PathParam(
    _job_id,
    {"type": "string", "pattern": "^[A-Za-z0-9_-]{1,64}$"},
    "an import job's id (as the upload answered it)",
    frozenset({400, 404}),
)


def path_names(path: str) -> list[str]:
    """``/api/kb/{entity}/{entity_id}/revisions`` -> ``["entity", "entity_id"]``."""
    return re.findall(r"{(\w+)}", path)


def path_value(request: web.Request, name: str) -> int | str:
    """The checked value of path parameter ``name`` (400/404 naming it when it is not one)."""
    return PATH_PARAMS[name].parse(name, request.match_info[name])


def path_int(request: web.Request, name: str) -> int:
    value = path_value(request, name)
    assert isinstance(value, int), name
    return value


def path_str(request: web.Request, name: str) -> str:
    value = path_value(request, name)
    assert isinstance(value, str), name
    return value


@web.middleware
async def path_middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
    """Check every path parameter of the matched route before its handler runs."""
    for name in request.match_info:
        spec = PATH_PARAMS.get(name)
        if spec is not None:
            spec.parse(name, request.match_info[name])
    return await handler(request)
