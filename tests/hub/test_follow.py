"""How the lookup index applies the change feed (no database needed): newer states win, a change older
than what the index holds (this process published its own later save first) is skipped."""

from __future__ import annotations

from typing import Any

from assistant.hub.feed import Change
from assistant.hub.service import follow_quick_replies
from quick_replies.lookup import QuickReplyLibrary
from quick_replies.store import _values


def _row(version: int, title: str) -> dict[str, Any]:
    from quick_replies.models import QuickReply

    reply = QuickReply(shop_id=1, group_id=1, code="fh", title=title, body="正文")
    names = ["shop_id", "group_id", "scope", "team_id", "owner_agent_id", "code", "title", "body", "tags",
             "enabled", "valid_from", "valid_until", "attachment", "position", "search_keys"]  # fmt: skip
    return {"id": 5, **dict(zip(names, _values(reply), strict=True)), "version": version, "group_name": "常用",
            "group_position": 0}  # fmt: skip


def test_newer_states_win_and_older_ones_are_skipped() -> None:
    library = QuickReplyLibrary()
    apply = follow_quick_replies(library)
    apply(Change(1, "quick_reply", 5, "upsert", 1, _row(1, "发货")))
    entry = library.index.get(5)
    assert entry is not None and entry.title == "发货"
    library.publish(_row(3, "本进程的新标题"))  # this process's own save, ahead of the feed
    apply(Change(2, "quick_reply", 5, "upsert", 2, _row(2, "别处的旧标题")))
    entry = library.index.get(5)
    assert entry is not None and entry.title == "本进程的新标题"
    apply(Change(3, "quick_reply", 5, "upsert", 3, _row(3, "本进程的新标题")))  # its own row comes back
    apply(Change(4, "quick_reply", 5, "delete", 4, None))
    assert library.index.get(5) is None
    apply(Change(5, "quick_reply", 5, "delete", 4, None))  # twice: nothing to do
    library.publish(_row(5, "恢复"))  # restored (rollback) with a higher version
    apply(Change(6, "quick_reply", 5, "delete", 4, None))  # a late delete of the older state
    entry = library.index.get(5)
    assert entry is not None and entry.title == "恢复"
