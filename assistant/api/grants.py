"""Granting and taking back the roles a supervisor gives (order review, refund review) and loading
them over the directory at start. The grant tables are ``assistant.team.grant_store``."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime

from aiohttp import web

from assistant import keys
from assistant.api.io import path_int
from assistant.errors import Conflict, FieldError, NotFound
from assistant.security import current_agent
from assistant.team import grant_store
from knowledge.models import Role

WHAT = {Role.REVIEWER: "审单", Role.REFUND_REVIEWER: "退款审核"}


async def grants_ctx(app: web.Application) -> AsyncIterator[None]:
    """After the store opened: load the agents again with the granted roles applied."""
    directory = app[keys.DIRECTORY]
    agents = await app[keys.DB].read(grant_store.effective_agents)
    directory.replace(agents, directory.shops.values())
    yield


async def apply_grant(request: web.Request, role: Role, on: bool) -> Role:
    """Grant ``role`` to the path's ``agent_id`` (or take it back); only a plain agent, or one who holds
    this very grant, can be given it. Answers the agent's role afterwards."""
    caller = current_agent(request)
    agent_id = path_int(request, "agent_id")
    directory = request.app[keys.DIRECTORY]
    target = directory.agents.get(agent_id)
    if target is None or not set(target.shop_ids) & set(caller.shop_ids):
        raise NotFound(f"没有编号为 {agent_id} 的客服", [FieldError("agent_id", "找不到这个客服")])
    if target.role not in (Role.AGENT, role):
        raise Conflict(
            f"{target.name} 的角色是 {target.role.value}：{WHAT[role]}角色只授予普通客服（主管本来就能{WHAT[role]}）",
            [FieldError("agent_id", "不是普通客服")],
        )
    at = datetime.now(UTC).isoformat(timespec="microseconds")
    db = request.app[keys.DB]
    await db.write(lambda conn: grant_store.set_grant(conn, role, agent_id, on, caller.id, at))
    directory.replace(await db.read(grant_store.effective_agents), directory.shops.values())
    return directory.agents[agent_id].role
