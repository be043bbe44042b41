"""Messages beside the chat: the shops' templates (with the SMS counter), care messages (handed to the
chat client or exported for the shop's SMS tool) and courier-jam notices (selection, preview with the
receiver's real name, a second supervisor's approval over a threshold, sent once per buyer, audited).
Thin: the wording and stages are ``assistant.team.care``, the scan ``care_scan``, SQL ``care_store``."""

from __future__ import annotations

import csv
import io
import json
from datetime import UTC, date, datetime, time, timedelta
from typing import Annotated, Literal
from urllib.parse import quote
from zoneinfo import ZoneInfo

import sqlite_utils
from aiohttp import web
from pydantic import Field, StringConstraints, model_validator

from assistant import keys
from assistant.api.commerce import shop_of
from assistant.api.io import QueryId, ok, path_int, read_json, read_query
from assistant.api.reminders import rules_from
from assistant.commerce.store import insert_audit
from assistant.errors import BadRequest, Conflict, FieldError, Forbidden, NotFound
from assistant.path_params import path_value
from assistant.security import current_agent
from assistant.team import care_scan
from assistant.team import care_store as cs
from assistant.team.care import DEFAULT_TEMPLATES, PURPOSES, SMS_SEGMENT, TYPICAL_LENGTHS, fill, measure
from knowledge.models import Model
from knowledge.templates import BLOCKING_KINDS, Finding, TemplateProblem, lint

Body = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=1000)]
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


class TemplateOut(Model):
    purpose: str
    body: str
    default_body: str
    own: bool = Field(description="the shop's own wording (else the built-in one)")
    updated_by: str | None
    updated_at: datetime | None
    chars: int | None = Field(description="characters with every variable at its typical length")
    segments: int | None = Field(description="SMS segments (70 characters each)")


class TemplatesOut(Model):
    templates: list[TemplateOut]
    typical_lengths: dict[str, dict[str, int]]
    segment: int


class TemplateIn(Model):
    shop: QueryId | None = None
    body: Body


class MeasureIn(Model):
    body: Annotated[str, StringConstraints(max_length=1000)]


class MeasureOut(Model):
    text: str = Field(description="the text with every variable at its typical length (某某某…)")
    chars: int
    segments: int
    findings: list[Finding]


def _template_out(purpose: str, own: tuple[str, int, str, datetime] | None) -> TemplateOut:
    body = own[0] if own else DEFAULT_TEMPLATES[purpose]
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
        updated_by=own[2] if own else None,
        updated_at=own[3] if own else None,
        chars=chars,
        segments=segs,
    )


async def list_templates(request: web.Request) -> web.Response:
    """Every purpose's text for the shop (its own or the built-in one) with its length and SMS segments."""
    agent = current_agent(request)
    shop_id = shop_of(request, agent, read_query(request, ShopQuery).shop)
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
    body = await read_json(request, MeasureIn)
    return ok(await request.app[keys.TEMPLATES].run(_check, body.body))


async def save_template(request: web.Request) -> web.Response:
    """Word a purpose for the shop (a template that cannot render is refused, 400); audited."""
    agent = current_agent(request)
    purpose = str(path_value(request, "purpose"))
    body = await read_json(request, TemplateIn)
    shop_id = shop_of(request, agent, body.shop)
    checked = await request.app[keys.TEMPLATES].run(_check, body.body)
    blocking = [f for f in checked.findings if f.kind in BLOCKING_KINDS]
    if blocking or not checked.text:
        message = blocking[0].message if blocking else "模板生成的内容为空"
        raise BadRequest(f"模板不能保存：{message}", [FieldError("body", message)])
    now = datetime.now(UTC)

    def write(db: sqlite_utils.Database) -> tuple[str, int, str, datetime] | None:
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
                before={"body": before[0]} if before else None,
                after={"body": body.body},
            )
            return cs.templates(db, shop_id).get(purpose)

    saved = await request.app[keys.DB].write(write)
    return ok(await request.app[keys.TEMPLATES].run(_template_out, purpose, saved))


# ---- care messages ---------------------------------------------------------------------------------

CareState = Literal["pending", "sent", "exported", "skipped"]


class CareQuery(Model):
    shop: QueryId | None = None
    state: CareState = "pending"


class CareOut(Model):
    id: int
    buyer: str
    order_id: str | None
    stage: str
    text: str
    channel: Literal["host", "sms"]
    state: CareState
    reason: str
    due_at: datetime
    sent_at: datetime | None


class CareListOut(Model):
    messages: list[CareOut]
    channel: Literal["host", "sms"] = Field(description="where new care messages go (setting care_channel)")


class TakeIn(Model):
    shop: QueryId | None = None
    limit: Annotated[int, Field(ge=1, le=50)] = 20


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
    query = read_query(request, CareQuery)
    shop_id = shop_of(request, agent, query.shop)
    found = await request.app[keys.DB].read(lambda db: cs.messages(db, shop_id, states=(query.state,)))
    return ok(
        CareListOut(messages=[_care_out(m) for m in found], channel=request.app[keys.SETTINGS].care_channel)
    )


async def _take(request: web.Request, channel: str, shop: int | None, limit: int) -> list[cs.CareMessage]:
    agent = current_agent(request)
    shop_id = shop_of(request, agent, shop)
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


class TakenOut(Model):
    messages: list[CareOut] = Field(description="post each to the chat client as kefu.send_message")


async def take_care(request: web.Request) -> web.Response:
    """The shop's due host messages, handed over once (marked sent): the caller's page posts each to the
    chat client (``kefu.send_message``). Over the buyer's daily cap a message is skipped; none in the
    quiet hours."""
    body = await read_json(request, TakeIn)
    taken = await _take(request, "host", body.shop, body.limit)
    return ok(TakenOut(messages=[_care_out(m) for m in taken]))


class ExportIn(Model):
    shop: QueryId | None = None


async def export_care(request: web.Request) -> web.Response:
    """The due SMS care messages as CSV (UTF-8 with BOM) for the shop's SMS tool; each exported once."""
    body = await read_json(request, ExportIn)
    taken = await _take(request, "sms", body.shop, 5000)
    stamp = datetime.now(ZoneInfo(request.app[keys.SETTINGS].timezone)).strftime("%Y%m%d-%H%M")
    rows = [["手机号", "买家", "订单号", "阶段", "短信内容", "条数"]]
    rows += [
        [m.phone, m.buyer_nick, m.order_id or "", m.stage, m.text, str(-(-len(m.text) // SMS_SEGMENT))]
        for m in taken
    ]
    return _csv(rows, f"关怀短信-{stamp}.csv", f"care-sms-{stamp}.csv")


# ---- courier jam -----------------------------------------------------------------------------------

Names = Annotated[
    list[Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=20)]],
    Field(max_length=50),
]


JamStatus = Literal["shipped", "delivered", "completed"]


class JamSelection(Model):
    shop: QueryId | None = None
    courier: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=30)]
    provinces: Names = Field(default_factory=list, description="none: every province")
    cities: Names = Field(default_factory=list, description="none: every city")
    statuses: list[JamStatus] = Field(
        default_factory=lambda: list[JamStatus](["shipped"]),
        max_length=3,
        description="order statuses; default shipped",
    )
    shipped_from: date
    shipped_to: date = Field(description="inclusive")
    template: Annotated[str, StringConstraints(strip_whitespace=True, max_length=1000)] = Field(
        "", description="the apology; empty: the shop's jam template"
    )

    @model_validator(mode="after")
    def _dates(self) -> JamSelection:
        if self.shipped_to < self.shipped_from:
            raise ValueError("shipped_to 不能早于 shipped_from")
        if (self.shipped_to - self.shipped_from).days > 60:
            raise ValueError("发货日期最多选 60 天")
        return self


class JamMessage(Model):
    buyer: str
    receiver_name: str
    phone: str = Field(description="masked in the preview: 138****1234")
    order_id: str
    province: str
    city: str
    text: str


class JamPreviewOut(Model):
    buyers: int = Field(description="buyers who will get the notice (each once)")
    already_notified: int = Field(
        description="matching buyers left out: they had a notice about this courier"
    )
    needs_approval: bool
    threshold: int
    messages: list[JamMessage] = Field(description="the first 50, with the receiver's real name")


class JamNoticeOut(Model):
    id: int
    selection: dict[str, object]
    template: str
    buyers: int
    sent: int
    state: Literal["awaiting_approval", "approved", "sent"]
    created_by: str
    created_at: datetime
    approved_by: str | None
    approved_at: datetime | None
    sample: list[JamMessage]


class JamListOut(Model):
    notices: list[JamNoticeOut]


class JamOptionsOut(Model):
    couriers: list[str]
    threshold: int


class SendOut(Model):
    messages: list[JamMessage] = Field(description="post each to the chat client as kefu.send_message")


def _mask(phone: str) -> str:
    return phone[:3] + "****" + phone[-4:] if len(phone) >= 8 else phone


async def _selected(
    request: web.Request, sel: JamSelection, shop_id: int
) -> tuple[list[tuple[cs.JamOrder, str]], int, str]:
    tz = ZoneInfo(request.app[keys.SETTINGS].timezone)
    start = datetime.combine(sel.shipped_from, time(0), tzinfo=tz)
    end = datetime.combine(sel.shipped_to + timedelta(days=1), time(0), tzinfo=tz)

    def read(db: sqlite_utils.Database) -> tuple[list[cs.JamOrder], set[int], str]:
        found = cs.jam_orders(
            db,
            shop_id,
            courier=sel.courier,
            provinces=sel.provinces,
            cities=sel.cities,
            statuses=list(sel.statuses),
            shipped_from=start,
            shipped_to=end,
        )
        own = cs.templates(db, shop_id).get("jam")
        return (
            found,
            cs.already_notified(db, shop_id, sel.courier, [o.buyer_id for o in found]),
            (own[0] if own else DEFAULT_TEMPLATES["jam"]),
        )

    found, notified, shop_body = await request.app[keys.DB].read(read)
    body = sel.template or shop_body
    fresh = [o for o in found if o.buyer_id not in notified]

    def render_all() -> list[tuple[cs.JamOrder, str]]:
        return [(o, fill(body, _jam_context(o))) for o in fresh]

    try:
        rendered = await request.app[keys.TEMPLATES].run(render_all)
    except TemplateProblem as problem:
        message = problem.findings[0].message if problem.findings else "模板无法生成"
        raise Conflict.field("template", f"致歉模板无法生成：{message}") from None
    return rendered, len(found) - len(fresh), body


def _jam_context(o: cs.JamOrder) -> dict[str, dict[str, str]]:
    return {
        "buyer": {"nick": o.buyer_nick},
        "receiver": {"name": o.receiver_name},
        "order": {"id": o.id, "item": o.item},
        "logistics": {"courier": o.courier, "tracking_no": o.tracking_no or "", "location": o.city},
        "shop": {"name": o.shop_name},
    }


def _message(o: cs.JamOrder, text: str) -> JamMessage:
    return JamMessage(
        buyer=o.buyer_nick,
        receiver_name=o.receiver_name,
        phone=_mask(o.receiver_phone),
        order_id=o.id,
        province=o.province,
        city=o.city,
        text=text,
    )


async def jam_options(request: web.Request) -> web.Response:
    agent = current_agent(request)
    shop_id = shop_of(request, agent, read_query(request, ShopQuery).shop)
    couriers = await request.app[keys.DB].read(lambda db: cs.couriers(db, shop_id))
    return ok(JamOptionsOut(couriers=couriers, threshold=request.app[keys.SETTINGS].jam_approval_from_buyers))


async def jam_preview(request: web.Request) -> web.Response:
    """Who the notice would reach (one message per buyer, none to a buyer notified before about this
    courier) and each message with the receiver's real name."""
    agent = current_agent(request)
    sel = await read_json(request, JamSelection)
    shop_id = shop_of(request, agent, sel.shop)
    rendered, already, _ = await _selected(request, sel, shop_id)
    threshold = request.app[keys.SETTINGS].jam_approval_from_buyers
    return ok(
        JamPreviewOut(
            buyers=len(rendered),
            already_notified=already,
            needs_approval=len(rendered) > threshold,
            threshold=threshold,
            messages=[_message(o, t) for o, t in rendered[:50]],
        )
    )


def _selection_json(sel: JamSelection) -> dict[str, object]:
    return sel.model_dump(mode="json", exclude={"shop", "template"})


def _notice_out(n: cs.JamNotice, sample: list[cs.JamRecipient]) -> JamNoticeOut:
    return JamNoticeOut(
        id=n.id,
        selection=json.loads(n.selection),
        template=n.template,
        buyers=n.buyers,
        sent=n.sent,
        state=n.state,
        created_by=n.creator,
        created_at=n.created_at,
        approved_by=n.approver,
        approved_at=n.approved_at,
        sample=[
            JamMessage(
                buyer=r.buyer_nick,
                receiver_name=r.receiver_name,
                phone=_mask(r.phone),
                order_id=r.order_id,
                province="",
                city="",
                text=r.text,
            )
            for r in sample
        ],
    )


async def create_jam(request: web.Request) -> web.Response:
    """Fix the notice's recipients and texts. Over the threshold it waits for a second supervisor's
    approval; else it is approved by its author. Audited."""
    agent = current_agent(request)
    sel = await read_json(request, JamSelection)
    shop_id = shop_of(request, agent, sel.shop)
    rendered, _, body = await _selected(request, sel, shop_id)
    if not rendered:
        raise Conflict.field("courier", "没有需要通知的买家（条件下没有订单，或都已通知过）")
    threshold = request.app[keys.SETTINGS].jam_approval_from_buyers
    state = "awaiting_approval" if len(rendered) > threshold else "approved"
    now = datetime.now(UTC)
    selection = _selection_json(sel)

    def write(db: sqlite_utils.Database) -> tuple[cs.JamNotice, list[cs.JamRecipient]]:
        with db.atomic():
            notice_id = cs.add_notice(
                db, shop_id, selection, body, rendered, state=state, agent_id=agent.id, at=now
            )
            insert_audit(
                db,
                at=now.isoformat(),
                agent_id=agent.id,
                shop_id=shop_id,
                entity="jam_notice",
                entity_id=str(notice_id),
                action="create",
                reason="",
                before=None,
                after={**selection, "buyers": len(rendered), "state": state},
            )
            found = cs.notice(db, notice_id)
            assert found is not None
            return found, cs.recipients(db, notice_id)

    notice, sample = await request.app[keys.DB].write(write)
    return ok(_notice_out(notice, sample), status=201)


async def list_jams(request: web.Request) -> web.Response:
    agent = current_agent(request)
    shop_id = shop_of(request, agent, read_query(request, ShopQuery).shop)
    found = await request.app[keys.DB].read(
        lambda db: [(n, cs.recipients(db, n.id, 3)) for n in cs.notices(db, shop_id)]
    )
    return ok(JamListOut(notices=[_notice_out(n, s) for n, s in found]))


async def _notice_or_404(request: web.Request) -> cs.JamNotice:
    agent = current_agent(request)
    notice_id = path_int(request, "jam_id")
    found = await request.app[keys.DB].read(lambda db: cs.notice(db, notice_id))
    if found is None or found.shop_id not in agent.shop_ids:
        raise NotFound.field("jam_id", f"没有延误通知 {notice_id}")
    return found


async def approve_jam(request: web.Request) -> web.Response:
    """A second supervisor approves a notice over the threshold (its author cannot: 403). Audited."""
    agent = current_agent(request)
    notice = await _notice_or_404(request)
    if notice.created_by == agent.id:
        raise Forbidden(
            "需要另一位主管批准，发起人不能自己批准", [FieldError("jam_id", "发起人不能自己批准")]
        )
    if notice.state != "awaiting_approval":
        raise Conflict.field("jam_id", f"这条通知不需要批准（{notice.state}）")
    now = datetime.now(UTC)

    def write(db: sqlite_utils.Database) -> tuple[bool, cs.JamNotice | None, list[cs.JamRecipient]]:
        with db.atomic():
            done = cs.approve(db, notice.id, agent.id, now)
            if done:
                insert_audit(
                    db,
                    at=now.isoformat(),
                    agent_id=agent.id,
                    shop_id=notice.shop_id,
                    entity="jam_notice",
                    entity_id=str(notice.id),
                    action="approve",
                    reason="",
                    before={"state": notice.state},
                    after={"state": "approved"},
                )
            return done, cs.notice(db, notice.id), cs.recipients(db, notice.id)

    done, updated, sample = await request.app[keys.DB].write(write)
    if not done or updated is None:
        raise Conflict.field("jam_id", "这条通知已被批准或已发送")
    return ok(_notice_out(updated, sample))


async def _hand_over(request: web.Request, channel: str) -> tuple[cs.JamNotice, list[cs.JamRecipient]]:
    agent = current_agent(request)
    notice = await _notice_or_404(request)
    if notice.state == "awaiting_approval":
        raise Conflict.field("jam_id", f"通知涉及 {notice.buyers} 位买家，需要另一位主管批准后才能发送")
    now = datetime.now(UTC)

    def write(db: sqlite_utils.Database) -> list[cs.JamRecipient]:
        with db.atomic():
            taken = cs.take_recipients(db, notice.id, channel, agent.id, now)
            insert_audit(
                db,
                at=now.isoformat(),
                agent_id=agent.id,
                shop_id=notice.shop_id,
                entity="jam_notice",
                entity_id=str(notice.id),
                action="send" if channel == "host" else "export",
                reason="",
                before=None,
                after={"channel": channel, "recipients": len(taken)},
            )
            return taken

    return notice, await request.app[keys.DB].write(write)


async def send_jam(request: web.Request) -> web.Response:
    """The recipients not handed over yet, marked sent: the page posts each as ``kefu.send_message``."""
    _, taken = await _hand_over(request, "host")
    return ok(
        SendOut(
            messages=[
                JamMessage(
                    buyer=r.buyer_nick,
                    receiver_name=r.receiver_name,
                    phone=_mask(r.phone),
                    order_id=r.order_id,
                    province="",
                    city="",
                    text=r.text,
                )
                for r in taken
            ]
        )
    )


async def export_jam(request: web.Request) -> web.Response:
    """The recipients not handed over yet as CSV (UTF-8 with BOM) for the SMS tool, marked exported."""
    notice, taken = await _hand_over(request, "sms")
    rows = [["手机号", "收件人", "买家", "订单号", "短信内容", "条数"]]
    rows += [
        [r.phone, r.receiver_name, r.buyer_nick, r.order_id, r.text, str(-(-len(r.text) // SMS_SEGMENT))]
        for r in taken
    ]
    return _csv(rows, f"快递延误通知-{notice.id}.csv", f"courier-jam-{notice.id}.csv")
