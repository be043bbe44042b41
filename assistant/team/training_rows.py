"""The rows ``training_store`` hands out: what a round draws from (intents, phrases, QC's cases,
campaigns), rounds, questions with their answers, trainees and pass marks. Times stay the stored ISO
text, as the quiz compares and parses them itself."""

from __future__ import annotations

from assistant.team.store_rows import FrozenRow as _Row


class TrainingIntent(_Row):
    """An enabled intent with its example phrasings and answers (by position)."""

    id: int
    name: str
    topic: str
    campaign_id: int | None
    updated_at: str
    examples: tuple[str, ...] = ()
    answers: tuple[str, ...] = ()


class TrainingPhrase(_Row):
    """A shop-wide enabled quick reply (what every trainee can pick)."""

    id: int
    code: str
    title: str
    body: str
    updated_at: str


class QcCase(_Row):
    """A conversation QC marked for training: its first buyer message and the first human reply after it
    (empty when there is none); ``excellent`` (1/0) says whether the reply is one to learn from.
    ``intent_id``: the intent the question asks about, filled in by the caller (the matcher's pick)."""

    conversation: str
    excellent: int
    question_id: int
    question: str
    reply: str
    intent_id: int | None = None


class CampaignScript(_Row):
    id: int
    campaign_id: int
    kind: str
    situation: str
    title: str
    body: str


class TrainingCampaign(_Row):
    id: int
    name: str
    rules: str
    starts_at: str
    ends_at: str
    scripts: tuple[CampaignScript, ...] = ()


class TrainingRound(_Row):
    id: int
    shop_id: int
    agent_id: int
    mode: str
    topic: str | None
    seconds_per_question: int | None
    started_at: str
    finished_at: str | None


class TrainingQuestion(_Row):
    """A question of a round (``refs``, ``choices``, ``right_picks`` decoded) with its answer and mark,
    and what of its round the marking needs."""

    id: int
    round_id: int
    position: int
    source: str
    ref_id: int
    intent_id: int | None
    question: str
    refs: list[str]
    choices: list[int]
    right_picks: list[int]
    answered_at: str | None
    answer_text: str | None
    picked_phrase_id: int | None
    similarity: float | None
    late: int
    elapsed_ms: int | None
    auto_correct: int | None
    override_correct: int | None
    override_by: int | None
    override_note: str
    agent_id: int
    shop_id: int
    mode: str
    round_started_at: str
    seconds_per_question: int | None
    round_finished_at: str | None


class AnsweredQuestion(TrainingQuestion):
    """An answered question with its final mark (the trainer's override, else the automatic one)."""

    answered_at: str
    correct: bool


class RoundCount(_Row):
    """How many rounds an agent started in a shop, and when the last one started."""

    rounds: int
    last_started_at: str | None


class Trainee(_Row):
    agent_id: int
    shop_id: int
    added_by: int | None
    added_at: str
    passed_at: str | None
    passed_accuracy: float | None
    passed_coverage: float | None


class PassMark(_Row):
    """A shop's pass mark as the trainer set it, with the trainer's name."""

    shop_id: int
    accuracy: float
    coverage: float
    set_by: int
    set_at: str
    set_by_name: str
