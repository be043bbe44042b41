"""The emergency switch (a shop-wide auto-reply during an outage or a rush) and the auto-reply to
propose."""

from __future__ import annotations

from datetime import UTC, datetime

from aiohttp import web

from assistant import keys
from assistant.api.io import body_of, ok, query_of
from assistant.api.knowledge import build_context, campaign_context
from assistant.api.shops import resolve_shop
from assistant.api.watch import ShopQuery, _emergency_out
from assistant.api.watch_models import AutoReplyOut, AutoReplyQuery, EmergencyIn, EmergencyState
from assistant.errors import BadRequest, Conflict, FieldError
from assistant.security import current_agent
from assistant.team import store
from knowledge.models import ScriptKind
from knowledge.templates import TemplateProblem, render


async def emergency_state(request: web.Request) -> web.Response:
    """Whether the shop's emergency switch is on, and its timeline (newest first)."""
    agent = current_agent(request)
    return await emergency_state_for(request, resolve_shop(request, agent, query_of(request, ShopQuery).shop))


async def _campaign_script(
    request: web.Request, shop_id: int, kinds: tuple[ScriptKind, ...], buyer: str | None = None
) -> tuple[str | None, int | None, str | None]:
    """The running campaign's first script of the first kind found, rendered for the buyer: its text,
    id and the campaign's name (a script that cannot render is passed over)."""
    agent = current_agent(request)
    context, _, campaigns = await build_context(
        request, agent, shop_id, buyer=buyer, item_id=None, order_id=None
    )
    for kind in kinds:
        for campaign in campaigns:
            context["campaign"] = campaign_context(campaign)
            for script in campaign.scripts:
                if script.kind is not kind:
                    continue
                try:
                    rendered = await request.app[keys.TEMPLATES].run(render, script.body, context)
                except TemplateProblem:
                    continue
                return rendered.text, script.id, campaign.name
    return None, None, None


async def switch_emergency(request: web.Request) -> web.Response:
    """One supervisor action: swap every agent's auto-reply and pin the emergency script in every
    sidebar of the shop (or switch it off); audited."""
    agent = current_agent(request)
    body = body_of(request, EmergencyIn)
    shop_id = resolve_shop(request, agent, body.shop)
    now = datetime.now(UTC)
    db = request.app[keys.DB]
    if body.on:
        if not body.reason:
            raise BadRequest.field("reason", "打开应急开关时请写明发生了什么，例如：支付故障")
        text, script_id, _ = await _campaign_script(request, shop_id, (ScriptKind.EMERGENCY,))
        auto_reply = body.auto_reply or text
        if not auto_reply:
            raise BadRequest.field("auto_reply", "当前活动没有应急话术：请写下这段时间的自动回复")
        try:
            await db.write(
                lambda conn: store.start_emergency(
                    conn,
                    shop_id=shop_id,
                    reason=body.reason,
                    auto_reply=auto_reply,
                    script_id=script_id if not body.auto_reply else None,
                    agent_id=agent.id,
                    at=now,
                )
            )
        except store.AlreadyOn as on:
            raise Conflict(
                f"应急开关已经打开（{on.current.started_by_name}：{on.current.reason}）",
                [FieldError("on", "已经打开")],
                extra={"current": _emergency_out(on.current).model_dump(mode="json")},
            ) from None
    else:
        ended = await db.write(
            lambda conn: store.end_emergency(conn, shop_id=shop_id, agent_id=agent.id, at=now)
        )
        if ended is None:
            raise Conflict("应急开关本来就是关着的", [FieldError("on", "没有打开的应急")])
    request.app[keys.EMERGENCIES].on = await db.read(store.active_emergencies)
    request.app[keys.WATCH].touch()
    members = {m.id for m in request.app[keys.DIRECTORY].agents.values() if shop_id in m.shop_ids}
    request.app[keys.EVENTS].notify(members, "emergency", {"shop_id": shop_id, "on": body.on})
    return await emergency_state_for(request, shop_id)


async def emergency_state_for(request: web.Request, shop_id: int) -> web.Response:
    timeline = await request.app[keys.DB].read(lambda db: store.emergency_timeline(db, shop_id))
    current = next((e for e in timeline if e.ended_at is None), None)
    return ok(
        EmergencyState(
            shop_id=shop_id,
            on=current is not None,
            current=_emergency_out(current) if current else None,
            timeline=[_emergency_out(e) for e in timeline],
        )
    )


async def auto_reply(request: web.Request) -> web.Response:
    """The auto-reply to propose on a buyer's first message: the emergency's while the switch is on,
    else the running campaign's (carrying its offer), never a bare greeting."""
    agent = current_agent(request)
    query = query_of(request, AutoReplyQuery)
    shop_id = resolve_shop(request, agent, query.shop)
    on = next((e for e in request.app[keys.EMERGENCIES].on if e.shop_id == shop_id), None)
    if on is not None:
        return ok(AutoReplyOut(text=on.auto_reply, source="emergency"))
    text, _, campaign = await _campaign_script(
        request, shop_id, (ScriptKind.AUTO_REPLY, ScriptKind.WELCOME), query.buyer
    )
    if text is None:
        return ok(AutoReplyOut(text=None, source="none"))
    return ok(AutoReplyOut(text=text, source="campaign", campaign=campaign))
