"""A quick reply's history over HTTP: its revisions (to whoever may see the phrase) and the
rollback to one of them, checked as an edit is (``assistant.api.quick_replies``)."""

from __future__ import annotations

from aiohttp import web

from assistant import keys
from assistant.api.io import body_of, ok, path_int
from assistant.api.quick_replies import RollbackIn, _check_editable, _out, _phrase
from assistant.api.quick_replies_models import RevisionsOut
from assistant.api.shops import resolve_shop
from assistant.api.template_checks import check_templates
from assistant.errors import FieldError, NotFound
from assistant.security import current_agent
from knowledge.models import Agent, Revision
from quick_replies.access import Holding, check_editable, may_see


async def _revisions(request: web.Request, agent: Agent, phrase_id: int) -> list[Revision]:
    revisions = await request.app[keys.QR_STORE].revisions(phrase_id)
    states = [r.after or r.before or {} for r in revisions]
    if not revisions or not any(may_see(agent, Holding.of(state)) for state in states):
        raise NotFound(f"快捷短语 {phrase_id} 没有历史记录", [FieldError("id", "请刷新列表")])
    return revisions


async def list_revisions(request: web.Request) -> web.Response:
    agent = current_agent(request)
    phrase_id = path_int(request, "phrase_id")
    return ok(RevisionsOut(revisions=await _revisions(request, agent, phrase_id)))


async def rollback(request: web.Request) -> web.Response:
    agent = current_agent(request)
    phrase_id = path_int(request, "phrase_id")
    body = body_of(request, RollbackIn)
    revisions = await _revisions(request, agent, phrase_id)
    target = next((r for r in revisions if r.id == body.revision_id), None)
    if target is None:
        raise NotFound(
            f"历史版本 {body.revision_id} 不属于短语 {phrase_id}", [FieldError("revision_id", "请刷新历史")]
        )
    state = target.after or target.before or {}
    check_editable(agent, Holding.of(state))
    if revisions[0].action.value != "delete":
        _check_editable(agent, (await _phrase(request, agent, phrase_id)).reply)
    shop_id = int(state.get("shop_id") or agent.main_shop_id)
    resolve_shop(request, agent, shop_id)
    await check_templates(request, [("body", str(state.get("body") or ""))])
    saved = await request.app[keys.QR_STORE].rollback(phrase_id, body.revision_id, body.version, agent.id)
    request.app[keys.QUICK_REPLIES].publish(saved)
    return ok(_out(saved))
