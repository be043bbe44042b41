"""Quick replies in and out of spreadsheets (CSV / Excel), and which phrases are used.

- ``GET /api/quick-replies/export?shop=&format=csv|xlsx``: the shop-wide phrases as a file.
- ``POST /api/quick-replies/import?shop=&dry_run=true|false[&plan=]``: a ``multipart/form-data``
  upload with the file in the field ``file`` (at most ``max_body_bytes``). The dry run returns
  what would be added, changed and skipped; applying writes everything in one transaction.
- ``GET /api/quick-replies/usage-report?shop=&days=30``: most used and never used phrases.
"""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from typing import Annotated, Literal
from urllib.parse import quote

from aiohttp import web
from pydantic import Field, StringConstraints

from assistant import keys
from assistant.api.io import ok, query_of
from assistant.api.quick_replies import _shop_name, _visible
from assistant.api.quick_replies_models import QueryId
from assistant.api.shops import resolve_shop
from assistant.api.uploads import expect_upload, read_form_file
from assistant.errors import BadRequest, Conflict, FieldError
from assistant.security import current_agent
from knowledge.models import Agent, Id, Model
from quick_replies import store as qr_store
from quick_replies.import_plan import (
    ImportPlan,
    PlanChanged,
    apply_import,
    check_templates,
    plan_import,
    record_of,
)
from quick_replies.models import Scope
from quick_replies.rows import StoredQuickReply
from quick_replies.store import UsageCount
from quick_replies.transfer import CSV_MIME, XLSX_MIME, TransferError, read_sheet, to_csv, to_xlsx


class ExportQuery(Model):
    shop: QueryId | None = Field(None, description="shop id; defaults to the agent's main shop")
    format: Literal["csv", "xlsx"] = Field("csv", description="csv (UTF-8 with BOM) or xlsx")


class ImportQuery(Model):
    shop: QueryId | None = Field(None, description="shop id; defaults to the agent's main shop")
    dry_run: bool = Field(True, description="true: only say what would happen; false: write it")
    plan: Annotated[str, StringConstraints(min_length=1, max_length=64)] | None = Field(
        None, description="plan_id of the dry run: applying refuses (409) when the plan would now differ"
    )


class ImportOut(ImportPlan):
    applied: bool = Field(description="false for a dry run")


class UsageQuery(Model):
    shop: QueryId | None = Field(None, description="shop id; defaults to the agent's main shop")
    days: Annotated[int, Field(ge=1, le=365)] = 30
    limit: Annotated[int, Field(ge=1, le=500)] = Field(50, description="how many of the most used to list")


class PhraseUsage(Model):
    id: Id
    code: str
    title: str
    group: str
    scope: Scope
    enabled: bool
    uses: int
    agents: int = Field(description="distinct agents who used it")
    edited: int = Field(description="uses where the agent changed the text before sending")
    last_used_at: str | None


class UsageReport(Model):
    days: int
    since: str
    total_uses: int
    phrases: int = Field(description="phrases the caller may see in the shop")
    most_used: list[PhraseUsage]
    never_used: list[PhraseUsage] = Field(description="phrases with no use in the window, in display order")


# --------------------------------------------------------------------------- #
# Export
# --------------------------------------------------------------------------- #


async def export_quick_replies(request: web.Request) -> web.StreamResponse:
    agent = current_agent(request)
    query = query_of(request, ExportQuery)
    shop_id = resolve_shop(request, agent, query.shop)
    phrases = await request.app[keys.QR_STORE].in_shop(shop_id, scope=Scope.SHOP.value)  # SQLite or the hub
    records = [record_of(p) for p in phrases]
    shop = request.app[keys.DIRECTORY].shops[shop_id]
    stamp = datetime.now(request.app[keys.DIRECTORY].zone(shop_id)).strftime("%Y%m%d")
    name = f"快捷短语-{shop.name}-{stamp}.{query.format}"
    if query.format == "xlsx":
        data, mime = await asyncio.to_thread(to_xlsx, records), XLSX_MIME
    else:
        data, mime = to_csv(records), CSV_MIME
    ascii_name = f"quick-replies-{shop.code}-{stamp}.{query.format}"
    return web.Response(
        body=data,
        headers={
            "Content-Type": mime,
            "Content-Disposition": f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(name)}",
        },
    )


# --------------------------------------------------------------------------- #
# Import
# --------------------------------------------------------------------------- #


async def _upload(request: web.Request) -> bytes:
    """The ``file`` field of a multipart upload, refused past ``max_body_bytes``."""
    limit = request.app[keys.SETTINGS].max_body_bytes
    expect_upload(request, limit)
    data = await read_form_file(request, "file", limit)
    if data is not None:
        return data
    raise BadRequest.field("file", "没有收到文件：请把 CSV 或 .xlsx 文件放在 file 字段")


async def import_quick_replies(request: web.Request) -> web.Response:
    """One import at a time per service (the next waits its turn), so memory stays flat however
    many editors upload at once."""
    agent = current_agent(request)
    query = query_of(request, ImportQuery)
    shop_id = resolve_shop(request, agent, query.shop)
    async with request.app[keys.IMPORTS]:
        return await _run_import(request, agent, query, shop_id)


async def _run_import(request: web.Request, agent: Agent, query: ImportQuery, shop_id: int) -> web.Response:
    data = await _upload(request)
    zone = request.app[keys.DIRECTORY].zone(shop_id)
    try:
        sheet = await asyncio.to_thread(read_sheet, data)
    except TransferError as exc:
        raise BadRequest(str(exc), [FieldError("file", str(exc))]) from exc
    await request.app[keys.TEMPLATES].run(check_templates, sheet)  # bodies linted as a save would
    db = request.app[keys.DB]
    if query.dry_run:
        plan = await db.read(lambda c: plan_import(c, shop_id, sheet, zone))
        return ok(ImportOut(**plan.model_dump(), applied=False))
    try:
        plan, saved = await db.write(lambda c: apply_import(c, shop_id, sheet, zone, agent.id, query.plan))
    except PlanChanged as exc:
        raise Conflict(
            f"店铺 {_shop_name(request, shop_id)} 的短语在预览之后有变化：请重新预览再导入",
            [FieldError("plan", "预览已过期")],
            extra={"current": exc.plan.model_dump(mode="json")},
        ) from exc
    library = request.app[keys.QUICK_REPLIES]
    for phrase in saved:
        library.publish(phrase)
    return ok(ImportOut(**plan.model_dump(), applied=True))


# --------------------------------------------------------------------------- #
# Usage report
# --------------------------------------------------------------------------- #


def _usage(phrase: StoredQuickReply, counts: UsageCount | None) -> PhraseUsage:
    reply = phrase.reply
    return PhraseUsage(
        id=phrase.id, code=reply.code, title=reply.title, group=phrase.group_name, scope=reply.scope,
        enabled=reply.enabled, uses=counts.uses if counts else 0, agents=counts.agents if counts else 0,
        edited=counts.edited if counts else 0, last_used_at=counts.last_used_at if counts else None,
    )  # fmt: skip


async def usage_report(request: web.Request) -> web.Response:
    agent = current_agent(request)
    query = query_of(request, UsageQuery)
    shop_id = resolve_shop(request, agent, query.shop)
    since = (datetime.now(UTC) - timedelta(days=query.days)).isoformat()
    stored, counts = await request.app[keys.DB].read(
        lambda c: (qr_store.in_shop(c, shop_id), qr_store.usage_counts(c, shop_id, since))
    )
    phrases = [_usage(p, counts.get(p.id)) for p in stored if _visible(agent, p)]
    used = sorted((p for p in phrases if p.uses), key=lambda p: (-p.uses, -p.agents, p.id))
    return ok(
        UsageReport(
            days=query.days,
            since=since,
            total_uses=sum(p.uses for p in phrases),
            phrases=len(phrases),
            most_used=used[: query.limit],
            never_used=[p for p in phrases if not p.uses],
        )
    )
