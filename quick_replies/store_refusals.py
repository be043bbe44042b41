"""How the quick-reply stores refuse a write, in the domain's errors (``knowledge.errors``): a taken
code or a clash ``Conflict``, a stale version ``StaleVersion`` carrying the phrase as it is now, an
unknown phrase or revision ``NotFound``; and ``GroupNameTaken``. Shared by the SQLite store and the
team hub's PostgreSQL store, so both say it in the same words."""

from __future__ import annotations

import contextlib
import sqlite3
from collections.abc import Iterator

import sqlite_utils

from knowledge.errors import Conflict, FieldError, NotFound, StaleVersion
from quick_replies.rows import StoredQuickReply


def _shop_name(db: sqlite_utils.Database, shop_id: int) -> str:
    row = next(iter(db.query("SELECT name FROM shops WHERE id = ?", [shop_id])), None)
    return str(row["name"]) if row else str(shop_id)


def code_clash(
    db: sqlite_utils.Database, shop_id: int, code: str, holder_id: int, holder_title: str
) -> Conflict:
    """The short code is already held by another phrase of the same scope."""
    return code_clash_in(_shop_name(db, shop_id), code, holder_id, holder_title)


def code_clash_in(shop_name: str, code: str, holder_id: int, holder_title: str) -> Conflict:
    """``code_clash`` for a store that knows the shop's name some other way (the team hub)."""
    return Conflict(
        f"编码 {code} 已被「{holder_title}」使用（店铺 {shop_name}）：请换一个编码",
        [FieldError("code", f"已被短语 {holder_id}「{holder_title}」使用")],
        extra={"holder": {"id": holder_id, "title": holder_title}},
    )


def stale(current: StoredQuickReply) -> StaleVersion:
    """The phrase was changed since the caller read it: the answer carries it as it is now."""
    title, version = current.reply.title, current.version
    return StaleVersion(
        f"短语「{title}」已被他人修改（当前版本 {version}），请刷新后重试",
        [FieldError("version", f"当前版本是 {version}")],
        current={"quick_reply": current.reply.model_dump(mode="json"), "group": current.group_name},
    )


def missing(what: str, ident: int) -> NotFound:
    """No such phrase or revision."""
    label = {"quick_reply": "快捷短语", "revision": "历史版本"}.get(what, what)
    return NotFound(f"{label} {ident} 不存在", [FieldError("id", "请刷新列表")])


@contextlib.contextmanager
def conflict_on_integrity_error() -> Iterator[None]:
    """A clash the checks above could not see (a race between two writers) said as a conflict."""
    try:
        yield
    except sqlite3.IntegrityError as exc:
        raise Conflict(
            "保存失败：编码或分组与现有数据冲突，请刷新后重试", [FieldError("code", "冲突")]
        ) from exc


class GroupNameTaken(Exception):
    """The shop already has a group of that name."""

    def __init__(self, name: str) -> None:
        self.name = name
        super().__init__(f"group {name!r} exists")
