"""Quick-reply groups: the shop's list, a new group, and the order of the phrases in a group."""

from __future__ import annotations

from aiohttp import web

from assistant import keys
from assistant.api.io import body_of, ok, path_int, query_of
from assistant.api.quick_replies import ShopQuery, _check_editable, _out, _phrase, _shop_name
from assistant.api.quick_replies_models import (
    GroupIn,
    GroupList,
    GroupOrderIn,
    GroupOut,
    QuickReplyList,
)
from assistant.api.shops import resolve_shop
from assistant.errors import BadRequest, Conflict, FieldError
from assistant.security import current_agent
from quick_replies.models import QuickReplyGroup
from quick_replies.store_refusals import GroupNameTaken


async def list_groups(request: web.Request) -> web.Response:
    agent = current_agent(request)
    shop_id = resolve_shop(request, agent, query_of(request, ShopQuery).shop)
    groups = await request.app[keys.QR_STORE].list_groups(shop_id)
    return ok(GroupList(groups=groups))


async def create_group(request: web.Request) -> web.Response:
    agent = current_agent(request)
    body = body_of(request, GroupIn)
    shop_id = resolve_shop(request, agent, body.shop)
    group = QuickReplyGroup(shop_id=shop_id, name=body.name, position=body.position)
    try:
        saved = await request.app[keys.QR_STORE].create_group(group)
    except GroupNameTaken as exc:
        raise Conflict(
            f"分组「{group.name}」在店铺 {_shop_name(request, shop_id)} 已存在",
            [FieldError("name", "换一个名字")],
        ) from exc
    return ok(GroupOut(group=saved), status=201)


async def reorder_group(request: web.Request) -> web.Response:
    """Put a group's phrases in a new order in one transaction (each moved phrase gets a new version)."""
    agent = current_agent(request)
    group_id = path_int(request, "group_id")
    body = body_of(request, GroupOrderIn)
    ids = [item.id for item in body.items]
    if len(set(ids)) != len(ids):
        raise BadRequest.field("items", "同一条短语出现了两次")
    phrases = [(await _phrase(request, agent, phrase_id)).reply for phrase_id in ids]
    for index, reply in enumerate(phrases):
        if reply.group_id != group_id:
            raise BadRequest.field(f"items.{index}.id", f"短语 {reply.id}「{reply.title}」不在这个分组里")
        _check_editable(agent, reply)
    items = [(item.id, item.version) for item in body.items]
    saved = await request.app[keys.QR_STORE].reorder_group(group_id, items, agent.id)
    for phrase in saved:
        request.app[keys.QUICK_REPLIES].publish(phrase)
    return ok(QuickReplyList(quick_replies=[_out(phrase) for phrase in saved]))
