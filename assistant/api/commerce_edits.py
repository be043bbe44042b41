"""The one-click order edits (改价 改邮 改地址 改备注), undo, and supervisors' approvals."""

from __future__ import annotations

import hashlib
import json
import re
from typing import Annotated, Literal

from aiohttp import web
from pydantic import Field, StringConstraints

from assistant import keys
from assistant.api.commerce import order_id_of
from assistant.api.io import body_of, ok, path_int, query_of, read_object
from assistant.commerce.address import default_regions
from assistant.commerce.address_regions import RegionNotFound
from assistant.commerce.backend import EditRequest, Undo
from assistant.commerce.edits import AddressChange, Change, PostageChange, PriceChange, RemarkChange
from assistant.commerce.models import Address, RemarkFlag
from assistant.commerce.views import ApprovalOut, EditOutcome
from assistant.errors import BadRequest
from assistant.security import current_agent
from knowledge.models import Fen, Model, PositiveFen, Role, ShortText, Text, Version

IDEMPOTENCY_HEADER = "Idempotency-Key"
_KEY_RE = re.compile(r"^[A-Za-z0-9_.:-]{8,100}$")

Reason = Annotated[ShortText, Field(description="why (kept in the audit log)")]


class PriceIn(Model):
    version: Version
    price_fen: PositiveFen
    reason: Reason = ""


class PostageIn(Model):
    version: Version
    postage_fen: Fen
    reason: Reason = ""


class AddressEditIn(Model):
    version: Version
    address: Address = Field(
        description="the structured address the agent confirmed (see POST /api/address/parse)"
    )
    reason: Reason = ""


class RemarkIn(Model):
    version: Version
    text: Annotated[Text, StringConstraints(max_length=500)]
    mode: Literal["replace", "append"] = "replace"
    flag: RemarkFlag | None = Field(None, description="new flag colour; omit to keep the current one")
    reason: Reason = ""


class UndoIn(Model):
    version: Version
    reason: Reason = ""


class DecisionIn(Model):
    note: ShortText = ""


class ApprovalsQuery(Model):
    mine: bool = Field(False, description="only my own requests (agents and editors always see only theirs)")
    status: Literal["pending", "granted", "refused", "failed"] | None = None
    limit: Annotated[int, Field(ge=1, le=100)] = 50


class ApprovalsOut(Model):
    approvals: list[ApprovalOut]


class DecisionOut(Model):
    approval: ApprovalOut
    outcome: EditOutcome | None


def _key(request: web.Request) -> str:
    key = request.headers.get(IDEMPOTENCY_HEADER, "").strip()
    if not key:
        raise BadRequest.field(
            IDEMPOTENCY_HEADER,
            "改单请求必须带 Idempotency-Key 头（每次新的修改用一个新的随机值，重试时原样重发）",
        )
    if not _KEY_RE.match(key):
        raise BadRequest.field(IDEMPOTENCY_HEADER, "应为 8–100 个字母、数字或 _ . : -")
    return key


def _check_region(address: Address) -> None:
    """The confirmed province / city / district must be a real, consistent chain.

    Only the three region fields are read: a place named in the street detail (南京西路, or a second
    region the agent left there) must not change or block what the agent confirmed.
    """
    try:
        match = default_regions().resolve(f"{address.province} {address.city} {address.district}")
    except RegionNotFound as exc:
        raise BadRequest.field("address.province", str(exc)) from exc
    for name in ("province", "city", "district"):
        given = getattr(address, name)
        if given and given != getattr(match, name):
            raise BadRequest.field(
                f"address.{name}",
                f"「{given}」和省市区对不上（识别为 {match.province}{match.city}{match.district}）：请核对",
            )


async def _edit(request: web.Request, version: int, change: Change | Undo, reason: str) -> web.Response:
    agent = current_agent(request)
    order_id = order_id_of(request)
    key = _key(request)
    raw = json.dumps(await read_object(request), sort_keys=True, ensure_ascii=False)
    digest = hashlib.sha256(f"{request.method} {request.path}\n{raw}".encode()).hexdigest()
    result = await request.app[keys.COMMERCE].apply_edit(
        EditRequest(
            order_id=order_id,
            agent=agent,
            version=version,
            change=change,
            reason=reason,
            idempotency_key=key,
            request_hash=digest,
        )
    )
    return ok(result.outcome, status=result.status)


async def edit_price(request: web.Request) -> web.Response:
    body = body_of(request, PriceIn)
    return await _edit(request, body.version, PriceChange(price_fen=body.price_fen), body.reason)


async def edit_postage(request: web.Request) -> web.Response:
    body = body_of(request, PostageIn)
    return await _edit(request, body.version, PostageChange(postage_fen=body.postage_fen), body.reason)


async def edit_address(request: web.Request) -> web.Response:
    body = body_of(request, AddressEditIn)
    _check_region(body.address)
    return await _edit(request, body.version, AddressChange(address=body.address), body.reason)


async def edit_remark(request: web.Request) -> web.Response:
    body = body_of(request, RemarkIn)
    change = RemarkChange(text=body.text, mode=body.mode, flag=body.flag)
    return await _edit(request, body.version, change, body.reason)


async def undo(request: web.Request) -> web.Response:
    body = body_of(request, UndoIn)
    return await _edit(request, body.version, Undo(), body.reason)


async def list_approvals(request: web.Request) -> web.Response:
    agent = current_agent(request)
    query = query_of(request, ApprovalsQuery)
    mine = query.mine or agent.role is not Role.SUPERVISOR
    approvals = await request.app[keys.COMMERCE].approvals(
        agent.shop_ids, agent.id if mine else None, query.status, query.limit
    )
    return ok(ApprovalsOut(approvals=approvals))


async def _decide(request: web.Request, grant: bool) -> web.Response:
    agent = current_agent(request)
    body = body_of(request, DecisionIn)
    approval, outcome = await request.app[keys.COMMERCE].decide(
        path_int(request, "approval_id"), agent, grant, body.note
    )
    return ok(DecisionOut(approval=approval, outcome=outcome))


async def grant_approval(request: web.Request) -> web.Response:
    return await _decide(request, grant=True)


async def refuse_approval(request: web.Request) -> web.Response:
    return await _decide(request, grant=False)
