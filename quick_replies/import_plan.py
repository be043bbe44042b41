"""What an import of a spreadsheet would do to a shop's phrases, and doing it in one transaction.

Rows are matched to the shop's shop-wide phrases by short code (folded to half-width lower case).
A row whose code is new is *added*; one whose values differ from the stored phrase is *changed*
(the changes listed field by field); everything else is *skipped* with a reason: unchanged, empty
content, no code, a code used twice in the file, a value the phrase model refuses. Columns that
are absent from the file leave the stored values alone. Team and personal phrases are not touched.
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal
from zoneinfo import ZoneInfo

import sqlite_utils
from pydantic import Field, ValidationError

from knowledge.models import Id, Model
from knowledge.templates import BLOCKING_KINDS, lint
from quick_replies import store
from quick_replies.models import QuickReply, QuickReplyGroup, Scope, fold_code
from quick_replies.rows import StoredQuickReply
from quick_replies.transfer import LABELS, Sheet, SheetRow

DEFAULT_GROUP = "未分组"
GROUP_NAME_MAX = 30
TITLE_FROM_BODY = 20
COMPARED = ("group", "title", "body", "tags", "enabled", "valid_from", "valid_until")
_TAG_SPLIT = re.compile(r"[,，、;；|\n]+")
_TRUE = {"1", "是", "启用", "开", "有效", "true", "yes", "y", "on", "√", "✓", "enabled"}
_FALSE = {"0", "否", "停用", "禁用", "关", "无效", "false", "no", "n", "off", "×", "✗", "disabled"}

Action = Literal["added", "changed", "skipped"]
SkipKind = Literal["unchanged", "empty_body", "missing_code", "duplicate_code", "invalid"]


class FieldChange(Model):
    field: str
    before: str
    after: str


class PlanRow(Model):
    row: int = Field(description="row number as the spreadsheet shows it (1-based)")
    action: Action
    code: str
    title: str = ""
    group: str = ""
    id: Id | None = Field(None, description="the stored phrase a change applies to")
    reason: str | None = Field(None, description="why a row is skipped")
    skip: SkipKind | None = None
    changes: list[FieldChange] = Field(default_factory=list)


class ImportPlan(Model):
    format: str
    header_row: int
    columns: list[str]
    added: int
    changed: int
    skipped: int
    plan_id: str = Field(
        description="fingerprint of the writes; pass it back as ?plan= to apply exactly these"
    )
    rows: list[PlanRow]


@dataclass
class _Write:
    row: PlanRow
    group: str
    reply: QuickReply
    phrase_id: int | None = None
    version: int | None = None


# --------------------------------------------------------------------------- #
# Cell values -> phrase fields
# --------------------------------------------------------------------------- #


def _text(value: Any) -> str:
    return "" if value is None else str(value).strip()


def _enabled(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    folded = _text(value).lower()
    if folded in _TRUE:
        return True
    if folded in _FALSE:
        return False
    raise ValueError(f"「启用」列的值「{_text(value)}」看不懂：请写 是 或 否")


def _moment(value: Any, zone: ZoneInfo) -> datetime | None:
    if value is None or _text(value) == "":
        return None
    if isinstance(value, datetime):
        moment = value
    else:
        try:
            moment = datetime.fromisoformat(_text(value).replace("/", "-"))
        except ValueError:
            raise ValueError(f"时间「{_text(value)}」看不懂：请写成 2026-11-11 00:00 这样") from None
    return moment if moment.tzinfo else moment.replace(tzinfo=zone)


def _display(name: str, value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, list):
        return "、".join(value)
    if isinstance(value, datetime):
        return value.isoformat()
    return str(value)


def record_of(phrase: StoredQuickReply) -> dict[str, str]:
    """A stored phrase as export cells."""
    values = {"group": phrase.group_name, **phrase.reply.model_dump(include=set(COMPARED) | {"code"})}
    return {name: _display(name, value) for name, value in values.items()}


def _reason(error: ValidationError) -> str:
    parts = []
    for item in error.errors(include_url=False):
        where = ".".join(str(p) for p in item["loc"])
        label = LABELS.get(where, "")
        message = str(item["msg"]).removeprefix("Value error, ")
        parts.append(f"{label}：{message}" if label else message)
    return "；".join(parts)


# --------------------------------------------------------------------------- #
# Planning
# --------------------------------------------------------------------------- #


def _plan_row(
    line: SheetRow,
    stored: StoredQuickReply | None,
    zone: ZoneInfo,
    shop_id: int,
    next_position: dict[str, int],
) -> tuple[PlanRow, _Write | None]:
    cells = line.cells
    code = fold_code(_text(cells.get("code")))
    body = _text(cells.get("body"))
    title = _text(cells.get("title"))
    group = _text(cells.get("group"))
    row = PlanRow(row=line.number, action="skipped", code=code, title=title, group=group)
    if not code:
        return row.model_copy(
            update={"skip": "missing_code", "reason": "没有编码：请填写编码（如 fh）"}
        ), None
    if "body" in cells and not body:
        return row.model_copy(update={"skip": "empty_body", "reason": "内容为空"}), None
    before = stored.reply if stored else None
    values: dict[str, Any] = before.model_dump(include=set(COMPARED)) if before else {}
    try:
        if "title" in cells and title:
            values["title"] = title
        elif before is None:
            values["title"] = body.split("\n", 1)[0][:TITLE_FROM_BODY].strip()
        values["body"] = body
        if "tags" in cells:
            values["tags"] = [t.strip() for t in _TAG_SPLIT.split(_text(cells["tags"])) if t.strip()]
        if "enabled" in cells and _text(cells["enabled"]) != "":
            values["enabled"] = _enabled(cells["enabled"])
        for name in ("valid_from", "valid_until"):
            if name in cells:
                values[name] = _moment(cells[name], zone)
        group_name = group or (stored.group_name if stored else DEFAULT_GROUP)
        if len(group_name) > GROUP_NAME_MAX:
            raise ValueError(f"分组名「{group_name}」太长：最多 {GROUP_NAME_MAX} 个字")
        moved = stored is None or group_name != stored.group_name
        position = stored.reply.position if stored and not moved else next_position.get(group_name, 0)
        reply = QuickReply(
            shop_id=shop_id,
            group_id=stored.reply.group_id if stored else 1,
            scope=Scope.SHOP,
            code=code,
            position=position,
            **values,
        )
    except (ValidationError, ValueError) as exc:
        reason = _reason(exc) if isinstance(exc, ValidationError) else str(exc)
        return row.model_copy(update={"skip": "invalid", "reason": reason}), None
    row = row.model_copy(update={"title": reply.title, "group": group_name})
    if before is None:
        next_position[group_name] = position + 1
        return row.model_copy(update={"action": "added"}), _Write(row, group_name, reply)
    assert stored is not None
    old = {"group": stored.group_name, **before.model_dump(include=set(COMPARED))}
    new = {"group": group_name, **reply.model_dump(include=set(COMPARED))}
    changes = [
        FieldChange(field=name, before=_display(name, old[name]), after=_display(name, new[name]))
        for name in COMPARED
        if old[name] != new[name]
    ]
    if not changes:
        return row.model_copy(update={"skip": "unchanged", "reason": "没有变化", "id": stored.id}), None
    if moved:
        next_position[group_name] = position + 1
    row = row.model_copy(update={"action": "changed", "id": stored.id, "changes": changes})
    return row, _Write(row, group_name, reply, stored.id, stored.version)


def _plan(
    db: sqlite_utils.Database, shop_id: int, sheet: Sheet, zone: ZoneInfo
) -> tuple[ImportPlan, list[_Write]]:
    phrases = store.in_shop(db, shop_id)
    stored = {p.reply.code: p for p in phrases if p.reply.scope is Scope.SHOP}
    next_position: dict[str, int] = {}
    for p in phrases:
        next_position[p.group_name] = max(next_position.get(p.group_name, 0), p.reply.position + 1)
    seen: dict[str, int] = {}
    rows: list[PlanRow] = []
    writes: list[_Write] = []
    for line in sheet.rows:
        code = fold_code(_text(line.cells.get("code")))
        if code and code in seen:
            rows.append(PlanRow(
                row=line.number, action="skipped", code=code, title=_text(line.cells.get("title")),
                group=_text(line.cells.get("group")), skip="duplicate_code",
                reason=f"编码 {code} 与第 {seen[code]} 行重复：同一编码只能出现一次",
            ))  # fmt: skip
            continue
        if code:
            seen[code] = line.number
        if line.number in sheet.refused:
            rows.append(PlanRow(
                row=line.number, action="skipped", code=code, title=_text(line.cells.get("title")),
                group=_text(line.cells.get("group")), skip="invalid", reason=sheet.refused[line.number],
            ))  # fmt: skip
            continue
        row, write = _plan_row(line, stored.get(code), zone, shop_id, next_position)
        rows.append(row)
        if write is not None:
            writes.append(write)
    fingerprint = json.dumps(
        [(w.row.row, w.phrase_id, w.version, w.group, w.reply.model_dump(mode="json")) for w in writes],
        ensure_ascii=False, sort_keys=True,
    )  # fmt: skip
    plan = ImportPlan(
        format=sheet.format,
        header_row=sheet.header_row,
        columns=sheet.columns,
        added=sum(r.action == "added" for r in rows),
        changed=sum(r.action == "changed" for r in rows),
        skipped=sum(r.action == "skipped" for r in rows),
        plan_id=hashlib.sha256(fingerprint.encode()).hexdigest()[:16],
        rows=rows,
    )
    return plan, writes


def check_templates(sheet: Sheet) -> None:
    """Lint every body that holds a template, as a save would: a row whose body would be refused is
    recorded in ``sheet.refused`` and planned as skipped (``invalid``) with the reason. CPU work:
    the service runs it in the render pool."""
    for line in sheet.rows:
        body = _text(line.cells.get("body"))
        if "{" not in body:
            continue
        blocking = [f for f in lint(body) if f.kind in BLOCKING_KINDS]
        if blocking:
            sheet.refused[line.number] = f"内容的模板有问题：{blocking[0].located()}"


def plan_import(db: sqlite_utils.Database, shop_id: int, sheet: Sheet, zone: ZoneInfo) -> ImportPlan:
    """The dry run: what applying ``sheet`` to the shop would do. Reads only."""
    return _plan(db, shop_id, sheet, zone)[0]


class PlanChanged(Exception):
    """The shop's phrases changed since the dry run: its plan is not the one that would run now."""

    def __init__(self, plan: ImportPlan) -> None:
        self.plan = plan
        super().__init__("the import plan changed since the dry run")


def apply_import(
    db: sqlite_utils.Database,
    shop_id: int,
    sheet: Sheet,
    zone: ZoneInfo,
    agent_id: int | None,
    expected_plan: str | None = None,
) -> tuple[ImportPlan, list[StoredQuickReply]]:
    """Plan again inside the write transaction and save every addition and change with revisions.

    Call it inside one ``Database.write``: any refusal raises and nothing is kept. Returns the
    plan that ran and the saved phrases (for the search index).
    """
    plan, writes = _plan(db, shop_id, sheet, zone)
    if expected_plan is not None and expected_plan != plan.plan_id:
        raise PlanChanged(plan)
    groups = {g.name: g.id for g in store.list_groups(db, shop_id)}
    saved: list[StoredQuickReply] = []
    for write in writes:
        if write.group not in groups:
            group = QuickReplyGroup(shop_id=shop_id, name=write.group, position=len(groups))
            groups[write.group] = store.insert_group(db, group)
        group_id = groups[write.group]
        assert group_id is not None
        reply = write.reply.model_copy(update={"group_id": group_id})
        if write.phrase_id is None:
            saved.append(store.create_quick_reply(db, reply, agent_id))
        else:
            saved.append(store.update_quick_reply(db, write.phrase_id, reply, write.version, agent_id))
    return plan, saved
