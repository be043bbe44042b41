"""The evidence locker: a conversation frozen with a content hash (the chat, the buyer's orders, the
times), read back with whether the hash still holds, printed as a dispute pack, deleted."""

from __future__ import annotations

import html
import json
from datetime import UTC, datetime
from typing import Any

import sqlite_utils
from aiohttp import web

from assistant import keys
from assistant.api.io import body_of, ok, path_int
from assistant.api.qc_models import DeleteIn, EvidenceIn, EvidenceOut
from assistant.api.shops import resolve_shop
from assistant.conversations.models import Direction
from assistant.errors import ApiError, Conflict, NotFound
from assistant.security import current_agent
from assistant.team import qc
from assistant.team import qc_evidence_store as qs
from knowledge.models import Agent


def _evidence_out(row: qs.EvidenceRow, raw: str) -> EvidenceOut:
    intact = qc.evidence_hash(json.loads(raw)) == row.hash and raw == qc.canonical(json.loads(raw)).decode()
    return EvidenceOut(
        id=row.id,
        shop_id=row.shop_id,
        buyer=row.buyer_nick,
        conversation=row.conversation,
        note=row.note,
        created_by=row.created_by_name,
        created_at=row.created_at,
        hash=row.hash,
        intact=intact,
        deleted=row.deleted_at is not None,
        payload=row.payload,
    )


async def freeze_evidence(request: web.Request) -> web.Response:
    """One click: freeze the chat, the buyer's orders and the times with a content hash, and flag the buyer
    in every shop of the team."""
    caller = current_agent(request)
    body = body_of(request, EvidenceIn)
    shop_id = resolve_shop(request, caller, body.shop)
    messages = await request.app[keys.CONVERSATIONS].messages(shop_id, body.conversation)
    if not messages:
        raise NotFound.field("conversation", f"没有会话 {body.conversation} 的记录")
    buyer = messages[0].buyer_nick
    now = datetime.now(UTC)
    try:
        card: Any = await request.app[keys.COMMERCE].buyer_card(shop_id, buyer)
    except ApiError:  # a buyer the shop has no record of: the chat alone is the evidence
        card = None
    payload = {
        "shop_id": shop_id,
        "shop": request.app[keys.DIRECTORY].shops[shop_id].name,
        "buyer": buyer,
        "conversation": body.conversation,
        "frozen_at": now.isoformat(),
        "frozen_by": caller.name,
        "note": body.note,
        "messages": [
            {
                "at": m.at.isoformat(),
                "from": "buyer" if m.direction is Direction.IN else "shop",
                "source": m.source.value if m.source else None,
                "sender": m.sender,
                "text": m.text,
            }
            for m in messages
        ],
        "buyer_card": card.model_dump(mode="json") if card is not None else None,
    }
    text = qc.canonical(payload).decode()
    digest = qc.evidence_hash(payload)
    team = sorted(
        {s for a in request.app[keys.DIRECTORY].agents.values() if shop_id in a.shop_ids for s in a.shop_ids}
    )
    saved = await request.app[keys.DB].write(
        lambda db: qs.insert_evidence(
            db,
            shop_id=shop_id,
            buyer_nick=buyer,
            conversation=body.conversation,
            note=body.note,
            agent_id=caller.id,
            at=now,
            payload_text=text,
            digest=digest,
            team_shop_ids=team,
            flag=body.flag,
        )
    )
    return ok(_evidence_out(saved, text), status=201)


async def _evidence_or_404(request: web.Request, caller: Agent) -> tuple[qs.EvidenceRow, str]:
    evidence_id = path_int(request, "evidence_id")

    def read(db: sqlite_utils.Database) -> tuple[qs.EvidenceRow | None, str | None]:
        return qs.evidence(db, evidence_id), qs.raw_payload(db, evidence_id)

    row, raw = await request.app[keys.DB].read(read)
    if row is None or raw is None or row.shop_id not in caller.shop_ids:
        raise NotFound.field("evidence_id", f"没有证据 {evidence_id}")
    return row, raw


async def get_evidence(request: web.Request) -> web.Response:
    """The frozen evidence, with whether its hash still holds."""
    row, raw = await _evidence_or_404(request, current_agent(request))
    return ok(_evidence_out(row, raw))


async def evidence_pack(request: web.Request) -> web.Response:
    """The dispute pack as a printable page (the JSON is ``GET /api/evidence/{id}``)."""
    row, raw = await _evidence_or_404(request, current_agent(request))
    out = _evidence_out(row, raw)
    lines = "".join(
        f"<tr><td>{html.escape(m['at'])}</td><td>{'买家' if m['from'] == 'buyer' else '客服'}</td>"
        f"<td>{html.escape(m['text'])}</td></tr>"
        for m in out.payload["messages"]
    )
    page = f"""<!doctype html><html lang="zh-CN"><head><meta charset="utf-8"><title>证据包 #{out.id}</title>
<style>body{{font:14px/1.6 sans-serif;margin:24px}}td{{border-bottom:1px solid #ddd;padding:4px 8px;vertical-align:top}}
code{{word-break:break-all}}</style></head><body>
<h1>证据包 #{out.id}</h1>
<p>店铺：{html.escape(out.payload["shop"])}　买家：{html.escape(out.buyer)}　会话：{html.escape(out.conversation)}</p>
<p>说明：{html.escape(out.note)}</p>
<p>固定时间：{html.escape(out.payload["frozen_at"])}　固定人：{html.escape(out.created_by)}</p>
<p>内容哈希（SHA-256）：<code>{out.hash}</code>　校验：{"一致，未被改动" if out.intact else "不一致：内容已被改动"}</p>
<table>{lines}</table></body></html>"""
    return web.Response(text=page, content_type="text/html", headers={"Cache-Control": "no-store"})


async def delete_evidence(request: web.Request) -> web.Response:
    """Only a supervisor deletes evidence; the record stays (marked deleted) and the deletion is audited."""
    caller = current_agent(request)
    body = body_of(request, DeleteIn)
    row, _ = await _evidence_or_404(request, caller)
    deleted = await request.app[keys.DB].write(
        lambda db: qs.delete_evidence(db, row.id, caller.id, datetime.now(UTC), body.reason)
    )
    if not deleted:
        raise Conflict.field("evidence_id", "这份证据已经删除过")
    again, raw = await _evidence_or_404(request, caller)
    return ok(_evidence_out(again, raw))
