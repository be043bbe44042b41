"""Quick replies (快捷短语): canned messages with a short code, a group and a scope."""

from __future__ import annotations

import unicodedata
from datetime import datetime
from enum import StrEnum
from typing import Annotated

from pydantic import AfterValidator, Field, StringConstraints, model_validator

from knowledge.models import Id, Model, Name, ShortText, Text, Version


class Scope(StrEnum):
    """Who sees a phrase: the whole shop, one team, or only its owner."""

    SHOP = "shop"
    TEAM = "team"
    PERSONAL = "personal"


def fold_code(value: str) -> str:
    """Fold a short code to half-width lower case: 'ＦＨ２' -> 'fh2'."""
    return unicodedata.normalize("NFKC", value).strip().lower()


def _valid_code(value: str) -> str:
    code = fold_code(value)
    if not code:
        raise ValueError("编码不能为空")
    if len(code) > 12:
        raise ValueError("编码最多 12 个字符")
    if not code.isascii() or not all(ch.isalnum() or ch in "-_" for ch in code):
        raise ValueError("编码只能用字母、数字、- 或 _，例如 fh 或 fh2")
    return code


ShortCode = Annotated[str, AfterValidator(_valid_code)]


class QuickReplyGroup(Model):
    id: Id | None = None
    shop_id: Id
    name: Annotated[Text, StringConstraints(min_length=1, max_length=30)]
    position: Annotated[int, Field(ge=0)] = 0


class QuickReplyFields(Model):
    """What an editor writes for a phrase; ``body`` is a template rendered with the conversation's context."""

    group_id: Id
    scope: Scope = Scope.SHOP
    team_id: Id | None = None
    owner_agent_id: Id | None = None
    code: ShortCode
    title: Annotated[Text, StringConstraints(min_length=1, max_length=40)]
    body: Annotated[Text, StringConstraints(min_length=1, max_length=2000)]
    tags: list[Name] = Field(default_factory=list, max_length=20)
    enabled: bool = True
    valid_from: datetime | None = None
    valid_until: datetime | None = None
    attachment: ShortText | None = Field(None, description="reference of an image or file sent with it")
    position: Annotated[int, Field(ge=0)] = 0

    @model_validator(mode="after")
    def _consistent(self) -> QuickReplyFields:
        if (self.scope is Scope.TEAM) != (self.team_id is not None):
            raise ValueError("团队短语必须指定 team_id，其他范围不能指定")
        if (self.scope is Scope.PERSONAL) != (self.owner_agent_id is not None):
            raise ValueError("个人短语必须指定 owner_agent_id，其他范围不能指定")
        if self.valid_from and self.valid_until and self.valid_until <= self.valid_from:
            raise ValueError("生效结束时间必须晚于开始时间")
        for moment in (self.valid_from, self.valid_until):
            if moment is not None and moment.tzinfo is None:
                raise ValueError("生效时间需要带时区，例如 2026-11-11T00:00:00+08:00")
        return self


class QuickReply(QuickReplyFields):
    """One saved phrase of one shop."""

    id: Id | None = None
    shop_id: Id
    version: Version = 1


class MatchKind(StrEnum):
    """Why a phrase matched what the agent typed."""

    CODE = "code"
    TITLE = "title"
    PINYIN_INITIALS = "pinyin_initials"
    PINYIN = "pinyin"
    BODY = "body"
    FUZZY = "fuzzy"


SpanOut = Annotated[list[int], Field(min_length=2, max_length=2, description="[start, end) in code points")]


class Highlights(Model):
    """Spans to highlight in the returned ``code``, ``title`` and ``preview`` (code-point offsets)."""

    code: list[SpanOut] = Field(default_factory=list)
    title: list[SpanOut] = Field(default_factory=list)
    preview: list[SpanOut] = Field(default_factory=list)


class LookupResult(Model):
    """One ranked phrase of the hotkey lookup."""

    id: Id
    code: str
    title: str
    group: str
    group_id: Id
    scope: Scope
    preview: str = Field(description="the body rendered with the conversation's context")
    score: float
    matched_on: list[MatchKind]
    highlights: Highlights
    tags: list[str] = Field(default_factory=list)
    attachment: str | None = None
