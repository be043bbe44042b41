"""The matcher's semantic stage: example embeddings, the fusion with the lexical score, the margin rule.

Each example of an intent has an embedding (``knowledge.encoder``), computed when the intent is
saved and stored (``example_embeddings``, keyed by ``text_key``), read at start-up, never
recomputed for the whole base. Per shop they form one float32 matrix (rows L2-normalised), so a
question's cosine to every example is one matrix-vector product: that scores the lexical
candidates and, for recall, finds the nearest examples the lexical stage did not bring.

Fusion (``fuse``): ``lexical + SEMANTIC_WEIGHT · max(0, cos − COS_FLOOR) / (1 − COS_FLOOR)``, the
lexical part being today's score with its boosts, the cosine the best of the intent's examples.
Confidence (``confident``): the fused score reaches the threshold, and the top intent is clearly
ahead of the others on both signals: its cosine is at least ``SEMANTIC_MIN`` and
``SEMANTIC_MARGIN`` above every other intent's, and its lexical score trails no other intent's by
more than ``LEXICAL_SLACK`` (a paraphrase sharing no words may win, but not against an intent the
words clearly point to). Every number was tuned on the own and held-out sets and the off-topic
set (``tests/data``), never on the blind set: ``docs/performance.md``.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt

from knowledge.encoder import DIM, text_key

__all__ = [
    "COS_FLOOR",
    "LEXICAL_SLACK",
    "NEIGHBOURS",
    "SEMANTIC_MARGIN",
    "SEMANTIC_MIN",
    "SEMANTIC_WEIGHT",
    "SemanticRows",
    "Signals",
    "confident",
    "fuse",
    "pack",
    "unpack",
]

Vector = npt.NDArray[np.float32]

#: Weight of the (rescaled) cosine next to the lexical score; 1.1–1.8 is a plateau on our sets.
SEMANTIC_WEIGHT = 1.4
#: Cosines below this count as no evidence (0.0–0.3 is a plateau).
COS_FLOOR = 0.2
#: The top intent's best cosine must reach this to be confident.
SEMANTIC_MIN = 0.65
#: ... and beat every other intent's best cosine by this much.
SEMANTIC_MARGIN = 0.02
#: ... and its lexical score may trail the best other intent's by at most this.
LEXICAL_SLACK = 0.2
#: Nearest examples taken from the matrix for recall (beside the lexical candidates).
NEIGHBOURS = 40


def fuse(lexical: float, cosine: float) -> float:
    """The fused score of an intent: its lexical score (with boosts) plus the rescaled cosine."""
    return lexical + SEMANTIC_WEIGHT * max(0.0, cosine - COS_FLOOR) / (1 - COS_FLOOR)


@dataclass(frozen=True)
class Signals:
    """One intent's evidence for a question."""

    lexical: float  # today's score, boosts included; 0 when not a lexical candidate
    cosine: float  # best cosine of its examples; 0 when it has none
    fused: float


def confident(top: Signals, others: Iterable[Signals], threshold: float) -> bool:
    """The margin rule: the top intent is clearly ahead of every other on both signals."""
    if top.fused < threshold or top.cosine < SEMANTIC_MIN:
        return False
    best_cos = best_lex = 0.0
    for other in others:
        best_cos = max(best_cos, other.cosine)
        best_lex = max(best_lex, other.lexical)
    return top.cosine - best_cos >= SEMANTIC_MARGIN and top.lexical >= best_lex - LEXICAL_SLACK


def pack(vector: Vector) -> bytes:
    """Stored form of an embedding: float16, little-endian (1 KB a row)."""
    return np.asarray(vector, dtype="<f2").tobytes()


def unpack(blob: bytes) -> Vector | None:
    """An embedding from its stored form; None when it is not one of this model's size."""
    if len(blob) != DIM * 2:
        return None
    return np.frombuffer(blob, dtype="<f2").astype(np.float32)


@dataclass
class SemanticRows:
    """One shop's example embeddings: a growing matrix, the owner of each row, tombstones."""

    matrix: Vector = field(default_factory=lambda: np.zeros((64, DIM), dtype=np.float32))
    owner: npt.NDArray[np.int64] = field(default_factory=lambda: np.full(64, 0, dtype=np.int64))
    texts: list[str] = field(default_factory=list)
    by_entry: dict[int, list[int]] = field(default_factory=dict)
    size: int = 0
    live: int = 0

    def add(self, uid: int, rows: Sequence[tuple[str, Vector]]) -> None:
        """The embedded examples of entry ``uid`` (its earlier rows are dropped first)."""
        self.remove(uid)
        if not rows:
            return
        need = self.size + len(rows)
        if need > len(self.matrix):
            capacity = max(need, 2 * len(self.matrix))
            matrix = np.zeros((capacity, DIM), dtype=np.float32)
            matrix[: self.size] = self.matrix[: self.size]
            owner = np.zeros(capacity, dtype=np.int64)
            owner[: self.size] = self.owner[: self.size]
            self.matrix, self.owner = matrix, owner
        start = self.size
        for offset, (text, vector) in enumerate(rows):
            self.matrix[start + offset] = vector
            self.owner[start + offset] = uid
            self.texts.append(text)
        self.size = need
        self.live += len(rows)
        self.by_entry[uid] = list(range(start, need))

    def remove(self, uid: int) -> None:
        rows = self.by_entry.pop(uid, None)
        if not rows:
            return
        self.matrix[rows] = 0.0  # a dead row scores 0 against every question
        self.owner[rows] = 0
        self.live -= len(rows)
        if self.size > 256 and self.live < self.size // 2:
            self._compact()

    def _compact(self) -> None:
        keep = [
            (uid, [(self.texts[r], self.matrix[r].copy()) for r in rows])
            for uid, rows in self.by_entry.items()
        ]
        self.matrix = np.zeros((max(64, 2 * self.live), DIM), dtype=np.float32)
        self.owner = np.zeros(len(self.matrix), dtype=np.int64)
        self.texts, self.by_entry, self.size, self.live = [], {}, 0, 0
        for uid, rows in keep:
            self.add(uid, rows)

    def cosines(self, query: Vector) -> Vector:
        """The question's cosine to every row (dead rows: 0)."""
        return self.matrix[: self.size] @ query

    def best(self, sims: Vector, uid: int) -> tuple[float, int] | None:
        """An entry's best cosine and the row that has it."""
        rows = self.by_entry.get(uid)
        if not rows:
            return None
        values = sims[rows]
        pick = int(np.argmax(values))
        return float(values[pick]), rows[pick]

    def nearest(self, sims: Vector, limit: int) -> list[int]:
        """Entries owning the ``limit`` rows most like the question, best first."""
        if not self.live:
            return []
        count = min(limit, self.size)
        top = np.argpartition(-sims, count - 1)[:count] if count < self.size else np.arange(self.size)
        order = top[np.argsort(-sims[top])]
        seen: dict[int, None] = {}
        for row in order:
            uid = int(self.owner[row])
            if uid:
                seen.setdefault(uid, None)
        return list(seen)


def rows_for(texts: Iterable[str], known: Mapping[str, Vector]) -> tuple[list[tuple[str, Vector]], list[str]]:
    """The embedded rows of some examples, and the examples without a known embedding."""
    rows, missing = [], []
    for text in dict.fromkeys(texts):
        vector = known.get(text_key(text))
        if vector is None:
            missing.append(text)
        else:
            rows.append((text, vector))
    return rows, missing
