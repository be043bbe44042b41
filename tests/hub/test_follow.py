"""How the lookup index applies the change feed (no database needed): newer states win, a change older
than what the index holds (this process published its own later save first) is skipped."""

from __future__ import annotations

from typing import Any

from assistant.hub.feed import Change
from assistant.hub.service import follow_quick_replies
from quick_replies.lookup import QuickReplyLibrary
from quick_replies.store import _values
from tests.quick_replies.phrases import phrase


def _saved(version: int, title: str) -> dict[str, Any]:
    """A change's payload as the hub writes it: the saved phrase's JSON dump."""
    return phrase(5, "fh", title, "正文", "常用", version=version).model_dump(mode="json")


def test_newer_states_win_and_older_ones_are_skipped() -> None:
    library = QuickReplyLibrary()
    apply = follow_quick_replies(library)
    apply(Change(1, "quick_reply", 5, "upsert", 1, _saved(1, "发货")))
    entry = library.index.get(5)
    assert entry is not None and entry.title == "发货"
    library.publish(
        phrase(5, "fh", "本进程的新标题", "正文", "常用", version=3)
    )  # own save, ahead of the feed
    apply(Change(2, "quick_reply", 5, "upsert", 2, _saved(2, "别处的旧标题")))
    entry = library.index.get(5)
    assert entry is not None and entry.title == "本进程的新标题"
    apply(Change(3, "quick_reply", 5, "upsert", 3, _saved(3, "本进程的新标题")))  # its own save comes back
    apply(Change(4, "quick_reply", 5, "delete", 4, None))
    assert library.index.get(5) is None
    apply(Change(5, "quick_reply", 5, "delete", 4, None))  # twice: nothing to do
    library.publish(phrase(5, "fh", "恢复", "正文", "常用", version=5))  # restored (rollback), higher version
    apply(Change(6, "quick_reply", 5, "delete", 4, None))  # a late delete of the older state
    entry = library.index.get(5)
    assert entry is not None and entry.title == "恢复"


def test_a_change_written_as_a_row_before_the_model_payload_still_applies() -> None:
    """Changes already in the hub's ``changes`` table carry the saved row, not a model dump."""
    reply = phrase(5, "fh", "旧格式", "正文", "常用", version=2).reply
    names = ["shop_id", "group_id", "scope", "team_id", "owner_agent_id", "code", "title", "body", "tags",
             "enabled", "valid_from", "valid_until", "attachment", "position", "search_keys"]  # fmt: skip
    row = {"id": 5, **dict(zip(names, _values(reply), strict=True)), "version": 2, "group_name": "常用",
           "group_position": 0}  # fmt: skip
    library = QuickReplyLibrary()
    follow_quick_replies(library)(Change(1, "quick_reply", 5, "upsert", 2, row))
    entry = library.index.get(5)
    assert entry is not None and (entry.title, entry.code, entry.version) == ("旧格式", "fh", 2)
