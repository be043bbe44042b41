"""What the matcher indexes and what it answers: an ``AnswerEntry`` (an intent or a campaign
script, built from the store's models by ``intent_entry``/``script_entries``), and the ranked
``Match``es of one question with the ``Reasons`` shown to the agent under each suggestion. Apart
from ``knowledge.matcher`` (the indexes and the scoring) so callers that only read results need not
know how they are found."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from knowledge.models import Campaign, Intent, IntentTopic, ScriptKind

__all__ = [
    "AnswerEntry",
    "EntryKind",
    "Match",
    "QuestionMatches",
    "Reasons",
    "intent_entry",
    "script_entries",
]

EntryKind = Literal["intent", "script"]

#: What buyers say when a script of this kind fits (besides the script's title and situation).
SCRIPT_TRIGGERS: dict[ScriptKind, tuple[str, ...]] = {
    ScriptKind.WELCOME: ("在吗", "你好", "有人吗", "在不在"),
    ScriptKind.AUTO_REPLY: ("在吗", "有人吗", "客服在吗"),
    ScriptKind.WAITING: ("怎么不回消息", "人呢", "等了好久了", "有人回复吗"),
    ScriptKind.CLOSING: ("好的谢谢", "知道了", "已经拍了", "付好款了"),
    ScriptKind.EMERGENCY: (),
}


@dataclass(frozen=True)
class AnswerEntry:
    """Something the matcher can suggest: an intent (maybe hot-item) or a campaign script."""

    uid: int  # intents: id; scripts: -id (one id space per index)
    kind: EntryKind
    ref_id: int
    shop_id: int
    key: str
    name: str
    topic: IntentTopic
    answers: tuple[str, ...]
    examples: tuple[str, ...]
    keywords: tuple[str, ...] = ()
    item_id: int | None = None
    campaign_id: int | None = None
    script_kind: ScriptKind | None = None


@dataclass
class Reasons:
    """Why an entry matched: what to show the agent under a suggestion."""

    example: str = ""
    matched_words: list[str] = field(default_factory=list)
    keywords: list[str] = field(default_factory=list)
    lexical: float = 0.0
    fuzzy: float = 0.0
    item_boost: float = 0.0
    campaign_boost: float = 0.0
    order_boost: float = 0.0
    order_status: str | None = None
    note: str = ""
    #: Best cosine of the entry's examples to the question (0 without the encoder).
    semantic: float = 0.0
    #: The example closest in meaning, when the meaning (not the words) carried the match.
    similar: str = ""


@dataclass
class Match:
    entry: AnswerEntry
    score: float
    confident: bool
    reasons: Reasons


@dataclass
class QuestionMatches:
    question: str
    confident: bool
    matches: list[Match]


def intent_entry(intent: Intent) -> AnswerEntry:
    assert intent.id is not None
    return AnswerEntry(
        uid=intent.id,
        kind="intent",
        ref_id=intent.id,
        shop_id=intent.shop_id,
        key=intent.key,
        name=intent.name,
        topic=intent.topic,
        answers=tuple(intent.answers),
        examples=tuple(intent.examples),
        keywords=tuple(intent.keywords),
        item_id=intent.item_id,
        campaign_id=intent.campaign_id,
    )


def script_entries(campaign: Campaign) -> list[AnswerEntry]:
    assert campaign.id is not None
    entries = []
    for script in campaign.scripts:
        assert script.id is not None
        examples = tuple(t for t in (script.title, script.situation, *SCRIPT_TRIGGERS[script.kind]) if t)
        entries.append(
            AnswerEntry(
                uid=-script.id,
                kind="script",
                ref_id=script.id,
                shop_id=campaign.shop_id,
                key=script.kind.value,
                name=script.title,
                topic=IntentTopic.CAMPAIGN,
                answers=(script.body,),
                examples=examples,
                campaign_id=campaign.id,
                script_kind=script.kind,
            )
        )
    return entries
