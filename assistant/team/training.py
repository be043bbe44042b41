"""The trainee quiz (培训): drawing a round from the knowledge base, marking an answer, progress.

Questions are the buyers' own phrasings (an intent's examples; a campaign's scripts and rules; a
phrase's title); a typed answer is compared with the references by the matcher's text similarity (the
same normalisation and the same blend of character ``ratio`` and word ``token_sort_ratio`` through
rapidfuzz, processor and cutoff explicit), a picked quick reply must be one of the right picks. No
aiohttp here, no SQL.
"""

from __future__ import annotations

import difflib
import random
import re
import statistics
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Literal

from rapidfuzz import fuzz, process

from knowledge.matcher import CHAR_SHARE
from knowledge.text import cut, normalize_message

Mode = Literal["timed", "topic", "campaign", "what-changed"]
Source = Literal["intent", "script", "rules", "phrase", "case"]
MAX_CHOICES = 4

_VARIABLE_RE = re.compile(r"\{\{.*?\}\}", re.S)
_TAG_RE = re.compile(r"\{%.*?%\}|\{#.*?#\}", re.S)


@dataclass
class TrainingGate:
    """Trainees who have not passed (their token opens only the training routes when required)."""

    unpassed: set[int] = field(default_factory=set)


@dataclass(frozen=True)
class Candidate:
    """Something a round may ask: the buyer's phrasings, the reference answers, the right picks."""

    source: Source
    ref_id: int
    intent_id: int | None
    phrasings: tuple[str, ...]
    refs: tuple[str, ...]
    right_picks: tuple[int, ...] = ()


@dataclass(frozen=True)
class Phrase:
    id: int
    title: str
    body: str


@dataclass(frozen=True)
class Drawn:
    candidate: Candidate
    question: str
    choices: tuple[int, ...]


def plain(template: str) -> str:
    """An answer template as a trainee would type it: variables become …, tags go."""
    return _TAG_RE.sub("", _VARIABLE_RE.sub("…", template)).strip()


def _prepared(text: str) -> tuple[str, str]:
    normal = normalize_message(plain(text))
    return normal.replace(" ", ""), " ".join(cut(normal))


def similarity(answer: str, reference: str) -> float:
    """0-100: the matcher's blend of character ratio and word token-sort ratio."""
    a_chars, a_words = _prepared(answer)
    r_chars, r_words = _prepared(reference)
    if not a_chars or not r_chars:
        return 0.0
    chars = fuzz.ratio(a_chars, r_chars, processor=None, score_cutoff=0)
    words = fuzz.token_sort_ratio(a_words, r_words, processor=None, score_cutoff=0)
    return round(CHAR_SHARE * chars + (1 - CHAR_SHARE) * words, 1)


def best_reference(answer: str, refs: Sequence[str]) -> tuple[float, int]:
    """The highest similarity to any reference and that reference's index."""
    scores = [similarity(answer, r) for r in refs]
    best = max(range(len(scores)), key=scores.__getitem__)
    return scores[best], best


def right_picks(refs: Sequence[str], phrases: Sequence[Phrase], threshold: float) -> tuple[int, ...]:
    """Quick replies whose text is (nearly) one of the references: the right picks."""
    if not phrases or not refs:
        return ()
    bodies = {p.id: _prepared(p.body)[0] for p in phrases}
    found: set[int] = set()
    for ref in refs:
        chars = _prepared(ref)[0]
        for _, _score, key in process.extract(
            chars, bodies, scorer=fuzz.ratio, processor=None, score_cutoff=threshold, limit=3
        ):
            found.add(int(key))
    return tuple(sorted(found))


def diff(answer: str, reference: str) -> list[dict[str, str]]:
    """Character segments: ``same``, ``answer_only`` (typed, not in the reference), ``reference_only``."""
    matcher = difflib.SequenceMatcher(None, answer, reference, autojunk=False)
    out: list[dict[str, str]] = []
    for op, a1, a2, b1, b2 in matcher.get_opcodes():
        if op == "equal":
            out.append({"op": "same", "text": answer[a1:a2]})
            continue
        if a2 > a1:
            out.append({"op": "answer_only", "text": answer[a1:a2]})
        if b2 > b1:
            out.append({"op": "reference_only", "text": reference[b1:b2]})
    return out


def draw(
    candidates: Sequence[Candidate],
    size: int,
    covered: set[int],
    phrases: Sequence[Phrase],
    rng: random.Random,
) -> list[Drawn]:
    """``size`` questions, what the trainee has not yet answered right first, each in one of its
    phrasings; a question with right picks offers them among at most four quick replies."""
    pool = list(candidates)
    rng.shuffle(pool)
    pool.sort(key=lambda c: c.intent_id is not None and c.intent_id in covered)
    ids = [p.id for p in phrases]
    drawn = []
    for candidate in pool[:size]:
        choices: tuple[int, ...] = ()
        if candidate.right_picks:
            right = list(candidate.right_picks[:2])
            others = [i for i in ids if i not in candidate.right_picks]
            picked = right + rng.sample(others, min(MAX_CHOICES - len(right), len(others)))
            rng.shuffle(picked)
            choices = tuple(picked)
        drawn.append(Drawn(candidate=candidate, question=rng.choice(candidate.phrasings), choices=choices))
    return drawn


@dataclass(frozen=True)
class Answered:
    """One answered question, as progress reads it."""

    intent_id: int | None
    correct: bool
    elapsed_ms: int | None
    answered_at: datetime


@dataclass(frozen=True)
class Progress:
    answered: int
    correct: int
    accuracy: float | None
    coverage: float | None
    median_seconds: float | None
    covered: int


def progress(answers: Iterable[Answered], intents_total: int) -> Progress:
    rows = list(answers)
    right = [a for a in rows if a.correct]
    covered = {a.intent_id for a in right if a.intent_id is not None}
    times = [a.elapsed_ms / 1000 for a in rows if a.elapsed_ms is not None]
    return Progress(
        answered=len(rows),
        correct=len(right),
        accuracy=round(len(right) / len(rows), 3) if rows else None,
        coverage=round(len(covered) / intents_total, 3) if intents_total else None,
        median_seconds=round(statistics.median(times), 1) if times else None,
        covered=len(covered),
    )


def passes(p: Progress, accuracy: float, coverage: float) -> bool:
    return p.accuracy is not None and p.accuracy >= accuracy and (p.coverage or 0.0) >= coverage
