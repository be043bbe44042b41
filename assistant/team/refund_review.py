"""The refund review's two writes as use cases: a reviewer decides a request, a supervisor marks a
decision wrong (误退 / 误拒) or takes the mark back. Each runs inside the caller's write transaction,
checks what is saved, raises a domain error (nothing written) or writes the change with its audit
entry (entity ``refund``)."""

from __future__ import annotations

from typing import Literal

import sqlite_utils

from assistant.commerce.store import insert_audit
from assistant.team import refund_store
from assistant.team.refund_store import Request
from knowledge.errors import Conflict, FieldError, Invalid, NotFound, StaleVersion
from knowledge.models import Agent

Outcome = Literal["approved", "rejected"]
SAID = {"approved": "同意", "rejected": "拒绝", "elsewhere": "在平台处理"}


def _open(db: sqlite_utils.Database, request_id: int, agent: Agent) -> Request:
    found = refund_store.request(db, request_id)
    if found is None or found.shop_id not in agent.shop_ids:
        raise NotFound(
            f"没有编号为 {request_id} 的退款申请，或它不在你登录的店铺",
            [FieldError("request_id", "找不到这条退款申请")],
        )
    return found


def _fresh(found: Request, version: int) -> None:
    if found.version != version:
        raise StaleVersion(
            f"这条退款申请刚有变化（你看到的是第 {version} 版，现在是第 {found.version} 版）：请刷新后再处理",
            [FieldError("version", f"已过期，当前为 {found.version}")],
            current=found,
        )


def decide(
    db: sqlite_utils.Database,
    request_id: int,
    outcome: Outcome,
    note: str,
    version: int,
    reviewer: Agent,
    at: str,
) -> Request:
    found = _open(db, request_id, reviewer)
    if found.outcome is not None:
        who = f"{found.reviewer_name} 已{SAID[found.outcome]}" if found.reviewer_name else SAID[found.outcome]
        raise Conflict(
            f"订单 {found.order_id} 的退款申请已经处理过了（{who}），不能再改",
            [FieldError("request_id", "已处理")],
            extra={"current": found.model_dump(mode="json")},
        )
    _fresh(found, version)
    note = note.strip()
    if outcome == "rejected" and not note:
        raise Invalid.field("note", "拒绝退款要写明理由（买家和平台介入时都会看）")
    refund_store.decide(db, request_id, outcome, reviewer.id, note, version, at)
    insert_audit(
        db,
        at=at,
        agent_id=reviewer.id,
        shop_id=found.shop_id,
        entity="refund",
        entity_id=str(request_id),
        action=outcome,
        reason=note,
        before={"outcome": None, "order_id": found.order_id, "amount_fen": found.amount_fen},
        after={"outcome": outcome, "order_id": found.order_id, "amount_fen": found.amount_fen},
    )
    after = refund_store.request(db, request_id)
    assert after is not None
    return after


def mark_wrong(
    db: sqlite_utils.Database, request_id: int, wrong: bool, reason: str, version: int, by: Agent, at: str
) -> Request:
    found = _open(db, request_id, by)
    if found.outcome not in ("approved", "rejected"):
        raise Conflict(
            "只有审核员处理过的申请才能标记误退或误拒",
            [FieldError("request_id", "还没有审核员的处理")],
        )
    _fresh(found, version)
    reason = reason.strip()
    if wrong and not reason:
        raise Invalid.field("reason", "写明错在哪里（例如：包裹没退回就同意了）")
    if not wrong and found.wrong_reason is None:
        return found  # no mark to take back: nothing to write, nothing to audit
    refund_store.mark_wrong(db, request_id, reason if wrong else None, by.id, version, at)
    insert_audit(
        db,
        at=at,
        agent_id=by.id,
        shop_id=found.shop_id,
        entity="refund",
        entity_id=str(request_id),
        action="mark_wrong" if wrong else "clear_wrong",
        reason=reason,
        before={"wrong_reason": found.wrong_reason},
        after={"wrong_reason": reason if wrong else None},
    )
    after = refund_store.request(db, request_id)
    assert after is not None
    return after
