"""Messages beside the chat: the shops' templates (with the SMS counter) and care messages (handed to
the chat client or exported for the shop's SMS tool); courier-jam notices are ``care_jams`` and
``care_jam_sends``, the models ``care_models``. Thin: the wording and stages are
``assistant.team.care``, the scan ``care_scan``, SQL ``care_store``."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime, timedelta
from urllib.parse import quote
from zoneinfo import ZoneInfo

import sqlite_utils
from aiohttp import web
from pydantic import Field

from assistant import keys
from assistant.api.care_models import (
    CareListOut,
    CareOut,
    CareQuery,
    ExportIn,
    MeasureIn,
    MeasureOut,
    TakeIn,
    TakenOut,
    TemplateIn,
    TemplateOut,
    TemplatesOut,
)
from assistant.api.io import QueryId, body_of, ok, query_of
from assistant.api.reminders import rules_from
from assistant.api.shops import resolve_shop
from assistant.commerce.store import insert_audit
from assistant.errors import BadRequest, FieldError
from assistant.path_params import path_value
from assistant.security import current_agent
from assistant.team import care_scan
from assistant.team import care_store as cs
from assistant.team.care import DEFAULT_TEMPLATES, PURPOSES, SMS_SEGMENT, TYPICAL_LENGTHS, measure
from knowledge.models import Model
from knowledge.templates import BLOCKING_KINDS, TemplateProblem, lint

ORDER_STATUSES = ("shipped", "delivered", "completed")


async def run_scan(app: web.Application) -> int:
    """The scheduler's job: queue the care messages that are due (idempotent)."""
    settings = app[keys.SETTINGS]
    now = datetime.now(UTC)
    options = care_scan.CareOptions(
        channel=settings.care_channel,
        review_after=timedelta(days=settings.care_review_after_days),
        event_days_before=settings.care_event_days_before,
    )
    tz = ZoneInfo(settings.timezone)
    return await app[keys.DB].write(lambda db: care_scan.scan(db, now, rules_from(settings), tz, options))


def _day_start(now: datetime, tz: ZoneInfo) -> datetime:
    return now.astimezone(tz).replace(hour=0, minute=0, second=0, microsecond=0).astimezone(UTC)


def _csv(rows: list[list[str]], name: str, ascii_name: str) -> web.Response:
    out = io.StringIO(newline="")
    csv.writer(out, lineterminator="\r\n").writerows(rows)
    return web.Response(
        body=out.getvalue().encode("utf-8-sig"),
        headers={
            "Content-Type": "text/csv; charset=utf-8",
            "Content-Disposition": f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(name)}",
        },
    )


# ---- templates -------------------------------------------------------------------------------------


class ShopQuery(Model):
    shop: QueryId | None = Field(None, description="the shop; default: the caller's main shop")


def _template_out(purpose: str, own: cs.CareText | None) -> TemplateOut:
    body = own.body if own else DEFAULT_TEMPLATES[purpose]
    chars: int | None = None
    segs: int | None = None
    try:
        measured = measure(body)
        chars, segs = measured.chars, measured.segments
    except TemplateProblem:
        pass
    return TemplateOut(
        purpose=purpose,
        body=body,
        default_body=DEFAULT_TEMPLATES[purpose],
        own=own is not None,
        updated_by=own.updater if own else None,
        updated_at=own.updated_at if own else None,
        chars=chars,
        segments=segs,
    )


async def list_templates(request: web.Request) -> web.Response:
    """Every purpose's text for the shop (its own or the built-in one) with its length and SMS segments."""
    agent = current_agent(request)
    shop_id = resolve_shop(request, agent, query_of(request, ShopQuery).shop)
    own = await request.app[keys.DB].read(lambda db: cs.templates(db, shop_id))
    out = await request.app[keys.TEMPLATES].run(lambda: [_template_out(p, own.get(p)) for p in PURPOSES])
    return ok(TemplatesOut(templates=out, typical_lengths=TYPICAL_LENGTHS, segment=SMS_SEGMENT))


def _check(body: str) -> MeasureOut:
    try:
        measured = measure(body)
    except TemplateProblem as problem:
        return MeasureOut(text="", chars=0, segments=0, findings=problem.findings)
    findings = list(measured.rendered.findings) + [
        f for f in lint(body, {k: dict(v) for k, v in TYPICAL_LENGTHS.items()}) if f.kind in BLOCKING_KINDS
    ]
    return MeasureOut(
        text=measured.rendered.text, chars=measured.chars, segments=measured.segments, findings=findings
    )


async def measure_template(request: web.Request) -> web.Response:
    """The editor's counter: characters and SMS segments with every variable at its typical length."""
    body = body_of(request, MeasureIn)
    return ok(await request.app[keys.TEMPLATES].run(_check, body.body))


async def save_template(request: web.Request) -> web.Response:
    """Word a purpose for the shop (a template that cannot render is refused, 400); audited."""
    agent = current_agent(request)
    purpose = str(path_value(request, "purpose"))
    body = body_of(request, TemplateIn)
    shop_id = resolve_shop(request, agent, body.shop)
    checked = await request.app[keys.TEMPLATES].run(_check, body.body)
    blocking = [f for f in checked.findings if f.kind in BLOCKING_KINDS]
    if blocking or not checked.text:
        message = blocking[0].message if blocking else "模板生成的内容为空"
        raise BadRequest(f"模板不能保存：{message}", [FieldError("body", message)])
    now = datetime.now(UTC)

    def write(db: sqlite_utils.Database) -> cs.CareText | None:
        with db.atomic():
            before = cs.templates(db, shop_id).get(purpose)
            cs.save_template(db, shop_id, purpose, body.body, agent.id, now)
            insert_audit(
                db,
                at=now.isoformat(),
                agent_id=agent.id,
                shop_id=shop_id,
                entity="contact_template",
                entity_id=purpose,
                action="update",
                reason="",
                before={"body": before.body} if before else None,
                after={"body": body.body},
            )
            return cs.templates(db, shop_id).get(purpose)

    saved = await request.app[keys.DB].write(write)
    return ok(await request.app[keys.TEMPLATES].run(_template_out, purpose, saved))


# ---- care messages ---------------------------------------------------------------------------------


def _care_out(m: cs.CareMessage) -> CareOut:
    return CareOut(
        id=m.id,
        buyer=m.buyer_nick,
        order_id=m.order_id,
        stage=m.stage,
        text=m.text,
        channel=m.channel,
        state=m.state,
        reason=m.reason,
        due_at=m.due_at,
        sent_at=m.sent_at,
    )


async def list_care(request: web.Request) -> web.Response:
    agent = current_agent(request)
    query = query_of(request, CareQuery)
    shop_id = resolve_shop(request, agent, query.shop)
    found = await request.app[keys.DB].read(lambda db: cs.messages(db, shop_id, states=(query.state,)))
    return ok(
        CareListOut(messages=[_care_out(m) for m in found], channel=request.app[keys.SETTINGS].care_channel)
    )


async def _take(request: web.Request, channel: str, shop: int | None, limit: int) -> list[cs.CareMessage]:
    agent = current_agent(request)
    shop_id = resolve_shop(request, agent, shop)
    settings = request.app[keys.SETTINGS]
    tz, now = ZoneInfo(settings.timezone), datetime.now(UTC)
    rules = rules_from(settings)

    def write(db: sqlite_utils.Database) -> list[cs.CareMessage]:
        with db.atomic():
            return care_scan.take(
                db,
                shop_id,
                channel,
                now=now,
                day_start=_day_start(now, tz),
                rules=rules,
                tz=tz,
                agent_id=agent.id,
                limit=limit,
            )

    return await request.app[keys.DB].write(write)


async def take_care(request: web.Request) -> web.Response:
    """The shop's due host messages, handed over once (marked sent): the caller's page posts each to the
    chat client (``kefu.send_message``). Over the buyer's daily cap a message is skipped; none in the
    quiet hours."""
    body = body_of(request, TakeIn)
    taken = await _take(request, "host", body.shop, body.limit)
    return ok(TakenOut(messages=[_care_out(m) for m in taken]))


async def export_care(request: web.Request) -> web.Response:
    """The due SMS care messages as CSV (UTF-8 with BOM) for the shop's SMS tool; each exported once."""
    body = body_of(request, ExportIn)
    taken = await _take(request, "sms", body.shop, 5000)
    stamp = datetime.now(ZoneInfo(request.app[keys.SETTINGS].timezone)).strftime("%Y%m%d-%H%M")
    rows = [["手机号", "买家", "订单号", "阶段", "短信内容", "条数"]]
    rows += [
        [m.phone, m.buyer_nick, m.order_id or "", m.stage, m.text, str(-(-len(m.text) // SMS_SEGMENT))]
        for m in taken
    ]
    return _csv(rows, f"关怀短信-{stamp}.csv", f"care-sms-{stamp}.csv")
