"""Request and response models of the trainee quiz's API (``assistant.api.training``)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from pydantic import Field, StringConstraints, model_validator

from assistant.api.io import QueryId
from assistant.team.training import Mode
from knowledge.models import Model


class RoundIn(Model):
    mode: Mode = Field(
        description="timed (the 3-minute clock) | topic | campaign (before an event) | what-changed"
    )
    topic: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=60)] | None = (
        Field(
            None,
            description="topic mode: an intent topic (shipping, size…); campaign mode: the campaign's name or id",
        )
    )
    size: Annotated[int, Field(ge=1, le=100)] | None = Field(
        None, description="questions (default: training_round_size)"
    )
    shop: Annotated[int, Field(gt=0, le=2**62)] | None = None


class ChoiceOut(Model):
    id: int
    title: str
    body: str


class SegmentOut(Model):
    op: str = Field(description="same | answer_only (typed, not in the reference) | reference_only (missed)")
    text: str


class MarkOut(Model):
    correct: bool = Field(description="the final mark: the trainer's override, else the automatic one")
    auto_correct: bool
    overridden: bool
    override_note: str
    similarity: float | None = Field(description="0-100 against the nearest reference (typed answers)")
    late: bool = Field(description="a timed round's answer after the clock ran out")
    elapsed_seconds: float | None
    answer: str
    picked_phrase_id: int | None
    reference: str = Field(description="the nearest reference answer")
    right_picks: list[int]
    diff: list[SegmentOut]


class QuestionOut(Model):
    id: int
    position: int
    source: str = Field(description="intent | script | rules | phrase | case (a QC training case)")
    question: str = Field(description="as a buyer would write it")
    choices: list[ChoiceOut] = Field(description="quick replies to pick from (empty: type the answer)")
    mark: MarkOut | None = Field(None, description="set once answered")


class RoundOut(Model):
    id: int
    shop_id: int
    agent_id: int
    mode: str
    topic: str | None
    seconds_per_question: int | None = Field(description="the clock of a timed round (null: untimed)")
    started_at: datetime
    finished_at: datetime | None
    questions: list[QuestionOut]


class AnswerIn(Model):
    text: Annotated[str, StringConstraints(strip_whitespace=True, max_length=1000)] | None = None
    phrase_id: Annotated[int, Field(gt=0, le=2**62)] | None = None

    @model_validator(mode="after")
    def _one(self) -> AnswerIn:
        if (self.text is None or self.text == "") == (self.phrase_id is None):
            raise ValueError("写一个回答（text）或选一条快捷短语（phrase_id），二选一")
        return self


class AnswerOut(Model):
    question_id: int
    mark: MarkOut


class OverrideIn(Model):
    correct: bool
    note: Annotated[str, StringConstraints(strip_whitespace=True, max_length=200)] = ""


class PassMarkOut(Model):
    accuracy: float
    coverage: float
    set_by: str | None = None


class ProgressRow(Model):
    agent_id: int
    name: str
    trainee: bool
    rounds: int
    answered: int
    correct: int
    accuracy: float | None
    coverage: float | None = Field(description="share of the shop's intents answered right at least once")
    median_seconds: float | None
    last_round_at: datetime | None
    passed_at: datetime | None
    meets_pass_mark: bool


class FinishOut(Model):
    round_id: int
    answered: int
    correct: int
    progress: ProgressRow
    passed_now: bool = Field(description="this round took the trainee over the pass mark (recorded)")


class ProgressQuery(Model):
    shop: QueryId | None = None


class ProgressOut(Model):
    rows: list[ProgressRow]
    pass_mark: PassMarkOut
    intents: int


class AnswersQuery(Model):
    shop: QueryId | None = None
    agent: QueryId | None = Field(None, description="one trainee (default: everyone)")
    limit: Annotated[int, Field(ge=1, le=200)] = 50


class AnsweredOut(Model):
    question_id: int
    round_id: int
    agent_id: int
    question: str
    mark: MarkOut


class AnswersOut(Model):
    answers: list[AnsweredOut]


class PassMarkIn(Model):
    shop: Annotated[int, Field(gt=0, le=2**62)] | None = None
    accuracy: Annotated[float, Field(ge=0, le=1)]
    coverage: Annotated[float, Field(ge=0, le=1)]


class TraineeIn(Model):
    trainee: bool


class TraineeOut(Model):
    agent_id: int
    trainee: bool
    passed_at: datetime | None
